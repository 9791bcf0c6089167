"""Rounding of every money path with a 6-decimal stablecoin, fuzzed from 1 unit (10⁻⁶ token) to
10¹⁸ units (10¹² tokens) per GPU-hour.

One Hypothesis example posts one job (odd GPU counts and durations, so that `price × gpus ×
duration / 1 hour` rarely divides), matches it (acceptBid, closeAuction or a direct acceptJob),
and ends it through one exit: finalize after the optimistic window or after an OK verdict, a FAIL
verdict, claimTimeout, a dispute resolved either way or settled by the arbitration timeout, a
benchmark fraud (running or disputed), or a cancel before any bid. The protocol fee, the
buyer's slash share and the dispute bond (bps and minimum) are drawn too, from their whole
governance ranges, and so is the collateral per GPU-hour (in GMKT, up to what the provider's
10M GMKT stake covers). The explicit examples run a job worth exactly 1 unit and one worth exactly
10¹⁸ units through every exit, plus cases where one unit of rounding decides the outcome.

Each example asserts EXACTLY, against `Model` (the contract's arithmetic written out:
`perGpuHour` and `bpsDown` floor, `bpsUp` ceils, the treasury takes the slash remainder on
every failure, a fraud included; the job needs no benchmark, so it locks no fraud bounty and the
prover gets nothing: the bounty's rounding is the stateful test's and test_incentives.py's):
- the JobMatched / JobSettled / JobFailed amounts;
- every party's stablecoin change (wallet plus claimable) and, on a failure, the GMKT the buyer
  and the slash recipient receive and the stake the provider loses;
- nothing created, nothing stuck: the changes sum to zero, `escrowedTotal` is back to its prior
  value and the market holds exactly `escrowedTotal + claimableTotal` of the token.

The token is the blocking stablecoin (BlacklistToken, 6 decimals). Each example may block one
party (buyer, provider or treasury) just before the exit, so that the payouts of that transaction
to it are deferred: they must appear as its claimable balance to the unit, and once unblocked it
claims them and the market holds exactly its prior escrow again.

Isolation: `brownie.test.given` reverts the chain to a snapshot before every example (after the
first), so the function-scoped `isolation` fixture of tests/conftest.py, which runs once per test,
is intended, and Hypothesis's function_scoped_fixture health check is suppressed for that reason.
Every transaction carries its own gas limit (a base plus a serial number): a replayed example
would otherwise resend byte-identical transactions whose hashes Brownie has already seen in
reverted blocks.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import pytest
from brownie import chain, web3
from brownie.test import given
from hypothesis import HealthCheck, example, settings
from hypothesis import strategies as st

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, JobSpec
from gpumarket.testing.values import plain

GMKT = 10**18
USDC = 10**6
ZERO_ADDRESS = "0x" + "00" * 20
RESULT_HASH = b"\x07" * 32
RESULT_URI = "ipfs://rounding"

#: The fuzzed range of a price per GPU-hour, in stablecoin units: 1 unit to 10¹² tokens.
MIN_AMOUNT = 1
MAX_AMOUNT = 10**18
#: The provider's stake, which bounds the collateral a job may lock (GMKT units).
PROVIDER_STAKE = 10_000_000 * GMKT
#: The buyer's stablecoin: more than the largest deposit and bond a drawn job can need.
BUYER_FUNDS = 10**30
MAX_GPUS = 8
MAX_DURATION = 365 * 24 * HOUR
#: Seconds past a deadline when crossing it is the set-up, not the point.
MARGIN = 60

#: Drawn examples per run, on top of the explicit ones (about 0.35 s each on a 2-core machine:
#: 100 take about 45 s with them); `make test` runs 50, `make fuzz` 1,000
#: (GPUMARKET_ROUNDING_EXAMPLES).
MAX_EXAMPLES = int(os.environ.get("GPUMARKET_ROUNDING_EXAMPLES", "50"))
GAS = 1_500_000
_SERIAL = itertools.count()

EXITS = (
    "cancel",
    "finalize_optimistic",
    "finalize_verified",
    "verdict_fail",
    "claim_timeout",
    "dispute_provider_at_fault",
    "dispute_buyer_at_fault",
    "dispute_arbitration_timeout",
    "fraud_running",
    "fraud_disputed",
)
DISPUTED_EXITS = {
    "dispute_provider_at_fault",
    "dispute_buyer_at_fault",
    "dispute_arbitration_timeout",
    "fraud_disputed",
}
FAILING_EXITS = {
    "verdict_fail",
    "claim_timeout",
    "dispute_provider_at_fault",
    "fraud_running",
    "fraud_disputed",
}
MATCHES = ("accept_bid", "close_auction", "direct")
PARTIES = ("buyer", "provider", "treasury")


def cost(price: int, gpus: int, duration: int) -> int:
    """BasisPoints.perGpuHour: `price × gpus × duration / 1 hour`, rounded down."""
    return price * gpus * duration // HOUR


def bps_down(amount: int, bps: int) -> int:
    return amount * bps // 10_000


def bps_up(amount: int, bps: int) -> int:
    return -(-amount * bps // 10_000)


@dataclass(frozen=True)
class Case:
    exit: str
    match: str
    price: int
    max_price: int
    gpus: int
    duration: int
    fee_bps: int
    share_bps: int
    bond_bps: int
    bond_min: int
    collateral_per_gpu_hour: int
    blocked: str | None


@dataclass(frozen=True)
class Model:
    """What the contract must compute for a case, with its rounding."""

    deposit: int
    value: int
    fee: int
    bond: int
    collateral: int
    buyer_share: int
    #: What each side forfeits to the treasury when a dispute times out unruled (else 0).
    forfeit: int
    #: Stablecoin change of each party over the whole job (deposits and bonds paid in included).
    change: dict
    #: Stablecoin each party is paid by the exit transaction alone (deferred if it is blocked).
    paid_at_exit: dict

    @classmethod
    def of(cls, c: Case) -> Model:
        deposit = cost(c.max_price, c.gpus, c.duration)
        value = cost(c.price, c.gpus, c.duration)
        fee = bps_up(value, c.fee_bps)
        bond = max(c.bond_min, bps_up(value, c.bond_bps)) if c.exit in DISPUTED_EXITS else 0
        forfeit = min(bond, value) if c.exit == "dispute_arbitration_timeout" else 0
        collateral = cost(c.collateral_per_gpu_hour, c.gpus, c.duration)
        buyer_share = bps_down(collateral, c.share_bps)
        if c.exit == "cancel":
            change = {"buyer": 0, "provider": 0, "treasury": 0}
            at_exit = {"buyer": deposit}
        elif c.exit in FAILING_EXITS:
            # Refund of the value (and of the bond); the excess came back at the match.
            change = {"buyer": 0, "provider": 0, "treasury": 0}
            at_exit = {"buyer": value + bond}
        elif c.exit == "dispute_buyer_at_fault":
            change = {"buyer": -value - bond, "provider": value - fee + bond, "treasury": fee}
            at_exit = {"provider": value - fee + bond, "treasury": fee}
        elif c.exit == "dispute_arbitration_timeout":
            # Each side forfeits min(bond, value) to the treasury; the fee is on the rest.
            fee = bps_up(value - forfeit, c.fee_bps)
            paid = value - forfeit - fee
            change = {"buyer": -value - forfeit, "provider": paid, "treasury": fee + 2 * forfeit}
            at_exit = {"provider": paid, "treasury": fee + 2 * forfeit, "buyer": bond - forfeit}
        else:  # settled after the window
            change = {"buyer": -value, "provider": value - fee, "treasury": fee}
            at_exit = {"provider": value - fee, "treasury": fee}
        return cls(
            deposit=deposit,
            value=value,
            fee=fee,
            bond=bond,
            collateral=collateral,
            buyer_share=buyer_share,
            forfeit=forfeit,
            change=change,
            paid_at_exit={p: at_exit.get(p, 0) for p in PARTIES},
        )

    @property
    def slash_remainder(self) -> int:
        return self.collateral - self.buyer_share


@st.composite
def cases(draw) -> Case:
    exit_ = draw(st.sampled_from(EXITS))
    match = draw(st.sampled_from(MATCHES))
    amounts = st.integers(MIN_AMOUNT, MAX_AMOUNT)
    price = draw(st.one_of(st.integers(1, 10 * USDC), amounts))
    gpus = draw(st.integers(1, MAX_GPUS))
    duration = draw(st.one_of(st.integers(60, 4 * HOUR), st.integers(60, MAX_DURATION)))
    # The deposit must be at least one unit (postJob rejects a zero deposit).
    max_price = max(price + draw(st.integers(0, MAX_AMOUNT)), -(-HOUR // (gpus * duration)))
    if match == "direct":
        price = max_price
    per_hour = draw(st.one_of(st.integers(0, 10**4), st.integers(0, 10**24)))
    # The provider's stake must cover the collateral.
    per_hour = min(per_hour, PROVIDER_STAKE * HOUR // (gpus * duration))
    return Case(
        exit=exit_,
        match=match,
        price=price,
        max_price=max_price,
        gpus=gpus,
        duration=duration,
        fee_bps=draw(st.integers(0, 1_500)),
        share_bps=draw(st.integers(0, 10_000)),
        bond_bps=draw(st.integers(0, 5_000)),
        bond_min=draw(st.one_of(st.integers(0, 10), st.integers(0, 10**7))),
        collateral_per_gpu_hour=per_hour,
        blocked=draw(st.sampled_from((None, *PARTIES))),
    )


def _explicit(exit_, price, max_price, gpus=1, duration=HOUR, per_hour=10 * GMKT, **kw) -> Case:
    values = {
        "exit": exit_,
        "match": "accept_bid",
        "price": price,
        "max_price": max_price,
        "gpus": gpus,
        "duration": duration,
        "fee_bps": 500,
        "share_bps": 5_000,
        "bond_bps": 1_000,
        "bond_min": 10 * USDC,
        "collateral_per_gpu_hour": per_hour,
        "blocked": None,
    }
    values.update(kw)
    return Case(**values)


#: Exact extremes: a job worth 1 unit and one worth 10¹⁸ units through every exit, each with
#: odd bps so that the fee, the bond and the slash split all round.
EXPLICIT = [
    _explicit(exit_, 1, 1, per_hour=1, fee_bps=1, share_bps=5_000, bond_bps=1, bond_min=0)
    for exit_ in EXITS
] + [
    _explicit(
        exit_, MAX_AMOUNT, MAX_AMOUNT, fee_bps=1_499, share_bps=3_333, bond_bps=4_999, bond_min=0
    )
    for exit_ in EXITS
]
#: Where the rounding direction decides a unit: the fee of a 1,000,001-unit value at 5% is
#: 50,000.05 (50,001 up); a collateral of 19 per GPU-hour × 3 GPUs × 5,401 s is 85.5 (85 down),
#: split 50/50 it leaves the odd unit to the treasury; the bond of a 3-unit value at 10% is 0.3
#: (1 up); a 60-second job at 1 unit per GPU-hour is worth 0 units (its deposit, at 60, is 1).
EXPLICIT += [
    _explicit(
        "finalize_optimistic", 1_000_001, 2_000_003, match="close_auction", blocked="provider"
    ),
    _explicit("verdict_fail", 7, 9, gpus=3, duration=5_401, per_hour=19, blocked="buyer"),
    _explicit("dispute_buyer_at_fault", 3, 3, match="direct", bond_min=0, blocked="treasury"),
    _explicit("dispute_provider_at_fault", 1, 60, duration=60, per_hour=3_599, bond_min=1),
    _explicit(
        "claim_timeout",
        MAX_AMOUNT,
        MAX_AMOUNT,
        gpus=MAX_GPUS,
        duration=MAX_DURATION,
        per_hour=PROVIDER_STAKE * HOUR // (MAX_GPUS * MAX_DURATION),
        share_bps=9_999,
    ),
]


# ---------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class World:
    market: object
    registry: object
    gmkt: object
    token: object
    governance: object
    arbiter: object
    verifier: object
    buyer: object
    provider: object
    treasury: object
    #: Calls finalize and claimTimeout, and proves the frauds (a job without a benchmark pays it
    #: no bounty).
    stranger: object
    #: Stands in for the BenchmarkRegistry, the one caller of onBenchmarkFraud.
    fraud_reporter: object

    @property
    def parties(self) -> dict:
        return {"buyer": self.buyer, "provider": self.provider, "treasury": self.treasury}


@pytest.fixture(scope="module")
def rounding_world(
    market,
    registry,
    gmkt,
    blacklist_token,
    make_provider,
    governance,
    arbiter,
    verifier,
    buyer,
    provider,
    treasury,
    stranger,
    benchmark_stand_in,
):
    make_provider(provider, stake=PROVIDER_STAKE, prices={blacklist_token.address: 1})
    blacklist_token.mint(buyer, BUYER_FUNDS, {"from": buyer})
    blacklist_token.approve(market, 2**256 - 1, {"from": buyer})
    # Jobs without a benchmark never call the registry, so an account can stand in for it.
    market.setAddress(name32("benchmarkRegistry"), benchmark_stand_in, {"from": governance})
    return World(
        market=market,
        registry=registry,
        gmkt=gmkt,
        token=blacklist_token,
        governance=governance,
        arbiter=arbiter,
        verifier=verifier,
        buyer=buyer,
        provider=provider,
        treasury=treasury,
        stranger=stranger,
        fraud_reporter=benchmark_stand_in,
    )


# ---------------------------------------------------------------- plumbing


def send(method, *args, sender):
    return method(*args, {"from": sender, "gas": GAS + next(_SERIAL)})


def market_event(tx, name: str, market) -> dict:
    (only,) = [plain(dict(e)) for e in tx.events[name] if e.address == market.address]
    return only


def read_all(calls: dict) -> dict:
    """Many eth_calls in one JSON-RPC batch: {key: (contract method, args)} -> {key: value}."""
    keys = list(calls)
    requests = [
        ("eth_call", [{"to": method._address, "data": method.encode_input(*args)}, "latest"])
        for method, args in calls.values()
    ]
    responses = web3.provider.make_batch_request(requests)
    assert isinstance(responses, list), responses
    return {
        key: calls[key][0].decode_output(response["result"])
        for key, response in zip(keys, responses, strict=True)
    }


def ledger(w: World) -> dict:
    """Every balance the money paths move: stablecoin wallets and claimables, slashed GMKT,
    the provider's stake, and the market's and the registry's holdings."""
    token, market, gmkt = w.token, w.market, w.gmkt
    calls = {
        "market": (token.balanceOf, (market,)),
        "escrowed": (market.escrowedTotal, (token,)),
        "claimable_total": (market.claimableTotal, (token,)),
        "registry_gmkt": (gmkt.balanceOf, (w.registry,)),
        "total_staked": (w.registry.totalStaked, ()),
        "provider_info": (w.registry.providerInfo, (w.provider,)),
    }
    for name, account in w.parties.items():
        calls[f"{name}_wallet"] = (token.balanceOf, (account,))
        calls[f"{name}_claimable"] = (market.claimable, (token, account))
    for name, account in (("buyer", w.buyer), ("treasury", w.treasury), ("prover", w.stranger)):
        calls[f"{name}_gmkt"] = (gmkt.balanceOf, (account,))
    out = read_all(calls)
    info = out.pop("provider_info")
    out["stake"], out["locked"] = info[0], info[1]
    return out


