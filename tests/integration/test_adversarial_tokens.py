"""The market against hostile or quirky payment tokens: fee-on-transfer tokens are rejected,
USDT-style tokens without return values work end to end, a token whose transfer hook re-enters
the market meets the reentrancy guard at every entry point, and a token issuer that blocks an
account only defers that account's payout: everyone else is paid, and it can claim later."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout

from .helpers import (
    DISPUTE_WINDOW,
    GMKT,
    GMKT_BOND_MIN,
    MARGIN,
    RESULT_HASH,
    RESULT_URI,
    USDC,
    ZERO_ADDRESS,
    bond_of,
    cost,
    err,
    fee_of,
    job_id_of,
    selector,
)

SPEC = JobSpec()


@pytest.fixture(scope="module")
def providers(make_provider, payment_tokens, fee_token, provider, provider2, provider3):
    """Three providers that accept every test token, the fee-on-transfer one included."""
    prices = {t.address: 10 ** t.decimals() for t in [*payment_tokens.values(), fee_token]}
    for account in (provider, provider2, provider3):
        make_provider(account, prices=prices)
    return provider, provider2, provider3


# ---------------------------------------------------------------- fee-on-transfer


def test_fee_on_transfer_token_is_rejected_at_post(market, fee_token, buyer, fund):
    fund(buyer, fee_token, GMKT)
    fee_token.approve(market, GMKT, {"from": buyer})

    with brownie.reverts(err("JobMarketFeeOnTransfer", fee_token, GMKT, GMKT - GMKT // 100)):
        market.postJob(SPEC.as_tuple(), fee_token, GMKT, HOUR, ZERO_ADDRESS, {"from": buyer})


@pytest.fixture
def tiny_fee_token_job(fee_token, buyer, provider, providers, submitted_direct):
    """A submitted fee-token job of 99 units: the token's 1% fee on it rounds to zero, so its
    deposit gets in, but the 10-token dispute bond pays the fee."""
    return submitted_direct(buyer, provider, fee_token, 99)


def test_fee_on_transfer_token_is_rejected_for_a_dispute_bond(
    market, fee_token, buyer, fund, tiny_fee_token_job
):
    fund(buyer, fee_token, GMKT_BOND_MIN)
    fee_token.approve(market, GMKT_BOND_MIN, {"from": buyer})

    with brownie.reverts(
        err(
            "JobMarketFeeOnTransfer", fee_token, GMKT_BOND_MIN, GMKT_BOND_MIN - GMKT_BOND_MIN // 100
        )
    ):
        market.dispute(tiny_fee_token_job, {"from": buyer})


# ---------------------------------------------------------------- USDT-style, no return values

NR_SPEC = JobSpec(gpu_count=2, duration=2 * HOUR)
NR_MAX_PRICE = 3 * USDC
NR_PRICE = 2_345_678
NR_DEPOSIT = cost(NR_MAX_PRICE, 2, 2 * HOUR)
NR_VALUE = cost(NR_PRICE, 2, 2 * HOUR)
NR_BOND = bond_of(NR_DEPOSIT, 10 * USDC)


@pytest.fixture(scope="module")
def no_return_flows(
    market,
    no_return_token,
    buyer,
    buyer2,
    buyer3,
    provider,
    provider3,
    arbiter,
    stranger,
    providers,
    post,
    submitted_direct,
    open_dispute,
):
    """In the no-return token: an auction that settles, a dispute the provider loses and a
    cancelled job, each with its own buyer."""
    token = no_return_token
    disputed_job = submitted_direct(buyer2, provider3, token, NR_MAX_PRICE, NR_SPEC)
    disputed = open_dispute(disputed_job)
    resolved = market.resolveDispute(disputed_job, True, {"from": arbiter})

    cancelled_job = job_id_of(post(buyer3, token, NR_MAX_PRICE, NR_SPEC))
    cancelled = market.cancel(cancelled_job, {"from": buyer3})

    posted = post(buyer, token, NR_MAX_PRICE, NR_SPEC)
    job_id = job_id_of(posted)
    market.bid(job_id, NR_PRICE, {"from": provider})
    chain.sleep(HOUR + MARGIN)
    closed = market.closeAuction(job_id, {"from": stranger})
    market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider})
    chain.sleep(DISPUTE_WINDOW + MARGIN)
    finalized = market.finalize(job_id, {"from": stranger})
    return SimpleNamespace(
        txs=[disputed, resolved, cancelled, posted, closed, finalized],
        disputed=disputed,
        resolved=resolved,
        posted=posted,
        closed=closed,
        finalized=finalized,
    )


def test_no_return_token_deposit_is_escrowed(no_return_flows):
    assert no_return_flows.posted.events["EscrowDeposited"]["amount"] == NR_DEPOSIT


def test_no_return_token_auction_refunds_the_excess_at_the_match(
    no_return_token, buyer, no_return_flows
):
    assert no_return_flows.closed.events["EscrowReleased"]["amount"] == NR_DEPOSIT - NR_VALUE
    assert no_return_token.balanceOf(buyer) == NR_DEPOSIT - NR_VALUE


def test_no_return_token_job_pays_the_provider_and_the_treasury(
    no_return_token, provider, treasury, no_return_flows
):
    assert no_return_flows.finalized.events["JobSettled"]["payout"] == NR_VALUE - fee_of(NR_VALUE)
    assert no_return_token.balanceOf(provider) == NR_VALUE - fee_of(NR_VALUE)
    assert no_return_token.balanceOf(treasury) == fee_of(NR_VALUE)


def test_no_return_token_dispute_bond_is_escrowed_and_returned(
    no_return_token, buyer2, no_return_flows
):
    assert no_return_flows.disputed.events["EscrowDeposited"]["amount"] == NR_BOND
    assert no_return_flows.resolved.events["EscrowReleased"][-1]["amount"] == NR_BOND
    assert no_return_token.balanceOf(buyer2) == NR_DEPOSIT + NR_BOND


def test_no_return_token_cancel_refunds_the_deposit(no_return_token, buyer3, no_return_flows):
    assert no_return_token.balanceOf(buyer3) == NR_DEPOSIT


def test_no_return_token_payouts_are_never_deferred(market, no_return_token, no_return_flows):
    assert not any("PayoutDeferred" in tx.events for tx in no_return_flows.txs)
    assert market.claimableTotal(no_return_token) == 0
    assert market.escrowedTotal(no_return_token) == 0
    assert no_return_token.balanceOf(market) == 0


# ---------------------------------------------------------------- reentrancy

REENTRANCY_GUARD_ERROR = selector("ReentrancyGuardReentrantCall()")
HOOK_PRICE = GMKT
HOOK_BOND = bond_of(HOOK_PRICE, GMKT_BOND_MIN)


@pytest.fixture(scope="module")
def hook(
    market,
    reentrant_token,
    governance,
    buyer,
    provider,
    treasury,
    stranger,
    providers,
    post,
    submitted_direct,
    fund,
):
    """Hook-token jobs for each transfer the market makes: an open job (cancel refunds it), a job
    past its dispute window (finalize pays it out) and one inside it (dispute pulls a bond); the
    buyer holds and has approved one more deposit and the bond.

    The token also holds ARBITER_ROLE: `resolveDispute` checks the role before the guard, and the
    test is that the guard alone stops a re-entry, even one from a privileged caller."""
    token = reentrant_token
    market.grantRole(market.ARBITER_ROLE(), token, {"from": governance})
    open_job = job_id_of(post(buyer, token, HOOK_PRICE))
    due_job = submitted_direct(buyer, provider, token, HOOK_PRICE)
    chain.sleep(DISPUTE_WINDOW + MARGIN)
    disputable_job = submitted_direct(buyer, provider, token, HOOK_PRICE)
    fund(buyer, token, HOOK_PRICE + HOOK_BOND)
    token.approve(market, HOOK_PRICE + HOOK_BOND, {"from": buyer})
    return SimpleNamespace(
        market=market,
        token=token,
        open_job=open_job,
        due_job=due_job,
        disputable_job=disputable_job,
        buyer=buyer,
        provider=provider,
        treasury=treasury,
        stranger=stranger,
    )


#: Calldata of a real call to every state-changing JobMarket entry point, on the jobs of `hook`.
ENTRY_POINTS = {
    "postJob": lambda h: h.market.postJob.encode_input(
        SPEC.as_tuple(), h.token, HOOK_PRICE, HOUR, ZERO_ADDRESS
    ),
    "postJobWithPermit": lambda h: h.market.postJobWithPermit.encode_input(
        SPEC.as_tuple(),
        h.token,
        HOOK_PRICE,
        HOUR,
        ZERO_ADDRESS,
        2**64,
        27,
        b"\x01" * 32,
        b"\x02" * 32,
    ),
    "bid": lambda h: h.market.bid.encode_input(h.open_job, HOOK_PRICE),
    "acceptBid": lambda h: h.market.acceptBid.encode_input(h.open_job, h.provider),
    "closeAuction": lambda h: h.market.closeAuction.encode_input(h.open_job),
    "acceptJob": lambda h: h.market.acceptJob.encode_input(h.open_job),
    "cancel": lambda h: h.market.cancel.encode_input(h.open_job),
    "submitResult": lambda h: h.market.submitResult.encode_input(
        h.due_job, RESULT_HASH, RESULT_URI
    ),
    "recordVerdict": lambda h: h.market.recordVerdict.encode_input(h.due_job, True),
    "finalize": lambda h: h.market.finalize.encode_input(h.due_job),
    "claimTimeout": lambda h: h.market.claimTimeout.encode_input(h.due_job),
    "dispute": lambda h: h.market.dispute.encode_input(h.disputable_job),
    "resolveDispute": lambda h: h.market.resolveDispute.encode_input(h.disputable_job, True),
    "claim": lambda h: h.market.claim.encode_input(h.token, h.stranger),
}

#: The market calls that move hook tokens, each on its own job: the call, the number of transfers
#: it makes, and the balance change it must still cause, per account.
TRIGGERS = {
    "postJob-deposit-pull": (
        lambda h: h.market.postJob(
            SPEC.as_tuple(), h.token, HOOK_PRICE, HOUR, ZERO_ADDRESS, {"from": h.buyer}
        ),
        1,
        {"buyer": -HOOK_PRICE, "market": HOOK_PRICE},
    ),
    "cancel-refund": (
        lambda h: h.market.cancel(h.open_job, {"from": h.buyer}),
        1,
        {"buyer": HOOK_PRICE, "market": -HOOK_PRICE},
    ),
    "dispute-bond-pull": (
        lambda h: h.market.dispute(h.disputable_job, {"from": h.buyer}),
        1,
        {"buyer": -HOOK_BOND, "market": HOOK_BOND},
    ),
    "finalize-payout": (
        lambda h: h.market.finalize(h.due_job, {"from": h.stranger}),
        2,
        {
            "provider": HOOK_PRICE - fee_of(HOOK_PRICE),
            "treasury": fee_of(HOOK_PRICE),
            "market": -HOOK_PRICE,
        },
    ),
}
HOLDERS = ("buyer", "provider", "treasury", "market")


def hook_balances(h):
    return {name: h.token.balanceOf(getattr(h, name)) for name in HOLDERS}


def run_trigger(h, act):
    """Runs one market call with the hook armed; returns what its re-entries returned, the
    balance changes, and whether the market's escrow books still match its balance."""
    before = hook_balances(h)
    tx = act(h)
    after = hook_balances(h)
    return {
        "reentries": [
            (e["target"], e["success"], bytes(e["returnData"]))
            for e in tx.events["ReentryAttempted"]
        ],
        "last_return_data": bytes(h.token.lastReentryReturnData()),
        "change": {name: after[name] - before[name] for name in HOLDERS},
        "books_balance": h.market.escrowedTotal(h.token) == after["market"],
    }


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_reentry_during_any_market_transfer_is_stopped_by_the_guard(hook, entry_point):
    hook.token.arm(hook.market, ENTRY_POINTS[entry_point](hook), {"from": hook.stranger})

    outcomes = {name: run_trigger(hook, act) for name, (act, _, _) in TRIGGERS.items()}

    assert outcomes == {
        name: {
            "reentries": [(hook.market, False, REENTRANCY_GUARD_ERROR)] * transfers,
            "last_return_data": REENTRANCY_GUARD_ERROR,
            "change": {holder: change.get(holder, 0) for holder in HOLDERS},
            "books_balance": True,
        }
        for name, (_, transfers, change) in TRIGGERS.items()
    }


