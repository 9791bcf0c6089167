"""How many samples a PoGEMM check needs.

A provider that did only a fraction f of the (interval, row) units passes one uniform sample
with probability at most f, so S independent samples pass with probability at most f^S.
"""

from __future__ import annotations

import math

# ceil() of a ratio that is an integer up to float rounding must not jump to the next integer.
_RATIO_TOLERANCE = 1e-9


def _check_fraction(f: float, name: str = "f") -> None:
    if isinstance(f, bool) or not isinstance(f, int | float) or math.isnan(f):
        raise ValueError(f"{name} must be a number, got {f!r}")


def pass_probability(f: float, samples: int) -> float:
    """f^S: the chance that a provider who did a fraction f of the work passes S samples."""
    _check_fraction(f)
    if not 0.0 <= f <= 1.0:
        raise ValueError(f"f must be in [0, 1], got {f}")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
        raise ValueError(f"samples must be a non-negative integer, got {samples!r}")
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
