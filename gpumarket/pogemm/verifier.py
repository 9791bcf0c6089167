"""Verifying a PoGEMM commitment from S sampled reveals. Pure functions: no chain, no network.

For each sample k at (c, i): both Merkle proofs must hold against the committed root, a c = 0 row
must equal the generator's row, and K steps of row i's interval-c map, g(x·B + (U[i] + V[c])·512),
from row c must give row c + 1. The K steps run for all S samples at once, as one S×n float32
BLAS batch (exact, see `backends`), each batch row with its own U and V row.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gpumarket.pogemm import spec
from gpumarket.pogemm.backends import Backend, NumpyBackend
from gpumarket.pogemm.merkle import verify_proof
from gpumarket.pogemm.reveal import Reveal


class VerdictReason(enum.StrEnum):
    OK = "ok"
    MISSING_REVEAL = "missing_reveal"
    WRONG_POSITION = "wrong_position"
    MALFORMED_ROW = "malformed_row"
    BAD_PROOF = "bad_proof"
    GENERATOR_MISMATCH = "generator_mismatch"
    STEP_MISMATCH = "step_mismatch"


@dataclass(frozen=True)
class Verdict:
    """`ok`, or why not: the first failing sample, its position, and the rows that disagree."""

    ok: bool
    reason: VerdictReason
    sample: int | None = None
    c: int | None = None
    i: int | None = None
    expected_row: bytes | None = None
    revealed_row: bytes | None = None
    detail: str = ""


def verify_work(params: spec.Params, samples: int) -> int:
    """Multiply-adds of verifying `samples` samples: K steps of S rows of n, S·K·n². The rest
    (one B of n² generated entries, 2·S Merkle proofs) is a small part of it at any K."""
    return samples * params.interval * params.n**2


def derive_samples(
    sampling_seed: bytes, params: spec.Params, samples: int
) -> list[tuple[int, int]]:
    """Sample positions (c, i). They depend on the sampling seed and the sizes only, never on
    the root, which a cheater could re-roll. `samples` is the protocol's S for the challenge's
    interval, `BenchmarkRegistry.sampleCount(K)`, which the caller reads from the chain."""
    return spec.sample_positions(sampling_seed, params, samples)


def _fail(
    reason: VerdictReason,
    k: int,
    c: int,
    i: int,
    *,
    expected_row: bytes | None = None,
    revealed_row: bytes | None = None,
    detail: str = "",
) -> Verdict:
    return Verdict(
        ok=False,
        reason=reason,
        sample=k,
        c=c,
        i=i,
        expected_row=expected_row,
        revealed_row=revealed_row,
        detail=detail,
    )


def _row_is_well_formed(row: bytes, n: int) -> bool:
    if len(row) != n:
        return False
    values = np.frombuffer(row, dtype=np.int8)
    return bool(values.min() >= spec.ENTRY_MIN and values.max() <= spec.ENTRY_MAX)


def check_reveal(
    params: spec.Params, root: bytes, k: int, position: tuple[int, int], reveal: Reveal | None
) -> Verdict | None:
    """Everything about one sample except the K steps; None when it holds."""
    c, i = position
    n = params.n
    if reveal is None:
        return _fail(VerdictReason.MISSING_REVEAL, k, c, i)
    if (reveal.c, reveal.i) != position:
        return _fail(
            VerdictReason.WRONG_POSITION, k, c, i, detail=f"revealed ({reveal.c}, {reveal.i})"
        )
    for row in (reveal.row, reveal.next_row):
        if not _row_is_well_formed(row, n):
            return _fail(VerdictReason.MALFORMED_ROW, k, c, i, revealed_row=row)
    leaf_count = params.leaf_count
    checks = (
        (reveal.leaf(), spec.leaf_index(c, i, n), reveal.proof, "checkpoint c"),
        (reveal.next_leaf(), spec.leaf_index(c + 1, i, n), reveal.next_proof, "checkpoint c+1"),
    )
    for leaf, index, proof, which in checks:
        if not verify_proof(root, leaf, index, proof, leaf_count):
            return _fail(VerdictReason.BAD_PROOF, k, c, i, detail=which)
    if c == 0:
        expected = spec.x0_rows(params.seed, n, [i])[0].tobytes()
        if expected != reveal.row:
            return _fail(
                VerdictReason.GENERATOR_MISMATCH,
                k,
                c,
                i,
                expected_row=expected,
                revealed_row=reveal.row,
            )
    return None


def verify(
    params: spec.Params,
    root: bytes,
    sampling_seed: bytes,
    reveals: Sequence[Reveal | None],
    samples: int,
    backend: Backend | None = None,
    b: spec.Int8Matrix | None = None,
) -> Verdict:
    """The verdict on a commitment. `reveals[k]` answers sample k (None: not revealed).

    `b` may be passed in when many commitments share a seed (tests); it is generated otherwise.
    """
    positions = derive_samples(sampling_seed, params, samples)
    for k, position in enumerate(positions):
        reveal = reveals[k] if k < len(reveals) else None
        failure = check_reveal(params, root, k, position, reveal)
        if failure is not None:
            return failure

    checked = [r for r in reveals[:samples] if r is not None]
    start = np.stack([r.row_array() for r in checked])
    claimed = np.stack([r.next_row_array() for r in checked])
    b_matrix = spec.b_matrix(params.seed, params.n) if b is None else b
    u = spec.u_rows(params.seed, params.n, [i for _, i in positions])
    v = spec.v_rows(params.seed, params.n, [c for c, _ in positions])
    computed = (backend or NumpyBackend()).steps_host(start, b_matrix, u, v, params.interval)
    mismatched = np.flatnonzero((computed != claimed).any(axis=1))
    if mismatched.size:
        k = int(mismatched[0])
        c, i = positions[k]
        return _fail(
            VerdictReason.STEP_MISMATCH,
            k,
            c,
            i,
            expected_row=computed[k].tobytes(),
            revealed_row=checked[k].next_row,
        )
    return Verdict(ok=True, reason=VerdictReason.OK)
