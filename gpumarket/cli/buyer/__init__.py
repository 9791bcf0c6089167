"""`gpumarket buyer ...`: post jobs with escrowed payment, pick providers, settle or dispute.

Amounts are in the payment token's own units and prices per GPU-hour. A job's deposit is
`max price x GPUs x hours`; with a token that takes EIP-2612 permits it is approved and posted in
one transaction (`postJobWithPermit`), otherwise an `approve` step is shown and sent first.

posting.py: post; lifecycle.py: accept, close, cancel, dispute, finalize, timeout, claim;
overview.py: status, jobs; results.py: result; watch.py: watch.
"""

from __future__ import annotations

import click

from gpumarket.cli.lazy import Lazy, LazyGroup

_LIFECYCLE = "gpumarket.cli.buyer.lifecycle"
#: The subcommands, each imported when it runs (cli/lazy.py), with its one-line summary.
COMMANDS = {
    "post": Lazy(
        "gpumarket.cli.buyer.posting:post",
        "Post a job and escrow max price x GPUs x hours of the token (--dry-run: quote it).",
    ),
    "accept": Lazy(
        f"{_LIFECYCLE}:accept",
        "Accept PROVIDER's bid (an address or an account name) on your job JOB_ID (any time "
        "while it is open).",
    ),
    "close": Lazy(
        f"{_LIFECYCLE}:close",
        "Close JOB_ID's auction after its bidding period (anyone): the best eligible bid wins; "
        "with none the job is cancelled and its buyer refunded.",
    ),
    "cancel": Lazy(
        f"{_LIFECYCLE}:cancel",
        "Cancel your unmatched job JOB_ID for a full refund: with no bids, or while the market is "
        "paused.",
    ),
    "dispute": Lazy(
        f"{_LIFECYCLE}:dispute",
        "Dispute your job JOB_ID's result within its window, posting the bond.",
    ),
    "finalize": Lazy(
        f"{_LIFECYCLE}:finalize",
        "Settle JOB_ID after its dispute window (or an unresolved dispute's timeout): anyone.",
    ),
    "timeout": Lazy(
        f"{_LIFECYCLE}:timeout",
        "Fail running job JOB_ID whose result is overdue: refund and compensation (anyone).",
    ),
    "claim": Lazy(
        f"{_LIFECYCLE}:claim",
        "Claim payouts in TOKEN that the token refused to deliver (a blacklisting stablecoin).",
    ),
    "status": Lazy(
        "gpumarket.cli.buyer.overview:status",
        "Job JOB_ID: its spec, money, every deadline (a date and the time left), collateral, "
        "benchmark and challenge, the council's votes, the result, and the bids.",
    ),
    "jobs": Lazy("gpumarket.cli.buyer.overview:jobs", "The jobs this buyer posted."),
    "result": Lazy(
        "gpumarket.cli.buyer.results:result",
        "Fetch JOB_ID's result, check its sha256 against the chain, and write it to PATH.",
    ),
    "watch": Lazy(
        "gpumarket.cli.buyer.watch:watch",
        "Follow job JOB_ID live, a line per event, until it is over (exit 0) or a deadline needs "
        "you (exit 3: bidding ended, result overdue, result in during the dispute window, window "
        "closed, arbitration timed out).",
    ),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
def buyer() -> None:
    """Buyers: post GPU jobs with escrowed payment, pick providers, settle or dispute."""
