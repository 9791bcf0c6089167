"""PoGemm.g equals the Python g, negative inputs and int32 extremes included."""

from __future__ import annotations

from typing import Any

import pytest
from brownie.test import given, strategy
from hypothesis import settings

from gpumarket.pogemm import reference as ref

EDGES = [0, 1, -1, 7, -7, 8, -8, -9, 511, -512, -513, 4095, -4096, -4097, 2**31 - 1, -(2**31)]


@pytest.mark.parametrize("y", EDGES)
def test_g_on_edges_equals_python(harness: Any, y: int) -> None:
    assert harness.g(y) == ref.g(y)


def test_g_equals_golden_vectors(harness: Any, golden: dict[str, Any]) -> None:
    for y, expected in golden["g"]:
        assert harness.g(y) == expected


@settings(max_examples=30)
@given(y=strategy("int32"))
def test_g_on_int32_equals_python(harness: Any, y: int) -> None:
    assert harness.g(y) == ref.g(y)


@settings(max_examples=15)
@given(y=strategy("int256"))
def test_g_on_int256_equals_python(harness: Any, y: int) -> None:
    assert harness.g(y) == ref.g(y)
