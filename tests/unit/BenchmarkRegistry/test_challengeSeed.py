"""The challenge seed is keccak256(abi.encode(id, blockhash(openBlock + 1))): nobody knows it when
the opening is sent, since the block it comes from does not exist yet. It is unreadable until that
block has a successor, then fixed; blockhash reaches back 256 blocks only, so an unstored seed
expires."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain, web3

from .helpers import (
    block_hash,
    challenge_seed_of,
    err,
    mine_past_blockhash_window,
    mine_until,
    seed_not_ready,
)


@pytest.fixture(scope="module")
def challenge(benchmark, list_provider, provider):
    """`provider`'s attestation, opened in the last block: its id and opening block."""
    list_provider(provider)
    tx = benchmark.open(0, provider, 64, 8, 2, {"from": provider})
    return SimpleNamespace(id=tx.return_value, open_block=tx.block_number)


def test_seed_in_the_opening_block_is_not_ready(benchmark, challenge):
    with brownie.reverts(seed_not_ready(challenge.id, challenge.open_block)):
        benchmark.challengeSeed(challenge.id)


def test_seed_in_the_block_after_the_opening_is_not_ready(benchmark, challenge):
    chain.mine(1)

    with brownie.reverts(seed_not_ready(challenge.id, challenge.open_block)):
        benchmark.challengeSeed(challenge.id)


def test_seed_is_the_hash_of_the_id_and_the_block_after_the_opening(benchmark, challenge):
    mine_until(challenge.open_block + 2)

    seed = bytes(benchmark.challengeSeed(challenge.id))

    assert seed == challenge_seed_of(challenge.id, challenge.open_block)
    assert seed != block_hash(challenge.open_block + 1)


def test_seed_does_not_change_as_blocks_pass(benchmark, challenge):
    mine_until(challenge.open_block + 2)
    before = benchmark.challengeSeed(challenge.id)

    chain.mine(10)

    assert benchmark.challengeSeed(challenge.id) == before


def test_seed_is_fixed_by_the_block_after_the_opening(benchmark, challenge):
    """Two candidates for block openBlock + 1 (another timestamp, so another hash) give two seeds:
    the seed is whatever that block turns out to be, which the opener cannot know."""
    seeds = []
    for offset in (1, 2):
        snapshot = web3.provider.make_request("evm_snapshot", [])["result"]
        parent = web3.eth.get_block(challenge.open_block)["timestamp"]
        web3.provider.make_request("evm_mine", [parent + offset])
        chain.mine(1)
        seeds.append(bytes(benchmark.challengeSeed(challenge.id)))
        web3.provider.make_request("evm_revert", [snapshot])

    assert seeds[0] != seeds[1]


def test_two_challenges_opened_in_one_block_get_different_seeds(benchmark, provider, challenge):
    second = challenge.id + 1
    web3.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [
            web3.eth.send_transaction(
                {
                    "from": provider.address,
                    "to": benchmark.address,
                    "data": benchmark.open.encode_input(0, provider, 64, 8, 2),
                    "gas": 300_000,
                }
            )
            for _ in range(2)
        ]
        web3.provider.make_request("evm_mine", [])
    finally:
        web3.provider.make_request("evm_setAutomine", [True])
    receipts = [web3.eth.wait_for_transaction_receipt(h, timeout=10) for h in hashes]
    chain.mine(2)

    seeds = [bytes(benchmark.challengeSeed(c)) for c in (second, second + 1)]

    assert receipts[0].blockNumber == receipts[1].blockNumber
    assert seeds[0] != seeds[1]


def test_stored_seed_outlives_the_blockhash_window(benchmark, stranger, challenge):
    mine_until(challenge.open_block + 1)
    stored = benchmark.storeChallengeSeed(challenge.id, {"from": stranger}).return_value

    mine_past_blockhash_window()

    assert benchmark.challengeSeed(challenge.id) == stored


def test_unstored_seed_expires_after_256_blocks(benchmark, challenge):
    mine_past_blockhash_window()

    with brownie.reverts(err("BenchmarkRegistryChallengeSeedExpired", challenge.id)):
        benchmark.challengeSeed(challenge.id)


def test_seed_of_an_unknown_challenge_reverts(benchmark, challenge):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.challengeSeed(99)
