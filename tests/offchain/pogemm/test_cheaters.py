"""Simulated cheating providers are caught at the rate 1 − f^S predicts; an honest one never is.

Each cheater kind runs as INSTANCES providers (fresh challenge seed each) against
TRIALS_PER_INSTANCE sampling seeds: 200 trials per kind at n=64, T=8, K=2, S=16. f is measured
per provider as the fraction of (interval, row) units the verifier would accept, and the number
caught must lie inside a two-sided binomial interval (false-alarm rate ALPHA) around the
prediction, not at a hard-coded count.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import spec, verifier
from gpumarket.pogemm.prover import Proof

N, STEPS, INTERVAL, SAMPLES = 64, 8, 2, 16
INSTANCES = 8
TRIALS_PER_INSTANCE = 25
ALPHA = 1e-6

Checkpoints = list[spec.Int8Matrix]
Cheater = Callable[[spec.Params, spec.Int8Matrix, np.random.Generator], Checkpoints]


def _random_rows(rng: np.random.Generator, rows: int) -> spec.Int8Matrix:
    return rng.integers(spec.ENTRY_MIN, spec.ENTRY_MAX + 1, (rows, N), dtype=np.int8)


def _run(
    start: spec.Int8Matrix,
    b: spec.Int8Matrix,
    steps_per_interval: int = INTERVAL,
    g: Callable[[npt.NDArray[np.int32]], spec.Int8Matrix] = spec.g,
) -> Checkpoints:
    x = start
    checkpoints = [x]
    for _ in range(STEPS // INTERVAL):
        for _ in range(steps_per_interval):
            x = g(x.astype(np.int32) @ b.astype(np.int32))
        checkpoints.append(x)
    return checkpoints


def honest(params: spec.Params, b: spec.Int8Matrix, rng: np.random.Generator) -> Checkpoints:
    return _run(spec.x0(params.seed, N), b)


def partial_work(f: float) -> Cheater:
    """Computes a fraction f of the (interval, row) units and makes the other rows up; later
    intervals continue honestly from the made-up rows."""

    def cheat(params: spec.Params, b: spec.Int8Matrix, rng: np.random.Generator) -> Checkpoints:
        units = params.intervals * N
        faked = set(rng.choice(units, size=round((1 - f) * units), replace=False).tolist())
        x = spec.x0(params.seed, N)
        checkpoints = [x]
        for c in range(params.intervals):
            x = spec.step(spec.step(x, b), b)
            rows = [i for i in range(N) if c * N + i in faked]
            x[rows] = _random_rows(rng, len(rows))
            checkpoints.append(x)
        return checkpoints

    return cheat


def linear_g(params: spec.Params, b: spec.Int8Matrix, rng: np.random.Generator) -> Checkpoints:
    """Uses a g that is linear mod 16, which would let it jump K steps with B^K."""
    return _run(spec.x0(params.seed, N), b, g=lambda y: ((y & 15) - 8).astype(np.int8))


def skipped_steps(params: spec.Params, b: spec.Int8Matrix, rng: np.random.Generator) -> Checkpoints:
    """Runs K − 1 of every K steps."""
    return _run(spec.x0(params.seed, N), b, steps_per_interval=INTERVAL - 1)


def made_up_x0(params: spec.Params, b: spec.Int8Matrix, rng: np.random.Generator) -> Checkpoints:
    """Starts from its own X0 (say, one it precomputed before the seed) and is honest after."""
    return _run(_random_rows(rng, N), b)


def accepted_fraction(params: spec.Params, checkpoints: Checkpoints, b: spec.Int8Matrix) -> float:
    """The fraction f of (interval, row) units that pass the verifier's checks."""
    x0 = spec.x0(params.seed, N)
    accepted = 0
    for c in range(params.intervals):
        recomputed = spec.step(spec.step(checkpoints[c], b), b)
        ok = (recomputed == checkpoints[c + 1]).all(axis=1)
        if c == 0:
            ok &= (checkpoints[0] == x0).all(axis=1)
        accepted += int(ok.sum())
    return accepted / (params.intervals * N)


def binomial_pmf(trials: int, p: float) -> list[float]:
    return [math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(trials + 1)]


def detection_interval(detection_probabilities: list[float], alpha: float) -> tuple[int, int]:
    """Two-sided interval for the number caught: the sum over providers of
    Binomial(TRIALS_PER_INSTANCE, p), with at most alpha/2 probability outside on each side."""
    pmf = [1.0]
    for p in detection_probabilities:
        pmf = list(np.convolve(pmf, binomial_pmf(TRIALS_PER_INSTANCE, p)))
    cdf = np.cumsum(pmf)
    low = int(np.searchsorted(cdf, alpha / 2, side="right"))
    high = int(np.searchsorted(cdf, 1 - alpha / 2, side="left"))
    return low, min(high, len(pmf) - 1)


def _trials(cheater: Cheater, label: str) -> tuple[int, list[float]]:
    """(providers caught over all trials, measured f per provider)."""
    caught = 0
    fractions = []
    for instance in range(INSTANCES):
        params = spec.Params(keccak(b"%s-%d" % (label.encode(), instance)), N, STEPS, INTERVAL)
        b = spec.b_matrix(params.seed, N)
        rng = np.random.default_rng(instance)
        checkpoints = cheater(params, b, rng)
        fractions.append(accepted_fraction(params, checkpoints, b))
        proof = Proof.from_checkpoints(params, checkpoints, b)
        for trial in range(TRIALS_PER_INSTANCE):
            sampling_seed = keccak(b"sampling-%d-%d" % (instance, trial))
            positions = verifier.derive_samples(sampling_seed, params, SAMPLES)
            reveals = list(proof.reveal_many(positions))
            verdict = verifier.verify(params, proof.root, sampling_seed, reveals, SAMPLES, b=b)
            caught += not verdict.ok
    return caught, fractions


CHEATERS = [
    ("partial-0.5", partial_work(0.5), (0.5, 0.5)),
    ("partial-0.9", partial_work(0.9), (0.89, 0.9)),
    ("linear-g", linear_g, (0.0, 0.05)),
    ("skipped-steps", skipped_steps, (0.0, 0.05)),
    ("made-up-x0", made_up_x0, (0.75, 0.75)),
]


@pytest.mark.parametrize(("label", "cheater", "f_range"), CHEATERS, ids=[c[0] for c in CHEATERS])
def test_cheater_is_caught_at_the_predicted_rate(
    label: str, cheater: Cheater, f_range: tuple[float, float]
) -> None:
    caught, fractions = _trials(cheater, label)

    assert all(f_range[0] <= f <= f_range[1] for f in fractions), fractions
    low, high = detection_interval([1 - f**SAMPLES for f in fractions], ALPHA)
    assert low <= caught <= high, (caught, low, high)


def test_honest_provider_is_never_flagged() -> None:
    caught, fractions = _trials(honest, "honest")

    assert fractions == [1.0] * INSTANCES
    assert caught == 0


def test_detection_interval_is_two_sided() -> None:
    low, high = detection_interval([0.5] * INSTANCES, ALPHA)

    assert 0 < low < 100 < high < INSTANCES * TRIALS_PER_INSTANCE
