"""Listings read in a few round trips: `gpumarket market`, `buyer jobs`, `provider jobs` and
`provider bids` read their jobs' views in JSON-RPC batches, so the HTTP requests they make do not
grow with the number of jobs. A stand-in node (RpcProxy) in front of the test chain counts them.

Measured when batching came (issue 19): `market` with one provider and 1 open job made 54 HTTP
requests and with 10 open jobs 162 (one eth_call per field per job, each after an eth_chainId of
web3's validation); now 12 for either."""

from __future__ import annotations

import pytest

from .conftest import GMKT, dev

#: The most HTTP requests `market` makes with one provider, GMKT and USDC, whatever the jobs.
MARKET_REQUESTS = 12


@pytest.fixture
def counted(cli_json, rpc_proxy):
    """counted(*args) -> (the command's JSON, the HTTP requests it made, each as the list of the
    methods in it)."""

    def _run(*args):
        proxy = rpc_proxy()
        out = cli_json(*args, "--rpc-url", proxy.url)
        return out, proxy.requests

    return _run


def _batches(requests):
    """The sizes of the batched requests, in order."""
    return [len(r) for r in requests if len(r) > 1]


def test_market_makes_as_many_requests_for_ten_open_jobs_as_for_one(
    counted, post_job, buyer, provider, listed, gmkt
):
    listed(provider)
    post_job(buyer, gmkt, 3 * GMKT)
    one, one_requests = counted("market")
    for _ in range(9):
        post_job(buyer, gmkt, 3 * GMKT)

    ten, ten_requests = counted("market")

    assert (len(one["jobs"]), len(ten["jobs"])) == (1, 10)
    assert len(one_requests) == len(ten_requests) <= MARKET_REQUESTS
    # The tokens' configs, then GMKT's and USDC's decimals and symbol; one batch for the offer
    # (listed, offer, info, score, 2 prices), one for every job's jobOf, and one for the open
    # jobs' specOf, collateralOf and bidsOf.
    assert _batches(ten_requests) == [2, 2, 2, 6, 10, 30]
    assert _batches(one_requests) == [2, 2, 2, 6, 3]


def test_buyer_and_provider_listings_make_as_many_requests_for_ten_jobs_as_for_one(
    counted, post_job, buyer, provider, listed, gmkt, market
):
    listed(provider)

    def post(n):
        for _ in range(n):
            post_job(buyer, gmkt, 3 * GMKT, provider=provider)
            bid_on = post_job(buyer, gmkt, 3 * GMKT)
            market.bid(bid_on, 2 * GMKT, {"from": provider})

    post(1)
    listings = {
        "buyer jobs": ("buyer", "jobs", "--account", dev(buyer)),
        "provider jobs": ("provider", "jobs", "--account", dev(provider)),
        "provider bids": ("provider", "bids", "--account", dev(provider)),
    }
    once = {name: counted(*args) for name, args in listings.items()}
    post(9)
    tenfold = {name: counted(*args) for name, args in listings.items()}

    assert [len(out["jobs"] if "jobs" in out else out["bids"]) for out, _ in tenfold.values()] == [
        20,
        10,
        10,
    ]
    assert {name: len(requests) for name, (_, requests) in tenfold.items()} == {
        name: len(requests) for name, (_, requests) in once.items()
    }
    # Every job's views in one batch: jobOf, specOf and collateralOf of each, or for bids its
    # jobOf and bidsOf; then GMKT's decimals and symbol.
    assert {name: _batches(requests) for name, (_, requests) in tenfold.items()} == {
        "buyer jobs": [60, 2],
        "provider jobs": [30, 2],
        "provider bids": [20, 2],
    }


def test_buyer_status_reads_the_jobs_views_in_one_batch(counted, post_job, buyer, gmkt):
    job_id = post_job(buyer, gmkt, 3 * GMKT)

    out, requests = counted("buyer", "status", job_id)

    assert out["job_id"] == job_id
    # jobOf first (it says when there is no such job), then the spec, collateral, bids,
    # challenge, bond, the three deadlines, the council subject, quorum, members and config in
    # one batch, and the token's decimals and symbol in another; 56 HTTP requests before.
    assert _batches(requests) == [12, 2]
    assert len(requests) <= 9
