from .helpers import OTHER_TOKEN, PRICE


def test_price_of_a_priced_token_is_the_price(registry, gmkt, register_provider, provider):
    register_provider(provider)

    assert registry.priceOf(provider, gmkt) == PRICE


def test_price_of_an_unpriced_token_is_zero(registry, register_provider, provider):
    register_provider(provider)

    assert registry.priceOf(provider, OTHER_TOKEN) == 0


def test_price_of_an_unknown_provider_is_zero(registry, gmkt, stranger):
    assert registry.priceOf(stranger, gmkt) == 0
