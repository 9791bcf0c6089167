"""isMember and members describe the current config only."""

import pytest

from .helpers import ZERO_ADDRESS


def test_nobody_is_a_member_before_the_first_config(council, members):
    assert [council.isMember(m) for m in members] == [False] * len(members)
    assert council.members() == []


@pytest.mark.usefixtures("seated")
def test_members_are_the_seated_accounts_in_order(council, members, newcomers, stranger):
    assert council.members() == [m.address for m in members]
    assert all(council.isMember(m) for m in members)
    assert not any(council.isMember(a) for a in (*newcomers, stranger, ZERO_ADDRESS))


@pytest.mark.usefixtures("seated")
def test_members_after_a_reseat_are_the_new_ones(council, governance, members, newcomers):
    council.setConfig([newcomers[2], members[6]], 2, {"from": governance})

    assert council.members() == [newcomers[2].address, members[6].address]
    assert [council.isMember(m) for m in members] == [False] * 6 + [True]
