from dataclasses import replace

import brownie
import pytest

from gpumarket.chain.types import bytes32_text

from .helpers import MIN_STAKE, OFFER, OTHER_TOKEN, PRICE, STAKE, err, event, events, plain

USDC_PRICE = 2 * 10**6


@pytest.fixture(scope="module")
def staked(stake_for, provider):
    stake_for(provider, STAKE)
    return provider


def _register(registry, account, offer=OFFER, tokens=(), prices=()):
    return registry.register(offer.as_tuple(), list(tokens), list(prices), {"from": account})


def test_register_lists_the_provider(registry, gmkt, staked):
    _register(registry, staked, tokens=[gmkt], prices=[PRICE])

    assert registry.providerInfo(staked)["registered"] is True
    assert registry.isListed(staked) is True


def test_register_stores_the_offer(registry, staked):
    _register(registry, staked)

    assert plain(registry.offerOf(staked)) == OFFER.as_tuple()


def test_register_stores_a_price_per_token(registry, gmkt, staked):
    _register(registry, staked, tokens=[gmkt, OTHER_TOKEN], prices=[PRICE, USDC_PRICE])

    assert registry.priceOf(staked, gmkt) == PRICE
    assert registry.priceOf(staked, OTHER_TOKEN) == USDC_PRICE


def test_register_emits_provider_registered(registry, staked):
    tx = _register(registry, staked)

    assert event(tx, "ProviderRegistered") == {
        "provider": staked.address,
        "gpuModel": bytes32_text(OFFER.gpu_model),
        "gpuCount": OFFER.gpu_count,
    }


def test_register_emits_offer_updated(registry, staked):
    tx = _register(registry, staked)

    assert event(tx, "OfferUpdated") == {
        "provider": staked.address,
        "gpuModel": bytes32_text(OFFER.gpu_model),
        "gpuCount": OFFER.gpu_count,
        "endpoint": OFFER.endpoint,
    }


def test_register_emits_a_price_set_per_token(registry, gmkt, staked):
    tx = _register(registry, staked, tokens=[gmkt, OTHER_TOKEN], prices=[PRICE, USDC_PRICE])

    assert events(tx, "PriceSet") == [
        {"provider": staked.address, "token": gmkt.address, "pricePerGpuHour": PRICE},
        {"provider": staked.address, "token": OTHER_TOKEN, "pricePerGpuHour": USDC_PRICE},
    ]


def test_register_moves_no_tokens(registry, gmkt, staked):
    before = gmkt.balanceOf(staked)

    _register(registry, staked)

    assert gmkt.balanceOf(staked) == before
    assert registry.providerInfo(staked)["stake"] == STAKE


def test_register_with_exactly_min_stake_succeeds(registry, stake_for, provider2):
    stake_for(provider2, MIN_STAKE)

    _register(registry, provider2)

    assert registry.isListed(provider2) is True


def test_register_below_min_stake_reverts(registry, stake_for, provider2):
    stake_for(provider2, MIN_STAKE - 1)

    with brownie.reverts(
        err("ProviderRegistryInsufficientStake", provider2, MIN_STAKE - 1, MIN_STAKE)
    ):
        _register(registry, provider2)


def test_register_without_stake_reverts(registry, stranger):
    with brownie.reverts(err("ProviderRegistryInsufficientStake", stranger, 0, MIN_STAKE)):
        _register(registry, stranger)


def test_register_twice_reverts(registry, staked):
    _register(registry, staked)

    with brownie.reverts(err("ProviderRegistryAlreadyRegistered", staked)):
        _register(registry, staked)


@pytest.mark.parametrize(
    "field, value",
    [("gpu_model", ""), ("gpu_count", 0), ("vram_gib", 0), ("region", "")],
)
def test_register_with_an_empty_offer_field_reverts(registry, staked, field, value):
    offer = replace(OFFER, **{field: value})

    with brownie.reverts(err("ProviderRegistryInvalidOffer")):
        _register(registry, staked, offer=offer)


def test_register_with_more_tokens_than_prices_reverts(registry, gmkt, staked):
    with brownie.reverts(err("ProviderRegistryLengthMismatch", 2, 1)):
        _register(registry, staked, tokens=[gmkt, OTHER_TOKEN], prices=[PRICE])


def test_register_after_deregister_lists_the_provider_again(registry, staked):
    _register(registry, staked)
    registry.deregister({"from": staked})

    _register(registry, staked, offer=replace(OFFER, gpu_count=2))

    assert registry.isListed(staked) is True
    assert registry.offerOf(staked)["gpuCount"] == 2
