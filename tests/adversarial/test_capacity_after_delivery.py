"""Attack: holding a provider's GPUs after its work is done. Before the fix the GPUs of a job stayed
reserved until the job settled: through the dispute window (24 hours) and, if the buyer disputed,
until the arbiter ruled or the arbitration timeout (14 days) ran out. A buyer (or a competitor
posing as one) could post a job, let it be delivered, dispute it, and keep the provider's GPUs
off the market for 15 days for the price of a bond it gets back at the timeout.

The rule now: the GPUs are free at `submitResult` (the work is over), the collateral stays locked
until the job settles or fails, and a failure after the result frees no GPU a second time.

The provider offers 2 GPUs and stakes 5,000 GMKT; every job needs both GPUs for 1 hour at
2 USDC (collateral 10 GMKT)."""

from __future__ import annotations

import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, Ineligibility, JobSpec, JobState, Offer

GMKT = 10**18
USDC = 10**6
PRICE = 2 * USDC
SPEC = JobSpec(gpu_count=2)
COLLATERAL = 20 * GMKT  # 10 GMKT per GPU-hour, 2 GPUs, 1 hour
STAKE = 5_000 * GMKT
BOND = 10 * USDC
DAY = 24 * HOUR


@pytest.fixture(scope="module")
def host(make_provider, provider):
    """A provider with 2 GPUs."""
    return make_provider(provider, offer=Offer(gpu_count=2))


@pytest.fixture(scope="module")
def direct_job(market, usdc, post_job, buyer, host):
    """direct_job() -> a running direct assignment of both of `host`'s GPUs."""

    def _job():
        job_id = post_job(buyer, usdc, PRICE, SPEC, bidding=DAY, provider=host)
        market.acceptJob(job_id, {"from": host})
        return job_id

    return _job


@pytest.fixture(scope="module")
def delivered(market, direct_job, host):
    """A job whose result `host` has submitted."""
    job_id = direct_job()
    market.submitResult(job_id, b"\x03" * 32, "ipfs://done", {"from": host})
    return job_id


def _disputed(market, usdc, fund, buyer, job_id):
    fund(buyer, usdc, BOND)
    usdc.approve(market, BOND, {"from": buyer})
    market.dispute(job_id, {"from": buyer})


def test_a_running_job_holds_its_gpus(market, registry, usdc, post_job, buyer, direct_job, host):
    direct_job()
    other = post_job(buyer, usdc, PRICE, SPEC)

    assert registry.providerInfo(host)["gpusInUse"] == 2
    assert market.eligibilityOf(other, host) == Ineligibility.FREE_GPUS


def test_a_disputed_delivery_no_longer_holds_the_gpus(
    market, registry, usdc, fund, post_job, buyer, buyer2, host, delivered
):
    _disputed(market, usdc, fund, buyer, delivered)
    chain.sleep(DAY)
    other = post_job(buyer2, usdc, PRICE, SPEC)

    # Before the fix: FREE_GPUS until the ruling or the 14-day timeout.
    assert market.eligibilityOf(other, host) == Ineligibility.NONE
    info = registry.providerInfo(host)
    assert (info["gpusInUse"], info["locked"], info["activeJobs"]) == (0, COLLATERAL, 1)


def test_the_freed_gpus_win_another_job_while_the_first_collateral_stays_locked(
    market, registry, usdc, post_job, buyer2, host, delivered
):
    other = post_job(buyer2, usdc, PRICE, SPEC)
    market.bid(other, PRICE, {"from": host})

    tx = market.acceptBid(other, host, {"from": buyer2})

    assert tx.events["CollateralLocked"]["gpus"] == 2
    info = registry.providerInfo(host)
    assert (info["gpusInUse"], info["locked"], info["activeJobs"]) == (2, 2 * COLLATERAL, 2)
    assert registry.freeStake(host) == STAKE - 2 * COLLATERAL


@pytest.mark.parametrize("failure", ["verdict_fail", "dispute_lost"])
def test_a_failure_after_the_result_frees_no_gpu_twice(
    market,
    registry,
    usdc,
    fund,
    post_job,
    buyer,
    buyer2,
    verifier,
    arbiter,
    host,
    delivered,
    failure,
):
    # The delivered job's GPUs now serve a second job.
    other = post_job(buyer2, usdc, PRICE, SPEC)
    market.bid(other, PRICE, {"from": host})
    market.acceptBid(other, host, {"from": buyer2})
    if failure == "verdict_fail":
        tx = market.recordVerdict(delivered, False, {"from": verifier})
    else:
        _disputed(market, usdc, fund, buyer, delivered)
        tx = market.resolveDispute(delivered, True, {"from": arbiter})

    assert tx.events["CollateralReleased"]["gpus"] == 0
    assert market.jobOf(delivered)["state"] == JobState.FAILED
    info = registry.providerInfo(host)
    # The second job still holds both GPUs and its collateral; the first's collateral is gone.
    assert (info["gpusInUse"], info["locked"], info["activeJobs"]) == (2, COLLATERAL, 1)
    assert info["stake"] == STAKE - COLLATERAL
    assert registry.lockOf(market, other)["gpus"] == 2


def test_settling_a_delivered_job_frees_only_its_collateral(
    market, registry, stranger, host, delivered
):
    chain.sleep(DAY + 60)

    tx = market.finalize(delivered, {"from": stranger})

    assert tx.events["CollateralReleased"]["amount"] == COLLATERAL
    info = registry.providerInfo(host)
    assert (info["gpusInUse"], info["locked"], info["activeJobs"]) == (0, 0, 0)
