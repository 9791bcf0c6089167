from dataclasses import replace

from .helpers import OFFER, plain

EMPTY_OFFER = (b"\0" * 32, 0, 0, b"\0\0", 0, "")


def test_offer_of_an_unknown_account_is_empty(registry, stranger):
    assert plain(registry.offerOf(stranger)) == EMPTY_OFFER


def test_offer_of_a_registered_provider_is_its_offer(registry, register_provider, provider):
    offer = replace(OFFER, region="US", bandwidth_mbps=25_000, endpoint="https://agent.example")

    register_provider(provider, offer=offer)

    assert plain(registry.offerOf(provider)) == offer.as_tuple()
