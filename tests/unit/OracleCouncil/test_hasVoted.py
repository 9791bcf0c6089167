"""hasVoted says whether a member has voted on a subject under the current config."""

import pytest

from .helpers import NO_JOB, QUORUM, Verdict, vote, vote_all

pytestmark = pytest.mark.usefixtures("seated")


@pytest.mark.parametrize("verdict", [Verdict.OK, Verdict.FAIL])
def test_has_voted_is_true_for_the_voter_only(council, members, verdict):
    vote(council, members[2], NO_JOB, verdict)

    assert [council.hasVoted(NO_JOB, m) for m in members] == [i == 2 for i in range(7)]


def test_has_voted_is_false_on_another_subject(council, members):
    vote(council, members[2], NO_JOB)

    assert not council.hasVoted(NO_JOB + 1, members[2])


def test_has_voted_is_false_for_a_non_member(council, stranger):
    assert not council.hasVoted(NO_JOB, stranger)


def test_has_voted_stays_true_once_the_verdict_is_final(council, members):
    vote_all(council, members[:QUORUM], NO_JOB, Verdict.FAIL)

    assert [council.hasVoted(NO_JOB, m) for m in members[: QUORUM + 1]] == [True] * QUORUM + [False]


def test_has_voted_is_false_after_a_new_config(council, governance, members):
    vote(council, members[0], NO_JOB)

    council.setConfig(members, QUORUM, {"from": governance})

    assert not council.hasVoted(NO_JOB, members[0])


def test_has_voted_follows_the_member_to_its_new_position(council, governance, members):
    council.setConfig([members[1], members[0]], 2, {"from": governance})
    vote(council, members[0], NO_JOB)

    assert (council.hasVoted(NO_JOB, members[0]), council.hasVoted(NO_JOB, members[1])) == (
        True,
        False,
    )
