"""Exact conservation with a 6-decimal stablecoin at awkward prices and durations: whatever way a
job ends, `payout + fee + refunds == deposit` to the unit, and the fee is rounded up (in the
protocol's favour), never down."""

from types import SimpleNamespace

import pytest
from brownie import chain

from gpumarket.chain.types import JobSpec, Payout

from .helpers import (
    DISPUTE_WINDOW,
    MARGIN,
    RESULT_GRACE,
    RESULT_HASH,
    RESULT_URI,
    cost,
    job_id_of,
    released,
)

#: (bid price, max price) per GPU-hour in USDC units, GPUs, duration in seconds.
CASES = {
    "1234567-per-gpu-hour-3-gpus-5401s": (1_234_567, 1_999_999, 3, 5_401),
    "fee-not-a-whole-unit": (999_999, 1_000_001, 7, 3_599),
    "67-second-job": (333_337, 500_001, 5, 67),
    "bid-at-the-max-price": (1_000_003, 1_000_003, 1, 86_399),
}


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request):
    price, max_price, gpus, duration = CASES[request.param]
    return SimpleNamespace(
        price=price,
        max_price=max_price,
        spec=JobSpec(gpu_count=gpus, duration=duration),
        deposit=cost(max_price, gpus, duration),
        value=cost(price, gpus, duration),
    )


@pytest.fixture(scope="module")
def providers(make_provider, registry, param, provider, provider2):
    """`provider` completes jobs and `provider2` fails them; no jail, so that it can fail again."""
    make_provider(provider)
    make_provider(provider2)
    param(registry, "jailPeriod", 0)
    return provider, provider2


def run_auction(market, usdc, buyer, provider, post, case):
    """Posts `case` and matches `provider` at its price; returns (job id, post tx, match tx)."""
    posted = post(buyer, usdc, case.max_price, case.spec)
    job_id = job_id_of(posted)
    market.bid(job_id, case.price, {"from": provider})
    return job_id, posted, market.acceptBid(job_id, provider, {"from": buyer})


def balances(usdc, market, **accounts):
    """USDC balances of the market and of named accounts. `post` mints the buyer exactly the
    deposit it pulls, so a buyer's change over a flow is what the market paid back to it."""
    return {"market": usdc.balanceOf(market), **{n: usdc.balanceOf(a) for n, a in accounts.items()}}


def changes(before, after):
    return {name: after[name] - before[name] for name in after}


@pytest.fixture(scope="module")
def settled(market, usdc, buyer, treasury, stranger, providers, post, case):
    """`case` matched, submitted and finalized."""
    provider = providers[0]
    before = balances(usdc, market, buyer=buyer, provider=provider, treasury=treasury)
    job_id, posted, matched = run_auction(market, usdc, buyer, provider, post, case)
    market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider})
    chain.sleep(DISPUTE_WINDOW + MARGIN)
    finalized = market.finalize(job_id, {"from": stranger})
    after = balances(usdc, market, buyer=buyer, provider=provider, treasury=treasury)
    return SimpleNamespace(
        deposit=posted.events["JobPosted"]["deposit"],
        released={
            kind: sum([*released(matched, kind), *released(finalized, kind)]) for kind in Payout
        },
        settled=finalized.events["JobSettled"],
        change=changes(before, after),
    )


@pytest.fixture(scope="module")
def failed(market, usdc, buyer2, providers, stranger, post, case):
    """`case` matched, then its provider never submits and the timeout is claimed."""
    provider = providers[1]
    before = balances(usdc, market, buyer=buyer2, provider=provider)
    job_id, posted, matched = run_auction(market, usdc, buyer2, provider, post, case)
    chain.sleep(case.spec.duration + RESULT_GRACE + MARGIN)
    claimed = market.claimTimeout(job_id, {"from": stranger})
    after = balances(usdc, market, buyer=buyer2, provider=provider)
    return SimpleNamespace(
        deposit=posted.events["JobPosted"]["deposit"],
        released={
            kind: sum([*released(matched, kind), *released(claimed, kind)]) for kind in Payout
        },
        change=changes(before, after),
    )


def test_settled_job_deposit_is_the_expected_amount(case, settled):
    assert settled.deposit == case.deposit


def test_settled_job_pays_out_the_whole_deposit(case, settled):
    payout = settled.released[Payout.PROVIDER]
    fee = settled.released[Payout.FEE]
    refunds = settled.released[Payout.REFUND]

    assert (payout, fee, refunds) == (
        settled.settled["payout"],
        settled.settled["fee"],
        case.deposit - case.value,
    )
    assert payout + fee + refunds == settled.deposit


def test_settled_job_fee_is_rounded_up(case, settled):
    fee = settled.settled["fee"]

    assert fee * 10_000 >= case.value * 500
    assert (fee - 1) * 10_000 < case.value * 500


def test_settled_job_balances_match_the_events(case, settled):
    assert settled.change == {
        "market": 0,
        "buyer": case.deposit - case.value,
        "provider": settled.settled["payout"],
        "treasury": settled.settled["fee"],
    }


def test_failed_job_refunds_the_whole_deposit(case, failed):
    assert failed.released[Payout.REFUND] == failed.deposit == case.deposit
    assert failed.released[Payout.PROVIDER] == failed.released[Payout.FEE] == 0


def test_failed_job_balances_match_the_events(case, failed):
    assert failed.change == {"market": 0, "buyer": case.deposit, "provider": 0}
