"""A hardware attestation locks its bond when it opens: `attestationSlash` of the provider's free
stake, as the registry's lock `challengeId` of this BenchmarkRegistry (no GPUs), so that neither
unstaking nor job collateral can take the stake a FAIL or a fraud would slash. A job's challenge
locks nothing: the market holds that job's collateral."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import ATTESTATION_SLASH, GMKT, INTERVAL, STAKE, STEPS, N, err, event, plain

JOB_ID = 7


@pytest.fixture(scope="module")
def listed(list_provider, provider):
    return list_provider(provider)


def test_attestation_locks_its_bond_from_free_stake(benchmark, registry, listed):
    tx = benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})

    assert event(tx, "CollateralLocked") == {
        "market": benchmark.address,
        "lockId": tx.return_value,
        "provider": listed.address,
        "amount": ATTESTATION_SLASH,
        "gpus": 0,
    }
    assert plain(registry.lockOf(benchmark, tx.return_value)) == (
        listed.address,
        0,
        ATTESTATION_SLASH,
    )
    assert registry.freeStake(listed) == STAKE - ATTESTATION_SLASH


def test_each_attestation_locks_a_bond_of_its_own(benchmark, registry, listed):
    for _ in range(3):
        benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})

    assert registry.providerInfo(listed)["locked"] == 3 * ATTESTATION_SLASH


def test_the_bond_is_the_attestation_slash_when_it_opens(benchmark, registry, governance, listed):
    benchmark.setParameter(name32("attestationSlash"), 7 * GMKT, {"from": governance})
    challenge = benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed}).return_value

    benchmark.setParameter(name32("attestationSlash"), 900 * GMKT, {"from": governance})

    assert registry.lockOf(benchmark, challenge)["amount"] == 7 * GMKT


def test_attestation_with_free_stake_short_of_the_bond_reverts(
    benchmark, registry, listed, governance
):
    benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})
    free = STAKE - ATTESTATION_SLASH
    benchmark.setParameter(name32("attestationSlash"), free + 1, {"from": governance})

    with brownie.reverts(err("ProviderRegistryInsufficientFreeStake", listed, free + 1, free)):
        benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})


def test_attestation_by_a_jailed_provider_reverts(benchmark, registry, governance, listed):
    registry.grantRole(registry.SLASHER_ROLE(), governance, {"from": governance})
    until = registry.slash(listed, 1, governance, 0, {"from": governance}).timestamp
    until += registry.jailPeriod()

    with brownie.reverts(err("ProviderRegistryJailed", listed, until)):
        benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})


def test_a_job_challenge_locks_nothing(benchmark, registry, opener, listed):
    tx = benchmark.open(JOB_ID, listed, N, STEPS, INTERVAL, {"from": opener})

    assert "CollateralLocked" not in tx.events
    assert registry.providerInfo(listed)["locked"] == 0
