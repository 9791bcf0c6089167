"""Governance sets benchmarkWindow, attestationSlash, finderFeeBps and the caps on a challenge's
sizes within their bounds; an attestation always has a bond of at least 1 GMKT. The window and
maxProverOps bound each other: the window is long enough for the prover cap at MAX_PROVER_RATE,
so no cap admits a benchmark no GPU could commit in time."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import DAY, GMKT, MAX_BPS, MAX_PROVER_RATE, err, event, out_of_bounds

MAX_ATTESTATION_SLASH = 10**27
#: The least window the default maxProverOps (2^58) allows: ceil(2^58 / MAX_PROVER_RATE) = 129 s.
LEAST_WINDOW = -(-(2**58) // MAX_PROVER_RATE)
BOUNDS = {
    "benchmarkWindow": (LEAST_WINDOW, 7 * DAY),
    "attestationSlash": (GMKT, MAX_ATTESTATION_SLASH),
    "finderFeeBps": (0, MAX_BPS),
    "maxN": (64, 16_384),
    "maxSteps": (1, 2**24),
    "maxInterval": (1, 2**16),
    "maxSampleOps": (64 * 64, 2**40),
    # The upper bound is the default window's (1 hour) worth at MAX_PROVER_RATE.
    "maxProverOps": (64**3, 3_600 * MAX_PROVER_RATE),
}


@pytest.mark.parametrize(
    "name, value",
    [
        ("benchmarkWindow", 7_200),
        ("attestationSlash", 5 * GMKT),
        ("finderFeeBps", 2_500),
        ("maxN", 8_192),
        ("maxSteps", 65_536),
        ("maxInterval", 256),
        ("maxSampleOps", 2**30),
        ("maxProverOps", 2**50),
    ],
)
def test_set_parameter_updates_the_value_and_emits(benchmark, governance, name, value):
    tx = benchmark.setParameter(name32(name), value, {"from": governance})

    assert event(tx, "ParameterUpdated") == {"name": name32(name), "value": value}
    assert getattr(benchmark, name)() == value


@pytest.mark.parametrize(
    "name, value", [(name, value) for name, bounds in BOUNDS.items() for value in bounds]
)
def test_set_parameter_at_a_bound_is_accepted(benchmark, governance, name, value):
    benchmark.setParameter(name32(name), value, {"from": governance})

    assert getattr(benchmark, name)() == value


@pytest.mark.parametrize(
    "name, value",
    [
        ("benchmarkWindow", LEAST_WINDOW - 1),
        ("benchmarkWindow", 7 * DAY + 1),
        ("attestationSlash", 0),
        ("attestationSlash", GMKT - 1),
        ("attestationSlash", MAX_ATTESTATION_SLASH + 1),
        ("finderFeeBps", MAX_BPS + 1),
        ("maxN", 63),
        ("maxN", 16_384 + 64),
        ("maxSteps", 0),
        ("maxSteps", 2**24 + 1),
        ("maxInterval", 0),
        ("maxInterval", 2**16 + 1),
        ("maxSampleOps", 64 * 64 - 1),
        ("maxSampleOps", 2**40 + 1),
        ("maxProverOps", 64**3 - 1),
        ("maxProverOps", 3_600 * MAX_PROVER_RATE + 1),
    ],
)
def test_set_parameter_out_of_bounds_reverts(benchmark, governance, name, value):
    with brownie.reverts(out_of_bounds(name, value, *BOUNDS[name])):
        benchmark.setParameter(name32(name), value, {"from": governance})


def test_a_lower_prover_cap_allows_a_one_minute_window(benchmark, governance):
    benchmark.setParameter(name32("maxProverOps"), 60 * MAX_PROVER_RATE, {"from": governance})

    benchmark.setParameter(name32("benchmarkWindow"), 60, {"from": governance})

    assert benchmark.benchmarkWindow() == 60


def test_a_longer_window_allows_a_higher_prover_cap(benchmark, governance):
    benchmark.setParameter(name32("benchmarkWindow"), 7 * DAY, {"from": governance})

    benchmark.setParameter(name32("maxProverOps"), 7 * DAY * MAX_PROVER_RATE, {"from": governance})

    assert benchmark.maxProverOps() == 7 * DAY * MAX_PROVER_RATE


def test_a_window_too_short_for_the_prover_cap_reverts(benchmark, governance):
    benchmark.setParameter(name32("maxProverOps"), 2**60, {"from": governance})
    least = -(-(2**60) // MAX_PROVER_RATE)

    with brownie.reverts(out_of_bounds("benchmarkWindow", least - 1, least, 7 * DAY)):
        benchmark.setParameter(name32("benchmarkWindow"), least - 1, {"from": governance})


def test_set_unknown_parameter_reverts(benchmark, governance):
    with brownie.reverts(err("BenchmarkRegistryUnknownParameter", name32("jailPeriod"))):
        benchmark.setParameter(name32("jailPeriod"), 1, {"from": governance})


def test_set_parameter_by_a_non_governor_reverts(benchmark, stranger):
    with brownie.reverts(
        err("AccessControlUnauthorizedAccount", stranger, benchmark.GOVERNOR_ROLE())
    ):
        benchmark.setParameter(name32("maxN"), 8_192, {"from": stranger})
