import brownie
import pytest
from brownie import chain
from jobmarket_helpers import (
    ARBITRATION_TIMEOUT,
    ATTEST_TIMEOUT,
    DISPUTE_WINDOW,
    GMKT,
    GMKT_BOND_MIN,
    MAX_PRICE,
    PRICE,
    PROVIDER_STAKE,
    USDC,
    ZERO_ADDRESS,
    benchmark_spec,
    ceil_bps,
    err,
    unit,
)

from gpumarket.chain.types import JobState, Payout

pytestmark = pytest.mark.usefixtures("registered_provider")

FEE = ceil_bps(PRICE, 500)


@pytest.fixture
def job_id(submitted_job, registered_provider):
    """A submitted 1-GPU, 1-hour GMKT job (no benchmark) won by `provider` at 1 GMKT."""
    return submitted_job(registered_provider)


@pytest.fixture
def paid_job(submitted_job, registered_provider, pay_token):
    """A submitted job in `pay_token` posted at 2 and won at 1 token per GPU-hour."""
    one = unit(pay_token)
    return submitted_job(registered_provider, token=pay_token, price=one, max_price=2 * one)


def test_finalize_after_the_window_pays_provider_and_treasury(
    market, buyer, provider, treasury, stranger, pay_token, paid_job
):
    one = unit(pay_token)
    chain.sleep(DISPUTE_WINDOW + 5)

    tx = market.finalize(paid_job, {"from": stranger})

    assert pay_token.balanceOf(provider) == one - one // 20
    assert pay_token.balanceOf(treasury) == one // 20
    assert pay_token.balanceOf(buyer) == one  # the excess refunded at the match
    assert pay_token.balanceOf(market) == 0
    assert market.escrowedTotal(pay_token) == 0
    assert tx.events["JobSettled"] == {
        "jobId": paid_job,
        "provider": provider,
        "payout": one - one // 20,
        "fee": one // 20,
    }
    assert list(tx.events["EscrowReleased"]) == [
        {
            "jobId": paid_job,
            "to": provider,
            "token": pay_token,
            "amount": one - one // 20,
            "kind": Payout.PROVIDER,
        },
        {
            "jobId": paid_job,
            "to": treasury,
            "token": pay_token,
            "amount": one // 20,
            "kind": Payout.FEE,
        },
    ]


def test_finalize_rounds_the_fee_up(market, usdc, provider, treasury, submitted_job):
    job_id = submitted_job(provider, token=usdc, price=USDC + 1, max_price=2 * USDC)
    chain.sleep(DISPUTE_WINDOW + 5)

    tx = market.finalize(job_id, {"from": provider})

    assert tx.events["JobSettled"]["fee"] == 50_001
    assert (usdc.balanceOf(provider), usdc.balanceOf(treasury)) == (USDC + 1 - 50_001, 50_001)


def test_finalize_with_a_zero_fee_pays_the_whole_value(
    market, param, gmkt, provider, submitted_job
):
    param(market, "protocolFeeBps", 0)
    job_id = submitted_job(provider)
    chain.sleep(DISPUTE_WINDOW + 5)

    tx = market.finalize(job_id, {"from": provider})

    assert tx.events["EscrowReleased"]["kind"] == Payout.PROVIDER
    assert len(tx.events["EscrowReleased"]) == 1
    assert gmkt.balanceOf(provider) == PRICE


def test_finalize_releases_the_collateral_and_the_gpus(market, registry, provider, job_id):
    chain.sleep(DISPUTE_WINDOW + 5)

    market.finalize(job_id, {"from": provider})

    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"], info["gpusInUse"], info["activeJobs"]) == (
        PROVIDER_STAKE,
        0,
        0,
        0,
    )
    assert registry.lockOf(market, job_id)["provider"] == ZERO_ADDRESS


def test_finalize_records_a_success_and_its_volume(market, reputation, gmkt, provider, job_id):
    chain.sleep(DISPUTE_WINDOW + 5)

    market.finalize(job_id, {"from": provider})

    assert reputation.providerRecord(provider)["completed"] == 1
    assert reputation.volume(provider, gmkt) == PRICE


def test_finalize_marks_the_job_settled_with_no_escrow(market, provider, job_id):
    chain.sleep(DISPUTE_WINDOW + 5)

    market.finalize(job_id, {"from": provider})

    job = market.jobOf(job_id)
    assert (job["state"], job["escrow"]) == (JobState.SETTLED, 0)


