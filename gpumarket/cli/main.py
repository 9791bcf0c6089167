"""The `gpumarket` command line."""

import click

from gpumarket import __version__
from gpumarket.cli.bench import bench


@click.group()
@click.version_option(__version__, prog_name="gpumarket")
def main() -> None:
    """gpumarket: a GPU compute market with on-chain escrow, staking and slashing."""


main.add_command(bench)

if __name__ == "__main__":
    main()
