"""A seed left unstored past the 256-block window fails its challenge (no second draw). An
attestation so failed costs its bond as a FAIL verdict does: the bond to the treasury, the bounty
back to free stake, the provider jailed. Anyone, its provider included, may store either seed
before then, so a provider cannot let a seed it dislikes expire for free."""

from types import SimpleNamespace

import pytest

from .helpers import (
    ATTESTATION_LOCK,
    ZERO_ADDRESS,
    ChallengeState,
    assert_bond_slashed_to_treasury,
    mine_past_blockhash_window,
)


@pytest.fixture(scope="module")
def attestations(benchmark, list_provider, open_attestation, provider):
    """`open` is uncommitted (its challenge seed unstored); `committed` has no sampling seed."""
    list_provider(provider)
    still_open = benchmark.open(0, provider, 64, 8, 2, {"from": provider}).return_value
    committed, _, _ = open_attestation(provider)
    benchmark.commit(committed, b"\x01" * 32, {"from": provider})
    return SimpleNamespace(open=still_open, committed=committed)


@pytest.mark.parametrize("which", ["open", "committed"])
def test_an_expired_seed_slashes_the_attestations_bond_to_the_treasury(
    benchmark, registry, gmkt, treasury, provider, stranger, attestations, which
):
    challenge = getattr(attestations, which)
    store = benchmark.storeChallengeSeed if which == "open" else benchmark.storeSamplingSeed
    mine_past_blockhash_window()
    before = gmkt.balanceOf(treasury)

    tx = store(challenge, {"from": stranger})

    assert_bond_slashed_to_treasury(tx, gmkt, registry, treasury, provider, challenge, before)
    assert registry.lockOf(benchmark, challenge)["provider"] == ZERO_ADDRESS
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.FAILED


def test_an_expired_job_challenge_slashes_nothing_here(
    benchmark, registry, opener, provider, stranger, attestations
):
    challenge = benchmark.open(7, provider, 64, 8, 2, {"from": opener}).return_value
    mine_past_blockhash_window()

    tx = benchmark.storeChallengeSeed(challenge, {"from": stranger})

    assert "SeedExpired" in tx.events and "StakeSlashed" not in tx.events
    assert registry.providerInfo(provider)["locked"] == 2 * ATTESTATION_LOCK
