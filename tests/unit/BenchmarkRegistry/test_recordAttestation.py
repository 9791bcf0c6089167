"""The verifier (the oracle council) gives each hardware attestation one verdict: a pass records
the measured throughput in Reputation, where jobs filter on it; a fail records nothing."""

from types import SimpleNamespace

import brownie
import pytest

from .helpers import ChallengeState, err, event

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


def test_fail_of_an_uncommitted_challenge_is_accepted(benchmark, verifier, challenges):
    benchmark.recordAttestation(challenges.uncommitted, False, 0, {"from": verifier})

    assert benchmark.challengeOf(challenges.uncommitted)["state"] == ChallengeState.FAILED


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
