"""BenchmarkRegistry unit-test fixtures: an account holding the market's OPENER_ROLE (so tests open
job challenges directly), a lean provider factory (GMKT price only, no mock tokens deployed), and a
factory for hardware attestations, which a listed provider opens for itself."""

from __future__ import annotations

import pytest

from gpumarket.chain.types import Offer

from .helpers import GMKT, INTERVAL, STAKE, STEPS, N, challenge_params


@pytest.fixture(scope="module")
def benchmark(protocol):
    return protocol.benchmark


@pytest.fixture(scope="module")
def opener(opener, benchmark, governance):
    """The root `opener` with OPENER_ROLE, standing in for the market."""
    benchmark.grantRole(benchmark.OPENER_ROLE(), opener, {"from": governance})
    return opener


@pytest.fixture(scope="module")
def list_provider(gmkt, registry, governance):
    """list_provider(account, stake=STAKE) -> account, staked and registered with a GMKT price."""

    def _list(account, stake=STAKE):
        gmkt.transfer(account, stake, {"from": governance})
        gmkt.approve(registry, stake, {"from": account})
        registry.stake(stake, {"from": account})
        registry.register(Offer().as_tuple(), [gmkt], [GMKT], {"from": account})
        return account

    return _list


@pytest.fixture(scope="module")
def listed(list_provider, provider):
    """`provider`, staked and listed."""
    return list_provider(provider)


@pytest.fixture(scope="module")
def open_attestation(benchmark):
    """open_attestation(provider, n=N, steps=STEPS, interval=INTERVAL) -> (challenge id, params,
    open tx): a hardware attestation the (listed) provider opens for itself, with blocks mined
    until its seed can be read (openBlock + 2)."""

    def _open(provider, n=N, steps=STEPS, interval=INTERVAL):
        tx = benchmark.open(0, provider, n, steps, interval, {"from": provider})
        return tx.return_value, challenge_params(benchmark, tx.return_value), tx

    return _open
