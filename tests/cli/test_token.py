"""`gpumarket token balance | transfer | approve`: GMKT and the payment tokens by symbol, accounts
by name or address, spenders by contract name."""

from __future__ import annotations

from .conftest import GMKT, USDC, dev


def test_balance_lists_eth_and_every_allowlisted_token(cli_json, buyer, funded):
    funded(buyer, gmkt_amount=12 * GMKT, usdc_amount=3_500_000)

    out = cli_json("token", "balance", "--account", dev(buyer))

    assert out["account"] == buyer.address
    assert out["eth"] == str(buyer.balance() // 10**18)
    assert [(t["token"], t["balance"]) for t in out["tokens"]] == [("GMKT", "12"), ("USDC", "3.5")]


def test_balance_of_one_token_for_any_address(cli_json, provider, funded, usdc):
    funded(provider, usdc_amount=7 * USDC)

    out = cli_json("token", "balance", "USDC", "--address", provider.address)

    assert out["tokens"] == [{"token": "USDC", "address": usdc.address, "balance": "7"}]


def test_transfer_sends_to_an_account_named_like_a_sender(cli_json, buyer, buyer2, funded, gmkt):
    funded(buyer, gmkt_amount=10 * GMKT)

    out = cli_json("token", "transfer", "GMKT", dev(buyer2), "2.5", "--account", dev(buyer))

    assert (out["from"], out["to"], out["amount"]) == (buyer.address, buyer2.address, "2.5")
    assert [t["step"] for t in out["transactions"]] == [f"transfer 2.5 GMKT to {buyer2.address}"]
    assert (gmkt.balanceOf(buyer), gmkt.balanceOf(buyer2)) == (75 * GMKT // 10, 25 * GMKT // 10)


def test_approve_names_the_spender_by_contract_and_resets_a_non_zero_allowance(
    cli_json, buyer, usdc, market
):
    usdc.approve(market, 5 * USDC, {"from": buyer})

    out = cli_json("token", "approve", "USDC", "JobMarket", "1.25", "--account", dev(buyer))

    assert (out["spender"], out["allowance"]) == (market.address, "1.25")
    assert [t["step"] for t in out["transactions"]] == [
        "reset the USDC allowance of JobMarket",
        "approve 1.25 USDC for JobMarket",
    ]
    assert usdc.allowance(buyer, market) == 1_250_000


def test_approve_of_zero_revokes(cli_json, buyer, gmkt, registry):
    gmkt.approve(registry, GMKT, {"from": buyer})

    out = cli_json("token", "approve", "gmkt", "providerregistry", "0", "--account", dev(buyer))

    assert out["allowance"] == "0"
    assert len(out["transactions"]) == 1
    assert gmkt.allowance(buyer, registry) == 0


def test_a_contract_without_decimals_is_not_a_token(cli, provider, market):
    result = cli("token", "balance", market.address, "--address", provider.address)

    assert result.exit_code == 1
    assert f"{market.address} is not an ERC-20 token (no decimals())" in result.stderr
