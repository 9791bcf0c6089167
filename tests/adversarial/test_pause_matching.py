"""Attack: matching through a pause. Before the fix `acceptBid` and `closeAuction` still matched
jobs while the market was paused, and `acceptJob` did not: a buyer (or anyone, at the auction's
end) could start new work, locking a bidder's collateral, in the middle of an incident the pause
was meant to contain, and the bidder had no way to take its bid back.

The rule now: a match starts new work (collateral locked, GPUs reserved, a benchmark opened), so
all three matching paths are paused alike, and the money can always leave: while paused the buyer
may cancel an open job whatever its bids (none can be matched), and every refund, timeout,
verdict, dispute and settlement path goes on (tests/integration/test_pause.py).
"""

from __future__ import annotations

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, JobState
from gpumarket.testing.reverts import custom_error as err

GMKT = 10**18
USDC = 10**6
PRICE = 2 * USDC
COLLATERAL = 10 * GMKT
MATCHES = ("acceptBid", "closeAuction", "acceptJob")


@pytest.fixture(scope="module")
def bidder(make_provider, provider):
    return make_provider(provider)


@pytest.fixture(scope="module")
def open_job(market, usdc, post_job, buyer, bidder):
    """open_job(how) -> a job ready for `how` to match it: an auction with `bidder`'s bid (past
    its bidding period for closeAuction), or a direct assignment to `bidder`."""

    def _open(how):
        direct = bidder if how == "acceptJob" else None
        job_id = post_job(buyer, usdc, PRICE, JobSpec(), bidding=HOUR, provider=direct)
        if how != "acceptJob":
            market.bid(job_id, PRICE, {"from": bidder})
        if how == "closeAuction":
            chain.sleep(HOUR + 60)
        return job_id

    return _open


def _match(market, how, job_id, buyer, bidder, stranger):
    if how == "acceptBid":
        return market.acceptBid(job_id, bidder, {"from": buyer})
    if how == "closeAuction":
        return market.closeAuction(job_id, {"from": stranger})
    return market.acceptJob(job_id, {"from": bidder})


@pytest.mark.parametrize("how", MATCHES)
def test_no_matching_path_starts_a_job_while_paused(
    market, registry, governance, open_job, buyer, bidder, stranger, how
):
    job_id = open_job(how)
    market.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        _match(market, how, job_id, buyer, bidder, stranger)

    assert market.jobOf(job_id)["state"] == JobState.OPEN
    info = registry.providerInfo(bidder)
    assert (info["locked"], info["gpusInUse"], info["activeJobs"]) == (0, 0, 0)


@pytest.mark.parametrize("how", MATCHES)
def test_every_matching_path_starts_the_job_when_not_paused(
    market, registry, governance, open_job, buyer, bidder, stranger, how
):
    job_id = open_job(how)
    market.pause({"from": governance})
    market.unpause({"from": governance})

    tx = _match(market, how, job_id, buyer, bidder, stranger)

    assert tx.events["JobMatched"]["collateral"] == COLLATERAL
    assert market.jobOf(job_id)["state"] == JobState.RUNNING
    info = registry.providerInfo(bidder)
    assert (info["locked"], info["gpusInUse"], info["activeJobs"]) == (COLLATERAL, 1, 1)


@pytest.mark.parametrize("how", MATCHES)
def test_the_buyer_gets_every_unit_back_from_a_job_the_pause_holds(
    market, usdc, governance, open_job, buyer, how
):
    job_id = open_job(how)
    market.pause({"from": governance})

    tx = market.cancel(job_id, {"from": buyer})

    # The deposit: 2 USDC per GPU-hour for 1 GPU-hour, whatever bids the job had.
    assert tx.events["EscrowReleased"]["amount"] == PRICE
    assert usdc.balanceOf(buyer) == PRICE
    assert market.jobOf(job_id)["state"] == JobState.CANCELLED


def test_a_job_with_an_eligible_bid_cannot_be_cancelled_before_its_bidding_ends_unpaused(
    market, open_job, buyer
):
    job_id = open_job("acceptBid")

    with brownie.reverts(err("JobMarketHasBids", job_id)):
        market.cancel(job_id, {"from": buyer})
