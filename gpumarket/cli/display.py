"""How the CLI shows things in a terminal: tables and addresses that read at 80 columns.

Every table and line that names an address shows it as `0x1234…abcd` (the checksummed address's
first four and last four hex digits) unless the command was given `--wide`; JSON always carries
the full address. Tables (`table`) have no border and narrow padding, and their columns are
chosen so a listing fits 80 columns (`tests/cli/test_fits.py` renders each at that width).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # rich is imported when a table is drawn, not by the CLI's help
    from rich.table import Column, Table

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


def table(*columns: str | Column, title: str | None = None) -> Table:
    """A table that reads at 80 columns: a rule under the header, no border, and two spaces
    between columns (the box's blank separator and one space of padding)."""
    from rich import box
    from rich.table import Table

    return Table(
        *columns,
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )


def address_column(header: str) -> Column:
    """A table column of addresses, never wrapped."""
    from rich.table import Column

    return Column(header, no_wrap=True)


def wide_option(fn: F) -> F:
    """The `--wide` flag: full addresses instead of short ones."""
    return click.option("--wide", is_flag=True, help="Show full addresses instead of 0x1234…abcd.")(
        fn
    )
