"""`gpumarket buyer ...` happy paths: post (permit and approve), accept, close, cancel, dispute,
finalize, timeout, status and jobs, with --json output checked field by field."""

from __future__ import annotations

from brownie import ZERO_ADDRESS, chain

from gpumarket.chain.types import HOUR, JobState

from .conftest import GMKT, USDC, dev

#: The job most tests post: 2 GPUs for 2 hours at most 3 GMKT per GPU-hour: 12 GMKT escrowed.
POST = ("buyer", "post", "--gpus", "2", "--duration", "2h", "--max-price", "3", "--bidding", "5m")


def test_post_with_gmkt_uses_one_permit_transaction(cli_json, buyer, funded, gmkt, market):
    funded(buyer, gmkt_amount=20 * GMKT)

    out = cli_json(*POST, "--account", dev(buyer))

    assert out["job_id"] == 1
    assert out["approval"] == "permit"
    assert (out["token"], out["deposit"], out["max_price_per_gpu_hour"]) == ("GMKT", "12", "3")
    assert [t["step"] for t in out["transactions"]] == ["post a job escrowing 12 GMKT"]
    assert gmkt.balanceOf(buyer) == 8 * GMKT
    assert gmkt.allowance(buyer, market) == 0
    job = market.jobOf(1)
    assert (job["buyer"], job["state"], job["deposit"]) == (buyer, JobState.OPEN, 12 * GMKT)
    spec = market.specOf(1)
    assert (spec["gpuCount"], spec["duration"], spec["workloadURI"]) == (
        2,
        2 * HOUR,
        "builtin:pogemm",
    )


def test_post_with_a_token_without_permit_approves_first(cli_json, buyer, funded, usdc, market):
    funded(buyer, usdc_amount=5 * USDC)

    out = cli_json(
        "buyer",
        "post",
        "--token",
        "USDC",
        "--max-price",
        "1.75",
        "--gpu",
        "h100-sxm-80gb",
        "--region",
        "de",
        "--account",
        dev(buyer),
    )

    assert (out["approval"], out["token"], out["deposit"]) == ("approve", "USDC", "1.75")
    assert [t["step"] for t in out["transactions"]] == [
        "approve 1.75 USDC for JobMarket",
        "post a job escrowing 1.75 USDC",
    ]
    assert usdc.balanceOf(buyer) == 5 * USDC - 1_750_000
    assert usdc.allowance(buyer, market) == 0
    spec = market.specOf(out["job_id"])
    assert (bytes(spec["gpuModel"]).rstrip(b"\0"), bytes(spec["region"])) == (
        b"H100-SXM-80GB",
        b"DE",
    )


def test_post_with_enough_allowance_sends_only_the_post(cli_json, buyer, funded, usdc, market):
    funded(buyer, usdc_amount=5 * USDC)
    usdc.approve(market, 5 * USDC, {"from": buyer})

    out = cli_json("buyer", "post", "--token", "USDC", "--max-price", "2", "--account", dev(buyer))

    assert out["approval"] == "allowance"
    assert len(out["transactions"]) == 1
    assert usdc.allowance(buyer, market) == 3 * USDC


def test_bid_then_accept_matches_and_refunds_the_excess(
    cli_json, buyer, provider, funded, listed, gmkt, market, registry
):
    funded(buyer, gmkt_amount=12 * GMKT)
    listed(provider)
    job_id = cli_json(*POST, "--account", dev(buyer))["job_id"]

    bid = cli_json("provider", "bid", job_id, "2.5", "--account", dev(provider))
    accepted = cli_json("buyer", "accept", job_id, provider.address, "--account", dev(buyer))

    assert bid == {
        "job_id": job_id,
        "provider": provider.address,
        "price_per_gpu_hour": "2.5",
        "token": "GMKT",
        "transactions": bid["transactions"],
    }
    assert accepted["provider"] == provider.address
    assert (accepted["price_per_gpu_hour"], accepted["value"], accepted["refunded"]) == (
        "2.5",
        "10",
        "2",
    )
    assert accepted["collateral"] == "40"
    assert market.jobOf(job_id)["state"] == JobState.RUNNING
    assert gmkt.balanceOf(buyer) == 2 * GMKT
    assert registry.providerInfo(provider)["locked"] == 40 * GMKT


