"""closeAuction when the better reputation bids first: a later bid at the same price from a
provider with a lower score neither wins the tie nor displaces the earlier, better one (the
existing tie-break test has the better reputation bid second)."""

import pytest
from brownie import chain
from jobmarket_helpers import PRICE

from gpumarket.chain.types import HOUR


@pytest.fixture(scope="module")
def bidders(make_provider, provider, provider2, provider3):
    """Three registered providers with the same (new-provider) reputation of 5,000 bps."""
    return [make_provider(p) for p in (provider, provider2, provider3)]


@pytest.fixture(scope="module")
def job_id(open_job, bidders):
    """An open GMKT auction with no bids yet."""
    return open_job()


def test_a_later_equal_bid_with_a_lower_score_loses_the_tie(
    market, reputation, reputation_writer, gmkt, job_id, provider, provider2, provider3
):
    reputation.recordSuccess(provider, gmkt, 1, {"from": reputation_writer})
    reputation.recordFailure(provider3, {"from": reputation_writer})
    assert [reputation.score(p) for p in (provider, provider2, provider3)] == [6_666, 5_000, 2_000]

    for bidder in (provider, provider3, provider2):
        market.bid(job_id, PRICE, {"from": bidder})
    chain.sleep(HOUR + 5)
    tx = market.closeAuction(job_id, {"from": provider2})

    assert (tx.events["JobMatched"]["provider"], tx.events["JobMatched"]["price"]) == (
        provider,
        PRICE,
    )
