"""A provider wins a job and goes silent. After `start + duration + resultGrace` anyone claims the
timeout: the buyer is refunded in full and compensated from the provider's collateral, the
treasury takes the rest of it, and the provider is jailed with a failure on its record."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import JobSpec, JobState, Payout

from .helpers import (
    JAIL_PERIOD,
    MARGIN,
    PROVIDER_STAKE,
    RESULT_GRACE,
    USDC,
    buyer_share_of,
    collateral_of,
    cost,
    err,
    event_from,
    job_id_of,
)

#: 2 GPUs for 1.5 hours and a second, so that the collateral does not split evenly.
SPEC = JobSpec(gpu_count=2, duration=5_401)
MAX_PRICE = 4 * USDC
PRICE = 3_300_000
DEPOSIT = cost(MAX_PRICE, 2, 5_401)
VALUE = cost(PRICE, 2, 5_401)
COLLATERAL = collateral_of(2, 5_401)
BUYER_SHARE = buyer_share_of(COLLATERAL)
TREASURY_SHARE = COLLATERAL - BUYER_SHARE


@pytest.fixture(scope="module")
def providers(make_provider, provider, provider2):
    """`provider` goes silent; `provider2` serves the jobs that need a provider in good standing."""
    make_provider(provider)
    make_provider(provider2)
    return provider, provider2


@pytest.fixture(scope="module")
def running(market, buyer, post):
    """running(provider) -> id of a job that `provider` won with a bid below the max price."""

    def _running(provider, token):
        job_id = job_id_of(post(buyer, token, MAX_PRICE, SPEC))
        market.bid(job_id, PRICE, {"from": provider})
        market.acceptBid(job_id, provider, {"from": buyer})
        return job_id

    return _running


@pytest.fixture(scope="module")
def timed_out(market, usdc, stranger, providers, running):
    """`provider` never submits; a stranger claims the timeout after the result deadline."""
    job_id = running(providers[0], usdc)
    chain.sleep(SPEC.duration + RESULT_GRACE + MARGIN)
    claimed = market.claimTimeout(job_id, {"from": stranger})
    return SimpleNamespace(job_id=job_id, claimed=claimed)


def test_timeout_cannot_be_claimed_before_the_result_deadline(
    market, usdc, stranger, providers, running
):
    job_id = running(providers[1], usdc)
    job = market.jobOf(job_id)
    chain.sleep(SPEC.duration + RESULT_GRACE - MARGIN)

    with brownie.reverts(
        err("JobMarketDeadlineNotReached", job_id, job["startedAt"] + SPEC.duration + RESULT_GRACE)
    ):
        market.claimTimeout(job_id, {"from": stranger})


def test_anyone_can_claim_the_timeout_after_the_result_deadline(market, provider, timed_out):
    assert event_from(timed_out.claimed, "JobFailed", market) == {
        "jobId": timed_out.job_id,
        "provider": provider,
        "refund": VALUE,
        "slashed": COLLATERAL,
    }


def test_buyer_is_refunded_the_whole_deposit(market, usdc, buyer, timed_out):
    assert timed_out.claimed.events["EscrowReleased"] == {
        "jobId": timed_out.job_id,
        "to": buyer,
        "token": usdc,
        "amount": VALUE,
        "kind": Payout.REFUND,
    }
    assert usdc.balanceOf(buyer) == DEPOSIT


def test_collateral_is_slashed_to_the_buyer_and_the_treasury(buyer, treasury, provider, timed_out):
    slashes = timed_out.claimed.events["StakeSlashed"]

    assert [(e["provider"], e["beneficiary"], e["amount"], e["fromLocked"]) for e in slashes] == [
        (provider, buyer, BUYER_SHARE, BUYER_SHARE),
        (provider, treasury, TREASURY_SHARE, TREASURY_SHARE),
    ]


def test_buyer_receives_its_share_of_the_collateral_in_gmkt(gmkt, buyer, timed_out):
    assert gmkt.balanceOf(buyer) == BUYER_SHARE


def test_treasury_receives_the_rest_of_the_collateral_and_no_fee(gmkt, usdc, treasury, timed_out):
    assert gmkt.balanceOf(treasury) == TREASURY_SHARE
    assert usdc.balanceOf(treasury) == 0


def test_provider_loses_its_collateral_and_nothing_else(registry, usdc, provider, timed_out):
    info = registry.providerInfo(provider)

    assert (info["stake"], info["locked"], info["gpusInUse"], info["activeJobs"]) == (
        PROVIDER_STAKE - COLLATERAL,
        0,
        0,
        0,
    )
    assert usdc.balanceOf(provider) == 0


def test_market_holds_nothing_after_the_timeout(market, usdc, timed_out):
    assert usdc.balanceOf(market) == 0
    assert market.escrowedTotal(usdc) == 0


def test_job_ends_failed(market, timed_out):
    assert market.jobOf(timed_out.job_id)["state"] == JobState.FAILED


def test_timeout_cannot_be_claimed_twice(market, stranger, timed_out):
    with brownie.reverts(err("JobMarketWrongState", timed_out.job_id, JobState.FAILED)):
        market.claimTimeout(timed_out.job_id, {"from": stranger})


def test_provider_is_jailed_for_the_jail_period(registry, provider, timed_out):
    jailed_until = timed_out.claimed.timestamp + JAIL_PERIOD

    assert timed_out.claimed.events["ProviderJailed"][-1] == {
        "provider": provider,
        "until": jailed_until,
    }
    assert registry.providerInfo(provider)["jailedUntil"] == jailed_until


def test_jailed_provider_cannot_bid(market, usdc, buyer, provider, post, timed_out):
    job_id = job_id_of(post(buyer, usdc, MAX_PRICE, SPEC))

    with brownie.reverts(err("JobMarketNotEligible", job_id, provider)):
        market.bid(job_id, PRICE, {"from": provider})


def test_provider_reputation_records_a_failure_and_a_slash(reputation, provider, timed_out):
    record = reputation.providerRecord(provider)

    assert (record["completed"], record["failed"], record["slashed"]) == (0, 1, 1)
    assert reputation.score(provider) == 2_000
