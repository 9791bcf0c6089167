"""`gpumarket buyer accept | close | cancel | dispute | finalize | timeout | claim`: a posted job
from its match to its settlement, and payouts a token refused to deliver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.types import JobState
from gpumarket.chain.views import ZERO_ADDRESS, Job
from gpumarket.cli.errors import CliError, refusal
from gpumarket.cli.jobs import (
    FINALIZABLE,
    eligibility_problem,
    finalize_from,
    job_of,
    require_state,
)
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import Token

if TYPE_CHECKING:
    from web3.types import TxReceipt

    from gpumarket.cli.session import Session


def _own_job(session: Session, job_id: int, *needs: JobState) -> Job:
    """Job `job_id`, which the sender must have posted and which must be in one of `needs`."""
    job = job_of(session, job_id)
    me = session.sender.address
    if job.buyer != me:
        raise refusal(("JobMarketNotBuyer", (job_id, me)))
    require_state(job_id, job, *needs)
    return job


@chain_command("accept", sends=True)
@click.argument("job_id", type=int)
@click.argument("provider")
def accept(session: Session, job_id: int, provider: str) -> None:
    """Accept PROVIDER's bid (an address or an account name) on your job JOB_ID (any time while
    it is open)."""
    provider = session.address(provider, "provider")
    job = _own_job(session, job_id, JobState.OPEN)
    market = session.contract("JobMarket").functions
    if provider not in {b["provider"] for b in session.structs(market.bidsOf(job_id))}:
        raise refusal(("JobMarketNoBid", (job_id, provider)))
    problem = eligibility_problem(session, job_id, job, provider)
    if problem:
        raise CliError(problem, code="JobMarketNotEligible")
    token = session.token(job.token)
    receipt = session.send(
        market.acceptBid(job_id, provider),
        f"accept {provider}'s bid on job {job_id}",
        session.hints(token, (JobState.OPEN,)),
    )
    _matched(session, receipt, job_id, token)


def _matched(
    session: Session,
    receipt: TxReceipt,
    job_id: int,
    token: Token,
    extra: dict[str, Any] | None = None,
) -> None:
    (matched,) = session.receipt_events(receipt, "JobMarket", "JobMatched")
    args = matched["args"]
    refunds = [
        int(e["args"]["amount"])
        for e in session.receipt_events(receipt, "JobMarket", "EscrowReleased")
    ]
    session.result(
        {
            "job_id": job_id,
            "provider": args["provider"],
            "price_per_gpu_hour": token.plain(int(args["price"])),
            "value": token.plain(int(args["value"])),
            "collateral": session.gmkt.plain(int(args["collateral"])),
            "refunded": token.plain(sum(refunds)),
            **(extra or {}),
        },
        lambda: click.echo(
            f"job {job_id} matched to {args['provider']} at {token.format(int(args['price']))} "
            f"per GPU-hour; {token.format(sum(refunds))} of excess deposit refunded"
        ),
    )


@chain_command("close", sends=True)
@click.argument("job_id", type=int)
def close(session: Session, job_id: int) -> None:
    """Close JOB_ID's auction after its bidding period (anyone): the best eligible bid wins; with
    none the job is cancelled and its buyer refunded. A lowest bidder that is no longer eligible
    forfeits part of its stake to the buyer."""
    from eth_utils.address import to_checksum_address

    job = job_of(session, job_id)
    require_state(job_id, job, JobState.OPEN)
    if job.provider != ZERO_ADDRESS:
        raise refusal(("JobMarketDirectAssignment", (job_id,)))
    if session.now() < job.bidding_ends:
        raise refusal(("JobMarketBiddingOpen", (job_id, job.bidding_ends)))
    token = session.token(job.token)
    market = session.contract("JobMarket").functions
    receipt = session.send(
        market.closeAuction(job_id),
        f"close the auction of job {job_id}",
        session.hints(token, (JobState.OPEN,)),
    )
    forfeits = session.receipt_events(receipt, "JobMarket", "BidForfeited")
    forfeited = {
        "forfeited_by": to_checksum_address(forfeits[0]["args"]["provider"]) if forfeits else None,
        "forfeit": session.gmkt.plain(int(forfeits[0]["args"]["amount"])) if forfeits else "0",
    }
    if forfeits:
        click.echo(
            f"the lowest bidder {forfeited['forfeited_by']} was no longer eligible: it forfeited "
            f"{session.gmkt.format(int(forfeits[0]['args']['amount']))} to the buyer",
            err=True,
        )
    if not session.receipt_events(receipt, "JobMarket", "JobMatched"):
        refunds = session.receipt_events(receipt, "JobMarket", "EscrowReleased")
        refunded = sum(int(e["args"]["amount"]) for e in refunds)
        session.result(
            {"job_id": job_id, "cancelled": True, "refunded": token.plain(refunded), **forfeited},
            lambda: click.echo(
                f"job {job_id} had no eligible bid: cancelled, {token.format(refunded)} refunded"
            ),
        )
        return
    _matched(session, receipt, job_id, token, forfeited)


@chain_command("cancel", sends=True)
@click.argument("job_id", type=int)
def cancel(session: Session, job_id: int) -> None:
    """Cancel your unmatched job JOB_ID for a full refund: with no bids, or while the market is
    paused. An auction with bids ends at `buyer close`."""
    job = _own_job(session, job_id, JobState.OPEN)
    market = session.contract("JobMarket").functions
    if session.call(market.bidsOf(job_id)) and not session.call(market.paused()):
        raise refusal(("JobMarketHasBids", (job_id,)))
    token = session.token(job.token)
    session.send(
        market.cancel(job_id), f"cancel job {job_id}", session.hints(token, (JobState.OPEN,))
    )
    session.result(
        {"job_id": job_id, "refunded": token.plain(job.escrow)},
        lambda: click.echo(f"job {job_id} cancelled; {token.format(job.escrow)} refunded"),
    )


@chain_command("dispute", sends=True)
@click.argument("job_id", type=int)
@click.option("--no-approve", is_flag=True, help="Fail instead of sending an approve step.")
def dispute(session: Session, job_id: int, no_approve: bool) -> None:
    """Dispute your job JOB_ID's result within its window, posting the bond."""
    needs = (JobState.SUBMITTED, JobState.VERIFIED)
    job = _own_job(session, job_id, *needs)
    market = session.contract("JobMarket").functions
    window_end = int(session.call(market.windowEndOf(job_id)))
    if session.now() >= window_end:
        raise CliError(f"the dispute window of job {job_id} closed at {session.when(window_end)}")
    token = session.token(job.token)
    bond = int(session.call(market.disputeBondOf(job_id)))
    me = session.sender.address
    session.require_balance(token, me, bond, "the dispute bond")
    approval = session.ensure_allowance(
        token, "JobMarket", bond, "the dispute bond", may_approve=not no_approve
    )
    session.send(market.dispute(job_id), f"dispute job {job_id}", session.hints(token, needs))
    session.result(
        {"job_id": job_id, "bond": token.plain(bond), "approval": approval},
        lambda: click.echo(f"job {job_id} disputed; bond {token.format(bond)} posted"),
    )


