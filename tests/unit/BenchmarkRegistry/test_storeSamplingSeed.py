"""The first reader stores the sampling seed on-chain. A seed that left the 256-block window
unstored re-arms the challenge on the current block: it never silently passes or fails."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from .helpers import (
    MINED,
    ZERO32,
    ChallengeState,
    block_hash,
    err,
    event,
    mine_past_blockhash_window,
    not_ready,
    plain,
)


@pytest.fixture(scope="module")
def challenges(benchmark, list_provider, provider):
    """`open` is uncommitted; `committed` was committed in the last block."""
    list_provider(provider)
    still_open = benchmark.open(0, provider, 64, 8, 2, {"from": provider}).return_value
    committed = benchmark.open(0, provider, 64, 8, 2, {"from": provider}).return_value
    commit = benchmark.commit(committed, b"\x01" * 32, {"from": provider})
    return SimpleNamespace(open=still_open, committed=committed, commit_block=commit.block_number)


def test_store_in_the_block_after_the_commit_reverts(benchmark, stranger, challenges):
    with brownie.reverts(not_ready(challenges.committed, challenges.commit_block)):
        benchmark.storeSamplingSeed(challenges.committed, {"from": stranger, **MINED})


def test_store_emits_the_hash_of_the_block_after_the_commit(benchmark, stranger, challenges):
    chain.mine(1)

    tx = benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})

    assert event(tx, "SamplingSeedStored") == {
        "challengeId": challenges.committed,
        "samplingSeed": block_hash(challenges.commit_block + 1),
    }
    assert bytes(tx.return_value) == block_hash(challenges.commit_block + 1)


def test_store_records_the_seed_in_the_challenge(benchmark, stranger, challenges):
    chain.mine(1)

    benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})

    assert plain(benchmark.challengeOf(challenges.committed).dict())["samplingSeed"] == (
        block_hash(challenges.commit_block + 1)
    )


def test_store_again_returns_the_stored_seed_without_an_event(benchmark, stranger, challenges):
    chain.mine(1)
    benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})
    mine_past_blockhash_window()

    tx = benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})

    assert bytes(tx.return_value) == block_hash(challenges.commit_block + 1)
    assert "SamplingSeedStored" not in tx.events and "SamplingRearmed" not in tx.events


def test_store_after_256_blocks_rearms_on_the_current_block(benchmark, stranger, challenges):
    mine_past_blockhash_window()

    tx = benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})

    assert event(tx, "SamplingRearmed") == {
        "challengeId": challenges.committed,
        "commitBlock": tx.block_number,
    }
    assert bytes(tx.return_value) == ZERO32
    c = plain(benchmark.challengeOf(challenges.committed).dict())
    assert (c["state"], c["commitBlock"], c["samplingSeed"]) == (
        ChallengeState.COMMITTED,
        tx.block_number,
        ZERO32,
    )


def test_rearmed_seed_is_the_hash_of_the_block_after_the_rearm(benchmark, stranger, challenges):
    mine_past_blockhash_window()
    rearm = benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})
    chain.mine(1)

    tx = benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})

    assert event(tx, "SamplingSeedStored")["samplingSeed"] == block_hash(rearm.block_number + 1)


def test_store_for_an_uncommitted_challenge_reverts(benchmark, stranger, challenges):
    with brownie.reverts(err("BenchmarkRegistryWrongState", challenges.open, ChallengeState.OPEN)):
        benchmark.storeSamplingSeed(challenges.open, {"from": stranger})


def test_store_for_an_unknown_challenge_reverts(benchmark, stranger, challenges):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.storeSamplingSeed(99, {"from": stranger})
