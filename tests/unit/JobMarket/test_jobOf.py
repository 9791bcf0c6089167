import pytest
from brownie import chain
from jobmarket_helpers import (
    COLLATERAL,
    GMKT_BOND_MIN,
    MAX_PRICE,
    PRICE,
    RESULT_HASH,
    RESULT_HASH_HEX,
    RESULT_URI,
    ZERO_ADDRESS,
)

from gpumarket.chain.types import HOUR, JobState

ZERO_HASH = "0x" + "00" * 32

pytestmark = pytest.mark.usefixtures("registered_provider")


def test_job_of_an_unknown_job_is_empty(market):
    job = market.jobOf(99).dict()

    assert job["state"] == JobState.NONE
    assert job["buyer"] == ZERO_ADDRESS
    assert job["deposit"] == 0


def test_job_of_an_open_job_holds_the_deposit_and_bidding_end(market, gmkt, buyer, post_job):
    job_id = post_job(buyer, gmkt, MAX_PRICE)
    posted_at = chain[-1].timestamp

    job = market.jobOf(job_id).dict()

    assert job == {
        "buyer": buyer,
        "state": JobState.OPEN,
        "biddingEnds": posted_at + HOUR,
        "token": gmkt,
        "startedAt": 0,
        "provider": ZERO_ADDRESS,
        "submittedAt": 0,
        "windowStart": 0,
        "disputedAt": 0,
        "maxPrice": MAX_PRICE,
        "price": 0,
        "deposit": MAX_PRICE,
        "escrow": MAX_PRICE,
        "collateral": 0,
        "bond": 0,
        "resultHash": ZERO_HASH,
    }


def test_job_of_a_running_job_holds_the_match(market, buyer, provider, open_job):
    job_id = open_job()
    market.bid(job_id, PRICE, {"from": provider})
    matched = market.acceptBid(job_id, provider, {"from": buyer})

    job = market.jobOf(job_id).dict()

    assert (job["state"], job["provider"], job["startedAt"]) == (
        JobState.RUNNING,
        provider,
        matched.timestamp,
    )
    assert (job["price"], job["deposit"], job["escrow"], job["collateral"]) == (
        PRICE,
        MAX_PRICE,
        PRICE,
        COLLATERAL,
    )


def test_job_of_a_submitted_job_holds_the_result(market, running_job, provider):
    job_id = running_job(provider)
    submitted = market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider})

    job = market.jobOf(job_id).dict()

    assert (job["state"], job["submittedAt"], job["windowStart"], job["resultHash"]) == (
        JobState.SUBMITTED,
        submitted.timestamp,
        submitted.timestamp,
        RESULT_HASH_HEX,
    )


def test_job_of_a_disputed_job_holds_the_bond(market, submitted_job, open_dispute, provider):
    job_id = submitted_job(provider)
    disputed = open_dispute(job_id)

    job = market.jobOf(job_id).dict()

    assert (job["state"], job["disputedAt"], job["bond"]) == (
        JobState.DISPUTED,
        disputed.timestamp,
        GMKT_BOND_MIN,
    )
