"""Brownie return values and events as plain Python, and exact block timestamps, for tests."""

from __future__ import annotations

from typing import Any

from brownie import web3


def plain(value: Any) -> Any:
    """A call's or event's value as plain Python (tuples, dicts, bytes, int, str), since Brownie's
    return types refuse to compare with raw bytes."""
    if isinstance(value, dict):
        return {key: plain(value[key]) for key in value.keys()}
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


def event(tx: Any, name: str) -> dict[str, Any]:
    """The single `name` event of `tx`, as a plain dict."""
    (only,) = events(tx, name)
    return only


def events(tx: Any, name: str) -> list[dict[str, Any]]:
    """Every `name` event of `tx`, in order, as plain dicts."""
    return [plain(dict(e)) for e in tx.events[name]]


def set_next_block_timestamp(timestamp: int) -> None:
    """Make the next block (the next transaction) carry exactly `timestamp`.

    anvil has `evm_setNextBlockTimestamp`; ganache 7 has only `evm_setTime`, which starts its clock
    at `timestamp`, so a transaction sent within the next second gets exactly `timestamp`.
    """
    if web3.client_version.lower().startswith("anvil"):
        response = web3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    else:
        response = web3.provider.make_request("evm_setTime", [timestamp * 1000])
    if "error" in response:
        raise RuntimeError(f"cannot set the next block timestamp: {response['error']}")
