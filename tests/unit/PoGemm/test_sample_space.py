"""PoGemm.samplePosition refuses an empty sample space on either axis, with both sizes in the
error: no checkpoint interval (T/K = 0) or no row (n = 0)."""

from __future__ import annotations

from typing import Any

import brownie
import pytest

from gpumarket.testing.reverts import custom_error


@pytest.mark.parametrize(("intervals", "n"), [(0, 64), (4, 0), (0, 0)])
def test_empty_sample_space_reverts_with_both_sizes(harness: Any, intervals: int, n: int) -> None:
    with brownie.reverts(custom_error("PoGemmInvalidSampleSpace", intervals, n)):
        harness.samplePosition(bytes(32), 0, intervals, n)
