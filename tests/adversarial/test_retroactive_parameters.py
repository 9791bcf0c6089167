"""Attack: changing the deal of a running job. Before the fix every step of a matched job read the
market's current parameters, so governance (or whoever held GOVERNOR_ROLE) could, after the
match: raise `protocolFeeBps` and take up to 15% of a provider's pay it had quoted at 5%; lower
`resultGrace` to a minute and time out a provider about to deliver; lower `disputeWindow` or
`attestTimeout` to close a buyer's dispute window early, or raise them to hold a provider's pay;
lower `slashBuyerShareBps` to move a failed job's compensation from the buyer to the treasury;
lower `arbitrationTimeout` to settle a dispute before the arbiter could rule; raise
`disputeBondBps` or a token's `disputeBondMin` to price a buyer out of disputing.

The rule now: a match fixes the terms version of its job (MarketGovernance.Terms: fee, slash
share, bond rate, fraud bounty and the four deadlines) and the token's minimum bond; a change
writes a new version for jobs matched later. Each test changes one term after the match, plays
the job to the step that term decides, and checks the exact old amount or time; then a job
matched after the change gets the new one.

The job: 1 GPU for 1 hour at 200 USDC (a direct assignment), so the fee is 10 USDC at 5%, the
bond 20 USDC at 10%, and the collateral 10 GMKT (5 GMKT to the buyer at 50%).
"""

from __future__ import annotations

import brownie
import pytest
from brownie import chain

from gpumarket.bench.gas import forged_commitment
from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, JobSpec, JobState
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.seeds import seed_ready

GMKT = 10**18
USDC = 10**6
DAY = 24 * HOUR
PRICE = 200 * USDC
VALUE = 200 * USDC
COLLATERAL = 10 * GMKT
BENCHMARK = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
RESULT_HASH = b"\x09" * 32
MARGIN = 60