def set_parameters(w: World, c: Case) -> None:
    """The drawn fee, slash share, bond and collateral rates (skipping those already set)."""
    market, sender = w.market, w.governance
    drawn = {
        "protocolFeeBps": c.fee_bps,
        "slashBuyerShareBps": c.share_bps,
        "disputeBondBps": c.bond_bps,
        "collateralPerGpuHour": c.collateral_per_gpu_hour,
    }
    current = read_all(
        {
            **{name: (getattr(market, name), ()) for name in drawn},
            "bond": (market.tokenConfig, (w.token,)),
        }
    )
    for name, value in drawn.items():
        if current[name] != value:
            send(market.setParameter, name32(name), value, sender=sender)
    if current["bond"][1] != c.bond_min:
        send(market.configureToken, w.token, True, c.bond_min, sender=sender)


def play(w: World, c: Case, m: Model):
    """Posts, matches and brings the job to its exit; returns (the exit's method, args, sender)
    and checks the amounts of the steps before it."""
    market = w.market
    spec = JobSpec(gpu_count=c.gpus, duration=c.duration).as_tuple()
    direct = w.provider if c.match == "direct" else ZERO_ADDRESS
    bidding = market.minBiddingPeriod() if c.match == "close_auction" else HOUR
    posted = send(market.postJob, spec, w.token, c.max_price, bidding, direct, sender=w.buyer)
    job = posted.events["JobPosted"]["jobId"]
    assert posted.events["JobPosted"]["deposit"] == m.deposit
    if c.exit == "cancel":
        return market.cancel, (job,), w.buyer

    if c.match == "direct":
        matched = send(market.acceptJob, job, sender=w.provider)
    else:
        send(market.bid, job, c.price, sender=w.provider)
        if c.match == "accept_bid":
            matched = send(market.acceptBid, job, w.provider, sender=w.buyer)
        else:
            chain.sleep(bidding + MARGIN)
            matched = send(market.closeAuction, job, sender=w.stranger)
    assert market_event(matched, "JobMatched", market) == {
        "jobId": job,
        "provider": w.provider.address,
        "price": c.price,
        "value": m.value,
        "collateral": m.collateral,
    }

    if c.exit == "claim_timeout":
        chain.sleep(c.duration + market.resultGrace() + MARGIN)
        return market.claimTimeout, (job,), w.stranger
    if c.exit == "fraud_running":
        return market.onBenchmarkFraud, (job, w.stranger), w.fraud_reporter
    send(market.submitResult, job, RESULT_HASH, RESULT_URI, sender=w.provider)
    if c.exit == "verdict_fail":
        return market.recordVerdict, (job, False), w.verifier
    if c.exit == "finalize_verified":
        send(market.recordVerdict, job, True, sender=w.verifier)
    if c.exit in ("finalize_optimistic", "finalize_verified"):
        chain.sleep(market.disputeWindow() + MARGIN)
        return market.finalize, (job,), w.stranger

    disputed = send(market.dispute, job, sender=w.buyer)
    assert market_event(disputed, "DisputeOpened", market)["bond"] == m.bond
    if c.exit == "fraud_disputed":
        return market.onBenchmarkFraud, (job, w.stranger), w.fraud_reporter
    if c.exit == "dispute_arbitration_timeout":
        chain.sleep(market.arbitrationTimeout() + MARGIN)
        return market.finalize, (job,), w.stranger
    at_fault = c.exit == "dispute_provider_at_fault"
    return market.resolveDispute, (job, at_fault), w.arbiter


