import brownie
import pytest
from brownie import chain
from jobmarket_helpers import COLLATERAL, GMKT, MAX_PRICE, PRICE, err

from gpumarket.chain.deploy import GMKT_MIN_CREDITED_VALUE as CREDITED
from gpumarket.chain.types import HOUR, JobState, Payout

LOW = PRICE
HIGH = PRICE + GMKT // 2


@pytest.fixture(scope="module")
def bidders(make_provider, provider, provider2, provider3):
    """Three registered providers with the same (new-provider) reputation of 5,000 bps."""
    return [make_provider(p) for p in (provider, provider2, provider3)]


@pytest.fixture(scope="module")
def job_id(open_job, bidders):
    """An open GMKT auction at 2 GMKT per GPU-hour with no bids yet."""
    return open_job()


def _bid_and_close(market, job_id, bids):
    for bidder, price in bids:
        market.bid(job_id, price, {"from": bidder})
    chain.sleep(HOUR + 5)
    return market.closeAuction(job_id, {"from": bids[0][0]})


def test_close_auction_matches_the_lowest_price(market, job_id, provider, provider2, provider3):
    tx = _bid_and_close(
        market, job_id, [(provider, HIGH), (provider2, LOW), (provider3, MAX_PRICE)]
    )

    assert (tx.events["JobMatched"]["provider"], tx.events["JobMatched"]["price"]) == (
        provider2,
        LOW,
    )


def test_close_auction_breaks_a_price_tie_by_higher_reputation(
    market, reputation, reputation_writer, gmkt, job_id, provider, provider2
):
    reputation.recordSuccess(provider2, gmkt, CREDITED, {"from": reputation_writer})

    tx = _bid_and_close(market, job_id, [(provider, LOW), (provider2, LOW)])

    assert tx.events["JobMatched"]["provider"] == provider2


def test_close_auction_prefers_a_lower_price_to_a_higher_reputation(
    market, reputation, reputation_writer, gmkt, job_id, provider, provider2
):
    reputation.recordSuccess(provider2, gmkt, CREDITED, {"from": reputation_writer})

    tx = _bid_and_close(market, job_id, [(provider2, HIGH), (provider, LOW)])

    assert tx.events["JobMatched"]["provider"] == provider


def test_close_auction_breaks_a_price_and_reputation_tie_by_the_earlier_bid(
    market, job_id, provider, provider2, provider3
):
    tx = _bid_and_close(market, job_id, [(provider2, LOW), (provider, LOW), (provider3, LOW)])

    assert tx.events["JobMatched"]["provider"] == provider2


def test_close_auction_dates_a_lowered_bid_from_when_it_was_lowered(
    market, job_id, provider, provider2
):
    tx = _bid_and_close(market, job_id, [(provider, HIGH), (provider2, LOW), (provider, LOW)])

    assert tx.events["JobMatched"]["provider"] == provider2


def test_close_auction_skips_a_cheaper_bidder_no_longer_eligible(
    market, registry, job_id, provider, provider2
):
    market.bid(job_id, LOW, {"from": provider2})
    registry.deregister({"from": provider2})

    tx = _bid_and_close(market, job_id, [(provider, HIGH)])

    assert (tx.events["JobMatched"]["provider"], tx.events["JobMatched"]["price"]) == (
        provider,
        HIGH,
    )


def test_close_auction_refunds_the_excess_and_locks_collateral(
    market, registry, gmkt, buyer, job_id, provider
):
    tx = _bid_and_close(market, job_id, [(provider, LOW)])

    assert tx.events["EscrowReleased"] == {
        "jobId": job_id,
        "to": buyer,
        "token": gmkt,
        "amount": MAX_PRICE - LOW,
        "kind": Payout.REFUND,
    }
    assert gmkt.balanceOf(buyer) == MAX_PRICE - LOW
    assert registry.lockOf(market, job_id)["amount"] == COLLATERAL


def test_close_auction_by_anyone_starts_the_job(market, job_id, provider, stranger):
    market.bid(job_id, LOW, {"from": provider})
    chain.sleep(HOUR + 5)

    market.closeAuction(job_id, {"from": stranger})

    job = market.jobOf(job_id)
    assert (job["state"], job["provider"], job["price"]) == (JobState.RUNNING, provider, LOW)


def test_close_auction_while_paused_reverts(market, governance, job_id, provider, stranger):
    market.bid(job_id, LOW, {"from": provider})
    market.pause({"from": governance})
    chain.sleep(HOUR + 5)

    with brownie.reverts(err("EnforcedPause")):
        market.closeAuction(job_id, {"from": stranger})


