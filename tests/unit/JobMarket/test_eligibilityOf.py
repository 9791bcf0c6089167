"""eligibilityOf: the reason a provider may not take a job now, one code per rule, in the order
the market checks them; NONE means it may (the agent reads it before bidding). The CLI's
sentences come from these codes (tests/cli)."""

import brownie
import pytest
from jobmarket_helpers import PRICE

from gpumarket.chain.types import Ineligibility, JobSpec, Offer
from gpumarket.testing.reverts import custom_error as err


@pytest.fixture(scope="module")
def job_id(open_job, registered_provider):
    """An open GMKT auction for 1 GPU of any model in any region."""
    return open_job()


def reason(market, job_id, provider):
    return Ineligibility(market.eligibilityOf(job_id, provider))


def test_a_listed_provider_that_matches_has_no_reason(market, job_id, registered_provider):
    code = reason(market, job_id, registered_provider)

    assert code == Ineligibility.NONE
    assert market.eligibilityOf(job_id, registered_provider) == Ineligibility.NONE


def test_the_buyer_is_refused_before_anything_else(market, job_id, buyer):
    code = reason(market, job_id, buyer)

    assert code == Ineligibility.IS_BUYER


def test_an_unregistered_account_is_not_registered(market, job_id, stranger):
    code = reason(market, job_id, stranger)

    assert code == Ineligibility.NOT_REGISTERED
    assert market.eligibilityOf(job_id, stranger) != Ineligibility.NONE


def test_an_unknown_job_names_the_first_rule_that_fails(market, registered_provider):
    code = reason(market, 99, registered_provider)

    assert code == Ineligibility.NO_PRICE_IN_TOKEN


def test_stake_below_a_raised_minimum(market, registry, param, job_id, registered_provider):
    param(registry, "minStake", 5_001 * 10**18)

    code = reason(market, job_id, registered_provider)

    assert code == Ineligibility.STAKE_BELOW_MINIMUM


def test_a_jailed_provider(market, registry, registry_slasher, treasury, job_id, provider):
    registry.slash(provider, 1, treasury, 0, {"from": registry_slasher})

    code = reason(market, job_id, provider)

    assert code == Ineligibility.JAILED


def test_no_price_in_the_job_token(market, make_provider, gmkt, usdc, open_job, provider2):
    make_provider(provider2, prices={gmkt.address: 10**18})
    usdc_job = open_job(token=usdc, max_price=2 * 10**6)

    code = reason(market, usdc_job, provider2)

    assert code == Ineligibility.NO_PRICE_IN_TOKEN


def test_another_gpu_model(market, open_job, registered_provider):
    job = open_job(spec=JobSpec(gpu_model="A100-80GB"))

    code = reason(market, job, registered_provider)

    assert code == Ineligibility.GPU_MODEL


def test_another_region(market, open_job, registered_provider):
    job = open_job(spec=JobSpec(region="US"))

    code = reason(market, job, registered_provider)

    assert code == Ineligibility.REGION


def test_too_little_vram(market, open_job, registered_provider):
    job = open_job(spec=JobSpec(min_vram_gib=81))

    code = reason(market, job, registered_provider)

    assert code == Ineligibility.VRAM


def test_too_few_free_gpus(market, running_job, job_id, registered_provider):
    running_job(registered_provider, spec=JobSpec(gpu_count=8))

    code = reason(market, job_id, registered_provider)

    assert code == Ineligibility.FREE_GPUS


def test_too_little_free_stake_for_the_collateral(market, param, job_id, registered_provider):
    param(market, "collateralPerGpuHour", 5_001 * 10**18)

    code = reason(market, job_id, registered_provider)

    assert code == Ineligibility.FREE_STAKE


def test_reputation_below_the_job_minimum(
    market, reputation, reputation_writer, open_job, registered_provider
):
    job = open_job(spec=JobSpec(min_reputation_bps=2_001))
    reputation.recordFailure(registered_provider, {"from": reputation_writer})

    code = reason(market, job, registered_provider)

    assert code == Ineligibility.REPUTATION


def test_verified_tops_below_the_job_minimum(
    market, reputation, reputation_writer, open_job, registered_provider
):
    job = open_job(spec=JobSpec(min_verified_tops=700))
    reputation.recordVerifiedTops(registered_provider, 699, {"from": reputation_writer})

    code = reason(market, job, registered_provider)

    assert code == Ineligibility.VERIFIED_TOPS


def test_the_registry_reasons_come_before_the_reputation_filters(
    market, reputation, reputation_writer, make_provider, open_job, provider2
):
    make_provider(provider2, offer=Offer(region="US"))
    job = open_job(spec=JobSpec(region="DE", min_reputation_bps=9_000))
    reputation.recordFailure(provider2, {"from": reputation_writer})

    code = reason(market, job, provider2)

    assert code == Ineligibility.REGION


def test_a_bid_refused_for_a_reason_names_the_provider(market, open_job, registered_provider):
    job = open_job(spec=JobSpec(region="US"))

    with brownie.reverts(err("JobMarketNotEligible", job, registered_provider)):
        market.bid(job, PRICE, {"from": registered_provider})
    assert reason(market, job, registered_provider) == Ineligibility.REGION
