"""`gpumarket provider bid | accept`: bid on open auctions, or accept a job assigned directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gpumarket.chain.types import JobState
from gpumarket.chain.views import ZERO_ADDRESS
from gpumarket.cli.errors import CliError, refusal
from gpumarket.cli.jobs import eligibility_problem, job_of, require_state
from gpumarket.cli.options import chain_command

if TYPE_CHECKING:
    from gpumarket.cli.session import Session


@chain_command("bid", sends=True)
@click.argument("job_id", type=int)
@click.argument("price")
def bid(session: Session, job_id: int, price: str) -> None:
    """Bid PRICE per GPU-hour (in the job's token) on open auction JOB_ID, or lower your bid."""
    job = job_of(session, job_id)
    token = session.token(job.token)
    raw = token.parse(price, what="price")
    me = session.sender.address
    require_state(job_id, job, JobState.OPEN)
    if job.provider != ZERO_ADDRESS:
        raise refusal(("JobMarketDirectAssignment", (job_id,)))
    if session.now() >= job.bidding_ends:
        raise refusal(("JobMarketBiddingClosed", (job_id, job.bidding_ends)))
    session.require_unpaused("JobMarket", "market")
    hints = session.hints(token, (JobState.OPEN,))
    if raw > job.max_price:
        raise refusal(("JobMarketInvalidPrice", (raw, job.max_price)), hints)
    market = session.contract("JobMarket").functions
    for placed in session.structs(market.bidsOf(job_id)):
        current = int(placed["price"])
        if placed["provider"] == me and raw >= current:
            raise refusal(("JobMarketBidNotLower", (job_id, current, raw)), hints)
    problem = eligibility_problem(session, job_id, job, me)
    if problem:
        raise CliError(problem, code="JobMarketNotEligible")
    session.send(
        market.bid(job_id, raw), f"bid {token.format(raw)}/GPU-hour on job {job_id}", hints
    )
    session.result(
        {
            "job_id": job_id,
            "provider": me,
            "price_per_gpu_hour": token.plain(raw),
            "token": token.symbol,
        },
        lambda: click.echo(f"bid {token.format(raw)} per GPU-hour on job {job_id}"),
    )


@chain_command("accept", sends=True)
@click.argument("job_id", type=int)
def accept(session: Session, job_id: int) -> None:
    """Accept JOB_ID, a job assigned directly to you, at its posted price."""
    job = job_of(session, job_id)
    me = session.sender.address
    if job.provider != me:
        raise refusal(("JobMarketNotProvider", (job_id, me)))
    require_state(job_id, job, JobState.OPEN)
    if session.now() >= job.bidding_ends:
        raise refusal(("JobMarketDeadlinePassed", (job_id, job.bidding_ends)))
    session.require_unpaused("JobMarket", "market")
    problem = eligibility_problem(session, job_id, job, me)
    if problem:
        raise CliError(problem, code="JobMarketNotEligible")
    token = session.token(job.token)
    market = session.contract("JobMarket").functions
    receipt = session.send(
        market.acceptJob(job_id), f"accept job {job_id}", session.hints(token, (JobState.OPEN,))
    )
    (matched,) = session.receipt_events(receipt, "JobMarket", "JobMatched")
    session.result(
        {
            "job_id": job_id,
            "provider": me,
            "price_per_gpu_hour": token.plain(int(matched["args"]["price"])),
            "value": token.plain(int(matched["args"]["value"])),
            "collateral": session.gmkt.plain(int(matched["args"]["collateral"])),
        },
        lambda: click.echo(
            f"job {job_id} is yours at {token.format(int(matched['args']['price']))} per GPU-hour"
        ),
    )
