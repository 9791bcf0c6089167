"""Gas regression: the exact gas of every operation, measured on the module's own deployment by
`gpumarket.bench.gas.measure_gas`, against the committed baseline (benchmarks/gas-baseline.json).

An operation more than 5% above its baseline fails; one more than 5% below is reported as a
warning, to be locked in with `GPUMARKET_BENCH_UPDATE_BASELINE=1 make bench`. The gas targets
(issue 12: lifecycle <= 900,000 gas, batched votes <= 30,000 gas per job) are enforced where the
baseline meets them; where it does not, the figure may not grow past its baseline at all.
"""

import warnings

import pytest

from gpumarket.bench.baseline import compare, format_delta, load_baseline
from gpumarket.bench.gas import measure_gas, targets


@pytest.fixture(scope="module")
def baseline(baseline_path):
    return load_baseline(baseline_path)


@pytest.fixture(scope="module")
def measured(module_isolation):
    """Every figure, measured once on the chain module_isolation has just reset (the root
    conftest's fn_isolation reverts after each test, so the measuring happens here, before the
    first test's snapshot, and the tests only read the figures)."""
    return measure_gas()


def _line(row):
    return (
        f"{row.operation}: {row.gas:,} gas, baseline {row.baseline:,} ({format_delta(row.delta)})"
    )


def test_every_baseline_operation_is_measured(measured, baseline):
    missing = sorted(set(baseline) - set(measured))

    assert missing == [], "operations in the baseline that were not measured"


def test_every_measured_operation_has_a_baseline(measured, baseline):
    unbaselined = sorted(set(measured) - set(baseline))

    assert unbaselined == [], (
        "operations without a baseline: add them with GPUMARKET_BENCH_UPDATE_BASELINE=1 make bench"
    )


def test_no_operation_costs_more_than_5_percent_over_its_baseline(measured, baseline):
    rows = compare(measured, baseline)

    improved = [_line(row) for row in rows if row.improved]
    if improved:
        warnings.warn(
            "gas improved by more than 5%, lock it in with GPUMARKET_BENCH_UPDATE_BASELINE=1 "
            "make bench:\n" + "\n".join(improved),
            stacklevel=1,
        )
    assert [_line(row) for row in rows if row.regressed] == []


@pytest.mark.parametrize("figure, target", sorted(targets().items()))
def test_gas_target_holds_or_the_figure_stays_within_its_baseline(
    measured, baseline, figure, target
):
    limit = target if baseline[figure] <= target else baseline[figure]

    assert measured[figure] <= limit, (
        f"{figure}: {measured[figure]:,} gas; target {target:,}, baseline {baseline[figure]:,}"
    )
