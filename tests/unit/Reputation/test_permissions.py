"""Who may call each restricted Reputation function: a table of (function, caller, allowed). Only
WRITER_ROLE writes records; only the default admin grants and revokes it."""

import brownie
import pytest

DEFAULT_ADMIN_ROLE = b"\0" * 32

WRITES = [
    "recordSuccess",
    "recordFailure",
    "recordSlash",
    "recordProviderDisputeLost",
    "recordVerifiedTops",
    "recordJobPosted",
    "recordBuyerDispute",
]
PERMISSIONS = [
    *[(function, "writer", True) for function in WRITES],
    *[(function, "governance", False) for function in WRITES],
    *[(function, "provider", False) for function in WRITES],
    ("grantRole", "governance", True),
    ("grantRole", "writer", False),
    ("grantRole", "stranger", False),
    ("revokeRole", "governance", True),
    ("revokeRole", "writer", False),
    ("revokeRole", "stranger", False),
]


def _call(function, reputation, writer, provider, token, account):
    tx = {"from": account}
    calls = {
        "recordSuccess": lambda: reputation.recordSuccess(provider, token, 1, tx),
        "recordFailure": lambda: reputation.recordFailure(provider, tx),
        "recordSlash": lambda: reputation.recordSlash(provider, tx),
        "recordProviderDisputeLost": lambda: reputation.recordProviderDisputeLost(provider, tx),
        "recordVerifiedTops": lambda: reputation.recordVerifiedTops(provider, 1, tx),
        "recordJobPosted": lambda: reputation.recordJobPosted(provider, tx),
        "recordBuyerDispute": lambda: reputation.recordBuyerDispute(provider, False, 3, tx),
        "grantRole": lambda: reputation.grantRole(reputation.WRITER_ROLE(), provider, tx),
        "revokeRole": lambda: reputation.revokeRole(reputation.WRITER_ROLE(), writer, tx),
    }
    return calls[function]()


def _denial(account, role) -> str:
    return f"AccessControlUnauthorizedAccount: {account.address.lower()}, {bytes(role)}"


@pytest.mark.parametrize(
    "function, role, allowed",
    PERMISSIONS,
    ids=[f"{f}-{r}-{'allowed' if a else 'denied'}" for f, r, a in PERMISSIONS],
)
def test_permission(reputation, writer, provider, token_a, request, function, role, allowed):
    account = request.getfixturevalue(role)

    if allowed:
        tx = _call(function, reputation, writer, provider, token_a, account)
        assert tx.status == 1
    else:
        needed = reputation.WRITER_ROLE() if function in WRITES else DEFAULT_ADMIN_ROLE
        with brownie.reverts(_denial(account, needed)):
            _call(function, reputation, writer, provider, token_a, account)


def test_revoked_writer_can_no_longer_write(reputation, governance, writer, provider):
    reputation.revokeRole(reputation.WRITER_ROLE(), writer, {"from": governance})

    with brownie.reverts(_denial(writer, reputation.WRITER_ROLE())):
        reputation.recordFailure(provider, {"from": writer})
