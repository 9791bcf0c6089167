from brownie import chain

from .helpers import GMKT, STAKE, UNBONDING_PERIOD


def test_total_unbonding_starts_at_zero(registry):
    assert registry.totalUnbonding() == 0


def test_total_unbonding_sums_every_providers_entries(registry, stake_for, provider, provider2):
    stake_for(provider, STAKE)
    stake_for(provider2, STAKE)
    registry.requestUnstake(GMKT, {"from": provider})

    registry.requestUnstake(2 * GMKT, {"from": provider2})

    assert registry.totalUnbonding() == 3 * GMKT


def test_registry_holds_total_staked_plus_total_unbonding(
    registry, gmkt, stake_for, slasher, beneficiary, provider, provider2
):
    stake_for(provider, STAKE)
    stake_for(provider2, STAKE)
    registry.requestUnstake(STAKE, {"from": provider})
    registry.requestUnstake(GMKT, {"from": provider2})
    chain.sleep(UNBONDING_PERIOD + 5)
    registry.withdraw({"from": provider2})

    registry.slash(provider, 10 * GMKT, beneficiary, 0, {"from": slasher})

    assert gmkt.balanceOf(registry) == registry.totalStaked() + registry.totalUnbonding()
    assert registry.totalUnbonding() == STAKE - 10 * GMKT
