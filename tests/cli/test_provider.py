"""`gpumarket provider ...` happy paths: stake (approve step or existing allowance), register,
update, unstake, withdraw, status, bids and jobs."""

from __future__ import annotations

from brownie import chain

from gpumarket.chain.types import HOUR, JobSpec, Offer

from .conftest import GMKT, GMKT_PRICE, REGISTER, STAKE, USDC, dev


def test_stake_approves_then_stakes(cli_json, provider, funded, gmkt, registry):
    funded(provider, gmkt_amount=1_500 * GMKT)

    out = cli_json("provider", "stake", "1200.5", "--account", dev(provider))

    assert out["provider"] == provider.address
    assert (out["staked"], out["stake"], out["approval"]) == ("1200.5", "1200.5", "approve")
    assert [t["step"] for t in out["transactions"]] == [
        "approve 1200.5 GMKT for ProviderRegistry",
        "stake 1200.5 GMKT",
    ]
    assert registry.providerInfo(provider)["stake"] == 12_005 * GMKT // 10
    assert gmkt.balanceOf(provider) == 1_500 * GMKT - 12_005 * GMKT // 10


def test_stake_within_the_allowance_sends_one_transaction(
    cli_json, provider, funded, gmkt, registry
):
    funded(provider, gmkt_amount=1_500 * GMKT)
    gmkt.approve(registry, 1_500 * GMKT, {"from": provider})

    out = cli_json("provider", "stake", "1000", "--account", dev(provider))

    assert out["approval"] == "allowance"
    assert [t["step"] for t in out["transactions"]] == ["stake 1000 GMKT"]
    assert gmkt.allowance(provider, registry) == 500 * GMKT


def test_register_lists_the_offer_with_prices_per_gpu_hour(
    cli_json, provider, funded, gmkt, usdc, registry
):
    funded(provider, gmkt_amount=STAKE)
    cli_json("provider", "stake", "2000", "--account", dev(provider))

    out = cli_json(*REGISTER, "--price", "USDC=1.8", "--account", dev(provider))

    assert out["offer"] == {
        "gpu_model": "H100-SXM-80GB",
        "gpus": 8,
        "vram_gib": 80,
        "region": "DE",
        "bandwidth_mbps": 1000,
        "endpoint": "http://10.0.0.7:9000",
        "prices": {"GMKT": "2.5", "USDC": "1.8"},
    }
    assert registry.isListed(provider)
    assert registry.priceOf(provider, gmkt) == GMKT_PRICE
    assert registry.priceOf(provider, usdc) == 1_800_000
    offer = registry.offerOf(provider)
    assert (bytes(offer["gpuModel"]).rstrip(b"\0"), offer["gpuCount"], offer["endpoint"]) == (
        b"H100-SXM-80GB",
        8,
        "http://10.0.0.7:9000",
    )


def test_update_keeps_what_is_not_given_and_withdraws_a_zero_price(
    cli_json, provider, listed, usdc, gmkt, registry
):
    listed(provider, offer=Offer(gpu_model="A100", gpu_count=4, vram_gib=40, region="US"))

    out = cli_json(
        "provider",
        "update",
        "--gpus",
        "6",
        "--price",
        "USDC=0",
        "--price",
        "GMKT=2",
        "--account",
        dev(provider),
    )

    assert (out["offer"]["gpu_model"], out["offer"]["gpus"], out["offer"]["region"]) == (
        "A100",
        6,
        "US",
    )
    assert registry.priceOf(provider, usdc) == 0
    assert registry.priceOf(provider, gmkt) == 2 * GMKT
    assert registry.offerOf(provider)["gpuCount"] == 6


