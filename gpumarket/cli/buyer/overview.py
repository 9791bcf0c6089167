"""`gpumarket buyer status | jobs`: one job in full, and the jobs a buyer posted.

Every deadline, amount and count `status` shows is read from the contracts' views
(`resultDeadlineOf`, `windowEndOf`, `arbitrationEndOf`, `collateralOf`, `disputeBondOf`, the
council's `tallyOf`), never recomputed here; each time is shown as a date and as time left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.types import JobState, Verdict
from gpumarket.chain.views import Challenge, Job
from gpumarket.cli.display import address_column, short_address, table, wide_option
from gpumarket.cli.jobs import finalize_from, job_dict, job_of, job_rows, print_jobs, spec_of
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import format_duration, time_json, time_left

if TYPE_CHECKING:
    from gpumarket.cli.session import Session

#: The deadlines `status` shows, in the order a job meets them, with their labels.
DEADLINES = {
    "bidding_ends": "bidding ends",
    "result_due": "result due",
    "dispute_window_ends": "dispute window ends",
    "finalize_from": "finalize from",
    "arbitration_timeout": "arbitration timeout",
}


def _deadlines(session: Session, job_id: int, job: Job) -> dict[str, int]:
    """Each deadline of `DEADLINES` from the market's views (0 where it does not apply yet)."""
    market = session.contract("JobMarket").functions
    return {
        "bidding_ends": job.bidding_ends,
        "result_due": int(session.call(market.resultDeadlineOf(job_id))),
        "dispute_window_ends": int(session.call(market.windowEndOf(job_id))),
        "finalize_from": finalize_from(session, job_id, job),
        "arbitration_timeout": int(session.call(market.arbitrationEndOf(job_id))),
    }


def _challenge(session: Session, job_id: int) -> dict[str, Any] | None:
    challenge_id = int(session.call(session.contract("JobMarket").functions.challengeOfJob(job_id)))
    if challenge_id == 0:
        return None
    fn = session.contract("BenchmarkRegistry").functions.challengeOf(challenge_id)
    c = Challenge.of(fn, session.call(fn))
    return {
        "id": challenge_id,
        "state": c.state.name,
        "commit_deadline": c.commit_deadline,
        "committed_at": c.committed_at or None,
        "root": "0x" + c.root.hex() if c.committed_at else None,
        "verified_tops": c.verified_tops or None,
    }


def _votes(session: Session, job_id: int) -> dict[str, Any]:
    """The council's tally of the job's verdict so far, and who voted what (VoteCast events of
    the tally's config version)."""
    council = session.contract("OracleCouncil").functions
    subject = int(session.call(council.jobSubject(job_id)))
    tally = session.struct(council.tallyOf(subject))
    version = int(tally["version"])
    voters = [
        {"member": e["args"]["member"], "verdict": Verdict(int(e["args"]["verdict"])).name}
        for e in session.events("VoteCast")
        if int(e["args"]["subject"]) == subject and int(e["args"]["version"]) == version
    ]
    return {
        "ok": int(tally["okVoters"]).bit_count(),
        "fail": int(tally["failVoters"]).bit_count(),
        "quorum": int(session.call(council.quorum())),
        "members": len(session.call(council.members())),
        "verdict": Verdict(int(tally["verdict"])).name,
        "config_version": version or None,
        "current_config": version in (0, int(session.call(council.configVersion()))),
        "voters": voters,
    }


def result_uri(session: Session, job_id: int) -> str | None:
    """The URI of the job's last `ResultSubmitted` event, or None."""
    uris = [
        str(e["args"]["resultURI"])
        for e in session.events("ResultSubmitted")
        if int(e["args"]["jobId"]) == job_id
    ]
    return uris[-1] if uris else None


@chain_command("status", sends=False)
@click.argument("job_id", type=int)
@wide_option
def status(session: Session, job_id: int, wide: bool) -> None:
    """Job JOB_ID: its spec, money, every deadline (a date and the time left), collateral,
    benchmark and challenge, the council's votes, the result, and the bids."""
    job = job_of(session, job_id)
    market = session.contract("JobMarket").functions
    council = session.contract("OracleCouncil").functions
    views = [
        fn(job_id)
        for fn in (
            market.specOf,
            market.collateralOf,
            market.bidsOf,
            market.challengeOfJob,
            market.disputeBondOf,
            market.resultDeadlineOf,
            market.windowEndOf,
            market.arbitrationEndOf,
            council.jobSubject,
        )
    ]
    with session.reading([*views, council.quorum(), council.members(), council.configVersion()]):
        _status(session, job_id, job, wide)


