"""Disputes from bond to resolution. Provider at fault: the buyer is refunded, compensated from the
slashed collateral and gets the bond back. Buyer at fault: the provider is paid and takes the bond,
and the buyer a strike; three strikes blacklist the buyer. A dispute the arbiter never resolves
settles after `arbitrationTimeout` with both sides forfeiting `min(bond, value)` to the treasury:
the provider is paid the rest less its fee, the buyer gets the rest of its bond."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout

from .helpers import (
    ARBITRATION_TIMEOUT,
    MARGIN,
    PROVIDER_STAKE,
    STABLE_BOND_MIN,
    USDC,
    ZERO_ADDRESS,
    bond_of,
    buyer_share_of,
    collateral_of,
    cost,
    err,
    event_from,
    fee_of,
)

#: 2 GPUs for 2 hours at 50 USDC per GPU-hour: the bond is 10% of the value, above the minimum.
LARGE = JobSpec(gpu_count=2, duration=2 * HOUR)
LARGE_PRICE = 50 * USDC
LARGE_VALUE = cost(LARGE_PRICE, 2, 2 * HOUR)
LARGE_BOND = bond_of(LARGE_VALUE, STABLE_BOND_MIN)
LARGE_COLLATERAL = collateral_of(2, 2 * HOUR)
#: 1 GPU for 1 hour at 30 USDC: 10% of the value is below the minimum bond, which applies.
SMALL = JobSpec()
SMALL_PRICE = 30 * USDC
SMALL_VALUE = SMALL_PRICE
SMALL_BOND = STABLE_BOND_MIN


def ledger(usdc, gmkt, registry, market, **accounts):
    """USDC and GMKT balances and registry stake of named accounts, and the market's USDC."""
    return SimpleNamespace(
        market_usdc=usdc.balanceOf(market),
        **{f"{name}_usdc": usdc.balanceOf(a) for name, a in accounts.items()},
        **{f"{name}_gmkt": gmkt.balanceOf(a) for name, a in accounts.items()},
        **{f"{name}_stake": registry.providerInfo(a)["stake"] for name, a in accounts.items()},
    )


@pytest.fixture(scope="module")
def providers(make_provider, provider, provider2, provider3):
    for account in (provider, provider2, provider3):
        make_provider(account)
    return provider, provider2, provider3


@pytest.fixture(scope="module")
def provider_at_fault(
    market,
    registry,
    usdc,
    gmkt,
    buyer,
    provider,
    treasury,
    arbiter,
    providers,
    submitted_direct,
    open_dispute,
):
    """`buyer` disputes `provider`'s large job and the arbiter finds the provider at fault."""
    job_id = submitted_direct(buyer, provider, usdc, LARGE_PRICE, LARGE)
    treasury_before = (usdc.balanceOf(treasury), gmkt.balanceOf(treasury))
    disputed = open_dispute(job_id)
    resolved = market.resolveDispute(job_id, True, {"from": arbiter})
    after = ledger(usdc, gmkt, registry, market, buyer=buyer, provider=provider, treasury=treasury)
    return SimpleNamespace(
        job_id=job_id,
        disputed=disputed,
        resolved=resolved,
        after=after,
        treasury_usdc_gain=after.treasury_usdc - treasury_before[0],
        treasury_gmkt_gain=after.treasury_gmkt - treasury_before[1],
        state=market.jobOf(job_id)["state"],
    )


