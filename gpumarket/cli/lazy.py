"""Subcommands imported when they run, so `gpumarket --help` starts in a fraction of a second.

Click's documented LazyGroup pattern: a group knows each subcommand by name, as `module:attr`,
and imports it only when it is invoked (or completed, or its own help is asked for). The chain
commands import web3 (about a second on its own); the services import numpy and aiohttp: none
of that is paid to list the commands. A group's help lists each subcommand with the one-line
summary registered beside it, so listing imports nothing either;
`tests/cli/test_lazy.py` checks every summary against its command's own docstring.

A command's own `--help` imports its module, so the modules import the chain side in the bodies
that use it (`from gpumarket.cli.session import Session` at the top of a module only under
`TYPE_CHECKING`): no command's help imports web3, eth-*, numpy, rich or pydantic, which
`tests/cli/test_lazy.py` checks for every command of the tree.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import click


class Lazy(NamedTuple):
    """A subcommand: where it lives (`package.module:attr`) and its one-line summary."""

    target: str
    summary: str


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, Lazy] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, Lazy] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(load(self.lazy[cmd_name].target), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's listing, with the registered summaries of subcommands not yet imported."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, summary_line(self.lazy[name].summary, limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def summary_line(summary: str, limit: int) -> str:
    """`summary` as click shortens a command's help to `limit` characters in a listing."""
    return click.Command(None, help=summary).get_short_help_str(limit)


def load(target: str) -> click.Command:
    """The click command at `package.module:attr`."""
    module_name, _, attr = target.partition(":")
    command = getattr(importlib.import_module(module_name), attr)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command
