"""The default admin points the registry at the market, the verifier and the treasury."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import ZERO_ADDRESS, err, event


@pytest.mark.parametrize("name", ["market", "verifier", "treasury"])
def test_set_address_updates_it_and_emits(benchmark, governance, stranger, name):
    tx = benchmark.setAddress(name32(name), stranger, {"from": governance})

    assert event(tx, "AddressUpdated") == {"name": name32(name), "value": stranger.address}
    assert getattr(benchmark, name)() == stranger.address


def test_set_address_to_zero_reverts(benchmark, governance):
    with brownie.reverts(err("BenchmarkRegistryZeroAddress")):
        benchmark.setAddress(name32("verifier"), ZERO_ADDRESS, {"from": governance})


def test_set_unknown_address_reverts(benchmark, governance, stranger):
    with brownie.reverts(err("BenchmarkRegistryUnknownParameter", name32("registry"))):
        benchmark.setAddress(name32("registry"), stranger, {"from": governance})


def test_new_verifier_takes_over_the_verdicts(
    benchmark, governance, list_provider, open_attestation, provider, verifier, stranger
):
    list_provider(provider)
    challenge_id, _, _ = open_attestation(provider)
    benchmark.setAddress(name32("verifier"), stranger, {"from": governance})

    benchmark.recordAttestation(challenge_id, False, 0, {"from": stranger})

    with brownie.reverts(err("BenchmarkRegistryNotVerifier", verifier)):
        benchmark.recordAttestation(challenge_id, False, 0, {"from": verifier})
