"""Attack: free delay, or free pay, by a dispute the arbiter never rules on. Before the fix an
arbitration timeout paid the provider in full and gave the buyer its whole bond back, with no
strike: a buyer could hold a provider's pay for 24 hours + 14 days at no cost, and a provider that
could not deliver could submit a garbage hash and, if the buyer's dispute met a silent arbiter, be
paid in full.

Any rule that only moves money between the two sides rewards one of them: what a griefing buyer
is made to lose goes to the provider, which is then paid for garbage as well, and the other way
round. The rule now: when a dispute times out unruled, buyer and provider each forfeit
`min(bond, value)` to the treasury. The buyer gets the rest of its bond back, the provider the rest
of the value less the fee on what it is paid; nothing is slashed and no success, failure or strike
is recorded. Each side ends strictly worse off than without the dispute, by the same amount, and
worse off than had the arbiter ruled for it. Both bear the cost of a silent arbiter, equally.

The job: 1 GPU for 1 hour at 200 GMKT (collateral 10 GMKT, fee 5%: 10 GMKT), bond 10% = 20 GMKT.
Amounts are each party's GMKT, wallet plus stake, after minus before."""

from __future__ import annotations

import pytest
from brownie import chain

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, JobSpec, JobState

GMKT = 10**18
VALUE = 200 * GMKT
BOND = 20 * GMKT
COLLATERAL = 10 * GMKT
GOOD = b"\x0a" * 32
GARBAGE = b"\xff" * 32


@pytest.fixture(scope="module")
def host(make_provider, provider):
    return make_provider(provider)


@pytest.fixture(scope="module")
def play(market, gmkt, registry, fund, governance, buyer, host, treasury, arbiter):
    """play(path, result=GOOD, bond_bps=None) -> (buyer, provider, treasury) GMKT deltas of one
    job, from posting to its end by `path`: "undisputed", "silent" (the buyer disputes, the
    arbiter never rules), "provider_at_fault" or "buyer_at_fault"."""

    def holdings():
        return (
            gmkt.balanceOf(buyer),
            gmkt.balanceOf(host) + registry.providerInfo(host)["stake"],
            gmkt.balanceOf(treasury),
        )

    def _play(path, result=GOOD, bond_bps=None):
        if bond_bps is not None:
            market.setParameter(name32("disputeBondBps"), bond_bps, {"from": governance})
        fund(buyer, gmkt, VALUE + VALUE)  # the deposit and up to a bond of 100% of the value
        before = holdings()
        gmkt.approve(market, 2 * VALUE, {"from": buyer})
        posted = market.postJob(JobSpec().as_tuple(), gmkt, VALUE, HOUR, host, {"from": buyer})
        job_id = posted.return_value
        market.acceptJob(job_id, {"from": host})
        market.submitResult(job_id, result, "ipfs://result", {"from": host})
        if path == "undisputed":
            chain.sleep(market.disputeWindow())
            market.finalize(job_id, {"from": buyer})
        else:
            market.dispute(job_id, {"from": buyer})
            if path == "silent":
                chain.sleep(market.arbitrationTimeout())
                market.finalize(job_id, {"from": buyer})
            else:
                market.resolveDispute(job_id, path == "provider_at_fault", {"from": arbiter})
        assert market.jobOf(job_id)["state"] in (JobState.SETTLED, JobState.FAILED)
        after = holdings()
        return tuple(a - b for a, b in zip(after, before, strict=True))

    return _play


#: (buyer, provider, treasury) at the defaults, by how the job ends.
UNDISPUTED = (-VALUE, 190 * GMKT, 10 * GMKT)
SILENT = (-VALUE - BOND, 171 * GMKT, 49 * GMKT)  # forfeits 20 + 20, fee 5% of 180
PROVIDER_AT_FAULT = (5 * GMKT, -COLLATERAL, 5 * GMKT)  # refund, bond back, half the collateral
BUYER_AT_FAULT = (-VALUE - BOND, 190 * GMKT + BOND, 10 * GMKT)


def test_delaying_an_honest_providers_pay_costs_the_buyer_its_bond(play):
    undisputed = play("undisputed")
    silent = play("silent")

    assert (undisputed, silent) == (UNDISPUTED, SILENT)
    # Before the fix the buyer got its bond back: (−200, 190, 10), the delay cost it nothing.
    assert silent[0] - undisputed[0] == -BOND


