"""Cheating provider strategies, played against 2,000 sampling seeds each, at n=64, T=8, K=2.

Every cheater below builds a commitment (all T/K + 1 checkpoints) with a `Machine` that counts
the row-steps it runs (one row of g(x·B + offset) out of a GEMM row, in whatever precision). For
each commitment the test measures f, the share of consistent (interval, row) units
(`soundness.consistent_units`), and w, the share of the n·T row-steps it ran; then it plays
SEEDS sampling seeds at S = 1, 4 and 16 and checks, per cheater and S:

- f <= phi(w) (`soundness.max_consistent_fraction`): the work bound holds, exactly;
- the measured pass rate is not above the bound phi(w)^S: the lower end of its 95%
  Clopper-Pearson interval is at most the bound;
- the measured rate is what f^S predicts: f^S lies inside the measured rate's Clopper-Pearson
  interval at 95% family-wise (Bonferroni over every check in this module);
- for the first VERIFIER_SEEDS seeds, the real verifier (Merkle proofs, reveals, K-step
  recomputation) gives the same verdict as the unit table.

Passing is decided from the unit table: a sample passes exactly when its unit is consistent
(the Merkle binding itself is tested in test_merkle.py and test_verifier.py), which is what makes
2,000 seeds × ~20 strategies cheap. `python tests/offchain/pogemm/test_cheaters.py` prints the
table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import soundness, spec, verifier
from gpumarket.pogemm.prover import Proof

N, STEPS, INTERVAL = 64, 8, 2
INTERVALS = STEPS // INTERVAL
SAMPLE_COUNTS = (1, 4, 16)
SEEDS = 2000
VERIFIER_SEEDS = 12
CONFIDENCE = 0.95

Checkpoints = list[spec.Int8Matrix]
Product = Callable[[npt.NDArray[np.int8], npt.NDArray[np.int32], npt.NDArray[np.int32]], np.ndarray]


def _params(label: str) -> spec.Params:
    return spec.Params(keccak(b"cheater-" + label.encode()), N, STEPS, INTERVAL)


def _round_significand(y: npt.NDArray[np.float64], bits: int) -> npt.NDArray[np.float64]:
    """y rounded to `bits` significant bits, to nearest even: bf16 keeps 8, fp16 11."""
    mantissa, exponent = np.frexp(y)
    return np.ldexp(np.round(mantissa * (1 << bits)) / (1 << bits), exponent)


def exact(x: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
    return x.astype(np.int32) @ b + offset


def bf16_gemm(x: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """A bf16 GEMM: products exact, the output rounded to bf16; the offset added exactly."""
    y = (x.astype(np.int32) @ b).astype(np.float64)
    return _round_significand(y, 8).astype(np.int64) + offset


def fp16_everything(x: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """fp16 from end to end: every partial sum rounded to fp16, then the offset add."""
    acc = np.zeros((x.shape[0], b.shape[1]), dtype=np.float64)
    for j in range(b.shape[0]):
        acc = _round_significand(acc + np.outer(x[:, j], b[j]), 11)
    return _round_significand(acc + offset, 11).astype(np.int64)


class Machine:
    """The steps a cheater runs, counted: `row_steps` rows of g(x·B + offset) made from a GEMM
    row (a packed GEMM row makes several), `gemm_rows` GEMM rows actually multiplied."""

    def __init__(self, params: spec.Params) -> None:
        self.params = params
        self.b = spec.b_matrix(params.seed, N).astype(np.int32)
        self.u = spec.u_matrix(params.seed, N)
        self.v = spec.v_rows(params.seed, N, range(INTERVALS))
        self.x0 = spec.x0(params.seed, N)
        self.row_steps = 0.0
        self.gemm_rows = 0.0

    def offset(self, c: int, rows: npt.ArrayLike) -> npt.NDArray[np.int32]:
        return spec.offsets(self.u[np.asarray(rows)], self.v[c])

    def steps(
        self,
        x: np.ndarray,
        rows: npt.ArrayLike,
        c: int,
        count: int = INTERVAL,
        product: Product = exact,
        work: float = 1.0,
    ) -> spec.Int8Matrix:
        """`count` steps of interval c's maps for `rows` (x holds those rows)."""
        rows = np.atleast_1d(np.asarray(rows))
        offset = self.offset(c, rows)
        for _ in range(count):
            x = spec.g(product(x, self.b, offset).astype(np.int64))
        self.row_steps += work * len(rows) * count
        self.gemm_rows += work * len(rows) * count
        return x

    def interval(
        self,
        x: np.ndarray,
        rows: npt.ArrayLike,
        c: int,
        product: Product = exact,
        work: float = 1.0,
    ) -> spec.Int8Matrix:
        return self.steps(x, rows, c, INTERVAL, product, work)

    def from_zero(self, rows: npt.ArrayLike, c: int) -> spec.Int8Matrix:
        """Interval c from all-zero rows: the first step is g(offset), no GEMM; K − 1 real."""
        rows = np.atleast_1d(np.asarray(rows))
        first = spec.g(self.offset(c, rows))
        return self.steps(first, rows, c, INTERVAL - 1)

    def packed_interval(self, x: np.ndarray, rows: np.ndarray, c: int, lanes: int) -> np.ndarray:
        """Interval c with `lanes` rows packed per float32 (x_0 + 2^13·x_1 + 2^26·x_2 ...): one
        float32 GEMM row computes `lanes` row-steps, exactly only while every value stays below
        2^24 (two lanes reach 2^25, three 2^38)."""
        offset = self.offset(c, rows)
        b32 = self.b.astype(np.float32)
        scale = [np.float64(8192.0**lane) for lane in range(lanes)]
        for _ in range(INTERVAL):
            groups = [x[lane::lanes] for lane in range(lanes)]
            size = min(len(group) for group in groups)
            packed = sum(
                groups[lane][:size].astype(np.float64) * scale[lane] for lane in range(lanes)
            )
            y = (packed.astype(np.float32) @ b32).astype(np.float64)
            out = np.empty((len(rows), N), dtype=np.int64)
            for lane in reversed(range(lanes)):
                value = np.round(y / scale[lane])
                out[lane::lanes][:size] = value
                y = y - value * scale[lane]
            for lane in range(lanes):  # leftover rows, when lanes does not divide them
                left = groups[lane][size:]
                if len(left):
                    out[lane::lanes][size:] = left.astype(np.int32) @ self.b
            x = spec.g(out + offset)
            self.row_steps += len(rows)
            self.gemm_rows += len(rows) / lanes
        return x


