"""`gpumarket buyer ...`: post jobs with escrowed payment, pick providers, settle or dispute.

Amounts are in the payment token's own units and prices per GPU-hour. A job's deposit is
`max price x GPUs x hours`; with a token that takes EIP-2612 permits it is approved and posted in
one transaction (`postJobWithPermit`), otherwise an `approve` step is shown and sent first.
"""

from __future__ import annotations

import click
from eth_utils.address import is_hex_address, to_checksum_address
from rich.table import Table
from web3.types import TxReceipt

from gpumarket.chain.permit import sign_permit
from gpumarket.chain.types import JobSpec, JobState
from gpumarket.chain.views import ZERO_ADDRESS, Job
from gpumarket.cli.errors import CliError, explain
from gpumarket.cli.jobs import (
    eligibility_problem,
    job_dict,
    job_of,
    job_rows,
    print_jobs,
    require_state,
    spec_of,
)
from gpumarket.cli.options import chain_command
from gpumarket.cli.session import Session
from gpumarket.cli.units import (
    PermitToken,
    Token,
    format_duration,
    parse_duration,
    parse_gpu_model,
    parse_region,
    supports_permit,
)

#: Bounds of a job's duration (JobMarket._postJob).
MIN_DURATION, MAX_DURATION = 60, 365 * 86_400
#: How long a signed permit stays valid.
PERMIT_LIFETIME = 3_600


@click.group()
def buyer() -> None:
    """Buyers: post GPU jobs with escrowed payment, pick providers, settle or dispute."""


def _benchmark(text: str | None) -> tuple[bool, int, int, int]:
    if text is None:
        return False, 0, 0, 0
    parts = text.split(",")
    try:
        n, steps, interval = (int(p) for p in parts)
    except ValueError:
        n = steps = interval = -1
    if n <= 0 or n % 64 or n > 16_384 or interval <= 0 or steps <= 0 or steps % interval:
        raise CliError(
            f"benchmark {text!r} must be N,T,K: N a multiple of 64 up to 16384, and K dividing T"
        )
    return True, n, steps, interval


def _workload_hash(workload: str, given: str | None) -> bytes:
    if given is not None:
        raw = given.removeprefix("0x")
        try:
            value = bytes.fromhex(raw)
        except ValueError:
            value = b""
        if len(value) != 32:
            raise CliError(f"workload hash {given!r} is not 32 bytes of hex")
        return value
    if workload[:8].lower() == "command:":
        from gpumarket.agent.workloads import command_hash

        return command_hash(workload[8:])
    return b"\0" * 32


