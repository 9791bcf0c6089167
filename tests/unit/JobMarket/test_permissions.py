"""Who may call each restricted JobMarket function: a table of (function, caller, allowed)."""

import brownie
import pytest
from jobmarket_helpers import GMKT_BOND_MIN, PRICE, RESULT_HASH, RESULT_URI, err

from gpumarket.chain.deploy import name32

DEFAULT_ADMIN_ROLE = b"\0" * 32

PERMISSIONS = [
    ("resolveDispute", "arbiter", True),
    ("resolveDispute", "governance", False),
    ("resolveDispute", "buyer", False),
    ("resolveDispute", "stranger", False),
    ("setParameter", "governance", True),
    ("setParameter", "arbiter", False),
    ("setParameter", "stranger", False),
    ("configureToken", "governance", True),
    ("configureToken", "arbiter", False),
    ("configureToken", "stranger", False),
    ("setAddress", "governance", True),
    ("setAddress", "arbiter", False),
    ("setAddress", "stranger", False),
    ("pause", "governance", True),
    ("pause", "arbiter", False),
    ("pause", "stranger", False),
    ("unpause", "governance", True),
    ("unpause", "arbiter", False),
    ("unpause", "stranger", False),
    ("recordVerdict", "verifier", True),
    ("recordVerdict", "governance", False),
    ("recordVerdict", "arbiter", False),
    ("recordVerdict", "provider", False),
    ("acceptBid", "buyer", True),
    ("acceptBid", "provider", False),
    ("acceptBid", "stranger", False),
    ("cancel", "buyer", True),
    ("cancel", "governance", False),
    ("cancel", "stranger", False),
    ("dispute", "buyer", True),
    ("dispute", "provider", False),
    ("dispute", "stranger", False),
    ("acceptJob", "provider", True),
    ("acceptJob", "buyer", False),
    ("acceptJob", "stranger", False),
    ("submitResult", "provider", True),
    ("submitResult", "buyer", False),
    ("submitResult", "stranger", False),
]

#: The role each access-controlled function needs (by its getter on the market).
ROLES = {
    "resolveDispute": "ARBITER_ROLE",
    "setParameter": "GOVERNOR_ROLE",
    "configureToken": "GOVERNOR_ROLE",
    "pause": "PAUSER_ROLE",
    "unpause": "PAUSER_ROLE",
}
BUYER_ONLY = {"acceptBid": "bid_on", "cancel": "open", "dispute": "submitted"}
PROVIDER_ONLY = {"acceptJob": "direct", "submitResult": "running"}


@pytest.fixture(scope="module")
def jobs(
    market,
    gmkt,
    fund,
    make_provider,
    provider,
    buyer,
    open_job,
    running_job,
    submitted_job,
    disputed_job,
):
    """One job in each state a restricted function needs; the buyer has approved a second bond."""
    make_provider(provider)
    bid_on = open_job()
    market.bid(bid_on, PRICE, {"from": provider})
    jobs = {
        "open": open_job(),
        "bid_on": bid_on,
        "direct": open_job(direct=provider),
        "running": running_job(provider),
        "submitted": submitted_job(provider),
        "disputed": disputed_job(provider),
    }
    fund(buyer, gmkt, GMKT_BOND_MIN)
    gmkt.approve(market, GMKT_BOND_MIN, {"from": buyer})
    return jobs


def _call(function, market, jobs, usdc, provider, account):
    tx = {"from": account}
    calls = {
        "resolveDispute": lambda: market.resolveDispute(jobs["disputed"], False, tx),
        "setParameter": lambda: market.setParameter(name32("protocolFeeBps"), 100, tx),
        "configureToken": lambda: market.configureToken(usdc, False, 0, tx),
        "setAddress": lambda: market.setAddress(name32("treasury"), account, tx),
        "pause": lambda: market.pause(tx),
        "unpause": lambda: market.unpause(tx),
        "recordVerdict": lambda: market.recordVerdict(jobs["submitted"], True, tx),
        "acceptBid": lambda: market.acceptBid(jobs["bid_on"], provider, tx),
        "cancel": lambda: market.cancel(jobs["open"], tx),
        "dispute": lambda: market.dispute(jobs["submitted"], tx),
        "acceptJob": lambda: market.acceptJob(jobs["direct"], tx),
        "submitResult": lambda: market.submitResult(jobs["running"], RESULT_HASH, RESULT_URI, tx),
    }
    return calls[function]()


def _denial(function, market, jobs, account):
    if function in ROLES:
        return err("AccessControlUnauthorizedAccount", account, getattr(market, ROLES[function])())
    if function == "setAddress":
        return err("AccessControlUnauthorizedAccount", account, DEFAULT_ADMIN_ROLE)
    if function == "recordVerdict":
        return err("JobMarketNotVerifier", account)
    if function in BUYER_ONLY:
        return err("JobMarketNotBuyer", jobs[BUYER_ONLY[function]], account)
    return err("JobMarketNotProvider", jobs[PROVIDER_ONLY[function]], account)


@pytest.mark.parametrize(
    "function, role, allowed",
    PERMISSIONS,
    ids=[
        f"{function}-{role}-{'allowed' if allowed else 'denied'}"
        for function, role, allowed in PERMISSIONS
    ],
)
def test_permission(market, governance, usdc, provider, jobs, request, function, role, allowed):
    account = request.getfixturevalue(role)
    if function == "unpause":
        market.pause({"from": governance})

    if allowed:
        tx = _call(function, market, jobs, usdc, provider, account)
        assert tx.status == 1
    else:
        with brownie.reverts(_denial(function, market, jobs, account)):
            _call(function, market, jobs, usdc, provider, account)