@pytest.fixture(scope="module")
def buyer_at_fault(
    market,
    registry,
    reputation,
    usdc,
    gmkt,
    buyer2,
    provider2,
    treasury,
    arbiter,
    providers,
    submitted_direct,
    open_dispute,
):
    """`buyer2` disputes `provider2`'s large job and the arbiter finds the buyer at fault."""
    job_id = submitted_direct(buyer2, provider2, usdc, LARGE_PRICE, LARGE)
    treasury_before = usdc.balanceOf(treasury)
    disputed = open_dispute(job_id)
    resolved = market.resolveDispute(job_id, False, {"from": arbiter})
    after = ledger(
        usdc, gmkt, registry, market, buyer=buyer2, provider=provider2, treasury=treasury
    )
    return SimpleNamespace(
        job_id=job_id,
        disputed=disputed,
        resolved=resolved,
        after=after,
        treasury_usdc_gain=after.treasury_usdc - treasury_before,
        state=market.jobOf(job_id)["state"],
        buyer_record=reputation.buyerRecord(buyer2),
    )


@pytest.fixture(scope="module")
def three_lost_disputes(
    market, usdc, buyer2, provider2, arbiter, buyer_at_fault, submitted_direct, open_dispute
):
    """After its first lost dispute, `buyer2` loses two more on small jobs."""
    resolutions = []
    for _ in range(2):
        job_id = submitted_direct(buyer2, provider2, usdc, SMALL_PRICE, SMALL)
        open_dispute(job_id)
        resolutions.append(market.resolveDispute(job_id, False, {"from": arbiter}))
    return SimpleNamespace(second=resolutions[0], third=resolutions[1])


@pytest.fixture(scope="module")
def abandoned(
    market,
    registry,
    usdc,
    gmkt,
    buyer3,
    provider3,
    treasury,
    stranger,
    providers,
    submitted_direct,
    open_dispute,
):
    """`buyer3` disputes `provider3`'s small job and no arbiter ever answers."""
    job_id = submitted_direct(buyer3, provider3, usdc, SMALL_PRICE, SMALL)
    disputed = open_dispute(job_id)
    chain.sleep(ARBITRATION_TIMEOUT + MARGIN)
    treasury_before = usdc.balanceOf(treasury)
    finalized = market.finalize(job_id, {"from": stranger})
    after = ledger(
        usdc, gmkt, registry, market, buyer=buyer3, provider=provider3, treasury=treasury
    )
    return SimpleNamespace(
        job_id=job_id,
        disputed=disputed,
        finalized=finalized,
        after=after,
        treasury_usdc_gain=after.treasury_usdc - treasury_before,
        state=market.jobOf(job_id)["state"],
    )


# ---------------------------------------------------------------- provider at fault


def test_dispute_bond_is_ten_percent_of_a_large_job(usdc, buyer, provider_at_fault):
    assert provider_at_fault.disputed.events["DisputeOpened"] == {
        "jobId": provider_at_fault.job_id,
        "buyer": buyer,
        "bond": LARGE_BOND,
    }
    assert provider_at_fault.disputed.events["EscrowDeposited"]["amount"] == LARGE_BOND
    assert LARGE_BOND == 20 * USDC


def test_provider_at_fault_fails_the_job(market, provider, provider_at_fault):
    resolved = provider_at_fault.resolved

    assert resolved.events["DisputeResolved"] == {
        "jobId": provider_at_fault.job_id,
        "providerAtFault": True,
    }
    assert event_from(resolved, "JobFailed", market) == {
        "jobId": provider_at_fault.job_id,
        "provider": provider,
        "refund": LARGE_VALUE,
        "slashed": LARGE_COLLATERAL,
    }
    assert provider_at_fault.state == JobState.FAILED


def test_provider_at_fault_refunds_the_buyer_and_returns_the_bond(usdc, buyer, provider_at_fault):
    assert [
        (e["to"], e["amount"], e["kind"])
        for e in provider_at_fault.resolved.events["EscrowReleased"]
    ] == [
        (buyer, LARGE_VALUE, Payout.REFUND),
        (buyer, LARGE_BOND, Payout.BOND),
    ]
    assert provider_at_fault.after.buyer_usdc == LARGE_VALUE + LARGE_BOND


