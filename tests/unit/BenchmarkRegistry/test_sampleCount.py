"""The samples S checked per challenge are a protocol rule, on-chain: the least S (at least 64)
with 2^40 · phi(1/2)^S <= 2^-20 for checkpoint interval K. The table must be exactly what
`gpumarket.pogemm.soundness.sample_count` derives from the bound (DESIGN 5.6)."""

import brownie
import pytest

from gpumarket.pogemm import soundness

from .helpers import err

#: Every K with its own entry, the first K answered by the floor, and far beyond.
INTERVALS = [*range(1, 40), 64, 256, 1024, 65_536, 2**31, 2**32 - 1]


@pytest.mark.parametrize("interval", INTERVALS)
def test_sample_count_is_the_soundness_derivation(benchmark, interval):
    assert benchmark.sampleCount(interval) == soundness.sample_count(interval)


def test_sample_counts_at_the_design_intervals(benchmark):
    counts = [benchmark.sampleCount(k) for k in (1, 2, 4, 8, 16, 32, 256)]

    assert counts == [145, 103, 82, 71, 66, 64, 64]


def test_sample_count_of_interval_zero_reverts(benchmark):
    with brownie.reverts(err("BenchmarkRegistryInvalidParameters", 0, 0, 0)):
        benchmark.sampleCount(0)
