"""The PoGEMM benchmark: prove, time the raw GEMM of the same work on the same backend, and
verify a sample, in one process (`gpumarket bench`, `make bench`)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from gpumarket.pogemm import backends, prover, spec, verifier
from gpumarket.pogemm.settings import PoGemmSettings


def format_ops(ops_per_second: float) -> str:
    """Integer ops per second with an SI prefix: '12.3 GOPS', '1.02 TOPS'."""
    for scale, unit in ((1e15, "POPS"), (1e12, "TOPS"), (1e9, "GOPS"), (1e6, "MOPS")):
        if ops_per_second >= scale:
            return f"{ops_per_second / scale:.3g} {unit}"
    return f"{ops_per_second:.3g} OPS"


@dataclass(frozen=True)
class Measurement:
    """One prove-and-verify run and the raw GEMM of the same backend, in the same process."""

    params: spec.Params
    backend: str
    samples: int
    proof: prover.Proof
    raw_seconds: float
    verify_seconds: float
    verdict: verifier.Verdict

    @property
    def prove_seconds(self) -> float:
        assert self.proof.timings is not None  # prove() always records them
        return self.proof.timings.total

    @property
    def achieved(self) -> float:
        return self.params.ops / self.prove_seconds

    @property
    def raw(self) -> float:
        return self.params.ops / self.raw_seconds

    @property
    def overhead(self) -> float:
        """Prover time beyond the raw GEMM's, as a fraction of the raw GEMM's."""
        return self.prove_seconds / self.raw_seconds - 1

    @property
    def verify_ratio(self) -> float:
        return self.verify_seconds / self.prove_seconds


def measure(
    params: spec.Params,
    engine: backends.Backend,
    settings: PoGemmSettings,
    samples: int,
    keep_every: int = 1,
    progress: prover.ProgressCallback | None = None,
) -> Measurement:
    """Prove, time the raw GEMM of the same work on the same backend, and verify S samples."""
    proof = prover.prove(
        params, engine, keep_every=keep_every, settings=settings, progress=progress
    )
    raw_seconds = backends.time_raw_gemm(
        engine, spec.x0(params.seed, params.n), spec.b_matrix(params.seed, params.n), params.steps
    )
    sampling_seed = os.urandom(spec.SEED_BYTES)
    reveals = proof.reveal_many(verifier.derive_samples(sampling_seed, params, samples))
    verify_started = time.perf_counter()
    verdict = verifier.verify(params, proof.root, sampling_seed, reveals, samples)
    verify_seconds = time.perf_counter() - verify_started
    return Measurement(params, engine.name, samples, proof, raw_seconds, verify_seconds, verdict)


#: `--sweep` sizes (n, T, K): at most a few seconds each with numpy on two CPU cores.
SWEEP = ((512, 32, 8), (1024, 16, 8), (2048, 8, 8))


def as_row(m: Measurement) -> dict[str, object]:
    """One measurement as the JSON row `make bench` reads (reports/pogemm.json)."""
    return {
        "n": m.params.n,
        "steps": m.params.steps,
        "interval": m.params.interval,
        "samples": m.samples,
        "backend": m.backend,
        "prove_seconds": round(m.prove_seconds, 6),
        "raw_seconds": round(m.raw_seconds, 6),
        "prover_ops_per_second": round(m.achieved),
        "raw_ops_per_second": round(m.raw),
        "overhead": round(m.overhead, 4),
        "verify_seconds": round(m.verify_seconds, 6),
        "verify_over_prove": round(m.verify_ratio, 4),
        "ok": m.verdict.ok,
    }
