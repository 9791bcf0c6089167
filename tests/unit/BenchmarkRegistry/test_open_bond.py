"""A hardware attestation locks its bond and fraud bounty when it opens: `attestationSlash` and
`finderFeeBps` of it (rounded up) from the provider's free stake, as the registry's lock
`challengeId` of this BenchmarkRegistry (no GPUs), so that neither unstaking nor job collateral
can take the stake a FAIL or a fraud would slash. Both parameters are read then. A job's
challenge locks nothing: the market holds that job's collateral."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import (
    ATTESTATION_LOCK,
    ATTESTATION_SLASH,
    GMKT,
    INTERVAL,
    STAKE,
    STEPS,
    N,
    err,
    event,
    plain,
)

JOB_ID = 7


def test_attestation_locks_its_bond_and_bounty_from_free_stake(benchmark, registry, listed):
    tx = benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})

    assert event(tx, "CollateralLocked") == {
        "market": benchmark.address,
        "lockId": tx.return_value,
        "provider": listed.address,
        "amount": ATTESTATION_LOCK,
        "gpus": 0,
    }
    assert plain(registry.lockOf(benchmark, tx.return_value)) == (
        listed.address,
        0,
        ATTESTATION_LOCK,
    )
    assert benchmark.challengeOf(tx.return_value)["bond"] == ATTESTATION_SLASH
    assert registry.freeStake(listed) == STAKE - ATTESTATION_LOCK


def test_each_attestation_locks_a_bond_of_its_own(benchmark, registry, listed):
    for _ in range(3):
        benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})

    assert registry.providerInfo(listed)["locked"] == 3 * ATTESTATION_LOCK


@pytest.mark.parametrize(
    "bond, bps, bounty",
    [
        (7 * GMKT, 5_000, 35 * GMKT // 10),
        (7 * GMKT, 0, 0),
        (GMKT + 1, 10_000, GMKT + 1),
        (GMKT + 1, 3_333, 3_333 * 10**14 + 1),
    ],
    ids=["half", "no-bounty", "whole", "rounded-up"],
)
def test_the_lock_is_the_parameters_when_it_opens(
    benchmark, registry, governance, listed, bond, bps, bounty
):
    benchmark.setParameter(name32("attestationSlash"), bond, {"from": governance})
    benchmark.setParameter(name32("finderFeeBps"), bps, {"from": governance})
    challenge = benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed}).return_value

    benchmark.setParameter(name32("attestationSlash"), 900 * GMKT, {"from": governance})
    benchmark.setParameter(name32("finderFeeBps"), 1, {"from": governance})

    assert registry.lockOf(benchmark, challenge)["amount"] == bond + bounty
    assert benchmark.challengeOf(challenge)["bond"] == bond


def test_attestation_with_free_stake_short_of_the_bond_reverts(
    benchmark, registry, listed, governance
):
    benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})
    free = STAKE - ATTESTATION_LOCK
    benchmark.setParameter(name32("finderFeeBps"), 0, {"from": governance})
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
