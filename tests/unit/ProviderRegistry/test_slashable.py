from brownie import chain

from .helpers import COLLATERAL, GMKT, STAKE, UNBONDING_PERIOD


def test_slashable_of_an_unknown_account_is_zero(registry, stranger):
    assert registry.slashable(stranger) == 0


def test_slashable_counts_locked_stake(registry, register_provider, lock, provider):
    register_provider(provider)

    lock(provider, amount=COLLATERAL)

    assert registry.slashable(provider) == STAKE


def test_slashable_counts_unbonding_entries_until_withdrawn(registry, stake_for, provider):
    stake_for(provider, STAKE)
    registry.requestUnstake(700 * GMKT, {"from": provider})

    chain.sleep(UNBONDING_PERIOD + 5)
    chain.mine()

    assert registry.slashable(provider) == STAKE


def test_slashable_drops_by_what_is_withdrawn(registry, stake_for, provider):
    stake_for(provider, STAKE)
    registry.requestUnstake(700 * GMKT, {"from": provider})
    chain.sleep(UNBONDING_PERIOD + 5)

    registry.withdraw({"from": provider})

    assert registry.slashable(provider) == STAKE - 700 * GMKT


def test_slashable_drops_by_what_is_slashed(registry, stake_for, slasher, beneficiary, provider):
    stake_for(provider, STAKE)

    registry.slash(provider, 300 * GMKT, beneficiary, 0, {"from": slasher})

    assert registry.slashable(provider) == STAKE - 300 * GMKT