@chain_command("finalize", sends=True)
@click.argument("job_id", type=int)
def finalize(session: Session, job_id: int) -> None:
    """Settle JOB_ID after its dispute window (or an unresolved dispute's timeout): anyone."""
    needs = FINALIZABLE
    job = job_of(session, job_id)
    require_state(job_id, job, *needs)
    market = session.contract("JobMarket").functions
    ready_at = finalize_from(session, job_id, job)
    if session.now() < ready_at:
        raise refusal(("JobMarketDeadlineNotReached", (job_id, ready_at)))
    token = session.token(job.token)
    receipt = session.send(
        market.finalize(job_id), f"finalize job {job_id}", session.hints(token, needs)
    )
    (settled,) = session.receipt_events(receipt, "JobMarket", "JobSettled")
    payout, fee = int(settled["args"]["payout"]), int(settled["args"]["fee"])
    session.result(
        {
            "job_id": job_id,
            "provider": settled["args"]["provider"],
            "payout": token.plain(payout),
            "fee": token.plain(fee),
        },
        lambda: click.echo(
            f"job {job_id} settled: {token.format(payout)} to {settled['args']['provider']}, "
            f"fee {token.format(fee)}"
        ),
    )


@chain_command("timeout", sends=True)
@click.argument("job_id", type=int)
def timeout(session: Session, job_id: int) -> None:
    """Fail running job JOB_ID whose result is overdue: refund and compensation (anyone)."""
    job = job_of(session, job_id)
    require_state(job_id, job, JobState.RUNNING)
    market = session.contract("JobMarket").functions
    deadline = int(session.call(market.resultDeadlineOf(job_id)))
    if session.now() <= deadline:
        raise refusal(("JobMarketDeadlineNotReached", (job_id, deadline)))
    token = session.token(job.token)
    receipt = session.send(
        market.claimTimeout(job_id),
        f"time out job {job_id}",
        session.hints(token, (JobState.RUNNING,)),
    )
    (failed,) = session.receipt_events(receipt, "JobMarket", "JobFailed")
    refund, slashed = int(failed["args"]["refund"]), int(failed["args"]["slashed"])
    session.result(
        {"job_id": job_id, "refund": token.plain(refund), "slashed": session.gmkt.plain(slashed)},
        lambda: click.echo(
            f"job {job_id} failed: {token.format(refund)} refunded, "
            f"{session.gmkt.format(slashed)} slashed"
        ),
    )


@chain_command("claim", sends=True)
@click.argument("token_name", metavar="TOKEN")
@click.option("--to", "recipient", help="Pay to this address [default: the sender].")
def claim(session: Session, token_name: str, recipient: str | None) -> None:
    """Claim payouts in TOKEN that the token refused to deliver (a blacklisting stablecoin)."""
    token = session.token(token_name)
    me = session.sender.address
    to = session.who(recipient) if recipient is not None else me
    market = session.contract("JobMarket").functions
    amount = int(session.call(market.claimable(token.address, me)))
    if amount == 0:
        raise CliError(f"{me} has nothing to claim in {token.symbol}")
    session.send(market.claim(token.address, to), f"claim {token.format(amount)}")
    session.result(
        {"account": me, "to": to, "token": token.symbol, "claimed": token.plain(amount)},
        lambda: click.echo(f"claimed {token.format(amount)} to {to}"),
    )
