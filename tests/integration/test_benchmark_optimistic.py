"""Jobs that require a benchmark proof wait for the oracle council's verdict. With no verdict they
settle optimistically after `attestTimeout + disputeWindow`, so a dead oracle network never
freezes a provider's pay; an `ok` verdict starts the dispute window at once, so they can settle
earlier; a FAILED verdict refunds the buyer and slashes the provider."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import JobSpec, JobState, Payout

from .helpers import (
    ATTEST_TIMEOUT,
    DISPUTE_WINDOW,
    MARGIN,
    PROVIDER_STAKE,
    RESULT_HASH,
    RESULT_URI,
    USDC,
    buyer_share_of,
    collateral_of,
    err,
    event_from,
    fee_of,
    job_id_of,
)

#: A 1-GPU, 1-hour job at 2 USDC that needs a PoGEMM proof at the test sizes.
SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
PRICE = 2 * USDC
FEE = fee_of(PRICE)
COLLATERAL = collateral_of(1, 3600)


@pytest.fixture(scope="module")
def jobs(market, usdc, buyer, provider, make_provider, post):
    """Three benchmark jobs, directly assigned to `provider`, accepted and submitted."""
    make_provider(provider)
    ids = []
    for _ in range(3):
        job_id = job_id_of(post(buyer, usdc, PRICE, SPEC, provider=provider))
        market.acceptJob(job_id, {"from": provider})
        ids.append(job_id)
    submitted = [market.submitResult(i, RESULT_HASH, RESULT_URI, {"from": provider}) for i in ids]
    return SimpleNamespace(
        ids=ids,
        optimistic_end=[tx.timestamp + ATTEST_TIMEOUT + DISPUTE_WINDOW for tx in submitted],
    )


def test_unverified_job_is_not_final_after_the_dispute_window_alone(market, stranger, jobs):
    chain.sleep(DISPUTE_WINDOW + MARGIN)

    with brownie.reverts(err("JobMarketDeadlineNotReached", jobs.ids[0], jobs.optimistic_end[0])):
        market.finalize(jobs.ids[0], {"from": stranger})


def test_unverified_job_is_not_final_just_before_attest_timeout_plus_dispute_window(
    market, stranger, jobs
):
    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW - MARGIN)

    with brownie.reverts(err("JobMarketDeadlineNotReached", jobs.ids[0], jobs.optimistic_end[0])):
        market.finalize(jobs.ids[0], {"from": stranger})


def test_unverified_job_settles_optimistically(
    market, usdc, buyer, provider, treasury, stranger, jobs
):
    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW + MARGIN)

    tx = market.finalize(jobs.ids[0], {"from": stranger})

    assert "VerdictRecorded" not in tx.events
    assert tx.events["JobSettled"] == {
        "jobId": jobs.ids[0],
        "provider": provider,
        "payout": PRICE - FEE,
        "fee": FEE,
    }
    assert (usdc.balanceOf(provider), usdc.balanceOf(treasury), usdc.balanceOf(buyer)) == (
        PRICE - FEE,
        FEE,
        0,
    )
    assert market.jobOf(jobs.ids[0])["state"] == JobState.SETTLED


def test_ok_verdict_starts_the_dispute_window(market, verifier, jobs):
    tx = market.recordVerdict(jobs.ids[1], True, {"from": verifier})

    assert tx.events["VerdictRecorded"] == {"jobId": jobs.ids[1], "ok": True}
    job = market.jobOf(jobs.ids[1])
    assert (job["state"], job["windowStart"]) == (JobState.VERIFIED, tx.timestamp)


def test_verified_job_settles_before_the_optimistic_deadline(
    market, usdc, provider, treasury, verifier, stranger, jobs
):
    market.recordVerdict(jobs.ids[1], True, {"from": verifier})
    chain.sleep(DISPUTE_WINDOW + MARGIN)

    tx = market.finalize(jobs.ids[1], {"from": stranger})

    assert tx.timestamp < jobs.optimistic_end[1]
    assert tx.events["JobSettled"]["payout"] == PRICE - FEE
    assert (usdc.balanceOf(provider), usdc.balanceOf(treasury)) == (PRICE - FEE, FEE)


def test_failed_verdict_fails_the_job(market, provider, verifier, jobs):
    tx = market.recordVerdict(jobs.ids[2], False, {"from": verifier})

    assert tx.events["VerdictRecorded"] == {"jobId": jobs.ids[2], "ok": False}
    assert event_from(tx, "JobFailed", market) == {
        "jobId": jobs.ids[2],
        "provider": provider,
        "refund": PRICE,
        "slashed": COLLATERAL,
    }
    assert market.jobOf(jobs.ids[2])["state"] == JobState.FAILED


def test_failed_verdict_refunds_the_buyer_with_a_share_of_the_collateral(
    market, usdc, gmkt, buyer, verifier, jobs
):
    tx = market.recordVerdict(jobs.ids[2], False, {"from": verifier})

    assert [(e["to"], e["amount"], e["kind"]) for e in tx.events["EscrowReleased"]] == [
        (buyer, PRICE, Payout.REFUND)
    ]
    assert (usdc.balanceOf(buyer), gmkt.balanceOf(buyer)) == (PRICE, buyer_share_of(COLLATERAL))


def test_failed_verdict_slashes_the_provider_to_the_treasury(
    market, registry, reputation, usdc, gmkt, provider, treasury, verifier, jobs
):
    market.recordVerdict(jobs.ids[2], False, {"from": verifier})

    assert (usdc.balanceOf(treasury), gmkt.balanceOf(treasury)) == (
        0,
        COLLATERAL - buyer_share_of(COLLATERAL),
    )
    assert registry.providerInfo(provider)["stake"] == PROVIDER_STAKE - COLLATERAL
    assert tuple(reputation.providerRecord(provider))[:3] == (0, 1, 1)


def test_verdict_after_optimistic_settlement_became_possible_is_rejected(market, verifier, jobs):
    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW + MARGIN)

    with brownie.reverts(err("JobMarketDeadlinePassed", jobs.ids[2], jobs.optimistic_end[2])):
        market.recordVerdict(jobs.ids[2], False, {"from": verifier})