def test_provider_at_fault_compensates_the_buyer_from_its_collateral(provider_at_fault):
    assert provider_at_fault.after.buyer_gmkt == buyer_share_of(LARGE_COLLATERAL)
    assert provider_at_fault.after.provider_stake == PROVIDER_STAKE - LARGE_COLLATERAL
    assert provider_at_fault.after.provider_usdc == 0


def test_provider_at_fault_pays_the_treasury_the_rest_of_the_collateral(provider_at_fault):
    assert provider_at_fault.treasury_gmkt_gain == LARGE_COLLATERAL - buyer_share_of(
        LARGE_COLLATERAL
    )
    assert provider_at_fault.treasury_usdc_gain == 0
    assert provider_at_fault.after.market_usdc == 0


def test_provider_at_fault_is_jailed(registry, provider, provider_at_fault):
    assert registry.providerInfo(provider)["jailedUntil"] > provider_at_fault.resolved.timestamp


def test_provider_at_fault_records_a_lost_dispute_and_the_buyer_a_win(
    reputation, buyer, provider, provider_at_fault
):
    record = reputation.providerRecord(provider)

    assert (record["failed"], record["slashed"], record["disputesLost"]) == (1, 1, 1)
    assert tuple(reputation.buyerRecord(buyer)) == (1, 1, 0, 0, False)


# ---------------------------------------------------------------- buyer at fault


def test_buyer_at_fault_settles_the_job_for_the_provider(provider2, buyer_at_fault):
    assert buyer_at_fault.resolved.events["DisputeResolved"] == {
        "jobId": buyer_at_fault.job_id,
        "providerAtFault": False,
    }
    assert buyer_at_fault.resolved.events["JobSettled"] == {
        "jobId": buyer_at_fault.job_id,
        "provider": provider2,
        "payout": LARGE_VALUE - fee_of(LARGE_VALUE),
        "fee": fee_of(LARGE_VALUE),
    }
    assert buyer_at_fault.state == JobState.SETTLED


def test_buyer_at_fault_loses_the_bond_to_the_provider(provider2, treasury, buyer_at_fault):
    assert [
        (e["to"], e["amount"], e["kind"]) for e in buyer_at_fault.resolved.events["EscrowReleased"]
    ] == [
        (provider2, LARGE_VALUE - fee_of(LARGE_VALUE), Payout.PROVIDER),
        (treasury, fee_of(LARGE_VALUE), Payout.FEE),
        (provider2, LARGE_BOND, Payout.BOND),
    ]
    assert buyer_at_fault.after.provider_usdc == LARGE_VALUE - fee_of(LARGE_VALUE) + LARGE_BOND
    assert buyer_at_fault.after.buyer_usdc == 0


def test_buyer_at_fault_pays_the_fee_and_leaves_the_provider_stake_whole(buyer_at_fault):
    assert buyer_at_fault.treasury_usdc_gain == fee_of(LARGE_VALUE)
    assert buyer_at_fault.after.provider_stake == PROVIDER_STAKE
    assert buyer_at_fault.after.market_usdc == 0


def test_buyer_at_fault_takes_a_strike(buyer2, buyer_at_fault):
    assert buyer_at_fault.resolved.events["BuyerDisputeSettled"] == {
        "buyer": buyer2,
        "won": False,
        "strikes": 1,
    }
    assert tuple(buyer_at_fault.buyer_record) == (1, 0, 1, 1, False)


def test_two_lost_disputes_do_not_blacklist_the_buyer(three_lost_disputes):
    assert three_lost_disputes.second.events["BuyerDisputeSettled"]["strikes"] == 2
    assert "BuyerBlacklisted" not in three_lost_disputes.second.events


def test_third_lost_dispute_blacklists_the_buyer(reputation, buyer2, three_lost_disputes):
    assert three_lost_disputes.third.events["BuyerDisputeSettled"]["strikes"] == 3
    assert three_lost_disputes.third.events["BuyerBlacklisted"] == {"buyer": buyer2}
    assert reputation.isBlacklisted(buyer2)


