import brownie
import pytest
from brownie import chain
from jobmarket_helpers import COLLATERAL, MAX_PRICE, err

from gpumarket.chain.types import HOUR, JobSpec, JobState

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture(scope="module")
def job_id(open_job, registered_provider):
    """A GMKT job assigned directly to `provider` at 2 GMKT per GPU-hour."""
    return open_job(direct=registered_provider)


def test_accept_job_matches_at_the_posted_price(market, job_id, provider):
    tx = market.acceptJob(job_id, {"from": provider})

    assert tx.events["JobMatched"] == {
        "jobId": job_id,
        "provider": provider,
        "price": MAX_PRICE,
        "value": MAX_PRICE,
        "collateral": COLLATERAL,
    }


def test_accept_job_refunds_nothing(market, gmkt, buyer, job_id, provider):
    tx = market.acceptJob(job_id, {"from": provider})

    assert "EscrowReleased" not in tx.events
    assert gmkt.balanceOf(buyer) == 0
    assert market.jobOf(job_id)["escrow"] == MAX_PRICE


def test_accept_job_starts_the_job_and_locks_collateral(market, registry, job_id, provider):
    tx = market.acceptJob(job_id, {"from": provider})

    job = market.jobOf(job_id)
    assert (job["state"], job["startedAt"], job["price"]) == (
        JobState.RUNNING,
        tx.timestamp,
        MAX_PRICE,
    )
    lock = registry.lockOf(market, job_id)
    assert (lock["provider"], lock["gpus"], lock["amount"]) == (provider, 1, COLLATERAL)


def test_accept_job_of_an_unknown_job_reverts(market, provider):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.acceptJob(99, {"from": provider})


def test_accept_job_by_another_account_reverts(market, make_provider, job_id, provider2):
    make_provider(provider2)

    with brownie.reverts(err("JobMarketNotProvider", job_id, provider2)):
        market.acceptJob(job_id, {"from": provider2})


def test_accept_job_of_an_open_auction_reverts(market, open_job, provider):
    auction_id = open_job()

    with brownie.reverts(err("JobMarketNotProvider", auction_id, provider)):
        market.acceptJob(auction_id, {"from": provider})


def test_accept_job_twice_reverts(market, job_id, provider):
    market.acceptJob(job_id, {"from": provider})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.RUNNING)):
        market.acceptJob(job_id, {"from": provider})


def test_accept_job_cancelled_by_the_buyer_reverts(market, buyer, job_id, provider):
    market.cancel(job_id, {"from": buyer})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.CANCELLED)):
        market.acceptJob(job_id, {"from": provider})


def test_accept_job_after_the_acceptance_window_reverts(market, job_id, provider):
    chain.sleep(HOUR + 5)

    with brownie.reverts(
        err("JobMarketDeadlinePassed", job_id, market.jobOf(job_id)["biddingEnds"])
    ):
        market.acceptJob(job_id, {"from": provider})


def test_accept_job_by_a_provider_that_does_not_match_the_spec_reverts(market, open_job, provider):
    direct_id = open_job(spec=JobSpec(gpu_count=9), direct=provider)

    with brownie.reverts(err("JobMarketNotEligible", direct_id, provider)):
        market.acceptJob(direct_id, {"from": provider})


def test_accept_job_by_a_jailed_provider_reverts(
    market, registry, registry_slasher, treasury, job_id, provider
):
    registry.slash(provider, 1, treasury, 0, {"from": registry_slasher})

    with brownie.reverts(err("JobMarketNotEligible", job_id, provider)):
        market.acceptJob(job_id, {"from": provider})


def test_accept_job_while_paused_reverts(market, governance, job_id, provider):
    market.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        market.acceptJob(job_id, {"from": provider})
