"""A job that requires a PoGEMM proof opens a benchmark challenge when its auction is matched, and
locks a fraud bounty (fraudBountyBps, 50%, of the collateral) beside the collateral. A provider
that commits a forged checkpoint-0 row can be proven fraudulent by anyone, on-chain: the job fails
at once, the buyer is refunded in full (and gets back a dispute bond) plus its share of the
collateral, the treasury takes the rest of the collateral as on any failure, the prover takes the
bounty, and the provider is jailed. An honest provider's commitment cannot be attacked this way.

Commitments are real trees (n=64, T=8, K=2) built with the Python prover over each challenge's
on-chain seed."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout
from gpumarket.pogemm import spec
from gpumarket.pogemm.backends import NumpyBackend
from gpumarket.pogemm.prover import Proof, prove
from gpumarket.testing.seeds import challenge_params

from .helpers import (
    JAIL_PERIOD,
    MARGIN,
    PROVIDER_STAKE,
    RESULT_HASH,
    RESULT_URI,
    STABLE_BOND_MIN,
    USDC,
    bond_of,
    bps_up,
    buyer_share_of,
    collateral_of,
    cost,
    err,
    event_from,
    job_id_of,
)

SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
MAX_PRICE = 3 * USDC
PRICE = 2 * USDC
DEPOSIT = cost(MAX_PRICE, 1, HOUR)
VALUE = cost(PRICE, 1, HOUR)
COLLATERAL = collateral_of(1, HOUR)
BUYER_SHARE = buyer_share_of(COLLATERAL)
#: The fraud bounty: 50% of the collateral, rounded up.
BOUNTY = bps_up(COLLATERAL, 5_000)
BOND = bond_of(VALUE, STABLE_BOND_MIN)
FORGED_ROW = 17
#: Gas of proveFraud on a job (the market fails it: refund, three slashes, the treasury's and the
#: prover's first GMKT), with about 10% headroom over the measured 312,9xx at n=64, so a
#: regression shows.
MAX_FRAUD_GAS = 345_000
FRAUD = 5  # IBenchmarkRegistry.ChallengeState.FRAUD


def _commitment(params: spec.Params, forged_row=None) -> Proof:
    """The provider's commitment to a challenge of `params`: the prover's own, or one with row
    `forged_row` of X0 complemented and every later checkpoint computed from it."""
    if forged_row is None:
        return prove(params, NumpyBackend())
    b = spec.b_matrix(params.seed, params.n)
    x = spec.x0(params.seed, params.n).copy()
    x[forged_row] = ~x[forged_row]
    rows = range(params.n)
    checkpoints = [x]
    for c in range(params.intervals):
        checkpoints.append(spec.advance(params, checkpoints[-1], rows, c, c + 1, b))
    return Proof.from_checkpoints(params, checkpoints, b)


def _fraud_args(proof: Proof, row: int) -> tuple:
    reveal = proof.reveal(0, row)
    return row, reveal.row, list(reveal.proof)


@pytest.fixture(scope="module")
def benchmark(protocol):
    return protocol.benchmark


@pytest.fixture(scope="module")
def jobs(
    market,
    benchmark,
    usdc,
    buyer,
    buyer2,
    buyer3,
    provider,
    provider2,
    make_provider,
    post,
    open_dispute,
):
    """Three benchmark jobs in USDC won by auction at PRICE: `forged` (buyer, provider) running
    with a forged commitment, `honest` (buyer3, provider2) running with an honest one, and
    `disputed` (buyer2, provider) forged, submitted and disputed."""
    make_provider(provider)
    make_provider(provider2)
    winners = {
        "forged": (buyer, provider),
        "honest": (buyer3, provider2),
        "disputed": (buyer2, provider),
    }
    ids = {}
    for name, (job_buyer, winner) in winners.items():
        ids[name] = job_id_of(post(job_buyer, usdc, MAX_PRICE, SPEC))
        market.bid(ids[name], PRICE, {"from": winner})
    chain.sleep(HOUR + MARGIN)
    matched = {name: market.closeAuction(ids[name], {"from": winners[name][0]}) for name in ids}
    proofs = {}
    for name, (_, winner) in winners.items():
        challenge_id = market.challengeOfJob(ids[name])
        forged_row = None if name == "honest" else FORGED_ROW
        proofs[name] = _commitment(challenge_params(benchmark, challenge_id), forged_row)
        benchmark.commit(challenge_id, proofs[name].root, {"from": winner})
    market.submitResult(ids["disputed"], RESULT_HASH, RESULT_URI, {"from": provider})
    open_dispute(ids["disputed"])
    return SimpleNamespace(
        **{
            name: SimpleNamespace(
                id=ids[name],
                challenge=market.challengeOfJob(ids[name]),
                proof=proofs[name],
                matched=matched[name],
            )
            for name in ids
        }
    )


def _prove(benchmark, job, prover, row=FORGED_ROW):
    return benchmark.proveFraud(job.challenge, *_fraud_args(job.proof, row), {"from": prover})


def test_auction_match_opens_a_challenge_for_the_winner(market, benchmark, provider, jobs):
    opened = jobs.forged.matched.events["ChallengeOpened"]

    assert jobs.forged.challenge != 0
    assert (opened["challengeId"], opened["subject"], opened["provider"]) == (
        jobs.forged.challenge,
        jobs.forged.id,
        provider,
    )
    challenge = benchmark.challengeOf(jobs.forged.challenge)
    assert (challenge["provider"], challenge["subject"]) == (provider, jobs.forged.id)
    assert (challenge["n"], challenge["steps"], challenge["interval"]) == (64, 8, 2)


def test_each_benchmark_job_gets_its_own_challenge(benchmark, provider2, jobs):
    challenges = {jobs.forged.challenge, jobs.honest.challenge, jobs.disputed.challenge}

    assert len(challenges) == 3
    challenge = benchmark.challengeOf(jobs.honest.challenge)
    assert (challenge["provider"], challenge["subject"]) == (provider2, jobs.honest.id)


def test_fraud_proof_fails_the_job(market, benchmark, provider, stranger, jobs):
    tx = _prove(benchmark, jobs.forged, stranger)

    assert event_from(tx, "JobFailed", market) == {
        "jobId": jobs.forged.id,
        "provider": provider,
        "refund": VALUE,
        "slashed": COLLATERAL + BOUNTY,
    }
    proven = tx.events["FraudProven"]
    assert (proven["challengeId"], proven["provider"], proven["prover"], proven["row"]) == (
        jobs.forged.challenge,
        provider,
        stranger,
        FORGED_ROW,
    )
    assert market.jobOf(jobs.forged.id)["state"] == JobState.FAILED
    assert benchmark.challengeOf(jobs.forged.challenge)["state"] == FRAUD


def test_fraud_proof_refunds_the_buyer_in_full_with_a_share_of_the_collateral(
    benchmark, usdc, gmkt, buyer, stranger, jobs
):
    tx = _prove(benchmark, jobs.forged, stranger)

    assert [(e["to"], e["amount"], e["kind"]) for e in tx.events["EscrowReleased"]] == [
        (buyer, VALUE, Payout.REFUND)
    ]
    assert (usdc.balanceOf(buyer), gmkt.balanceOf(buyer)) == (DEPOSIT, BUYER_SHARE)


def test_fraud_prover_receives_the_bounty_and_the_treasury_the_rest_of_the_collateral(
    benchmark, usdc, gmkt, treasury, stranger, jobs
):
    _prove(benchmark, jobs.forged, stranger)

    assert gmkt.balanceOf(stranger) == BOUNTY
    assert (gmkt.balanceOf(treasury), usdc.balanceOf(treasury)) == (COLLATERAL - BUYER_SHARE, 0)


def test_fraud_proof_slashes_the_jobs_collateral_and_bounty_and_jails_the_provider(
    benchmark, registry, provider, stranger, jobs
):
    tx = _prove(benchmark, jobs.forged, stranger)

    assert [(e["lockId"], e["amount"], e["fromLocked"]) for e in tx.events["StakeSlashed"]] == [
        (jobs.forged.id, BUYER_SHARE, BUYER_SHARE),
        (jobs.forged.id, COLLATERAL - BUYER_SHARE, COLLATERAL - BUYER_SHARE),
        (jobs.forged.id, BOUNTY, BOUNTY),
    ]
    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"], info["jailedUntil"]) == (
        PROVIDER_STAKE - COLLATERAL - BOUNTY,
        COLLATERAL + BOUNTY,  # the disputed job's collateral and bounty stay locked
        tx.timestamp + JAIL_PERIOD,
    )


def test_fraud_proof_records_a_failure_and_a_slash(benchmark, reputation, provider, stranger, jobs):
    _prove(benchmark, jobs.forged, stranger)

    assert tuple(reputation.providerRecord(provider))[:3] == (0, 1, 1)


@pytest.mark.parametrize("row", [0, FORGED_ROW, 63])
def test_honest_providers_tree_cannot_be_proven_fraudulent(benchmark, stranger, jobs, row):
    with brownie.reverts(err("BenchmarkRegistryNoFraud", jobs.honest.challenge, row)):
        _prove(benchmark, jobs.honest, stranger, row)


@pytest.mark.parametrize("caller", ["stranger", "buyer", "governance"])
def test_on_benchmark_fraud_from_anyone_but_the_registry_reverts(market, jobs, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(err("JobMarketNotBenchmarkRegistry", account)):
        market.onBenchmarkFraud(jobs.forged.id, account, {"from": account})


def test_fraud_on_a_disputed_job_returns_the_bond(market, benchmark, usdc, buyer2, stranger, jobs):
    tx = _prove(benchmark, jobs.disputed, stranger)

    assert [(e["to"], e["amount"], e["kind"]) for e in tx.events["EscrowReleased"]] == [
        (buyer2, VALUE, Payout.REFUND),
        (buyer2, BOND, Payout.BOND),
    ]
    assert usdc.balanceOf(buyer2) == DEPOSIT + BOND
    job = market.jobOf(jobs.disputed.id)
    assert (job["state"], job["bond"]) == (JobState.FAILED, 0)


def test_fraud_proof_on_a_submitted_job_fails_it(
    market, benchmark, provider, verifier, stranger, jobs
):
    market.submitResult(jobs.forged.id, RESULT_HASH, RESULT_URI, {"from": provider})
    assert market.jobOf(jobs.forged.id)["state"] == JobState.SUBMITTED

    tx = _prove(benchmark, jobs.forged, stranger)

    assert event_from(tx, "JobFailed", market) == {
        "jobId": jobs.forged.id,
        "provider": provider,
        "refund": VALUE,
        "slashed": COLLATERAL + BOUNTY,
    }
    assert market.jobOf(jobs.forged.id)["state"] == JobState.FAILED
    with brownie.reverts(err("JobMarketWrongState", jobs.forged.id, JobState.FAILED)):
        market.recordVerdict(jobs.forged.id, True, {"from": verifier})


def test_fraud_proof_after_an_ok_verdict_still_fails_the_job(
    market, benchmark, provider, verifier, stranger, jobs
):
    market.submitResult(jobs.forged.id, RESULT_HASH, RESULT_URI, {"from": provider})
    market.recordVerdict(jobs.forged.id, True, {"from": verifier})

    tx = _prove(benchmark, jobs.forged, stranger)

    assert event_from(tx, "JobFailed", market)["refund"] == VALUE
    assert market.jobOf(jobs.forged.id)["state"] == JobState.FAILED


def test_fraud_proof_on_a_job_that_already_failed_reverts(
    market, benchmark, provider, verifier, stranger, jobs
):
    market.submitResult(jobs.forged.id, RESULT_HASH, RESULT_URI, {"from": provider})
    market.recordVerdict(jobs.forged.id, False, {"from": verifier})

    with brownie.reverts(err("JobMarketWrongState", jobs.forged.id, JobState.FAILED)):
        _prove(benchmark, jobs.forged, stranger)


def test_fraud_proof_works_while_the_market_is_paused(
    market, benchmark, governance, stranger, jobs
):
    market.pause({"from": governance})

    _prove(benchmark, jobs.forged, stranger)

    assert market.jobOf(jobs.forged.id)["state"] == JobState.FAILED


def test_fraud_proof_gas_on_a_job(benchmark, stranger, jobs):
    tx = _prove(benchmark, jobs.forged, stranger)

    assert tx.gas_used <= MAX_FRAUD_GAS