# ---------------------------------------------------------------- blacklisting issuer

BL_PRICE = 3_210_987
BL_FEE = fee_of(BL_PRICE)


@pytest.fixture(scope="module")
def blocked_provider(
    market, blacklist_token, governance, buyer, provider, provider2, providers, submitted_direct
):
    """Two submitted jobs past their dispute window; the issuer has blocked the first one's
    provider."""
    blocked_job = submitted_direct(buyer, provider, blacklist_token, BL_PRICE)
    other_job = submitted_direct(buyer, provider2, blacklist_token, BL_PRICE)
    blacklist_token.setBlocked(provider, True, {"from": governance})
    chain.sleep(DISPUTE_WINDOW + MARGIN)
    # Mined, so that the day survives the chain snapshot each test starts from.
    chain.mine()
    return SimpleNamespace(blocked_job=blocked_job, other_job=other_job)


@pytest.fixture(scope="module")
def blocked_buyer(blacklist_token, governance, buyer2, post):
    """An open job whose buyer the issuer has blocked since posting it."""
    job_id = job_id_of(post(buyer2, blacklist_token, BL_PRICE))
    blacklist_token.setBlocked(buyer2, True, {"from": governance})
    return job_id


def test_finalize_succeeds_when_the_provider_is_blocked(market, stranger, blocked_provider):
    tx = market.finalize(blocked_provider.blocked_job, {"from": stranger})

    assert tx.events["JobSettled"]["payout"] == BL_PRICE - BL_FEE
    assert market.jobOf(blocked_provider.blocked_job)["state"] == JobState.SETTLED


