import brownie
import pytest
from brownie import chain
from jobmarket_helpers import (
    ATTEST_TIMEOUT,
    RESULT_GRACE,
    RESULT_HASH,
    RESULT_HASH_HEX,
    RESULT_URI,
    benchmark_spec,
    err,
)

from gpumarket.chain.types import HOUR, JobState

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture(scope="module")
def job_id(running_job, registered_provider):
    """A running 1-GPU, 1-hour GMKT job won by `provider`."""
    return running_job(registered_provider)


def _submit(market, job_id, sender):
    return market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": sender})


def test_submit_result_emits_result_submitted(market, job_id, provider):
    tx = _submit(market, job_id, provider)

    assert tx.events["ResultSubmitted"] == {
        "jobId": job_id,
        "provider": provider,
        "resultHash": RESULT_HASH_HEX,
        "resultURI": RESULT_URI,
    }


def test_submit_result_records_the_result_and_opens_the_window_at_once(market, job_id, provider):
    tx = _submit(market, job_id, provider)

    job = market.jobOf(job_id)
    assert job["state"] == JobState.SUBMITTED
    assert job["resultHash"] == RESULT_HASH_HEX
    assert (job["submittedAt"], job["windowStart"]) == (tx.timestamp, tx.timestamp)


def test_submit_result_of_a_benchmark_job_waits_attest_timeout_for_a_verdict(
    market, running_job, provider
):
    bench_id = running_job(provider, spec=benchmark_spec())

    tx = _submit(market, bench_id, provider)

    job = market.jobOf(bench_id)
    assert (job["submittedAt"], job["windowStart"]) == (tx.timestamp, tx.timestamp + ATTEST_TIMEOUT)


def test_submit_result_just_before_the_deadline_is_accepted(market, job_id, provider):
    chain.sleep(HOUR + RESULT_GRACE - 30)

    _submit(market, job_id, provider)

    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_submit_result_while_paused_is_accepted(market, governance, job_id, provider):
    market.pause({"from": governance})

    _submit(market, job_id, provider)

    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_submit_result_after_the_deadline_reverts(market, job_id, provider):
    deadline = market.jobOf(job_id)["startedAt"] + HOUR + RESULT_GRACE
    chain.sleep(HOUR + RESULT_GRACE + 5)

    with brownie.reverts(err("JobMarketDeadlinePassed", job_id, deadline)):
        _submit(market, job_id, provider)


def test_submit_result_of_an_unknown_job_reverts(market, provider):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        _submit(market, 99, provider)


@pytest.mark.parametrize("caller", ["buyer", "stranger"])
def test_submit_result_by_anyone_but_the_provider_reverts(market, job_id, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(err("JobMarketNotProvider", job_id, account)):
        _submit(market, job_id, account)


def test_submit_result_of_a_direct_job_not_yet_accepted_reverts(market, open_job, provider):
    direct_id = open_job(direct=provider)

    with brownie.reverts(err("JobMarketWrongState", direct_id, JobState.OPEN)):
        _submit(market, direct_id, provider)


def test_submit_result_twice_reverts(market, job_id, provider):
    _submit(market, job_id, provider)

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.SUBMITTED)):
        _submit(market, job_id, provider)
