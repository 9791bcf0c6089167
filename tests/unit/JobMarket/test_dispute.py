import brownie
import pytest
from brownie import chain
from jobmarket_helpers import (
    DISPUTE_WINDOW,
    GMKT_BOND_MIN,
    PRICE,
    STABLE_BOND_MIN,
    USDC,
    benchmark_spec,
    err,
)

from gpumarket.chain.types import JobState

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture(scope="module")
def job_id(submitted_job, registered_provider):
    """A submitted 1-GPU, 1-hour GMKT job won by `provider` at 1 GMKT: its bond is the minimum."""
    return submitted_job(registered_provider)


def test_dispute_pulls_the_bond_into_escrow(market, gmkt, buyer, open_dispute, job_id):
    open_dispute(job_id)

    assert gmkt.balanceOf(buyer) == PRICE  # the excess refunded at the match
    assert gmkt.balanceOf(market) == PRICE + GMKT_BOND_MIN
    assert market.escrowedTotal(gmkt) == PRICE + GMKT_BOND_MIN


def test_dispute_emits_dispute_opened_and_escrow_deposited(
    market, gmkt, buyer, open_dispute, job_id
):
    tx = open_dispute(job_id)

    assert tx.events["DisputeOpened"] == {"jobId": job_id, "buyer": buyer, "bond": GMKT_BOND_MIN}
    assert tx.events["EscrowDeposited"] == {
        "jobId": job_id,
        "from": buyer,
        "token": gmkt,
        "amount": GMKT_BOND_MIN,
    }


def test_dispute_marks_the_job_disputed(market, open_dispute, job_id):
    tx = open_dispute(job_id)

    job = market.jobOf(job_id)
    assert (job["state"], job["disputedAt"], job["bond"]) == (
        JobState.DISPUTED,
        tx.timestamp,
        GMKT_BOND_MIN,
    )


def test_dispute_bond_is_ten_percent_of_the_value_rounded_up_above_the_minimum(
    market, usdc, open_dispute, submitted_job, provider
):
    job_id = submitted_job(provider, token=usdc, price=123_456_789, max_price=200 * USDC)

    tx = open_dispute(job_id, 12_345_679)

    assert tx.events["DisputeOpened"]["bond"] == 12_345_679
    assert market.jobOf(job_id)["bond"] == 12_345_679


def test_dispute_bond_is_the_token_minimum_for_a_small_job(
    market, usdc, open_dispute, submitted_job, provider
):
    job_id = submitted_job(provider, token=usdc, price=USDC, max_price=2 * USDC)

    tx = open_dispute(job_id, STABLE_BOND_MIN)

    assert tx.events["DisputeOpened"]["bond"] == STABLE_BOND_MIN


def test_dispute_bond_follows_dispute_bond_bps(
    market, param, usdc, open_dispute, submitted_job, provider
):
    param(market, "disputeBondBps", 5_000)
    job_id = submitted_job(provider, token=usdc, price=100 * USDC, max_price=200 * USDC)

    tx = open_dispute(job_id, 50 * USDC)

    assert tx.events["DisputeOpened"]["bond"] == 50 * USDC


def test_dispute_of_a_verified_job_is_allowed(market, verifier, open_dispute, job_id):
    market.recordVerdict(job_id, True, {"from": verifier})

    open_dispute(job_id)

    assert market.jobOf(job_id)["state"] == JobState.DISPUTED


def test_dispute_of_a_benchmark_job_awaiting_its_verdict_is_allowed(
    market, open_dispute, submitted_job, provider
):
    bench_id = submitted_job(provider, spec=benchmark_spec())

    open_dispute(bench_id)

    assert market.jobOf(bench_id)["state"] == JobState.DISPUTED


def test_dispute_while_paused_is_allowed(market, governance, open_dispute, job_id):
    market.pause({"from": governance})

    open_dispute(job_id)

    assert market.jobOf(job_id)["state"] == JobState.DISPUTED


def test_dispute_after_the_window_reverts(market, buyer, job_id):
    window_end = market.jobOf(job_id)["windowStart"] + DISPUTE_WINDOW
    chain.sleep(DISPUTE_WINDOW + 5)

    with brownie.reverts(err("JobMarketDeadlinePassed", job_id, window_end)):
        market.dispute(job_id, {"from": buyer})


def test_dispute_of_an_unknown_job_reverts(market, buyer):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.dispute(99, {"from": buyer})


@pytest.mark.parametrize("caller", ["provider", "stranger"])
def test_dispute_by_anyone_but_the_buyer_reverts(market, job_id, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(err("JobMarketNotBuyer", job_id, account)):
        market.dispute(job_id, {"from": account})


def test_dispute_of_a_running_job_reverts(market, buyer, running_job, provider):
    running_id = running_job(provider)

    with brownie.reverts(err("JobMarketWrongState", running_id, JobState.RUNNING)):
        market.dispute(running_id, {"from": buyer})


def test_dispute_twice_reverts(market, buyer, open_dispute, job_id):
    open_dispute(job_id)

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.DISPUTED)):
        market.dispute(job_id, {"from": buyer})


def test_dispute_of_a_failed_job_reverts(market, verifier, buyer, job_id):
    market.recordVerdict(job_id, False, {"from": verifier})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.FAILED)):
        market.dispute(job_id, {"from": buyer})


def test_dispute_of_a_settled_job_reverts(market, buyer, job_id):
    chain.sleep(DISPUTE_WINDOW + 5)
    market.finalize(job_id, {"from": buyer})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.SETTLED)):
        market.dispute(job_id, {"from": buyer})
