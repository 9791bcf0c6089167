"""`gpumarket dev fund | time-travel`: dev chains only. Funding gives GMKT from the sender, mints
the test stablecoin and sends ETH; time travel moves the clock and mines a block. Elsewhere both
are refused in one sentence before anything but the chain id is asked."""

from __future__ import annotations

from brownie import web3

from .conftest import GMKT, dev

LIVE_REFUSAL = (
    "works only on dev chains (chain ids 1337, 31337); chain 11155111 is not one, so nothing "
    "was sent"
)


def test_fund_gives_each_account_gmkt_the_stablecoin_and_eth(
    cli_json, stablecoin_deployment, governance, buyer, provider, gmkt, usdc
):
    before = {a: (gmkt.balanceOf(a), usdc.balanceOf(a), a.balance()) for a in (buyer, provider)}

    out = cli_json(
        "dev", "fund", dev(buyer), provider.address, "--gmkt", "500", "--usdc", "70.5",
        "--eth", "0.5", "--account", dev(governance), "--deployment", stablecoin_deployment,
    )  # fmt: skip

    assert out["accounts"] == [buyer.address, provider.address]
    assert out["each"] == {"GMKT": "500", "ETH": "0.5", "USDC": "70.5"}
    assert [t["step"] for t in out["transactions"]][:3] == [
        f"send 500 GMKT to {buyer.address}",
        f"mint 70.5 USDC to {buyer.address}",
        f"send 0.5 ETH to {buyer.address}",
    ]
    for account in (buyer, provider):
        gmkt_before, usdc_before, eth_before = before[account]
        assert gmkt.balanceOf(account) == gmkt_before + 500 * GMKT
        assert usdc.balanceOf(account) == usdc_before + 70_500_000
        assert account.balance() == eth_before + 5 * 10**17


def test_fund_without_a_stablecoin_in_the_deployment_funds_gmkt_and_eth(
    cli_json, governance, stranger, gmkt, usdc
):
    out = cli_json("dev", "fund", dev(stranger), "--eth", "0", "--account", dev(governance))

    assert out["each"] == {"GMKT": "10000", "ETH": "0"}
    assert gmkt.balanceOf(stranger) == 10_000 * GMKT
    assert usdc.balanceOf(stranger) == 0


def test_time_travel_moves_the_clock_and_mines_a_block(cli_json):
    before = web3.eth.get_block("latest")

    out = cli_json("dev", "time-travel", "25h")

    after = web3.eth.get_block("latest")
    assert after["number"] == before["number"] + 1
    assert after["timestamp"] >= before["timestamp"] + 25 * 3600
    assert (out["travelled"], out["block"], out["timestamp"]) == (
        25 * 3600,
        after["number"],
        after["timestamp"],
    )


def test_time_travel_on_a_live_chain_is_refused(cli, live_node):
    url, methods = live_node

    result = cli("dev", "time-travel", "25h", "--rpc-url", url)

    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: time travel {LIVE_REFUSAL}\n"
    assert methods == ["eth_chainId"]


def test_fund_on_a_live_chain_is_refused(cli, live_node, buyer):
    url, methods = live_node

    result = cli("dev", "fund", dev(buyer), "--account", "dev0", "--rpc-url", url)

    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: gpumarket dev fund {LIVE_REFUSAL}\n"
    assert methods == ["eth_chainId"]
