"""releaseBond: a passed attestation's bond and bounty stay locked while its TOPS count (`passedAt +
maxTopsAge`, Reputation's parameter, read at release); after that anyone releases it to the
provider's free stake, the TOPS it recorded are cleared, and the challenge is EXPIRED. An
attestation the verifier never judged is released the same time after its commit deadline. A
failed, fraudulent or released attestation, or a job's challenge, has no bond to release."""

from types import SimpleNamespace

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import (
    ATTESTATION_LOCK,
    DAY,
    FORGED_ROW,
    STAKE,
    ZERO_ADDRESS,
    ChallengeState,
    commitment,
    err,
    event,
    fraud_args,
    set_next_block_timestamp,
)

MAX_TOPS_AGE = 30 * DAY
TOPS = 1_234


@pytest.fixture(scope="module")
def passed(benchmark, list_provider, open_attestation, provider, verifier):
    """`provider`'s attestation, committed and passed: (id, verdict time)."""
    list_provider(provider)
    challenge, _, _ = open_attestation(provider)
    benchmark.commit(challenge, b"\x01" * 32, {"from": provider})
    tx = benchmark.recordAttestation(challenge, True, TOPS, {"from": verifier})
    return SimpleNamespace(id=challenge, at=tx.timestamp)


def test_release_after_the_tops_age_frees_the_bond(benchmark, registry, provider, finder, passed):
    set_next_block_timestamp(passed.at + MAX_TOPS_AGE + 1)

    tx = benchmark.releaseBond(passed.id, {"from": finder})

    assert tx.return_value == ATTESTATION_LOCK
    assert event(tx, "BondReleased") == {
        "challengeId": passed.id,
        "provider": provider.address,
        "amount": ATTESTATION_LOCK,
    }
    assert registry.freeStake(provider) == STAKE
    assert registry.lockOf(benchmark, passed.id)["provider"] == ZERO_ADDRESS
    assert benchmark.challengeOf(passed.id)["state"] == ChallengeState.EXPIRED


def test_release_clears_the_tops_the_attestation_recorded(
    benchmark, reputation, provider, finder, passed
):
    set_next_block_timestamp(passed.at + MAX_TOPS_AGE + 1)

    tx = benchmark.releaseBond(passed.id, {"from": finder})

    assert event(tx, "VerifiedTopsCleared") == {"provider": provider.address, "tops": TOPS}
    assert reputation.providerRecord(provider)["lastVerifiedTops"] == 0


def test_release_keeps_a_later_attestations_tops(
    benchmark, reputation, open_attestation, provider, verifier, finder, passed
):
    later, _, _ = open_attestation(provider)
    benchmark.commit(later, b"\x02" * 32, {"from": provider})
    set_next_block_timestamp(passed.at + MAX_TOPS_AGE)
    benchmark.recordAttestation(later, True, 2_000, {"from": verifier})
    set_next_block_timestamp(passed.at + MAX_TOPS_AGE + 1)

    tx = benchmark.releaseBond(passed.id, {"from": finder})

    assert "VerifiedTopsCleared" not in tx.events
    assert reputation.verifiedTops(provider) == 2_000


def test_release_on_the_last_second_of_the_tops_age_reverts(benchmark, finder, passed):
    set_next_block_timestamp(passed.at + MAX_TOPS_AGE)

    with brownie.reverts(err("BenchmarkRegistryBondLocked", passed.id, passed.at + MAX_TOPS_AGE)):
        benchmark.releaseBond(passed.id, {"from": finder, "gas_limit": 500_000})


def test_release_follows_the_current_tops_age(benchmark, reputation, governance, finder, passed):
    reputation.setParameter(name32("maxTopsAge"), DAY, {"from": governance})
    set_next_block_timestamp(passed.at + DAY + 1)

    tx = benchmark.releaseBond(passed.id, {"from": finder})

    assert event(tx, "BondReleased")["amount"] == ATTESTATION_LOCK


def test_release_of_an_unjudged_attestation_counts_from_its_commit_deadline(
    benchmark, registry, open_attestation, provider, finder, passed
):
    challenge, _, _ = open_attestation(provider)
    deadline = benchmark.challengeOf(challenge)["commitDeadline"]
    set_next_block_timestamp(deadline + MAX_TOPS_AGE)
    with brownie.reverts(err("BenchmarkRegistryBondLocked", challenge, deadline + MAX_TOPS_AGE)):
        benchmark.releaseBond(challenge, {"from": finder, "gas_limit": 500_000})
    set_next_block_timestamp(deadline + MAX_TOPS_AGE + 1)

    tx = benchmark.releaseBond(challenge, {"from": finder})

    assert "VerifiedTopsCleared" not in tx.events
    assert event(tx, "BondReleased")["amount"] == ATTESTATION_LOCK
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.EXPIRED


def test_a_verdict_after_the_release_is_refused(
    benchmark, open_attestation, provider, verifier, finder, passed
):
    challenge, _, _ = open_attestation(provider)
    deadline = benchmark.challengeOf(challenge)["commitDeadline"]
    set_next_block_timestamp(deadline + MAX_TOPS_AGE + 1)
    benchmark.releaseBond(challenge, {"from": finder})

    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge, ChallengeState.EXPIRED)):
        benchmark.recordAttestation(challenge, False, 0, {"from": verifier})


def test_second_release_reverts(benchmark, finder, passed):
    set_next_block_timestamp(passed.at + MAX_TOPS_AGE + 1)
    benchmark.releaseBond(passed.id, {"from": finder})

    with brownie.reverts(err("BenchmarkRegistryWrongState", passed.id, ChallengeState.EXPIRED)):
        benchmark.releaseBond(passed.id, {"from": finder})


def test_release_of_a_failed_attestation_reverts(
    benchmark, open_attestation, provider, verifier, finder, passed
):
    challenge, _, _ = open_attestation(provider)
    benchmark.recordAttestation(challenge, False, 0, {"from": verifier})

    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge, ChallengeState.FAILED)):
        benchmark.releaseBond(challenge, {"from": finder})


def test_release_after_a_fraud_reverts(benchmark, open_attestation, provider, finder, passed):
    challenge, params, _ = open_attestation(provider)
    forged = commitment(params, [FORGED_ROW])
    benchmark.commit(challenge, forged.root, {"from": provider})
    benchmark.proveFraud(challenge, *fraud_args(forged, FORGED_ROW), {"from": finder})

    with brownie.reverts(err("BenchmarkRegistryWrongState", challenge, ChallengeState.FRAUD)):
        benchmark.releaseBond(challenge, {"from": finder})


def test_release_of_a_job_challenge_reverts(benchmark, opener, provider, finder, passed):
    challenge = benchmark.open(7, provider, 64, 8, 2, {"from": opener}).return_value

    with brownie.reverts(err("BenchmarkRegistryNotAttestation", challenge, 7)):
        benchmark.releaseBond(challenge, {"from": finder})


def test_release_of_an_unknown_challenge_reverts(benchmark, finder, passed):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.releaseBond(99, {"from": finder})
