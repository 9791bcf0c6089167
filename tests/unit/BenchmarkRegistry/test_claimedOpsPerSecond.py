"""The throughput lower bound 2·n³·T / (commit time − open time) from block timestamps. The seed
is the hash of the block after the opening, so the commit comes two blocks after it at the
earliest; the bound still starts at the opening (at most one block early: DESIGN 5.4)."""

from types import SimpleNamespace

import pytest
from brownie import chain

from .helpers import INTERVAL, STEPS, N, set_next_block_timestamp

OPS = 2 * N**3 * STEPS


def _mine_seed_blocks_at(timestamp):
    """The two blocks after the opening, both at `timestamp`: the seed's and its successor."""
    for _ in range(2):
        set_next_block_timestamp(timestamp)
        chain.mine(1)


@pytest.fixture(scope="module")
def challenge(benchmark, list_provider, provider):
    """`provider`'s open attestation: its id and opening timestamp."""
    list_provider(provider)
    tx = benchmark.open(0, provider, N, STEPS, INTERVAL, {"from": provider})
    return SimpleNamespace(id=tx.return_value, opened_at=tx.timestamp)


def test_claimed_ops_before_the_commit_is_zero(benchmark, challenge):
    assert benchmark.claimedOpsPerSecond(challenge.id) == 0


def test_claimed_ops_is_the_work_over_the_time_to_commit(benchmark, provider, challenge):
    _mine_seed_blocks_at(challenge.opened_at + 12)
    set_next_block_timestamp(challenge.opened_at + 100)

    benchmark.commit(challenge.id, b"\x01" * 32, {"from": provider})

    assert benchmark.claimedOpsPerSecond(challenge.id) == OPS // 100


def test_claimed_ops_of_a_commit_in_the_opening_second_counts_one_second(
    benchmark, provider, challenge
):
    _mine_seed_blocks_at(challenge.opened_at)
    set_next_block_timestamp(challenge.opened_at)

    benchmark.commit(challenge.id, b"\x01" * 32, {"from": provider})

    assert benchmark.claimedOpsPerSecond(challenge.id) == OPS


def test_claimed_ops_of_an_unknown_challenge_is_zero(benchmark, challenge):
    assert benchmark.claimedOpsPerSecond(99) == 0


def test_claimed_ops_uses_the_challenges_own_sizes(benchmark, provider, challenge):
    tx = benchmark.open(0, provider, 128, 4, INTERVAL, {"from": provider})
    challenge_id = tx.return_value
    _mine_seed_blocks_at(tx.timestamp + 1)
    set_next_block_timestamp(tx.timestamp + 7)

    benchmark.commit(challenge_id, b"\x01" * 32, {"from": provider})

    assert benchmark.claimedOpsPerSecond(challenge_id) == 2 * 128**3 * 4 // 7
