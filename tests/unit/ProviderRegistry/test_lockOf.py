from .helpers import COLLATERAL, LOCK_ID, ZERO_ADDRESS, plain


def test_lock_of_an_unknown_lock_is_empty(registry, market_role):
    assert plain(registry.lockOf(market_role, LOCK_ID)) == (ZERO_ADDRESS, 0, 0)


def test_lock_of_reports_provider_gpus_and_amount(
    registry, register_provider, lock, market_role, provider
):
    register_provider(provider)

    lock(provider, amount=COLLATERAL, gpus=2)

    assert plain(registry.lockOf(market_role, LOCK_ID)) == (provider.address, 2, COLLATERAL)


def test_lock_of_is_namespaced_by_market(registry, register_provider, lock, slasher, provider):
    register_provider(provider)

    lock(provider)

    assert plain(registry.lockOf(slasher, LOCK_ID)) == (ZERO_ADDRESS, 0, 0)
