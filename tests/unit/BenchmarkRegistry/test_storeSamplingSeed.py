"""The first reader stores the sampling seed on-chain. A seed that left the 256-block window
unstored fails the challenge: there is no re-arm, so a provider who dislikes its samples cannot
wait for a second draw (tests/adversarial/test_grinding.py plays that provider)."""

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
def challenges(benchmark, list_provider, open_attestation, provider):
    """`open` is uncommitted; `committed` was committed in the last block."""
    list_provider(provider)
    still_open, _, _ = open_attestation(provider)
    committed, _, _ = open_attestation(provider)
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
    assert "SamplingSeedStored" not in tx.events and "SeedExpired" not in tx.events


def test_store_after_256_blocks_unstored_fails_the_challenge(benchmark, stranger, challenges):
    mine_past_blockhash_window()

    tx = benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})

    assert event(tx, "SeedExpired") == {
        "challengeId": challenges.committed,
        "seedBlock": challenges.commit_block + 1,
    }
    assert bytes(tx.return_value) == ZERO32
    c = plain(benchmark.challengeOf(challenges.committed).dict())
    assert (c["state"], c["anchorBlock"], c["samplingSeed"]) == (
        ChallengeState.FAILED,
        challenges.commit_block,
        ZERO32,
    )


def test_an_expired_challenge_never_gets_a_second_seed(benchmark, stranger, challenges):
    mine_past_blockhash_window()
    benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})
    chain.mine(1)

    failed = err("BenchmarkRegistryWrongState", challenges.committed, ChallengeState.FAILED)
    with brownie.reverts(failed):
        benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})
    with brownie.reverts(failed):
        benchmark.samplingSeed(challenges.committed)


def test_store_for_an_uncommitted_challenge_reverts(benchmark, stranger, challenges):
    with brownie.reverts(err("BenchmarkRegistryWrongState", challenges.open, ChallengeState.OPEN)):
        benchmark.storeSamplingSeed(challenges.open, {"from": stranger})


def test_store_for_an_unknown_challenge_reverts(benchmark, stranger, challenges):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.storeSamplingSeed(99, {"from": stranger})
