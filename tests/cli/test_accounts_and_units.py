"""Accounts (dev, keystore, private key), the RPC URL default, amount parsing and error sentences.

The keystore tests go through the chain; the rest are pure functions.
"""

from __future__ import annotations

import json
import re

import pytest
from eth_account import Account

from gpumarket.chain.types import JobState
from gpumarket.cli.accounts import address_of, signer
from gpumarket.cli.errors import CliError, Hints, explain
from gpumarket.cli.options import brownie_rpc_url
from gpumarket.cli.units import (
    format_amount,
    parse_amount,
    parse_duration,
    parse_region,
    parse_url,
)

from .conftest import GMKT, STAKE


@pytest.fixture
def keystore(tmp_path, funded, governance):
    """A Brownie-style keystore `alice.json` (password "s3cret") of a funded fresh account."""
    alice = Account.create()
    folder = tmp_path / "keystores"
    folder.mkdir()
    encrypted = Account.encrypt(alice.key, "s3cret", kdf="pbkdf2", iterations=1_000)
    (folder / "alice.json").write_text(json.dumps(encrypted))
    governance.transfer(alice.address, 10**18, silent=True)
    funded(alice.address, gmkt_amount=STAKE)
    return alice


def test_a_keystore_account_signs_with_the_password_from_the_environment(
    cli_json, keystore, registry
):
    out = cli_json(
        "provider",
        "stake",
        "1000",
        "--account",
        "alice",
        env={"GPUMARKET_ACCOUNT_PASSWORD": "s3cret"},
    )

    assert out["provider"] == keystore.address
    assert registry.providerInfo(keystore.address)["stake"] == 1_000 * GMKT


def test_a_keystore_password_can_be_typed_at_the_prompt(cli, keystore, registry):
    result = cli("provider", "stake", "1000", "--account", "alice", "--json", input="s3cret\n")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["provider"] == keystore.address
    assert "password for account 'alice'" in result.stderr


def test_a_wrong_keystore_password_is_refused(cli, unchanged, keystore):
    with unchanged(keystore.address):
        result = cli(
            "provider",
            "stake",
            "1000",
            "--account",
            "alice",
            env={"GPUMARKET_ACCOUNT_PASSWORD": "wrong"},
        )

    assert result.exit_code == 1
    assert result.stderr == "Error: wrong password for account 'alice'\n"


def test_read_only_commands_take_a_keystore_address_without_its_password(cli_json, keystore):
    out = cli_json("provider", "status", "--account", "alice")

    assert out["provider"] == keystore.address
    assert out["registered"] is False


def test_a_private_key_in_the_environment_signs(cli_json, keystore, registry):
    out = cli_json("provider", "stake", "1000", env={"GPUMARKET_PRIVATE_KEY": keystore.key.hex()})

    assert out["provider"] == keystore.address


# ------------------------------------------------------------------ pure


def test_dev_accounts_are_refused_on_a_chain_that_is_not_a_dev_chain():
    with pytest.raises(CliError) as refused:
        signer("dev0", 11155111)

    assert refused.value.message == (
        "dev accounts such as dev0 exist only on dev chains (chain ids 1337, 31337); chain "
        "11155111 needs a keystore account (`brownie accounts new NAME`)"
    )


def test_dev_accounts_are_anvils_default_accounts():
    assert signer("dev0", 31337).address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert address_of("dev1", 1337) == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_the_rpc_url_comes_from_brownies_network_config(tmp_path):
    config = tmp_path / "network-config.yaml"
    config.write_text(
        "development:\n"
        "  - {id: development, host: 'http://127.0.0.1', cmd_settings: {port: 8545}}\n"
        "live:\n"
        "  - name: Ethereum\n"
        "    networks:\n"
        "      - {id: sepolia, host: 'https://rpc.sepolia.example/v1'}\n"
    )

    assert brownie_rpc_url("development", config) == "http://127.0.0.1:8545"
    assert brownie_rpc_url("sepolia", config) == "https://rpc.sepolia.example/v1"
    assert brownie_rpc_url("mainnet", config) is None
    assert brownie_rpc_url("development", tmp_path / "missing.yaml") is None


