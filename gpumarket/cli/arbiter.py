"""`gpumarket arbiter resolve`: an ARBITER_ROLE holder decides a disputed job.

`--provider-at-fault` fails the job (refund, the provider's collateral slashed) and returns the
buyer's bond; `--buyer-at-fault` settles it (the provider paid) and pays the bond to the provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gpumarket.chain.types import JobState, Payout
from gpumarket.cli.errors import CliError
from gpumarket.cli.jobs import job_of, require_state
from gpumarket.cli.options import chain_command

if TYPE_CHECKING:
    from gpumarket.cli.session import Session


@click.group()
def arbiter() -> None:
    """Arbiters: resolve disputed jobs."""


@chain_command("resolve", sends=True)
@click.argument("job_id", type=int)
@click.option(
    "--provider-at-fault/--buyer-at-fault",
    "provider_at_fault",
    default=None,
    help="Who the dispute finds at fault (one of the two is required).",
)
def resolve(session: Session, job_id: int, provider_at_fault: bool | None) -> None:
    """Resolve the dispute of JOB_ID: fail it or settle it, and pay out the bond."""
    if provider_at_fault is None:
        raise CliError(
            "say who is at fault: --provider-at-fault or --buyer-at-fault", code="bad_input"
        )
    job = job_of(session, job_id)
    require_state(job_id, job, JobState.DISPUTED)
    session.require_role("JobMarket", "ARBITER_ROLE", "only an arbiter resolves disputes")
    token = session.token(job.token)
    market = session.contract("JobMarket").functions
    receipt = session.send(
        market.resolveDispute(job_id, provider_at_fault),
        f"resolve the dispute of job {job_id}",
        session.hints(token, (JobState.DISPUTED,)),
    )
    releases = session.receipt_events(receipt, "JobMarket", "EscrowReleased")
    bond = next((e["args"] for e in releases if e["args"]["kind"] == Payout.BOND), None)
    state = job_of(session, job_id).state
    view = {
        "job_id": job_id,
        "provider_at_fault": provider_at_fault,
        "state": state.name,
        "bond": token.plain(int(bond["amount"])) if bond else "0",
        "bond_to": bond["to"] if bond else None,
    }
    if provider_at_fault:
        (failed,) = session.receipt_events(receipt, "JobMarket", "JobFailed")
        view["refund"] = token.plain(int(failed["args"]["refund"]))
        view["slashed"] = session.gmkt.plain(int(failed["args"]["slashed"]))
        outcome = (
            f"job {job_id} failed: {token.format(int(failed['args']['refund']))} refunded, "
            f"{session.gmkt.format(int(failed['args']['slashed']))} slashed"
        )
    else:
        (settled,) = session.receipt_events(receipt, "JobMarket", "JobSettled")
        view["payout"] = token.plain(int(settled["args"]["payout"]))
        view["fee"] = token.plain(int(settled["args"]["fee"]))
        outcome = (
            f"job {job_id} settled: {token.format(int(settled['args']['payout']))} to the "
            f"provider, fee {token.format(int(settled['args']['fee']))}"
        )
    bond_text = f"; bond {token.format(int(bond['amount']))} to {bond['to']}" if bond else ""
    session.result(view, lambda: click.echo(outcome + bond_text))


arbiter.add_command(resolve)