@chain_command(buyer, "post", sends=True)
@click.option("--gpu", default="any", show_default=True, help="GPU model, or any.")
@click.option("--gpus", type=click.IntRange(1, 2**16 - 1), default=1, show_default=True)
@click.option("--vram", type=click.IntRange(0, 2**32 - 1), default=0, help="Minimum GiB per GPU.")
@click.option("--region", default="any", show_default=True, help="ISO 3166 alpha-2, or any.")
@click.option("--duration", default="1h", show_default=True, help="How long the job runs.")
@click.option("--token", "token_name", default="GMKT", show_default=True, help="Payment token.")
@click.option("--max-price", required=True, help="Most you pay per GPU-hour, in the token.")
@click.option("--bidding", default="10m", show_default=True, help="Bidding (or acceptance) period.")
@click.option("--provider", "direct", help="Assign the job directly to this provider.")
@click.option("--workload", default="builtin:pogemm", show_default=True, help="Workload URI.")
@click.option("--workload-hash", help="0x 32-byte hash [default: sha256 of a command: line].")
@click.option("--min-reputation", type=click.IntRange(0, 10_000), default=0, help="In bps.")
@click.option("--min-tops", type=click.IntRange(0, 2**64 - 1), default=0, help="Verified TOPS.")
@click.option("--benchmark", help="Require a PoGEMM proof of sizes N,T,K, e.g. 64,8,2.")
@click.option("--no-permit", is_flag=True, help="Approve in a separate step even if permit works.")
@click.option("--no-approve", is_flag=True, help="Fail instead of sending an approve step.")
def post(
    session: Session,
    gpu: str,
    gpus: int,
    vram: int,
    region: str,
    duration: str,
    token_name: str,
    max_price: str,
    bidding: str,
    direct: str | None,
    workload: str,
    workload_hash: str | None,
    min_reputation: int,
    min_tops: int,
    benchmark: str | None,
    no_permit: bool,
    no_approve: bool,
) -> None:
    """Post a job and escrow max price x GPUs x hours of the token."""
    required, n, steps, interval = _benchmark(benchmark)
    seconds = parse_duration(duration, what="duration")
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise CliError(f"duration {duration} must be between 1 minute and 365 days")
    spec = JobSpec(
        gpu_model=parse_gpu_model(gpu, allow_any=True),
        gpu_count=gpus,
        min_vram_gib=vram,
        region=parse_region(region, allow_any=True),
        duration=seconds,
        workload_hash=_workload_hash(workload, workload_hash),
        workload_uri=workload,
        min_reputation_bps=min_reputation,
        min_verified_tops=min_tops,
        benchmark_required=required,
        benchmark_n=n,
        benchmark_t=steps,
        benchmark_k=interval,
    )
    if direct is not None and not is_hex_address(direct):
        raise CliError(f"provider {direct!r} is not an address")
    provider_address = to_checksum_address(direct) if direct else ZERO_ADDRESS
    period = parse_duration(bidding, what="bidding period")
    token = session.token(token_name)
    price = token.parse(max_price, what="max price")

    market = session.contract("JobMarket")
    functions = market.functions
    me = session.sender.address
    session.require_unpaused("JobMarket", "market")
    if not session.outputs(functions.tokenConfig(token.address))["allowed"]:
        raise CliError(
            explain(("JobMarketTokenNotAllowed", (token.address,)), session.hints(token))
        )
    if session.call(session.contract("Reputation").functions.isBlacklisted(me)):
        raise CliError(explain(("JobMarketBuyerBlacklisted", (me,))))
    low, high = (
        int(session.call(functions.minBiddingPeriod())),
        int(session.call(functions.maxBiddingPeriod())),
    )
    if not low <= period <= high:
        raise CliError(
            f"bidding period {bidding} must be between {format_duration(low)} and "
            f"{format_duration(high)}"
        )
    deposit = int(session.call(functions.costOf(price, gpus, seconds)))
    if deposit == 0:
        raise CliError(
            f"max price {token.format(price)} for {gpus} GPUs over {format_duration(seconds)} "
            "rounds to a deposit of zero"
        )
    session.require_balance(token, me, deposit, "the deposit")
    hints = session.hints(token)
    args = (spec.as_tuple(), token.address, price, period, provider_address)
    if not no_permit and supports_permit(session.client, token, me):
        approval = "permit"
        deadline = session.now() + PERMIT_LIFETIME
        v, r, s = sign_permit(
            PermitToken(session.client, token),
            "0x" + bytes(session.sender.key).hex(),
            me,
            market.address,
            deposit,
            deadline,
        )
        call = functions.postJobWithPermit(*args, deadline, v, r, s)
    else:
        approval = session.ensure_allowance(
            token, "JobMarket", deposit, "the deposit", may_approve=not no_approve
        )
        call = functions.postJob(*args)
    receipt = session.send(call, f"post a job escrowing {token.format(deposit)}", hints)
    (posted,) = session.receipt_events(receipt, "JobMarket", "JobPosted")
    job_id = int(posted["args"]["jobId"])
    session.result(
        {
            "job_id": job_id,
            "buyer": me,
            "token": token.symbol,
            "token_address": token.address,
            "deposit": token.plain(deposit),
            "max_price_per_gpu_hour": token.plain(price),
            "provider": None if provider_address == ZERO_ADDRESS else provider_address,
            "approval": approval,
        },
        lambda: click.echo(
            f"job {job_id} posted: {token.format(deposit)} escrowed ({approval}); bidding for "
            f"{format_duration(period)}"
        ),
    )


def _own_job(session: Session, job_id: int, *needs: JobState) -> Job:
    """Job `job_id`, which the sender must have posted and which must be in one of `needs`."""
    job = job_of(session, job_id)
    me = session.sender.address
    if job.buyer != me:
        raise CliError(explain(("JobMarketNotBuyer", (job_id, me))))
    require_state(job_id, job, *needs)
    return job


@chain_command(buyer, "accept", sends=True)
@click.argument("job_id", type=int)
@click.argument("provider")
def accept(session: Session, job_id: int, provider: str) -> None:
    """Accept PROVIDER's bid on your job JOB_ID (any time while it is open)."""
    if not is_hex_address(provider):
        raise CliError(f"provider {provider!r} is not an address")
    provider = to_checksum_address(provider)
    job = _own_job(session, job_id, JobState.OPEN)
    market = session.contract("JobMarket").functions
    if provider not in {b["provider"] for b in session.structs(market.bidsOf(job_id))}:
        raise CliError(explain(("JobMarketNoBid", (job_id, provider))))
    problem = eligibility_problem(session, job_id, job, provider)
    if problem:
        raise CliError(problem)
    token = session.token(job.token)
    receipt = session.send(
        market.acceptBid(job_id, provider),
        f"accept {provider}'s bid on job {job_id}",
        session.hints(token, (JobState.OPEN,)),
    )
    _matched(session, receipt, job_id, token)


