"""Listings read at 80 columns: every table is rendered by the commands' own rich Console at a
width of 80 (COLUMNS=80) and no line is longer; addresses are short (0x1234…abcd) and whole, and
`--wide` gives them in full. `market` shows each open job's bidding end, bid count and
benchmark."""

from __future__ import annotations

import pytest
from brownie import web3

from gpumarket.chain.types import HOUR, JobSpec, Offer
from gpumarket.cli.display import short_address
from gpumarket.cli.units import time_left

from .conftest import GMKT, dev

BENCHMARK = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)


@pytest.fixture
def busy_market(buyer, provider, provider2, listed, post_job, gmkt, usdc, market):
    """Two listed providers (an H100-PCIE-80GB one in GB), a running job, and an open benchmark
    job with two bids."""
    listed(provider)
    listed(provider2, Offer(gpu_model="H100-PCIE-80GB", region="GB"))
    running = post_job(buyer, usdc, 3 * 10**6, JobSpec(gpu_count=2, duration=2 * HOUR))
    market.bid(running, 18 * 10**5, {"from": provider})
    market.acceptBid(running, provider, {"from": buyer})
    open_job = post_job(buyer, gmkt, 3 * GMKT, BENCHMARK)
    market.bid(open_job, 25 * GMKT // 10, {"from": provider})
    market.bid(open_job, 24 * GMKT // 10, {"from": provider2})
    return running, open_job


def fits(result):
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    too_long = [line for line in lines if len(line) > 80]
    assert not too_long, "\n".join(too_long)
    return result.stdout


def narrow(cli, *args):
    return fits(cli(*args, env={"COLUMNS": "80"}))


def test_market_fits_80_columns_and_shows_bidding_end_bids_and_benchmark(
    cli, busy_market, provider, provider2, buyer, market
):
    _, open_job = busy_market

    out = narrow(cli, "market")

    for p in (provider, provider2):
        assert short_address(p.address) in out
        assert p.address not in out
    row = next(line for line in out.splitlines() if line.strip().startswith(str(open_job)))
    ends = market.jobOf(open_job)["biddingEnds"]
    now = web3.eth.get_block("latest")["timestamp"]
    assert time_left(ends, now) in row
    assert row.split()[-3:] == ["2", "n=64", "T=8"]
    assert "2.5 GMKT" in out and "1.8 USDC" in out


def test_market_json_has_bids_and_benchmark(cli_json, busy_market):
    _, open_job = busy_market

    (job,) = cli_json("market")["jobs"]

    assert (job["job_id"], job["bids"], job["benchmark"]) == (
        open_job,
        2,
        {"n": 64, "T": 8, "K": 2},
    )


def test_market_wide_gives_full_addresses_and_the_buyer(cli, busy_market, provider, buyer):
    result = cli("market", "--wide")

    assert result.exit_code == 0, result.output
    assert provider.address in result.stdout
    assert buyer.address in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("market",),
        ("buyer", "jobs", "--account", "BUYER"),
        ("provider", "jobs", "--account", "PROVIDER"),
        ("provider", "bids", "--account", "PROVIDER"),
        ("buyer", "status", "OPEN"),
        ("token", "balance", "--account", "BUYER"),
    ],
    ids=lambda args: " ".join(args[:2]).removesuffix(" --account"),
)
def test_listings_fit_80_columns(cli, busy_market, buyer, provider, provider2, args):
    names = {"BUYER": dev(buyer), "PROVIDER": dev(provider), "OPEN": busy_market[1]}

    out = narrow(cli, *(names.get(a, a) for a in args))

    for account in (buyer, provider, provider2):
        out = out.replace(short_address(account.address), "")
    assert "…" not in out  # nothing cut short to fit


def test_buyer_jobs_shows_the_provider_short_and_wide_in_full(cli, busy_market, buyer, provider):
    short = narrow(cli, "buyer", "jobs", "--account", dev(buyer))
    wide = cli("buyer", "jobs", "--account", dev(buyer), "--wide").stdout

    assert short_address(provider.address) in short and provider.address not in short
    assert provider.address in wide
