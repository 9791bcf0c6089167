"""Subcommands are imported when they run (cli/lazy.py): the summaries the groups list without
importing them are their commands' own, and `--help` imports none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from gpumarket.cli import buyer, main, provider
from gpumarket.cli.lazy import LazyGroup, load, summary_line

GROUPS = {"gpumarket": main.main, "buyer": buyer.buyer, "provider": provider.provider}
#: What a listing must not pay for: web3 and eth-* (about a second), Brownie, numpy, aiohttp, rich.
HEAVY = ("web3", "eth_account", "eth_utils", "brownie", "numpy", "aiohttp", "rich", "pydantic")


@pytest.mark.parametrize("group", GROUPS)
def test_every_registered_summary_is_its_commands_own(group):
    lazy = GROUPS[group]
    assert isinstance(lazy, LazyGroup)
    for name, entry in lazy.lazy.items():
        command = load(entry.target)
        assert command.name == name
        for limit in (45, 80, 1_000):
            expected = command.get_short_help_str(limit)
            assert summary_line(entry.summary, limit) == expected, (name, limit)


def test_the_groups_registered_lazily_are_every_subgroup_with_subcommands():
    """A group with its own subcommands (admin, token, ...) is one lazy entry of the root; the two
    large ones (buyer, provider) are lazy themselves."""
    for name, entry in main.COMMANDS.items():
        command = load(entry.target)
        if isinstance(command, click.Group) and name in ("buyer", "provider"):
            assert isinstance(command, LazyGroup)


@pytest.mark.parametrize("args", [["--help"], ["buyer", "--help"], ["provider", "--help"]])
def test_help_imports_no_heavy_library(args):
    code = (
        "import json, sys\n"
        "from gpumarket.cli.main import main\n"
        f"main({args!r}, standalone_mode=False)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.splitlines()[-1]) == []
    assert "Commands:" in out
