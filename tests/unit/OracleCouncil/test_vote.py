"""A member votes once per subject under the current config. Its bit goes into the subject's OK or
FAIL bitmap, and the vote that brings one side to the quorum makes the verdict final and passes it
on (here to the market, which knows no job NO_JOB, or the registry, which knows no challenge behind
NO_ATTESTATION: the callback fails harmlessly and the verdict is final but not applied). A tally's
throughput is 0 until final; an attestation's OK verdict records the lower median of the quorum's
TOPS, any other verdict 0."""

import brownie
import pytest

from .helpers import (
    EVIDENCE,
    NO_ATTESTATION,
    NO_JOB,
    QUORUM,
    TOPS,
    UINT64_MAX,
    Tally,
    Verdict,
    bits,
    err,
    event,
    revert_data,
    tally_of,
    vote,
    vote_all,
)

pytestmark = pytest.mark.usefixtures("seated")


def test_first_ok_vote_opens_the_tally(council, members):
    vote(council, members[0], NO_JOB, Verdict.OK, tops=TOPS)

    assert tally_of(council, NO_JOB) == Tally(1, bits(0), 0, 0, Verdict.NONE, False)


def test_first_fail_vote_opens_the_tally(council, members):
    vote(council, members[0], NO_JOB, Verdict.FAIL, tops=TOPS)

    assert tally_of(council, NO_JOB) == Tally(1, 0, bits(0), 0, Verdict.NONE, False)


def test_vote_emits_vote_cast(council, members):
    tx = council.vote(NO_JOB, 1, Verdict.FAIL, 321, EVIDENCE, {"from": members[2]})

    assert event(tx, "VoteCast") == {
        "subject": NO_JOB,
        "member": members[2].address,
        "version": 1,
        "verdict": Verdict.FAIL,
        "measuredTops": 321,
        "evidenceHash": EVIDENCE,
    }
    assert "VerdictReached" not in tx.events
    assert "CallbackFailed" not in tx.events


def test_votes_set_the_bits_of_the_voters_positions(council, members):
    for index, verdict, tops in [
        (0, Verdict.OK, 900),
        (2, Verdict.FAIL, 50),
        (4, Verdict.OK, 1_200),
        (6, Verdict.FAIL, 10),
    ]:
        vote(council, members[index], NO_JOB, verdict, tops=tops)

    assert tally_of(council, NO_JOB) == Tally(1, bits(0, 4), bits(2, 6), 0, Verdict.NONE, False)


def test_an_attestation_tally_shows_no_throughput_before_it_is_final(council, members):
    for member, tops in zip(members[:3], [1_000, 800, 1_200], strict=True):
        vote(council, member, NO_ATTESTATION, Verdict.OK, tops=tops)

    assert tally_of(council, NO_ATTESTATION) == Tally(1, bits(0, 1, 2), 0, 0, Verdict.NONE, False)


def test_votes_below_the_quorum_leave_the_subject_open(council, members):
    tx = vote_all(council, members[: QUORUM - 1], NO_JOB, Verdict.OK)

    assert "VerdictReached" not in tx.events
    assert not council.isFinal(NO_JOB)


def test_quorum_of_ok_votes_on_a_job_makes_the_verdict_final_with_no_throughput(council, members):
    for member, tops in zip(members[: QUORUM - 1], [1_500, 1_400, 1_600], strict=True):
        vote(council, member, NO_JOB, Verdict.OK, tops=tops)

    tx = vote(council, members[QUORUM - 1], NO_JOB, Verdict.OK, tops=1_450)

    assert event(tx, "VerdictReached") == {
        "subject": NO_JOB,
        "version": 1,
        "verdict": Verdict.OK,
        "tops": 0,
        "applied": False,
    }
    assert tally_of(council, NO_JOB) == Tally(1, bits(0, 1, 2, 3), 0, 0, Verdict.OK, False)
    assert council.isFinal(NO_JOB)


def test_quorum_of_ok_votes_on_an_attestation_records_the_lower_median(council, members):
    for member, tops in zip(members[: QUORUM - 1], [1_500, 1_400, 1_600], strict=True):
        vote(council, member, NO_ATTESTATION, Verdict.OK, tops=tops)

    tx = vote(council, members[QUORUM - 1], NO_ATTESTATION, Verdict.OK, tops=1_450)

    # Sorted 1,400 1,450 1,500 1,600: element (4 - 1) // 2 = 1.
    assert event(tx, "VerdictReached") == {
        "subject": NO_ATTESTATION,
        "version": 1,
        "verdict": Verdict.OK,
        "tops": 1_450,
        "applied": False,
    }
    assert tally_of(council, NO_ATTESTATION) == Tally(
        1, bits(0, 1, 2, 3), 0, 1_450, Verdict.OK, False
    )


@pytest.mark.parametrize(
    "votes, median",
    [
        ([0, 1_500, 1_600, 1_700], 1_500),  # one member early with 0
        ([1_500, 1_600, 1_700, 0], 1_500),  # the same member last
        ([1_500, UINT64_MAX, 1_600, 1_700], 1_600),  # one member far too high
        ([0, 0, 1_600, 1_700], 0),  # half the quorum low: the lower median is theirs
        ([7, 7, 7, 7], 7),
    ],
    ids=["zero-first", "zero-last", "max-outlier", "half-low", "all-equal"],
)
def test_no_member_below_half_the_quorum_sets_an_attestations_throughput(
    council, members, votes, median
):
    for member, tops in zip(members[:QUORUM], votes, strict=True):
        tx = vote(council, member, NO_ATTESTATION, Verdict.OK, tops=tops)

    assert event(tx, "VerdictReached")["tops"] == median
    assert tally_of(council, NO_ATTESTATION).tops == median


