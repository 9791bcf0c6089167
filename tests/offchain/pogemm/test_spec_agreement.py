"""numpy spec and every backend agree with the plain-Python reference, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from eth_hash.auto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from gpumarket.pogemm import backends, prover, spec
from gpumarket.pogemm import reference as ref

FIXED_SEED = keccak(b"agreement")


def test_keys_match_reference() -> None:
    for tag in spec.TAGS:
        assert spec.key(FIXED_SEED, tag) == ref.key(FIXED_SEED, tag)


def test_keys_of_every_tag_differ() -> None:
    assert len({spec.key(FIXED_SEED, tag) for tag in spec.TAGS}) == len(spec.TAGS)


def test_unknown_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="tag"):
        spec.key(FIXED_SEED, b"Z")


def test_words_match_reference() -> None:
    key_x = spec.key(FIXED_SEED, spec.TAG_X)

    words = spec.words(key_x, 0, 256)

    assert [int(w) for w in words] == [ref.word(key_x, m) for m in range(256)]


def test_entries_at_unaligned_offsets_match_reference() -> None:
    key_b = spec.key(FIXED_SEED, spec.TAG_B)

    entries = spec.entries(key_b, 13, 301)

    assert entries.tolist() == [ref.entry(key_b, e) for e in range(13, 314)]


def test_x0_and_b_match_reference() -> None:
    assert spec.x0(FIXED_SEED, 64).tolist() == ref.x0(FIXED_SEED, 64)
    assert spec.b_matrix(FIXED_SEED, 64).tolist() == ref.b_matrix(FIXED_SEED, 64)


def test_u_and_v_match_reference() -> None:
    assert spec.u_matrix(FIXED_SEED, 64).tolist() == ref.u_matrix(FIXED_SEED, 64)
    assert spec.u_rows(FIXED_SEED, 64, [3, 0]).tolist() == [
        ref.u_matrix(FIXED_SEED, 64)[3],
        ref.u_matrix(FIXED_SEED, 64)[0],
    ]
    assert spec.v_rows(FIXED_SEED, 64, [0, 5]).tolist() == [
        ref.v_row(FIXED_SEED, 64, 0),
        ref.v_row(FIXED_SEED, 64, 5),
    ]


def test_offsets_stay_within_the_stated_bound() -> None:
    u = spec.u_matrix(FIXED_SEED, 256)
    extremes = np.array([spec.ENTRY_MIN, spec.ENTRY_MAX], dtype=np.int8)

    offset = spec.offsets(u, spec.v_rows(FIXED_SEED, 256, [0])[0])
    corners = spec.offsets(extremes[:, None], extremes[None, :])

    assert np.abs(offset).max() <= spec.MAX_OFFSET
    assert corners.min() == -spec.MAX_OFFSET and corners.max() == 14 << spec.OFFSET_SHIFT


def test_equal_rows_diverge_after_one_step() -> None:
    """The collapse fix: one shared row, stepped as every row, gives n different rows."""
    n = 64
    b = spec.b_matrix(FIXED_SEED, n)
    shared = np.repeat(spec.x0(FIXED_SEED, n)[:1], n, axis=0)

    stepped = spec.step(shared, b, spec.interval_offsets(FIXED_SEED, n, 0))
    next_interval = spec.step(shared, b, spec.interval_offsets(FIXED_SEED, n, 1))

    assert len({row.tobytes() for row in stepped}) == n
    # The same row in another interval has another map too (the replay fix).
    assert all((a != b_).mean() > 0.8 for a, b_ in zip(stepped, next_interval, strict=True))


def test_b_columns_are_contiguous_entries() -> None:
    key_b = spec.key(FIXED_SEED, spec.TAG_B)

    b = spec.b_matrix(FIXED_SEED, 64)

    assert b[:, 5].tolist() == [ref.entry(key_b, 5 * 64 + k) for k in range(64)]


def test_backend_step_matches_reference(backend: backends.Backend) -> None:
    x = spec.x0(FIXED_SEED, 64)
    b = spec.b_matrix(FIXED_SEED, 64)
    u = spec.u_matrix(FIXED_SEED, 64)
    v = spec.v_rows(FIXED_SEED, 64, [3])[0]

    stepped = backend.steps_host(x, b, u, v, 2)

    u_ref, v_ref = u.tolist(), v.tolist()
    once = ref.step(x.tolist(), b.tolist(), u_ref, v_ref)
    assert stepped.tolist() == ref.step(once, b.tolist(), u_ref, v_ref)


def test_backend_step_takes_one_v_row_per_row(backend: backends.Backend) -> None:
    # The verifier's batch: each row with its own U and V row (samples from other intervals).
    x = spec.x0(FIXED_SEED, 64)
    b = spec.b_matrix(FIXED_SEED, 64)
    u = spec.u_matrix(FIXED_SEED, 64)
    v = spec.v_rows(FIXED_SEED, 64, [k % 5 for k in range(64)])

    stepped = backend.steps_host(x, b, u, v, 1)

    for i in (0, 1, 33, 63):
        assert stepped[i].tolist() == ref.step_row(
            x[i].tolist(), b.tolist(), u[i].tolist(), v[i].tolist()
        )


def test_backend_root_matches_reference(backend: backends.Backend) -> None:
    params = spec.Params(FIXED_SEED, 64, 4, 2)

    proof = prover.prove(params, backend)

    assert proof.root == ref.commitment_root(FIXED_SEED, 64, 4, 2)


def test_float32_backends_are_exact_at_the_largest_products(backend: backends.Backend) -> None:
    # Every product is (-8)·(-8) = 64, so |Y| = 64n: the worst case for float32 accumulation.
    n = 1024
    x = np.full((4, n), spec.ENTRY_MIN, dtype=np.int8)
    b = np.full((n, n), spec.ENTRY_MIN, dtype=np.int8)
    b[:, 1::2] = spec.ENTRY_MAX

    # The offsets at their extremes too: |X @ B + offset| reaches 64n + 2^13.
    u = np.full((4, n), spec.ENTRY_MIN, dtype=np.int8)
    v = np.full(n, spec.ENTRY_MIN, dtype=np.int8)
    u[1::2] = spec.ENTRY_MAX

    stepped = backend.steps_host(x, b, u, v, 1)

    assert np.array_equal(stepped, spec.step(x, b, spec.offsets(u, v)))


@settings(max_examples=12, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    n=st.sampled_from([64, 128]),
    first_word=st.integers(min_value=0, max_value=2**40),
    rows=st.lists(st.integers(min_value=0, max_value=63), min_size=1, max_size=3, unique=True),
)
def test_generated_cases_match_reference(
    backend: backends.Backend, seed: bytes, n: int, first_word: int, rows: list[int]
) -> None:
    key_x, key_b = spec.key(seed, spec.TAG_X), spec.key(seed, spec.TAG_B)
    x0 = spec.x0(seed, n)
    b = spec.b_matrix(seed, n)
    u = spec.u_matrix(seed, n)
    v = spec.v_rows(seed, n, [first_word % 7])[0]
    stepped = backend.steps_host(x0, b, u, v, 1)
    b_ref = b.tolist()

    assert [int(w) for w in spec.words(key_b, first_word, 8)] == [
        ref.word(key_b, m) for m in range(first_word, first_word + 8)
    ]
    assert spec.entries(key_x, first_word, 40).tolist() == [
        ref.entry(key_x, e) for e in range(first_word, first_word + 40)
    ]
    for i in rows:
        expected_x0_row = [ref.entry(key_x, i * n + j) for j in range(n)]
        expected_next = ref.step_row(expected_x0_row, b_ref, u[i].tolist(), v.tolist())
        assert x0[i].tolist() == expected_x0_row
        assert stepped[i].tolist() == expected_next
        assert spec.leaf(1, i, stepped[i]) == ref.leaf(1, i, expected_next)


@settings(max_examples=5, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32))
def test_generated_roots_match_reference(backend: backends.Backend, seed: bytes) -> None:
    params = spec.Params(seed, 64, 2, 1)

    proof = prover.prove(params, backend)

    assert proof.root == ref.commitment_root(seed, 64, 2, 1)