def test_close_after_bidding_gives_the_job_to_the_lowest_bid(
    cli_json, buyer, provider, provider2, stranger, funded, listed, market
):
    funded(buyer, gmkt_amount=12 * GMKT)
    listed(provider)
    listed(provider2)
    job_id = cli_json(*POST, "--account", dev(buyer))["job_id"]
    cli_json("provider", "bid", job_id, "2.9", "--account", dev(provider))
    cli_json("provider", "bid", job_id, "2.6", "--account", dev(provider2))
    cli_json("provider", "bid", job_id, "2.4", "--account", dev(provider))
    chain.sleep(5 * 60)
    chain.mine()

    out = cli_json("buyer", "close", job_id, "--account", dev(stranger))

    assert (out["provider"], out["price_per_gpu_hour"], out["refunded"]) == (
        provider.address,
        "2.4",
        "2.4",
    )
    assert market.jobOf(job_id)["provider"] == provider


def test_cancel_without_bids_refunds_everything(cli_json, buyer, funded, gmkt, market):
    funded(buyer, gmkt_amount=12 * GMKT)
    job_id = cli_json(*POST, "--account", dev(buyer))["job_id"]

    out = cli_json("buyer", "cancel", job_id, "--account", dev(buyer))

    assert (out["job_id"], out["refunded"]) == (job_id, "12")
    assert market.jobOf(job_id)["state"] == JobState.CANCELLED
    assert gmkt.balanceOf(buyer) == 12 * GMKT


def _running_job(cli_json, buyer, provider, funded, listed):
    funded(buyer, gmkt_amount=100 * GMKT)
    listed(provider)
    job_id = cli_json(*POST, "--account", dev(buyer))["job_id"]
    cli_json("provider", "bid", job_id, "2.5", "--account", dev(provider))
    cli_json("buyer", "accept", job_id, provider.address, "--account", dev(buyer))
    return job_id


def test_dispute_of_a_verified_job_posts_the_bond_after_an_approve_step(
    cli_json, buyer, provider, verifier, funded, listed, gmkt, market
):
    job_id = _running_job(cli_json, buyer, provider, funded, listed)
    market.submitResult(job_id, b"\x11" * 32, "http://result", {"from": provider})
    market.recordVerdict(job_id, True, {"from": verifier})
    balance = gmkt.balanceOf(buyer)

    out = cli_json("buyer", "dispute", job_id, "--account", dev(buyer))

    # The bond is max(10 GMKT minimum, 10% of the 10 GMKT value) = 10 GMKT.
    assert (out["job_id"], out["bond"], out["approval"]) == (job_id, "10", "approve")
    assert [t["step"] for t in out["transactions"]] == [
        "approve 10 GMKT for JobMarket",
        f"dispute job {job_id}",
    ]
    assert market.jobOf(job_id)["state"] == JobState.DISPUTED
    assert gmkt.balanceOf(buyer) == balance - 10 * GMKT


def test_finalize_after_the_dispute_window_pays_the_provider_less_the_fee(
    cli_json, buyer, provider, verifier, stranger, funded, listed, gmkt, market
):
    job_id = _running_job(cli_json, buyer, provider, funded, listed)
    market.submitResult(job_id, b"\x11" * 32, "http://result", {"from": provider})
    market.recordVerdict(job_id, True, {"from": verifier})
    chain.sleep(market.disputeWindow())
    chain.mine()
    balance = gmkt.balanceOf(provider)

    out = cli_json("buyer", "finalize", job_id, "--account", dev(stranger))

    assert (out["provider"], out["payout"], out["fee"]) == (provider.address, "9.5", "0.5")
    assert market.jobOf(job_id)["state"] == JobState.SETTLED
    assert gmkt.balanceOf(provider) == balance + 95 * GMKT // 10


def test_timeout_of_a_silent_provider_refunds_and_slashes(
    cli_json, buyer, provider, stranger, funded, listed, gmkt, market
):
    job_id = _running_job(cli_json, buyer, provider, funded, listed)
    chain.sleep(2 * HOUR + market.resultGrace() + 1)
    chain.mine()
    balance = gmkt.balanceOf(buyer)

    out = cli_json("buyer", "timeout", job_id, "--account", dev(stranger))

    assert (out["refund"], out["slashed"]) == ("10", "40")
    assert market.jobOf(job_id)["state"] == JobState.FAILED
    # Refund of the 10 GMKT value plus half of the 40 GMKT collateral.
    assert gmkt.balanceOf(buyer) == balance + 30 * GMKT


