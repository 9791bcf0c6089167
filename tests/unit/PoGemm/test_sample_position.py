"""PoGemm.samplePosition equals the off-chain sampling rule."""

from __future__ import annotations

from typing import Any

import brownie
import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import spec


@pytest.mark.parametrize(("intervals", "n"), [(4, 64), (32, 8192), (7, 192)])
def test_positions_equal_python(harness: Any, intervals: int, n: int) -> None:
    sampling_seed = keccak(b"solidity-sampling")

    for k in (0, 1, 63, 2**32 - 1):
        c, i = harness.samplePosition(sampling_seed, k, intervals, n)
        assert (c, i) == spec.sample_position(sampling_seed, k, intervals, n)


def test_empty_sample_space_reverts(harness: Any) -> None:
    with brownie.reverts(revert_pattern="PoGemmInvalidSampleSpace.*"):
        harness.samplePosition(bytes(32), 0, 0, 64)
