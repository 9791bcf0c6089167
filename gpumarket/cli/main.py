"""The `gpumarket` command line."""

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


@click.group()
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
