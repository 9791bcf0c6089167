import brownie
import pytest

from .helpers import STAKE, err, event, plain


@pytest.fixture(scope="module")
def listed(register_provider, provider):
    register_provider(provider)
    return provider


def test_deregister_unlists_the_provider(registry, listed):
    registry.deregister({"from": listed})

    assert registry.providerInfo(listed)["registered"] is False
    assert registry.isListed(listed) is False


def test_deregister_deletes_the_offer(registry, listed):
    registry.deregister({"from": listed})

    assert plain(registry.offerOf(listed)) == (b"\0" * 32, 0, 0, b"\0\0", 0, "")


def test_deregister_keeps_the_stake_bonded(registry, listed):
    registry.deregister({"from": listed})

    assert registry.providerInfo(listed)["stake"] == STAKE
    assert registry.totalStaked() == STAKE


def test_deregister_emits_provider_deregistered(registry, listed):
    tx = registry.deregister({"from": listed})

    assert event(tx, "ProviderDeregistered") == {"provider": listed.address}


def test_deregister_with_an_active_job_reverts(registry, lock, listed):
    lock(listed)

    with brownie.reverts(err("ProviderRegistryHasActiveJobs", listed, 1)):
        registry.deregister({"from": listed})


def test_deregister_after_the_job_is_released_succeeds(registry, lock, market_role, listed):
    lock(listed)
    registry.releaseCollateral(1, {"from": market_role})

    registry.deregister({"from": listed})

    assert registry.providerInfo(listed)["registered"] is False


def test_deregister_unregistered_account_reverts(registry, stranger):
    with brownie.reverts(err("ProviderRegistryNotRegistered", stranger)):
        registry.deregister({"from": stranger})


def test_deregister_twice_reverts(registry, listed):
    registry.deregister({"from": listed})

    with brownie.reverts(err("ProviderRegistryNotRegistered", listed)):
        registry.deregister({"from": listed})


def test_deregistered_provider_cannot_take_collateral_locks(registry, market_role, listed):
    registry.deregister({"from": listed})

    with brownie.reverts(err("ProviderRegistryNotRegistered", listed)):
        registry.lockCollateral(listed, 1, 0, 1, {"from": market_role})


def test_deregister_clears_prices_so_a_new_registration_starts_clean(
    registry, gmkt, register_provider, listed
):
    registry.deregister({"from": listed})

    register_provider(listed, stake=0, prices={})

    assert registry.priceOf(listed, gmkt) == 0
