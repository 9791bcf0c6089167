"""The `gpumarket` command line."""

import click

from gpumarket import __version__


@click.group()
@click.version_option(__version__, prog_name="gpumarket")
def main() -> None:
    """gpumarket: a GPU compute market with on-chain escrow, staking and slashing."""


if __name__ == "__main__":
    main()
