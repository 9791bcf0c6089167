"""isFinal says whether a subject's verdict has been reached, applied or not."""

import pytest

from .helpers import NO_JOB, QUORUM, Verdict, vote_all

pytestmark = pytest.mark.usefixtures("seated")


def test_subject_nobody_voted_on_is_not_final(council):
    assert not council.isFinal(NO_JOB)


def test_subject_below_the_quorum_is_not_final(council, members):
    vote_all(council, members[: QUORUM - 1], NO_JOB, Verdict.OK)
    vote_all(council, members[QUORUM - 1 : 2 * QUORUM - 2], NO_JOB, Verdict.FAIL)

    assert not council.isFinal(NO_JOB)


@pytest.mark.parametrize("verdict", [Verdict.OK, Verdict.FAIL])
def test_subject_at_the_quorum_is_final_even_if_not_applied(council, members, verdict):
    tx = vote_all(council, members[:QUORUM], NO_JOB, verdict)

    assert tx.events["VerdictReached"]["applied"] is False
    assert council.isFinal(NO_JOB)