def test_blacklisted_buyer_cannot_post_jobs(market, usdc, buyer2, three_lost_disputes):
    with brownie.reverts(err("JobMarketBuyerBlacklisted", buyer2)):
        market.postJob(SMALL.as_tuple(), usdc, SMALL_PRICE, HOUR, ZERO_ADDRESS, {"from": buyer2})


# ---------------------------------------------------------------- abandoned dispute


def test_dispute_bond_has_a_minimum_for_a_small_job(abandoned):
    assert abandoned.disputed.events["DisputeOpened"]["bond"] == SMALL_BOND
    assert bond_of(SMALL_VALUE, 0) < SMALL_BOND


def test_abandoned_dispute_cannot_be_settled_before_the_arbitration_timeout(
    market, usdc, buyer3, provider3, stranger, providers, submitted_direct, open_dispute
):
    job_id = submitted_direct(buyer3, provider3, usdc, SMALL_PRICE, SMALL)
    disputed = open_dispute(job_id)
    chain.sleep(ARBITRATION_TIMEOUT - MARGIN)

    with brownie.reverts(
        err("JobMarketDeadlineNotReached", job_id, disputed.timestamp + ARBITRATION_TIMEOUT)
    ):
        market.finalize(job_id, {"from": stranger})


#: The abandoned small job: each side forfeits the whole 10 USDC bond (below the 30 USDC value).
SMALL_FORFEIT = SMALL_BOND
SMALL_TIMEOUT_FEE = fee_of(SMALL_VALUE - SMALL_FORFEIT)


def test_abandoned_dispute_settles_with_both_sides_forfeiting_the_bond(provider3, abandoned):
    assert abandoned.finalized.events["ArbitrationTimedOut"] == {
        "jobId": abandoned.job_id,
        "forfeit": SMALL_FORFEIT,
    }
    assert abandoned.finalized.events["JobSettled"] == {
        "jobId": abandoned.job_id,
        "provider": provider3,
        "payout": SMALL_VALUE - SMALL_FORFEIT - SMALL_TIMEOUT_FEE,
        "fee": SMALL_TIMEOUT_FEE,
    }
    assert "DisputeResolved" not in abandoned.finalized.events
    assert abandoned.state == JobState.SETTLED


def test_abandoned_dispute_pays_the_forfeits_to_the_treasury(
    buyer3, provider3, treasury, abandoned
):
    paid = SMALL_VALUE - SMALL_FORFEIT - SMALL_TIMEOUT_FEE
    assert [
        (e["to"], e["amount"], e["kind"]) for e in abandoned.finalized.events["EscrowReleased"]
    ] == [
        (provider3, paid, Payout.PROVIDER),
        (treasury, SMALL_TIMEOUT_FEE, Payout.FEE),
        (treasury, SMALL_FORFEIT, Payout.FORFEIT),
        (treasury, SMALL_FORFEIT, Payout.BOND),
    ]
    # 30 USDC job, 10 USDC bond: the provider gets 19 USDC (20 less the 5% fee), the buyer none
    # of its bond back, the treasury 1 + 10 + 10.
    assert (paid, SMALL_TIMEOUT_FEE) == (19 * USDC, 1 * USDC)
    assert abandoned.after.buyer_usdc == 0
    assert abandoned.after.provider_usdc == paid
    assert abandoned.treasury_usdc_gain == 21 * USDC
    assert abandoned.after.market_usdc == 0


def test_abandoned_dispute_gives_the_buyer_no_strike(reputation, buyer3, abandoned):
    assert reputation.buyerRecord(buyer3)["strikes"] == 0
    assert not reputation.isBlacklisted(buyer3)


def test_abandoned_dispute_records_no_success_for_the_provider(reputation, provider3, abandoned):
    record = reputation.providerRecord(provider3)
    assert (record["completed"], record["credited"], record["failed"]) == (0, 0, 0)
    assert "JobCompleted" not in abandoned.finalized.events
