"""The sampling seed is the hash of the block after the commitment: unreadable until that block has
a successor, then fixed; never derived from the root, so a cheater cannot re-roll its samples by
re-committing. blockhash reaches back 256 blocks only, so an unstored seed expires."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain, web3

from gpumarket.pogemm import verifier

from .helpers import (
    ChallengeState,
    block_hash,
    err,
    mine_past_blockhash_window,
    not_ready,
)

SAMPLES = 16


@pytest.fixture(scope="module")
def challenges(benchmark, list_provider, open_attestation, provider, provider2):
    """Challenge `committed` (provider) committed in the last block; `first` (provider) and
    `second` (provider2) open and uncommitted, with the same sizes, their seeds readable."""
    list_provider(provider)
    list_provider(provider2)
    first, _, _ = open_attestation(provider)
    second, _, _ = open_attestation(provider2)
    committed, params, _ = open_attestation(provider)
    commit = benchmark.commit(committed, b"\x01" * 32, {"from": provider})
    return SimpleNamespace(
        committed=committed,
        commit_block=commit.block_number,
        params=params,
        first=first,
        second=second,
    )


def _commit_in_one_block(benchmark, commits):
    """Mine the commits [(challenge id, root, provider)] together in one block and return their
    receipts. Sent through web3 (anvil's accounts are unlocked): a Brownie transaction sent
    unconfirmed leaves a thread polling for it after the test reverts the chain."""
    web3.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [
            web3.eth.send_transaction(
                {
                    "from": provider.address,
                    "to": benchmark.address,
                    "data": benchmark.commit.encode_input(challenge_id, root),
                    "gas": 200_000,
                }
            )
            for challenge_id, root, provider in commits
        ]
        web3.provider.make_request("evm_mine", [])
    finally:
        web3.provider.make_request("evm_setAutomine", [True])
    return [web3.eth.wait_for_transaction_receipt(h, timeout=10) for h in hashes]


def test_sampling_seed_in_the_commit_block_is_not_ready(benchmark, challenges):
    with brownie.reverts(not_ready(challenges.committed, challenges.commit_block)):
        benchmark.samplingSeed(challenges.committed)


def test_sampling_seed_in_the_block_after_the_commit_is_not_ready(benchmark, challenges):
    chain.mine(1)

    with brownie.reverts(not_ready(challenges.committed, challenges.commit_block)):
        benchmark.samplingSeed(challenges.committed)


def test_sampling_seed_is_the_hash_of_the_block_after_the_commit(benchmark, challenges):
    chain.mine(2)

    seed = benchmark.samplingSeed(challenges.committed)

    assert bytes(seed) == block_hash(challenges.commit_block + 1)


def test_sampling_seed_does_not_change_as_blocks_pass(benchmark, challenges):
    chain.mine(2)
    before = benchmark.samplingSeed(challenges.committed)

    chain.mine(10)

    assert benchmark.samplingSeed(challenges.committed) == before


def test_stored_sampling_seed_outlives_the_blockhash_window(benchmark, stranger, challenges):
    chain.mine(1)
    benchmark.storeSamplingSeed(challenges.committed, {"from": stranger})

    mine_past_blockhash_window()

    assert bytes(benchmark.samplingSeed(challenges.committed)) == block_hash(
        challenges.commit_block + 1
    )


def test_unstored_sampling_seed_expires_after_256_blocks(benchmark, challenges):
    mine_past_blockhash_window()

    with brownie.reverts(err("BenchmarkRegistrySamplingSeedExpired", challenges.committed)):
        benchmark.samplingSeed(challenges.committed)


def test_samples_do_not_depend_on_the_committed_root(benchmark, provider, provider2, challenges):
    first, second = _commit_in_one_block(
        benchmark,
        [(challenges.first, b"\xaa" * 32, provider), (challenges.second, b"\xbb" * 32, provider2)],
    )
    chain.mine(2)

    seeds = [bytes(benchmark.samplingSeed(c)) for c in (challenges.first, challenges.second)]

    assert (first.status, second.status) == (1, 1)
    roots = [benchmark.challengeOf(c)["root"] for c in (challenges.first, challenges.second)]
    assert roots[0] != roots[1]
    assert first.blockNumber == second.blockNumber
    assert seeds[0] == seeds[1] == block_hash(first.blockNumber + 1)
    assert verifier.derive_samples(seeds[0], challenges.params, SAMPLES) == (
        verifier.derive_samples(seeds[1], challenges.params, SAMPLES)
    )


def test_samples_change_with_the_block_after_the_commit(benchmark, provider, challenges):
    benchmark.commit(challenges.first, b"\x01" * 32, {"from": provider})
    chain.mine(2)

    seeds = [bytes(benchmark.samplingSeed(c)) for c in (challenges.committed, challenges.first)]

    assert seeds[0] != seeds[1]
    assert verifier.derive_samples(seeds[0], challenges.params, SAMPLES) != (
        verifier.derive_samples(seeds[1], challenges.params, SAMPLES)
    )


def test_sampling_seed_of_an_uncommitted_challenge_reverts(benchmark, challenges):
    with brownie.reverts(err("BenchmarkRegistryWrongState", challenges.first, ChallengeState.OPEN)):
        benchmark.samplingSeed(challenges.first)


def test_sampling_seed_of_an_unknown_challenge_reverts(benchmark, challenges):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.samplingSeed(99)
