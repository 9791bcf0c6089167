"""Deployment: zero addresses are refused; the protocol deploy wires the registry to the market,
the verifier and the treasury, with the documented defaults."""

import brownie
import pytest
from brownie import BenchmarkRegistry

from gpumarket.chain.deploy import ADMIN_DELAY

from .helpers import (
    ATTESTATION_SLASH,
    BENCHMARK_WINDOW,
    DEFAULT_ADMIN_ROLE,
    FINDER_FEE_BPS,
    ZERO_ADDRESS,
    err,
)


@pytest.mark.parametrize("zero", ["registry", "reputation", "treasury"])
def test_constructor_with_a_zero_address_reverts(protocol, governance, treasury, zero):
    args = {
        "registry": protocol.registry.address,
        "reputation": protocol.reputation.address,
        "treasury": treasury.address,
    }
    args[zero] = ZERO_ADDRESS

    with brownie.reverts(err("BenchmarkRegistryZeroAddress")):
        BenchmarkRegistry.deploy(*args.values(), ADMIN_DELAY, governance, {"from": governance})


def test_deployed_registry_is_wired_to_the_protocol(benchmark, protocol, treasury, verifier):
    assert (benchmark.registry(), benchmark.reputation(), benchmark.market()) == (
        protocol.registry.address,
        protocol.reputation.address,
        protocol.market.address,
    )
    assert (benchmark.verifier(), benchmark.treasury()) == (verifier.address, treasury.address)
    assert protocol.market.benchmarkRegistry() == benchmark.address


def test_deployed_registry_has_the_default_parameters(benchmark):
    assert (
        benchmark.benchmarkWindow(),
        benchmark.attestationSlash(),
        benchmark.finderFeeBps(),
        benchmark.challengeCount(),
    ) == (BENCHMARK_WINDOW, ATTESTATION_SLASH, FINDER_FEE_BPS, 0)


def test_deployed_registry_grants_its_roles(benchmark, protocol, governance):
    assert benchmark.hasRole(DEFAULT_ADMIN_ROLE, governance)
    assert benchmark.hasRole(benchmark.GOVERNOR_ROLE(), governance)
    assert benchmark.hasRole(benchmark.OPENER_ROLE(), protocol.market)
    assert not benchmark.hasRole(benchmark.OPENER_ROLE(), governance)


def test_deployed_registry_may_slash_and_write_reputation(benchmark, protocol):
    assert protocol.registry.hasRole(protocol.registry.SLASHER_ROLE(), benchmark)
    assert protocol.reputation.hasRole(protocol.reputation.WRITER_ROLE(), benchmark)
