"""The soundness helpers: f^S, and the S that pushes it below epsilon."""

from __future__ import annotations

import math

import pytest

from gpumarket.pogemm.soundness import pass_probability, samples_needed


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
