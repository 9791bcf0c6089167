"""A zero price names a token the provider does not accept: priceOf stays 0 and canServe refuses
jobs in it, though PriceSet still reports the 0. A later non-zero price lists the token, and
deregister then clears that price like any other."""

from gpumarket.chain.types import bytes32_text, region_code

from .helpers import OFFER, OTHER_TOKEN, PRICE, STAKE, events

OTHER_PRICE = 3 * 10**6


def _requirement(token):
    """One GPU of exactly the default offer, no collateral, paid in `token`."""
    return (token, bytes32_text(OFFER.gpu_model), region_code(OFFER.region), OFFER.vram_gib, 1, 0)


def test_a_zero_price_leaves_the_token_unaccepted(registry, gmkt, register_provider, provider):
    tx = register_provider(provider, prices={gmkt.address: PRICE, OTHER_TOKEN: 0})

    assert registry.priceOf(provider, gmkt) == PRICE
    assert registry.priceOf(provider, OTHER_TOKEN) == 0
    assert registry.canServe(provider, _requirement(gmkt.address)) is True
    assert registry.canServe(provider, _requirement(OTHER_TOKEN)) is False
    assert events(tx, "PriceSet") == [
        {"provider": provider.address, "token": gmkt.address, "pricePerGpuHour": PRICE},
        {"provider": provider.address, "token": OTHER_TOKEN, "pricePerGpuHour": 0},
    ]


def test_a_token_priced_after_a_zero_price_is_cleared_by_deregister(
    registry, gmkt, register_provider, provider
):
    register_provider(provider, stake=STAKE, prices={gmkt.address: PRICE, OTHER_TOKEN: 0})
    registry.updateOffer(OFFER.as_tuple(), [OTHER_TOKEN], [OTHER_PRICE], {"from": provider})
    assert registry.priceOf(provider, OTHER_TOKEN) == OTHER_PRICE

    registry.deregister({"from": provider})

    assert registry.priceOf(provider, gmkt) == 0
    assert registry.priceOf(provider, OTHER_TOKEN) == 0
