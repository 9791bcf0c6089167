"""Who may call each restricted ProviderRegistry function: (function, caller, allowed)."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import DEFAULT_ADMIN_ROLE, GMKT, LOCK_ID, err

PERMISSIONS = [
    ("lockCollateral", "market_role", True),
    ("lockCollateral", "slasher", False),
    ("lockCollateral", "governance", False),
    ("lockCollateral", "provider", False),
    ("releaseCollateral", "market_role", True),
    ("releaseCollateral", "slasher", False),
    ("releaseCollateral", "governance", False),
    ("releaseCollateral", "stranger", False),
    ("slash", "slasher", True),
    ("slash", "market_role", False),
    ("slash", "governance", False),
    ("slash", "stranger", False),
    ("setParameter", "governance", True),
    ("setParameter", "market_role", False),
    ("setParameter", "provider", False),
    ("setMarketWindows", "governance", True),
    ("setMarketWindows", "market_role", False),
    ("setMarketWindows", "stranger", False),
    ("pause", "governance", True),
    ("pause", "slasher", False),
    ("pause", "stranger", False),
    ("unpause", "governance", True),
    ("unpause", "market_role", False),
    ("unpause", "stranger", False),
    ("grantRole", "governance", True),
    ("grantRole", "market_role", False),
    ("grantRole", "stranger", False),
    ("revokeRole", "governance", True),
    ("revokeRole", "slasher", False),
    ("revokeRole", "stranger", False),
]

#: The role each function needs, by its getter on the registry (None: DEFAULT_ADMIN_ROLE).
ROLES = {
    "lockCollateral": "MARKET_ROLE",
    "releaseCollateral": "MARKET_ROLE",
    "slash": "SLASHER_ROLE",
    "setParameter": "GOVERNOR_ROLE",
    "setMarketWindows": None,
    "pause": "PAUSER_ROLE",
    "unpause": "PAUSER_ROLE",
    "grantRole": None,
    "revokeRole": None,
}


@pytest.fixture(scope="module")
def setup(registry, register_provider, lock, slasher, market, provider, provider2):
    """`provider` listed with lock LOCK_ID taken; `provider2` listed with nothing locked."""
    register_provider(provider)
    register_provider(provider2)
    lock(provider)


def _call(function, registry, market, provider, provider2, slasher, account):
    tx = {"from": account}
    calls = {
        "lockCollateral": lambda: registry.lockCollateral(provider2, 2, GMKT, 1, tx),
        "releaseCollateral": lambda: registry.releaseCollateral(LOCK_ID, tx),
        "slash": lambda: registry.slash(provider, GMKT, account, 0, tx),
        "setParameter": lambda: registry.setParameter(name32("jailPeriod"), 3600, tx),
        "setMarketWindows": lambda: registry.setMarketWindows(market, tx),
        "pause": lambda: registry.pause(tx),
        "unpause": lambda: registry.unpause(tx),
        "grantRole": lambda: registry.grantRole(registry.SLASHER_ROLE(), provider2, tx),
        "revokeRole": lambda: registry.revokeRole(registry.SLASHER_ROLE(), slasher, tx),
    }
    return calls[function]()


@pytest.mark.parametrize(
    "function, role, allowed",
    PERMISSIONS,
    ids=[f"{f}-{r}-{'allowed' if a else 'denied'}" for f, r, a in PERMISSIONS],
)
def test_permission(
    registry,
    market,
    governance,
    provider,
    provider2,
    slasher,
    setup,
    request,
    function,
    role,
    allowed,
):
    account = request.getfixturevalue(role)
    if function == "unpause":
        registry.pause({"from": governance})

    if allowed:
        tx = _call(function, registry, market, provider, provider2, slasher, account)
        assert tx.status == 1
    else:
        needed = getattr(registry, ROLES[function])() if ROLES[function] else DEFAULT_ADMIN_ROLE
        with brownie.reverts(err("AccessControlUnauthorizedAccount", account, needed)):
            _call(function, registry, market, provider, provider2, slasher, account)


def test_deployed_market_holds_the_market_and_slasher_roles(registry, market):
    assert registry.hasRole(registry.MARKET_ROLE(), market) is True
    assert registry.hasRole(registry.SLASHER_ROLE(), market) is True
