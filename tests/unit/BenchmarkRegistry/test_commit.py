"""The provider commits its Merkle root before the benchmark window closes (the deadline itself is
still in time), once, and only while the challenge is open."""

from types import SimpleNamespace

import brownie
import pytest

from .helpers import MINED, ChallengeState, err, event, plain, set_next_block_timestamp

ROOT = b"\x11" * 32


@pytest.fixture(scope="module")
def challenge(benchmark, list_provider, open_attestation, provider):
    """`provider`'s open attestation: its id and commit deadline."""
    list_provider(provider)
    challenge_id, _, _ = open_attestation(provider)
    deadline = benchmark.challengeOf(challenge_id)["commitDeadline"]
    return SimpleNamespace(id=challenge_id, deadline=deadline)


def test_commit_emits_challenge_committed(benchmark, provider, challenge):
    tx = benchmark.commit(challenge.id, ROOT, {"from": provider})

    assert event(tx, "ChallengeCommitted") == {
        "challengeId": challenge.id,
        "provider": provider.address,
        "root": ROOT,
        "commitBlock": tx.block_number,
    }


def test_commit_records_root_time_and_block(benchmark, provider, challenge):
    tx = benchmark.commit(challenge.id, ROOT, {"from": provider})

    c = plain(benchmark.challengeOf(challenge.id).dict())
    assert (c["state"], c["root"], c["committedAt"], c["commitBlock"]) == (
        ChallengeState.COMMITTED,
        ROOT,
        tx.timestamp,
        tx.block_number,
    )


def test_commit_at_the_deadline_is_accepted(benchmark, provider, challenge):
    set_next_block_timestamp(challenge.deadline)

    tx = benchmark.commit(challenge.id, ROOT, {"from": provider})

    assert tx.timestamp == challenge.deadline
    assert benchmark.challengeOf(challenge.id)["state"] == ChallengeState.COMMITTED


def test_commit_a_second_after_the_deadline_reverts(benchmark, provider, challenge):
    set_next_block_timestamp(challenge.deadline + 1)

    with brownie.reverts(
        err("BenchmarkRegistryCommitWindowClosed", challenge.id, challenge.deadline)
    ):
        benchmark.commit(challenge.id, ROOT, {"from": provider, **MINED})


def test_commit_by_anyone_but_the_provider_reverts(benchmark, stranger, challenge):
    with brownie.reverts(err("BenchmarkRegistryNotProvider", challenge.id, stranger)):
        benchmark.commit(challenge.id, ROOT, {"from": stranger})


def test_commit_twice_reverts(benchmark, provider, challenge):
    benchmark.commit(challenge.id, ROOT, {"from": provider})

    with brownie.reverts(
        err("BenchmarkRegistryWrongState", challenge.id, ChallengeState.COMMITTED)
    ):
        benchmark.commit(challenge.id, b"\x22" * 32, {"from": provider})


def test_commit_after_a_failed_verdict_reverts(benchmark, provider, verifier, challenge):
    benchmark.recordAttestation(challenge.id, False, 0, {"from": verifier})

    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge.id, ChallengeState.FAILED)):
        benchmark.commit(challenge.id, ROOT, {"from": provider})


def test_commit_to_an_unknown_challenge_reverts(benchmark, provider, challenge):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", challenge.id + 1)):
        benchmark.commit(challenge.id + 1, ROOT, {"from": provider})
