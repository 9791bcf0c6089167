"""Attack: sybil bids. Before the fix a bid locked nothing and a full book (`maxBidsPerJob`
bidders) refused every new bidder. Sybil providers could fill the book of every open auction, so
that no honest provider could bid, then become ineligible before the close (deregister, unstake,
withdraw a price, take other work): the auction failed, the buyer got its deposit back after
waiting out the bidding period, and the attack cost nothing but gas.

The rule now:
- a full book takes a new bid lower than its worst one (the highest price, then the latest) in
  place of that bid (`BidEvicted`): an honest provider can always place a better bid;
- when the auction closes, a lowest bidder (the earliest at the lowest price) that is no longer
  eligible forfeits `bidForfeitBps` (50%) of the job's collateral from its stake (free, then
  unbonding) to the buyer, and is jailed (`BidForfeited`); the best eligible bid still wins,
  and with none the close cancels the job and refunds the buyer. A book filled at the lowest
  price (1 wei), which no bid can beat, so costs the attacker one forfeit per auction it blocks.

Every job is 1 GPU for 1 hour at a max price of 20 GMKT per GPU-hour, paid in GMKT; its
collateral is the floor of 10 GMKT (forfeit 5 GMKT) unless the buyer names one. The book is
capped at 4 bids (a governance parameter, 32 by default: the rules do not depend on the cap) and
4 sybils of 1,000 GMKT stake each (the minimum) fill it."""

from __future__ import annotations

import brownie
import pytest
from brownie import accounts, chain

from gpumarket.chain.types import HOUR, Ineligibility, JobSpec, JobState
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.values import event

GMKT = 10**18
MAX_PRICE = 20 * GMKT
CAP = 4
SYBIL_STAKE = 1_000 * GMKT
FORFEIT = 5 * GMKT  # 50% of the 10 GMKT collateral
MARGIN = 5


@pytest.fixture(scope="module")
def sybils(make_provider, market, param):
    param(market, "maxBidsPerJob", CAP)
    return [make_provider(a, stake=SYBIL_STAKE) for a in accounts[10 : 10 + CAP]]


@pytest.fixture(scope="module")
def honest(make_provider, provider):
    return make_provider(provider)


@pytest.fixture
def auction(post_job, buyer, gmkt, sybils, honest):
    return post_job(buyer, gmkt, MAX_PRICE)


def _fill(market, job_id, sybils, prices):
    for sybil, price in zip(sybils, prices, strict=True):
        market.bid(job_id, price, {"from": sybil})


def _close(market, job_id, stranger):
    chain.sleep(HOUR + MARGIN)
    return market.closeAuction(job_id, {"from": stranger})


def test_a_full_book_takes_a_lower_bid_in_place_of_its_worst(market, auction, sybils, honest):
    _fill(market, auction, sybils, [10 * GMKT, 11 * GMKT, 13 * GMKT, 12 * GMKT])

    tx = market.bid(auction, 12 * GMKT + 1, {"from": honest})

    # Before the fix: JobMarketTooManyBids for every new bidder.
    assert event(tx, "BidEvicted") == {
        "jobId": auction,
        "provider": sybils[2].address,
        "price": 13 * GMKT,
    }
    book = [(b["provider"], b["price"]) for b in market.bidsOf(auction)]
    assert book == [
        (sybils[0], 10 * GMKT),
        (sybils[1], 11 * GMKT),
        (honest.address, 12 * GMKT + 1),  # in the evicted bid's place
        (sybils[3], 12 * GMKT),
    ]


def test_at_one_price_the_latest_bid_is_the_worst(market, auction, sybils, honest):
    _fill(market, auction, sybils, [12 * GMKT] * CAP)

    tx = market.bid(auction, 12 * GMKT - 1, {"from": honest})

    assert tx.events["BidEvicted"]["provider"] == sybils[-1]


def test_a_bid_no_lower_than_the_worst_is_refused(market, auction, sybils, honest):
    _fill(market, auction, sybils, [10 * GMKT, 11 * GMKT, 13 * GMKT, 12 * GMKT])

    with brownie.reverts(err("JobMarketTooManyBids", auction, CAP)):
        market.bid(auction, 13 * GMKT, {"from": honest})


def test_an_evicted_sybil_must_beat_the_worst_bid_to_come_back(market, auction, sybils, honest):
    _fill(market, auction, sybils, [10 * GMKT, 11 * GMKT, 13 * GMKT, 12 * GMKT])
    market.bid(auction, 12 * GMKT + 1, {"from": honest})

    with brownie.reverts(err("JobMarketTooManyBids", auction, CAP)):
        market.bid(auction, 12 * GMKT + 1, {"from": sybils[2]})
    tx = market.bid(auction, 11 * GMKT, {"from": sybils[2]})

    assert tx.events["BidEvicted"]["provider"] == honest


