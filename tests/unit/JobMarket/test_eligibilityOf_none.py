"""`eligibilityOf` is NONE (0) exactly when a provider may take the job (the market has no
separate boolean view: the agent reads the reason code)."""

import pytest
from brownie import chain

from gpumarket.chain.deploy import GMKT_MIN_CREDITED_VALUE
from gpumarket.chain.types import JobSpec

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture(scope="module")
def job_id(open_job, registered_provider):
    """An open GMKT auction for 1 GPU of any model in any region."""
    return open_job()


def test_is_eligible_for_a_listed_provider_that_matches(market, job_id, provider):
    eligible = market.eligibilityOf(job_id, provider) == 0

    assert eligible is True


def test_is_eligible_for_an_unregistered_account_is_false(market, job_id, stranger):
    eligible = market.eligibilityOf(job_id, stranger) == 0

    assert eligible is False


def test_is_eligible_for_an_unknown_job_is_false(market, provider):
    eligible = market.eligibilityOf(99, provider) == 0

    assert eligible is False


def test_is_eligible_for_the_buyer_is_false(market, make_provider, buyer, job_id):
    make_provider(buyer)

    eligible = market.eligibilityOf(job_id, buyer) == 0

    assert eligible is False


def test_is_eligible_while_jailed_is_false(
    market, registry, registry_slasher, treasury, job_id, provider
):
    registry.slash(provider, 1, treasury, 0, {"from": registry_slasher})

    eligible = market.eligibilityOf(job_id, provider) == 0

    assert eligible is False


def test_is_eligible_again_once_the_jail_period_ends(
    market, registry, registry_slasher, treasury, job_id, provider
):
    registry.slash(provider, 1, treasury, 0, {"from": registry_slasher})
    chain.sleep(registry.jailPeriod() + 5)
    chain.mine()

    eligible = market.eligibilityOf(job_id, provider) == 0

    assert eligible is True


def test_is_eligible_when_the_gpus_are_taken_by_a_running_job_is_false(
    market, running_job, job_id, provider
):
    running_job(provider, spec=JobSpec(gpu_count=8))

    eligible = market.eligibilityOf(job_id, provider) == 0

    assert eligible is False


def test_is_eligible_with_free_gpus_next_to_a_running_job(market, running_job, job_id, provider):
    running_job(provider, spec=JobSpec(gpu_count=7))

    eligible = market.eligibilityOf(job_id, provider) == 0

    assert eligible is True


def test_is_eligible_with_the_min_reputation_earned(
    market, reputation, reputation_writer, gmkt, open_job, provider
):
    demanding = open_job(spec=JobSpec(min_reputation_bps=6_000))
    reputation.recordSuccess(provider, gmkt, GMKT_MIN_CREDITED_VALUE, {"from": reputation_writer})

    eligible = market.eligibilityOf(demanding, provider) == 0

    assert eligible is True


def test_is_eligible_below_the_min_reputation_is_false(
    market, reputation, reputation_writer, open_job, provider
):
    lenient = open_job(spec=JobSpec(min_reputation_bps=2_001))
    reputation.recordFailure(provider, {"from": reputation_writer})

    eligible = market.eligibilityOf(lenient, provider) == 0

    assert eligible is False


def test_is_eligible_with_the_min_verified_tops_measured(
    market, reputation, reputation_writer, open_job, provider
):
    demanding = open_job(spec=JobSpec(min_verified_tops=700))
    reputation.recordVerifiedTops(provider, 700, {"from": reputation_writer})

    eligible = market.eligibilityOf(demanding, provider) == 0

    assert eligible is True


def test_is_eligible_below_the_min_verified_tops_is_false(
    market, reputation, reputation_writer, open_job, provider
):
    demanding = open_job(spec=JobSpec(min_verified_tops=700))
    reputation.recordVerifiedTops(provider, 699, {"from": reputation_writer})

    eligible = market.eligibilityOf(demanding, provider) == 0

    assert eligible is False


def test_is_eligible_after_deregistering_is_false(market, registry, job_id, provider):
    registry.deregister({"from": provider})

    eligible = market.eligibilityOf(job_id, provider) == 0

    assert eligible is False


def test_is_eligible_after_raising_collateral_beyond_free_stake_is_false(
    market, param, job_id, provider
):
    param(market, "collateralPerGpuHour", 5_001 * 10**18)

    eligible = market.eligibilityOf(job_id, provider) == 0

    assert eligible is False
