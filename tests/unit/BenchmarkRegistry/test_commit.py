"""The provider commits its Merkle root before the benchmark window closes (the deadline itself is
still in time), once, and only while the challenge is open. The commitment stores the challenge
seed when nobody has, so the lifecycle needs no transaction of its own for it; it cannot come
before the seed exists (block openBlock + 2), nor after the seed left the blockhash window."""

from types import SimpleNamespace

import brownie
import pytest

from .helpers import (
    MINED,
    ZERO32,
    ChallengeState,
    challenge_seed_of,
    err,
    event,
    mine_past_blockhash_window,
    plain,
    seed_not_ready,
    set_next_block_timestamp,
)

ROOT = b"\x11" * 32


@pytest.fixture(scope="module")
def challenge(benchmark, list_provider, open_attestation, provider):
    """`provider`'s open attestation, its seed readable and unstored: its id, commit deadline,
    opening block and seed."""
    list_provider(provider)
    challenge_id, params, tx = open_attestation(provider)
    deadline = benchmark.challengeOf(challenge_id)["commitDeadline"]
    return SimpleNamespace(
        id=challenge_id, deadline=deadline, open_block=tx.block_number, seed=params.seed
    )


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
    assert (c["state"], c["root"], c["committedAt"], c["anchorBlock"]) == (
        ChallengeState.COMMITTED,
        ROOT,
        tx.timestamp,
        tx.block_number,
    )


def test_commit_stores_the_challenge_seed_nobody_stored(benchmark, provider, challenge):
    assert bytes(benchmark.challengeOf(challenge.id)["seed"]) == ZERO32

    tx = benchmark.commit(challenge.id, ROOT, {"from": provider})

    assert event(tx, "ChallengeSeedStored") == {"challengeId": challenge.id, "seed": challenge.seed}
    assert challenge.seed == challenge_seed_of(challenge.id, challenge.open_block)
    assert bytes(benchmark.challengeOf(challenge.id)["seed"]) == challenge.seed


def test_commit_after_the_seed_was_stored_leaves_it(benchmark, provider, stranger, challenge):
    benchmark.storeChallengeSeed(challenge.id, {"from": stranger})

    tx = benchmark.commit(challenge.id, ROOT, {"from": provider})

    assert "ChallengeSeedStored" not in tx.events
    assert bytes(benchmark.challengeOf(challenge.id)["seed"]) == challenge.seed


def test_commit_in_the_block_after_the_opening_reverts(benchmark, provider, challenge):
    tx = benchmark.open(0, provider, 64, 8, 2, {"from": provider})

    with brownie.reverts(seed_not_ready(tx.return_value, tx.block_number)):
        benchmark.commit(tx.return_value, ROOT, {"from": provider, **MINED})


def test_commit_after_the_unstored_seed_expired_reverts(benchmark, provider, challenge):
    mine_past_blockhash_window()

    with brownie.reverts(err("BenchmarkRegistryChallengeSeedExpired", challenge.id)):
        benchmark.commit(challenge.id, ROOT, {"from": provider})


def test_commit_after_a_stored_seed_left_the_window_is_accepted(
    benchmark, provider, stranger, challenge
):
    benchmark.storeChallengeSeed(challenge.id, {"from": stranger})
    mine_past_blockhash_window()

    benchmark.commit(challenge.id, ROOT, {"from": provider})

    c = benchmark.challengeOf(challenge.id)
    assert (c["state"], bytes(c["seed"])) == (ChallengeState.COMMITTED, challenge.seed)


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