def _matched(session: Session, receipt: TxReceipt, job_id: int, token: Token) -> None:
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
        },
        lambda: click.echo(
            f"job {job_id} matched to {args['provider']} at {token.format(int(args['price']))} "
            f"per GPU-hour; {token.format(sum(refunds))} of excess deposit refunded"
        ),
    )


@chain_command(buyer, "close", sends=True)
@click.argument("job_id", type=int)
def close(session: Session, job_id: int) -> None:
    """Close JOB_ID's auction after its bidding period: the best eligible bid wins (anyone)."""
    job = job_of(session, job_id)
    require_state(job_id, job, JobState.OPEN)
    if job.provider != ZERO_ADDRESS:
        raise CliError(explain(("JobMarketDirectAssignment", (job_id,))))
    if session.now() < job.bidding_ends:
        raise CliError(explain(("JobMarketBiddingOpen", (job_id, job.bidding_ends))))
    token = session.token(job.token)
    market = session.contract("JobMarket").functions
    receipt = session.send(
        market.closeAuction(job_id),
        f"close the auction of job {job_id}",
        session.hints(token, (JobState.OPEN,)),
    )
    _matched(session, receipt, job_id, token)


@chain_command(buyer, "cancel", sends=True)
@click.argument("job_id", type=int)
def cancel(session: Session, job_id: int) -> None:
    """Cancel your unmatched job JOB_ID for a full refund."""
    job = _own_job(session, job_id, JobState.OPEN)
    market = session.contract("JobMarket").functions
    if session.call(market.bidsOf(job_id)) and session.now() < job.bidding_ends:
        raise CliError(explain(("JobMarketHasBids", (job_id,))))
    token = session.token(job.token)
    session.send(
        market.cancel(job_id), f"cancel job {job_id}", session.hints(token, (JobState.OPEN,))
    )
    session.result(
        {"job_id": job_id, "refunded": token.plain(job.escrow)},
        lambda: click.echo(f"job {job_id} cancelled; {token.format(job.escrow)} refunded"),
    )


@chain_command(buyer, "dispute", sends=True)
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


@chain_command(buyer, "finalize", sends=True)
@click.argument("job_id", type=int)
def finalize(session: Session, job_id: int) -> None:
    """Settle JOB_ID after its dispute window (or an unresolved dispute's timeout): anyone."""
    needs = (JobState.SUBMITTED, JobState.VERIFIED, JobState.DISPUTED)
    job = job_of(session, job_id)
    require_state(job_id, job, *needs)
    market = session.contract("JobMarket").functions
    if job.state == JobState.DISPUTED:
        ready_at = int(session.call(market.arbitrationEndOf(job_id)))
    else:
        ready_at = int(session.call(market.windowEndOf(job_id)))
    if session.now() < ready_at:
        raise CliError(explain(("JobMarketDeadlineNotReached", (job_id, ready_at))))
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


@chain_command(buyer, "timeout", sends=True)
@click.argument("job_id", type=int)
def timeout(session: Session, job_id: int) -> None:
    """Fail running job JOB_ID whose result is overdue: refund and compensation (anyone)."""
    job = job_of(session, job_id)
    require_state(job_id, job, JobState.RUNNING)
    market = session.contract("JobMarket").functions
    deadline = int(session.call(market.resultDeadlineOf(job_id)))
    if session.now() <= deadline:
        raise CliError(explain(("JobMarketDeadlineNotReached", (job_id, deadline))))
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


@chain_command(buyer, "claim", sends=True)
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


# ------------------------------------------------------------------ views


@chain_command(buyer, "status", sends=False)
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


@chain_command(buyer, "jobs", sends=False)
@click.option("--address", help="Any buyer's address (instead of --account).")
def jobs(session: Session, address: str | None) -> None:
    """The jobs this buyer posted."""
    who = session.who(address)
    job_ids = sorted(
        {int(e["args"]["jobId"]) for e in session.events("JobPosted") if e["args"]["buyer"] == who}
    )
    rows = job_rows(session, job_ids)
    session.result({"buyer": who, "jobs": rows}, lambda: print_jobs(session, rows))
