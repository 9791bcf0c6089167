from dataclasses import replace

import brownie
import pytest

from gpumarket.chain.types import bytes32_text

from .helpers import OFFER, OTHER_TOKEN, PRICE, err, event, events, plain

NEW_OFFER = replace(OFFER, gpu_model="A100-SXM-80GB", gpu_count=4, endpoint="https://gpu.example")
USDC_PRICE = 2 * 10**6


@pytest.fixture(scope="module")
def listed(register_provider, provider):
    """`provider` registered with OFFER and a GMKT price."""
    register_provider(provider)
    return provider


def _update(registry, account, offer=NEW_OFFER, tokens=(), prices=()):
    return registry.updateOffer(offer.as_tuple(), list(tokens), list(prices), {"from": account})


def test_update_offer_replaces_the_offer(registry, listed):
    _update(registry, listed)

    assert plain(registry.offerOf(listed)) == NEW_OFFER.as_tuple()


def test_update_offer_emits_offer_updated(registry, listed):
    tx = _update(registry, listed)

    assert event(tx, "OfferUpdated") == {
        "provider": listed.address,
        "gpuModel": bytes32_text(NEW_OFFER.gpu_model),
        "gpuCount": NEW_OFFER.gpu_count,
        "endpoint": NEW_OFFER.endpoint,
    }
    assert "ProviderRegistered" not in tx.events


def test_update_offer_adds_a_price_for_a_new_token(registry, listed):
    _update(registry, listed, tokens=[OTHER_TOKEN], prices=[USDC_PRICE])

    assert registry.priceOf(listed, OTHER_TOKEN) == USDC_PRICE


def test_update_offer_keeps_the_prices_of_tokens_not_given(registry, gmkt, listed):
    _update(registry, listed, tokens=[OTHER_TOKEN], prices=[USDC_PRICE])

    assert registry.priceOf(listed, gmkt) == PRICE


def test_update_offer_with_a_zero_price_withdraws_the_token(registry, gmkt, listed):
    tx = _update(registry, listed, tokens=[gmkt], prices=[0])

    assert registry.priceOf(listed, gmkt) == 0
    assert events(tx, "PriceSet") == [
        {"provider": listed.address, "token": gmkt.address, "pricePerGpuHour": 0}
    ]


def test_update_offer_down_to_the_gpus_in_use_succeeds(registry, lock, listed):
    lock(listed, gpus=4)

    _update(registry, listed, offer=replace(OFFER, gpu_count=4))

    assert registry.offerOf(listed)["gpuCount"] == 4


def test_update_offer_below_the_gpus_in_use_reverts(registry, lock, listed):
    lock(listed, gpus=4)

    with brownie.reverts(err("ProviderRegistryInvalidOffer")):
        _update(registry, listed, offer=replace(OFFER, gpu_count=3))


def test_update_offer_by_an_unregistered_account_reverts(registry, stranger):
    with brownie.reverts(err("ProviderRegistryNotRegistered", stranger)):
        _update(registry, stranger)


@pytest.mark.parametrize(
    "field, value",
    [("gpu_model", ""), ("gpu_count", 0), ("vram_gib", 0), ("region", "")],
)
def test_update_offer_with_an_empty_offer_field_reverts(registry, listed, field, value):
    with brownie.reverts(err("ProviderRegistryInvalidOffer")):
        _update(registry, listed, offer=replace(OFFER, **{field: value}))


def test_update_offer_with_more_prices_than_tokens_reverts(registry, listed):
    with brownie.reverts(err("ProviderRegistryLengthMismatch", 1, 2)):
        _update(registry, listed, tokens=[OTHER_TOKEN], prices=[USDC_PRICE, USDC_PRICE])
