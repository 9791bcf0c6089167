"""A fraud proof that lands after the provider submitted its result but before any verdict: the
job fails all the same, the buyer gets the whole value back, and no verdict can follow.

Runs on its own copy of the benchmark jobs of test_benchmark_fraud (`forged` carries a forged
commitment)."""

import brownie

from gpumarket.chain.types import JobState

from .helpers import RESULT_HASH, RESULT_URI, err, event_from
from .test_benchmark_fraud import COLLATERAL, VALUE, _prove
from .test_benchmark_fraud import benchmark as benchmark_fixture
from .test_benchmark_fraud import jobs as jobs_fixture

# This module's own copy of test_benchmark_fraud's fixtures (pytest finds them by value).
benchmark = benchmark_fixture
jobs = jobs_fixture


def test_fraud_proof_on_a_submitted_job_fails_it(
    market, benchmark, provider, verifier, stranger, jobs
):
    market.submitResult(jobs.forged.id, RESULT_HASH, RESULT_URI, {"from": provider})
    assert market.jobOf(jobs.forged.id)["state"] == JobState.SUBMITTED

    tx = _prove(benchmark, jobs.forged, stranger)

    assert event_from(tx, "JobFailed", market) == {
        "jobId": jobs.forged.id,
        "provider": provider,
        "refund": VALUE,
        "slashed": COLLATERAL,
    }
    assert market.jobOf(jobs.forged.id)["state"] == JobState.FAILED
    with brownie.reverts(err("JobMarketWrongState", jobs.forged.id, JobState.FAILED)):
        market.recordVerdict(jobs.forged.id, True, {"from": verifier})
