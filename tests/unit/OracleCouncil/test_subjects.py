"""jobSubject, attestationSubject and subjectOfChallenge: a job's subject is its id, an
attestation's is its challenge id with the top bit set, so the two never collide."""

import pytest

from .helpers import ATTESTATION_FLAG


@pytest.mark.parametrize("job_id", [0, 1, 12_345, 2**255 - 1])
def test_job_subject_is_the_job_id(council, job_id):
    assert council.jobSubject(job_id) == job_id


@pytest.mark.parametrize("challenge_id", [0, 1, 12_345, 2**255 - 1])
def test_attestation_subject_sets_the_top_bit(council, challenge_id):
    assert council.attestationSubject(challenge_id) == ATTESTATION_FLAG | challenge_id
    assert council.attestationSubject(challenge_id) == 2**255 + challenge_id


def test_attestation_subject_of_a_flagged_id_is_unchanged(council):
    assert council.attestationSubject(ATTESTATION_FLAG | 7) == ATTESTATION_FLAG | 7


def test_subject_of_a_job_challenge_is_the_job_id(council, benchmark, market, submitted_bench_job):
    job_id = submitted_bench_job()
    challenge_id = market.challengeOfJob(job_id)

    subject = council.subjectOfChallenge(challenge_id)

    assert challenge_id != 0
    assert subject == job_id == benchmark.challengeOf(challenge_id)["subject"]


def test_subject_of_an_attestation_is_the_flagged_challenge_id(council, attestation):
    challenge_id = attestation(committed=False)

    subject = council.subjectOfChallenge(challenge_id)

    assert subject == ATTESTATION_FLAG | challenge_id == council.attestationSubject(challenge_id)
