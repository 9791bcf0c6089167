"""The prover: threaded hashing, sparse checkpoint storage, reveals and timings."""

from __future__ import annotations

import numpy as np
import pytest

from gpumarket.pogemm import backends, spec
from gpumarket.pogemm.prover import Proof, prove
from gpumarket.pogemm.reveal import Reveal
from gpumarket.pogemm.settings import PoGemmSettings


def _honest_checkpoints(params: spec.Params) -> list[np.ndarray]:
    return spec.honest_checkpoints(params)


def test_threaded_prover_root_equals_single_threaded_commitment(
    params: spec.Params, honest_proof: Proof, b_matrix: np.ndarray
) -> None:
    plain = Proof.from_checkpoints(params, _honest_checkpoints(params), b_matrix)

    assert honest_proof.root == plain.root


def test_small_hash_batches_give_the_same_root(params: spec.Params, honest_proof: Proof) -> None:
    settings = PoGemmSettings(hash_workers=3, hash_batch_rows=7)

    proof = prove(params, backends.NumpyBackend(), settings=settings)

    assert proof.root == honest_proof.root


def test_sparse_checkpoints_recompute_the_same_reveals(
    params: spec.Params, honest_proof: Proof
) -> None:
    positions = [(c, i) for c in range(params.intervals) for i in (0, 17, 63)]

    sparse = prove(params, backends.NumpyBackend(), keep_every=3)

    assert sparse.store.stored == [0, 3]
    assert sparse.root == honest_proof.root
    assert sparse.reveal_many(positions) == honest_proof.reveal_many(positions)


def test_sparse_checkpoints_recompute_across_intervals_with_each_intervals_offsets(
    params: spec.Params,
) -> None:
    # keep_every=4 recomputes checkpoint 3 from checkpoint 0 through three intervals, each with
    # its own V row: a row that used one V for all of them would come out different.
    checkpoints = _honest_checkpoints(params)

    sparse = prove(params, backends.NumpyBackend(), keep_every=4)

    assert sparse.store.stored == [0, 4]
    assert np.array_equal(sparse.store.rows(3, [0, 5, 63]), checkpoints[3][[0, 5, 63]])


def test_interleaved_raw_gemm_is_timed_apart_and_leaves_the_proof_alone(
    params: spec.Params, honest_proof: Proof
) -> None:
    proof = prove(params, backends.NumpyBackend(), interleave_raw=True)

    assert proof.root == honest_proof.root
    assert proof.timings is not None and proof.timings.raw > 0
    assert honest_proof.timings is not None and honest_proof.timings.raw == 0


def test_interleaved_raw_run_catches_a_nondeterministic_backend(params: spec.Params) -> None:
    class Flaky(backends.NumpyBackend):
        calls = 0

        def step(self, x: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
            self.calls += 1
            out = super().step(x, b, offset)
            if self.calls == 12:  # one step of the raw copy comes out different
                out = out.copy()
                out[0, 0] = -out[0, 0] - 1
            return out

    with pytest.raises(RuntimeError, match="not deterministic"):
        prove(params, Flaky(), interleave_raw=True)


def test_keep_every_must_be_positive(params: spec.Params) -> None:
    with pytest.raises(ValueError):
        prove(params, backends.NumpyBackend(), keep_every=0)


def test_reveal_rows_are_the_checkpoint_rows(params: spec.Params, honest_proof: Proof) -> None:
    checkpoints = _honest_checkpoints(params)

    reveal = honest_proof.reveal(2, 9)

    assert reveal.row == checkpoints[2][9].tobytes()
    assert reveal.next_row == checkpoints[3][9].tobytes()


@pytest.mark.parametrize("position", [(4, 0), (-1, 0), (0, 64)])
def test_reveal_outside_the_sample_space_raises(
    honest_proof: Proof, position: tuple[int, int]
) -> None:
    with pytest.raises(IndexError):
        honest_proof.reveal(*position)


def test_reveal_json_round_trip(honest_proof: Proof) -> None:
    reveal = honest_proof.reveal(1, 5)

    assert Reveal.from_json(reveal.to_json()) == reveal


def test_progress_reports_every_step(params: spec.Params) -> None:
    seen: list[tuple[int, int]] = []

    prove(params, backends.NumpyBackend(), progress=lambda done, total: seen.append((done, total)))

    assert seen == [(t, params.steps) for t in range(1, params.steps + 1)]


def test_timings_are_recorded(honest_proof: Proof) -> None:
    timings = honest_proof.timings

    assert timings is not None
    assert timings.total >= timings.gemm > 0
    assert min(timings.generate, timings.hash, timings.tree, timings.hash_wait) >= 0
    assert timings.overhead == pytest.approx(timings.proof_work / timings.gemm)


def test_commitment_needs_every_checkpoint(params: spec.Params, b_matrix: np.ndarray) -> None:
    with pytest.raises(ValueError):
        Proof.from_checkpoints(params, _honest_checkpoints(params)[:-1], b_matrix)


@pytest.mark.parametrize(
    ("n", "steps", "interval"), [(100, 8, 2), (0, 8, 2), (64, 8, 3), (64, 0, 1), (64, 8, 0)]
)
def test_invalid_params_raise(n: int, steps: int, interval: int) -> None:
    with pytest.raises(ValueError):
        spec.Params(bytes(32), n, steps, interval)


def test_seed_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        spec.Params(bytes(31), 64, 8, 2)
