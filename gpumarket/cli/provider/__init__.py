"""`gpumarket provider ...`: stake GMKT, advertise GPUs and prices, bid for jobs, and follow them.

Prices are per GPU-hour in the payment token's own units (`--price GMKT=2.5 --price USDC=1.8`).
Every sending command checks what it can first and sends nothing when the answer is no.

offers.py: register, update; staking.py: stake, unstake, withdraw; bidding.py: bid, accept;
results.py: submit; overview.py: status, bids, jobs.
"""

from __future__ import annotations

import click

from gpumarket.cli.provider.bidding import accept, bid
from gpumarket.cli.provider.offers import register, update
from gpumarket.cli.provider.overview import bids, jobs, status
from gpumarket.cli.provider.results import submit
from gpumarket.cli.provider.staking import stake, unstake, withdraw


@click.group()
def provider() -> None:
    """Providers: stake, advertise GPUs and prices, bid for jobs, submit results, follow them."""


for _command in (
    register,
    update,
    stake,
    unstake,
    withdraw,
    status,
    bids,
    jobs,
    bid,
    accept,
    submit,
):
    provider.add_command(_command)
