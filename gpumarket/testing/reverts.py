"""Custom-error revert strings as Brownie decodes them, for exact assertions in tests."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


def custom_error(name: str, *args: Any) -> str:
    """The revert string Brownie gives for custom error `name(args)`: `"Name: a, b"`.

    Addresses come out in lower case, bytes (bytes32, bytes2) as Python bytes literals, enums and
    integers as decimals; with no arguments it is `"Name: "`.
    """
    return f"{name}: " + ", ".join(_format_arg(arg) for arg in args)


def _format_arg(value: Any) -> str:
    if isinstance(value, IntEnum):
        return str(int(value))
    if isinstance(value, bytes):
        return str(bytes(value))
    if isinstance(value, int):
        return str(int(value))
    return str(value).lower()
