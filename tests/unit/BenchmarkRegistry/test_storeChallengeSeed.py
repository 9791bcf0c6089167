"""Anyone may store the challenge seed, keccak256(abi.encode(id, blockhash(openBlock + 1))), once
the block after the opening has a successor (the commitment stores it too when nobody has). A
seed that left the 256-block window unstored fails the challenge: a fresh block would be a second
draw."""

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
    mine_until,
    plain,
    seed_not_ready,
)

ROOT = b"\x01" * 32


@pytest.fixture(scope="module")
def challenge(benchmark, list_provider, provider):
    """`provider`'s attestation, opened in the last block: its id and opening block."""
    list_provider(provider)
    tx = benchmark.open(0, provider, 64, 8, 2, {"from": provider})
    return SimpleNamespace(id=tx.return_value, open_block=tx.block_number)


def test_store_in_the_block_after_the_opening_reverts(benchmark, stranger, challenge):
    with brownie.reverts(seed_not_ready(challenge.id, challenge.open_block)):
        benchmark.storeChallengeSeed(challenge.id, {"from": stranger, **MINED})


def test_store_emits_the_hash_of_the_id_and_the_block_after_the_opening(
    benchmark, stranger, challenge
):
    mine_until(challenge.open_block + 1)

    tx = benchmark.storeChallengeSeed(challenge.id, {"from": stranger})

    expected = challenge_seed_of(challenge.id, challenge.open_block)
    assert tx.block_number == challenge.open_block + 2
    assert event(tx, "ChallengeSeedStored") == {"challengeId": challenge.id, "seed": expected}
    assert bytes(tx.return_value) == expected


def test_store_records_the_seed_and_leaves_the_challenge_open(benchmark, stranger, challenge):
    mine_until(challenge.open_block + 1)

    tx = benchmark.storeChallengeSeed(challenge.id, {"from": stranger})

    c = plain(benchmark.challengeOf(challenge.id).dict())
    assert (c["state"], c["seed"], c["anchorBlock"]) == (
        ChallengeState.OPEN,
        bytes(tx.return_value),
        challenge.open_block,
    )


def test_store_again_returns_the_stored_seed_without_an_event(benchmark, stranger, challenge):
    mine_until(challenge.open_block + 1)
    first = benchmark.storeChallengeSeed(challenge.id, {"from": stranger})
    mine_past_blockhash_window()

    tx = benchmark.storeChallengeSeed(challenge.id, {"from": stranger})

    assert tx.return_value == first.return_value
    assert "ChallengeSeedStored" not in tx.events and "SeedExpired" not in tx.events


def test_store_after_the_commitment_returns_the_seed_it_stored(
    benchmark, provider, stranger, challenge
):
    mine_until(challenge.open_block + 1)
    committed = benchmark.commit(challenge.id, ROOT, {"from": provider})

    tx = benchmark.storeChallengeSeed(challenge.id, {"from": stranger})

    assert bytes(tx.return_value) == event(committed, "ChallengeSeedStored")["seed"]
    assert "ChallengeSeedStored" not in tx.events


def test_store_after_256_blocks_unstored_fails_the_challenge(benchmark, stranger, challenge):
    mine_past_blockhash_window()

    tx = benchmark.storeChallengeSeed(challenge.id, {"from": stranger})

    assert event(tx, "SeedExpired") == {
        "challengeId": challenge.id,
        "seedBlock": challenge.open_block + 1,
    }
    assert bytes(tx.return_value) == ZERO32
    c = plain(benchmark.challengeOf(challenge.id).dict())
    assert (c["state"], c["seed"]) == (ChallengeState.FAILED, ZERO32)


def test_an_expired_challenge_can_never_be_committed(benchmark, provider, stranger, challenge):
    mine_past_blockhash_window()
    benchmark.storeChallengeSeed(challenge.id, {"from": stranger})

    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge.id, ChallengeState.FAILED)):
        benchmark.commit(challenge.id, ROOT, {"from": provider})
    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge.id, ChallengeState.FAILED)):
        benchmark.storeChallengeSeed(challenge.id, {"from": stranger})


def test_store_after_a_failed_verdict_reverts(benchmark, stranger, verifier, challenge):
    benchmark.recordAttestation(challenge.id, False, 0, {"from": verifier})
    mine_until(challenge.open_block + 1)

    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge.id, ChallengeState.FAILED)):
        benchmark.storeChallengeSeed(challenge.id, {"from": stranger})


def test_store_for_an_unknown_challenge_reverts(benchmark, stranger, challenge):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.storeChallengeSeed(99, {"from": stranger})
