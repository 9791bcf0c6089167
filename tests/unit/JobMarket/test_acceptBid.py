import brownie
import pytest
from brownie import chain
from jobmarket_helpers import COLLATERAL, GMKT, MAX_PRICE, PRICE, err, unit

from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout

#: 2 GPUs for 1.5 hours: a max price of 3 and a bid of 2 per GPU-hour leave an excess of 3 tokens.
SPEC = JobSpec(gpu_count=2, duration=5400)

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture
def job_id(market, open_job, registered_provider):
    """A GMKT auction at 2 GMKT per GPU-hour with `provider`'s bid of 1 GMKT."""
    job_id = open_job()
    market.bid(job_id, PRICE, {"from": registered_provider})
    return job_id


@pytest.fixture
def refund_job(market, open_job, registered_provider, pay_token):
    """SPEC in `pay_token` at 3 per GPU-hour (deposit 9) with a bid of 2 (value 6)."""
    job_id = open_job(token=pay_token, max_price=3 * unit(pay_token), spec=SPEC)
    market.bid(job_id, 2 * unit(pay_token), {"from": registered_provider})
    return job_id


def test_accept_bid_refunds_the_excess_deposit(market, buyer, provider, pay_token, refund_job):
    tx = market.acceptBid(refund_job, provider, {"from": buyer})

    assert pay_token.balanceOf(buyer) == 3 * unit(pay_token)
    assert pay_token.balanceOf(market) == 6 * unit(pay_token)
    assert market.escrowedTotal(pay_token) == 6 * unit(pay_token)
    assert tx.events["EscrowReleased"] == {
        "jobId": refund_job,
        "to": buyer,
        "token": pay_token,
        "amount": 3 * unit(pay_token),
        "kind": Payout.REFUND,
    }


def test_accept_bid_emits_job_matched(market, buyer, provider, job_id):
    tx = market.acceptBid(job_id, provider, {"from": buyer})

    assert tx.events["JobMatched"] == {
        "jobId": job_id,
        "provider": provider,
        "price": PRICE,
        "value": PRICE,
        "collateral": COLLATERAL,
    }


def test_accept_bid_starts_the_job_at_the_bid_price(market, buyer, provider, job_id):
    tx = market.acceptBid(job_id, provider, {"from": buyer})

    job = market.jobOf(job_id)
    assert job["state"] == JobState.RUNNING
    assert (job["provider"], job["price"], job["startedAt"]) == (provider, PRICE, tx.timestamp)
    assert (job["escrow"], job["collateral"]) == (PRICE, COLLATERAL)


def test_accept_bid_locks_collateral_per_gpu_hour_in_the_registry(
    market, registry, buyer, provider, open_job
):
    job_id = open_job(spec=SPEC)
    market.bid(job_id, PRICE, {"from": provider})

    market.acceptBid(job_id, provider, {"from": buyer})

    lock = registry.lockOf(market, job_id)
    assert (lock["provider"], lock["gpus"], lock["amount"]) == (provider, 2, 30 * GMKT)
    info = registry.providerInfo(provider)
    assert (info["locked"], info["gpusInUse"], info["activeJobs"]) == (30 * GMKT, 2, 1)


def test_accept_bid_at_the_max_price_refunds_nothing(market, buyer, provider, open_job):
    job_id = open_job()
    market.bid(job_id, MAX_PRICE, {"from": provider})

    tx = market.acceptBid(job_id, provider, {"from": buyer})

    assert "EscrowReleased" not in tx.events
    assert market.jobOf(job_id)["escrow"] == MAX_PRICE


def test_accept_bid_may_pick_a_higher_bid(market, make_provider, buyer, provider2, job_id):
    make_provider(provider2)
    market.bid(job_id, MAX_PRICE, {"from": provider2})

    market.acceptBid(job_id, provider2, {"from": buyer})

    assert market.jobOf(job_id)["provider"] == provider2


def test_accept_bid_after_the_bidding_period_is_allowed(market, buyer, provider, job_id):
    chain.sleep(HOUR + 5)

    market.acceptBid(job_id, provider, {"from": buyer})

    assert market.jobOf(job_id)["state"] == JobState.RUNNING


def test_accept_bid_while_paused_reverts(market, governance, buyer, provider, job_id):
    market.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        market.acceptBid(job_id, provider, {"from": buyer})


def test_accept_bid_after_unpausing_matches_the_bid(market, governance, buyer, provider, job_id):
    market.pause({"from": governance})
    market.unpause({"from": governance})

    market.acceptBid(job_id, provider, {"from": buyer})

    assert market.jobOf(job_id)["state"] == JobState.RUNNING


def test_accept_bid_on_an_unknown_job_reverts(market, buyer, provider, job_id):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.acceptBid(99, provider, {"from": buyer})


def test_accept_bid_by_anyone_but_the_buyer_reverts(market, provider, stranger, job_id):
    with brownie.reverts(err("JobMarketNotBuyer", job_id, stranger)):
        market.acceptBid(job_id, provider, {"from": stranger})


def test_accept_bid_on_a_running_job_reverts(market, buyer, provider, job_id):
    market.acceptBid(job_id, provider, {"from": buyer})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.RUNNING)):
        market.acceptBid(job_id, provider, {"from": buyer})


def test_accept_bid_of_a_provider_without_a_bid_reverts(market, buyer, provider2, job_id):
    with brownie.reverts(err("JobMarketNoBid", job_id, provider2)):
        market.acceptBid(job_id, provider2, {"from": buyer})


def test_accept_bid_of_a_provider_no_longer_eligible_reverts(
    market, registry, buyer, provider, job_id
):
    registry.deregister({"from": provider})

    with brownie.reverts(err("JobMarketNotEligible", job_id, provider)):
        market.acceptBid(job_id, provider, {"from": buyer})