def _random_rows(rng: np.random.Generator, rows: int) -> spec.Int8Matrix:
    return rng.integers(spec.ENTRY_MIN, spec.ENTRY_MAX + 1, (rows, N), dtype=np.int8)


ALL = np.arange(N)

# ---------------------------------------------------------------- the strategies
# Each takes (machine, rng) and returns the T/K + 1 checkpoint matrices it commits to.


def honest(m: Machine, rng: np.random.Generator) -> Checkpoints:
    out = [m.x0]
    for c in range(INTERVALS):
        out.append(m.interval(out[-1], ALL, c))
    return out


def collapse(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """v1's collapse: X0 honest, then every row of every later checkpoint one shared vector,
    pushed K steps per interval (with row 0's maps): 1/n of the work."""
    shared = m.x0[:1]
    out = [m.x0]
    for c in range(INTERVALS):
        shared = m.interval(shared, [0], c)
        out.append(np.repeat(shared, N, axis=0))
    return out


def replay(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """Repeats the first interval: checkpoints X0, X1, X0, X1, ... (one interval of work)."""
    x1 = m.interval(m.x0, ALL, 0)
    return [m.x0 if c % 2 == 0 else x1 for c in range(INTERVALS + 1)]


def cheap_start_alternating(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """Meets phi's corner: odd checkpoints are zero rows, from which interval c costs K − 1
    steps; even intervals are left inconsistent. w = (K − 1)/(2K), f = 1/2."""
    zero = np.zeros((N, N), dtype=np.int8)
    out = [m.x0]
    for c in range(INTERVALS):
        out.append(zero if c % 2 == 0 else m.from_zero(ALL, c))
    return out


def partial_units(fraction: float) -> Callable[[Machine, np.random.Generator], Checkpoints]:
    """Computes a random `fraction` of the (interval, row) units and makes the others up; a unit
    after a made-up row starts from it, honestly."""

    def cheat(m: Machine, rng: np.random.Generator) -> Checkpoints:
        units = INTERVALS * N
        computed = np.zeros(units, dtype=bool)
        computed[rng.choice(units, size=round(fraction * units), replace=False)] = True
        computed = computed.reshape(INTERVALS, N)
        out = [m.x0]
        for c in range(INTERVALS):
            x = _random_rows(rng, N)
            rows = np.flatnonzero(computed[c])
            x[rows] = m.interval(out[-1][rows], rows, c)
            out.append(x)
        return out

    return cheat


def partial_rows(fraction: float) -> Callable[[Machine, np.random.Generator], Checkpoints]:
    """Computes the first `fraction` of the rows through every interval; the rest made up."""

    def cheat(m: Machine, rng: np.random.Generator) -> Checkpoints:
        rows = np.arange(round(fraction * N))
        out = [m.x0]
        for c in range(INTERVALS):
            x = _random_rows(rng, N)
            x[rows] = m.interval(out[-1][rows], rows, c)
            out.append(x)
        return out

    return cheat


def partial_intervals(computed: int) -> Callable[[Machine, np.random.Generator], Checkpoints]:
    """Computes the first `computed` intervals and repeats its last checkpoint after them."""

    def cheat(m: Machine, rng: np.random.Generator) -> Checkpoints:
        out = [m.x0]
        for c in range(INTERVALS):
            out.append(m.interval(out[-1], ALL, c) if c < computed else out[-1])
        return out

    return cheat


def partial_entries(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """Computes half of every output row (the first n/2 columns of B) and guesses the rest."""
    half = N // 2

    def product(x: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
        z = rng.integers(-(1 << 13), 1 << 13, (x.shape[0], N))
        z[:, :half] = x.astype(np.int32) @ b[:, :half] + offset[:, :half]
        return z

    out = [m.x0]
    for c in range(INTERVALS):
        out.append(m.interval(out[-1], ALL, c, product=product, work=0.5))
    return out


def low_precision(product: Product) -> Callable[[Machine, np.random.Generator], Checkpoints]:
    """Does every row-step, with a GEMM that rounds."""

    def cheat(m: Machine, rng: np.random.Generator) -> Checkpoints:
        out = [m.x0]
        for c in range(INTERVALS):
            out.append(m.interval(out[-1], ALL, c, product=product))
        return out

    return cheat


def packed_float32(lanes: int) -> Callable[[Machine, np.random.Generator], Checkpoints]:
    """float32 past its exact range: `lanes` rows per float (module docstring of `Machine`)."""

    def cheat(m: Machine, rng: np.random.Generator) -> Checkpoints:
        out = [m.x0]
        for c in range(INTERVALS):
            out.append(m.packed_interval(out[-1], ALL, c, lanes))
        return out

    return cheat


def linear_g(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """A g that is linear mod 16 (which would let K steps be jumped with B^K)."""

    def product(x: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
        z = x.astype(np.int32) @ b + offset
        # g(z) = (z & 15) − 8 written through spec.g's formula: (z << 3) has bits 3..6 = z & 15
        # and bits 9..12 = (z >> 6) & 15, so feed g a value whose second nibble is zero.
        return (z & 15) << 3

    out = [m.x0]
    for c in range(INTERVALS):
        out.append(m.interval(out[-1], ALL, c, product=product))
    return out


def skipped_steps(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """Runs K − 1 of every K steps."""
    out = [m.x0]
    for c in range(INTERVALS):
        out.append(m.steps(out[-1], ALL, c, INTERVAL - 1))
    return out


def made_up_x0(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """All the work, from an X0 of its own (caught at c = 0, and on-chain by proveFraud)."""
    out = [_random_rows(rng, N)]
    for c in range(INTERVALS):
        out.append(m.interval(out[-1], ALL, c))
    return out


def mix(m: Machine, rng: np.random.Generator) -> Checkpoints:
    """A quarter of the rows each: honest, cheap starts on alternate intervals, bf16, and
    collapsed onto one row's chain."""
    quarters = [np.arange(q * N // 4, (q + 1) * N // 4) for q in range(4)]
    honest_rows, cheap_rows, bf16_rows, collapsed_rows = quarters
    out = [m.x0]
    shared = m.x0[collapsed_rows[:1]]
    for c in range(INTERVALS):
        x = np.empty((N, N), dtype=np.int8)
        x[honest_rows] = m.interval(out[-1][honest_rows], honest_rows, c)
        x[cheap_rows] = 0 if c % 2 == 0 else m.from_zero(cheap_rows, c)
        x[bf16_rows] = m.interval(out[-1][bf16_rows], bf16_rows, c, product=bf16_gemm)
        shared = m.interval(shared, collapsed_rows[:1], c)
        x[collapsed_rows] = shared
        out.append(x)
    return out


CHEATERS: dict[str, Callable[[Machine, np.random.Generator], Checkpoints]] = {
    "honest": honest,
    "collapse": collapse,
    "replay": replay,
    "cheap-start-alternating": cheap_start_alternating,
    "partial-units-0.5": partial_units(0.5),
    "partial-units-0.9": partial_units(0.9),
    "partial-rows-0.5": partial_rows(0.5),
    "partial-rows-0.75": partial_rows(0.75),
    "partial-intervals-2": partial_intervals(2),
    "partial-intervals-3": partial_intervals(3),
    "partial-entries": partial_entries,
    "bf16": low_precision(bf16_gemm),
    "fp16": low_precision(fp16_everything),
    "fp32-packed-2": packed_float32(2),
    "fp32-packed-3": packed_float32(3),
    "linear-g": linear_g,
    "skipped-steps": skipped_steps,
    "made-up-x0": made_up_x0,
    "mix": mix,
}

# Every check that compares a measured rate with f^S, for the family-wise confidence.
PREDICTION_CHECKS = len(CHEATERS) * len(SAMPLE_COUNTS)


@dataclass(frozen=True)
class Played:
    label: str
    params: spec.Params
    checkpoints: Checkpoints
    census: soundness.UnitCensus
    work: float
    gemm_work: float
    passes: dict[int, npt.NDArray[np.bool_]]

    @property
    def f(self) -> float:
        return self.census.fraction

    @property
    def phi(self) -> float:
        return soundness.max_consistent_fraction(self.work, INTERVAL)


def _sampling_seed(k: int) -> bytes:
    return keccak(b"cheater-sampling-%d" % k)


@functools.cache
def _positions() -> npt.NDArray[np.int64]:
    """Sample positions (c, i) for SEEDS seeds × max(S) samples: shape (SEEDS, S, 2). They
    depend on the seed and the sizes only, so every cheater is played on the same draws."""
    most = max(SAMPLE_COUNTS)
    out = np.empty((SEEDS, most, 2), dtype=np.int64)
    for seed in range(SEEDS):
        sampling_seed = _sampling_seed(seed)
        for k in range(most):
            out[seed, k] = spec.sample_position(sampling_seed, k, INTERVALS, N)
    return out


@functools.cache
def play(label: str) -> Played:
    params = _params(label)
    machine = Machine(params)
    checkpoints = CHEATERS[label](machine, np.random.default_rng(len(label)))
    census = soundness.consistent_units(params, checkpoints)
    positions = _positions()
    sampled = census.consistent[positions[..., 0], positions[..., 1]]  # (SEEDS, S)
    passes = {s: sampled[:, :s].all(axis=1) for s in SAMPLE_COUNTS}
    total = N * STEPS
    return Played(
        label,
        params,
        checkpoints,
        census,
        machine.row_steps / total,
        machine.gemm_rows / total,
        passes,
    )


def _row(played: Played, samples: int) -> dict[str, float | int | str]:
    passed = int(played.passes[samples].sum())
    low, high = soundness.clopper_pearson(passed, SEEDS, CONFIDENCE)
    return {
        "cheater": played.label,
        "f": played.f,
        "w": played.work,
        "phi": played.phi,
        "gemm": played.gemm_work,
        "S": samples,
        "passed": passed,
        "rate": passed / SEEDS,
        "low": low,
        "high": high,
        "predicted": played.f**samples,
        "bound": played.phi**samples,
    }


@pytest.mark.parametrize("label", list(CHEATERS))
def test_the_work_bound_holds_for_every_strategy(label: str) -> None:
    played = play(label)

    assert played.f <= played.phi + 1e-12, (played.f, played.work, played.phi)


@pytest.mark.parametrize("samples", SAMPLE_COUNTS)
@pytest.mark.parametrize("label", list(CHEATERS))
def test_measured_pass_rate_is_within_the_bound_and_the_prediction(
    label: str, samples: int
) -> None:
    played = play(label)
    row = _row(played, samples)
    family_low, family_high = soundness.clopper_pearson(
        int(row["passed"]), SEEDS, 1 - (1 - CONFIDENCE) / PREDICTION_CHECKS
    )

    assert row["low"] <= row["bound"] + 1e-12, row
    assert family_low <= row["predicted"] <= family_high, row


@pytest.mark.parametrize("label", list(CHEATERS))
def test_the_verifier_agrees_with_the_unit_table(label: str) -> None:
    played = play(label)
    b = spec.b_matrix(played.params.seed, N)
    proof = Proof.from_checkpoints(played.params, played.checkpoints, b)
    samples = max(SAMPLE_COUNTS)

    for seed in range(VERIFIER_SEEDS):
        sampling_seed = _sampling_seed(seed)
        positions = verifier.derive_samples(sampling_seed, played.params, samples)
        reveals = list(proof.reveal_many(positions))
        verdict = verifier.verify(played.params, proof.root, sampling_seed, reveals, samples, b=b)
        assert verdict.ok == bool(played.passes[samples][seed]), (seed, verdict)


def test_expected_shapes_of_the_main_strategies() -> None:
    """Sanity on the strategies themselves, so a broken cheater cannot pass as a caught one."""
    assert (play("honest").f, play("honest").work) == (1.0, 1.0)
    assert play("collapse").f == pytest.approx(1 / N) and play("collapse").work == 1 / N
    assert (play("replay").f, play("replay").work) == (1 / INTERVALS, 1 / INTERVALS)
    corner = soundness.alternating_cheater_fraction(INTERVAL)
    assert (play("cheap-start-alternating").work, play("cheap-start-alternating").f) == corner
    assert play("cheap-start-alternating").f == play("cheap-start-alternating").phi
    assert play("partial-rows-0.75").f == 0.75 and play("partial-intervals-3").f == 0.75
    assert play("made-up-x0").census.column_zero_fraction == 0.0
    assert play("made-up-x0").census.later_fraction == 1.0
    assert play("fp32-packed-2").gemm_work == 0.5 and play("fp32-packed-2").f == 1.0
    # Three lanes: the lowest is lost to input rounding (2^29 > 2^24), the others mostly survive.
    assert play("fp32-packed-3").f < 0.75 and play("fp16").f < 0.05 and play("bf16").f < 0.5
    assert play("partial-entries").f == 0.0 and play("linear-g").f == 0.0


def test_honest_provider_is_never_flagged() -> None:
    assert all(play("honest").passes[s].all() for s in SAMPLE_COUNTS)


# ---------------------------------------------------------------- why V and U are both needed


def _census_with(
    params: spec.Params, checkpoints: Checkpoints, u: np.ndarray, v: np.ndarray
) -> float:
    """f under an alternative step whose offsets are (u[i] + v[c])·512."""
    b = spec.b_matrix(params.seed, N)
    consistent = []
    for c in range(params.intervals):
        offset = spec.offsets(u, v[c])
        x = checkpoints[c]
        for _ in range(params.interval):
            x = spec.step(x, b, offset)
        consistent.append((x == checkpoints[c + 1]).all(axis=1))
    ok = np.array(consistent)
    ok[0] &= (checkpoints[0] == spec.x0(params.seed, N)).all(axis=1)
    return float(ok.mean())


def test_per_row_offsets_alone_would_let_a_replay_beat_the_bound() -> None:
    """With U but no V (every interval one map per row), repeating L intervals of honest work
    gets f = 1 − 1/L at w = (L − 1)/C; with V it gets w. Here C = 16, L = 8."""
    params = spec.Params(keccak(b"replay-ablation"), N, 32, INTERVAL)
    u = spec.u_matrix(params.seed, N)
    segment = spec.honest_checkpoints(spec.Params(params.seed, N, 14, INTERVAL))
    no_v = np.zeros((params.intervals, N), dtype=np.int8)
    # The honest chain without V, for the ablated step.
    b = spec.b_matrix(params.seed, N)
    chain = [spec.x0(params.seed, N)]
    for _ in range(7):
        x = chain[-1]
        for _ in range(INTERVAL):
            x = spec.step(x, b, spec.offsets(u, no_v[0]))
        chain.append(x)
    replayed = [chain[c % 8] for c in range(params.intervals + 1)]
    work = 7 / params.intervals

    f_without_v = _census_with(params, replayed, u, no_v)
    f_with_v = soundness.consistent_units(
        params, [segment[c % 8] for c in range(params.intervals + 1)]
    ).fraction

    assert f_without_v == 1 - 2 / params.intervals  # intervals 7 and 15 break: 14 of 16
    assert f_without_v > soundness.max_consistent_fraction(work, INTERVAL)
    assert f_with_v == work  # with V only the 7 intervals it computed count


def test_per_interval_offsets_alone_would_let_a_collapse_beat_the_bound() -> None:
    """With V but no U (every row one map), v1's collapse is back: f = 1 − 1/C at w = 1/n."""
    params = _params("collapse-ablation")
    no_u = np.zeros((N, N), dtype=np.int8)
    v = spec.v_rows(params.seed, N, range(INTERVALS))
    b = spec.b_matrix(params.seed, N)
    shared = spec.x0(params.seed, N)[:1]
    checkpoints = [spec.x0(params.seed, N)]
    for c in range(INTERVALS):
        for _ in range(INTERVAL):
            shared = spec.step(shared, b, spec.offsets(no_u[:1], v[c]))
        checkpoints.append(np.repeat(shared, N, axis=0))

    f_without_u = _census_with(params, checkpoints, no_u, v)

    assert f_without_u == pytest.approx(1 - 1 / INTERVALS + 1 / (INTERVALS * N))
    assert f_without_u > soundness.max_consistent_fraction(1 / N, INTERVAL)
    assert soundness.consistent_units(params, checkpoints).fraction == 0.0


def table() -> str:
    header = (
        f"{'cheater':<24} {'f':>6} {'w':>6} {'gemm':>6} {'phi(w)':>6} {'S':>3} {'passed':>7} "
        f"{'rate':>7} {'95% CI':>17} {'f^S':>9} {'phi^S':>9}"
    )
    lines = [
        f"{SEEDS} sampling seeds each; n={N}, T={STEPS}, K={INTERVAL}. f: consistent units; w: "
        "row-steps run; gemm: GEMM rows multiplied (packing puts several row-steps in one), "
        "as fractions of the honest prover's",
        header,
    ]
    inside = 0
    for label in CHEATERS:
        for samples in SAMPLE_COUNTS:
            r = _row(play(label), samples)
            lines.append(
                f"{label:<24} {r['f']:>6.3f} {r['w']:>6.3f} {r['gemm']:>6.3f} {r['phi']:>6.3f} "
                f"{samples:>3} "
                f"{r['passed']:>7} {r['rate']:>7.4f} [{r['low']:.4f}, {r['high']:.4f}] "
                f"{r['predicted']:>9.3g} {r['bound']:>9.3g}"
            )
            inside += r["low"] <= r["predicted"] <= r["high"]
    lines.append(f"f^S inside the 95% interval in {inside} of {PREDICTION_CHECKS} rows")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