def bps_up(amount: int, bps: int) -> int:
    return -(-amount * bps // 10_000)


@pytest.fixture(scope="module")
def host(make_provider, provider):
    return make_provider(provider)


@pytest.fixture(scope="module")
def running(market, usdc, post_job, buyer, host):
    """running(spec=JobSpec()) -> (job id, match timestamp) of a direct job `host` accepted."""

    def _running(spec=None):
        job_id = post_job(buyer, usdc, PRICE, spec or JobSpec(), bidding=DAY, provider=host)
        tx = market.acceptJob(job_id, {"from": host})
        return job_id, tx.timestamp

    return _running


@pytest.fixture(scope="module")
def submitted(market, running, host):
    """submitted(spec=JobSpec()) -> (job id, submission timestamp)."""

    def _submitted(spec=None):
        job_id, _ = running(spec)
        tx = market.submitResult(job_id, RESULT_HASH, "ipfs://r", {"from": host})
        return job_id, tx.timestamp

    return _submitted


@pytest.fixture(scope="module")
def dispute(market, usdc, fund, buyer):
    """dispute(job_id) -> the dispute tx, the buyer funded with exactly the quoted bond."""

    def _dispute(job_id):
        bond = market.disputeBondOf(job_id)
        fund(buyer, usdc, bond)
        usdc.approve(market, bond, {"from": buyer})
        return market.dispute(job_id, {"from": buyer})

    return _dispute


@pytest.fixture(scope="module")
def govern(market, governance):
    def _set(name, value):
        return market.setParameter(name32(name), value, {"from": governance})

    return _set


def test_a_fee_raised_after_the_match_is_not_charged(market, govern, submitted, stranger):
    job_id, _ = submitted()
    govern("protocolFeeBps", 1_500)
    chain.sleep(DAY + MARGIN)

    tx = market.finalize(job_id, {"from": stranger})

    assert (tx.events["JobSettled"]["payout"], tx.events["JobSettled"]["fee"]) == (
        VALUE - 10 * USDC,
        10 * USDC,
    )


def test_a_job_matched_after_a_fee_change_pays_the_new_fee(market, govern, submitted, stranger):
    govern("protocolFeeBps", 1_500)
    job_id, _ = submitted()
    chain.sleep(DAY + MARGIN)

    tx = market.finalize(job_id, {"from": stranger})

    assert tx.events["JobSettled"]["fee"] == 30 * USDC


def test_a_grace_cut_after_the_match_cannot_time_out_the_provider(
    market, govern, running, host, stranger
):
    job_id, started = running()
    govern("resultGrace", 60)
    # Thirty minutes into the old one-hour grace, 29 minutes past the new one.
    chain.sleep(HOUR + 30 * 60)

    with brownie.reverts(err("JobMarketDeadlineNotReached", job_id, started + HOUR + HOUR)):
        market.claimTimeout(job_id, {"from": stranger})
    market.submitResult(job_id, RESULT_HASH, "ipfs://r", {"from": host})

    assert market.resultDeadlineOf(job_id) == started + 2 * HOUR
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_a_dispute_window_cut_after_the_match_still_lets_the_buyer_dispute(
    market, govern, submitted, dispute
):
    job_id, at = submitted()
    govern("disputeWindow", HOUR)
    chain.sleep(2 * HOUR)

    tx = dispute(job_id)

    assert market.windowEndOf(job_id) == at + DAY
    assert tx.events["DisputeOpened"]["bond"] == 20 * USDC


def test_a_dispute_window_raised_after_the_match_does_not_hold_the_pay(
    market, govern, submitted, stranger
):
    job_id, at = submitted()
    govern("disputeWindow", 3 * DAY)
    chain.sleep(DAY + MARGIN)

    tx = market.finalize(job_id, {"from": stranger})

    assert market.windowEndOf(job_id) == at + DAY
    assert tx.events["JobSettled"]["payout"] == VALUE - 10 * USDC


def test_an_attest_timeout_cut_after_the_match_keeps_the_verdict_wait(
    market, govern, submitted, stranger
):
    job_id, at = submitted(BENCHMARK)
    govern("attestTimeout", 600)
    # Past a 10-minute wait plus the window, before the job's own 6 hours plus the window.
    chain.sleep(DAY + HOUR)

    with brownie.reverts(err("JobMarketDeadlineNotReached", job_id, at + 6 * HOUR + DAY)):
        market.finalize(job_id, {"from": stranger})
    chain.sleep(5 * HOUR + MARGIN)
    market.finalize(job_id, {"from": stranger})

    assert market.jobOf(job_id)["state"] == JobState.SETTLED


def test_a_buyer_share_cut_after_the_match_still_compensates_the_buyer(
    market, gmkt, govern, running, buyer, treasury, stranger
):
    job_id, _ = running()
    govern("slashBuyerShareBps", 0)
    chain.sleep(2 * HOUR + MARGIN)

    tx = market.claimTimeout(job_id, {"from": stranger})

    assert [(e["beneficiary"], e["amount"]) for e in tx.events["StakeSlashed"]] == [
        (buyer.address, 5 * GMKT),
        (treasury.address, 5 * GMKT),
    ]
    assert gmkt.balanceOf(buyer) == 5 * GMKT


def test_an_arbitration_timeout_cut_after_the_dispute_still_waits_for_the_arbiter(
    market, govern, submitted, dispute, arbiter, stranger
):
    job_id, _ = submitted()
    disputed_at = dispute(job_id).timestamp
    govern("arbitrationTimeout", DAY)
    chain.sleep(DAY + MARGIN)

    with brownie.reverts(err("JobMarketDeadlineNotReached", job_id, disputed_at + 14 * DAY)):
        market.finalize(job_id, {"from": stranger})
    tx = market.resolveDispute(job_id, True, {"from": arbiter})

    assert market.arbitrationEndOf(job_id) == disputed_at + 14 * DAY
    assert tx.events["DisputeResolved"]["providerAtFault"]


def test_a_bond_rate_raised_after_the_match_does_not_raise_the_bond(
    market, govern, submitted, dispute
):
    job_id, _ = submitted()
    govern("disputeBondBps", 5_000)

    tx = dispute(job_id)

    assert tx.events["DisputeOpened"]["bond"] == 20 * USDC  # 10% of 200 USDC, not 50%


def test_a_bond_minimum_raised_after_the_match_does_not_raise_the_bond(
    market, usdc, governance, submitted, dispute
):
    job_id, _ = submitted()
    market.configureToken(usdc, True, 1_000 * USDC, {"from": governance})

    tx = dispute(job_id)
    later, _ = submitted()

    assert tx.events["DisputeOpened"]["bond"] == 20 * USDC
    assert market.disputeBondOf(later) == 1_000 * USDC


def test_a_fraud_bounty_raised_after_the_match_is_not_taken(
    market, gmkt, protocol, govern, running, host, finder
):
    job_id, _ = running(BENCHMARK)
    benchmark = protocol.benchmark
    challenge = market.challengeOfJob(job_id)
    forged = forged_commitment()
    seed_ready(benchmark, challenge)
    benchmark.commit(challenge, forged.root, {"from": host})
    govern("fraudBountyBps", 10_000)

    tx = benchmark.proveFraud(
        challenge, forged.row, forged.values, list(forged.proof), {"from": finder}
    )

    assert tx.events["FraudProven"]["slashed"] == COLLATERAL + bps_up(COLLATERAL, 5_000)
    assert gmkt.balanceOf(finder) == 5 * GMKT


def test_a_collateral_rate_raised_after_the_match_is_not_slashed(market, govern, running, stranger):
    job_id, _ = running()
    govern("collateralPerGpuHour", 50 * GMKT)
    chain.sleep(2 * HOUR + MARGIN)

    tx = market.claimTimeout(job_id, {"from": stranger})

    (failed,) = [e for e in tx.events["JobFailed"] if e.address == market.address]
    assert failed["slashed"] == COLLATERAL
