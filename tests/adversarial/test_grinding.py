"""Attack: a provider that skipped part of its PoGEMM work picks its own samples, by building the
block they come from or by waiting for another one.

The seeds (DESIGN 5.4). The sampling seed is the hash of the block after the commitment: a
provider that builds that block (or bribes its builder) can try candidate blocks and publish one
whose samples miss its skipped units. The on-chain sample count, `sampleCount(K)`, is set so that
2^40 candidates buy a half-work cheater a pass with probability 2^-20 at most; here the grinder
tries 1,024 candidate blocks (the builder's freedom: another timestamp gives another hash). A
provider that dislikes its samples may instead wait: before this issue, a seed left unstored for
256 blocks re-armed on a fresh block. Now it fails the challenge, and no second seed exists.

The cheats, at the test sizes (n = 64, T = 8, K = 2: C = 4 intervals, 256 units, S = 103 samples):
`skipped_last_interval` copies checkpoint 3 for checkpoint 4 (three quarters of the work, f = 3/4);
`skipped_half` copies checkpoint 2 for checkpoints 3 and 4 (half the work, f = 1/2). The job:
1 GPU for 1 hour at 2 USDC, direct assignment; collateral 10 GMKT (buyer share 5 GMKT), so a
failed job costs the provider 10 GMKT of stake whichever seed it gets.
"""

from __future__ import annotations

import brownie
import pytest
from brownie import chain, web3

from gpumarket.chain.types import HOUR, JobSpec, JobState
from gpumarket.pogemm import soundness, spec
from gpumarket.pogemm.prover import Proof
from gpumarket.pogemm.verifier import VerdictReason, derive_samples, verify
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.seeds import challenge_params, mine_until

GMKT = 10**18
USDC = 10**6
PRICE = 2 * USDC
SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
COLLATERAL = 10 * GMKT
BUYER_SHARE = 5 * GMKT
STAKE = 5_000 * GMKT
RESULT_HASH = b"\x07" * 32
#: Candidate blocks the grinder builds after its commitment.
CANDIDATES = 1_024
#: v1's sample count, before S depended on K and on grinding.
V1_SAMPLES = 16
FAILED = 4  # IBenchmarkRegistry.ChallengeState


@pytest.fixture(scope="module")
def attacker(make_provider, provider):
    """The cheating provider: 5,000 GMKT staked."""
    return make_provider(provider)


@pytest.fixture(scope="module")
def cheat(market, benchmark, usdc, fund, buyer, attacker):
    """cheat(copies) -> (job id, challenge id, params, proof, census): a job assigned to the
    attacker and accepted, whose commitment (not sent yet) computes the intervals up to C −
    `copies` honestly and copies that checkpoint for the last `copies` ones."""

    def _cheat(copies: int):
        deposit = market.costOf(PRICE, 1, HOUR)
        fund(buyer, usdc, deposit)
        usdc.approve(market, deposit, {"from": buyer})
        posted = market.postJob(SPEC.as_tuple(), usdc, PRICE, HOUR, attacker, {"from": buyer})
        job_id = posted.events["JobPosted"]["jobId"]
        market.acceptJob(job_id, {"from": attacker})
        challenge_id = market.challengeOfJob(job_id)
        params = challenge_params(benchmark, challenge_id)
        b = spec.b_matrix(params.seed, params.n)
        rows = range(params.n)
        checkpoints = [spec.x0(params.seed, params.n)]
        for c in range(params.intervals - copies):
            checkpoints.append(spec.advance(params, checkpoints[-1], rows, c, c + 1, b))
        checkpoints += [checkpoints[-1]] * copies
        proof = Proof.from_checkpoints(params, checkpoints, b)
        census = soundness.consistent_units(params, checkpoints, b)
        return job_id, challenge_id, params, proof, census

    return _cheat


def market_event(tx, name: str, contract):
    """The one `name` event `contract` emitted (Reputation has a `JobFailed` too)."""
    (only,) = [e for e in tx.events[name] if e.address == contract.address]
    return only


