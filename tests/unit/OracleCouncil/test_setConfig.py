"""The oracle admin replaces the members and the quorum: 1 to 31 distinct non-zero members, and a
quorum of more than half of them, at most all. Each config bumps the version and unseats whoever
it leaves out."""

import brownie
import pytest
from brownie import web3

from .helpers import (
    MAX_MEMBERS,
    QUORUM,
    ZERO_ADDRESS,
    Tally,
    Verdict,
    bits,
    err,
    event,
    tally_of,
    vote,
)


def addresses(count: int) -> list[str]:
    """`count` distinct non-zero addresses (members need no keys to be seated)."""
    return [web3.to_checksum_address(f"0x{0xC0C0 + i:040x}") for i in range(count)]


def test_set_config_seats_the_members_and_the_quorum(council, governance, members):
    council.setConfig(members, QUORUM, {"from": governance})

    assert council.members() == [m.address for m in members]
    assert (council.configVersion(), council.quorum()) == (1, QUORUM)
    assert all(council.isMember(m) for m in members)


def test_set_config_emits_config_updated(council, governance, members):
    tx = council.setConfig(members, QUORUM, {"from": governance})

    assert event(tx, "ConfigUpdated") == {
        "version": 1,
        "members": tuple(m.address for m in members),
        "quorum": QUORUM,
    }


def test_every_size_from_one_to_thirty_one_members_is_accepted(council, governance):
    for count in range(1, MAX_MEMBERS + 1):
        seated = addresses(count)
        quorum = count // 2 + 1

        tx = council.setConfig(seated, quorum, {"from": governance})

        assert event(tx, "ConfigUpdated") == {
            "version": count,
            "members": tuple(seated),
            "quorum": quorum,
        }
        assert council.members() == seated
        assert (council.configVersion(), council.quorum()) == (count, quorum)


@pytest.mark.parametrize(
    "count, quorum, accepted",
    [
        (1, 1, True),
        (1, 0, False),
        (2, 1, False),
        (2, 2, True),
        (3, 2, True),
        (4, 2, False),
        (4, 3, True),
        (4, 4, True),
        (4, 5, False),
        (5, 2, False),
        (5, 3, True),
        (7, 3, False),
        (7, 4, True),
        (7, 7, True),
        (7, 8, False),
        (31, 15, False),
        (31, 16, True),
        (31, 31, True),
        (31, 32, False),
        (4, 255, False),
    ],
    ids=lambda v: str(v),
)
def test_quorum_must_be_a_strict_majority_and_at_most_all(
    council, governance, count, quorum, accepted
):
    seated = addresses(count)

    if accepted:
        council.setConfig(seated, quorum, {"from": governance})
        assert (council.configVersion(), council.quorum()) == (1, quorum)
    else:
        with brownie.reverts(err("OracleCouncilInvalidConfig", count, quorum)):
            council.setConfig(seated, quorum, {"from": governance})


@pytest.mark.parametrize("quorum", [0, 1])
def test_no_members_reverts(council, governance, quorum):
    with brownie.reverts(err("OracleCouncilInvalidConfig", 0, quorum)):
        council.setConfig([], quorum, {"from": governance})


@pytest.mark.parametrize("quorum", [17, 32])
def test_thirty_two_members_revert(council, governance, quorum):
    with brownie.reverts(err("OracleCouncilInvalidConfig", MAX_MEMBERS + 1, quorum)):
        council.setConfig(addresses(MAX_MEMBERS + 1), quorum, {"from": governance})


@pytest.mark.parametrize("position", [0, 3, 6], ids=["first", "middle", "last"])
def test_a_zero_member_reverts(council, governance, members, position):
    seated = [m.address for m in members]
    seated[position] = ZERO_ADDRESS

    with brownie.reverts(err("OracleCouncilZeroAddress")):
        council.setConfig(seated, QUORUM, {"from": governance})


@pytest.mark.parametrize("first, second", [(0, 1), (2, 6)], ids=["adjacent", "apart"])
def test_a_duplicate_member_reverts(council, governance, members, first, second):
    seated = [m.address for m in members]
    seated[second] = seated[first]

    with brownie.reverts(err("OracleCouncilDuplicateMember", seated[first])):
        council.setConfig(seated, QUORUM, {"from": governance})


def test_rejected_config_keeps_the_seated_one(seated, governance, members):
    with brownie.reverts(err("OracleCouncilDuplicateMember", members[0])):
        seated.setConfig([members[1], members[0], members[0]], 2, {"from": governance})

    assert seated.members() == [m.address for m in members]
    assert (seated.configVersion(), seated.quorum()) == (1, QUORUM)


def test_each_config_bumps_the_version(seated, governance, members):
    tx = seated.setConfig(members, QUORUM, {"from": governance})

    assert event(tx, "ConfigUpdated")["version"] == 2
    assert seated.configVersion() == 2
    assert all(seated.isMember(m) for m in members)


def test_new_config_unseats_the_members_it_leaves_out(seated, governance, members, newcomers):
    kept, dropped = members[:2], members[2:]

    seated.setConfig([*newcomers, *kept], 3, {"from": governance})

    assert seated.members() == [m.address for m in (*newcomers, *kept)]
    assert [seated.isMember(m) for m in dropped] == [False] * len(dropped)
    assert all(seated.isMember(m) for m in (*newcomers, *kept))
    assert seated.quorum() == 3


def test_new_config_gives_members_the_bit_of_their_new_position(
    seated, governance, members, newcomers
):
    seated.setConfig([*newcomers, members[0]], 3, {"from": governance})

    vote(seated, members[0], 77, Verdict.FAIL)

    assert tally_of(seated, 77) == Tally(2, 0, bits(3), 0, Verdict.NONE, False)


def test_set_config_by_the_oracle_admin_is_accepted(council, oracle_admin, members):
    council.setConfig(members[:3], 2, {"from": oracle_admin})

    assert council.members() == [m.address for m in members[:3]]


@pytest.mark.parametrize("caller", ["stranger", "provider"])
def test_set_config_without_the_oracle_admin_role_reverts(council, members, caller, request):
    account = request.getfixturevalue(caller)

    with brownie.reverts(
        err("AccessControlUnauthorizedAccount", account, council.ORACLE_ADMIN_ROLE())
    ):
        council.setConfig(members, QUORUM, {"from": account})


def test_a_member_cannot_reseat_the_council(seated, members):
    with brownie.reverts(
        err("AccessControlUnauthorizedAccount", members[0], seated.ORACLE_ADMIN_ROLE())
    ):
        seated.setConfig(members[:1], 1, {"from": members[0]})
