"""An open auction from post to payout: three providers bid different prices, anyone closes the
auction after the bidding period, the winner submits and is paid after the dispute window.
Price ties go to the higher reputation, then to the earlier bid."""

from types import SimpleNamespace

import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout

from .helpers import (
    DISPUTE_WINDOW,
    MARGIN,
    PROVIDER_STAKE,
    RESULT_HASH,
    RESULT_URI,
    USDC,
    collateral_of,
    cost,
    fee_of,
    job_id_of,
)

#: 2 GPUs for 3 hours, at most 3 USDC per GPU-hour.
SPEC = JobSpec(gpu_count=2, duration=3 * HOUR)
MAX_PRICE = 3 * USDC
DEPOSIT = cost(MAX_PRICE, 2, 3 * HOUR)
WINNING_PRICE = 1_950_000
VALUE = cost(WINNING_PRICE, 2, 3 * HOUR)
FEE = fee_of(VALUE)
COLLATERAL = collateral_of(2, 3 * HOUR)


@pytest.fixture(scope="module")
def bidders(make_provider, provider, provider2, provider3):
    """The three providers, registered with 5,000 GMKT of stake each."""
    for account in (provider, provider2, provider3):
        make_provider(account)
    return provider, provider2, provider3


@pytest.fixture(scope="module")
def auction(market, registry, usdc, buyer, stranger, bidders, post):
    """Runs the whole auction once and records what each step left behind."""
    provider, provider2, provider3 = bidders
    posted = post(buyer, usdc, MAX_PRICE, SPEC)
    job_id = job_id_of(posted)
    bids = [
        market.bid(job_id, 2_500_000, {"from": provider}),
        market.bid(job_id, WINNING_PRICE, {"from": provider2}),
        market.bid(job_id, 2_200_000, {"from": provider3}),
    ]
    state_open = market.jobOf(job_id)["state"]
    chain.sleep(HOUR + MARGIN)
    closed = market.closeAuction(job_id, {"from": stranger})
    at_match = SimpleNamespace(
        state=market.jobOf(job_id)["state"],
        winner=registry.providerInfo(provider2),
        buyer_usdc=usdc.balanceOf(buyer),
        market_usdc=usdc.balanceOf(market),
    )
    submitted = market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider2})
    state_submitted = market.jobOf(job_id)["state"]
    chain.sleep(DISPUTE_WINDOW + MARGIN)
    finalized = market.finalize(job_id, {"from": stranger})
    return SimpleNamespace(
        job_id=job_id,
        posted=posted,
        bids=bids,
        closed=closed,
        submitted=submitted,
        finalized=finalized,
        at_match=at_match,
        states=[state_open, at_match.state, state_submitted, market.jobOf(job_id)["state"]],
    )


def test_posting_escrows_the_deposit_at_the_max_price(usdc, buyer, auction):
    assert auction.posted.events["EscrowDeposited"] == {
        "jobId": auction.job_id,
        "from": buyer,
        "token": usdc,
        "amount": DEPOSIT,
    }


def test_every_bid_is_recorded(market, bidders, auction):
    assert [(b["provider"], b["price"]) for b in market.bidsOf(auction.job_id)] == [
        (bidders[0], 2_500_000),
        (bidders[1], WINNING_PRICE),
        (bidders[2], 2_200_000),
    ]


def test_lowest_bid_wins_the_auction(provider2, auction):
    assert auction.closed.events["JobMatched"] == {
        "jobId": auction.job_id,
        "provider": provider2,
        "price": WINNING_PRICE,
        "value": VALUE,
        "collateral": COLLATERAL,
    }


def test_buyer_gets_the_excess_deposit_back_at_the_match(market, usdc, buyer, auction):
    assert auction.closed.events["EscrowReleased"] == {
        "jobId": auction.job_id,
        "to": buyer,
        "token": usdc,
        "amount": DEPOSIT - VALUE,
        "kind": Payout.REFUND,
    }
    assert auction.at_match.buyer_usdc == DEPOSIT - VALUE
    assert auction.at_match.market_usdc == VALUE


def test_winner_collateral_and_gpus_are_locked_while_running(auction):
    assert auction.at_match.winner["locked"] == COLLATERAL
    assert auction.at_match.winner["gpusInUse"] == 2
    assert auction.at_match.winner["activeJobs"] == 1


