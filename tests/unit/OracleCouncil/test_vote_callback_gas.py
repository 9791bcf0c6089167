"""The vote that makes a verdict final must leave room for the callback's full stipend
(callbackGas + callbackGas / 63 + 10,000 before the call), so a callback can only fail because the
market or registry refused the verdict, never because the voter sent too little gas. Votes that
reach no verdict need no such room."""

import re

import pytest
from brownie.exceptions import VirtualMachineError

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import JobState

from .helpers import (
    CALLBACK_GAS,
    CALLBACK_GAS_BOUNDS,
    EVIDENCE,
    QUORUM,
    Tally,
    Verdict,
    bits,
    event,
    tally_of,
    vote_all,
)

pytestmark = pytest.mark.usefixtures("seated")

#: Enough for the vote's bookkeeping (about 41,000 gas reach the check) but under the stipend.
SHORT_GAS = 1_000_000
#: Measured: the last vote on a job needs a limit of about 1,066,700 to pass the check.
ENOUGH_GAS = 1_100_000


def needed(callback_gas: int) -> int:
    return callback_gas + callback_gas // 63 + 10_000


def send(council, member, subject, gas_limit):
    return council.vote(
        subject,
        council.configVersion(),
        Verdict.OK,
        1_500,
        EVIDENCE,
        {"from": member, "gas_limit": gas_limit, "allow_revert": True},
    )


@pytest.fixture(scope="module")
def job_id(submitted_bench_job):
    return submitted_bench_job()


def test_final_vote_with_too_little_gas_for_the_callback_reverts(council, members, job_id):
    vote_all(council, members[: QUORUM - 1], job_id, Verdict.OK)

    with pytest.raises(VirtualMachineError) as reverted:
        send(council, members[QUORUM - 1], job_id, SHORT_GAS)

    match = re.fullmatch(r"OracleCouncilInsufficientGas: (\d+), (\d+)", reverted.value.revert_msg)
    assert match, reverted.value.revert_msg
    available, required = int(match[1]), int(match[2])
    assert required == needed(CALLBACK_GAS) == 1_025_873
    assert SHORT_GAS - 60_000 < available < required


def test_subject_stays_open_after_a_vote_short_of_gas(council, market, members, job_id):
    vote_all(council, members[: QUORUM - 1], job_id, Verdict.OK)

    with pytest.raises(VirtualMachineError):
        send(council, members[QUORUM - 1], job_id, SHORT_GAS)

    assert not council.isFinal(job_id)
    assert tally_of(council, job_id) == Tally(1, bits(0, 1, 2), 0, 0, Verdict.NONE, False)
    assert not council.hasVoted(job_id, members[QUORUM - 1])
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_final_vote_resent_with_enough_gas_applies_the_verdict(council, market, members, job_id):
    vote_all(council, members[: QUORUM - 1], job_id, Verdict.OK)
    with pytest.raises(VirtualMachineError):
        send(council, members[QUORUM - 1], job_id, SHORT_GAS)

    tx = send(council, members[QUORUM - 1], job_id, ENOUGH_GAS)

    assert event(tx, "VerdictReached")["applied"] is True
    assert market.jobOf(job_id)["state"] == JobState.VERIFIED


def test_vote_below_the_quorum_needs_no_room_for_the_callback(council, members, job_id):
    tx = send(council, members[0], job_id, 100_000)

    assert tx.status == 1
    assert council.hasVoted(job_id, members[0])


def test_smaller_callback_gas_needs_less_room(council, governance, members, job_id):
    council.setParameter(name32("callbackGas"), 450_000, {"from": governance})
    vote_all(council, members[: QUORUM - 1], job_id, Verdict.OK)

    tx = send(council, members[QUORUM - 1], job_id, 600_000)

    assert event(tx, "VerdictReached")["applied"] is True


def test_smaller_callback_gas_is_still_enforced(council, governance, members, job_id):
    council.setParameter(name32("callbackGas"), 450_000, {"from": governance})
    vote_all(council, members[: QUORUM - 1], job_id, Verdict.OK)

    with pytest.raises(VirtualMachineError) as reverted:
        send(council, members[QUORUM - 1], job_id, 450_000)

    assert reverted.value.revert_msg.startswith("OracleCouncilInsufficientGas: ")
    assert reverted.value.revert_msg.endswith(f", {needed(450_000)}")


def test_fail_verdict_on_a_job_is_applied_at_the_lowest_callback_gas(
    council, governance, market, members, job_id
):
    council.setParameter(name32("callbackGas"), CALLBACK_GAS_BOUNDS[0], {"from": governance})

    tx = vote_all(council, members[:QUORUM], job_id, Verdict.FAIL)

    assert event(tx, "VerdictReached")["applied"] is True
    assert market.jobOf(job_id)["state"] == JobState.FAILED