def test_treasury_is_paid_when_the_provider_is_blocked(
    market, blacklist_token, treasury, stranger, blocked_provider
):
    tx = market.finalize(blocked_provider.blocked_job, {"from": stranger})

    assert tx.events["EscrowReleased"] == {
        "jobId": blocked_provider.blocked_job,
        "to": treasury,
        "token": blacklist_token,
        "amount": BL_FEE,
        "kind": Payout.FEE,
    }
    assert blacklist_token.balanceOf(treasury) == BL_FEE


def test_blocked_provider_payout_becomes_claimable(
    market, blacklist_token, provider, stranger, blocked_provider
):
    tx = market.finalize(blocked_provider.blocked_job, {"from": stranger})

    assert tx.events["PayoutDeferred"] == {
        "jobId": blocked_provider.blocked_job,
        "to": provider,
        "token": blacklist_token,
        "amount": BL_PRICE - BL_FEE,
    }
    assert market.claimable(blacklist_token, provider) == BL_PRICE - BL_FEE
    assert market.claimableTotal(blacklist_token) == BL_PRICE - BL_FEE
    assert blacklist_token.balanceOf(market) == BL_PRICE - BL_FEE + BL_PRICE


def test_other_jobs_settle_normally_while_a_provider_is_blocked(
    market, blacklist_token, provider2, stranger, blocked_provider
):
    market.finalize(blocked_provider.blocked_job, {"from": stranger})

    tx = market.finalize(blocked_provider.other_job, {"from": stranger})

    assert "PayoutDeferred" not in tx.events
    assert blacklist_token.balanceOf(provider2) == BL_PRICE - BL_FEE


