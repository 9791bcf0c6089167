import pytest
from jobmarket_helpers import GMKT, PRICE


@pytest.fixture(scope="module")
def job_id(open_job, make_provider, provider, provider2, provider3):
    """An open GMKT auction and three registered providers."""
    for account in (provider, provider2, provider3):
        make_provider(account)
    return open_job()


def _plain(bids):
    return [(b["provider"], int(b["seq"]), int(b["price"])) for b in bids]


def test_bids_of_lists_bids_in_arrival_order(market, job_id, provider, provider2, provider3):
    for account, price in ((provider2, PRICE), (provider, PRICE + 1), (provider3, PRICE - 1)):
        market.bid(job_id, price, {"from": account})

    bids = market.bidsOf(job_id)

    assert _plain(bids) == [
        (provider2, 1, PRICE),
        (provider, 2, PRICE + 1),
        (provider3, 3, PRICE - 1),
    ]


def test_bids_of_keeps_a_lowered_bid_in_its_place_with_a_new_sequence(
    market, job_id, provider, provider2
):
    market.bid(job_id, PRICE, {"from": provider})
    market.bid(job_id, PRICE, {"from": provider2})
    market.bid(job_id, PRICE - GMKT // 2, {"from": provider})

    bids = market.bidsOf(job_id)

    assert _plain(bids) == [(provider, 3, PRICE - GMKT // 2), (provider2, 2, PRICE)]


def test_bids_of_a_job_without_bids_is_empty(market, job_id):
    bids = market.bidsOf(job_id)

    assert len(bids) == 0


def test_bids_of_an_unknown_job_is_empty(market):
    bids = market.bidsOf(99)

    assert len(bids) == 0
