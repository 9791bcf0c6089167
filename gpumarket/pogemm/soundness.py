"""How likely a PoGEMM cheater is to pass, and how many samples a check needs (DESIGN.md 5.6).

Units. The commitment has ``C·n`` (interval, row) units, C = T/K: unit (c, i) is *consistent*
when K steps of row i's interval-c map ``F_{c,i}(x) = g(x·B + (U[i] + V[c])·512)`` take committed
row i of checkpoint c to committed row i of checkpoint c + 1 (and, for c = 0, the committed row
is the generator's X0 row). A sample is one uniform unit (`spec.sample_position`; its modulo bias
is below 2^-190), and it passes exactly when its unit is consistent. So, for any commitment
whatsoever, with a sampling seed the provider could not know or choose when it committed::

    P(pass S samples) = f^S,   f = consistent units / (C·n)                       (exact)

Work. That is a statement about units, not about work; v1 equated the two, and its collapse
cheater (every later row one shared vector, 1/n of the work) had f = 1 − 1/C. In v2 every unit has
a map of its own, so no row of GEMM output serves two units except where a cheater *chooses* a
unit's starting row (equal to another's, or structured, like zero) — which it can do only for a
unit whose predecessor (c − 1, i) is then inconsistent (hitting a chosen row with F^K is a
preimage search), and which saves that unit's first step and nothing more (its next inputs are
outputs of its own map). Counting W row-steps (one row of ``g(x·B + offset)``, by whatever
algorithm), a consistent unit costs at least K − 1 of them, K when its start was the previous
unit's output, and the cheap-start units number at most the inconsistent ones. With
w = W / (n·T), the largest f a provider can reach is::

    phi(w) = w·K/(K − 1)           for w <= (K − 1)/(2K)
             (K·w + 1)/(K + 1)     above (and for every w when K = 1: phi(0) = 1/2)

    P(pass S samples) <= phi(w)^S                                           (any strategy)

The assumptions: keccak and the generator behave as random functions (no preimages of F^K, no
fixed points or cycles, no algebraic shortcut through g), and the sampling seed is one draw
(DESIGN.md 5.4).

Grinding. The sampling seed is the hash of the block after the commitment, and whoever builds that
block can try candidates and keep one it likes. Trying k of them turns the bound into
``k·phi(w)^S`` (a union bound over the candidates). `sample_count(K)`, which BenchmarkRegistry
holds on-chain as ``sampleCount(K)``, is the least S >= 64 with
``2^40 · phi(1/2)^S <= 2^-20``: a builder trying 2^40 candidates passes a provider that did
half the work with probability at most 2^-20. Waiting gives no second draw: a seed left
unstored past the 256-block window fails the challenge.

`alternating_cheater_fraction` is a strategy that meets phi at its corner, so phi cannot be
lowered. A cheater who fakes only column c = 0 (the units a sample reaches with
probability 1/C) passes with `column_zero_pass` = (1 − 1/C)^S: v1's collapse rate, now the rate
of a cheater who did all the work from a made-up X0, which the on-chain fraud proof catches too.

`consistent_units` measures f (and each column's share) for a given commitment.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from gpumarket.pogemm import spec
from gpumarket.pogemm.backends import NumpyBackend

# ceil() of a ratio that is an integer up to float rounding must not jump to the next integer.
_RATIO_TOLERANCE = 1e-9

#: Candidate sampling seeds a block builder is taken to try (SECURITY.md, Seeds).
GRINDING_ATTEMPTS = 2**40
#: The most a provider that did `GRINDING_WORK` may pass with, over all those candidates.
GRINDING_TARGET = Fraction(1, 2**20)
#: The fraction of the work the sample count defends.
GRINDING_WORK = Fraction(1, 2)
#: The fewest samples at any K (v1's S).
MIN_SAMPLES = 64

_Number = TypeVar("_Number", float, Fraction)


def _check_fraction(f: float, name: str = "f") -> None:
    if isinstance(f, bool) or not isinstance(f, int | float) or math.isnan(f):
        raise ValueError(f"{name} must be a number, got {f!r}")


def _check_unit_interval(f: float, name: str) -> None:
    _check_fraction(f, name)
    if not 0.0 <= f <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {f}")


def _check_count(value: int, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def pass_probability(f: float, samples: int) -> float:
    """f^S: the chance that a commitment with a fraction f of consistent units passes S samples."""
    _check_unit_interval(f, "f")
    _check_count(samples, "samples", 0)
    return float(f) ** samples


def samples_needed(epsilon: float, f: float) -> int:
    """Smallest S with f^S <= epsilon: ceil(log epsilon / log f)."""
    _check_fraction(epsilon, "epsilon")
    _check_fraction(f)
    if not 0.0 < epsilon < 1.0:
        raise ValueError(f"epsilon must be in (0, 1), got {epsilon}")
    if not 0.0 < f < 1.0:
        raise ValueError(f"f must be in (0, 1), got {f}")
    return max(1, math.ceil(math.log(epsilon) / math.log(f) - _RATIO_TOLERANCE))


def max_consistent_fraction(work: float, interval: int) -> float:
    """phi(w): the largest fraction of consistent units reachable with a fraction `work` of the
    n·T row-steps, against any strategy (module docstring)."""
    _check_unit_interval(work, "work")
    _check_count(interval, "interval", 1)
    return _phi(float(work), interval)


def _phi(work: _Number, k: int) -> _Number:
    """phi(w) at interval k, in the type of `work` (float, or Fraction for exact figures)."""
    if k > 1 and work <= Fraction(k - 1, 2 * k):
        return work * k / (k - 1)
    return (k * work + 1) / (k + 1)


@functools.lru_cache(maxsize=256)
def sample_count(interval: int) -> int:
    """The least S >= MIN_SAMPLES with GRINDING_ATTEMPTS · phi(GRINDING_WORK)^S <= GRINDING_TARGET,
    in exact rationals: the derivation of BenchmarkRegistry's on-chain `sampleCount(K)`, which
    the oracle reads (a test checks that the two agree). 145 at K = 1, 103 at K = 2, 64 from
    K = 22."""
    _check_count(interval, "interval", 1)
    phi = _phi(GRINDING_WORK, interval)
    samples = MIN_SAMPLES
    while GRINDING_ATTEMPTS * phi**samples > GRINDING_TARGET:
        samples += 1
    return samples


def pass_bound(work: float, interval: int, samples: int) -> float:
    """phi(w)^S: the most a provider that did a fraction `work` of the row-steps passes with."""
    return pass_probability(max_consistent_fraction(work, interval), samples)


def work_needed(epsilon: float, interval: int, samples: int) -> float:
    """The least fraction of the work with which a provider can pass S samples with probability
    epsilon or more: the w with phi(w)^S = epsilon."""
    _check_fraction(epsilon, "epsilon")
    if not 0.0 < epsilon <= 1.0:
        raise ValueError(f"epsilon must be in (0, 1], got {epsilon}")
    _check_count(interval, "interval", 1)
    _check_count(samples, "samples", 1)
    f = math.pow(epsilon, 1.0 / samples)
    k = interval
    if k > 1 and f <= 0.5:
        return f * (k - 1) / k
    return max(0.0, (f * (k + 1) - 1) / k)


def column_zero_pass(intervals: int, samples: int) -> float:
    """(1 − 1/C)^S: a commitment whose only inconsistent units are column c = 0 passes with this.

    In v1 this was the collapse cheater's rate at 1/n of the work; in v2 such a commitment needs
    all the work (every later unit consistent), from an X0 of its own."""
    _check_count(intervals, "intervals", 1)
    return pass_probability(1 - 1 / intervals, samples)


def alternating_cheater_fraction(interval: int) -> tuple[float, float]:
    """(w, f) of a strategy meeting phi's corner: in every other interval each row starts from a
    cheap row (say zero: its first step is g(offset), no GEMM) and runs K − 1 real steps; the
    intervals between are left inconsistent. w = (K − 1)/(2K), f = 1/2 (C even, c = 0 aside)."""
    _check_count(interval, "interval", 1)
    return (interval - 1) / (2 * interval), 0.5


@dataclass(frozen=True)
class UnitCensus:
    """Which (interval, row) units of a commitment are consistent: ``consistent[c, i]``."""

    consistent: npt.NDArray[np.bool_]

    @property
    def fraction(self) -> float:
        """f: the share of consistent units, the chance that one sample passes."""
        return float(self.consistent.mean())

    @property
    def column_zero_fraction(self) -> float:
        """The share of column c = 0 (rows from the generator's X0) that is consistent."""
        return float(self.consistent[0].mean())

    @property
    def later_fraction(self) -> float:
        """The share of columns c >= 1 that is consistent (1.0 when there is none)."""
        later = self.consistent[1:]
        return float(later.mean()) if later.size else 1.0

    def pass_probability(self, samples: int) -> float:
        return pass_probability(self.fraction, samples)


def consistent_units(
    params: spec.Params,
    checkpoints: Sequence[spec.Int8Matrix],
    b: spec.Int8Matrix | None = None,
) -> UnitCensus:
    """Recompute every unit of a commitment to `checkpoints` (all T/K + 1 matrices) and say which
    are consistent: what the verifier would accept at each sample position."""
    if len(checkpoints) != params.checkpoints:
        raise ValueError(f"need {params.checkpoints} checkpoints, got {len(checkpoints)}")
    n = params.n
    b_matrix = spec.b_matrix(params.seed, n) if b is None else b
    u = spec.u_matrix(params.seed, n)
    backend = NumpyBackend()
    consistent = np.empty((params.intervals, n), dtype=bool)
    for c, v in enumerate(spec.v_rows(params.seed, n, range(params.intervals))):
        start = np.asarray(checkpoints[c], dtype=np.int8)
        recomputed = backend.steps_host(start, b_matrix, u, v, params.interval)
        consistent[c] = (recomputed == checkpoints[c + 1]).all(axis=1)
    consistent[0] &= (np.asarray(checkpoints[0]) == spec.x0(params.seed, n)).all(axis=1)
    return UnitCensus(consistent)


@functools.lru_cache(maxsize=8)
def _log_choose(trials: int) -> npt.NDArray[np.float64]:
    """log C(trials, j), j = 0 ... trials."""
    log_factorials = np.array([math.lgamma(x + 1) for x in range(trials + 1)], dtype=np.float64)
    out: npt.NDArray[np.float64] = log_factorials[-1] - log_factorials - log_factorials[::-1]
    return out


def _log_binomial_pmf(trials: int, p: float) -> npt.NDArray[np.float64]:
    """log P(X = j) for X ~ Binomial(trials, p), j = 0 ... trials, with 0 < p < 1."""
    j = np.arange(trials + 1, dtype=np.float64)
    return _log_choose(trials) + j * math.log(p) + (trials - j) * math.log1p(-p)


def _binomial_cdf(k: int, trials: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(trials, p)."""
    if k < 0:
        return 0.0
    if k >= trials or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    logs = _log_binomial_pmf(trials, p)[: k + 1]
    top = float(logs.max())
    return min(1.0, math.exp(top) * float(np.exp(logs - top).sum()))


def _bisect(predicate_low: Callable[[float], bool]) -> float:
    """The p in [0, 1] where `predicate_low` turns from true to false (60 halvings)."""
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if predicate_low(middle):
            low = middle
        else:
            high = middle
    return (low + high) / 2


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval for a binomial rate: each side holds the
    true rate with probability at least 1 − (1 − confidence)/2."""
    _check_count(trials, "trials", 1)
    _check_count(successes, "successes", 0)
    if successes > trials:
        raise ValueError(f"successes ({successes}) exceed trials ({trials})")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    tail = (1.0 - confidence) / 2
    # low: P(X >= successes | p) = tail; that tail grows with p.
    low = (
        0.0
        if successes == 0
        else _bisect(lambda p: 1.0 - _binomial_cdf(successes - 1, trials, p) < tail)
    )
    # high: P(X <= successes | p) = tail; that tail shrinks as p grows.
    high = (
        1.0
        if successes == trials
        else _bisect(lambda p: _binomial_cdf(successes, trials, p) > tail)
    )
    return low, high


def _figures() -> str:
    """The bound at production sizes, beside v1's collapse rate (``python -m ...soundness``)."""
    lines = [
        "T/K   K    S  v1 collapse (1-K/T)^S  v2 bound at w=1/2  v2 w for pass >= 1e-6"
        "  w a 2^40 grinder passes with (k·phi^S = 1)",
    ]
    for intervals, k in ((128, 256), (210, 256), (128, 64), (4, 2)):
        s = sample_count(k)
        grinder = work_needed(1 / GRINDING_ATTEMPTS, k, s)
        lines.append(
            f"{intervals:>3} {k:>4} {s:>4}  {column_zero_pass(intervals, s):>21.3g}  "
            f"{pass_bound(0.5, k, s):>17.3g}  {work_needed(1e-6, k, s):>21.4f}"
            f"  {grinder:>41.4f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(_figures())
