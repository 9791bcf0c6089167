"""Attack: make verification or proving unaffordable (issue 14, finding 5).

Before the caps, n, T and K had no bound a verifier could afford. A provider opened an
attestation of itself at T = K = 2^31: each oracle sample ran 2^31 steps, inside the oracle's one
service loop, so the council stalled and every benchmark job settled optimistically after
`attestTimeout`, cheaters included. A buyer, for its part, posted a benchmark no GPU could prove
within `benchmarkWindow`: the provider that took it could not commit in time, the council failed
it (`no_commitment`), and the buyer collected its share of the collateral (5 GMKT here) on top of
its refund.

Now BenchmarkRegistry holds governance caps (DESIGN 5.8): n ≤ maxN, T ≤ maxSteps, K ≤ maxInterval,
K·n² ≤ maxSampleOps (an oracle's work per sample) and T·n³ ≤ maxProverOps (the prover's work,
itself at most `benchmarkWindow × MAX_PROVER_RATE`), checked when a challenge opens and when a job
is posted. Each attack is refused before any token moves. A cap lowered between a job's post and
its match makes the match revert, and the buyer takes its deposit back even with bids."""

from __future__ import annotations

import brownie
import pytest
from brownie import chain

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, JobSpec, JobState
from gpumarket.testing.reverts import custom_error as err

GMKT = 10**18
PRICE = 2 * GMKT
PROVIDER_STAKE = 5_000 * GMKT
#: The H100 SXM's int8 dense reference, and the attestation bar (40%) in multiply-adds per second.
H100_MACS_AT_THE_BAR = 1_979 * 10**12 * 4 // 10 // 2


def cap_exceeded(cap: str, value: int, limit: int) -> str:
    return err("BenchmarkRegistryCapExceeded", name32(cap), value, limit)


def benchmark_spec(n: int, steps: int, interval: int) -> JobSpec:
    return JobSpec(benchmark_required=True, benchmark_n=n, benchmark_t=steps, benchmark_k=interval)


@pytest.fixture(scope="module")
def attacker(make_provider, provider):
    """A listed provider with 5,000 GMKT staked."""
    return make_provider(provider)


def test_an_attestation_at_t_k_2_31_is_refused(benchmark, registry, attacker):
    with brownie.reverts(cap_exceeded("maxSteps", 2**31, 2**20)):
        benchmark.open(0, attacker, 64, 2**31, 2**31, {"from": attacker})

    assert benchmark.challengeCount() == 0
    assert registry.providerInfo(attacker)["stake"] == PROVIDER_STAKE


@pytest.mark.parametrize(
    "sizes, cap, value, limit",
    [
        # Under maxSteps, the attacker turns to K, then to n·n with a K under its cap.
        ((64, 2**20, 2**20), "maxInterval", 2**20, 1_024),
        ((16_384, 1_024, 1_024), "maxSampleOps", 2**38, 2**34),
        ((16_384, 256, 128), "maxSampleOps", 2**35, 2**34),
    ],
    ids=["k-over-its-cap", "k-at-its-cap-at-max-n", "k-128-at-max-n"],
)
def test_every_way_to_a_costly_sample_is_refused(benchmark, attacker, sizes, cap, value, limit):
    with brownie.reverts(cap_exceeded(cap, value, limit)):
        benchmark.open(0, attacker, *sizes, {"from": attacker})


def test_the_costliest_attestation_allowed_bounds_the_councils_work(benchmark, attacker):
    # The most per-sample work the caps admit: K·n² = 2^34 (n = 16,384, K = 64).
    tx = benchmark.open(0, attacker, 16_384, 64, 64, {"from": attacker})

    opened = tx.events["ChallengeOpened"]
    per_sample = opened["interval"] * opened["n"] ** 2
    # Whatever the sample count (at most 145), an oracle's work on it is at most 145 × 2^34 =
    # 2.5e12 multiply-adds: about 75 s of numpy at the verifier's rate in BENCHMARKS.md.
    assert per_sample == benchmark.maxSampleOps() == 2**34


def test_a_benchmark_no_gpu_can_prove_in_the_window_is_refused_at_post(
    market, benchmark, gmkt, fund, buyer, attacker
):
    # T·n³ = 2^20 · 2^42 = 2^62: 3.2 hours of an H100 at the attestation bar, in a 1-hour window.
    spec = benchmark_spec(16_384, 2**20, 64)
    deposit = market.costOf(PRICE, spec.gpu_count, spec.duration)
    fund(buyer, gmkt, deposit)
    gmkt.approve(market, deposit, {"from": buyer})

    with brownie.reverts(cap_exceeded("maxProverOps", 2**62, 2**58)):
        market.postJob(spec.as_tuple(), gmkt, PRICE, HOUR, attacker, {"from": buyer})

    assert market.jobCount() == 0
    assert gmkt.balanceOf(buyer) == deposit


def test_the_largest_benchmark_allowed_fits_the_window_with_room(market, benchmark):
    window = benchmark.benchmarkWindow()
    # At the attestation bar (40% of its reference), an H100 proves the cap in a fifth of it.
    assert benchmark.maxProverOps() / H100_MACS_AT_THE_BAR < window / 4
    # And governance cannot raise it past what the fastest catalogued GPU does in the window.
    assert benchmark.maxProverOps() <= window * benchmark.MAX_PROVER_RATE()


def test_governance_cannot_set_a_prover_cap_no_gpu_meets(benchmark, governance):
    window = benchmark.benchmarkWindow()
    too_much = window * benchmark.MAX_PROVER_RATE() + 1

    with brownie.reverts(
        err(
            "BenchmarkRegistryParameterOutOfBounds",
            name32("maxProverOps"),
            too_much,
            64**3,
            too_much - 1,
        )
    ):
        benchmark.setParameter(name32("maxProverOps"), too_much, {"from": governance})


def test_a_cap_lowered_between_post_and_match_leaves_the_job_refundable(
    market, benchmark, registry, gmkt, fund, governance, buyer, attacker, stranger
):
    spec = benchmark_spec(64, 8, 2)
    deposit = market.costOf(PRICE, spec.gpu_count, spec.duration)
    fund(buyer, gmkt, deposit)
    gmkt.approve(market, deposit, {"from": buyer})
    args = (spec.as_tuple(), gmkt, PRICE, HOUR, brownie.ZERO_ADDRESS)
    job_id = market.postJob(*args, {"from": buyer}).return_value
    market.bid(job_id, PRICE // 2, {"from": attacker})
    benchmark.setParameter(name32("maxProverOps"), 2**20, {"from": governance})  # T·n³ is 2^21
    chain.sleep(HOUR + 5)

    with brownie.reverts(cap_exceeded("maxProverOps", 2**21, 2**20)):
        market.closeAuction(job_id, {"from": stranger})
    tx = market.cancel(job_id, {"from": buyer})

    assert tx.events["JobCancelled"] == {"jobId": job_id}
    assert market.jobOf(job_id)["state"] == JobState.CANCELLED
    assert gmkt.balanceOf(buyer) == deposit
    assert gmkt.balanceOf(market) == 0
    assert registry.providerInfo(attacker)["stake"] == PROVIDER_STAKE
    assert benchmark.challengeCount() == 0
