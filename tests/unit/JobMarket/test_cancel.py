import brownie
import pytest
from brownie import chain
from jobmarket_helpers import MAX_PRICE, PRICE, err

from gpumarket.chain.types import HOUR, JobState, Payout

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture(scope="module")
def job_id(open_job, registered_provider):
    """An open GMKT auction at 2 GMKT per GPU-hour with no bids."""
    return open_job()


def test_cancel_without_bids_refunds_the_whole_deposit(market, gmkt, buyer, job_id):
    market.cancel(job_id, {"from": buyer})

    assert gmkt.balanceOf(buyer) == MAX_PRICE
    assert gmkt.balanceOf(market) == 0
    assert market.escrowedTotal(gmkt) == 0


def test_cancel_emits_job_cancelled_and_the_refund(market, gmkt, buyer, job_id):
    tx = market.cancel(job_id, {"from": buyer})

    assert tx.events["JobCancelled"] == {"jobId": job_id}
    assert tx.events["EscrowReleased"] == {
        "jobId": job_id,
        "to": buyer,
        "token": gmkt,
        "amount": MAX_PRICE,
        "kind": Payout.REFUND,
    }


def test_cancel_marks_the_job_cancelled_with_no_escrow(market, buyer, job_id):
    market.cancel(job_id, {"from": buyer})

    job = market.jobOf(job_id)
    assert (job["state"], job["escrow"], job["deposit"]) == (JobState.CANCELLED, 0, MAX_PRICE)


def test_cancel_of_a_direct_assignment_before_acceptance_refunds(
    market, gmkt, buyer, open_job, provider
):
    direct_id = open_job(direct=provider)

    market.cancel(direct_id, {"from": buyer})

    assert gmkt.balanceOf(buyer) == MAX_PRICE


def test_cancel_after_bidding_with_no_eligible_bid_left_reverts(
    market, registry, buyer, job_id, provider
):
    # An auction with bids ends at closeAuction, which cancels it (and takes the walker's
    # forfeit) when no bid is eligible: cancelling would let the walker off.
    market.bid(job_id, PRICE, {"from": provider})
    registry.deregister({"from": provider})
    chain.sleep(HOUR + 5)

    with brownie.reverts(err("JobMarketHasBids", job_id)):
        market.cancel(job_id, {"from": buyer})


def test_cancel_while_paused_is_allowed(market, governance, buyer, job_id):
    market.pause({"from": governance})

    market.cancel(job_id, {"from": buyer})

    assert market.jobOf(job_id)["state"] == JobState.CANCELLED


def test_cancel_with_an_eligible_bid_while_paused_refunds(
    market, gmkt, governance, buyer, job_id, provider
):
    # No bid can be matched while the market is paused, so the deposit may leave at once.
    market.bid(job_id, PRICE, {"from": provider})
    market.pause({"from": governance})

    tx = market.cancel(job_id, {"from": buyer})

    assert tx.events["EscrowReleased"]["amount"] == MAX_PRICE
    assert gmkt.balanceOf(buyer) == MAX_PRICE
    assert market.jobOf(job_id)["state"] == JobState.CANCELLED


def test_cancel_with_bids_after_unpausing_reverts_again(
    market, governance, buyer, job_id, provider
):
    market.bid(job_id, PRICE, {"from": provider})
    market.pause({"from": governance})
    market.unpause({"from": governance})

    with brownie.reverts(err("JobMarketHasBids", job_id)):
        market.cancel(job_id, {"from": buyer})


def test_cancel_of_an_unknown_job_reverts(market, buyer):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.cancel(99, {"from": buyer})


def test_cancel_by_anyone_but_the_buyer_reverts(market, job_id, stranger):
    with brownie.reverts(err("JobMarketNotBuyer", job_id, stranger)):
        market.cancel(job_id, {"from": stranger})


def test_cancel_twice_reverts(market, buyer, job_id):
    market.cancel(job_id, {"from": buyer})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.CANCELLED)):
        market.cancel(job_id, {"from": buyer})


def test_cancel_of_a_running_job_reverts(market, buyer, running_job, provider):
    running_id = running_job(provider)

    with brownie.reverts(err("JobMarketWrongState", running_id, JobState.RUNNING)):
        market.cancel(running_id, {"from": buyer})


def test_cancel_with_bids_while_bidding_is_open_reverts(market, buyer, job_id, provider):
    market.bid(job_id, PRICE, {"from": provider})

    with brownie.reverts(err("JobMarketHasBids", job_id)):
        market.cancel(job_id, {"from": buyer})


def test_cancel_with_an_eligible_bid_after_bidding_reverts(market, buyer, job_id, provider):
    market.bid(job_id, PRICE, {"from": provider})
    chain.sleep(HOUR + 5)

    with brownie.reverts(err("JobMarketHasBids", job_id)):
        market.cancel(job_id, {"from": buyer})
