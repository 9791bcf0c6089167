"""`gpumarket buyer ...`: post jobs with escrowed payment, pick providers, settle or dispute.

Amounts are in the payment token's own units and prices per GPU-hour. A job's deposit is
`max price x GPUs x hours`; with a token that takes EIP-2612 permits it is approved and posted in
one transaction (`postJobWithPermit`), otherwise an `approve` step is shown and sent first.

posting.py: post; lifecycle.py: accept, close, cancel, dispute, finalize, timeout, claim;
overview.py: status, jobs; results.py: result; watch.py: watch.
"""

from __future__ import annotations

import click

from gpumarket.cli.buyer.lifecycle import accept, cancel, claim, close, dispute, finalize, timeout
from gpumarket.cli.buyer.overview import jobs, status
from gpumarket.cli.buyer.posting import post
from gpumarket.cli.buyer.results import result
from gpumarket.cli.buyer.watch import watch


@click.group()
def buyer() -> None:
    """Buyers: post GPU jobs with escrowed payment, pick providers, settle or dispute."""


for _command in (
    post,
    accept,
    close,
    cancel,
    dispute,
    finalize,
    timeout,
    claim,
    status,
    jobs,
    result,
    watch,
):
    buyer.add_command(_command)
