"""The PoGEMM prover: T steps from X0, a Merkle commitment over every checkpoint's rows, reveals.

Hashing overlaps the GEMMs: at each checkpoint the rows come back to the host and a thread pool
hashes them in batches (hashlib releases the GIL on inputs of 2 KiB and more) while the device
runs the next K steps.

With ``interleave_raw=True`` (`gpumarket bench`) the prover also runs the raw GEMM of the same
work in the same loop: after each of its steps, one plain step of a second copy of X, timed
apart on the device (`Backend.mark`: CUDA events, which do not stall the queue; the host clock
elsewhere). Both see the same machine at the same moment, so their ratio (the proof's overhead) does
not drift with whatever else the machine is doing; the copy must end where the proof did, which
checks that the backend is deterministic. Checkpoint hashing runs in threads during both (on a
GPU it uses no device time; on a CPU it is `timings.hash`, small beside an interval's GEMM).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from gpumarket.pogemm import spec
from gpumarket.pogemm.backends import Backend, NumpyBackend, best_backend
from gpumarket.pogemm.merkle import MerkleTree
from gpumarket.pogemm.reveal import Reveal
from gpumarket.pogemm.settings import PoGemmSettings

ProgressCallback = Callable[[int, int], None]
"""Called as progress(steps_done, steps_total) after each step is queued."""


@dataclass(frozen=True)
class ProveTimings:
    """Seconds. `hash` is the summed time of the hashing tasks, most of it hidden under `gemm`;
    `hash_wait` is what the prover waited for them after the last step. `raw` is the interleaved
    raw GEMM (0 when not interleaved): T plain steps, not part of `total` or `gemm`; then
    `step_pairs` holds (prover step, raw step) seconds for each of the T steps."""

    generate: float
    gemm: float
    transfer: float
    hash: float
    hash_wait: float
    tree: float
    total: float
    raw: float = 0.0
    step_pairs: tuple[tuple[float, float], ...] = ()

    @property
    def proof_work(self) -> float:
        """Work the proof adds to the bare GEMMs: generation, hashing and the tree."""
        return self.generate + self.hash + self.tree

    @property
    def overhead(self) -> float:
        """(generate + hash + tree) / gemm."""
        return self.proof_work / self.gemm if self.gemm > 0 else float("inf")


class CheckpointStore:
    """Checkpoint matrices, every `keep_every`-th one kept; the others are recomputed on demand.

    Rows evolve independently (row i of X_{t+1} depends only on row i of X_t, on B, on U[i] and
    on the interval's V), so a missing row is recomputed from the nearest kept checkpoint before
    it, one interval at a time.
    """

    def __init__(
        self,
        params: spec.Params,
        b: spec.Int8Matrix,
        keep_every: int = 1,
        recompute_backend: Backend | None = None,
    ) -> None:
        if keep_every < 1:
            raise ValueError(f"keep_every must be at least 1, got {keep_every}")
        self.params = params
        self.keep_every = keep_every
        self._b = b
        self._stored: dict[int, spec.Int8Matrix] = {}
        self._backend = recompute_backend or NumpyBackend()

    def keeps(self, c: int) -> bool:
        return c % self.keep_every == 0

    def add(self, c: int, x: spec.Int8Matrix) -> None:
        if self.keeps(c):
            self._stored[c] = x

    @property
    def stored(self) -> list[int]:
        return sorted(self._stored)

    def rows(self, c: int, rows: Sequence[int]) -> spec.Int8Matrix:
        """Rows `rows` of X at checkpoint c, one S×n batch from the nearest kept checkpoint."""
        if not 0 <= c <= self.params.intervals:
            raise IndexError(f"checkpoint {c} out of range [0, {self.params.intervals}]")
        base = c - c % self.keep_every
        selected = self._stored[base][np.asarray(rows, dtype=np.int64)]
        if c == base:
            return np.ascontiguousarray(selected)
        seed, n = self.params.seed, self.params.n
        u = spec.u_rows(seed, n, rows)
        for v in spec.v_rows(seed, n, range(base, c)):
            selected = self._backend.steps_host(selected, self._b, u, v, self.params.interval)
        return selected


class Proof:
    """A commitment: the Merkle tree over all (checkpoint, row) leaves, and the rows behind it."""

    def __init__(
        self,
        params: spec.Params,
        tree: MerkleTree,
        store: CheckpointStore,
        timings: ProveTimings | None = None,
        backend_name: str = "",
    ) -> None:
        if tree.leaf_count != params.leaf_count:
            raise ValueError(f"tree has {tree.leaf_count} leaves, expected {params.leaf_count}")
        self.params = params
        self.tree = tree
        self.store = store
        self.timings = timings
        self.backend_name = backend_name

    @classmethod
    def from_checkpoints(
        cls, params: spec.Params, checkpoints: Sequence[spec.Int8Matrix], b: spec.Int8Matrix
    ) -> Proof:
        """Commit to given checkpoint matrices, honest or not (tests build cheaters with this)."""
        if len(checkpoints) != params.checkpoints:
            raise ValueError(f"need {params.checkpoints} checkpoints, got {len(checkpoints)}")
        store = CheckpointStore(params, b)
        for c, x in enumerate(checkpoints):
            store.add(c, np.ascontiguousarray(x, dtype=np.int8))
        blob = b"".join(spec.hash_rows(c, x) for c, x in enumerate(checkpoints))
        return cls(params, MerkleTree(blob), store)

    @property
    def root(self) -> bytes:
        return self.tree.root

    def reveal(self, c: int, i: int) -> Reveal:
        return self.reveal_many([(c, i)])[0]

    def reveal_many(self, positions: Iterable[tuple[int, int]]) -> list[Reveal]:
        """Reveals for sample positions (c, i), c < T/K; recomputation is batched per checkpoint."""
        wanted = list(positions)
        n = self.params.n
        for c, i in wanted:
            if not (0 <= c < self.params.intervals and 0 <= i < n):
                raise IndexError(f"no sample position ({c}, {i})")
        needed = sorted({(c + d, i) for c, i in wanted for d in (0, 1)})
        rows: dict[tuple[int, int], bytes] = {}
        for c in sorted({c for c, _ in needed}):
            indices = [i for cc, i in needed if cc == c]
            for i, row in zip(indices, self.store.rows(c, indices), strict=True):
                rows[(c, i)] = row.tobytes()
        return [
            Reveal(
                c=c,
                i=i,
                row=rows[(c, i)],
                next_row=rows[(c + 1, i)],
                proof=tuple(self.tree.proof(spec.leaf_index(c, i, n))),
                next_proof=tuple(self.tree.proof(spec.leaf_index(c + 1, i, n))),
            )
            for c, i in wanted
        ]


def _hash_task(c: int, rows: spec.Int8Matrix, first_row: int) -> tuple[bytes, float]:
    started = time.perf_counter()
    digests = spec.hash_rows(c, rows, first_row)
    return digests, time.perf_counter() - started


def prove(
    params: spec.Params,
    backend: Backend | None = None,
    *,
    keep_every: int = 1,
    progress: ProgressCallback | None = None,
    settings: PoGemmSettings | None = None,
    interleave_raw: bool = False,
) -> Proof:
    """Run the benchmark and commit to it. The result answers reveals and carries timings.

    `interleave_raw` also times the raw GEMM of the same work in the same loop (module
    docstring); `timings.total` leaves it out and `timings.raw` holds it.
    """
    settings = settings or PoGemmSettings()
    backend = backend or best_backend(settings=settings)
    n, interval = params.n, params.interval
    batch = settings.hash_batch_rows
    started = time.perf_counter()

    x_host = spec.x0(params.seed, n)
    b_host = spec.b_matrix(params.seed, n)
    v_host = spec.v_rows(params.seed, n, range(params.intervals))
    b_device = backend.upload_b(b_host)
    x_device = backend.upload_x(x_host)
    u_device = backend.upload_u(spec.u_matrix(params.seed, n))
    x_raw = backend.upload_x(x_host) if interleave_raw else None
    backend.synchronize()
    generate = time.perf_counter() - started

    store = CheckpointStore(params, b_host, keep_every)
    pending: list[Future[tuple[bytes, float]]] = []
    gemm = transfer = raw = 0.0
    step_pairs: list[tuple[float, float]] = []
    x_checkpoint = x_host
    with ThreadPoolExecutor(max_workers=settings.hash_workers) as pool:

        def commit_checkpoint(c: int, x: spec.Int8Matrix) -> None:
            store.add(c, x)
            for first in range(0, n, batch):
                pending.append(pool.submit(_hash_task, c, x[first : first + batch], first))

        commit_checkpoint(0, x_host)
        for c in range(1, params.checkpoints):
            loop_started = time.perf_counter()
            # The interval's offsets, (U + V_c)·512, made on the device: n² small additions
            # against K·n³ multiply-adds.
            offset = backend.offsets(u_device, v_host[c - 1])
            marks: list[tuple[Any, Any, Any]] = []
            for t in range((c - 1) * interval, c * interval):
                if x_raw is None:
                    x_device = backend.step(x_device, b_device, offset)
                else:
                    # The raw copy's step right after the prover's, on the same offsets: both
                    # see the machine as it is at that moment. Marks time each on the device.
                    before = backend.mark()
                    x_device = backend.step(x_device, b_device, offset)
                    between = backend.mark()
                    x_raw = backend.step(x_raw, b_device, offset)
                    marks.append((before, between, backend.mark()))
                if progress is not None:
                    progress(t + 1, params.steps)
            backend.synchronize()
            downloaded = time.perf_counter()
            pairs = [
                (backend.seconds_between(a, b), backend.seconds_between(b, e)) for a, b, e in marks
            ]
            interval_raw = sum(r for _, r in pairs)
            step_pairs.extend(pairs)
            raw += interval_raw
            x_checkpoint = backend.download(x_device)
            transfer += time.perf_counter() - downloaded
            gemm += downloaded - loop_started - interval_raw
            commit_checkpoint(c, x_checkpoint)
        waited = time.perf_counter()
        results = [future.result() for future in pending]
        hash_wait = time.perf_counter() - waited

    tree_started = time.perf_counter()
    tree = MerkleTree(b"".join(digests for digests, _ in results))
    tree_time = time.perf_counter() - tree_started
    timings = ProveTimings(
        generate=generate,
        gemm=gemm,
        transfer=transfer,
        hash=sum(seconds for _, seconds in results),
        hash_wait=hash_wait,
        tree=tree_time,
        total=time.perf_counter() - started - raw,
        raw=raw,
        step_pairs=tuple(step_pairs),
    )
    if x_raw is not None and not np.array_equal(backend.download(x_raw), x_checkpoint):
        raise RuntimeError(
            f"backend {backend.name} is not deterministic: the interleaved raw run ended "
            "elsewhere than the proof"
        )
    return Proof(params, tree, store, timings, backend.name)
