"""Proofs for the service tests: honest, and the demo's cheater that computes half the rows."""

from __future__ import annotations

from gpumarket.chain.types import JobSpec
from gpumarket.demo.cheater import half_rows_proof  # noqa: F401 - one cheat, shared
from gpumarket.pogemm import spec
from gpumarket.pogemm.backends import NumpyBackend
from gpumarket.pogemm.prover import Proof, prove
from gpumarket.testing.seeds import challenge_params

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
    """The challenge's parameters, its seed read once it exists (blocks mined up to it)."""
    return challenge_params(benchmark, challenge_id)
