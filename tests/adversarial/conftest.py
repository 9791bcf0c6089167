"""Fixtures of the role matrix: one account per role column, and the protocol brought once per
module to the state every row needs (jobs in each state, challenges, a claimable payout, a permit),
so that each case is a single call on a reverted chain."""

from __future__ import annotations

import pytest
from brownie import accounts, chain
from eth_account import Account

from gpumarket.chain.permit import sign_permit
from gpumarket.chain.types import JobSpec, Offer
from gpumarket.pogemm import spec
from gpumarket.pogemm.prover import Proof
from gpumarket.testing.seeds import challenge_params

from .matrix import (
    BENCH_INTERVAL,
    BENCH_N,
    BENCH_STEPS,
    COLLATERAL,
    COLUMNS,
    FORGED_ROW,
    FRESH_COLUMNS,
    FUNDS,
    GMKT,
    HELD_LOCK_ID,
    MAX_PRICE,
    MAX_UINT,
    MIN_STAKE,
    PRICE,
    PROVIDER_STAKE,
    RESULT_HASH,
    RESULT_URI,
    ROLE_HOLDERS,
    SPENDER_ALLOWANCE,
    UNBONDED,
    ZERO_ADDRESS,
    World,
    role_constants,
    role_id,
)

#: A fixed key for the permit's owner, so that its signature needs no unlocked node account.
PERMIT_OWNER_KEY = "0x" + "42" * 32
HOUR = 3600


@pytest.fixture(scope="module")
def role_accounts(governance, arbiter, verifier, provider, buyer, stranger):
    """Every column's account: the conftest ones, and accounts[10..17] for the fresh roles."""
    fresh = dict(zip(FRESH_COLUMNS, accounts[10:18], strict=True))
    named = {
        "admin": governance,
        "arbiter": arbiter,
        "verifier": verifier,
        "provider": provider,
        "buyer": buyer,
        "stranger": stranger,
    }
    return {column: fresh.get(column) or named[column] for column in COLUMNS}


@pytest.fixture(scope="module")
def council_seats():
    """The council's two other members, which hold nothing else."""
    return list(accounts[18:20])


@pytest.fixture(scope="module")
def world(protocol, role_accounts, council_seats, governance, treasury, blacklist_token):
    w = World(
        contracts={
            "MarketToken": protocol.token,
            "Reputation": protocol.reputation,
            "ProviderRegistry": protocol.registry,
            "JobMarket": protocol.market,
            "BenchmarkRegistry": protocol.benchmark,
            "OracleCouncil": protocol.council,
        },
        accounts=role_accounts,
        treasury=treasury,
        blacklist_token=blacklist_token,
        council_seats=council_seats,
    )
    _grant_roles(w, governance)
    w.council.setConfig([w.oracle, *council_seats], 2, {"from": governance})
    _fund_every_column(w, governance)
    _list_provider(w)
    _post_jobs_whose_deadlines_pass(w)
    # Past the unbonding period: the provider's unbonded stake and the jobs above are due.
    chain.sleep(w.registry.unbondingPeriod() + HOUR)
    _post_jobs_in_every_state(w)
    _leave_a_claimable_refund(w)
    w.registry.lockCollateral(w.provider, HELD_LOCK_ID, COLLATERAL, 1, {"from": w.market_role})
    w.active_locks += 1
    _open_challenges(w)
    _sign_permit(w)
    # Past the auction's bidding period; two more blocks make the sampling seed readable.
    chain.sleep(2 * w.market.minBiddingPeriod())
    chain.mine(2)
    return w


def _grant_roles(w: World, governance) -> None:
    """Each named role to its column's account, in every contract that defines it."""
    for contract in w.contracts.values():
        for name in role_constants(contract):
            holder = ROLE_HOLDERS.get(name)
            if name == "DEFAULT_ADMIN_ROLE" or holder is None:
                continue
            if not contract.hasRole(role_id(name), w.accounts[holder]):
                contract.grantRole(role_id(name), w.accounts[holder], {"from": governance})