@pytest.mark.parametrize(
    "text, decimals, units",
    [("2.5", 18, 25 * 10**17), ("0.000001", 6, 1), ("1_000", 6, 10**9), (".5", 2, 50)],
)
def test_amounts_are_parsed_in_the_tokens_decimals(text, decimals, units):
    assert parse_amount(text, decimals, "T", what="amount") == units


@pytest.mark.parametrize(
    "text, message",
    [
        ("1.5.2", "amount '1.5.2' is not a number"),
        ("NaN", "amount 'NaN' is not a number"),
        ("inf", "amount 'inf' is not a number"),
        ("", "amount '' is not a number"),
        ("-0.1", "amount -0.1 is negative"),
        ("0.0", "amount must be more than zero"),
        ("0.1234567", "amount 0.1234567 has more decimals than USDC allows (6)"),
    ],
)
def test_bad_amounts_are_refused_with_a_sentence(text, message):
    with pytest.raises(ValueError) as refused:
        parse_amount(text, 6, "USDC", what="amount")

    assert str(refused.value) == message


def test_amounts_are_printed_exactly():
    assert format_amount(12_345 * 10**14, 18) == "1.2345"
    assert format_amount(10**24, 18) == "1000000"
    assert format_amount(1, 6) == "0.000001"
    assert format_amount(0, 6) == "0"


def test_durations_take_units():
    assert [parse_duration(t, what="d") for t in ("90", "90s", "15m", "2h", "1d", "1w")] == [
        90,
        90,
        900,
        7200,
        86_400,
        604_800,
    ]


def test_durations_may_be_fractional_in_whole_seconds():
    assert [parse_duration(t, what="d") for t in ("1.5h", "0.5m", ".5d", "2.25m")] == [
        5_400,
        30,
        43_200,
        135,
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("0.5s", "d 0.5s is not a whole number of seconds"),
        ("-1.5h", "d -1.5h is negative"),
        ("1.5.h", "d '1.5.h' is not a duration such as 90s, 15m, 1.5h or 1d"),
    ],
)
def test_bad_durations_are_refused_with_a_sentence(text, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_duration(text, what="d")


def test_regions_are_the_countries_iso_3166_assigns():
    assert [parse_region(r) for r in ("de", "US", " jp ")] == ["DE", "US", "JP"]
    assert parse_region("any", allow_any=True) == ""
    for unassigned in ("XX", "ZZ", "UK", "EU"):
        with pytest.raises(ValueError, match="is no country's ISO 3166 alpha-2 code"):
            parse_region(unassigned)


@pytest.mark.parametrize(
    "url, ok",
    [
        ("http://my-agent:9000", True),
        ("https://10.0.0.7/results/1?x=y", True),
        ("http://my agent:9000", False),
        ("http://my-agent:9000 ", False),
        ("ftp://my-agent", False),
        ("http://:9000", False),
        ("http://my-agent:99999", False),
        ("my-agent:9000", False),
    ],
)
def test_urls_are_checked_by_a_parser(url, ok):
    if ok:
        assert parse_url(url, what="endpoint") == url
    else:
        with pytest.raises(ValueError, match=f"^endpoint {re.escape(repr(url))} is not an http"):
            parse_url(url, what="endpoint")


def test_custom_errors_become_sentences():
    hints = Hints(needs=(JobState.OPEN,), amount=lambda v: f"{v / 10**6:g} USDC")

    assert explain(("JobMarketWrongState", (7, 2)), hints) == "job 7 is RUNNING; this needs OPEN"
    assert explain(("ERC20InsufficientAllowance", ("0xAb", 0, 2_000_000)), hints) == (
        "the allowance of 0xAb is 0 USDC; 2 USDC is needed"
    )
    assert explain(("EnforcedPause", ()), hints) == (
        "the contract is paused; try again once it is unpaused"
    )


def test_an_error_without_a_sentence_is_named_with_its_arguments():
    assert explain(("OracleCouncilNotMember", ("0xAb",))) == (
        "the transaction would revert with OracleCouncilNotMember(0xAb)"
    )
    assert explain(("JobMarketWrongState", ())) == (
        "the transaction would revert with JobMarketWrongState()"
    )
    assert explain(None) == "the transaction would revert without a reason the CLI knows"
