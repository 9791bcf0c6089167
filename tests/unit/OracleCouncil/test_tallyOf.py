"""tallyOf returns a subject's stored tally as it is, including one of an older config version,
whose votes no longer count."""

import pytest

from .helpers import EMPTY_TALLY, NO_JOB, QUORUM, UINT64_MAX, Tally, Verdict, bits, tally_of, vote

pytestmark = pytest.mark.usefixtures("seated")


def test_tally_of_a_subject_nobody_voted_on_is_empty(council):
    assert tally_of(council, NO_JOB) == EMPTY_TALLY


def test_tally_of_an_older_version_is_returned_unchanged(council, governance, members):
    vote(council, members[1], NO_JOB, Verdict.OK, tops=42)
    vote(council, members[5], NO_JOB, Verdict.FAIL)
    council.setConfig(members, QUORUM, {"from": governance})

    assert tally_of(council, NO_JOB) == Tally(1, bits(1), bits(5), 42, Verdict.NONE, False)
    assert council.configVersion() == 2


def test_tally_of_fail_votes_only_keeps_the_unset_throughput(council, members):
    vote(council, members[0], NO_JOB, Verdict.FAIL, tops=5)

    assert tally_of(council, NO_JOB).tops == UINT64_MAX


def test_tally_of_a_thirty_one_member_council_uses_bit_thirty(council, governance, members):
    seated = [f"0x{0xC0C0 + i:040x}" for i in range(30)] + [members[0].address]
    council.setConfig(seated, 16, {"from": governance})

    vote(council, members[0], NO_JOB, Verdict.OK, tops=3)

    assert tally_of(council, NO_JOB) == Tally(2, 1 << 30, 0, 3, Verdict.NONE, False)
