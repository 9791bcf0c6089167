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
#: What no command's help may pay for: web3 and eth-* (about a second), Brownie, numpy, torch,
#: aiohttp and requests (the services'), rich (tables) and pydantic (settings).
HEAVY = (
    "web3", "eth_account", "eth_abi", "eth_utils", "eth_typing", "hexbytes", "brownie",
    "numpy", "torch", "aiohttp", "requests", "rich", "pydantic",
)  # fmt: skip


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


#: One process walks the whole tree: each command's `--help` as `gpumarket ... --help` runs it,
#: then the heavy modules loaded so far, each charged to the first command that loaded it.
WALK = """
import contextlib, io, json, sys
import click
from gpumarket.cli.main import main

heavy = set(sys.argv[1:])
blame, helps, todo = {}, {}, [[]]
while todo:
    path = todo.pop(0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*path, "--help"], standalone_mode=False)
    helps[" ".join(path)] = [code, out.getvalue()]
    for module in sys.modules:
        if module.split(".")[0] in heavy:
            blame.setdefault(module.split(".")[0], " ".join(path))
    command, ctx = main, click.Context(main)
    for name in path:
        command = command.get_command(ctx, name)
        ctx = click.Context(command, ctx, info_name=name)
    if isinstance(command, click.Group):
        todo.extend([*path, name] for name in command.list_commands(ctx))
print(json.dumps({"blame": blame, "helps": helps}))
"""


def test_no_commands_help_imports_a_heavy_library():
    """`gpumarket [GROUP] COMMAND --help`, for every command of the tree (the chain commands
    included), imports neither web3 and eth-* nor Brownie, numpy, torch, aiohttp, rich or pydantic:
    a command's module imports them in its body, when it runs (cli/lazy.py)."""
    done = subprocess.run(
        [sys.executable, "-c", WALK, *HEAVY], capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout.splitlines()[-1])
    helps = report["helps"]
    walked = {"", "buyer", "buyer post", "provider stake", "deploy", "dev fund", "bench"}
    assert walked <= set(helps)
    assert len(helps) >= 50
    for path, (code, text) in helps.items():
        assert code == 0 and "Usage: " in text, path
        if path in ("", "buyer", "provider", "admin", "dev"):
            assert "Commands:" in text, path
    assert report["blame"] == {}, "imported by the help of: " + json.dumps(report["blame"])
