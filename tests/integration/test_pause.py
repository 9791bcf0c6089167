"""Pausing the market and the registry stops new stakes, offers, jobs, bids and matches (acceptBid,
closeAuction and acceptJob alike: a match starts new work), and nothing else: cancels (with bids
too), refunds, withdrawals, timeout claims, finalization, dispute resolution (with its slashing)
and claims of deferred payouts all still work, so funds can always leave."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, JobState, Offer, Payout

from .helpers import (
    GMKT,
    MARGIN,
    PROVIDER_STAKE,
    UNBONDING_PERIOD,
    USDC,
    ZERO_ADDRESS,
    buyer_share_of,
    collateral_of,
    event_from,
    fee_of,
    job_id_of,
)

PRICE = 2 * USDC
LONG_BIDDING = 30 * 24 * HOUR
UNSTAKED = 1_000 * GMKT
COLLATERAL = collateral_of(1, HOUR)
SPEC = JobSpec()


@pytest.fixture(scope="module")
def paused(
    market,
    registry,
    gmkt,
    usdc,
    blacklist_token,
    governance,
    buyer,
    buyer2,
    provider,
    provider2,
    provider3,
    make_provider,
    fund,
    post,
    running_direct,
    submitted_direct,
    open_dispute,
):
    """Jobs in every state that holds funds, an unbonding entry and a deferred refund; then both
    contracts are paused and a week passes, so every deadline and the unbonding period are over
    (the bidding and acceptance windows are 30 days, so they are still open)."""
    make_provider(provider)
    make_provider(provider2)
    registry.requestUnstake(UNSTAKED, {"from": provider2})
    fund(provider3, gmkt, PROVIDER_STAKE)
    gmkt.approve(registry, PROVIDER_STAKE, {"from": provider3})
    registry.stake(PROVIDER_STAKE, {"from": provider3})

    jobs = SimpleNamespace(
        open=job_id_of(post(buyer, usdc, PRICE, SPEC, bidding=LONG_BIDDING)),
        bid_on=job_id_of(post(buyer, usdc, PRICE, SPEC, bidding=LONG_BIDDING)),
        direct=job_id_of(post(buyer, usdc, PRICE, SPEC, bidding=LONG_BIDDING, provider=provider)),
        running=running_direct(buyer, provider, usdc, PRICE, SPEC),
        submitted=submitted_direct(buyer, provider, usdc, PRICE, SPEC),
        disputed=submitted_direct(buyer, provider, usdc, PRICE, SPEC),
        blocked=job_id_of(post(buyer2, blacklist_token, PRICE, SPEC)),
    )
    open_dispute(jobs.disputed)
    market.bid(jobs.bid_on, PRICE, {"from": provider2})
    blacklist_token.setBlocked(buyer2, True, {"from": governance})
    market.cancel(jobs.blocked, {"from": buyer2})

    market.pause({"from": governance})
    registry.pause({"from": governance})
    chain.sleep(UNBONDING_PERIOD + MARGIN)
    # Mined, so that the week survives the chain snapshot each test starts from.
    chain.mine()
    return jobs


# ---------------------------------------------------------------- stopped


def test_paused_registry_rejects_new_stakes(registry, gmkt, provider3, fund, paused):
    fund(provider3, gmkt, GMKT)
    gmkt.approve(registry, GMKT, {"from": provider3})

    with brownie.reverts("EnforcedPause: "):
        registry.stake(GMKT, {"from": provider3})


def test_paused_registry_rejects_new_offers(registry, usdc, provider3, paused):
    with brownie.reverts("EnforcedPause: "):
        registry.register(Offer().as_tuple(), [usdc], [USDC], {"from": provider3})


def test_paused_registry_rejects_offer_updates(registry, usdc, provider, paused):
    with brownie.reverts("EnforcedPause: "):
        registry.updateOffer(Offer().as_tuple(), [usdc], [USDC], {"from": provider})


def test_paused_market_rejects_new_jobs(market, usdc, buyer, fund, paused):
    fund(buyer, usdc, PRICE)
    usdc.approve(market, PRICE, {"from": buyer})

    with brownie.reverts("EnforcedPause: "):
        market.postJob(SPEC.as_tuple(), usdc, PRICE, HOUR, ZERO_ADDRESS, {"from": buyer})


def test_paused_market_rejects_new_jobs_with_a_permit(market, gmkt, buyer, paused):
    with brownie.reverts("EnforcedPause: "):
        market.postJobWithPermit(
            SPEC.as_tuple(),
            gmkt,
            GMKT,
            HOUR,
            ZERO_ADDRESS,
            chain.time() + HOUR,
            27,
            b"\x01" * 32,
            b"\x02" * 32,
            {"from": buyer},
        )


def test_paused_market_rejects_bids(market, provider2, paused):
    with brownie.reverts("EnforcedPause: "):
        market.bid(paused.open, PRICE, {"from": provider2})


def test_paused_market_rejects_accepting_a_direct_job(market, provider, paused):
    with brownie.reverts("EnforcedPause: "):
        market.acceptJob(paused.direct, {"from": provider})


def test_paused_market_rejects_accepting_a_bid(market, buyer, provider2, paused):
    with brownie.reverts("EnforcedPause: "):
        market.acceptBid(paused.bid_on, provider2, {"from": buyer})


def test_paused_market_rejects_closing_an_auction(market, stranger, paused):
    with brownie.reverts("EnforcedPause: "):
        market.closeAuction(paused.bid_on, {"from": stranger})


def test_unpausing_reopens_bidding(market, governance, provider2, paused):
    market.unpause({"from": governance})

    tx = market.bid(paused.open, PRICE, {"from": provider2})

    assert tx.events["BidPlaced"] == {"jobId": paused.open, "provider": provider2, "price": PRICE}


# ---------------------------------------------------------------- still working


def test_buyer_can_cancel_for_a_refund_while_paused(market, usdc, buyer, paused):
    before = usdc.balanceOf(buyer)

    tx = market.cancel(paused.open, {"from": buyer})

    assert tx.events["EscrowReleased"]["amount"] == PRICE
    assert usdc.balanceOf(buyer) - before == PRICE
    assert market.jobOf(paused.open)["state"] == JobState.CANCELLED


def test_buyer_can_cancel_a_job_with_an_eligible_bid_while_paused(market, usdc, buyer, paused):
    before = usdc.balanceOf(buyer)

    tx = market.cancel(paused.bid_on, {"from": buyer})

    assert tx.events["EscrowReleased"]["amount"] == PRICE
    assert usdc.balanceOf(buyer) - before == PRICE
    assert market.jobOf(paused.bid_on)["state"] == JobState.CANCELLED


def test_provider_can_withdraw_unbonded_stake_while_paused(registry, gmkt, provider2, paused):
    tx = registry.withdraw({"from": provider2})

    assert tx.events["Withdrawn"] == {"provider": provider2, "amount": UNSTAKED}
    assert gmkt.balanceOf(provider2) == UNSTAKED


def test_provider_can_request_unstake_while_paused(registry, provider3, paused):
    tx = registry.requestUnstake(PROVIDER_STAKE, {"from": provider3})

    assert tx.events["UnstakeRequested"]["amount"] == PROVIDER_STAKE
    assert registry.providerInfo(provider3)["unbonding"] == PROVIDER_STAKE


def test_anyone_can_claim_a_timeout_while_paused(
    market, registry, usdc, gmkt, buyer, provider, stranger, paused
):
    usdc_before, gmkt_before = usdc.balanceOf(buyer), gmkt.balanceOf(buyer)

    tx = market.claimTimeout(paused.running, {"from": stranger})

    assert event_from(tx, "JobFailed", market)["slashed"] == COLLATERAL
    assert usdc.balanceOf(buyer) - usdc_before == PRICE
    assert gmkt.balanceOf(buyer) - gmkt_before == buyer_share_of(COLLATERAL)
    assert registry.providerInfo(provider)["stake"] == PROVIDER_STAKE - COLLATERAL


def test_anyone_can_finalize_while_paused(market, usdc, provider, stranger, paused):
    tx = market.finalize(paused.submitted, {"from": stranger})

    assert tx.events["JobSettled"]["payout"] == PRICE - fee_of(PRICE)
    assert usdc.balanceOf(provider) == PRICE - fee_of(PRICE)


def test_arbiter_can_find_the_provider_at_fault_while_paused(
    market, registry, usdc, buyer, provider, arbiter, paused
):
    before = usdc.balanceOf(buyer)
    bond = market.jobOf(paused.disputed)["bond"]

    tx = market.resolveDispute(paused.disputed, True, {"from": arbiter})

    assert tx.events["StakeSlashed"][0]["amount"] == buyer_share_of(COLLATERAL)
    assert usdc.balanceOf(buyer) - before == PRICE + bond
    assert registry.providerInfo(provider)["stake"] == PROVIDER_STAKE - COLLATERAL


def test_arbiter_can_find_the_buyer_at_fault_while_paused(market, usdc, provider, arbiter, paused):
    bond = market.jobOf(paused.disputed)["bond"]

    tx = market.resolveDispute(paused.disputed, False, {"from": arbiter})

    assert [(e["to"], e["kind"]) for e in tx.events["EscrowReleased"]][-1] == (
        provider,
        Payout.BOND,
    )
    assert usdc.balanceOf(provider) == PRICE - fee_of(PRICE) + bond


def test_deferred_refund_can_be_claimed_while_paused(
    market, blacklist_token, buyer2, payee, paused
):
    tx = market.claim(blacklist_token, payee, {"from": buyer2})

    assert tx.events["Claimed"] == {
        "account": buyer2,
        "token": blacklist_token,
        "to": payee,
        "amount": PRICE,
    }
    assert blacklist_token.balanceOf(payee) == PRICE
    assert blacklist_token.balanceOf(market) == 0
