"""The `gpumarket` command line."""

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from gpumarket import __version__
from gpumarket.cli.admin import admin
from gpumarket.cli.agent import agent
from gpumarket.cli.arbiter import arbiter
from gpumarket.cli.bench import bench
from gpumarket.cli.buyer import buyer
from gpumarket.cli.deploy import deploy
from gpumarket.cli.dev import dev
from gpumarket.cli.market import market
from gpumarket.cli.oracle import oracle
from gpumarket.cli.provider import provider
from gpumarket.cli.token import token


class JsonErrors(click.Group):
    """Under --json a failure is JSON too: `{"error": sentence, "code": kind}` on stdout, one
    object like a success's, with the same nonzero exit code (1, or 2 for a usage error)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if "--json" not in argv or not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            return super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            code = getattr(exc, "code", "usage" if isinstance(exc, click.UsageError) else "error")
            _print_error(exc.format_message(), code)
            sys.exit(exc.exit_code)
        except click.Abort:
            _print_error("aborted", "aborted")
            sys.exit(1)


def _print_error(message: str, code: str) -> None:
    click.echo(json.dumps({"error": message, "code": code}, indent=2))


@click.group(cls=JsonErrors)
@click.version_option(__version__, prog_name="gpumarket")
def main() -> None:
    """gpumarket: a GPU compute market with on-chain escrow, staking and slashing."""


main.add_command(bench)
main.add_command(agent)
main.add_command(oracle)
main.add_command(deploy)
main.add_command(provider)
main.add_command(buyer)
main.add_command(market)
main.add_command(token)
main.add_command(dev)
main.add_command(arbiter)
main.add_command(admin)

if __name__ == "__main__":
    main()
