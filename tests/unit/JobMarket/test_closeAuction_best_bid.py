"""The lowest bid kept as bids arrive: `closeAuction` takes a single lowest bid that is still
eligible without ranking the others, and ranks every bid otherwise. Each test plays the case that
would break a shortcut: the lowest bidder turning ineligible (a sybil that bids low, then drains
its stake or gets jailed), a tie at the lowest price, a bid lowered onto or below the lowest one.
Gas shows which path ran: the ranking costs tens of thousands of gas per bid more."""

import pytest
from brownie import chain
from jobmarket_helpers import GMKT, PRICE

from gpumarket.chain.deploy import GMKT_MIN_CREDITED_VALUE as CREDITED
from gpumarket.chain.types import HOUR

LOW = PRICE
MID = PRICE + GMKT // 4
HIGH = PRICE + GMKT // 2


@pytest.fixture(scope="module")
def bidders(make_provider, provider, provider2, provider3, provider4):
    """Four registered providers with the same (new-provider) reputation of 5,000 bps."""
    return [make_provider(p) for p in (provider, provider2, provider3, provider4)]


@pytest.fixture(scope="module")
def job_id(open_job, bidders):
    return open_job()


def close(market, job_id, caller):
    chain.sleep(HOUR + 5)
    return market.closeAuction(job_id, {"from": caller})


def winner(tx):
    matched = tx.events["JobMatched"]
    return matched["provider"], matched["price"]


def test_the_single_lowest_bid_wins_without_ranking(market, job_id, bidders, stranger):
    for bidder, price in zip(bidders, (HIGH, MID, LOW, HIGH), strict=True):
        market.bid(job_id, price, {"from": bidder})

    tx = close(market, job_id, stranger)

    assert winner(tx) == (bidders[2], LOW)
    assert market.jobOf(job_id)["price"] == LOW


def test_a_lowest_bidder_jailed_before_the_close_loses_to_the_next_price(
    market, registry, registry_slasher, treasury, job_id, bidders, stranger
):
    market.bid(job_id, MID, {"from": bidders[0]})
    market.bid(job_id, LOW, {"from": bidders[1]})  # the sybil: lowest, then jailed
    market.bid(job_id, HIGH, {"from": bidders[2]})
    registry.slash(bidders[1], 1, treasury, 0, {"from": registry_slasher})

    tx = close(market, job_id, stranger)

    assert winner(tx) == (bidders[0], MID)


def test_a_lowest_bidder_that_unstaked_below_the_minimum_loses_to_the_next_price(
    market, registry, job_id, bidders, stranger
):
    market.bid(job_id, MID, {"from": bidders[0]})
    market.bid(job_id, LOW, {"from": bidders[1]})
    registry.requestUnstake(4_500 * GMKT, {"from": bidders[1]})

    tx = close(market, job_id, stranger)

    assert winner(tx) == (bidders[0], MID)


def test_a_tie_at_the_lowest_price_goes_to_the_higher_reputation(
    market, reputation, reputation_writer, gmkt, job_id, bidders, stranger
):
    market.bid(job_id, LOW, {"from": bidders[0]})
    market.bid(job_id, HIGH, {"from": bidders[1]})
    market.bid(job_id, LOW, {"from": bidders[2]})
    reputation.recordSuccess(bidders[2], gmkt, CREDITED, {"from": reputation_writer})

    tx = close(market, job_id, stranger)

    assert winner(tx) == (bidders[2], LOW)


def test_a_bid_lowered_onto_the_lowest_price_ties_with_it(
    market, reputation, reputation_writer, gmkt, job_id, bidders, stranger
):
    market.bid(job_id, LOW, {"from": bidders[0]})
    market.bid(job_id, HIGH, {"from": bidders[1]})
    market.bid(job_id, LOW, {"from": bidders[1]})  # lowered onto the lowest: a tie
    reputation.recordSuccess(bidders[1], gmkt, CREDITED, {"from": reputation_writer})

    tx = close(market, job_id, stranger)

    assert winner(tx) == (bidders[1], LOW)


def test_a_bid_lowered_below_a_tie_wins_alone(market, job_id, bidders, stranger):
    market.bid(job_id, LOW, {"from": bidders[0]})
    market.bid(job_id, LOW, {"from": bidders[1]})
    market.bid(job_id, LOW - 1, {"from": bidders[1]})

    tx = close(market, job_id, stranger)

    assert winner(tx) == (bidders[1], LOW - 1)


def test_the_lowest_bidder_lowering_again_stays_the_single_lowest(
    market, job_id, bidders, stranger
):
    market.bid(job_id, MID, {"from": bidders[0]})
    market.bid(job_id, LOW, {"from": bidders[1]})
    market.bid(job_id, LOW - 7, {"from": bidders[1]})

    tx = close(market, job_id, stranger)

    assert winner(tx) == (bidders[1], LOW - 7)


def test_closing_with_a_single_eligible_lowest_bid_ranks_nothing(
    market, open_job, job_id, bidders, stranger
):
    # Same bids, once with a single lowest and once with every bid tied: only the tie ranks.
    tied = open_job()
    for bidder, price in zip(bidders, (HIGH, MID, MID, LOW), strict=True):
        market.bid(job_id, price, {"from": bidder})
        market.bid(tied, LOW, {"from": bidder})
    chain.sleep(HOUR + 5)

    fast = market.closeAuction(job_id, {"from": stranger})
    ranked = market.closeAuction(tied, {"from": stranger})

    assert winner(fast) == (bidders[3], LOW)
    assert winner(ranked) == (bidders[0], LOW)  # equal reputations: the earliest bid
    assert ranked.gas_used > fast.gas_used + 3 * 10_000


def test_an_open_job_reports_no_price_while_bids_arrive(market, job_id, bidders):
    market.bid(job_id, MID, {"from": bidders[0]})

    job = market.jobOf(job_id)

    assert job["price"] == 0
    assert job["escrow"] == job["deposit"]


def test_a_cancelled_job_with_bids_reports_no_price(market, registry, job_id, bidders, stranger):
    market.bid(job_id, MID, {"from": bidders[0]})
    registry.deregister({"from": bidders[0]})
    chain.sleep(HOUR + 5)

    # No eligible bid: the close cancels the job (and takes the walker's forfeit).
    market.closeAuction(job_id, {"from": stranger})

    assert (market.jobOf(job_id)["price"], market.jobOf(job_id)["escrow"]) == (0, 0)
