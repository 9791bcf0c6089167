"""Gas of voting (printed with -s; the bounds are loose ceilings against regressions). A tally is
one storage slot, so the first vote on a subject pays one fresh SSTORE (22,100) and later votes a
rewrite. The target is 30,000 gas per job in a batch: each first vote a batch adds must stay
within it; spread over a batch of ten, the transaction's base cost still shows."""

import pytest

from .helpers import NO_JOB, QUORUM, Verdict, ballot, vote, vote_all

pytestmark = pytest.mark.usefixtures("seated")

SUBJECTS = [NO_JOB + k for k in range(10)]
#: The target: what each first vote adds to a batch.
BATCH_TARGET_PER_SUBJECT = 30_000


def report(label: str, gas: int) -> None:
    print(f"\nOracleCouncil gas: {label}: {gas:,}")


def test_gas_of_a_first_vote(council, members):
    tx = vote(council, members[0], NO_JOB, Verdict.OK)

    report("vote, first on a subject", tx.gas_used)
    assert tx.gas_used < 65_000


def test_gas_of_a_later_vote_below_the_quorum(council, members):
    vote(council, members[0], NO_JOB, Verdict.OK)

    tx = vote(council, members[1], NO_JOB, Verdict.FAIL)

    report("vote, later, no verdict", tx.gas_used)
    assert tx.gas_used < 45_000


def test_gas_of_the_vote_that_applies_a_job_verdict(council, members, submitted_bench_job):
    job_id = submitted_bench_job()
    vote_all(council, members[: QUORUM - 1], job_id, Verdict.OK)

    tx = vote(council, members[QUORUM - 1], job_id, Verdict.OK)

    report("vote, reaching the quorum, OK applied to the market", tx.gas_used)
    assert tx.events["VerdictReached"]["applied"] is True
    assert tx.gas_used < 120_000


def test_gas_of_a_batch_of_first_votes(council, members):
    single = council.voteBatch(1, [ballot(NO_JOB + 100)], {"from": members[0]})

    tx = council.voteBatch(1, [ballot(s) for s in SUBJECTS], {"from": members[0]})

    per_subject = tx.gas_used / len(SUBJECTS)
    marginal = (tx.gas_used - single.gas_used) / (len(SUBJECTS) - 1)
    report("voteBatch, 1 first vote", single.gas_used)
    report("voteBatch, 10 first votes", tx.gas_used)
    report("voteBatch, 10 first votes, per subject", round(per_subject))
    report("voteBatch, first votes, marginal per subject", round(marginal))
    assert len(tx.events["VoteCast"]) == len(SUBJECTS) and "VerdictReached" not in tx.events
    assert marginal <= BATCH_TARGET_PER_SUBJECT
    assert per_subject < 35_000


def test_gas_of_a_batch_of_later_votes(council, members):
    council.voteBatch(1, [ballot(s) for s in SUBJECTS], {"from": members[0]})

    tx = council.voteBatch(1, [ballot(s, Verdict.FAIL) for s in SUBJECTS], {"from": members[1]})

    per_subject = tx.gas_used / len(SUBJECTS)
    report("voteBatch, 10 later votes", tx.gas_used)
    report("voteBatch, 10 later votes, per subject", round(per_subject))
    assert "VerdictReached" not in tx.events
    assert per_subject <= 15_000
