"""How the CLI shows things in a terminal: addresses short enough for an 80-column table.

Every table and line that names an address shows it as `0x1234…abcd` (the checksummed address's
first four and last four hex digits) unless the command was given `--wide`; JSON always carries
the full address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: Hex digits kept at each end of a short address.
SHORT_DIGITS = 4


def short_address(address: str | None, *, wide: bool = False) -> str:
    """`0x1234…abcd` for an address (the whole of it with `wide`); "-" for none."""
    if not address:
        return "-"
    text = str(address)
    if wide or not text.startswith("0x") or len(text) <= 2 + 2 * SHORT_DIGITS + 1:
        return text
    return f"{text[: 2 + SHORT_DIGITS]}…{text[-SHORT_DIGITS:]}"


def wide_option(fn: F) -> F:
    """The `--wide` flag: full addresses instead of short ones."""
    return click.option("--wide", is_flag=True, help="Show full addresses instead of 0x1234…abcd.")(
        fn
    )