def test_status_shows_the_job_and_its_bids(cli_json, buyer, provider, funded, listed):
    funded(buyer, gmkt_amount=12 * GMKT)
    listed(provider)
    job_id = cli_json(*POST, "--account", dev(buyer))["job_id"]
    cli_json("provider", "bid", job_id, "2.75", "--account", dev(provider))

    out = cli_json("buyer", "status", job_id)

    assert out["job_id"] == job_id
    assert (out["state"], out["buyer"], out["provider"], out["direct"]) == (
        "OPEN",
        buyer.address,
        None,
        False,
    )
    assert (out["gpus"], out["gpu_model"], out["region"], out["duration"]) == (2, None, None, 7200)
    assert (out["deposit"], out["escrow"], out["max_price_per_gpu_hour"]) == ("12", "12", "3")
    assert out["bids"] == [{"provider": provider.address, "price_per_gpu_hour": "2.75"}]
    assert out["workload"] == "builtin:pogemm"
    assert out["benchmark"] is None


def test_jobs_lists_only_the_buyers_jobs(cli_json, buyer, buyer2, funded):
    funded(buyer, gmkt_amount=24 * GMKT)
    funded(buyer2, gmkt_amount=12 * GMKT)
    first = cli_json(*POST, "--account", dev(buyer))["job_id"]
    cli_json(*POST, "--account", dev(buyer2))
    third = cli_json(*POST, "--account", dev(buyer))["job_id"]

    out = cli_json("buyer", "jobs", "--account", dev(buyer))

    assert out["buyer"] == buyer.address
    assert [(j["job_id"], j["state"], j["deposit"]) for j in out["jobs"]] == [
        (first, "OPEN", "12"),
        (third, "OPEN", "12"),
    ]


def test_direct_assignment_is_accepted_by_its_provider(
    cli_json, buyer, provider, funded, listed, market
):
    funded(buyer, gmkt_amount=12 * GMKT)
    listed(provider)
    job_id = cli_json(*POST, "--provider", provider.address, "--account", dev(buyer))["job_id"]

    out = cli_json("provider", "accept", job_id, "--account", dev(provider))

    assert (out["job_id"], out["price_per_gpu_hour"], out["value"]) == (job_id, "3", "12")
    job = market.jobOf(job_id)
    assert (job["state"], job["provider"]) == (JobState.RUNNING, provider)


def test_human_output_names_the_job_and_each_transaction(cli, buyer, funded):
    funded(buyer, gmkt_amount=12 * GMKT)

    result = cli(*POST, "--account", dev(buyer))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("post a job escrowing 12 GMKT: tx 0x")
    assert lines[1] == (
        "job 1 posted: 12 GMKT escrowed (permit); the provider locks 40 GMKT; bidding for 5m"
    )
    assert result.stderr == ""


def test_post_names_the_collateral_and_shows_what_a_match_locks(cli_json, buyer, funded, market):
    funded(buyer, gmkt_amount=12 * GMKT)

    named = cli_json(*POST, "--collateral", "25", "--account", dev(buyer))
    funded(buyer, gmkt_amount=12 * GMKT)
    floor = cli_json(*POST, "--collateral", "0", "--account", dev(buyer))

    # 2 GPUs for 2 hours at 25 GMKT, and at the market's floor of 10 GMKT.
    assert (named["collateral"], floor["collateral"]) == ("100", "40")
    assert market.specOf(named["job_id"])["collateralPerGpuHour"] == 25 * GMKT
    status = cli_json("buyer", "status", str(named["job_id"]))
    assert status["collateral"] == "100"


def test_post_of_a_zero_address_provider_is_an_auction(cli_json, buyer, funded, market):
    funded(buyer, gmkt_amount=12 * GMKT)

    out = cli_json(*POST, "--account", dev(buyer))

    assert out["provider"] is None
    assert market.jobOf(out["job_id"])["provider"] == ZERO_ADDRESS


def test_post_takes_a_fractional_duration(cli_json, buyer, funded, market):
    funded(buyer, gmkt_amount=20 * GMKT)

    out = cli_json(
        "buyer", "post", "--duration", "1.5h", "--max-price", "2", "--account", dev(buyer)
    )

    assert market.specOf(out["job_id"])["duration"] == 5_400
    assert out["deposit"] == "3"