def test_unstake_then_withdraw_after_the_unbonding_period(
    cli_json, provider, listed, gmkt, registry
):
    listed(provider)
    balance = gmkt.balanceOf(provider)

    requested = cli_json("provider", "unstake", "500", "--account", dev(provider))
    release_at = registry.unbondingEntries(provider)[0][1]
    chain.sleep(registry.unbondingPeriod())
    chain.mine()
    withdrawn = cli_json("provider", "withdraw", "--account", dev(provider))

    assert requested["unbonding"] == "500"
    assert requested["release_at"] == release_at
    assert withdrawn["withdrawn"] == "500"
    assert gmkt.balanceOf(provider) == balance + 500 * GMKT
    assert registry.providerInfo(provider)["stake"] == STAKE - 500 * GMKT


def test_status_shows_stake_offer_prices_and_reputation(cli_json, provider, listed, registry):
    listed(provider)
    registry.requestUnstake(100 * GMKT, {"from": provider})
    release_at = registry.unbondingEntries(provider)[0][1]

    out = cli_json("provider", "status", "--account", dev(provider))

    assert out["provider"] == provider.address
    assert (out["registered"], out["listed"]) == (True, True)
    assert (out["stake"], out["locked"], out["free"], out["unbonding"]) == (
        "1900",
        "0",
        "1900",
        "100",
    )
    assert out["min_stake"] == "1000"
    assert out["offer"]["gpu_model"] == "H100-SXM-80GB"
    assert out["prices"] == {"GMKT": "2.5", "USDC": "1.8"}
    assert out["unbonding_entries"] == [{"amount": "100", "release_at": release_at}]
    assert out["reputation"] == {
        "score_bps": 5000,
        "completed": 0,
        "credited": 0,
        "failed": 0,
        "slashed": 0,
        "disputes_lost": 0,
        "verified_tops": 0,
        "tops_verified_at": None,
    }


def test_status_of_another_address_needs_no_account(cli_json, provider, listed):
    listed(provider)

    out = cli_json("provider", "status", "--address", provider.address)

    assert out["provider"] == provider.address
    assert out["listed"] is True


def test_bids_and_jobs_follow_the_providers_auctions(
    cli_json, buyer, provider, provider2, listed, post_job, gmkt, market
):
    listed(provider)
    listed(provider2)
    spec = JobSpec(gpu_count=1, duration=HOUR)
    won = post_job(buyer, gmkt, 3 * GMKT, spec)
    lost = post_job(buyer, gmkt, 3 * GMKT, spec)
    market.bid(won, 2 * GMKT, {"from": provider})
    market.bid(lost, 2 * GMKT, {"from": provider})
    market.bid(lost, GMKT, {"from": provider2})
    market.acceptBid(won, provider, {"from": buyer})
    market.acceptBid(lost, provider2, {"from": buyer})

    bids = cli_json("provider", "bids", "--account", dev(provider))
    jobs = cli_json("provider", "jobs", "--account", dev(provider))

    assert [
        (b["job_id"], b["my_bid"], b["best_bid"], b["bids"], b["outcome"]) for b in bids["bids"]
    ] == [
        (won, "2", "2", 1, "won"),
        (lost, "2", "1", 2, "lost"),
    ]
    assert [(j["job_id"], j["state"], j["price_per_gpu_hour"]) for j in jobs["jobs"]] == [
        (won, "RUNNING", "2"),
    ]


def test_register_with_a_usdc_price_only(cli_json, provider, funded, usdc, registry):
    funded(provider, gmkt_amount=STAKE, usdc_amount=USDC)
    cli_json("provider", "stake", "1000", "--account", dev(provider))

    out = cli_json(
        "provider",
        "register",
        "--gpu",
        "L40S",
        "--gpus",
        "2",
        "--vram",
        "48",
        "--region",
        "FR",
        "--endpoint",
        "https://gpu.example",
        "--price",
        f"{usdc.address}=0.95",
        "--bandwidth",
        "2500",
        "--account",
        dev(provider),
    )

    assert out["offer"]["prices"] == {"USDC": "0.95"}
    assert out["offer"]["bandwidth_mbps"] == 2500
    assert registry.priceOf(provider, usdc) == 950_000
