"""A verdict on ATTESTATION_FLAG | challenge id goes to the benchmark registry: OK on a committed
hardware attestation records the lower median of the quorum's throughput in Reputation, FAIL
marks it failed and slashes its bond to the treasury. A verdict the registry refuses is final,
with `applied == false` and its revert reason."""

import pytest

from .helpers import (
    ATTESTATION_FLAG,
    GMKT,
    QUORUM,
    ChallengeState,
    Tally,
    Verdict,
    bits,
    event,
    from_contract,
    revert_data,
    tally_of,
    vote,
    vote_all,
)

pytestmark = pytest.mark.usefixtures("seated")

WRONG_STATE = "BenchmarkRegistryWrongState(uint256,uint8)"


def test_ok_quorum_records_the_lower_median_throughput_in_reputation(
    council, benchmark, reputation, members, provider, attestation
):
    challenge = attestation()
    subject = council.attestationSubject(challenge)
    for member, tops in zip(members[: QUORUM - 1], [2_000, 1_800, 2_200], strict=True):
        vote(council, member, subject, Verdict.OK, tops=tops)

    tx = vote(council, members[QUORUM - 1], subject, Verdict.OK, tops=1_900)

    # 1,800 1,900 2,000 2,200: the lower median is 1,900.
    assert from_contract(tx, "AttestationVerdict", benchmark) == [
        {"challengeId": challenge, "provider": provider.address, "ok": True, "measuredTops": 1_900}
    ]
    assert reputation.verifiedTops(provider) == 1_900
    c = benchmark.challengeOf(challenge)
    assert (c["state"], c["verifiedTops"], c["passedAt"]) == (
        ChallengeState.PASSED,
        1_900,
        tx.timestamp,
    )
    assert event(tx, "VerdictReached") == {
        "subject": ATTESTATION_FLAG | challenge,
        "version": 1,
        "verdict": Verdict.OK,
        "tops": 1_900,
        "applied": True,
    }


def test_fail_quorum_marks_the_attestation_failed(
    council, benchmark, reputation, members, provider, attestation
):
    challenge = attestation()
    subject = council.attestationSubject(challenge)

    tx = vote_all(council, members[:QUORUM], subject, Verdict.FAIL)

    assert from_contract(tx, "AttestationVerdict", benchmark) == [
        {"challengeId": challenge, "provider": provider.address, "ok": False, "measuredTops": 0}
    ]
    c = benchmark.challengeOf(challenge)
    assert (c["state"], c["verifiedTops"]) == (ChallengeState.FAILED, 0)
    assert reputation.verifiedTops(provider) == 0
    assert tally_of(council, subject) == Tally(1, 0, bits(0, 1, 2, 3), 0, Verdict.FAIL, True)


def test_fail_quorum_slashes_the_bond_to_the_treasury(
    council, benchmark, registry, gmkt, treasury, members, provider, attestation
):
    challenge = attestation()
    stake = registry.providerInfo(provider)["stake"]
    before = gmkt.balanceOf(treasury)

    tx = vote_all(council, members[:QUORUM], ATTESTATION_FLAG | challenge, Verdict.FAIL)

    # The bond, 100 GMKT, to the treasury; the 50 GMKT bounty beside it back to free stake.
    assert gmkt.balanceOf(treasury) - before == 100 * GMKT
    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"]) == (stake - 100 * GMKT, 0)
    assert from_contract(tx, "StakeSlashed", registry)[0]["amount"] == 100 * GMKT


def test_fail_on_an_uncommitted_attestation_is_applied(council, benchmark, members, attestation):
    challenge = attestation(committed=False)

    tx = vote_all(council, members[:QUORUM], ATTESTATION_FLAG | challenge, Verdict.FAIL)

    assert event(tx, "VerdictReached")["applied"] is True
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.FAILED


def test_ok_on_an_uncommitted_attestation_is_final_but_not_applied(
    council, benchmark, reputation, members, provider, attestation
):
    challenge = attestation(committed=False)
    subject = ATTESTATION_FLAG | challenge

    tx = vote_all(council, members[:QUORUM], subject, Verdict.OK)

    assert event(tx, "CallbackFailed") == {
        "subject": subject,
        "reason": revert_data(WRONG_STATE, challenge, ChallengeState.OPEN),
    }
    assert tally_of(council, subject) == Tally(1, bits(0, 1, 2, 3), 0, 1_500, Verdict.OK, False)
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.OPEN
    assert reputation.verifiedTops(provider) == 0


def test_verdict_on_an_unknown_challenge_is_final_but_not_applied(council, members):
    subject = ATTESTATION_FLAG | 99

    tx = vote_all(council, members[:QUORUM], subject, Verdict.OK)

    assert event(tx, "CallbackFailed")["reason"] == revert_data(
        "BenchmarkRegistryUnknownChallenge(uint256)", 99
    )
    assert event(tx, "VerdictReached")["applied"] is False


def test_verdict_on_a_job_challenge_is_not_applied(
    council, benchmark, members, submitted_bench_job
):
    job_id = submitted_bench_job()
    challenge = benchmark.challengeCount()
    assert benchmark.challengeOf(challenge)["subject"] == job_id

    tx = vote_all(council, members[:QUORUM], ATTESTATION_FLAG | challenge, Verdict.OK)

    assert event(tx, "CallbackFailed")["reason"] == revert_data(
        "BenchmarkRegistryNotAttestation(uint256,uint256)", challenge, job_id
    )


def test_subject_without_the_flag_goes_to_the_market(council, benchmark, members, attestation):
    challenge = attestation()

    tx = vote_all(council, members[:QUORUM], challenge, Verdict.OK)

    assert event(tx, "CallbackFailed")["reason"] == revert_data(
        "JobMarketUnknownJob(uint256)", challenge
    )
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.COMMITTED
