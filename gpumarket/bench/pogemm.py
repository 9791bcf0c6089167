"""The PoGEMM benchmark: prove, with the raw GEMM of the same work interleaved in the prover's
loop (`prover.prove(interleave_raw=True)`), and verify a sample (`gpumarket bench`, `make bench`).

Interleaving matters on a shared machine: two separately timed runs each see whatever else the
machine was doing at their moment, and their ratio (the overhead) swung by tens of percent from
run to run; raw blocks between the prover's intervals see the same machine as the prover.
"""

from __future__ import annotations

import os
import statistics
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
    """One prove-and-verify run and the raw GEMM of the same work, interleaved with it."""

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
    def overhead_of_sums(self) -> float:
        """prove / raw − 1 from the summed times: exact on a quiet machine, noisy on a busy one."""
        return self.prove_seconds / self.raw_seconds - 1

    @property
    def gemm_ratio(self) -> float:
        """The median over the T steps of (prover step / the raw step right after it)."""
        timings = self.proof.timings
        assert timings is not None and timings.step_pairs
        return statistics.median(p / r for p, r in timings.step_pairs)

    @property
    def overhead(self) -> float:
        """Prover time beyond the raw GEMM's, as a fraction of the raw GEMM's, robust to bursts of
        other load: (gemm_ratio − 1) for the steps, plus what the prover spends outside its steps
        (generation, offsets, downloads, hash waits, the tree) over T median raw steps."""
        timings = self.proof.timings
        assert timings is not None and timings.step_pairs
        outside_steps = timings.total - sum(p for p, _ in timings.step_pairs)
        raw_steps = len(timings.step_pairs) * statistics.median(r for _, r in timings.step_pairs)
        return self.gemm_ratio - 1 + max(0.0, outside_steps) / raw_steps

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
    """Prove with the raw GEMM interleaved, and verify S samples."""
    # One untimed step at the prover's shape pays for lazy initialisation (BLAS thread pools,
    # cuBLAS handles and heuristics, a torch.compile specialisation), which would otherwise land
    # in the prover's first interval and not in the raw block after it.
    backends.time_raw_gemm(
        engine, spec.x0(params.seed, params.n), spec.b_matrix(params.seed, params.n), 1
    )
    proof = prover.prove(
        params,
        engine,
        keep_every=keep_every,
        settings=settings,
        progress=progress,
        interleave_raw=True,
    )
    assert proof.timings is not None  # prove() always records them
    raw_seconds = proof.timings.raw
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
        "overhead_of_sums": round(m.overhead_of_sums, 4),
        "gemm_ratio": round(m.gemm_ratio, 4),
        "verify_seconds": round(m.verify_seconds, 6),
        "verify_over_prove": round(m.verify_ratio, 4),
        "ok": m.verdict.ok,
    }
