import brownie
import pytest
from brownie import chain
from jobmarket_helpers import (
    ATTEST_TIMEOUT,
    COLLATERAL,
    DISPUTE_WINDOW,
    MAX_PRICE,
    PRICE,
    PROVIDER_STAKE,
    benchmark_spec,
    err,
    market_event,
)

from gpumarket.chain.types import JobState, Payout

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture(scope="module")
def job_id(submitted_job, registered_provider):
    """A submitted 1-GPU, 1-hour GMKT job (no benchmark) won by `provider` at 1 GMKT."""
    return submitted_job(registered_provider)


@pytest.fixture
def bench_id(submitted_job, registered_provider):
    """A submitted GMKT job that needs a benchmark proof."""
    return submitted_job(registered_provider, spec=benchmark_spec())


def test_record_verdict_ok_emits_verdict_recorded(market, verifier, job_id):
    tx = market.recordVerdict(job_id, True, {"from": verifier})

    assert tx.events["VerdictRecorded"] == {"jobId": job_id, "ok": True}


def test_record_verdict_ok_verifies_the_job_and_restarts_the_window(market, verifier, job_id):
    chain.sleep(600)

    tx = market.recordVerdict(job_id, True, {"from": verifier})

    job = market.jobOf(job_id)
    assert (job["state"], job["windowStart"]) == (JobState.VERIFIED, tx.timestamp)


def test_record_verdict_ok_on_a_benchmark_job_opens_the_window_before_attest_timeout(
    market, verifier, bench_id
):
    tx = market.recordVerdict(bench_id, True, {"from": verifier})

    assert market.jobOf(bench_id)["windowStart"] == tx.timestamp


def test_record_verdict_ok_after_attest_timeout_restarts_the_optimistic_window(
    market, verifier, bench_id
):
    chain.sleep(ATTEST_TIMEOUT + 3600)

    tx = market.recordVerdict(bench_id, True, {"from": verifier})

    assert market.jobOf(bench_id)["windowStart"] == tx.timestamp


def test_record_verdict_ok_moves_no_money(market, gmkt, verifier, job_id):
    tx = market.recordVerdict(job_id, True, {"from": verifier})

    assert "EscrowReleased" not in tx.events
    assert gmkt.balanceOf(market) == PRICE


def test_record_verdict_fail_refunds_the_buyer_and_splits_the_collateral(
    market, gmkt, verifier, buyer, treasury, job_id
):
    market.recordVerdict(job_id, False, {"from": verifier})

    assert gmkt.balanceOf(buyer) == MAX_PRICE + COLLATERAL // 2
    assert gmkt.balanceOf(treasury) == COLLATERAL // 2
    assert gmkt.balanceOf(market) == 0
    assert market.escrowedTotal(gmkt) == 0


def test_record_verdict_fail_emits_job_failed_and_the_refund(
    market, gmkt, verifier, buyer, provider, job_id
):
    tx = market.recordVerdict(job_id, False, {"from": verifier})

    assert tx.events["VerdictRecorded"] == {"jobId": job_id, "ok": False}
    assert market_event(tx, "JobFailed", market) == {
        "jobId": job_id,
        "provider": provider,
        "refund": PRICE,
        "slashed": COLLATERAL,
    }
    assert tx.events["EscrowReleased"] == {
        "jobId": job_id,
        "to": buyer,
        "token": gmkt,
        "amount": PRICE,
        "kind": Payout.REFUND,
    }


def test_record_verdict_fail_slashes_releases_and_jails_the_provider(
    market, registry, verifier, provider, job_id
):
    tx = market.recordVerdict(job_id, False, {"from": verifier})

    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"], info["gpusInUse"]) == (PROVIDER_STAKE - COLLATERAL, 0, 0)
    assert info["jailedUntil"] == tx.timestamp + registry.jailPeriod()
    assert (
        registry.lockOf(market, job_id)["provider"] == "0x0000000000000000000000000000000000000000"
    )


def test_record_verdict_fail_records_a_failure_and_a_slash(
    market, reputation, verifier, provider, job_id
):
    market.recordVerdict(job_id, False, {"from": verifier})

    record = reputation.providerRecord(provider)
    assert (record["failed"], record["slashed"], record["completed"]) == (1, 1, 0)


def test_record_verdict_fail_marks_the_job_failed(market, verifier, job_id):
    market.recordVerdict(job_id, False, {"from": verifier})

    job = market.jobOf(job_id)
    assert (job["state"], job["escrow"]) == (JobState.FAILED, 0)


def test_record_verdict_while_paused_is_accepted(market, governance, verifier, job_id):
    market.pause({"from": governance})

    market.recordVerdict(job_id, True, {"from": verifier})

    assert market.jobOf(job_id)["state"] == JobState.VERIFIED


def test_record_verdict_after_the_window_reverts(market, verifier, job_id):
    window_end = market.jobOf(job_id)["windowStart"] + DISPUTE_WINDOW
    chain.sleep(DISPUTE_WINDOW + 5)

    with brownie.reverts(err("JobMarketDeadlinePassed", job_id, window_end)):
        market.recordVerdict(job_id, True, {"from": verifier})


def test_record_verdict_on_a_benchmark_job_late_in_the_optimistic_window_is_accepted(
    market, verifier, bench_id
):
    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW - 60)

    market.recordVerdict(bench_id, False, {"from": verifier})

    assert market.jobOf(bench_id)["state"] == JobState.FAILED


def test_record_verdict_on_a_benchmark_job_after_the_optimistic_window_reverts(
    market, verifier, bench_id
):
    window_end = market.jobOf(bench_id)["submittedAt"] + ATTEST_TIMEOUT + DISPUTE_WINDOW
    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW + 5)

    with brownie.reverts(err("JobMarketDeadlinePassed", bench_id, window_end)):
        market.recordVerdict(bench_id, False, {"from": verifier})


def test_record_verdict_of_an_unknown_job_reverts(market, verifier):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.recordVerdict(99, True, {"from": verifier})


@pytest.mark.parametrize("caller", ["governance", "stranger"])
def test_record_verdict_by_anyone_but_the_verifier_reverts(market, job_id, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(err("JobMarketNotVerifier", account)):
        market.recordVerdict(job_id, True, {"from": account})


def test_record_verdict_on_a_running_job_reverts(market, verifier, running_job, provider):
    running_id = running_job(provider)

    with brownie.reverts(err("JobMarketWrongState", running_id, JobState.RUNNING)):
        market.recordVerdict(running_id, True, {"from": verifier})


def test_record_verdict_twice_reverts(market, verifier, job_id):
    market.recordVerdict(job_id, True, {"from": verifier})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.VERIFIED)):
        market.recordVerdict(job_id, False, {"from": verifier})


def test_record_verdict_on_a_disputed_job_reverts(market, verifier, open_dispute, job_id):
    open_dispute(job_id)

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.DISPUTED)):
        market.recordVerdict(job_id, False, {"from": verifier})
