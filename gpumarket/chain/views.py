"""What contract views return, decoded by the ABI's names.

web3 returns a struct as a bare tuple, an array of structs as a list of them, and several return
values as a tuple. Every reader (the CLI, the agent, the oracle) turns them into dicts keyed by
the field names of the function's ABI here, so a field added to a struct, or moved within it,
changes no reader. Brownie's return values already carry the names, and the Brownie side (tests,
demo, bench) reads them by name too.
"""

from __future__ import annotations

from typing import Any


def _fields(fn: Any) -> list[str]:
    return [component["name"] for component in fn.abi["outputs"][0]["components"]]


def struct(fn: Any, value: Any) -> dict[str, Any]:
    """The struct that view call `fn` returned, keyed by the ABI's field names."""
    return dict(zip(_fields(fn), value, strict=True))


def structs(fn: Any, values: Any) -> list[dict[str, Any]]:
    """The array of structs that view call `fn` returned (`bidsOf`), each keyed by field name."""
    names = _fields(fn)
    return [dict(zip(names, value, strict=True)) for value in values]


def outputs(fn: Any, values: Any) -> dict[str, Any]:
    """The several values that view call `fn` returned (`tokenConfig`), keyed by output name."""
    names = [output["name"] for output in fn.abi["outputs"]]
    return dict(zip(names, values, strict=True))


def call_struct(client: Any, fn: Any, block: int | str = "latest") -> dict[str, Any]:
    """Call view `fn` with `client` (a ChainClient) at `block` and decode its struct by name."""
    return struct(fn, client.call(fn, block))
