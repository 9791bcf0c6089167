"""Attack: collateral that does not scale. Before the fix every job's collateral was the market's
flat `collateralPerGpuHour` (10 GMKT) whatever it was worth: 1% of a job at 1,000 GMKT per
GPU-hour. A provider could win such a job and walk away (or be failed by the council) for 10
GMKT, 5 of them to the buyer, while the buyer lost an hour of its most valuable work.

The rule now: the buyer names the collateral per GPU-hour in its spec (`collateralPerGpuHour`,
GMKT units, 80 bits); a match locks the higher of it and the market's floor, times GPUs and
hours. `collateralOf` shows it before the match (what a match would lock now) and after (what the
match locked), and eligibility asks the bidder for that much free stake.

Every job here is 1 GPU for 1 hour in GMKT at a max price of 1,000 GMKT per GPU-hour; the
provider stakes 5,000 GMKT."""

from __future__ import annotations

import brownie
import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, Ineligibility, JobSpec, JobState
from gpumarket.testing.reverts import custom_error as err

GMKT = 10**18
PRICE = 1_000 * GMKT
STAKE = 5_000 * GMKT
FLOOR = 10 * GMKT  # the market's default collateralPerGpuHour
MARGIN = 60


@pytest.fixture(scope="module")
def host(make_provider, provider):
    return make_provider(provider, stake=STAKE)


def _won(market, post_job, buyer, gmkt, host, spec):
    """Posts `spec` as an auction, `host` bids the max price, the buyer accepts it."""
    job_id = post_job(buyer, gmkt, PRICE, spec)
    market.bid(job_id, PRICE, {"from": host})
    market.acceptBid(job_id, host, {"from": buyer})
    return job_id


def test_the_buyer_names_the_collateral_and_the_auction_shows_it(market, post_job, buyer, gmkt):
    named = post_job(buyer, gmkt, PRICE, JobSpec(collateral_per_gpu_hour=PRICE))
    flat = post_job(buyer, gmkt, PRICE, JobSpec())

    assert market.specOf(named)["collateralPerGpuHour"] == PRICE
    assert market.collateralOf(named) == 1_000 * GMKT
    # Not named: the floor, as before the fix.
    assert market.collateralOf(flat) == FLOOR


def test_walking_away_from_a_named_collateral_costs_the_provider_all_of_it(
    market, registry, post_job, buyer, gmkt, treasury, stranger, host
):
    job_id = _won(market, post_job, buyer, gmkt, host, JobSpec(collateral_per_gpu_hour=PRICE))
    assert registry.providerInfo(host)["locked"] == 1_000 * GMKT
    buyer_before, treasury_before = gmkt.balanceOf(buyer), gmkt.balanceOf(treasury)
    chain.sleep(HOUR + HOUR + MARGIN)  # duration, result grace

    tx = market.claimTimeout(job_id, {"from": stranger})

    # The market's JobFailed (Reputation logs one of its own, with the provider only).
    assert [e["slashed"] for e in tx.events["JobFailed"] if "slashed" in e] == [1_000 * GMKT]
    assert market.jobOf(job_id)["state"] == JobState.FAILED
    # Before the fix: the provider lost 10 GMKT and the buyer got 5 of them.
    assert registry.providerInfo(host)["stake"] == STAKE - 1_000 * GMKT
    assert gmkt.balanceOf(buyer) - buyer_before == 1_000 * GMKT + 500 * GMKT  # refund + half
    assert gmkt.balanceOf(treasury) - treasury_before == 500 * GMKT


def test_a_named_rate_below_the_floor_gets_the_floor(market, registry, post_job, buyer, gmkt, host):
    job_id = _won(market, post_job, buyer, gmkt, host, JobSpec(collateral_per_gpu_hour=1))

    assert market.jobOf(job_id)["collateral"] == FLOOR
    assert registry.lockOf(market, job_id)["amount"] == FLOOR


def test_a_floor_raised_after_the_posting_applies_at_the_match(
    market, registry, post_job, buyer, gmkt, param, host
):
    job_id = post_job(buyer, gmkt, PRICE, JobSpec(collateral_per_gpu_hour=25 * GMKT))
    assert market.collateralOf(job_id) == 25 * GMKT
    param(market, "collateralPerGpuHour", 40 * GMKT)
    market.bid(job_id, PRICE, {"from": host})

    tx = market.acceptBid(job_id, host, {"from": buyer})

    assert tx.events["JobMatched"]["collateral"] == 40 * GMKT
    assert market.collateralOf(job_id) == 40 * GMKT


def test_a_bidder_without_the_named_collateral_in_free_stake_cannot_bid(
    market, post_job, buyer, gmkt, make_provider, stranger
):
    small = make_provider(stranger, stake=1_000 * GMKT)
    job_id = post_job(buyer, gmkt, PRICE, JobSpec(collateral_per_gpu_hour=2_000 * GMKT))

    assert market.eligibilityOf(job_id, small) == Ineligibility.FREE_STAKE
    with brownie.reverts(err("JobMarketNotEligible", job_id, small.address)):
        market.bid(job_id, PRICE, {"from": small})


def test_a_benchmark_job_locks_its_bounty_on_the_named_collateral(
    market, registry, post_job, buyer, gmkt, host
):
    spec = JobSpec(
        collateral_per_gpu_hour=PRICE,
        benchmark_required=True,
        benchmark_n=64,
        benchmark_t=8,
        benchmark_k=2,
    )
    job_id = _won(market, post_job, buyer, gmkt, host, spec)

    # 1,000 GMKT of collateral and the 50% fraud bounty beside it.
    assert market.jobOf(job_id)["collateral"] == 1_000 * GMKT
    assert market.collateralOf(job_id) == 1_500 * GMKT
    assert registry.lockOf(market, job_id)["amount"] == 1_500 * GMKT
