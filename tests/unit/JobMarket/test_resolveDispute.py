import brownie
import pytest
from brownie import chain
from jobmarket_helpers import (
    ARBITRATION_TIMEOUT,
    COLLATERAL,
    GMKT_BOND_MIN,
    MAX_PRICE,
    PRICE,
    PROVIDER_STAKE,
    ZERO_ADDRESS,
    ceil_bps,
    err,
    market_event,
)

from gpumarket.chain.types import JobSpec, JobState, Payout

pytestmark = pytest.mark.usefixtures("registered_provider")

FEE = ceil_bps(PRICE, 500)
EXCESS = MAX_PRICE - PRICE


@pytest.fixture(scope="module")
def job_id(disputed_job, registered_provider):
    """A GMKT job won by `provider` at 1 GMKT, disputed by the buyer with the 10 GMKT bond."""
    return disputed_job(registered_provider)


# ---------------------------------------------------------------- provider at fault


def test_resolve_for_the_buyer_refunds_compensates_and_returns_the_bond(
    market, gmkt, arbiter, buyer, treasury, job_id
):
    market.resolveDispute(job_id, True, {"from": arbiter})

    assert gmkt.balanceOf(buyer) == MAX_PRICE + GMKT_BOND_MIN + COLLATERAL // 2
    assert gmkt.balanceOf(treasury) == COLLATERAL // 2
    assert gmkt.balanceOf(market) == 0
    assert market.escrowedTotal(gmkt) == 0


def test_resolve_for_the_buyer_emits_the_failure_refund_and_bond(
    market, gmkt, arbiter, buyer, provider, job_id
):
    tx = market.resolveDispute(job_id, True, {"from": arbiter})

    assert tx.events["DisputeResolved"] == {"jobId": job_id, "providerAtFault": True}
    assert market_event(tx, "JobFailed", market) == {
        "jobId": job_id,
        "provider": provider,
        "refund": PRICE,
        "slashed": COLLATERAL,
    }
    assert list(tx.events["EscrowReleased"]) == [
        {"jobId": job_id, "to": buyer, "token": gmkt, "amount": PRICE, "kind": Payout.REFUND},
        {"jobId": job_id, "to": buyer, "token": gmkt, "amount": GMKT_BOND_MIN, "kind": Payout.BOND},
    ]


def test_resolve_for_the_buyer_slashes_and_releases_the_provider(
    market, registry, arbiter, provider, job_id
):
    market.resolveDispute(job_id, True, {"from": arbiter})

    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"], info["activeJobs"]) == (
        PROVIDER_STAKE - COLLATERAL,
        0,
        0,
    )
    assert registry.lockOf(market, job_id)["provider"] == ZERO_ADDRESS


def test_resolve_for_the_buyer_records_the_lost_dispute_against_the_provider(
    market, reputation, arbiter, buyer, provider, job_id
):
    market.resolveDispute(job_id, True, {"from": arbiter})

    record = reputation.providerRecord(provider)
    assert (record["disputesLost"], record["failed"], record["slashed"]) == (1, 1, 1)
    buyer_record = reputation.buyerRecord(buyer)
    assert (buyer_record["disputesWon"], buyer_record["strikes"]) == (1, 0)


def test_resolve_for_the_buyer_marks_the_job_failed(market, arbiter, job_id):
    market.resolveDispute(job_id, True, {"from": arbiter})

    job = market.jobOf(job_id)
    assert (job["state"], job["escrow"], job["bond"]) == (JobState.FAILED, 0, 0)


# ---------------------------------------------------------------- buyer at fault


def test_resolve_for_the_provider_pays_it_the_value_and_the_bond(
    market, gmkt, arbiter, buyer, provider, treasury, job_id
):
    market.resolveDispute(job_id, False, {"from": arbiter})

    assert gmkt.balanceOf(provider) == PRICE - FEE + GMKT_BOND_MIN
    assert gmkt.balanceOf(treasury) == FEE
    assert gmkt.balanceOf(buyer) == EXCESS
    assert gmkt.balanceOf(market) == 0
    assert market.escrowedTotal(gmkt) == 0