def check_exit(w: World, c: Case, m: Model, job: int, tx, before: dict, after: dict) -> None:
    market, provider = w.market, w.provider.address
    if c.exit == "cancel":
        assert market_event(tx, "JobCancelled", market) == {"jobId": job}
    elif c.exit in FAILING_EXITS:
        assert market_event(tx, "JobFailed", market) == {
            "jobId": job,
            "provider": provider,
            "refund": m.value,
            "slashed": m.collateral,
        }
    else:
        assert market_event(tx, "JobSettled", market) == {
            "jobId": job,
            "provider": provider,
            "payout": m.value - m.forfeit - m.fee,
            "fee": m.fee,
        }
        if c.exit == "dispute_arbitration_timeout":
            timed_out = market_event(tx, "ArbitrationTimedOut", market)
            assert timed_out == {"jobId": job, "forfeit": m.forfeit}

    delta = {key: after[key] - before[key] for key in after}
    for name in PARTIES:
        deferred = m.paid_at_exit[name] if c.blocked == name else 0
        assert delta[f"{name}_claimable"] == deferred, name
        assert delta[f"{name}_wallet"] + delta[f"{name}_claimable"] == m.change[name], name
    # Nothing created and nothing stuck: what the parties gained the market lost, its escrow is
    # back to its prior value, and it holds exactly the escrow plus the deferred payouts.
    wallets = sum(delta[f"{name}_wallet"] for name in PARTIES)
    assert wallets + delta["market"] == 0
    assert after["escrowed"] == before["escrowed"]
    assert delta["claimable_total"] == sum(delta[f"{name}_claimable"] for name in PARTIES)
    assert after["market"] == after["escrowed"] + after["claimable_total"]

    # Collateral: locked and released, or slashed to the buyer and the treasury, whatever failed
    # the job (a fraud too: without a benchmark the job locked no bounty for the prover).
    slashed = m.collateral if c.exit in FAILING_EXITS else 0
    assert delta["locked"] == 0
    assert (delta["stake"], delta["total_staked"], delta["registry_gmkt"]) == (-slashed,) * 3
    assert delta["buyer_gmkt"] == (m.buyer_share if slashed else 0)
    assert delta["treasury_gmkt"] == (m.slash_remainder if slashed else 0)
    assert delta["prover_gmkt"] == 0


