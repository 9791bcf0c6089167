"""Governance sets benchmarkWindow, attestationSlash and finderFeeBps within their bounds; an
attestation always has a bond of at least 1 GMKT."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import DAY, GMKT, MAX_BPS, err, event, out_of_bounds

MAX_ATTESTATION_SLASH = 10**27
BOUNDS = {
    "benchmarkWindow": (60, 7 * DAY),
    "attestationSlash": (GMKT, MAX_ATTESTATION_SLASH),
    "finderFeeBps": (0, MAX_BPS),
}


@pytest.mark.parametrize(
    "name, value",
    [("benchmarkWindow", 7_200), ("attestationSlash", 5 * GMKT), ("finderFeeBps", 2_500)],
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
        ("benchmarkWindow", 59),
        ("benchmarkWindow", 7 * DAY + 1),
        ("attestationSlash", 0),
        ("attestationSlash", GMKT - 1),
        ("attestationSlash", MAX_ATTESTATION_SLASH + 1),
        ("finderFeeBps", MAX_BPS + 1),
    ],
)
def test_set_parameter_out_of_bounds_reverts(benchmark, governance, name, value):
    with brownie.reverts(out_of_bounds(name, value, *BOUNDS[name])):
        benchmark.setParameter(name32(name), value, {"from": governance})


def test_set_unknown_parameter_reverts(benchmark, governance):
    with brownie.reverts(err("BenchmarkRegistryUnknownParameter", name32("jailPeriod"))):
        benchmark.setParameter(name32("jailPeriod"), 1, {"from": governance})
