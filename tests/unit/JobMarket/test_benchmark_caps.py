"""A benchmark job's sizes meet the benchmark registry's caps when it is posted (the registry's
`checkParameters`, its error passed through) and again when it is matched (`open`). When
governance lowers a cap between the two, the match reverts with the cap's error and the buyer
may cancel the job for a full refund, bids or not; no bidder forfeits anything."""

import brownie
import pytest
from brownie import chain
from jobmarket_helpers import MAX_PRICE, PRICE, PROVIDER_STAKE, benchmark_spec, err

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, JobState, Payout

pytestmark = pytest.mark.usefixtures("registered_provider")

#: (n, T, K) one step over each default cap, the cap and the value its error names, and the cap.
OVER = [
    ((16_448, 8, 2), "maxN", 16_448, 16_384),
    ((64, 2**20 + 2, 2), "maxSteps", 2**20 + 2, 2**20),
    ((64, 2_048, 2_048), "maxInterval", 2_048, 1_024),
    ((16_384, 128, 128), "maxSampleOps", 2**35, 2**34),
    ((8_192, 2**20, 256), "maxProverOps", 2**59, 2**58),
]


@pytest.fixture(scope="module")
def benchmark(protocol):
    return protocol.benchmark


def cap_exceeded(cap: str, value: int, limit: int) -> str:
    return err("BenchmarkRegistryCapExceeded", name32(cap), value, limit)


def sized(n: int, steps: int, interval: int):
    return benchmark_spec(benchmark_n=n, benchmark_t=steps, benchmark_k=interval)


@pytest.mark.parametrize("sizes, cap, value, limit", OVER, ids=[o[1] for o in OVER])
def test_post_over_a_cap_reverts_naming_the_cap(open_job, sizes, cap, value, limit):
    with brownie.reverts(cap_exceeded(cap, value, limit)):
        open_job(spec=sized(*sizes))


def test_post_at_the_caps_is_accepted(market, open_job):
    # K·n² = 2^34 and T·n³ = 2^58: both exactly at their caps.
    job_id = open_job(spec=sized(8_192, 2**19, 256))

    assert market.specOf(job_id)["benchmarkT"] == 2**19


def test_post_follows_a_raised_cap(market, benchmark, governance, open_job):
    benchmark.setParameter(name32("maxInterval"), 2_048, {"from": governance})

    job_id = open_job(spec=sized(64, 2_048, 2_048))

    assert market.jobOf(job_id)["state"] == JobState.OPEN


@pytest.fixture
def lowered(market, benchmark, governance, open_job, provider):
    """A benchmark auction (T = 8) with the provider's bid, then maxSteps lowered to 4."""
    job_id = open_job(spec=benchmark_spec())
    market.bid(job_id, PRICE, {"from": provider})
    benchmark.setParameter(name32("maxSteps"), 4, {"from": governance})
    return job_id


def test_accept_bid_after_a_cap_is_lowered_reverts_with_the_caps_error(
    market, buyer, provider, lowered
):
    with brownie.reverts(cap_exceeded("maxSteps", 8, 4)):
        market.acceptBid(lowered, provider, {"from": buyer})


def test_close_auction_after_a_cap_is_lowered_reverts_with_the_caps_error(
    market, stranger, lowered
):
    chain.sleep(HOUR + 5)

    with brownie.reverts(cap_exceeded("maxSteps", 8, 4)):
        market.closeAuction(lowered, {"from": stranger})


def test_accept_job_after_a_cap_is_lowered_reverts_with_the_caps_error(
    market, benchmark, governance, open_job, provider
):
    job_id = open_job(spec=benchmark_spec(), direct=provider)
    benchmark.setParameter(name32("maxSteps"), 4, {"from": governance})

    with brownie.reverts(cap_exceeded("maxSteps", 8, 4)):
        market.acceptJob(job_id, {"from": provider})


def test_cancel_with_bids_after_a_cap_is_lowered_refunds_in_full(
    market, registry, gmkt, buyer, provider, lowered
):
    tx = market.cancel(lowered, {"from": buyer})

    assert tx.events["JobCancelled"] == {"jobId": lowered}
    assert tx.events["EscrowReleased"] == {
        "jobId": lowered,
        "to": buyer,
        "token": gmkt,
        "amount": MAX_PRICE,
        "kind": Payout.REFUND,
    }
    assert gmkt.balanceOf(buyer) == MAX_PRICE
    assert market.jobOf(lowered)["state"] == JobState.CANCELLED
    # The bidder did nothing wrong: no forfeit, no jail.
    info = registry.providerInfo(provider)
    assert (info["stake"], info["jailedUntil"]) == (PROVIDER_STAKE, 0)
    assert "BidForfeited" not in tx.events


def test_cancel_with_bids_that_still_fit_the_caps_reverts(market, buyer, open_job, provider):
    job_id = open_job(spec=benchmark_spec())
    market.bid(job_id, PRICE, {"from": provider})

    with brownie.reverts(err("JobMarketHasBids", job_id)):
        market.cancel(job_id, {"from": buyer})


def test_a_cap_raised_again_lets_the_job_match(
    market, benchmark, governance, buyer, provider, lowered
):
    benchmark.setParameter(name32("maxSteps"), 8, {"from": governance})

    tx = market.acceptBid(lowered, provider, {"from": buyer})

    assert tx.events["ChallengeOpened"]["steps"] == 8
    assert market.jobOf(lowered)["state"] == JobState.RUNNING