def passes(census, sampling_seed: bytes, params: spec.Params, samples: int) -> bool:
    """Whether every sampled unit is consistent: exactly when the verifier passes."""
    positions = derive_samples(sampling_seed, params, samples)
    return all(census.consistent[c, i] for c, i in positions)


def candidate_seeds(commit_block: int, count: int) -> list[tuple[int, bytes]]:
    """The builder's candidates for block commitBlock + 1: (timestamp, hash) for `count`
    timestamps, each block built on a snapshot and thrown away."""
    parent = web3.eth.get_block(commit_block)["timestamp"]
    found = []
    for k in range(1, count + 1):
        snapshot = web3.provider.make_request("evm_snapshot", [])["result"]
        web3.provider.make_request("evm_mine", [parent + k])
        found.append((parent + k, bytes(web3.eth.get_block(commit_block + 1)["hash"])))
        assert web3.provider.make_request("evm_revert", [snapshot])["result"] is True
    return found


def test_the_sample_count_is_the_chains_and_covers_a_2_40_grinder(benchmark):
    samples = benchmark.sampleCount(SPEC.benchmark_k)

    assert samples == soundness.sample_count(SPEC.benchmark_k) == 103
    phi = soundness.max_consistent_fraction(0.5, SPEC.benchmark_k)
    assert soundness.GRINDING_ATTEMPTS * phi**samples <= 2**-20


@pytest.mark.parametrize(
    "copies, consistent",
    [(1, 0.75), (2, 0.5)],
    ids=["skipped_last_interval", "skipped_half"],
)
def test_grinding_1024_candidate_blocks_finds_no_passing_seed(
    market, benchmark, registry, usdc, gmkt, buyer, attacker, verifier, cheat, copies, consistent
):
    job_id, challenge_id, params, proof, census = cheat(copies)
    samples = benchmark.sampleCount(params.interval)
    commit = benchmark.commit(challenge_id, proof.root, {"from": attacker})

    candidates = candidate_seeds(commit.block_number, CANDIDATES)
    passing = [t for t, seed in candidates if passes(census, seed, params, samples)]
    passing_v1 = [t for t, seed in candidates if passes(census, seed, params, V1_SAMPLES)]
    # The grinder publishes its best candidate: the most consistent samples.
    best, seed = max(
        candidates,
        key=lambda c: sum(census.consistent[p] for p in derive_samples(c[1], params, samples)),
    )
    web3.provider.make_request("evm_mine", [best])
    chain.mine(1)

    assert census.fraction == consistent
    assert passing == []
    if copies == 1:  # at v1's S = 16, 0.75^16 · 1,024 ≈ 10 passing blocks are expected
        assert len(passing_v1) > 0
    stored = benchmark.storeSamplingSeed(challenge_id, {"from": buyer})
    assert bytes(stored.return_value) == seed
    reveals = proof.reveal_many(derive_samples(seed, params, samples))
    verdict = verify(params, proof.root, seed, reveals, samples)
    assert (verdict.ok, verdict.reason) == (False, VerdictReason.STEP_MISMATCH)
    market.submitResult(job_id, RESULT_HASH, "ipfs://ground", {"from": attacker})
    failed = market.recordVerdict(job_id, False, {"from": verifier})
    assert market_event(failed, "JobFailed", market)["slashed"] == COLLATERAL
    assert registry.providerInfo(attacker)["stake"] == STAKE - COLLATERAL
    assert (usdc.balanceOf(buyer), gmkt.balanceOf(buyer)) == (PRICE, BUYER_SHARE)
    assert usdc.balanceOf(attacker) == 0


