"""A new config voids every vote cast under an older one on subjects that are not final: counts
restart from zero, members who voted may vote again, unseated members may not vote, and final
verdicts stay final."""

import brownie
import pytest

from .helpers import (
    EVIDENCE,
    NO_ATTESTATION,
    NO_JOB,
    QUORUM,
    TOPS,
    Tally,
    Verdict,
    bits,
    err,
    event,
    tally_of,
    vote,
    vote_all,
)

pytestmark = pytest.mark.usefixtures("seated")


@pytest.fixture
def reseat(council, governance, members):
    """reseat(seated=members, quorum=QUORUM): a new config, version 2."""

    def _reseat(seated=None, quorum=QUORUM):
        return council.setConfig(seated or members, quorum, {"from": governance})

    return _reseat


def test_votes_of_the_old_version_do_not_count_after_a_new_config(council, members, reseat):
    vote_all(council, members[: QUORUM - 1], NO_JOB, Verdict.OK)
    reseat()

    tx = vote(council, members[QUORUM - 1], NO_JOB, Verdict.OK)

    assert "VerdictReached" not in tx.events
    assert tally_of(council, NO_JOB) == Tally(2, bits(QUORUM - 1), 0, 0, Verdict.NONE, False)


def test_count_restarts_and_reaches_the_quorum_under_the_new_version(council, members, reseat):
    vote_all(council, members[: QUORUM - 1], NO_JOB, Verdict.FAIL)
    reseat()

    tx = vote_all(council, members[:QUORUM], NO_JOB, Verdict.OK)

    assert event(tx, "VerdictReached") == {
        "subject": NO_JOB,
        "version": 2,
        "verdict": Verdict.OK,
        "tops": 0,
        "applied": False,
    }
    assert tally_of(council, NO_JOB) == Tally(2, bits(0, 1, 2, 3), 0, 0, Verdict.OK, False)


def test_member_who_voted_before_may_vote_again_under_the_new_version(council, members, reseat):
    vote(council, members[0], NO_JOB, Verdict.FAIL)
    reseat()

    tx = council.vote(NO_JOB, 2, Verdict.OK, 500, EVIDENCE, {"from": members[0]})

    assert event(tx, "VoteCast")["version"] == 2
    assert tally_of(council, NO_JOB) == Tally(2, bits(0), 0, 0, Verdict.NONE, False)


def test_throughput_votes_of_the_old_version_are_forgotten(council, members, newcomers, reseat):
    # Under version 1 members 0-2 vote 0 TOPS; version 2 seats newcomers at positions 0-2 (the
    # same lanes) and members 0 at 3: only the new votes reach the median.
    for member in members[:3]:
        vote(council, member, NO_ATTESTATION, Verdict.OK, tops=0)
    reseat([*newcomers, members[0]], 3)

    vote(council, newcomers[0], NO_ATTESTATION, Verdict.OK, tops=2_000)
    vote(council, members[0], NO_ATTESTATION, Verdict.OK, tops=2_200)
    tx = vote(council, newcomers[2], NO_ATTESTATION, Verdict.OK, tops=2_100)

    assert event(tx, "VerdictReached")["tops"] == 2_100
    assert tally_of(council, NO_ATTESTATION) == Tally(2, bits(0, 2, 3), 0, 2_100, Verdict.OK, False)


def test_old_tally_stays_readable_until_the_next_vote(council, members, reseat):
    vote_all(council, members[:2], NO_JOB, Verdict.OK)

    reseat()

    assert tally_of(council, NO_JOB) == Tally(1, bits(0, 1), 0, 0, Verdict.NONE, False)
    assert not council.hasVoted(NO_JOB, members[0])


def test_vote_under_the_old_version_reverts(council, members, reseat):
    reseat()

    with brownie.reverts(err("OracleCouncilStaleConfig", 1, 2)):
        council.vote(NO_JOB, 1, Verdict.OK, TOPS, EVIDENCE, {"from": members[0]})


def test_unseated_member_can_no_longer_vote(council, members, newcomers, reseat):
    reseat([*newcomers, *members[:2]], 3)

    with brownie.reverts(err("OracleCouncilNotMember", members[2])):
        council.vote(NO_JOB, 2, Verdict.OK, TOPS, EVIDENCE, {"from": members[2]})


def test_newcomers_vote_with_the_bits_of_their_positions(council, members, newcomers, reseat):
    reseat([members[0], *newcomers], 3)

    vote_all(council, newcomers[:2], NO_JOB, Verdict.FAIL)
    vote(council, members[0], NO_JOB, Verdict.OK, tops=9)

    assert tally_of(council, NO_JOB) == Tally(2, bits(0), bits(1, 2), 0, Verdict.NONE, False)


def test_smaller_council_decides_with_its_own_quorum(council, members, newcomers, reseat):
    vote_all(council, members[:3], NO_JOB, Verdict.OK)
    reseat(newcomers, 2)

    first = vote(council, newcomers[0], NO_JOB, Verdict.FAIL)
    second = vote(council, newcomers[1], NO_JOB, Verdict.FAIL)

    assert "VerdictReached" not in first.events
    assert event(second, "VerdictReached")["version"] == 2
    assert tally_of(council, NO_JOB) == Tally(2, 0, bits(0, 1), 0, Verdict.FAIL, False)


def test_final_verdict_survives_a_new_config(council, members, reseat):
    vote_all(council, members[:QUORUM], NO_JOB, Verdict.FAIL)

    reseat()

    assert council.isFinal(NO_JOB)
    assert tally_of(council, NO_JOB) == Tally(1, 0, bits(0, 1, 2, 3), 0, Verdict.FAIL, False)
    with brownie.reverts(err("OracleCouncilAlreadyFinal", NO_JOB)):
        council.vote(NO_JOB, 2, Verdict.OK, TOPS, EVIDENCE, {"from": members[5]})
