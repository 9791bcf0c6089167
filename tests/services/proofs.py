"""Proofs for the service tests: honest, and the demo's cheater that computes half the rows."""

from __future__ import annotations

from gpumarket.chain.types import JobSpec
from gpumarket.demo.cheater import half_rows_proof  # noqa: F401 - one cheat, shared
from gpumarket.pogemm import spec
from gpumarket.pogemm.backends import NumpyBackend
from gpumarket.pogemm.prover import Proof, prove

USDC = 10**6
PRICE = 2 * USDC
#: A 1-GPU, 1-hour job at 2 USDC that needs a PoGEMM proof at the test sizes.
SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
ARTIFACT = b"the job's output"
# IBenchmarkRegistry.ChallengeState
COMMITTED, PASSED, FAILED_STATE = 2, 3, 4


def honest_proof(params: spec.Params) -> Proof:
    return prove(params, NumpyBackend())


def params_of(benchmark, challenge_id) -> spec.Params:
    c = benchmark.challengeOf(challenge_id)
    return spec.Params(seed=bytes(c[4]), n=c[6], steps=c[7], interval=c[8])