def claim_deferred(w: World, c: Case, m: Model, before: dict) -> None:
    """The blocked party, unblocked, claims its deferred payouts: the market is back to holding
    exactly its prior escrow."""
    if c.blocked is None:
        return
    account = w.parties[c.blocked]
    send(w.token.setBlocked, account, False, sender=account)
    amount = m.paid_at_exit[c.blocked]
    if amount:
        wallet = w.token.balanceOf(account)
        tx = send(w.market.claim, w.token, account, sender=account)
        assert tx.return_value == amount
        assert w.token.balanceOf(account) == wallet + amount
    assert w.market.claimable(w.token, account) == 0
    assert w.market.claimableTotal(w.token) == before["claimable_total"]
    assert w.token.balanceOf(w.market) == before["market"]
    assert w.market.escrowedTotal(w.token) == before["escrowed"]


def _with_explicit_examples(test):
    for case in reversed(EXPLICIT):
        test = example(case=case)(test)
    return test


# ---------------------------------------------------------------- the test


@_with_explicit_examples
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_every_escrowed_unit_is_paid_out_exactly(rounding_world, case):
    world = rounding_world
    model = Model.of(case)
    set_parameters(world, case)
    before = ledger(world)

    method, args, sender = play(world, case, model)
    if case.blocked is not None:
        account = world.parties[case.blocked]
        send(world.token.setBlocked, account, True, sender=account)
    tx = send(method, *args, sender=sender)

    check_exit(world, case, model, args[0], tx, before, ledger(world))
    claim_deferred(world, case, model, before)