def test_finalize_while_paused_is_allowed(market, governance, provider, job_id):
    market.pause({"from": governance})
    chain.sleep(DISPUTE_WINDOW + 5)

    market.finalize(job_id, {"from": provider})

    assert market.jobOf(job_id)["state"] == JobState.SETTLED


def test_finalize_within_the_window_reverts(market, provider, job_id):
    window_end = market.jobOf(job_id)["windowStart"] + DISPUTE_WINDOW
    chain.sleep(DISPUTE_WINDOW - 60)

    with brownie.reverts(err("JobMarketDeadlineNotReached", job_id, window_end)):
        market.finalize(job_id, {"from": provider})


def test_finalize_of_a_verified_job_counts_the_window_from_the_verdict(
    market, verifier, provider, job_id
):
    chain.sleep(3600)
    verdict = market.recordVerdict(job_id, True, {"from": verifier})
    chain.sleep(DISPUTE_WINDOW - 1800)

    with brownie.reverts(
        err("JobMarketDeadlineNotReached", job_id, verdict.timestamp + DISPUTE_WINDOW)
    ):
        market.finalize(job_id, {"from": provider})


def test_finalize_of_a_verified_job_after_its_window_settles(market, verifier, provider, job_id):
    market.recordVerdict(job_id, True, {"from": verifier})
    chain.sleep(DISPUTE_WINDOW + 5)

    tx = market.finalize(job_id, {"from": provider})

    assert tx.events["JobSettled"]["payout"] == PRICE - FEE


def test_finalize_of_an_unverified_benchmark_job_waits_attest_timeout_too(
    market, submitted_job, provider
):
    bench_id = submitted_job(provider, spec=benchmark_spec())
    window_end = market.jobOf(bench_id)["submittedAt"] + ATTEST_TIMEOUT + DISPUTE_WINDOW
    chain.sleep(DISPUTE_WINDOW + 5)

    with brownie.reverts(err("JobMarketDeadlineNotReached", bench_id, window_end)):
        market.finalize(bench_id, {"from": provider})


def test_finalize_of_an_unverified_benchmark_job_settles_optimistically(
    market, gmkt, submitted_job, provider
):
    bench_id = submitted_job(provider, spec=benchmark_spec())
    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW + 5)

    market.finalize(bench_id, {"from": provider})

    assert gmkt.balanceOf(provider) == PRICE - FEE


# ---------------------------------------------------------------- a dispute the arbiter left open


def test_finalize_of_a_dispute_after_arbitration_timeout_forfeits_a_value_below_the_bond(
    market, gmkt, open_dispute, buyer, provider, treasury, stranger, job_id
):
    # Value 1 GMKT, bond 10 GMKT: each side forfeits min(bond, value) = 1 GMKT to the treasury.
    open_dispute(job_id)
    chain.sleep(ARBITRATION_TIMEOUT + 5)

    market.finalize(job_id, {"from": stranger})

    assert gmkt.balanceOf(provider) == 0
    assert gmkt.balanceOf(treasury) == 2 * PRICE
    assert gmkt.balanceOf(buyer) == MAX_PRICE - PRICE + GMKT_BOND_MIN - PRICE
    assert gmkt.balanceOf(market) == 0
    assert market.escrowedTotal(gmkt) == 0


def test_finalize_of_a_dispute_after_arbitration_timeout_each_side_forfeits_the_bond(
    market, gmkt, submitted_job, open_dispute, buyer, provider, treasury, stranger
):
    # Value 200 GMKT, bond 10% = 20 GMKT: the provider is paid 180 GMKT less its 5% fee (9).
    job_id = submitted_job(provider, price=200 * GMKT, max_price=200 * GMKT)
    bond = market.disputeBondOf(job_id)
    open_dispute(job_id, bond=bond)
    chain.sleep(ARBITRATION_TIMEOUT + 5)

    tx = market.finalize(job_id, {"from": stranger})

    assert bond == 20 * GMKT
    fee = ceil_bps(180 * GMKT, 500)
    assert fee == 9 * GMKT
    assert [dict(e) for e in tx.events["EscrowReleased"]] == [
        {"jobId": job_id, "to": provider, "token": gmkt, "amount": 171 * GMKT,
         "kind": Payout.PROVIDER},
        {"jobId": job_id, "to": treasury, "token": gmkt, "amount": fee, "kind": Payout.FEE},
        {"jobId": job_id, "to": treasury, "token": gmkt, "amount": bond, "kind": Payout.FORFEIT},
        {"jobId": job_id, "to": treasury, "token": gmkt, "amount": bond, "kind": Payout.BOND},
    ]  # fmt: skip
    assert dict(tx.events["ArbitrationTimedOut"]) == {"jobId": job_id, "forfeit": bond}
    assert dict(tx.events["JobSettled"]) == {
        "jobId": job_id,
        "provider": provider,
        "payout": 171 * GMKT,
        "fee": fee,
    }
    # Against no dispute (provider 190, treasury 10, buyer 0): each side is 20 GMKT worse off.
    assert gmkt.balanceOf(provider) == 171 * GMKT == 190 * GMKT - bond + (10 * GMKT - fee)
    assert gmkt.balanceOf(buyer) == 0
    assert gmkt.balanceOf(treasury) == 49 * GMKT
    assert market.escrowedTotal(gmkt) == 0


