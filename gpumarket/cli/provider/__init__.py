"""`gpumarket provider ...`: stake GMKT, advertise GPUs and prices, bid for jobs, and follow them.

Prices are per GPU-hour in the payment token's own units (`--price GMKT=2.5 --price USDC=1.8`).
Every sending command checks what it can first and sends nothing when the answer is no.

offers.py: register, update; staking.py: stake, unstake, withdraw; bidding.py: bid, accept;
results.py: submit; overview.py: status, bids, jobs.
"""

from __future__ import annotations

import click

from gpumarket.cli.lazy import Lazy, LazyGroup

_PACKAGE = "gpumarket.cli.provider"
#: The subcommands, each imported when it runs (cli/lazy.py), with its one-line summary.
COMMANDS = {
    "register": Lazy(
        f"{_PACKAGE}.offers:register",
        "Register as a provider (needs the minimum stake) with an offer and prices per GPU-hour.",
    ),
    "update": Lazy(
        f"{_PACKAGE}.offers:update",
        "Change the offer (options not given keep their value) and set or withdraw prices.",
    ),
    "stake": Lazy(
        f"{_PACKAGE}.staking:stake",
        "Stake AMOUNT GMKT (approving the registry first when needed).",
    ),
    "unstake": Lazy(
        f"{_PACKAGE}.staking:unstake",
        "Start unbonding AMOUNT GMKT of free stake (withdrawable after the unbonding period).",
    ),
    "withdraw": Lazy(
        f"{_PACKAGE}.staking:withdraw",
        "Withdraw every unbonding entry whose period has ended.",
    ),
    "status": Lazy(
        f"{_PACKAGE}.overview:status",
        "A provider's stake, offer, prices, unbonding entries and reputation.",
    ),
    "bids": Lazy(
        f"{_PACKAGE}.overview:bids",
        "The jobs this provider bid on: its bid, the best bid, and how each auction went.",
    ),
    "jobs": Lazy(f"{_PACKAGE}.overview:jobs", "Jobs this provider won, or was directly assigned."),
    "bid": Lazy(
        f"{_PACKAGE}.bidding:bid",
        "Bid PRICE per GPU-hour (in the job's token) on open auction JOB_ID, or lower your bid.",
    ),
    "accept": Lazy(
        f"{_PACKAGE}.bidding:accept",
        "Accept JOB_ID, a job assigned directly to you, at its posted price.",
    ),
    "submit": Lazy(
        f"{_PACKAGE}.results:submit",
        "Submit the result of your running job JOB_ID before its deadline.",
    ),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
def provider() -> None:
    """Providers: stake, advertise GPUs and prices, bid for jobs, submit results, follow them."""
