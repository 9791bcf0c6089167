"""`gpumarket market`: listed offers and open jobs, found from events, with their filters."""

from __future__ import annotations

import pytest
from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, Offer
from gpumarket.cli.display import short_address

from .conftest import GMKT, USDC


@pytest.fixture
def scene(buyer, provider, provider2, provider3, listed, post_job, gmkt, usdc, registry):
    """Three providers (one de-listed by unstaking) and four jobs (one already matched, one
    whose bidding has ended)."""
    listed(provider)  # H100 in DE, 2.5 GMKT / 1.8 USDC
    listed(
        provider2,
        offer=Offer(gpu_model="A100", gpu_count=4, vram_gib=40, region="US"),
        prices={gmkt.address: 15 * GMKT // 10},
    )
    listed(provider3)
    registry.requestUnstake(1_500 * GMKT, {"from": provider3})
    h100_de = post_job(buyer, gmkt, 3 * GMKT, JobSpec(gpu_model="H100-SXM-80GB", region="DE"))
    any_usdc = post_job(buyer, usdc, 2 * USDC, JobSpec(gpu_count=2))
    matched = post_job(buyer, gmkt, 3 * GMKT)
    closed = post_job(buyer, gmkt, 3 * GMKT, bidding=60)
    late = post_job(buyer, gmkt, 4 * GMKT, JobSpec(gpu_model="A100"), bidding=2 * HOUR)
    return {
        "h100_de": h100_de,
        "any_usdc": any_usdc,
        "matched": matched,
        "closed": closed,
        "late": late,
    }


def _open(scene, market, buyer, provider):
    """Match one job and let one bidding period end: neither is open any more."""
    market.bid(scene["matched"], 2 * GMKT, {"from": provider})
    market.acceptBid(scene["matched"], provider, {"from": buyer})
    chain.sleep(61)
    chain.mine()


def test_market_lists_listed_offers_and_open_jobs(
    cli_json, scene, market, buyer, provider, provider2
):
    _open(scene, market, buyer, provider)

    out = cli_json("market")

    assert [(o["provider"], o["gpu_model"], o["region"], o["prices"]) for o in out["offers"]] == [
        (provider.address, "H100-SXM-80GB", "DE", {"GMKT": "2.5", "USDC": "1.8"}),
        (provider2.address, "A100", "US", {"GMKT": "1.5"}),
    ]
    first = out["offers"][0]
    assert (first["gpus"], first["free_gpus"], first["vram_gib"], first["reputation_bps"]) == (
        8,
        7,
        80,
        5000,
    )
    assert [(j["job_id"], j["token"], j["max_price_per_gpu_hour"]) for j in out["jobs"]] == [
        (scene["h100_de"], "GMKT", "3"),
        (scene["any_usdc"], "USDC", "2"),
        (scene["late"], "GMKT", "4"),
    ]


def test_market_filters_by_gpu_model(cli_json, scene, market, buyer, provider, provider2):
    _open(scene, market, buyer, provider)

    out = cli_json("market", "--gpu", "a100")

    assert [o["provider"] for o in out["offers"]] == [provider2.address]
    # Jobs for any model match every filter.
    assert [j["job_id"] for j in out["jobs"]] == [scene["any_usdc"], scene["late"]]


def test_market_filters_by_region(cli_json, scene, market, buyer, provider):
    _open(scene, market, buyer, provider)

    out = cli_json("market", "--region", "DE")

    assert [o["provider"] for o in out["offers"]] == [provider.address]
    assert [j["job_id"] for j in out["jobs"]] == [
        scene["h100_de"],
        scene["any_usdc"],
        scene["late"],
    ]


def test_market_filters_by_price_in_a_token(cli_json, scene, market, buyer, provider, provider2):
    _open(scene, market, buyer, provider)

    gmkt_only = cli_json("market", "--max-price", "2")
    usdc_only = cli_json("market", "--token", "USDC")

    assert [(o["provider"], o["prices"]) for o in gmkt_only["offers"]] == [
        (provider2.address, {"GMKT": "1.5"}),
    ]
    assert gmkt_only["jobs"] == []
    assert [(o["provider"], o["prices"]) for o in usdc_only["offers"]] == [
        (provider.address, {"USDC": "1.8"}),
    ]
    assert [j["job_id"] for j in usdc_only["jobs"]] == [scene["any_usdc"]]


def test_market_table_shows_the_offers_and_jobs(cli, scene, market, buyer, provider):
    _open(scene, market, buyer, provider)

    result = cli("market")

    assert result.exit_code == 0, result.output
    assert "Offers" in result.stdout and "Open jobs" in result.stdout
    assert short_address(provider.address) in result.stdout  # --wide gives it in full
    row = next(
        line for line in result.stdout.splitlines() if short_address(provider.address) in line
    )
    assert "2.5 GMKT" in row  # a price a line
    assert "1.8 USDC" in result.stdout
