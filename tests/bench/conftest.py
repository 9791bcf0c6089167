"""Bench fixtures: where the committed gas baseline lives."""

from pathlib import Path

import pytest

from gpumarket.bench.baseline import BASELINE_PATH


@pytest.fixture(scope="session")
def baseline_path():
    """benchmarks/gas-baseline.json in this checkout."""
    return Path(__file__).resolve().parents[2] / BASELINE_PATH
