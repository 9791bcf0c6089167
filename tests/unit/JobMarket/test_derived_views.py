"""The rules clients read instead of re-deriving: disputeBondOf, resultDeadlineOf, windowEndOf,
arbitrationEndOf and collateralOf, each against the value the market then enforces."""

import brownie
import pytest
from brownie import chain
from jobmarket_helpers import (
    ARBITRATION_TIMEOUT,
    ATTEST_TIMEOUT,
    COLLATERAL,
    DISPUTE_WINDOW,
    GMKT,
    GMKT_BOND_MIN,
    PRICE,
    RESULT_GRACE,
    benchmark_spec,
    ceil_bps,
    cost,
)

from gpumarket.chain.types import HOUR, JobSpec
from gpumarket.testing.reverts import custom_error as err

pytestmark = pytest.mark.usefixtures("registered_provider")


def test_result_deadline_is_start_plus_duration_plus_grace(market, running_job, provider):
    job_id = running_job(provider)

    deadline = market.resultDeadlineOf(job_id)

    assert deadline == market.jobOf(job_id)["startedAt"] + HOUR + RESULT_GRACE


def test_result_deadline_is_the_last_second_a_result_is_accepted(market, running_job, provider):
    job_id = running_job(provider)
    deadline = market.resultDeadlineOf(job_id)
    chain.sleep(deadline - chain[-1].timestamp + 1)
    chain.mine()

    with brownie.reverts(err("JobMarketDeadlinePassed", job_id, deadline)):
        market.submitResult(job_id, b"\x01" * 32, "ipfs://r", {"from": provider})


def test_result_deadline_follows_the_grace_of_the_match(market, param, running_job, provider):
    param(market, "resultGrace", 2 * HOUR)
    job_id = running_job(provider)
    param(market, "resultGrace", 3 * HOUR)

    deadline = market.resultDeadlineOf(job_id)

    assert deadline == market.jobOf(job_id)["startedAt"] + HOUR + 2 * HOUR


def test_deadlines_of_an_open_job_are_zero(market, open_job):
    job_id = open_job()

    views = (market.resultDeadlineOf(job_id), market.windowEndOf(job_id))

    assert views == (0, 0)
    assert market.arbitrationEndOf(job_id) == 0


def test_window_end_of_a_submitted_job_without_benchmark_is_submit_plus_window(
    market, submitted_job, provider
):
    job_id = submitted_job(provider)

    end = market.windowEndOf(job_id)

    assert end == market.jobOf(job_id)["submittedAt"] + DISPUTE_WINDOW


def test_window_end_of_a_benchmark_job_waits_the_attest_timeout(market, submitted_job, provider):
    job_id = submitted_job(provider, spec=benchmark_spec())

    end = market.windowEndOf(job_id)

    assert end == market.jobOf(job_id)["submittedAt"] + ATTEST_TIMEOUT + DISPUTE_WINDOW


def test_window_end_restarts_at_the_verdict(market, verified_job, provider):
    job_id = verified_job(provider)

    end = market.windowEndOf(job_id)

    assert end == market.jobOf(job_id)["windowStart"] + DISPUTE_WINDOW
    assert market.jobOf(job_id)["windowStart"] == chain[-1].timestamp


def test_finalize_opens_exactly_at_the_window_end(market, submitted_job, provider):
    job_id = submitted_job(provider)
    end = market.windowEndOf(job_id)
    chain.sleep(end - chain[-1].timestamp - 2)
    chain.mine()

    with brownie.reverts(err("JobMarketDeadlineNotReached", job_id, end)):
        market.finalize(job_id, {"from": provider})


def test_dispute_bond_is_the_token_minimum_for_a_small_job(market, submitted_job, provider):
    job_id = submitted_job(provider)

    bond = market.disputeBondOf(job_id)

    assert bond == GMKT_BOND_MIN


def test_dispute_bond_is_a_share_of_a_large_job_value(market, submitted_job, provider):
    spec = JobSpec(gpu_count=8, duration=20 * HOUR)
    job_id = submitted_job(provider, spec=spec, price=PRICE)

    bond = market.disputeBondOf(job_id)

    assert bond == ceil_bps(cost(PRICE, 8, 20 * HOUR), 1_000) == 16 * GMKT > GMKT_BOND_MIN


def test_dispute_bond_is_what_dispute_pulls(market, param, submitted_job, open_dispute, provider):
    param(market, "disputeBondBps", 5_000)
    spec = JobSpec(gpu_count=8, duration=10 * HOUR)
    job_id = submitted_job(provider, spec=spec)
    quoted = market.disputeBondOf(job_id)

    tx = open_dispute(job_id, bond=quoted)

    assert quoted == ceil_bps(cost(PRICE, 8, 10 * HOUR), 5_000) == 40 * GMKT
    assert tx.events["DisputeOpened"]["bond"] == quoted == market.jobOf(job_id)["bond"]


def test_arbitration_end_is_dispute_plus_timeout(market, disputed_job, provider):
    job_id = disputed_job(provider)

    end = market.arbitrationEndOf(job_id)

    assert end == market.jobOf(job_id)["disputedAt"] + ARBITRATION_TIMEOUT


def test_collateral_before_the_match_is_what_a_match_would_lock(market, param, open_job):
    job_id = open_job(spec=JobSpec(gpu_count=2, duration=3 * HOUR))

    before = market.collateralOf(job_id)
    param(market, "collateralPerGpuHour", 3 * GMKT)

    assert before == 2 * 3 * COLLATERAL
    assert market.collateralOf(job_id) == 2 * 3 * 3 * GMKT


def test_collateral_after_the_match_is_what_was_locked(market, param, running_job, provider):
    job_id = running_job(provider)
    param(market, "collateralPerGpuHour", 3 * GMKT)

    locked = market.collateralOf(job_id)

    assert locked == COLLATERAL == market.jobOf(job_id)["collateral"]
