"""A member votes on many subjects in one transaction. Subjects that are already final are skipped
with VoteSkipped (another member's batch got there first); any other fault reverts the batch."""

import brownie
import pytest

from .helpers import (
    EMPTY_TALLY,
    EVIDENCE,
    NO_JOB,
    QUORUM,
    TOPS,
    Tally,
    Verdict,
    ballot,
    bits,
    err,
    event,
    events,
    tally_of,
    vote_all,
)

pytestmark = pytest.mark.usefixtures("seated")

#: Subjects with no job behind them.
A, B, C = NO_JOB, NO_JOB + 1, NO_JOB + 2


def test_batch_votes_on_every_subject(council, members):
    council.voteBatch(
        1,
        [ballot(A, Verdict.OK, 10), ballot(B, Verdict.FAIL, 20), ballot(C, Verdict.OK, 30)],
        {"from": members[1]},
    )

    assert [tally_of(council, s) for s in (A, B, C)] == [
        Tally(1, bits(1), 0, 0, Verdict.NONE, False),
        Tally(1, 0, bits(1), 0, Verdict.NONE, False),
        Tally(1, bits(1), 0, 0, Verdict.NONE, False),
    ]


def test_batch_emits_one_vote_cast_per_ballot_in_order(council, members):
    tx = council.voteBatch(
        1, [ballot(A, Verdict.OK, 10), ballot(B, Verdict.FAIL, 20)], {"from": members[1]}
    )

    assert events(tx, "VoteCast") == [
        {
            "subject": A,
            "member": members[1].address,
            "version": 1,
            "verdict": Verdict.OK,
            "measuredTops": 10,
            "evidenceHash": EVIDENCE,
        },
        {
            "subject": B,
            "member": members[1].address,
            "version": 1,
            "verdict": Verdict.FAIL,
            "measuredTops": 20,
            "evidenceHash": EVIDENCE,
        },
    ]


def test_batch_reaches_verdicts_on_several_subjects(council, members):
    for member in members[: QUORUM - 1]:
        council.voteBatch(1, [ballot(A, Verdict.OK), ballot(B, Verdict.FAIL)], {"from": member})

    tx = council.voteBatch(
        1, [ballot(A, Verdict.OK, 5), ballot(B, Verdict.FAIL)], {"from": members[QUORUM - 1]}
    )

    assert events(tx, "VerdictReached") == [
        {"subject": A, "version": 1, "verdict": Verdict.OK, "tops": 0, "applied": False},
        {"subject": B, "version": 1, "verdict": Verdict.FAIL, "tops": 0, "applied": False},
    ]
    assert [e["subject"] for e in events(tx, "CallbackFailed")] == [A, B]
    assert council.isFinal(A) and council.isFinal(B)


def test_batch_skips_a_final_subject_and_votes_on_the_rest(council, members):
    vote_all(council, members[:QUORUM], A, Verdict.OK)
    final = tally_of(council, A)

    tx = council.voteBatch(
        1, [ballot(A, Verdict.FAIL), ballot(B, Verdict.FAIL)], {"from": members[5]}
    )

    assert event(tx, "VoteSkipped") == {"subject": A, "member": members[5].address}
    assert [e["subject"] for e in events(tx, "VoteCast")] == [B]
    assert tally_of(council, A) == final
    assert tally_of(council, B) == Tally(1, 0, bits(5), 0, Verdict.NONE, False)


def test_batch_skips_a_subject_it_made_final_itself(council, members):
    vote_all(council, members[: QUORUM - 1], A, Verdict.OK)

    tx = council.voteBatch(
        1, [ballot(A, Verdict.OK), ballot(A, Verdict.OK)], {"from": members[QUORUM - 1]}
    )

    assert event(tx, "VerdictReached")["subject"] == A
    assert event(tx, "VoteSkipped") == {"subject": A, "member": members[QUORUM - 1].address}


def test_batch_of_only_final_subjects_changes_nothing(council, members):
    vote_all(council, members[:QUORUM], A, Verdict.FAIL)

    tx = council.voteBatch(1, [ballot(A, Verdict.OK)], {"from": members[6]})

    assert "VoteCast" not in tx.events
    assert tally_of(council, A) == Tally(1, 0, bits(0, 1, 2, 3), 0, Verdict.FAIL, False)


def test_batch_with_a_subject_twice_reverts_as_a_whole(council, members):
    ballots = [ballot(B), ballot(C), ballot(B, Verdict.FAIL)]

    with brownie.reverts(err("OracleCouncilAlreadyVoted", B, members[0])):
        council.voteBatch(1, ballots, {"from": members[0]})

    assert (tally_of(council, B), tally_of(council, C)) == (EMPTY_TALLY, EMPTY_TALLY)


def test_batch_with_a_subject_voted_before_reverts(council, members):
    council.voteBatch(1, [ballot(C)], {"from": members[0]})

    with brownie.reverts(err("OracleCouncilAlreadyVoted", C, members[0])):
        council.voteBatch(1, [ballot(B), ballot(C)], {"from": members[0]})

    assert tally_of(council, B) == EMPTY_TALLY


def test_batch_with_no_verdict_on_a_ballot_reverts_as_a_whole(council, members):
    with brownie.reverts(err("OracleCouncilInvalidVerdict")):
        council.voteBatch(1, [ballot(B), ballot(C, Verdict.NONE)], {"from": members[0]})

    assert tally_of(council, B) == EMPTY_TALLY


@pytest.mark.parametrize("version", [0, 2])
def test_batch_under_another_version_reverts(council, members, version):
    with brownie.reverts(err("OracleCouncilStaleConfig", version, 1)):
        council.voteBatch(version, [ballot(B)], {"from": members[0]})


@pytest.mark.parametrize("caller", ["stranger", "governance"])
def test_batch_by_a_non_member_reverts(council, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(err("OracleCouncilNotMember", account)):
        council.voteBatch(1, [ballot(B)], {"from": account})


def test_empty_batch_by_a_non_member_reverts(council, stranger):
    with brownie.reverts(err("OracleCouncilNotMember", stranger)):
        council.voteBatch(1, [], {"from": stranger})


def test_batch_after_a_new_config_counts_afresh(council, governance, members):
    council.voteBatch(1, [ballot(B, Verdict.OK, TOPS)], {"from": members[0]})
    council.setConfig(members, QUORUM, {"from": governance})

    council.voteBatch(2, [ballot(B, Verdict.OK, 7)], {"from": members[0]})

    assert tally_of(council, B) == Tally(2, bits(0), 0, 0, Verdict.NONE, False)
