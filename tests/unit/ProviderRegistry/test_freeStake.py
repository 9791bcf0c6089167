from .helpers import COLLATERAL, GMKT, STAKE


def test_free_stake_of_an_unknown_account_is_zero(registry, stranger):
    assert registry.freeStake(stranger) == 0


def test_free_stake_is_the_bonded_stake_less_locked_collateral(
    registry, register_provider, lock, provider
):
    register_provider(provider)

    lock(provider, amount=COLLATERAL)

    assert registry.freeStake(provider) == STAKE - COLLATERAL


def test_free_stake_excludes_unbonding_entries(registry, stake_for, provider):
    stake_for(provider, STAKE)

    registry.requestUnstake(700 * GMKT, {"from": provider})

    assert registry.freeStake(provider) == STAKE - 700 * GMKT
