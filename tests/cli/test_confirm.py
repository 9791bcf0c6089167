"""On a chain that is not a dev chain every transaction is confirmed first (after its pre-flight,
naming the sender, the chain and the gas), unless --yes is given; declined, or with no one to ask,
nothing is sent. On dev chains nothing is asked. The live chain is the test chain behind a
stand-in node that serves Sepolia's chain id (`live_proxy`)."""

from __future__ import annotations

import json

import pytest
from brownie import accounts, web3

from gpumarket.cli.accounts import dev_account

from .conftest import GMKT, dev


@pytest.fixture
def live(cli, live_proxy, buyer, funded):
    """live(*args, input=None) -> the result of a command against the live stand-in, sent from
    `buyer` (its key in GPUMARKET_PRIVATE_KEY: dev accounts are for dev chains only), and the
    JSON-RPC methods it asked."""
    url, deployment, proxy = live_proxy
    funded(buyer, gmkt_amount=100 * GMKT)
    key = "0x" + bytes(dev_account(list(accounts).index(buyer)).key).hex()

    def _run(*args, input=None):
        result = cli(
            *args,
            "--rpc-url", url,
            "--deployment", deployment,
            env={"GPUMARKET_PRIVATE_KEY": key},
            input=input,
        )  # fmt: skip
        return result, proxy.methods

    return _run


SPENDING = {
    "token transfer": ("token", "transfer", "GMKT", "0x" + "ab" * 20, "5"),
    "provider stake": ("provider", "stake", "50"),
    "buyer post": (
        "buyer", "post", "--gpus", "1", "--duration", "1h", "--max-price", "2", "--bidding", "10m",
    ),
}  # fmt: skip


@pytest.mark.parametrize("args", SPENDING.values(), ids=SPENDING.keys())
def test_declined_on_a_live_chain_nothing_is_sent(live, unchanged, buyer, args):
    with unchanged(buyer):
        result, methods = live(*args, input="n\n")

    assert result.exit_code == 1, result.output
    question, error = result.stderr.splitlines()[-2:]
    assert f": send from {buyer.address} on chain 11155111 (sepolia), gas up to " in question
    assert question.endswith("? [y/N]: n")
    assert error.endswith(": not confirmed, so it was not sent")
    assert "eth_sendRawTransaction" not in methods
    assert "eth_estimateGas" in methods  # the pre-flight came before the question


def test_with_no_one_to_ask_nothing_is_sent_and_yes_is_named(live, unchanged, buyer):
    with unchanged(buyer):
        result, methods = live(*SPENDING["token transfer"], "--json")

    assert result.exit_code == 1, result.output
    error = json.loads(result.stdout)
    assert error["code"] == "not_confirmed"
    assert error["error"] == (
        f"transfer 5 GMKT to {web3.to_checksum_address('0x' + 'ab' * 20)}: not confirmed (no "
        "answer; pass --yes to send without asking), so it was not sent"
    )
    assert "eth_sendRawTransaction" not in methods


@pytest.mark.parametrize("answer", ["y\n", None], ids=["confirmed", "--yes"])
def test_confirmed_or_with_yes_it_is_sent(live, answer):
    args = SPENDING["token transfer"] if answer else (*SPENDING["token transfer"], "--yes")

    result, methods = live(*args, input=answer)

    # The stand-in refuses it (signed for Sepolia's chain id); what matters is that it went.
    assert methods.count("eth_sendRawTransaction") >= 1
    assert "stand-in: not broadcast" in result.stderr
    assert ("[y/N]" in result.stderr) == (answer is not None)


def test_the_question_names_the_fees_and_they_are_what_is_signed(live, live_proxy):
    from eth_account.typed_transactions import TypedTransaction
    from hexbytes import HexBytes

    from gpumarket.cli.units import format_amount

    tip = int(web3.provider.make_request("eth_maxPriorityFeePerGas", [])["result"], 16)

    result, _ = live(*SPENDING["token transfer"], input="y\n")

    question = next(line for line in result.stderr.splitlines() if "[y/N]" in line)
    gas = int(question.split("gas up to ")[1].split()[0].replace(",", ""))
    # The test chain's base fee is 0: the cap is the tip.
    assert question.endswith(
        f"gas up to {gas:,} at up to {format_amount(tip, 9)} gwei (base fee 0 + tip "
        f"{format_amount(tip, 9)}): {format_amount(gas * tip, 18)} ETH at most? [y/N]: y"
    )
    proxy = live_proxy[2]
    (raw,) = [c["params"][0] for c in proxy.calls if c["method"] == "eth_sendRawTransaction"]
    signed = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
    assert (signed["gas"], signed["maxFeePerGas"], signed["maxPriorityFeePerGas"]) == (
        gas,
        tip,
        tip,
    )


def test_a_refused_pre_flight_is_refused_before_anything_is_asked(live, unchanged, buyer):
    with unchanged(buyer):
        result, _ = live("token", "transfer", "GMKT", "0x" + "ab" * 20, "5000000", input="y\n")

    assert result.exit_code == 1
    assert "[y/N]" not in result.stderr


def test_on_a_dev_chain_nothing_is_asked(cli, buyer, funded, stranger):
    funded(buyer, gmkt_amount=10 * GMKT)

    result = cli("token", "transfer", "GMKT", stranger.address, "1", "--account", dev(buyer))

    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.stderr
