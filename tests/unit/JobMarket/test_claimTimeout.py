import brownie
import pytest
from brownie import chain
from jobmarket_helpers import (
    COLLATERAL,
    GMKT,
    PRICE,
    PROVIDER_STAKE,
    RESULT_GRACE,
    USDC,
    ZERO_ADDRESS,
    err,
    market_event,
    unit,
)

from gpumarket.chain.types import HOUR, JobState, Payout

pytestmark = pytest.mark.usefixtures("registered_provider")

#: Past `startedAt + duration + resultGrace` of a 1-hour job.
PAST_DEADLINE = HOUR + RESULT_GRACE + 5


@pytest.fixture
def job_id(running_job, registered_provider):
    """A running 1-GPU, 1-hour GMKT job won by `provider` at 1 GMKT (collateral 10 GMKT)."""
    return running_job(registered_provider)


@pytest.fixture
def paid_job(running_job, registered_provider, pay_token):
    """A running job in `pay_token` posted at 2 and won at 1 token per GPU-hour."""
    one = unit(pay_token)
    return running_job(registered_provider, token=pay_token, price=one, max_price=2 * one)


def test_claim_timeout_refunds_the_buyer_in_the_job_token(
    market, buyer, provider, stranger, pay_token, gmkt, paid_job
):
    chain.sleep(PAST_DEADLINE)

    tx = market.claimTimeout(paid_job, {"from": stranger})

    collateral_share = COLLATERAL // 2 if pay_token == gmkt else 0
    assert pay_token.balanceOf(buyer) == 2 * unit(pay_token) + collateral_share
    assert pay_token.balanceOf(market) == 0
    assert market.escrowedTotal(pay_token) == 0
    assert market_event(tx, "JobFailed", market) == {
        "jobId": paid_job,
        "provider": provider,
        "refund": unit(pay_token),
        "slashed": COLLATERAL,
    }
    assert tx.events["EscrowReleased"] == {
        "jobId": paid_job,
        "to": buyer,
        "token": pay_token,
        "amount": unit(pay_token),
        "kind": Payout.REFUND,
    }


def test_claim_timeout_splits_the_slashed_gmkt_collateral_between_buyer_and_treasury(
    market, gmkt, usdc, buyer, treasury, stranger, running_job, provider
):
    job_id = running_job(provider, token=usdc, price=USDC, max_price=2 * USDC)
    chain.sleep(PAST_DEADLINE)

    market.claimTimeout(job_id, {"from": stranger})

    assert gmkt.balanceOf(buyer) == COLLATERAL // 2
    assert gmkt.balanceOf(treasury) == COLLATERAL // 2
    assert usdc.balanceOf(buyer) == 2 * USDC


def test_claim_timeout_slashes_releases_and_jails_the_provider(
    market, registry, provider, stranger, job_id
):
    chain.sleep(PAST_DEADLINE)

    tx = market.claimTimeout(job_id, {"from": stranger})

    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"], info["gpusInUse"], info["activeJobs"]) == (
        PROVIDER_STAKE - COLLATERAL,
        0,
        0,
        0,
    )
    assert info["jailedUntil"] == tx.timestamp + registry.jailPeriod()
    assert registry.lockOf(market, job_id)["provider"] == ZERO_ADDRESS


def test_claim_timeout_records_a_failure_and_a_slash(
    market, reputation, provider, stranger, job_id
):
    chain.sleep(PAST_DEADLINE)

    market.claimTimeout(job_id, {"from": stranger})

    record = reputation.providerRecord(provider)
    assert (record["failed"], record["slashed"]) == (1, 1)
    assert reputation.score(provider) == 10_000 // 5


def test_claim_timeout_marks_the_job_failed(market, stranger, job_id):
    chain.sleep(PAST_DEADLINE)

    market.claimTimeout(job_id, {"from": stranger})

    job = market.jobOf(job_id)
    assert (job["state"], job["escrow"], job["collateral"]) == (JobState.FAILED, 0, COLLATERAL)


@pytest.mark.parametrize(
    "share_bps, to_buyer",
    [(0, 0), (3_333, 3_333 * GMKT // 1_000), (10_000, COLLATERAL)],
)
def test_claim_timeout_pays_the_buyer_slash_buyer_share_bps_rounded_down(
    market, param, gmkt, buyer, treasury, stranger, running_job, provider, share_bps, to_buyer
):
    param(market, "slashBuyerShareBps", share_bps)
    job_id = running_job(provider)
    chain.sleep(PAST_DEADLINE)

    market.claimTimeout(job_id, {"from": stranger})

    assert gmkt.balanceOf(buyer) == 2 * PRICE + to_buyer
    assert gmkt.balanceOf(treasury) == COLLATERAL - to_buyer


def test_claim_timeout_without_collateral_slashes_nothing(
    market, param, registry, stranger, running_job, provider
):
    param(market, "collateralPerGpuHour", 0)
    job_id = running_job(provider)
    chain.sleep(PAST_DEADLINE)

    tx = market.claimTimeout(job_id, {"from": stranger})

    assert market_event(tx, "JobFailed", market)["slashed"] == 0
    assert registry.providerInfo(provider)["stake"] == PROVIDER_STAKE
    assert registry.providerInfo(provider)["jailedUntil"] == 0


def test_claim_timeout_while_paused_is_allowed(market, governance, stranger, job_id):
    market.pause({"from": governance})
    chain.sleep(PAST_DEADLINE)

    market.claimTimeout(job_id, {"from": stranger})

    assert market.jobOf(job_id)["state"] == JobState.FAILED


def test_claim_timeout_before_the_deadline_reverts(market, stranger, job_id):
    deadline = market.jobOf(job_id)["startedAt"] + HOUR + RESULT_GRACE
    chain.sleep(HOUR + RESULT_GRACE - 60)

    with brownie.reverts(err("JobMarketDeadlineNotReached", job_id, deadline)):
        market.claimTimeout(job_id, {"from": stranger})


def test_claim_timeout_of_an_unknown_job_reverts(market, stranger):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.claimTimeout(99, {"from": stranger})


def test_claim_timeout_of_an_open_job_reverts(market, open_job, stranger):
    open_id = open_job()
    chain.sleep(PAST_DEADLINE)

    with brownie.reverts(err("JobMarketWrongState", open_id, JobState.OPEN)):
        market.claimTimeout(open_id, {"from": stranger})


def test_claim_timeout_of_a_submitted_job_reverts(market, provider, stranger, job_id):
    market.submitResult(job_id, b"\x01" * 32, "ipfs://result", {"from": provider})
    chain.sleep(PAST_DEADLINE)

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.SUBMITTED)):
        market.claimTimeout(job_id, {"from": stranger})
