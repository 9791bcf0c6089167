"""What the CLI's transactions pay for gas: EIP-1559 (type 2) fees where the latest block has a
base fee, maxPriorityFeePerGas the node's eth_maxPriorityFeePerGas (or eth_gasPrice less the base
fee, never below 0, where it has none) and maxFeePerGas 2 x base fee + tip; a legacy gasPrice
(eth_gasPrice) on a chain without a base fee. Each transaction is read back from the chain with
eth_getTransactionByHash. The test chain is anvil with base fee 0 (it still reports
baseFeePerGas, as 0); other chains are stand-in nodes in front of it (RpcProxy) that change what
the block, eth_gasPrice or eth_maxPriorityFeePerGas say, which anvil still mines."""

from __future__ import annotations

import pytest
from brownie import web3

from gpumarket.cli.units import format_amount

from .conftest import GMKT, dev

GWEI = 10**9
TRANSFER = ("token", "transfer", "GMKT", "0x" + "ab" * 20, "1")
POST = ("buyer", "post", "--gpus", "2", "--duration", "2h", "--max-price", "3", "--bidding", "5m")
NO_SUCH_METHOD = {"error": {"code": -32601, "message": "Method not found"}}


def anvil_tip():
    return int(web3.provider.make_request("eth_maxPriorityFeePerGas", [])["result"], 16)


def base_fee(wei):
    """A rewrite of eth_getBlockByNumber: the block says its base fee is `wei`."""

    def _rewrite(reply):
        if reply.get("result"):
            reply["result"]["baseFeePerGas"] = hex(wei)
        return reply

    return _rewrite


def no_base_fee(reply):
    """A rewrite of eth_getBlockByNumber: a block from before London, without a base fee."""
    if reply.get("result"):
        reply["result"].pop("baseFeePerGas", None)
    return reply


def sent(out):
    """The command's one transaction, as eth_getTransactionByHash returns it, numbers as ints."""
    (record,) = out["transactions"]
    tx = web3.provider.make_request("eth_getTransactionByHash", [record["hash"]])["result"]
    numbers = ("type", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "blockNumber")
    return {k: int(v, 16) for k, v in tx.items() if k in numbers}


@pytest.fixture
def transfer(cli_json, buyer, funded):
    """transfer(*extra) -> the JSON of a GMKT transfer from `buyer`."""
    funded(buyer, gmkt_amount=10 * GMKT)
    return lambda *extra: cli_json(*TRANSFER, "--account", dev(buyer), *extra)


def test_on_anvil_a_transaction_is_type_2_at_twice_the_base_fee_plus_the_tip(transfer):
    tip = anvil_tip()

    tx = sent(transfer())

    base = web3.eth.get_block(tx["blockNumber"] - 1)["baseFeePerGas"]
    assert base == 0 < tip  # anvil runs with --block-base-fee-per-gas 0, and says so
    assert (tx["type"], tx["maxPriorityFeePerGas"], tx["maxFeePerGas"]) == (2, tip, 2 * base + tip)


def test_the_tip_is_the_nodes_max_priority_fee(transfer, rpc_proxy):
    proxy = rpc_proxy(
        {
            "eth_getBlockByNumber": base_fee(7 * GWEI),
            "eth_maxPriorityFeePerGas": {"result": hex(2 * GWEI)},
        }
    )

    tx = sent(transfer("--rpc-url", proxy.url))

    assert (tx["type"], tx["maxPriorityFeePerGas"], tx["maxFeePerGas"]) == (2, 2 * GWEI, 16 * GWEI)
    assert "eth_gasPrice" not in proxy.methods


@pytest.mark.parametrize(
    ("gas_price", "tip"), [(10 * GWEI, 3 * GWEI), (5 * GWEI, 0)], ids=["above", "below"]
)
def test_without_max_priority_fee_the_tip_is_the_gas_price_over_the_base_fee(
    transfer, rpc_proxy, gas_price, tip
):
    proxy = rpc_proxy(
        {
            "eth_getBlockByNumber": base_fee(7 * GWEI),
            "eth_maxPriorityFeePerGas": NO_SUCH_METHOD,
            "eth_gasPrice": {"result": hex(gas_price)},
        }
    )

    tx = sent(transfer("--rpc-url", proxy.url))

    assert (tx["type"], tx["maxPriorityFeePerGas"], tx["maxFeePerGas"]) == (
        2,
        tip,
        14 * GWEI + tip,
    )


def test_on_a_chain_without_base_fee_a_transaction_is_legacy_at_the_gas_price(transfer, rpc_proxy):
    proxy = rpc_proxy(
        {"eth_getBlockByNumber": no_base_fee, "eth_gasPrice": {"result": hex(3 * GWEI)}}
    )

    tx = sent(transfer("--rpc-url", proxy.url))

    assert (tx["type"], tx["gasPrice"]) == (0, 3 * GWEI)
    assert "maxFeePerGas" not in tx
    assert "eth_maxPriorityFeePerGas" not in proxy.methods


CHAINS = {
    # answers of the stand-in, and the quote's fields: type, gwei per gas at the base fee, base
    # fee, tip and cap, and the per-gas price of its cost and of its most.
    "anvil": ({}, None, None, None),  # the tip is the test chain's (`anvil_tip`)
    "base fee": (
        {
            "eth_getBlockByNumber": base_fee(7 * GWEI),
            "eth_maxPriorityFeePerGas": {"result": hex(2 * GWEI)},
        },
        ("eip1559", "9", "7", "2", "16"),
        9 * GWEI,
        16 * GWEI,
    ),
    "legacy": (
        {"eth_getBlockByNumber": no_base_fee, "eth_gasPrice": {"result": hex(3 * GWEI)}},
        ("legacy", "3", None, None, "3"),
        3 * GWEI,
        3 * GWEI,
    ),
}


@pytest.mark.parametrize(("answers", "fields", "price", "most"), CHAINS.values(), ids=CHAINS)
def test_dry_run_prices_the_gas_at_the_fees_the_post_would_pay(
    cli_json, rpc_proxy, unchanged, buyer, funded, answers, fields, price, most
):
    funded(buyer, gmkt_amount=20 * GMKT)
    proxy = rpc_proxy(answers)
    if fields is None:
        tip = anvil_tip()
        gwei = format_amount(tip, 9)
        fields, price, most = ("eip1559", gwei, "0", gwei, gwei), tip, tip

    with unchanged(buyer):
        quote = cli_json(*POST, "--dry-run", "--account", dev(buyer), "--rpc-url", proxy.url)

    keys = (
        "fee_type",
        "gas_price_gwei",
        "base_fee_gwei",
        "max_priority_fee_per_gas_gwei",
        "max_fee_per_gas_gwei",
    )
    assert tuple(quote[k] for k in keys) == fields
    assert quote["gas_cost_eth"] == format_amount(quote["gas"] * price, 18)
    assert quote["max_gas_cost_eth"] == format_amount(quote["gas"] * most, 18)


def test_dry_run_for_people_names_the_base_fee_the_tip_and_the_cap(cli, rpc_proxy, buyer, funded):
    funded(buyer, gmkt_amount=20 * GMKT)
    proxy = rpc_proxy(CHAINS["base fee"][0])

    result = cli(*POST, "--dry-run", "--account", dev(buyer), "--rpc-url", proxy.url)

    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("gas ")]
    gas = int(line.split()[1])
    assert line == (
        f"gas {gas} at 9 gwei: {format_amount(gas * 9 * GWEI, 18)} ETH (base fee 7 + tip 2 gwei; "
        f"at most {format_amount(gas * 16 * GWEI, 18)} ETH at the 16 gwei cap)"
    )
