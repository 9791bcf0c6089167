"""Role commands: a provider submits a result without the agent, the arbiter resolves a dispute,
governance pauses, unpauses, allowlists tokens and sets parameters."""

from __future__ import annotations

import hashlib

import pytest
from brownie import MockERC20

from gpumarket.chain.types import HOUR, JobSpec, JobState

from .conftest import GMKT, dev


@pytest.fixture
def running_job(buyer, provider, listed, post_job, gmkt, market):
    """2 GPUs for 2 hours at 2.5 GMKT per GPU-hour (10 GMKT), matched to `provider`."""
    listed(provider)
    job_id = post_job(buyer, gmkt, 3 * GMKT, JobSpec(gpu_count=2, duration=2 * HOUR))
    market.bid(job_id, 25 * GMKT // 10, {"from": provider})
    market.acceptBid(job_id, provider, {"from": buyer})
    return job_id


@pytest.fixture
def disputed_job(running_job, buyer, provider, gmkt, market, governance):
    market.submitResult(running_job, b"\x11" * 32, "http://r", {"from": provider})
    gmkt.transfer(buyer, 10 * GMKT, {"from": governance})
    gmkt.approve(market, 10 * GMKT, {"from": buyer})
    market.dispute(running_job, {"from": buyer})
    return running_job


def test_submit_hashes_the_file_and_opens_the_dispute_window(
    cli_json, running_job, provider, market, tmp_path
):
    result = tmp_path / "result.bin"
    result.write_bytes(b"trained weights")

    out = cli_json(
        "provider", "submit", running_job, "--file", result, "--uri", "https://r.example/1",
        "--account", dev(provider),
    )  # fmt: skip

    digest = hashlib.sha256(b"trained weights").digest()
    job = market.jobOf(running_job)
    assert (job["state"], bytes(job["resultHash"])) == (JobState.SUBMITTED, digest)
    assert (out["result_hash"], out["result_uri"]) == ("0x" + digest.hex(), "https://r.example/1")
    assert out["dispute_window_ends"] == market.windowEndOf(running_job)
    assert [t["step"] for t in out["transactions"]] == [f"submit the result of job {running_job}"]


def test_submit_takes_a_hash_instead_of_a_file(cli_json, running_job, provider, market):
    cli_json(
        "provider", "submit", running_job, "--hash", "0x" + "ab" * 32, "--uri", "http://r:9000/1",
        "--account", dev(provider),
    )  # fmt: skip

    assert bytes(market.jobOf(running_job)["resultHash"]) == b"\xab" * 32


def test_resolve_with_the_provider_at_fault_fails_the_job_and_returns_the_bond(
    cli_json, disputed_job, arbiter, buyer, gmkt, market
):
    balance = gmkt.balanceOf(buyer)

    out = cli_json(
        "arbiter", "resolve", disputed_job, "--provider-at-fault", "--account", dev(arbiter)
    )

    assert (out["state"], out["provider_at_fault"]) == ("FAILED", True)
    assert (out["bond"], out["bond_to"], out["refund"], out["slashed"]) == (
        "10",
        buyer.address,
        "10",
        "40",
    )
    # The 10 GMKT bond back, the 10 GMKT value refunded and half of the 40 GMKT collateral.
    assert gmkt.balanceOf(buyer) == balance + 40 * GMKT
    assert market.jobOf(disputed_job)["state"] == JobState.FAILED


def test_resolve_with_the_buyer_at_fault_settles_and_pays_the_bond_to_the_provider(
    cli_json, disputed_job, arbiter, provider, gmkt
):
    balance = gmkt.balanceOf(provider)

    out = cli_json(
        "arbiter", "resolve", disputed_job, "--buyer-at-fault", "--account", dev(arbiter)
    )

    assert (out["state"], out["payout"], out["fee"], out["bond_to"]) == (
        "SETTLED",
        "9.5",
        "0.5",
        provider.address,
    )
    assert gmkt.balanceOf(provider) == balance + 95 * GMKT // 10 + 10 * GMKT


def test_pause_all_then_unpause_the_market(cli_json, governance, market, registry):
    paused = cli_json("admin", "pause", "--account", dev(governance))
    unpaused = cli_json("admin", "unpause", "market", "--account", dev(governance))

    assert paused["paused"] == ["JobMarket", "ProviderRegistry"]
    assert unpaused["unpaused"] == ["JobMarket"]
    assert (market.paused(), registry.paused()) == (False, True)


def test_allow_token_allowlists_with_its_bond_minimum_and_removes(cli_json, governance, market):
    dai = MockERC20.deploy("Dai", "DAI", 18, {"from": governance})

    allowed = cli_json(
        "admin", "allow-token", dai.address, "--bond-min", "12.5", "--account", dev(governance)
    )
    removed = cli_json("admin", "allow-token", "DAI", "--remove", "--account", dev(governance))

    assert (allowed["token"], allowed["allowed"], allowed["dispute_bond_min"]) == (
        "DAI",
        True,
        "12.5",
    )
    assert removed["allowed"] is False
    assert market.tokenConfig(dai)[0] is False


@pytest.mark.parametrize(
    "name, value, read, expected",
    [
        ("disputeWindow", "12h", "market.disputeWindow", 12 * HOUR),
        ("protocolFeeBps", "300", "market.protocolFeeBps", 300),
        ("minStake", "2000", "registry.minStake", 2_000 * GMKT),
    ],
)
def test_set_parameter_routes_the_name_to_its_contract_in_its_unit(
    cli_json, governance, market, registry, name, value, read, expected
):
    out = cli_json("admin", "set-parameter", name, value, "--account", dev(governance))

    holder, getter = read.split(".")
    assert getattr({"market": market, "registry": registry}[holder], getter)() == expected
    assert out["value"] == expected