def test_blocked_provider_claims_its_payout_to_another_address(
    market, blacklist_token, provider, payee, stranger, blocked_provider
):
    market.finalize(blocked_provider.blocked_job, {"from": stranger})

    tx = market.claim(blacklist_token, payee, {"from": provider})

    assert tx.events["Claimed"] == {
        "account": provider,
        "token": blacklist_token,
        "to": payee,
        "amount": BL_PRICE - BL_FEE,
    }
    assert blacklist_token.balanceOf(payee) == BL_PRICE - BL_FEE
    assert market.claimable(blacklist_token, provider) == 0
    assert market.claimableTotal(blacklist_token) == 0


def test_blocked_provider_cannot_claim_to_its_own_address(
    market, blacklist_token, provider, stranger, blocked_provider
):
    market.finalize(blocked_provider.blocked_job, {"from": stranger})

    with brownie.reverts(err("BlacklistTokenBlocked", provider)):
        market.claim(blacklist_token, provider, {"from": provider})


def test_blocked_buyer_refund_on_cancel_becomes_claimable(
    market, blacklist_token, buyer2, blocked_buyer
):
    tx = market.cancel(blocked_buyer, {"from": buyer2})

    assert tx.events["PayoutDeferred"] == {
        "jobId": blocked_buyer,
        "to": buyer2,
        "token": blacklist_token,
        "amount": BL_PRICE,
    }
    assert market.claimable(blacklist_token, buyer2) == BL_PRICE
    assert market.jobOf(blocked_buyer)["state"] == JobState.CANCELLED


def test_blocked_buyer_claims_its_refund_to_another_address(
    market, blacklist_token, buyer2, payee, blocked_buyer
):
    market.cancel(blocked_buyer, {"from": buyer2})

    tx = market.claim(blacklist_token, payee, {"from": buyer2})

    assert tx.events["Claimed"]["amount"] == BL_PRICE
    assert blacklist_token.balanceOf(payee) == BL_PRICE
    assert market.claimable(blacklist_token, buyer2) == 0
