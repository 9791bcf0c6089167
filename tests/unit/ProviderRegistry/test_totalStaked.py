from brownie import chain

from .helpers import COLLATERAL, GMKT, STAKE, UNBONDING_PERIOD


def test_total_staked_starts_at_zero(registry):
    assert registry.totalStaked() == 0


def test_total_staked_sums_every_providers_stake(registry, stake_for, provider, provider2):
    stake_for(provider, STAKE)

    stake_for(provider2, 2 * GMKT)

    assert registry.totalStaked() == STAKE + 2 * GMKT


def test_total_staked_includes_locked_collateral(registry, register_provider, lock, provider):
    register_provider(provider)

    lock(provider, amount=COLLATERAL)

    assert registry.totalStaked() == STAKE


def test_total_staked_is_unchanged_by_a_withdrawal(registry, stake_for, provider):
    stake_for(provider, STAKE)
    registry.requestUnstake(GMKT, {"from": provider})
    chain.sleep(UNBONDING_PERIOD + 5)
    before = registry.totalStaked()

    registry.withdraw({"from": provider})

    assert registry.totalStaked() == before == STAKE - GMKT
