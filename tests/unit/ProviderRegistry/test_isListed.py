from .helpers import GMKT, MIN_STAKE, STAKE


def test_registered_provider_with_min_stake_is_listed(registry, register_provider, provider):
    register_provider(provider, stake=MIN_STAKE)

    assert registry.isListed(provider) is True


def test_staked_but_unregistered_account_is_not_listed(registry, stake_for, provider):
    stake_for(provider, STAKE)

    assert registry.isListed(provider) is False


def test_provider_unstaking_below_min_stake_is_delisted(registry, register_provider, provider):
    register_provider(provider, stake=MIN_STAKE)

    registry.requestUnstake(1, {"from": provider})

    assert registry.isListed(provider) is False


def test_provider_slashed_below_min_stake_is_delisted(
    registry, register_provider, slasher, beneficiary, provider
):
    register_provider(provider, stake=MIN_STAKE + GMKT)

    registry.slash(provider, GMKT + 1, beneficiary, 0, {"from": slasher})

    assert registry.isListed(provider) is False


def test_delisted_provider_is_listed_again_after_a_top_up(
    registry, register_provider, stake_for, slasher, beneficiary, provider
):
    register_provider(provider, stake=MIN_STAKE + GMKT)
    registry.slash(provider, GMKT + 1, beneficiary, 0, {"from": slasher})

    stake_for(provider, 1)

    assert registry.isListed(provider) is True


def test_deregistered_provider_is_not_listed(registry, register_provider, provider):
    register_provider(provider)

    registry.deregister({"from": provider})

    assert registry.isListed(provider) is False
