"""tallyOf returns a subject's stored tally as it is, including one of an older config version,
whose votes no longer count."""

import pytest
from brownie import accounts

from .helpers import (
    EMPTY_TALLY,
    NO_ATTESTATION,
    NO_JOB,
    QUORUM,
    Tally,
    Verdict,
    bits,
    event,
    tally_of,
    vote,
)

pytestmark = pytest.mark.usefixtures("seated")


def test_tally_of_a_subject_nobody_voted_on_is_empty(council):
    assert tally_of(council, NO_JOB) == EMPTY_TALLY


def test_tally_of_an_older_version_is_returned_unchanged(council, governance, members):
    vote(council, members[1], NO_JOB, Verdict.OK, tops=42)
    vote(council, members[5], NO_JOB, Verdict.FAIL)
    council.setConfig(members, QUORUM, {"from": governance})

    assert tally_of(council, NO_JOB) == Tally(1, bits(1), bits(5), 0, Verdict.NONE, False)
    assert council.configVersion() == 2


def test_tally_of_fail_votes_only_has_no_throughput(council, members):
    vote(council, members[0], NO_ATTESTATION, Verdict.FAIL, tops=5)

    assert tally_of(council, NO_ATTESTATION).tops == 0


def test_tally_of_a_thirty_one_member_council_uses_bit_thirty(council, governance, members):
    seated = [f"0x{0xC0C0 + i:040x}" for i in range(30)] + [members[0].address]
    council.setConfig(seated, 16, {"from": governance})

    vote(council, members[0], NO_JOB, Verdict.OK, tops=3)

    assert tally_of(council, NO_JOB) == Tally(2, 1 << 30, 0, 0, Verdict.NONE, False)


def test_a_thirty_one_member_quorum_takes_the_median_across_every_lane(council, governance):
    # 16 voters (the least quorum of 31) at the even positions 0 - 30: two in each of the eight
    # words of four 64-bit lanes; the odd positions are seats nobody votes from.
    voters = [accounts.add("0x" + f"{0xA0 + k:02x}" * 32) for k in range(16)]
    for voter in voters:
        governance.transfer(voter, "1 ether")
    seated = [f"0x{0xC0C0 + i:040x}" for i in range(31)]
    for k, voter in enumerate(voters):
        seated[2 * k] = voter.address
    council.setConfig(seated, 16, {"from": governance})
    tops = [1_000 + 37 * ((11 * k) % 16) for k in range(16)]  # 16 distinct values

    for voter, value in zip(voters, tops, strict=True):
        tx = vote(council, voter, NO_ATTESTATION, Verdict.OK, tops=value)

    assert event(tx, "VerdictReached")["tops"] == sorted(tops)[7] == 1_259
    assert tally_of(council, NO_ATTESTATION).okVoters == sum(1 << (2 * k) for k in range(16))
