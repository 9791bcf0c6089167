"""The soundness helpers: f^S, the S that pushes it below epsilon, the work bound phi(w), the
unit census of a commitment, and the Clopper-Pearson interval the cheater suite uses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import spec
from gpumarket.pogemm.soundness import (
    alternating_cheater_fraction,
    clopper_pearson,
    column_zero_pass,
    consistent_units,
    max_consistent_fraction,
    pass_bound,
    pass_probability,
    samples_needed,
    work_needed,
)


def test_design_figures() -> None:
    assert pass_probability(0.9, 64) == pytest.approx(1.18e-3, rel=0.01)
    assert pass_probability(0.5, 64) == pytest.approx(5.42e-20, rel=0.01)


def test_samples_needed_matches_the_closed_form() -> None:
    assert samples_needed(1e-3, 0.9) == math.ceil(math.log(1e-3) / math.log(0.9)) == 66
    assert samples_needed(1e-6, 0.5) == 20


@pytest.mark.parametrize("f", [0.5, 0.75, 0.9, 0.99])
@pytest.mark.parametrize("samples", [1, 16, 64, 200])
def test_round_trip_from_samples(f: float, samples: int) -> None:
    assert samples_needed(pass_probability(f, samples), f) == samples


@pytest.mark.parametrize("epsilon", [1e-2, 1e-6, 1e-12])
@pytest.mark.parametrize("f", [0.5, 0.9, 0.999])
def test_samples_needed_is_the_smallest_that_suffices(epsilon: float, f: float) -> None:
    needed = samples_needed(epsilon, f)

    assert pass_probability(f, needed) <= epsilon * (1 + 1e-9)
    assert needed == 1 or pass_probability(f, needed - 1) > epsilon


def test_pass_probability_edges() -> None:
    assert pass_probability(1.0, 64) == 1.0
    assert pass_probability(0.0, 1) == 0.0
    assert pass_probability(0.3, 0) == 1.0


@pytest.mark.parametrize(
    ("f", "samples"), [(-0.1, 4), (1.1, 4), (float("nan"), 4), (0.5, -1), (0.5, 2.5), (0.5, True)]
)
def test_pass_probability_rejects_bad_input(f: float, samples: int) -> None:
    with pytest.raises(ValueError):
        pass_probability(f, samples)


@pytest.mark.parametrize(
    ("epsilon", "f"),
    [(0.0, 0.5), (1.0, 0.5), (-1e-3, 0.5), (1e-3, 0.0), (1e-3, 1.0), (1e-3, 1.5), (1e-3, "0.5")],
)
def test_samples_needed_rejects_bad_input(epsilon: float, f: float) -> None:
    with pytest.raises(ValueError):
        samples_needed(epsilon, f)


# ---------------------------------------------------------------- the work bound (v2)


@pytest.mark.parametrize("interval", [1, 2, 8, 256])
def test_phi_runs_from_its_floor_to_one_and_never_below_w(interval: int) -> None:
    ws = [k / 200 for k in range(201)]
    phis = [max_consistent_fraction(w, interval) for w in ws]

    assert phis[0] == (0.5 if interval == 1 else 0.0) and phis[-1] == 1.0
    assert all(a < b for a, b in zip(phis, phis[1:], strict=False))
    assert all(w <= phi <= 1.0 for w, phi in zip(ws, phis, strict=True))


@pytest.mark.parametrize("interval", [2, 3, 8, 256])
def test_phi_is_continuous_at_its_corner_where_the_alternating_cheater_sits(
    interval: int,
) -> None:
    w, f = alternating_cheater_fraction(interval)

    assert max_consistent_fraction(w, interval) == pytest.approx(f) == pytest.approx(0.5)
    assert max_consistent_fraction(w + 1e-9, interval) == pytest.approx(0.5)


@pytest.mark.parametrize("interval", [1, 2, 256])
@pytest.mark.parametrize("epsilon", [1e-6, 1e-3, 0.5])
def test_work_needed_inverts_the_bound(interval: int, epsilon: float) -> None:
    w = work_needed(epsilon, interval, 64)

    assert pass_bound(w, interval, 64) == pytest.approx(epsilon, rel=1e-9)


def test_v1_collapse_rates_at_production_sizes_are_the_column_zero_rate() -> None:
    # T/K = 128 ... 210 with S = 64: what v1's collapse cheater passed with (issue 14).
    assert column_zero_pass(128, 64) == pytest.approx(0.605, abs=1e-3)
    assert column_zero_pass(210, 64) == pytest.approx(0.737, abs=1e-3)
    assert pass_bound(1 / 8192, 256, 64) < 1e-250


def test_bound_inputs_are_checked() -> None:
    with pytest.raises(ValueError):
        max_consistent_fraction(1.5, 2)
    with pytest.raises(ValueError):
        max_consistent_fraction(0.5, 0)
    with pytest.raises(ValueError):
        work_needed(0.0, 2, 64)


# ---------------------------------------------------------------- Clopper-Pearson


@pytest.mark.parametrize(
    ("successes", "trials", "expected"),
    # Reference values (R: binom.test(x, n)$conf.int).
    [(5, 10, (0.1870860, 0.8129140)), (0, 10, (0.0, 0.3084971)), (10, 10, (0.6915029, 1.0))],
)
def test_clopper_pearson_matches_reference_values(
    successes: int, trials: int, expected: tuple[float, float]
) -> None:
    low, high = clopper_pearson(successes, trials)

    assert (low, high) == pytest.approx(expected, abs=1e-6)


def test_clopper_pearson_covers_the_true_rate_at_least_as_often_as_promised() -> None:
    rng = np.random.default_rng(3)
    p, trials = 0.3, 200
    covered = sum(
        low <= p <= high
        for low, high in (clopper_pearson(int(k), trials) for k in rng.binomial(trials, p, 400))
    )

    assert covered / 400 >= 0.93


def test_clopper_pearson_rejects_bad_counts() -> None:
    for args in ((3, 2), (-1, 2), (1, 0)):
        with pytest.raises(ValueError):
            clopper_pearson(*args)


# ---------------------------------------------------------------- unit census


def test_census_of_an_honest_commitment_is_all_consistent() -> None:
    params = spec.Params(keccak(b"census"), 64, 8, 2)

    census = consistent_units(params, spec.honest_checkpoints(params))

    assert census.consistent.shape == (4, 64) and census.fraction == 1.0
    assert census.pass_probability(64) == 1.0


def test_census_marks_the_unit_before_and_the_column_zero_row() -> None:
    params = spec.Params(keccak(b"census"), 64, 8, 2)
    checkpoints = [x.copy() for x in spec.honest_checkpoints(params)]
    checkpoints[2][7] = -checkpoints[2][7] - 1  # unit (1, 7) ends wrong, (2, 7) starts there
    checkpoints[0][9] = -checkpoints[0][9] - 1  # a made-up X0 row: unit (0, 9)

    census = consistent_units(params, checkpoints)

    assert sorted(zip(*np.nonzero(~census.consistent), strict=True)) == [(0, 9), (1, 7), (2, 7)]
    assert census.column_zero_fraction == 63 / 64
    assert census.fraction == 1 - 3 / 256
