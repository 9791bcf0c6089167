"""The vote that reaches the quorum on a job passes the verdict to the market as its verifier:
OK verifies a submitted benchmark job, FAIL refunds the buyer and slashes the provider's
collateral. A verdict the market refuses (a job not submitted, an unknown job, a window that has
passed) is still final, with `applied == false` and the market's revert reason in
CallbackFailed."""

import pytest
from brownie import chain

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import JobState, Payout

from .helpers import (
    ATTEST_TIMEOUT,
    BENCHMARK_SPEC,
    COLLATERAL,
    DISPUTE_WINDOW,
    PRICE,
    PROVIDER_STAKE,
    QUORUM,
    Tally,
    Verdict,
    bits,
    event,
    from_contract,
    revert_data,
    tally_of,
    vote_all,
)

pytestmark = pytest.mark.usefixtures("seated")

WRONG_STATE = "JobMarketWrongState(uint256,uint8)"


@pytest.fixture(scope="module")
def job_id(submitted_bench_job):
    return submitted_bench_job()


def test_ok_quorum_verifies_the_job(council, market, members, job_id):
    tx = vote_all(council, members[:QUORUM], job_id, Verdict.OK)

    assert from_contract(tx, "VerdictRecorded", market) == [{"jobId": job_id, "ok": True}]
    job = market.jobOf(job_id)
    assert (job["state"], job["windowStart"]) == (JobState.VERIFIED, tx.timestamp)


def test_applied_ok_verdict_is_final_and_marked_applied(council, members, job_id):
    tx = vote_all(council, members[:QUORUM], job_id, Verdict.OK)

    assert event(tx, "VerdictReached") == {
        "subject": job_id,
        "version": 1,
        "verdict": Verdict.OK,
        "tops": 0,
        "applied": True,
    }
    assert "CallbackFailed" not in tx.events
    assert tally_of(council, job_id) == Tally(1, bits(0, 1, 2, 3), 0, 0, Verdict.OK, True)


def test_votes_below_the_quorum_leave_the_job_submitted(council, market, members, job_id):
    tx = vote_all(council, members[: QUORUM - 1], job_id, Verdict.FAIL)

    assert "VerdictRecorded" not in tx.events
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_fail_quorum_fails_the_job_and_refunds_the_buyer(
    council, market, gmkt, members, buyer, provider, job_id
):
    tx = vote_all(council, members[:QUORUM], job_id, Verdict.FAIL)

    assert from_contract(tx, "VerdictRecorded", market) == [{"jobId": job_id, "ok": False}]
    assert from_contract(tx, "JobFailed", market) == [
        {"jobId": job_id, "provider": provider.address, "refund": PRICE, "slashed": COLLATERAL}
    ]
    assert from_contract(tx, "EscrowReleased", market) == [
        {
            "jobId": job_id,
            "to": buyer.address,
            "token": gmkt.address,
            "amount": PRICE,
            "kind": Payout.REFUND,
        }
    ]
    assert market.jobOf(job_id)["state"] == JobState.FAILED
    assert event(tx, "VerdictReached")["applied"] is True


def test_fail_quorum_slashes_the_collateral_to_the_buyer_and_treasury(
    council, registry, gmkt, members, buyer, treasury, provider, job_id
):
    vote_all(council, members[:QUORUM], job_id, Verdict.FAIL)

    assert gmkt.balanceOf(buyer) == PRICE + COLLATERAL // 2
    assert gmkt.balanceOf(treasury) == COLLATERAL // 2
    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"]) == (PROVIDER_STAKE - COLLATERAL, 0)


def test_verdict_on_a_running_job_is_final_but_not_applied(
    council, market, gmkt, post_job, buyer, listed_provider, members
):
    running = post_job(buyer, gmkt, PRICE, spec=BENCHMARK_SPEC, provider=listed_provider)
    market.acceptJob(running, {"from": listed_provider})

    tx = vote_all(council, members[:QUORUM], running, Verdict.OK)

    assert event(tx, "CallbackFailed") == {
        "subject": running,
        "reason": revert_data(WRONG_STATE, running, JobState.RUNNING),
    }
    assert event(tx, "VerdictReached")["applied"] is False
    assert tally_of(council, running) == Tally(1, bits(0, 1, 2, 3), 0, 0, Verdict.OK, False)
    assert market.jobOf(running)["state"] == JobState.RUNNING


def test_verdict_on_an_open_job_is_final_but_not_applied(
    council, market, gmkt, post_job, buyer, members
):
    open_id = post_job(buyer, gmkt, PRICE, spec=BENCHMARK_SPEC)

    tx = vote_all(council, members[:QUORUM], open_id, Verdict.FAIL)

    assert event(tx, "CallbackFailed")["reason"] == revert_data(WRONG_STATE, open_id, JobState.OPEN)
    assert (council.isFinal(open_id), tally_of(council, open_id).applied) == (True, False)
    assert market.jobOf(open_id)["state"] == JobState.OPEN


def test_verdict_on_an_unknown_job_is_final_but_not_applied(council, members, job_id):
    unknown = job_id + 1

    tx = vote_all(council, members[:QUORUM], unknown, Verdict.OK)

    assert event(tx, "CallbackFailed") == {
        "subject": unknown,
        "reason": revert_data("JobMarketUnknownJob(uint256)", unknown),
    }
    assert event(tx, "VerdictReached")["applied"] is False


def test_verdict_after_the_optimistic_window_is_final_but_not_applied(
    council, market, members, job_id
):
    deadline = market.jobOf(job_id)["submittedAt"] + ATTEST_TIMEOUT + DISPUTE_WINDOW
    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW + 60)

    tx = vote_all(council, members[:QUORUM], job_id, Verdict.FAIL)

    assert event(tx, "CallbackFailed")["reason"] == revert_data(
        "JobMarketDeadlinePassed(uint256,uint64)", job_id, deadline
    )
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_verdict_the_market_no_longer_takes_from_the_council_is_not_applied(
    council, market, governance, verifier, members, job_id
):
    market.setAddress(name32("verifier"), verifier, {"from": governance})

    tx = vote_all(council, members[:QUORUM], job_id, Verdict.OK)

    assert event(tx, "CallbackFailed")["reason"] == revert_data(
        "JobMarketNotVerifier(address)", int(council.address, 16)
    )
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_verdict_reaches_a_paused_market(council, market, governance, members, job_id):
    market.pause({"from": governance})

    tx = vote_all(council, members[:QUORUM], job_id, Verdict.OK)

    assert event(tx, "VerdictReached")["applied"] is True
    assert market.jobOf(job_id)["state"] == JobState.VERIFIED