def test_winner_gpus_are_released_when_the_result_is_submitted(market, provider2, auction):
    assert auction.submitted.events["CapacityReleased"] == {
        "market": market,
        "lockId": auction.job_id,
        "provider": provider2,
        "gpus": 2,
    }


def test_winner_collateral_is_released_after_finalize(market, registry, provider2, auction):
    info = registry.providerInfo(provider2)

    # The GPUs were freed at the submission already: the settlement frees none twice.
    assert auction.finalized.events["CollateralReleased"] == {
        "market": market,
        "lockId": auction.job_id,
        "provider": provider2,
        "amount": COLLATERAL,
        "gpus": 0,
    }
    assert (info["stake"], info["locked"], info["gpusInUse"], info["activeJobs"]) == (
        PROVIDER_STAKE,
        0,
        0,
        0,
    )


def test_losing_providers_stake_is_untouched(registry, gmkt, usdc, provider, provider3, auction):
    for loser in (provider, provider3):
        info = registry.providerInfo(loser)
        assert (info["stake"], info["locked"], info["jailedUntil"]) == (PROVIDER_STAKE, 0, 0)
        assert usdc.balanceOf(loser) == 0
    assert gmkt.balanceOf(registry) == 3 * PROVIDER_STAKE


def test_finalize_pays_the_winner_the_value_less_the_fee(usdc, provider2, auction):
    assert auction.finalized.events["JobSettled"] == {
        "jobId": auction.job_id,
        "provider": provider2,
        "payout": VALUE - FEE,
        "fee": FEE,
    }
    assert usdc.balanceOf(provider2) == VALUE - FEE


def test_finalize_pays_the_fee_to_the_treasury(usdc, treasury, auction):
    assert [
        (e["to"], e["amount"], e["kind"]) for e in auction.finalized.events["EscrowReleased"]
    ] == [
        (auction.finalized.events["JobSettled"]["provider"], VALUE - FEE, Payout.PROVIDER),
        (treasury, FEE, Payout.FEE),
    ]
    assert usdc.balanceOf(treasury) == FEE


def test_buyer_pays_exactly_the_winning_value(usdc, buyer, auction):
    assert usdc.balanceOf(buyer) == DEPOSIT - VALUE


def test_market_holds_nothing_after_settlement(market, usdc, auction):
    assert usdc.balanceOf(market) == 0
    assert market.escrowedTotal(usdc) == 0
    assert market.jobOf(auction.job_id)["escrow"] == 0


def test_job_moves_from_open_to_settled(auction):
    assert auction.states == [JobState.OPEN, JobState.RUNNING, JobState.SUBMITTED, JobState.SETTLED]


def test_winner_reputation_records_the_completed_job(reputation, usdc, provider2, auction):
    assert reputation.providerRecord(provider2)["completed"] == 1
    assert reputation.volume(provider2, usdc) == VALUE
    assert reputation.score(provider2) == 6_666


def test_losers_reputation_is_unchanged(reputation, provider, provider3, auction):
    for loser in (provider, provider3):
        assert tuple(reputation.providerRecord(loser)) == (0, 0, 0, 0, 0, 0, 0, 0)


def test_price_tie_goes_to_the_higher_reputation(
    market, usdc, buyer, stranger, bidders, post, auction
):
    provider, provider2, _ = bidders
    job_id = job_id_of(post(buyer, usdc, MAX_PRICE, SPEC))
    market.bid(job_id, 2 * USDC, {"from": provider})
    market.bid(job_id, 2 * USDC, {"from": provider2})
    chain.sleep(HOUR + MARGIN)

    tx = market.closeAuction(job_id, {"from": stranger})

    assert tx.events["JobMatched"]["provider"] == provider2


def test_price_and_reputation_tie_goes_to_the_earlier_bid(
    market, reputation, usdc, buyer, stranger, bidders, post, auction
):
    provider, _, provider3 = bidders
    job_id = job_id_of(post(buyer, usdc, MAX_PRICE, SPEC))
    market.bid(job_id, 2 * USDC, {"from": provider3})
    market.bid(job_id, 2 * USDC, {"from": provider})
    chain.sleep(HOUR + MARGIN)

    tx = market.closeAuction(job_id, {"from": stranger})

    assert reputation.score(provider) == reputation.score(provider3)
    assert tx.events["JobMatched"]["provider"] == provider3
