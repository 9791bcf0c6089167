"""`gpumarket buyer status | jobs`: one job in full, and the jobs a buyer posted."""

from __future__ import annotations

import click
from rich.table import Table

from gpumarket.cli.jobs import job_dict, job_of, job_rows, print_jobs, spec_of
from gpumarket.cli.options import chain_command
from gpumarket.cli.session import Session
from gpumarket.cli.units import format_duration


@chain_command("status", sends=False)
@click.argument("job_id", type=int)
def status(session: Session, job_id: int) -> None:
    """One job: its spec, money, timeline and bids."""
    job = job_of(session, job_id)
    spec = spec_of(session, job_id)
    token = session.token(job.token)
    market = session.contract("JobMarket").functions
    view = job_dict(session, job_id, job, spec)
    view["bids"] = [
        {"provider": b["provider"], "price_per_gpu_hour": token.plain(int(b["price"]))}
        for b in session.structs(market.bidsOf(job_id))
    ]
    view["workload"] = spec.workload_uri
    view["benchmark"] = (
        {"n": spec.benchmark_n, "T": spec.benchmark_t, "K": spec.benchmark_k}
        if spec.benchmark_required
        else None
    )

    def human() -> None:
        out = session.out
        out.print(
            f"job {job_id}: {view['state']}, {view['gpus']} x {view['gpu_model'] or 'any GPU'} in "
            f"{view['region'] or 'any region'} for {format_duration(view['duration'])}"
        )
        out.print(f"buyer {view['buyer']}, provider {view['provider'] or '-'}")
        out.print(
            f"max price {view['max_price_per_gpu_hour']} {token.symbol}/GPU-hour, price "
            f"{view['price_per_gpu_hour'] or '-'}; deposit {view['deposit']}, escrow "
            f"{view['escrow']}, bond {view['bond']} {token.symbol}"
        )
        out.print(f"bidding ends {session.when(job.bidding_ends)}; workload {view['workload']}")
        if view["bids"]:
            table = Table("provider", f"price ({token.symbol}/GPU-hour)")
            for b in view["bids"]:
                table.add_row(b["provider"], b["price_per_gpu_hour"])
            out.print(table)

    session.result(view, human)


@chain_command("jobs", sends=False)
@click.option("--address", help="Any buyer's address (instead of --account).")
def jobs(session: Session, address: str | None) -> None:
    """The jobs this buyer posted."""
    who = session.who(address)
    job_ids = sorted(
        {int(e["args"]["jobId"]) for e in session.events("JobPosted") if e["args"]["buyer"] == who}
    )
    rows = job_rows(session, job_ids)
    session.result({"buyer": who, "jobs": rows}, lambda: print_jobs(session, rows))
