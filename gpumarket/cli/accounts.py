"""Who a command acts as: dev accounts, Brownie keystores, or GPUMARKET_PRIVATE_KEY.

`--account devN` is account N of anvil's mnemonic and works only on a dev chain; any other name
is a Brownie keystore (`~/.brownie/accounts/NAME.json`, or GPUMARKET_KEYSTORE_DIR), unlocked with
GPUMARKET_ACCOUNT_PASSWORD or a prompt. `address_of` answers views without unlocking anything.
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any, cast

import click
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import is_hex_address, to_checksum_address

from gpumarket.chain.deployment import DEV_CHAIN_IDS
from gpumarket.cli.errors import CliError

# Dev accounts work only on DEV_CHAIN_IDS, the local development chains (anvil, ganache).
#: anvil's default mnemonic; Brownie's `development` network (anvil) funds these accounts.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 20


def dev_account(index: int) -> LocalAccount:
    """Dev account `index` of the dev mnemonic (GPUMARKET_DEV_MNEMONIC overrides anvil's)."""
    Account.enable_unaudited_hdwallet_features()
    mnemonic = os.environ.get("GPUMARKET_DEV_MNEMONIC", DEV_MNEMONIC)
    return _dev_account(mnemonic, index)


@functools.lru_cache(maxsize=64)
def _dev_account(mnemonic: str, index: int) -> LocalAccount:
    return cast(
        LocalAccount, Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}")
    )


def keystore_dir() -> Path:
    return Path(os.environ.get("GPUMARKET_KEYSTORE_DIR") or Path.home() / ".brownie" / "accounts")


def _keystore(name: str) -> dict[str, Any]:
    path = keystore_dir() / f"{name}.json"
    try:
        return cast(dict[str, Any], json.loads(path.read_text()))
    except FileNotFoundError:
        raise CliError(
            f"there is no account {name!r}: no keystore {path} (create one with "
            f"`brownie accounts new {name}`)",
            code="account",
        ) from None
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read the keystore {path}: {exc}", code="account") from None


def _dev_index(name: str, chain_id: int) -> int | None:
    match = re.fullmatch(r"dev(\d+)", name)
    if match is None:
        return None
    if chain_id not in DEV_CHAIN_IDS:
        raise CliError(
            f"dev accounts such as {name} exist only on dev chains (chain ids "
            f"{', '.join(str(c) for c in sorted(DEV_CHAIN_IDS))}); chain {chain_id} needs a "
            "keystore account (`brownie accounts new NAME`)",
            code="account",
        )
    index = int(match.group(1))
    if index >= DEV_ACCOUNT_COUNT:
        raise CliError(
            f"dev accounts are dev0 to dev{DEV_ACCOUNT_COUNT - 1}; {name} is not one",
            code="account",
        )
    return index


def signer(name: str | None, chain_id: int) -> LocalAccount:
    """The account that signs: `name` (dev account or keystore), else GPUMARKET_PRIVATE_KEY."""
    if name is None:
        key = os.environ.get("GPUMARKET_PRIVATE_KEY")
        if not key:
            raise CliError(
                "this command sends a transaction: name the sender with --account (dev0..dev19 "
                "on a dev chain, or a Brownie keystore account) or set GPUMARKET_PRIVATE_KEY",
                code="account",
            )
        try:
            return cast(LocalAccount, Account.from_key(key))
        except (ValueError, TypeError):
            raise CliError(
                "GPUMARKET_PRIVATE_KEY is not a valid private key", code="account"
            ) from None
    index = _dev_index(name, chain_id)
    if index is not None:
        return dev_account(index)
    encrypted = _keystore(name)
    password = os.environ.get("GPUMARKET_ACCOUNT_PASSWORD")
    if password is None:
        password = click.prompt(f"password for account {name!r}", hide_input=True, err=True)
    try:
        return cast(LocalAccount, Account.from_key(Account.decrypt(encrypted, password)))
    except ValueError:
        raise CliError(f"wrong password for account {name!r}", code="account") from None


def address_of(name: str | None, chain_id: int) -> str | None:
    """The address `name` stands for, without unlocking a keystore (or an 0x address as is)."""
    if name is None:
        key = os.environ.get("GPUMARKET_PRIVATE_KEY")
        return signer(None, chain_id).address if key else None
    if is_hex_address(name):
        return to_checksum_address(name)
    index = _dev_index(name, chain_id)
    if index is not None:
        return dev_account(index).address
    address = _keystore(name).get("address")
    if not address or not is_hex_address("0x" + str(address).removeprefix("0x")):
        raise CliError(f"the keystore of {name!r} names no address", code="account")
    return to_checksum_address("0x" + str(address).removeprefix("0x"))
