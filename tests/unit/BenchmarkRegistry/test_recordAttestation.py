"""The verifier (the oracle council) gives each hardware attestation one verdict: a pass records
the measured throughput in Reputation, where jobs filter on it, and keeps the bond and bounty
locked; a fail records no throughput, slashes the bond to the treasury and returns the bounty."""

from types import SimpleNamespace

import brownie
import pytest

from .helpers import (
    ATTESTATION_LOCK,
    ATTESTATION_SLASH,
    JAIL_PERIOD,
    ZERO_ADDRESS,
    ChallengeState,
    assert_bond_slashed_to_treasury,
    err,
    event,
)

TOPS = 1_234


@pytest.fixture(scope="module")
def challenges(benchmark, list_provider, open_attestation, provider):
    """`provider`'s attestations: `committed` and `uncommitted`."""
    list_provider(provider)
    committed, _, _ = open_attestation(provider)
    uncommitted, _, _ = open_attestation(provider)
    benchmark.commit(committed, b"\x01" * 32, {"from": provider})
    return SimpleNamespace(committed=committed, uncommitted=uncommitted)


def test_pass_emits_attestation_verdict(benchmark, provider, verifier, challenges):
    tx = benchmark.recordAttestation(challenges.committed, True, TOPS, {"from": verifier})

    assert event(tx, "AttestationVerdict") == {
        "challengeId": challenges.committed,
        "provider": provider.address,
        "ok": True,
        "measuredTops": TOPS,
    }


def test_pass_marks_the_challenge_passed_with_its_throughput(benchmark, verifier, challenges):
    benchmark.recordAttestation(challenges.committed, True, TOPS, {"from": verifier})

    c = benchmark.challengeOf(challenges.committed)
    assert (c["state"], c["verifiedTops"]) == (ChallengeState.PASSED, TOPS)


def test_pass_records_its_time_and_keeps_the_bond_locked(
    benchmark, registry, provider, verifier, challenges
):
    tx = benchmark.recordAttestation(challenges.committed, True, TOPS, {"from": verifier})

    assert benchmark.challengeOf(challenges.committed)["passedAt"] == tx.timestamp
    assert registry.lockOf(benchmark, challenges.committed)["amount"] == ATTESTATION_LOCK
    assert "StakeSlashed" not in tx.events


def test_pass_records_verified_tops_in_reputation(
    benchmark, reputation, provider, verifier, challenges
):
    tx = benchmark.recordAttestation(challenges.committed, True, TOPS, {"from": verifier})

    assert event(tx, "TopsVerified") == {"provider": provider.address, "tops": TOPS}
    assert reputation.verifiedTops(provider) == TOPS
    record = reputation.providerRecord(provider)
    assert (record["bestVerifiedTops"], record["topsVerifiedAt"]) == (TOPS, tx.timestamp)


def test_fail_marks_the_challenge_failed(benchmark, provider, verifier, challenges):
    tx = benchmark.recordAttestation(challenges.committed, False, TOPS, {"from": verifier})

    assert event(tx, "AttestationVerdict") == {
        "challengeId": challenges.committed,
        "provider": provider.address,
        "ok": False,
        "measuredTops": TOPS,
    }
    c = benchmark.challengeOf(challenges.committed)
    assert (c["state"], c["verifiedTops"]) == (ChallengeState.FAILED, 0)


def test_fail_records_no_throughput(benchmark, reputation, provider, verifier, challenges):
    tx = benchmark.recordAttestation(challenges.committed, False, TOPS, {"from": verifier})

    assert "TopsVerified" not in tx.events
    assert reputation.verifiedTops(provider) == 0


@pytest.mark.parametrize("which", ["committed", "uncommitted"])
def test_fail_slashes_the_bond_to_the_treasury_returns_the_bounty_and_jails(
    benchmark, registry, gmkt, treasury, provider, verifier, challenges, which
):
    challenge = getattr(challenges, which)
    before = gmkt.balanceOf(treasury)

    tx = benchmark.recordAttestation(challenge, False, 0, {"from": verifier})

    assert_bond_slashed_to_treasury(tx, gmkt, registry, treasury, provider, challenge, before)
    assert event(tx, "CollateralReleased")["amount"] == ATTESTATION_LOCK - ATTESTATION_SLASH
    assert registry.providerInfo(provider)["jailedUntil"] == tx.timestamp + JAIL_PERIOD
    assert registry.lockOf(benchmark, challenge)["provider"] == ZERO_ADDRESS
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.FAILED


def test_fail_records_a_slash_in_reputation(benchmark, reputation, provider, verifier, challenges):
    tx = benchmark.recordAttestation(challenges.committed, False, 0, {"from": verifier})

    assert tx.events["ProviderSlashed"]["provider"] == provider.address
    record = reputation.providerRecord(provider)
    assert (record["failed"], record["slashed"]) == (0, 1)


def test_verdict_by_anyone_but_the_verifier_reverts(benchmark, stranger, challenges):
    # The role matrix (tests/adversarial/test_role_matrix.py) covers the other roles.
    with brownie.reverts(err("BenchmarkRegistryNotVerifier", stranger)):
        benchmark.recordAttestation(challenges.committed, True, TOPS, {"from": stranger})


@pytest.mark.parametrize("first", [True, False], ids=["after-pass", "after-fail"])
def test_second_verdict_reverts(benchmark, verifier, challenges, first):
    benchmark.recordAttestation(challenges.committed, first, TOPS, {"from": verifier})
    state = ChallengeState.PASSED if first else ChallengeState.FAILED

    with brownie.reverts(err("BenchmarkRegistryWrongState", challenges.committed, state)):
        benchmark.recordAttestation(challenges.committed, not first, TOPS, {"from": verifier})


def test_verdict_on_an_unknown_challenge_reverts(benchmark, verifier, challenges):
    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.recordAttestation(99, True, TOPS, {"from": verifier})


def test_pass_on_an_uncommitted_attestation_reverts(benchmark, verifier, challenges):
    with brownie.reverts(
        err("BenchmarkRegistryWrongState", challenges.uncommitted, ChallengeState.OPEN)
    ):
        benchmark.recordAttestation(challenges.uncommitted, True, TOPS, {"from": verifier})


def test_verdict_on_a_job_challenge_reverts(
    benchmark, governance, stranger, verifier, provider, challenges
):
    benchmark.grantRole(benchmark.OPENER_ROLE(), stranger, {"from": governance})
    job_challenge = benchmark.open(7, provider, 64, 8, 2, {"from": stranger}).return_value

    with brownie.reverts(err("BenchmarkRegistryNotAttestation", job_challenge, 7)):
        benchmark.recordAttestation(job_challenge, True, TOPS, {"from": verifier})