def _status(session: Session, job_id: int, job: Job, wide: bool) -> None:
    spec = spec_of(session, job_id)
    token = session.token(job.token)
    gmkt = session.gmkt
    market = session.contract("JobMarket").functions
    now = session.now()
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
    view["challenge"] = _challenge(session, job_id)
    view["collateral"] = gmkt.plain(int(session.call(market.collateralOf(job_id))))
    view["dispute_bond"] = token.plain(int(session.call(market.disputeBondOf(job_id))))
    deadlines = _deadlines(session, job_id, job)
    view["now"] = time_json(now, now)
    view["times"] = {name: time_json(value, now) for name, value in deadlines.items()}
    view["times"]["started_at"] = time_json(job.started_at, now)
    view["times"]["submitted_at"] = time_json(job.submitted_at, now)
    view["votes"] = _votes(session, job_id)
    view["result_hash"] = "0x" + job.result_hash.hex() if job.submitted_at else None
    view["result_uri"] = result_uri(session, job_id)

    def human() -> None:
        out = session.out
        out.print(
            f"job {job_id}: {view['state']}, {view['gpus']} x {view['gpu_model'] or 'any GPU'} in "
            f"{view['region'] or 'any region'} for {format_duration(view['duration'])}"
        )
        out.print(
            f"buyer {short_address(view['buyer'], wide=wide)}, provider "
            f"{short_address(view['provider'], wide=wide)}"
        )
        out.print(
            f"max price {view['max_price_per_gpu_hour']} {token.symbol}/GPU-hour, price "
            f"{view['price_per_gpu_hour'] or '-'}; deposit {view['deposit']}, escrow "
            f"{view['escrow']}, bond {view['bond']} {token.symbol}"
        )
        out.print(
            f"collateral {view['collateral']} GMKT; a dispute would post {view['dispute_bond']} "
            f"{token.symbol}; workload {view['workload']}"
        )
        for name, label in DEADLINES.items():
            # Once matched, the end of bidding is history (--json still has it).
            if deadlines[name] and (name != "bidding_ends" or job.state == JobState.OPEN):
                out.print(
                    f"{label}: {session.when(deadlines[name])} ({time_left(deadlines[name], now)})"
                )
        if view["benchmark"]:
            b, c = view["benchmark"], view["challenge"]
            line = f"benchmark PoGEMM n={b['n']} T={b['T']} K={b['K']}"
            if c:
                commit_by = session.when(c["commit_deadline"])
                line += f"; challenge {c['id']} {c['state']}, commit by {commit_by}"
            out.print(line)
        votes = view["votes"]
        if votes["ok"] or votes["fail"] or job.state in (JobState.SUBMITTED, JobState.VERIFIED):
            out.print(
                f"council: {votes['ok']} OK, {votes['fail']} FAIL of {votes['members']} "
                f"(quorum {votes['quorum']}); verdict {votes['verdict']}"
            )
        if view["result_hash"]:
            out.print(f"result {view['result_hash']} at {view['result_uri'] or '-'}")
        if view["bids"]:
            bids = table(address_column("provider"), f"price ({token.symbol}/GPU-hour)")
            for b in view["bids"]:
                bids.add_row(short_address(b["provider"], wide=wide), b["price_per_gpu_hour"])
            out.print(bids)

    session.result(view, human)


@chain_command("jobs", sends=False)
@click.option("--address", help="Any buyer's address (instead of --account).")
@wide_option
def jobs(session: Session, address: str | None, wide: bool) -> None:
    """The jobs this buyer posted."""
    who = session.who(address)
    job_ids = sorted(
        {int(e["args"]["jobId"]) for e in session.events("JobPosted") if e["args"]["buyer"] == who}
    )
    rows = job_rows(session, job_ids)
    session.result({"buyer": who, "jobs": rows}, lambda: print_jobs(session, rows, wide=wide))