def test_resolve_for_the_provider_emits_the_settlement_and_bond(
    market, gmkt, arbiter, provider, treasury, job_id
):
    tx = market.resolveDispute(job_id, False, {"from": arbiter})

    assert tx.events["DisputeResolved"] == {"jobId": job_id, "providerAtFault": False}
    assert tx.events["JobSettled"] == {
        "jobId": job_id,
        "provider": provider,
        "payout": PRICE - FEE,
        "fee": FEE,
    }
    assert list(tx.events["EscrowReleased"]) == [
        {
            "jobId": job_id,
            "to": provider,
            "token": gmkt,
            "amount": PRICE - FEE,
            "kind": Payout.PROVIDER,
        },
        {"jobId": job_id, "to": treasury, "token": gmkt, "amount": FEE, "kind": Payout.FEE},
        {
            "jobId": job_id,
            "to": provider,
            "token": gmkt,
            "amount": GMKT_BOND_MIN,
            "kind": Payout.BOND,
        },
    ]


def test_resolve_for_the_provider_releases_its_collateral(
    market, registry, arbiter, provider, job_id
):
    market.resolveDispute(job_id, False, {"from": arbiter})

    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"], info["activeJobs"]) == (PROVIDER_STAKE, 0, 0)


def test_resolve_for_the_provider_gives_the_buyer_a_strike(
    market, reputation, arbiter, buyer, provider, job_id
):
    market.resolveDispute(job_id, False, {"from": arbiter})

    buyer_record = reputation.buyerRecord(buyer)
    assert (buyer_record["disputesLost"], buyer_record["strikes"]) == (1, 1)
    assert buyer_record["blacklisted"] is False
    assert reputation.providerRecord(provider)["completed"] == 1


def test_resolve_for_the_provider_marks_the_job_settled(market, arbiter, job_id):
    market.resolveDispute(job_id, False, {"from": arbiter})

    job = market.jobOf(job_id)
    assert (job["state"], job["escrow"], job["bond"]) == (JobState.SETTLED, 0, 0)


def test_resolve_for_the_provider_blacklists_the_buyer_at_max_buyer_strikes(
    market, param, reputation, arbiter, buyer, disputed_job, provider, job_id
):
    param(market, "maxBuyerStrikes", 2)
    market.resolveDispute(job_id, False, {"from": arbiter})
    second = disputed_job(provider)

    tx = market.resolveDispute(second, False, {"from": arbiter})

    assert tx.events["BuyerBlacklisted"] == {"buyer": buyer}
    assert reputation.isBlacklisted(buyer)


def test_resolve_for_the_provider_at_max_strikes_stops_the_buyer_posting(
    market, param, gmkt, arbiter, buyer, job_id
):
    param(market, "maxBuyerStrikes", 1)
    market.resolveDispute(job_id, False, {"from": arbiter})

    with brownie.reverts(err("JobMarketBuyerBlacklisted", buyer)):
        market.postJob(JobSpec().as_tuple(), gmkt, PRICE, 3600, ZERO_ADDRESS, {"from": buyer})


# ---------------------------------------------------------------- timing, pause, reverts


def test_resolve_after_arbitration_timeout_is_still_allowed(market, arbiter, job_id):
    chain.sleep(ARBITRATION_TIMEOUT + 5)

    market.resolveDispute(job_id, True, {"from": arbiter})

    assert market.jobOf(job_id)["state"] == JobState.FAILED


def test_resolve_while_paused_is_allowed(market, governance, arbiter, job_id):
    market.pause({"from": governance})

    market.resolveDispute(job_id, False, {"from": arbiter})

    assert market.jobOf(job_id)["state"] == JobState.SETTLED


@pytest.mark.parametrize("caller", ["governance", "stranger"])
def test_resolve_by_anyone_but_an_arbiter_reverts(market, job_id, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(err("AccessControlUnauthorizedAccount", account, market.ARBITER_ROLE())):
        market.resolveDispute(job_id, True, {"from": account})


def test_resolve_of_an_unknown_job_reverts(market, arbiter):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.resolveDispute(99, True, {"from": arbiter})


def test_resolve_of_an_undisputed_job_reverts(market, arbiter, submitted_job, provider):
    submitted_id = submitted_job(provider)

    with brownie.reverts(err("JobMarketWrongState", submitted_id, JobState.SUBMITTED)):
        market.resolveDispute(submitted_id, True, {"from": arbiter})


def test_resolve_twice_reverts(market, arbiter, job_id):
    market.resolveDispute(job_id, True, {"from": arbiter})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.FAILED)):
        market.resolveDispute(job_id, False, {"from": arbiter})