def test_waiting_out_the_window_buys_no_second_sampling_seed(
    market, benchmark, registry, usdc, gmkt, buyer, stranger, attacker, verifier, cheat
):
    job_id, challenge_id, params, proof, census = cheat(2)
    samples = benchmark.sampleCount(params.interval)
    commit = benchmark.commit(challenge_id, proof.root, {"from": attacker})
    mine_until(commit.block_number + 2)
    first = bytes(benchmark.samplingSeed(challenge_id))
    assert not passes(census, first, params, samples)  # the provider dislikes its samples

    web3.provider.make_request("anvil_mine", [hex(260)])  # nobody stores them: it waits
    expired = benchmark.storeSamplingSeed(challenge_id, {"from": attacker})

    assert expired.events["SeedExpired"]["seedBlock"] == commit.block_number + 1
    assert bytes(expired.return_value) == b"\0" * 32
    assert benchmark.challengeOf(challenge_id)["state"] == FAILED
    gone = err("BenchmarkRegistryWrongState", challenge_id, FAILED)
    for attempt in (
        lambda: benchmark.samplingSeed(challenge_id),
        lambda: benchmark.storeSamplingSeed(challenge_id, {"from": stranger}),
        lambda: benchmark.commit(challenge_id, b"\x01" * 32, {"from": attacker}),
        lambda: benchmark.proveFraud(challenge_id, 0, bytes(64), [], {"from": stranger}),
    ):
        with brownie.reverts(gone):
            attempt()
    # The council fails a job whose challenge failed (the oracle's `seed_expired` ballot).
    market.submitResult(job_id, RESULT_HASH, "ipfs://waited", {"from": attacker})
    failed = market.recordVerdict(job_id, False, {"from": verifier})
    assert market_event(failed, "JobFailed", market)["slashed"] == COLLATERAL
    assert market.jobOf(job_id)["state"] == JobState.FAILED
    assert registry.providerInfo(attacker)["stake"] == STAKE - COLLATERAL
    assert (usdc.balanceOf(buyer), gmkt.balanceOf(buyer)) == (PRICE, BUYER_SHARE)


def test_waiting_out_the_window_fails_an_attestation_with_no_tops(
    benchmark, reputation, attacker, verifier
):
    opened = benchmark.open(0, attacker, 64, 8, 2, {"from": attacker})
    challenge_id = opened.return_value
    params = challenge_params(benchmark, challenge_id)
    b = spec.b_matrix(params.seed, params.n)
    commit = benchmark.commit(
        challenge_id,
        Proof.from_checkpoints(
            params, [spec.x0(params.seed, params.n)] * params.checkpoints, b
        ).root,
        {"from": attacker},
    )
    web3.provider.make_request("anvil_mine", [hex(260)])

    benchmark.storeSamplingSeed(challenge_id, {"from": attacker})

    assert benchmark.challengeOf(challenge_id)["state"] == FAILED
    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge_id, FAILED)):
        benchmark.recordAttestation(challenge_id, True, 1_000, {"from": verifier})
    assert reputation.verifiedTops(attacker) == 0
    assert bytes(commit.events["ChallengeSeedStored"]["seed"]) == params.seed


def test_the_challenge_seed_is_unknown_until_the_block_after_the_opening(
    market, benchmark, usdc, fund, buyer, attacker
):
    """No head start: when the opening (here the provider's own acceptJob) is sent, and while
    it is the newest block, the seed does not exist; it is fixed by the next block."""
    deposit = market.costOf(PRICE, 1, HOUR)
    fund(buyer, usdc, deposit)
    usdc.approve(market, deposit, {"from": buyer})
    posted = market.postJob(SPEC.as_tuple(), usdc, PRICE, HOUR, attacker, {"from": buyer})
    accepted = market.acceptJob(posted.events["JobPosted"]["jobId"], {"from": attacker})
    challenge_id = accepted.events["ChallengeOpened"]["challengeId"]
    not_ready = err(
        "BenchmarkRegistryChallengeSeedNotReady", challenge_id, accepted.block_number + 2
    )

    for _ in range(2):  # in the opening block, and in the block after it
        with brownie.reverts(not_ready):
            benchmark.challengeSeed(challenge_id)
        chain.mine(1)

    assert (
        bytes(benchmark.challengeSeed(challenge_id))
        == challenge_params(benchmark, challenge_id).seed
    )