def test_finalize_of_a_dispute_after_arbitration_timeout_emits_the_bond_releases(
    market, gmkt, open_dispute, buyer, treasury, provider, job_id
):
    open_dispute(job_id)
    chain.sleep(ARBITRATION_TIMEOUT + 5)

    tx = market.finalize(job_id, {"from": provider})

    # Nothing to the provider (its pay, 1 GMKT, is all forfeited) and so no fee.
    assert tuple(tx.events["JobSettled"].values()) == (job_id, provider, 0, 0)
    assert [dict(e) for e in tx.events["EscrowReleased"]] == [
        {"jobId": job_id, "to": treasury, "token": gmkt, "amount": PRICE,
         "kind": Payout.FORFEIT},
        {"jobId": job_id, "to": treasury, "token": gmkt, "amount": PRICE, "kind": Payout.BOND},
        {"jobId": job_id, "to": buyer, "token": gmkt, "amount": GMKT_BOND_MIN - PRICE,
         "kind": Payout.BOND},
    ]  # fmt: skip
    assert market.jobOf(job_id)["bond"] == 0
    assert market.jobOf(job_id)["state"] == JobState.SETTLED


def test_finalize_of_a_dispute_after_arbitration_timeout_records_no_success_failure_or_strike(
    market, reputation, registry, open_dispute, buyer, provider, job_id
):
    open_dispute(job_id)
    chain.sleep(ARBITRATION_TIMEOUT + 5)

    tx = market.finalize(job_id, {"from": provider})

    assert reputation.buyerRecord(buyer)["strikes"] == 0
    record = reputation.providerRecord(provider)
    assert (record["completed"], record["credited"], record["failed"]) == (0, 0, 0)
    assert "JobCompleted" not in tx.events and "BuyerDisputeSettled" not in tx.events
    # The collateral is released: nothing slashed.
    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"], info["activeJobs"]) == (PROVIDER_STAKE, 0, 0)


def test_finalize_of_a_dispute_before_arbitration_timeout_reverts(
    market, open_dispute, provider, job_id
):
    disputed = open_dispute(job_id)
    chain.sleep(ARBITRATION_TIMEOUT - 60)

    with brownie.reverts(
        err("JobMarketDeadlineNotReached", job_id, disputed.timestamp + ARBITRATION_TIMEOUT)
    ):
        market.finalize(job_id, {"from": provider})


# ---------------------------------------------------------------- wrong states


def test_finalize_of_an_unknown_job_reverts(market, stranger):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.finalize(99, {"from": stranger})


def test_finalize_of_an_open_job_reverts(market, open_job, stranger):
    open_id = open_job()

    with brownie.reverts(err("JobMarketWrongState", open_id, JobState.OPEN)):
        market.finalize(open_id, {"from": stranger})


def test_finalize_of_a_running_job_reverts(market, running_job, provider, stranger):
    running_id = running_job(provider)

    with brownie.reverts(err("JobMarketWrongState", running_id, JobState.RUNNING)):
        market.finalize(running_id, {"from": stranger})


def test_finalize_twice_reverts(market, stranger, job_id):
    chain.sleep(DISPUTE_WINDOW + 5)
    market.finalize(job_id, {"from": stranger})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.SETTLED)):
        market.finalize(job_id, {"from": stranger})


def test_finalize_of_a_failed_job_reverts(market, verifier, stranger, job_id):
    market.recordVerdict(job_id, False, {"from": verifier})
    chain.sleep(DISPUTE_WINDOW + 5)

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.FAILED)):
        market.finalize(job_id, {"from": stranger})
