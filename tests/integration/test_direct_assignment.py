"""A direct assignment (Render style): the buyer names the provider when posting, that provider
accepts at the posted price, and the job settles like any other. No one else can take it."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout

from .helpers import (
    DISPUTE_WINDOW,
    GMKT,
    MARGIN,
    PROVIDER_STAKE,
    RESULT_HASH,
    RESULT_URI,
    collateral_of,
    cost,
    err,
    fee_of,
    job_id_of,
)

#: 4 GPUs for 2 hours at 1.5 GMKT per GPU-hour, paid in GMKT.
SPEC = JobSpec(gpu_count=4, duration=2 * HOUR)
PRICE = 3 * GMKT // 2
VALUE = cost(PRICE, 4, 2 * HOUR)
FEE = fee_of(VALUE)
COLLATERAL = collateral_of(4, 2 * HOUR)


@pytest.fixture(scope="module")
def providers(make_provider, provider, provider2):
    """`provider` is the one the buyer names; `provider2` is registered and would be eligible."""
    make_provider(provider)
    make_provider(provider2)
    return provider, provider2


@pytest.fixture(scope="module")
def direct(market, registry, gmkt, buyer, stranger, providers, post):
    """Posts a direct assignment to `provider`, which accepts, submits and is paid."""
    provider = providers[0]
    posted = post(buyer, gmkt, PRICE, SPEC, provider=provider)
    job_id = job_id_of(posted)
    state_open = market.jobOf(job_id)["state"]
    accepted = market.acceptJob(job_id, {"from": provider})
    at_match = SimpleNamespace(
        state=market.jobOf(job_id)["state"],
        provider=registry.providerInfo(provider),
        buyer_gmkt=gmkt.balanceOf(buyer),
        market_gmkt=gmkt.balanceOf(market),
    )
    market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider})
    state_submitted = market.jobOf(job_id)["state"]
    chain.sleep(DISPUTE_WINDOW + MARGIN)
    finalized = market.finalize(job_id, {"from": stranger})
    return SimpleNamespace(
        job_id=job_id,
        posted=posted,
        accepted=accepted,
        finalized=finalized,
        at_match=at_match,
        states=[state_open, at_match.state, state_submitted, market.jobOf(job_id)["state"]],
    )


@pytest.fixture
def open_direct_job(gmkt, buyer, provider, providers, post):
    """A fresh direct assignment to `provider`, not yet accepted."""
    return job_id_of(post(buyer, gmkt, PRICE, SPEC, provider=provider))


def test_posted_job_names_its_provider(gmkt, buyer, provider, direct):
    assert direct.posted.events["JobPosted"] == {
        "jobId": direct.job_id,
        "buyer": buyer,
        "token": gmkt,
        "deposit": VALUE,
        "maxPrice": PRICE,
        "provider": provider,
    }


def test_designated_provider_accepts_at_the_posted_price(provider, direct):
    assert direct.accepted.events["JobMatched"] == {
        "jobId": direct.job_id,
        "provider": provider,
        "price": PRICE,
        "value": VALUE,
        "collateral": COLLATERAL,
    }


def test_accepting_refunds_nothing_and_keeps_the_whole_deposit(direct):
    assert "EscrowReleased" not in direct.accepted.events
    assert direct.at_match.buyer_gmkt == 0
    assert direct.at_match.market_gmkt == VALUE


def test_accepting_locks_the_provider_collateral(direct):
    assert (direct.at_match.provider["locked"], direct.at_match.provider["gpusInUse"]) == (
        COLLATERAL,
        4,
    )


def test_finalize_pays_provider_and_treasury(gmkt, buyer, provider, treasury, direct):
    assert direct.finalized.events["JobSettled"] == {
        "jobId": direct.job_id,
        "provider": provider,
        "payout": VALUE - FEE,
        "fee": FEE,
    }
    assert [
        (e["to"], e["amount"], e["kind"]) for e in direct.finalized.events["EscrowReleased"]
    ] == [
        (provider, VALUE - FEE, Payout.PROVIDER),
        (treasury, FEE, Payout.FEE),
    ]
    assert gmkt.balanceOf(provider) == VALUE - FEE
    assert gmkt.balanceOf(treasury) == FEE
    assert gmkt.balanceOf(buyer) == 0


def test_market_holds_nothing_after_settlement(market, gmkt, direct):
    assert gmkt.balanceOf(market) == 0
    assert market.escrowedTotal(gmkt) == 0


def test_provider_stake_is_whole_and_unlocked_after_settlement(registry, provider, direct):
    info = registry.providerInfo(provider)

    assert (info["stake"], info["locked"], info["gpusInUse"]) == (PROVIDER_STAKE, 0, 0)


def test_job_moves_from_open_to_settled(direct):
    assert direct.states == [JobState.OPEN, JobState.RUNNING, JobState.SUBMITTED, JobState.SETTLED]


def test_provider_reputation_records_the_completed_job(reputation, gmkt, provider, direct):
    assert reputation.providerRecord(provider)["completed"] == 1
    assert reputation.volume(provider, gmkt) == VALUE


def test_non_designated_provider_cannot_accept(market, provider2, open_direct_job):
    with brownie.reverts(err("JobMarketNotProvider", open_direct_job, provider2)):
        market.acceptJob(open_direct_job, {"from": provider2})


def test_non_designated_provider_cannot_bid(market, provider2, open_direct_job):
    with brownie.reverts(err("JobMarketDirectAssignment", open_direct_job)):
        market.bid(open_direct_job, PRICE, {"from": provider2})


def test_designated_provider_cannot_accept_after_its_acceptance_window(
    market, provider, open_direct_job
):
    bidding_ends = market.jobOf(open_direct_job)["biddingEnds"]
    chain.sleep(HOUR + MARGIN)

    with brownie.reverts(err("JobMarketDeadlinePassed", open_direct_job, bidding_ends)):
        market.acceptJob(open_direct_job, {"from": provider})
