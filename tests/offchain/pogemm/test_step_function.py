"""g, the step's nonlinearity, on negative inputs and across the whole GEMM output range."""

from __future__ import annotations

import numpy as np
import pytest

from gpumarket.pogemm import reference as ref
from gpumarket.pogemm import spec

# Worked by hand with arithmetic shifts: -9 >> 3 == -2, -9 >> 9 == -1, (-2 ^ -1) & 15 == 1.
HAND_WORKED = [(-1, -8), (-8, -8), (-9, -7), (-513, -7), (-4096, 0), (0, -8), (8, -7), (512, -7)]


@pytest.mark.parametrize(("y", "expected"), HAND_WORKED)
def test_g_matches_hand_worked_values(y: int, expected: int) -> None:
    assert ref.g(y) == expected
    assert spec.g(np.array([y], dtype=np.int32))[0] == expected


def test_g_agrees_with_reference_over_every_output_of_an_n_1024_gemm() -> None:
    bound = 64 * 1024
    ys = np.arange(-bound, bound + 1, dtype=np.int32)

    values = spec.g(ys)

    assert values.tolist() == [ref.g(int(y)) for y in ys]


def test_g_on_int32_extremes_uses_arithmetic_shifts() -> None:
    ys = np.array([-(2**31), 2**31 - 1, -(2**30) - 1], dtype=np.int32)

    values = spec.g(ys)

    assert values.tolist() == [ref.g(int(y)) for y in ys]


def test_g_depends_only_on_the_low_13_bits() -> None:
    ys = np.arange(-50_000, 50_000, dtype=np.int64)

    assert np.array_equal(spec.g(ys), spec.g(ys + (1 << 13)))


def test_g_values_are_entries() -> None:
    values = spec.g(np.arange(-70_000, 70_000, dtype=np.int32))

    assert values.min() == spec.ENTRY_MIN and values.max() == spec.ENTRY_MAX


def test_g_rejects_unsigned_input() -> None:
    with pytest.raises(TypeError):
        spec.g(np.array([1], dtype=np.uint32))


def test_g_is_not_linear_mod_16() -> None:
    # A map linear mod 16 would let a cheater jump K steps with B^K (DESIGN.md section 5).
    ys = np.arange(-2000, 2000, dtype=np.int32)
    shifted = (spec.g(ys + 8).astype(np.int32) - spec.g(ys).astype(np.int32)) % 16

    assert len(set(shifted.tolist())) > 1