def test_fail_votes_on_an_attestation_leave_out_of_its_median(council, members):
    vote(council, members[0], NO_ATTESTATION, Verdict.FAIL, tops=1)
    vote(council, members[1], NO_ATTESTATION, Verdict.FAIL, tops=2)
    for member, tops in zip(members[2:6], [900, 1_000, 1_100, 1_200], strict=True):
        tx = vote(council, member, NO_ATTESTATION, Verdict.OK, tops=tops)

    assert event(tx, "VerdictReached")["tops"] == 1_000


def test_quorum_of_fail_votes_makes_the_verdict_final_with_zero_throughput(council, members):
    tx = vote_all(council, members[:QUORUM], NO_JOB, Verdict.FAIL)

    assert event(tx, "VerdictReached") == {
        "subject": NO_JOB,
        "version": 1,
        "verdict": Verdict.FAIL,
        "tops": 0,
        "applied": False,
    }
    assert tally_of(council, NO_JOB) == Tally(1, 0, bits(0, 1, 2, 3), 0, Verdict.FAIL, False)


def test_final_vote_emits_vote_cast_then_callback_failed_then_verdict_reached(council, members):
    vote_all(council, members[: QUORUM - 1], NO_JOB, Verdict.OK)

    tx = vote(council, members[QUORUM - 1], NO_JOB, Verdict.OK)

    assert [e.name for e in tx.events] == ["VoteCast", "CallbackFailed", "VerdictReached"]
    assert event(tx, "CallbackFailed") == {
        "subject": NO_JOB,
        "reason": revert_data("JobMarketUnknownJob(uint256)", NO_JOB),
    }


def test_only_agreeing_votes_count_toward_the_quorum(council, members):
    for index in range(6):
        vote(council, members[index], NO_JOB, Verdict.OK if index % 2 else Verdict.FAIL)
    assert not council.isFinal(NO_JOB)

    tx = vote(council, members[6], NO_JOB, Verdict.FAIL)

    assert event(tx, "VerdictReached")["verdict"] == Verdict.FAIL
    assert tally_of(council, NO_JOB) == Tally(
        1, bits(1, 3, 5), bits(0, 2, 4, 6), 0, Verdict.FAIL, False
    )


def test_single_member_council_decides_with_one_vote(council, governance, members):
    council.setConfig(members[:1], 1, {"from": governance})

    tx = vote(council, members[0], NO_ATTESTATION, Verdict.OK, tops=77)

    assert event(tx, "VerdictReached") == {
        "subject": NO_ATTESTATION,
        "version": 2,
        "verdict": Verdict.OK,
        "tops": 77,
        "applied": False,
    }


@pytest.mark.parametrize("voted", [True, False], ids=["a-voter", "a-latecomer"])
def test_vote_on_a_final_subject_reverts(council, members, voted):
    vote_all(council, members[:QUORUM], NO_JOB, Verdict.OK)
    member = members[0] if voted else members[QUORUM]

    with brownie.reverts(err("OracleCouncilAlreadyFinal", NO_JOB)):
        vote(council, member, NO_JOB, Verdict.FAIL)


@pytest.mark.parametrize("caller", ["stranger", "governance"])
def test_vote_by_a_non_member_reverts(council, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(err("OracleCouncilNotMember", account)):
        council.vote(NO_JOB, 1, Verdict.OK, TOPS, EVIDENCE, {"from": account})


def test_vote_by_an_oracle_outside_the_council_reverts(council, newcomers):
    with brownie.reverts(err("OracleCouncilNotMember", newcomers[0])):
        council.vote(NO_JOB, 1, Verdict.OK, TOPS, EVIDENCE, {"from": newcomers[0]})


@pytest.mark.parametrize("version", [0, 2, 2**32 - 1])
def test_vote_under_another_version_reverts(council, members, version):
    with brownie.reverts(err("OracleCouncilStaleConfig", version, 1)):
        council.vote(NO_JOB, version, Verdict.OK, TOPS, EVIDENCE, {"from": members[0]})


def test_vote_with_no_verdict_reverts(council, members):
    with brownie.reverts(err("OracleCouncilInvalidVerdict")):
        council.vote(NO_JOB, 1, Verdict.NONE, TOPS, EVIDENCE, {"from": members[0]})


@pytest.mark.parametrize("second", [Verdict.OK, Verdict.FAIL], ids=["same", "changed"])
def test_second_vote_of_a_member_reverts(council, members, second):
    vote(council, members[3], NO_JOB, Verdict.OK)

    with brownie.reverts(err("OracleCouncilAlreadyVoted", NO_JOB, members[3])):
        vote(council, members[3], NO_JOB, second)


def test_votes_on_one_subject_leave_the_others_alone(council, members):
    vote_all(council, members[:QUORUM], NO_JOB, Verdict.OK)

    assert tally_of(council, NO_JOB + 1) == Tally(0, 0, 0, 0, Verdict.NONE, False)
    assert not council.isFinal(NO_JOB + 1)