def test_close_auction_after_unpausing_matches_the_bid(
    market, governance, job_id, provider, stranger
):
    market.bid(job_id, LOW, {"from": provider})
    market.pause({"from": governance})
    chain.sleep(HOUR + 5)
    market.unpause({"from": governance})

    market.closeAuction(job_id, {"from": stranger})

    assert market.jobOf(job_id)["state"] == JobState.RUNNING


def test_close_auction_of_an_unknown_job_reverts(market, stranger):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.closeAuction(99, {"from": stranger})


def test_close_auction_of_a_matched_job_reverts(market, job_id, provider, stranger):
    _bid_and_close(market, job_id, [(provider, LOW)])

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.RUNNING)):
        market.closeAuction(job_id, {"from": stranger})


def test_close_auction_of_a_direct_assignment_reverts(market, open_job, provider, stranger):
    direct_id = open_job(direct=provider)
    chain.sleep(HOUR + 5)

    with brownie.reverts(err("JobMarketDirectAssignment", direct_id)):
        market.closeAuction(direct_id, {"from": stranger})


def test_close_auction_while_bidding_is_open_reverts(market, job_id, provider, stranger):
    market.bid(job_id, LOW, {"from": provider})

    with brownie.reverts(err("JobMarketBiddingOpen", job_id, market.jobOf(job_id)["biddingEnds"])):
        market.closeAuction(job_id, {"from": stranger})


def test_close_auction_without_bids_cancels_and_refunds(market, gmkt, buyer, job_id, stranger):
    chain.sleep(HOUR + 5)

    tx = market.closeAuction(job_id, {"from": stranger})

    assert market.jobOf(job_id)["state"] == JobState.CANCELLED
    assert tx.events["EscrowReleased"]["amount"] == MAX_PRICE
    assert gmkt.balanceOf(buyer) == MAX_PRICE
    assert "BidForfeited" not in tx.events


def test_close_auction_with_no_eligible_bid_left_cancels_and_the_walker_forfeits(
    market, registry, gmkt, buyer, job_id, provider, stranger
):
    market.bid(job_id, LOW, {"from": provider})
    registry.deregister({"from": provider})
    stake = registry.providerInfo(provider)["stake"]
    chain.sleep(HOUR + 5)

    tx = market.closeAuction(job_id, {"from": stranger})

    assert market.jobOf(job_id)["state"] == JobState.CANCELLED
    # Half (bidForfeitBps) of the job's 10 GMKT collateral, from the walker's stake to the buyer.
    forfeit = COLLATERAL // 2
    assert tx.events["BidForfeited"]["amount"] == forfeit
    assert registry.providerInfo(provider)["stake"] == stake - forfeit
    assert gmkt.balanceOf(buyer) == MAX_PRICE + forfeit
    assert registry.providerInfo(provider)["jailedUntil"] > tx.timestamp


def test_a_walked_away_lowest_bid_forfeits_and_the_next_eligible_bid_wins(
    market, registry, gmkt, buyer, job_id, provider, provider2, stranger
):
    market.bid(job_id, LOW, {"from": provider})
    market.bid(job_id, HIGH, {"from": provider2})
    registry.deregister({"from": provider})
    chain.sleep(HOUR + 5)

    tx = market.closeAuction(job_id, {"from": stranger})

    assert tx.events["JobMatched"]["provider"] == provider2
    assert tx.events["BidForfeited"]["provider"] == provider
    assert tx.events["BidForfeited"]["amount"] == COLLATERAL // 2


def test_an_eligible_lowest_bid_losing_a_tie_forfeits_nothing(
    market, reputation, reputation_writer, gmkt, job_id, provider, provider2, stranger
):
    # provider bids first, provider2 wins the tie on reputation: nobody walked away.
    reputation.recordSuccess(provider2, gmkt, CREDITED, {"from": reputation_writer})
    market.bid(job_id, PRICE, {"from": provider})
    market.bid(job_id, PRICE, {"from": provider2})
    chain.sleep(HOUR + 5)

    tx = market.closeAuction(job_id, {"from": stranger})

    assert tx.events["JobMatched"]["provider"] == provider2
    assert "BidForfeited" not in tx.events


# When the better reputation bids first, a later bid at the same price from a provider with a
# lower score neither wins the tie nor displaces the earlier, better one.
def test_a_later_equal_bid_with_a_lower_score_loses_the_tie(
    market, reputation, reputation_writer, gmkt, job_id, provider, provider2, provider3
):
    reputation.recordSuccess(provider, gmkt, CREDITED, {"from": reputation_writer})
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
