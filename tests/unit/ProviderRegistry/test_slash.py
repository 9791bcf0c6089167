"""Slashing takes the caller's lock for the job at fault first, then free stake, then unbonding
entries newest first, and never another job's collateral.

Every test starts from `exposed`: stake 3,500 GMKT of which 400 locked (lock 1: 100, lock 2: 300,
both by `job_market`), so 3,100 free, plus unbonding entries of 1,000 (older) and 500 (newer)."""

import brownie
import pytest
from brownie import chain

from .helpers import DAY, GMKT, JAIL_PERIOD, ZERO_ADDRESS, err, event, plain

LOCK_1 = 100 * GMKT
LOCK_2 = 300 * GMKT
FREE = 3_100 * GMKT
OLDER = 1_000 * GMKT
NEWER = 500 * GMKT
STAKED = FREE + LOCK_1 + LOCK_2


@pytest.fixture(scope="module")
def job_market(registry, governance, market_role):
    """`market_role` with SLASHER_ROLE too: it locks and slashes, as the JobMarket does."""
    registry.grantRole(registry.SLASHER_ROLE(), market_role, {"from": governance})
    return market_role


@pytest.fixture(scope="module")
def exposed(registry, register_provider, job_market, provider):
    register_provider(provider, stake=STAKED + OLDER + NEWER)
    registry.lockCollateral(provider, 1, LOCK_1, 1, {"from": job_market})
    registry.lockCollateral(provider, 2, LOCK_2, 1, {"from": job_market})
    registry.requestUnstake(OLDER, {"from": provider})
    registry.requestUnstake(NEWER, {"from": provider})
    return provider


def _slash(registry, job_market, provider, beneficiary, amount, lock_id=1):
    return registry.slash(provider, amount, beneficiary, lock_id, {"from": job_market})


def _sources(tx):
    slashed = event(tx, "StakeSlashed")
    return slashed["fromLocked"], slashed["fromFree"], slashed["fromUnbonding"]


def test_slash_within_the_lock_takes_only_the_lock(registry, job_market, beneficiary, exposed):
    tx = _slash(registry, job_market, exposed, beneficiary, 60 * GMKT)

    assert _sources(tx) == (60 * GMKT, 0, 0)


def test_slash_beyond_the_lock_takes_free_stake(registry, job_market, beneficiary, exposed):
    tx = _slash(registry, job_market, exposed, beneficiary, LOCK_1 + 50 * GMKT)

    assert _sources(tx) == (LOCK_1, 50 * GMKT, 0)
    assert registry.freeStake(exposed) == FREE - 50 * GMKT


def test_slash_beyond_free_stake_takes_the_newest_unbonding_entry_first(
    registry, job_market, beneficiary, exposed
):
    tx = _slash(registry, job_market, exposed, beneficiary, LOCK_1 + FREE + 200 * GMKT)

    assert _sources(tx) == (LOCK_1, FREE, 200 * GMKT)
    assert [e["amount"] for e in registry.unbondingEntries(exposed)] == [OLDER, NEWER - 200 * GMKT]


def test_slash_beyond_the_newest_entry_takes_the_older_one(
    registry, job_market, beneficiary, exposed
):
    tx = _slash(registry, job_market, exposed, beneficiary, LOCK_1 + FREE + NEWER + 200 * GMKT)

    assert _sources(tx) == (LOCK_1, FREE, NEWER + 200 * GMKT)
    assert registry.unbondingEntries(exposed)[0]["amount"] == OLDER - 200 * GMKT


def test_slash_never_takes_another_jobs_collateral(registry, job_market, beneficiary, exposed):
    _slash(registry, job_market, exposed, beneficiary, 100_000 * GMKT)

    assert registry.lockOf(job_market, 2)["amount"] == LOCK_2
    assert (registry.providerInfo(exposed)["stake"], registry.freeStake(exposed)) == (LOCK_2, 0)


def test_slash_takes_at_most_what_it_can_reach(registry, job_market, beneficiary, exposed):
    tx = _slash(registry, job_market, exposed, beneficiary, 100_000 * GMKT)

    assert tx.return_value == LOCK_1 + FREE + OLDER + NEWER
    assert registry.slashable(exposed) == LOCK_2


def test_slash_without_other_locks_is_capped_at_slashable(
    registry, job_market, beneficiary, exposed
):
    registry.releaseCollateral(2, {"from": job_market})
    slashable = registry.slashable(exposed)

    tx = _slash(registry, job_market, exposed, beneficiary, 100_000 * GMKT)

    assert tx.return_value == slashable
    assert registry.slashable(exposed) == 0


