"""The council counts the account that calls it, not the transaction's origin: a contract that a
member calls (here a token whose transfer hook calls the council) is not a member, so its vote
reverts with OracleCouncilNotMember and nothing is counted. (Kills the mutant
`_slot[msg.sender]` -> `_slot[tx.origin]` in `_memberBit`; see MUTATION.md.)"""

import pytest

from .helpers import EVIDENCE, NO_JOB, TOPS, Tally, Verdict, event, revert_data, tally_of

pytestmark = pytest.mark.usefixtures("seated")


def test_a_vote_relayed_by_a_contract_a_member_calls_is_not_the_members(
    council, members, reentrant_token
):
    member = members[0]
    payload = council.vote.encode_input(NO_JOB, council.configVersion(), Verdict.OK, TOPS, EVIDENCE)
    reentrant_token.mint(member, 1, {"from": member})
    reentrant_token.arm(council, payload, {"from": member})

    tx = reentrant_token.transfer(members[1], 1, {"from": member})

    hook = event(tx, "ReentryAttempted")
    assert hook["success"] is False
    assert hook["returnData"] == revert_data(
        "OracleCouncilNotMember(address)", int(reentrant_token.address, 16)
    )
    assert "VoteCast" not in tx.events
    assert tally_of(council, NO_JOB) == Tally(0, 0, 0, 0, Verdict.NONE, False)