def _fund_every_column(w: World, governance) -> None:
    """GMKT, stake and allowances, so that no column fails an open function for want of money."""
    for column, account in w.accounts.items():
        if account != governance:
            funds = PROVIDER_STAKE + FUNDS if column == "provider" else FUNDS
            w.token.transfer(account, funds, {"from": governance})
        sender = {"from": account}
        w.token.approve(w.registry, MAX_UINT, sender)
        w.token.approve(w.market, MAX_UINT, sender)
        w.registry.stake(PROVIDER_STAKE if column == "provider" else MIN_STAKE, sender)
        if column != "stranger":
            w.token.approve(account, SPENDER_ALLOWANCE, {"from": w.buyer})


def _list_provider(w: World) -> None:
    provider = {"from": w.provider}
    w.registry.register(Offer().as_tuple(), [w.token, w.blacklist_token], [GMKT, 10**6], provider)
    w.registry.requestUnstake(UNBONDED, provider)


def _post(w: World, token=None, max_price=MAX_PRICE, bidding=HOUR, direct=ZERO_ADDRESS) -> int:
    tx = w.market.postJob(
        JobSpec().as_tuple(), token or w.token, max_price, bidding, direct, {"from": w.buyer}
    )
    return tx.return_value


def _running(w: World) -> int:
    job = _post(w)
    w.market.bid(job, PRICE, {"from": w.provider})
    w.market.acceptBid(job, w.provider, {"from": w.buyer})
    w.active_locks += 1
    return job


def _submitted(w: World) -> int:
    job = _running(w)
    w.market.submitResult(job, RESULT_HASH, RESULT_URI, {"from": w.provider})
    return job


def _post_jobs_whose_deadlines_pass(w: World) -> None:
    w.jobs["settleable"] = _submitted(w)
    w.jobs["overdue"] = _running(w)


def _post_jobs_in_every_state(w: World) -> None:
    w.jobs["open"] = _post(w)
    w.jobs["bid_on"] = _post(w)
    w.market.bid(w.jobs["bid_on"], PRICE, {"from": w.provider})
    w.jobs["direct"] = _post(w, direct=w.provider)
    w.jobs["running"] = _running(w)
    w.jobs["submitted"] = _submitted(w)
    w.jobs["disputed"] = _submitted(w)
    w.market.dispute(w.jobs["disputed"], {"from": w.buyer})
    w.jobs["auction"] = _post(w, bidding=w.market.minBiddingPeriod())
    w.market.bid(w.jobs["auction"], PRICE, {"from": w.provider})


def _leave_a_claimable_refund(w: World) -> None:
    """A refund the blacklisting token refused: the buyer's claimable balance."""
    token = w.blacklist_token
    price = 10 ** token.decimals()
    token.mint(w.buyer, price, {"from": w.buyer})
    token.approve(w.market, price, {"from": w.buyer})
    job = _post(w, token=token, max_price=price)
    token.setBlocked(w.buyer, True, {"from": w.buyer})
    w.market.cancel(job, {"from": w.buyer})
    token.setBlocked(w.buyer, False, {"from": w.buyer})
    assert w.market.claimable(token, w.buyer) == price


def _open_challenges(w: World) -> None:
    """An open attestation of the provider, and a committed one whose checkpoint 0 is forged."""
    provider = {"from": w.provider}
    sizes = (BENCH_N, BENCH_STEPS, BENCH_INTERVAL)
    w.challenges["open"] = w.benchmark.open(0, w.provider, *sizes, provider).return_value
    opened = w.benchmark.open(0, w.provider, *sizes, provider)
    w.challenges["committed"] = opened.return_value
    w.active_locks += 2  # each attestation's bond is a lock of the benchmark registry
    params = challenge_params(w.benchmark, opened.return_value)
    forged = spec.x0(params.seed, params.n).copy()
    forged[FORGED_ROW] = ~forged[FORGED_ROW]
    proof = Proof.from_checkpoints(
        params, [forged] * params.checkpoints, spec.b_matrix(params.seed, params.n)
    )
    w.benchmark.commit(w.challenges["committed"], proof.root, provider)
    reveal = proof.reveal(0, FORGED_ROW)
    w.fraud = (FORGED_ROW, reveal.row, list(reveal.proof))


def _sign_permit(w: World) -> None:
    owner = Account.from_key(PERMIT_OWNER_KEY).address
    v, r, s = sign_permit(w.token, PERMIT_OWNER_KEY, owner, w.stranger.address, GMKT, MAX_UINT)
    w.permit = (owner, v, r, s)