def test_slash_pays_the_beneficiary(registry, gmkt, job_market, beneficiary, exposed):
    beneficiary_before = gmkt.balanceOf(beneficiary)
    registry_before = gmkt.balanceOf(registry)

    _slash(registry, job_market, exposed, beneficiary, LOCK_1 + 50 * GMKT)

    assert gmkt.balanceOf(beneficiary) == beneficiary_before + LOCK_1 + 50 * GMKT
    assert gmkt.balanceOf(registry) == registry_before - LOCK_1 - 50 * GMKT


def test_slash_emits_stake_slashed(registry, job_market, beneficiary, exposed):
    tx = _slash(registry, job_market, exposed, beneficiary, LOCK_1 + FREE + 200 * GMKT)

    assert event(tx, "StakeSlashed") == {
        "provider": exposed.address,
        "lockId": 1,
        "beneficiary": beneficiary.address,
        "amount": LOCK_1 + FREE + 200 * GMKT,
        "fromLocked": LOCK_1,
        "fromFree": FREE,
        "fromUnbonding": 200 * GMKT,
    }


def test_slash_reduces_the_totals(registry, job_market, beneficiary, exposed):
    _slash(registry, job_market, exposed, beneficiary, LOCK_1 + FREE + 200 * GMKT)

    assert registry.totalStaked() == LOCK_2
    assert registry.totalUnbonding() == OLDER + NEWER - 200 * GMKT


def test_slash_reduces_the_providers_stake_lock_and_unbonding(
    registry, job_market, beneficiary, exposed
):
    _slash(registry, job_market, exposed, beneficiary, LOCK_1 + FREE + 200 * GMKT)

    info = registry.providerInfo(exposed)
    assert (info["stake"], info["locked"], info["unbonding"]) == (
        LOCK_2,
        LOCK_2,
        OLDER + NEWER - 200 * GMKT,
    )


def test_slash_jails_the_provider(registry, job_market, beneficiary, exposed):
    tx = _slash(registry, job_market, exposed, beneficiary, GMKT)

    assert registry.providerInfo(exposed)["jailedUntil"] == tx.timestamp + JAIL_PERIOD
    assert event(tx, "ProviderJailed") == {
        "provider": exposed.address,
        "until": tx.timestamp + JAIL_PERIOD,
    }


def test_later_slash_extends_the_jail(registry, job_market, beneficiary, exposed):
    _slash(registry, job_market, exposed, beneficiary, GMKT)
    chain.sleep(DAY)

    tx = _slash(registry, job_market, exposed, beneficiary, GMKT)

    assert registry.providerInfo(exposed)["jailedUntil"] == tx.timestamp + JAIL_PERIOD


def test_slash_never_shortens_a_longer_jail(
    registry, governance, job_market, beneficiary, exposed, param
):
    first = _slash(registry, job_market, exposed, beneficiary, GMKT)
    param(registry, "jailPeriod", DAY)

    tx = _slash(registry, job_market, exposed, beneficiary, GMKT)

    assert registry.providerInfo(exposed)["jailedUntil"] == first.timestamp + JAIL_PERIOD
    assert event(tx, "ProviderJailed")["until"] == first.timestamp + JAIL_PERIOD


def test_slash_with_an_unknown_lock_id_skips_the_lock(registry, job_market, beneficiary, exposed):
    tx = _slash(registry, job_market, exposed, beneficiary, 50 * GMKT, lock_id=99)

    assert _sources(tx) == (0, 50 * GMKT, 0)


def test_slash_by_another_slasher_never_takes_the_markets_lock(
    registry, job_market, slasher, beneficiary, exposed
):
    tx = _slash(registry, slasher, exposed, beneficiary, 50 * GMKT, lock_id=1)

    assert _sources(tx) == (0, 50 * GMKT, 0)
    assert registry.lockOf(job_market, 1)["amount"] == LOCK_1


def test_slash_of_a_provider_with_nothing_to_take_returns_zero(
    registry, gmkt, slasher, beneficiary, stranger
):
    before = gmkt.balanceOf(beneficiary)

    tx = registry.slash(stranger, GMKT, beneficiary, 0, {"from": slasher})

    assert tx.return_value == 0
    assert gmkt.balanceOf(beneficiary) == before


def test_slash_of_zero_reverts(registry, job_market, beneficiary, exposed):
    with brownie.reverts(err("ProviderRegistryZeroAmount")):
        _slash(registry, job_market, exposed, beneficiary, 0)


def test_slash_to_the_zero_address_reverts(registry, job_market, exposed):
    with brownie.reverts(err("ProviderRegistryZeroAddress")):
        _slash(registry, job_market, exposed, ZERO_ADDRESS, GMKT)


def test_slash_leaves_the_lock_record_with_what_is_left(registry, job_market, beneficiary, exposed):
    _slash(registry, job_market, exposed, beneficiary, 60 * GMKT)

    assert plain(registry.lockOf(job_market, 1)) == (exposed.address, 1, LOCK_1 - 60 * GMKT)
