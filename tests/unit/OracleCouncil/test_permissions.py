"""Who may call each state-changing OracleCouncil function: (function, caller, allowed). The
oracle admin seats members, the governor tunes the callback gas, the default admin wires addresses
and roles, and only seated members vote."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import DEFAULT_ADMIN_ROLE, NO_JOB, Verdict, ballot, err

PERMISSIONS = [
    ("setConfig", "governance", True),
    ("setConfig", "oracle_admin", True),
    ("setConfig", "member", False),
    ("setConfig", "stranger", False),
    ("setParameter", "governance", True),
    ("setParameter", "oracle_admin", False),
    ("setParameter", "member", False),
    ("setParameter", "stranger", False),
    ("setAddress", "governance", True),
    ("setAddress", "oracle_admin", False),
    ("setAddress", "member", False),
    ("setAddress", "stranger", False),
    ("grantRole", "governance", True),
    ("grantRole", "oracle_admin", False),
    ("grantRole", "member", False),
    ("revokeRole", "governance", True),
    ("revokeRole", "oracle_admin", False),
    ("revokeRole", "stranger", False),
    ("beginDefaultAdminTransfer", "governance", True),
    ("beginDefaultAdminTransfer", "oracle_admin", False),
    ("vote", "member", True),
    ("vote", "governance", False),
    ("vote", "oracle_admin", False),
    ("vote", "stranger", False),
    ("voteBatch", "member", True),
    ("voteBatch", "governance", False),
    ("voteBatch", "oracle_admin", False),
    ("voteBatch", "stranger", False),
]


@pytest.fixture
def member(seated, members):
    return members[0]


def _call(function, council, members, oracle_admin, stranger, account):
    tx = {"from": account}
    calls = {
        "setConfig": lambda: council.setConfig(members[:3], 2, tx),
        "setParameter": lambda: council.setParameter(name32("callbackGas"), 500_000, tx),
        "setAddress": lambda: council.setAddress(name32("market"), council.market(), tx),
        "grantRole": lambda: council.grantRole(council.ORACLE_ADMIN_ROLE(), stranger, tx),
        "revokeRole": lambda: council.revokeRole(council.ORACLE_ADMIN_ROLE(), oracle_admin, tx),
        "beginDefaultAdminTransfer": lambda: council.beginDefaultAdminTransfer(stranger, tx),
        "vote": lambda: council.vote(NO_JOB, 1, Verdict.OK, 1, b"\0" * 32, tx),
        "voteBatch": lambda: council.voteBatch(1, [ballot(NO_JOB)], tx),
    }
    return calls[function]()


def _denial(function, council, account):
    if function in ("vote", "voteBatch"):
        return err("OracleCouncilNotMember", account)
    role = {
        "setConfig": council.ORACLE_ADMIN_ROLE(),
        "setParameter": council.GOVERNOR_ROLE(),
    }.get(function, DEFAULT_ADMIN_ROLE)
    return err("AccessControlUnauthorizedAccount", account, role)


@pytest.mark.parametrize(
    "function, caller, allowed",
    PERMISSIONS,
    ids=[f"{f}-{c}-{'allowed' if a else 'denied'}" for f, c, a in PERMISSIONS],
)
def test_permission(seated, members, oracle_admin, stranger, function, caller, allowed, request):
    account = request.getfixturevalue(caller)

    if allowed:
        tx = _call(function, seated, members, oracle_admin, stranger, account)
        assert tx.status == 1
    else:
        with brownie.reverts(_denial(function, seated, account)):
            _call(function, seated, members, oracle_admin, stranger, account)
