"""The `gpumarket` command line."""

import click

from gpumarket import __version__
from gpumarket.cli.agent import agent
from gpumarket.cli.bench import bench
from gpumarket.cli.oracle import oracle


@click.group()
@click.version_option(__version__, prog_name="gpumarket")
def main() -> None:
    """gpumarket: a GPU compute market with on-chain escrow, staking and slashing."""


main.add_command(bench)
main.add_command(agent)
main.add_command(oracle)

if __name__ == "__main__":
    main()
