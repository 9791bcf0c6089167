"""The verifier accepts an honest commitment and names the first sample that breaks a rule."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import spec, verifier
from gpumarket.pogemm.prover import Proof
from gpumarket.pogemm.reveal import Reveal
from gpumarket.pogemm.verifier import VerdictReason

SAMPLES = 16


@pytest.fixture(scope="module")
def sampling_seed() -> bytes:
    return keccak(b"verifier-sampling")


@pytest.fixture(scope="module")
def reveals(params: spec.Params, honest_proof: Proof, sampling_seed: bytes) -> list[Reveal]:
    return honest_proof.reveal_many(verifier.derive_samples(sampling_seed, params, SAMPLES))


def _verify(
    params: spec.Params, root: bytes, sampling_seed: bytes, reveals: list[Reveal | None]
) -> verifier.Verdict:
    return verifier.verify(params, root, sampling_seed, reveals, SAMPLES)


def test_honest_commitment_passes(
    params: spec.Params, honest_proof: Proof, sampling_seed: bytes, reveals: list[Reveal]
) -> None:
    verdict = _verify(params, honest_proof.root, sampling_seed, list(reveals))

    assert verdict.ok and verdict.reason is VerdictReason.OK and verdict.sample is None


def test_missing_reveal_fails(
    params: spec.Params, honest_proof: Proof, sampling_seed: bytes, reveals: list[Reveal]
) -> None:
    partial: list[Reveal | None] = list(reveals)
    partial[5] = None

    verdict = _verify(params, honest_proof.root, sampling_seed, partial)

    assert verdict.reason is VerdictReason.MISSING_REVEAL and verdict.sample == 5


def test_too_few_reveals_fail(
    params: spec.Params, honest_proof: Proof, sampling_seed: bytes, reveals: list[Reveal]
) -> None:
    verdict = _verify(params, honest_proof.root, sampling_seed, list(reveals[:10]))

    assert verdict.reason is VerdictReason.MISSING_REVEAL and verdict.sample == 10


def test_reveal_for_another_position_fails(
    params: spec.Params, honest_proof: Proof, sampling_seed: bytes, reveals: list[Reveal]
) -> None:
    c, i = reveals[3].c, reveals[3].i
    swapped: list[Reveal | None] = list(reveals)
    swapped[3] = honest_proof.reveal(c, (i + 1) % params.n)

    verdict = _verify(params, honest_proof.root, sampling_seed, swapped)

    assert verdict.reason is VerdictReason.WRONG_POSITION and verdict.sample == 3


@pytest.mark.parametrize("bad_row", [bytes(63), bytes([9]) + bytes(63)])
def test_malformed_row_fails(
    params: spec.Params,
    honest_proof: Proof,
    sampling_seed: bytes,
    reveals: list[Reveal],
    bad_row: bytes,
) -> None:
    tampered: list[Reveal | None] = list(reveals)
    tampered[0] = dataclasses.replace(reveals[0], next_row=bad_row)

    verdict = _verify(params, honest_proof.root, sampling_seed, tampered)

    assert verdict.reason is VerdictReason.MALFORMED_ROW and verdict.sample == 0


def test_tampered_proof_fails(
    params: spec.Params, honest_proof: Proof, sampling_seed: bytes, reveals: list[Reveal]
) -> None:
    tampered: list[Reveal | None] = list(reveals)
    proof = list(reveals[7].next_proof)
    proof[0] = bytes(32)
    tampered[7] = dataclasses.replace(reveals[7], next_proof=tuple(proof))

    verdict = _verify(params, honest_proof.root, sampling_seed, tampered)

    assert verdict.reason is VerdictReason.BAD_PROOF and verdict.sample == 7


def test_row_changed_after_commit_fails_its_proof(
    params: spec.Params, honest_proof: Proof, sampling_seed: bytes, reveals: list[Reveal]
) -> None:
    row = reveals[2].row_array().copy()
    row[0] = spec.ENTRY_MAX if row[0] != spec.ENTRY_MAX else spec.ENTRY_MIN
    tampered: list[Reveal | None] = list(reveals)
    tampered[2] = dataclasses.replace(reveals[2], row=row.tobytes())

    verdict = _verify(params, honest_proof.root, sampling_seed, tampered)

    assert verdict.reason is VerdictReason.BAD_PROOF and verdict.sample == 2


def test_wrong_root_fails(params: spec.Params, sampling_seed: bytes, reveals: list[Reveal]) -> None:
    verdict = _verify(params, bytes(32), sampling_seed, list(reveals))

    assert verdict.reason is VerdictReason.BAD_PROOF and verdict.sample == 0


def _fake_x0_proof(params: spec.Params, b_matrix: np.ndarray) -> Proof:
    """Honest steps from a made-up X0: only checkpoint-0 samples can catch it."""
    rng = np.random.default_rng(7)
    x = rng.integers(spec.ENTRY_MIN, spec.ENTRY_MAX + 1, (params.n, params.n), dtype=np.int8)
    rows = np.arange(params.n)
    checkpoints = [x]
    for c in range(params.intervals):
        checkpoints.append(spec.advance(params, checkpoints[-1], rows, c, c + 1, b_matrix))
    return Proof.from_checkpoints(params, checkpoints, b_matrix)


def test_checkpoint_zero_row_off_the_generator_fails_with_evidence(
    params: spec.Params, b_matrix: np.ndarray
) -> None:
    proof = _fake_x0_proof(params, b_matrix)
    seed = next(
        keccak(b"x0-%d" % k)
        for k in range(100)
        if any(c == 0 for c, _ in verifier.derive_samples(keccak(b"x0-%d" % k), params, SAMPLES))
    )
    positions = verifier.derive_samples(seed, params, SAMPLES)
    first_zero = next(k for k, (c, _) in enumerate(positions) if c == 0)

    verdict = _verify(params, proof.root, seed, list(proof.reveal_many(positions)))

    assert verdict.reason is VerdictReason.GENERATOR_MISMATCH and verdict.sample == first_zero
    assert verdict.expected_row == spec.x0_rows(params.seed, params.n, [verdict.i])[0].tobytes()


def test_wrong_step_fails_with_the_recomputed_row_as_evidence(
    params: spec.Params, b_matrix: np.ndarray, sampling_seed: bytes, honest_proof: Proof
) -> None:
    positions = verifier.derive_samples(sampling_seed, params, SAMPLES)
    c, i = positions[4]
    checkpoints = [honest_proof.store.rows(cc, list(range(params.n))) for cc in range(5)]
    forged = checkpoints[c + 1].copy()
    forged[i] = spec.g(forged[i].astype(np.int32) + 1)
    checkpoints[c + 1] = forged
    # Later checkpoints follow honestly from the forged one, so only interval c is wrong.
    rows = np.arange(params.n)
    for later in range(c + 2, params.checkpoints):
        checkpoints[later] = spec.advance(
            params, checkpoints[later - 1], rows, later - 1, later, b_matrix
        )
    proof = Proof.from_checkpoints(params, checkpoints, b_matrix)
    first_bad = next(k for k, position in enumerate(positions) if position == (c, i))

    verdict = _verify(params, proof.root, sampling_seed, list(proof.reveal_many(positions)))

    assert verdict.reason is VerdictReason.STEP_MISMATCH and verdict.sample == first_bad
    assert verdict.expected_row == honest_proof.reveal(c, i).next_row
    assert verdict.revealed_row == forged[i].tobytes()


def test_a_step_with_another_rows_offsets_fails(
    params: spec.Params, b_matrix: np.ndarray, sampling_seed: bytes, honest_proof: Proof
) -> None:
    """Row i must be stepped with U[i] and V[c]: a row stepped with row i + 1's U, or with the
    next interval's V, is a step mismatch."""
    positions = verifier.derive_samples(sampling_seed, params, SAMPLES)
    c, i = positions[0]
    checkpoints = [honest_proof.store.rows(cc, list(range(params.n))) for cc in range(5)]
    start = checkpoints[c][[i]]
    wrong_u = spec.offsets(
        spec.u_rows(params.seed, params.n, [(i + 1) % params.n]),
        spec.v_rows(params.seed, params.n, [c])[0],
    )
    wrong_v = spec.offsets(
        spec.u_rows(params.seed, params.n, [i]),
        spec.v_rows(params.seed, params.n, [(c + 1) % params.intervals])[0],
    )
    for offset in (wrong_u, wrong_v):
        x = start
        for _ in range(params.interval):
            x = spec.step(x, b_matrix, offset)
        forged = [m.copy() for m in checkpoints]
        forged[c + 1][i] = x[0]
        proof = Proof.from_checkpoints(params, forged, b_matrix)

        verdict = _verify(params, proof.root, sampling_seed, list(proof.reveal_many(positions)))

        assert x[0].tobytes() != checkpoints[c + 1][i].tobytes()
        assert verdict.reason is VerdictReason.STEP_MISMATCH and (verdict.c, verdict.i) == (c, i)


@pytest.mark.parametrize(
    "n, steps, interval, samples, work",
    [
        (64, 8, 2, 16, 16 * 2 * 64**2),
        (8_192, 256, 256, 64, 64 * 2**34),
        (16_384, 64, 64, 145, 145 * 2**34),
    ],
    ids=["test-size", "production", "at-the-default-cap"],
)
def test_verify_work_is_samples_times_k_times_n_squared(
    n: int, steps: int, interval: int, samples: int, work: int
) -> None:
    params = spec.Params(b"\x01" * 32, n, steps, interval)

    assert verifier.verify_work(params, samples) == work