def test_sybils_that_walk_away_lose_the_lowest_ones_forfeit_and_the_honest_bid_wins(
    market, registry, gmkt, auction, sybils, honest, buyer, stranger
):
    _fill(market, auction, sybils, [1, 2, 3, 4])
    market.bid(auction, 3, {"from": honest})  # evicts the sybil at 4
    for sybil in sybils:
        registry.deregister({"from": sybil})
    buyer_before = gmkt.balanceOf(buyer)

    tx = _close(market, auction, stranger)

    assert event(tx, "BidForfeited") == {
        "jobId": auction,
        "provider": sybils[0].address,
        "amount": FORFEIT,
    }
    assert tx.events["JobMatched"]["provider"] == honest
    print(f"closeAuction with a forfeit and a match: {tx.gas_used:,} gas")
    # The lowest sybil pays 5 GMKT to the buyer; the others (not the lowest) pay nothing.
    assert [registry.providerInfo(s)["stake"] for s in sybils] == [
        SYBIL_STAKE - FORFEIT,
        SYBIL_STAKE,
        SYBIL_STAKE,
        SYBIL_STAKE,
    ]
    # The buyer: the forfeit, and the deposit's excess over the honest price (3 wei an hour).
    assert gmkt.balanceOf(buyer) - buyer_before == FORFEIT + MAX_PRICE - 3
    assert registry.providerInfo(sybils[0])["jailedUntil"] > tx.timestamp


def test_a_book_filled_at_1_wei_blocks_an_auction_for_one_forfeit(
    market, registry, gmkt, auction, sybils, honest, buyer, stranger
):
    _fill(market, auction, sybils, [1] * CAP)
    # Nothing beats 1 wei: the honest provider cannot enter.
    with brownie.reverts(err("JobMarketTooManyBids", auction, CAP)):
        market.bid(auction, 1, {"from": honest})
    for sybil in sybils:
        registry.deregister({"from": sybil})
    assert market.eligibilityOf(auction, sybils[0]) == Ineligibility.NOT_REGISTERED
    buyer_before = gmkt.balanceOf(buyer)

    tx = _close(market, auction, stranger)

    # No eligible bid: cancelled, the whole deposit back, and the lowest (earliest) sybil's
    # forfeit to the buyer. Before the fix: the deposit back after the bidding period, and the
    # attack free.
    assert market.jobOf(auction)["state"] == JobState.CANCELLED
    assert tx.events["BidForfeited"]["provider"] == sybils[0]
    print(f"closeAuction of a 1-wei sybil book, cancel and forfeit: {tx.gas_used:,} gas")
    assert gmkt.balanceOf(buyer) - buyer_before == MAX_PRICE + FORFEIT
    assert registry.providerInfo(sybils[0])["stake"] == SYBIL_STAKE - FORFEIT


def test_blocking_auctions_costs_the_attacker_a_forfeit_each(
    market, registry, gmkt, post_job, buyer, sybils, stranger
):
    jobs = [post_job(buyer, gmkt, MAX_PRICE) for _ in range(3)]
    for job_id in jobs:
        _fill(market, job_id, sybils, [1] * CAP)
    for sybil in sybils:
        registry.deregister({"from": sybil})
    chain.sleep(HOUR + MARGIN)

    for job_id in jobs:
        market.closeAuction(job_id, {"from": stranger})

    # The first sybil is the lowest of every book: 3 auctions, 3 forfeits, 15 GMKT.
    assert registry.providerInfo(sybils[0])["stake"] == SYBIL_STAKE - 3 * FORFEIT
    assert all(market.jobOf(j)["state"] == JobState.CANCELLED for j in jobs)


def test_the_forfeit_scales_with_the_collateral_the_buyer_names(
    market, registry, gmkt, post_job, buyer, sybils, stranger
):
    job_id = post_job(buyer, gmkt, MAX_PRICE, JobSpec(collateral_per_gpu_hour=500 * GMKT))
    _fill(market, job_id, sybils, [1] * CAP)
    for sybil in sybils:
        registry.deregister({"from": sybil})

    tx = _close(market, job_id, stranger)

    # Half of the named 500 GMKT.
    assert tx.events["BidForfeited"]["amount"] == 250 * GMKT
    assert registry.providerInfo(sybils[0])["stake"] == SYBIL_STAKE - 250 * GMKT


def test_unstaking_does_not_escape_the_forfeit(market, registry, auction, sybils, stranger):
    _fill(market, auction, sybils, [1] * CAP)
    # The lowest sybil unbonds its whole stake (it is then below the minimum stake).
    registry.requestUnstake(SYBIL_STAKE, {"from": sybils[0]})
    assert market.eligibilityOf(auction, sybils[0]) == Ineligibility.STAKE_BELOW_MINIMUM

    tx = _close(market, auction, stranger)

    slashed = tx.events["StakeSlashed"]
    assert (slashed["provider"], slashed["fromFree"], slashed["fromUnbonding"]) == (
        sybils[0],
        0,
        FORFEIT,
    )
    assert registry.providerInfo(sybils[0])["unbonding"] == SYBIL_STAKE - FORFEIT


def test_an_eligible_lowest_bid_wins_and_nobody_forfeits(
    market, registry, auction, sybils, stranger
):
    _fill(market, auction, sybils, [1, 2, 3, 4])

    tx = _close(market, auction, stranger)

    assert tx.events["JobMatched"]["provider"] == sybils[0]
    assert "BidForfeited" not in tx.events
    assert registry.providerInfo(sybils[0])["stake"] == SYBIL_STAKE