def test_a_garbage_result_and_a_silent_arbiter_are_no_longer_paid_in_full(play):
    silent = play("silent", result=GARBAGE)

    # Before the fix: 190 GMKT, the pay of a delivered job. Now the value less the forfeit, less
    # the fee on the rest: 180 − 9.
    assert silent == SILENT
    assert silent[1] == 171 * GMKT < UNDISPUTED[1]


@pytest.mark.parametrize(
    "path, expected",
    [
        ("undisputed", UNDISPUTED),
        ("silent", SILENT),
        ("provider_at_fault", PROVIDER_AT_FAULT),
        ("buyer_at_fault", BUYER_AT_FAULT),
    ],
)
def test_every_end_of_a_delivered_job_to_the_unit(play, path, expected):
    deltas = play(path)

    assert deltas == expected
    # The deposit, the bond and the collateral only move between the three.
    assert sum(deltas) == 0


def test_neither_side_profits_from_a_silent_arbiter(play):
    buyer_silent, provider_silent, treasury_silent = play("silent")

    # Against the job undisputed each side loses the 20 GMKT forfeit (the provider 19 GMKT: it
    # pays no fee on the forfeited part), and each ends below what a ruling for it would give:
    # a silent arbiter is nobody's win.
    assert UNDISPUTED[0] - buyer_silent == BOND
    assert UNDISPUTED[1] - provider_silent == BOND - (10 * GMKT - 9 * GMKT)
    assert buyer_silent < PROVIDER_AT_FAULT[0] and buyer_silent <= UNDISPUTED[0]
    assert provider_silent < BUYER_AT_FAULT[1] and provider_silent < UNDISPUTED[1]
    assert treasury_silent - UNDISPUTED[2] == 2 * BOND - 1 * GMKT


@pytest.mark.parametrize(
    "bond_bps, forfeit, provider_paid",
    [(1_000, 20 * GMKT, 171 * GMKT), (5_000, 100 * GMKT, 95 * GMKT)],
)
def test_the_forfeit_is_the_bond_so_governance_sizes_the_deterrent(
    play, bond_bps, forfeit, provider_paid
):
    buyer, provider, treasury = play("silent", result=GARBAGE, bond_bps=bond_bps)

    # At the largest bond rate (50%) a garbage result met by a silent arbiter earns half the
    # value, less the fee, and the griefing buyer loses half the value on top of what it paid.
    assert buyer == -VALUE - forfeit
    assert provider == provider_paid == (VALUE - forfeit) - -(-(VALUE - forfeit) * 500 // 10_000)
    assert treasury == 2 * forfeit + (VALUE - forfeit) - provider_paid


def test_a_blacklisted_buyer_returns_under_a_new_address_and_each_grief_still_costs_its_bond(
    market, reputation, gmkt, fund, buyer, buyer2, host, play
):
    """Own review (issue 15): the blacklist after `maxBuyerStrikes` lost disputes binds an
    address, not a person, so a griefing buyer goes on from a new one. A known limit: what
    deters a frivolous dispute is its bond, paid to the provider whenever the arbiter rules, and
    forfeited to the treasury when it does not; the strikes only keep a careless buyer out."""
    strikes = market.maxBuyerStrikes()
    losses = [play("buyer_at_fault") for _ in range(strikes)]

    assert losses == [BUYER_AT_FAULT] * strikes
    assert reputation.isBlacklisted(buyer)
    # Each lost dispute paid the provider the bond on top of its pay: 3 × 20 GMKT at 3 strikes.
    assert sum(loss[1] - UNDISPUTED[1] for loss in losses) == strikes * BOND == 60 * GMKT
    fund(buyer2, gmkt, 2 * VALUE)
    gmkt.approve(market, 2 * VALUE, {"from": buyer2})
    posted = market.postJob(JobSpec().as_tuple(), gmkt, VALUE, HOUR, host, {"from": buyer2})
    job_id = posted.return_value
    market.acceptJob(job_id, {"from": host})
    market.submitResult(job_id, GOOD, "ipfs://result", {"from": host})
    disputed = market.dispute(job_id, {"from": buyer2})

    assert not reputation.isBlacklisted(buyer2)
    assert disputed.events["DisputeOpened"] == {"jobId": job_id, "buyer": buyer2, "bond": BOND}
