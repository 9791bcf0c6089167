"""The throughput lower bound 2·n³·T / (commit time − open time) from block timestamps."""

from types import SimpleNamespace

import pytest

from .helpers import INTERVAL, STEPS, N, set_next_block_timestamp

OPS = 2 * N**3 * STEPS


@pytest.fixture(scope="module")
def challenge(list_provider, open_attestation, provider):
    """`provider`'s open attestation: its id and opening timestamp."""
    list_provider(provider)
    challenge_id, _, tx = open_attestation(provider)
    return SimpleNamespace(id=challenge_id, opened_at=tx.timestamp)


def test_claimed_ops_before_the_commit_is_zero(benchmark, challenge):
    assert benchmark.claimedOpsPerSecond(challenge.id) == 0


def test_claimed_ops_is_the_work_over_the_time_to_commit(benchmark, provider, challenge):
    set_next_block_timestamp(challenge.opened_at + 100)

    benchmark.commit(challenge.id, b"\x01" * 32, {"from": provider})

    assert benchmark.claimedOpsPerSecond(challenge.id) == OPS // 100


def test_claimed_ops_of_a_commit_in_the_opening_second_counts_one_second(
    benchmark, provider, challenge
):
    set_next_block_timestamp(challenge.opened_at)

    benchmark.commit(challenge.id, b"\x01" * 32, {"from": provider})

    assert benchmark.claimedOpsPerSecond(challenge.id) == OPS


def test_claimed_ops_of_an_unknown_challenge_is_zero(benchmark, challenge):
    assert benchmark.claimedOpsPerSecond(99) == 0


def test_claimed_ops_uses_the_challenges_own_sizes(benchmark, open_attestation, provider):
    challenge_id, _, tx = open_attestation(provider, n=128, steps=4, interval=INTERVAL)
    set_next_block_timestamp(tx.timestamp + 7)

    benchmark.commit(challenge_id, b"\x01" * 32, {"from": provider})

    assert benchmark.claimedOpsPerSecond(challenge_id) == 2 * 128**3 * 4 // 7
