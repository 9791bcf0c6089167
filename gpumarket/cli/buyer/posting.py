"""`gpumarket buyer post`: post a job with its payment escrowed.

A job's deposit is `max price x GPUs x hours`; with a token that takes EIP-2612 permits it is
approved and posted in one transaction (`postJobWithPermit`), otherwise an `approve` step is shown
and sent first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.types import JobSpec
from gpumarket.chain.views import ZERO_ADDRESS
from gpumarket.cli.errors import CliError, Hints, refusal
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import (
    PermitToken,
    Token,
    complete_gpu_model,
    format_amount,
    format_duration,
    gpu_model_help,
    parse_duration,
    parse_gpu_model,
    parse_region,
    supports_permit,
)

if TYPE_CHECKING:
    from web3.contract.contract import ContractFunction

    from gpumarket.cli.session import Session

#: Bounds of a job's duration (JobMarket._postJob).
MIN_DURATION, MAX_DURATION = 60, 365 * 86_400
#: How long a signed permit stays valid.
PERMIT_LIFETIME = 3_600


def _benchmark(text: str | None) -> tuple[bool, int, int, int]:
    """Whether a benchmark is required, and its N, T, K as whole numbers; the sizes' rules and
    caps are the benchmark registry's (`_check_benchmark`)."""
    if text is None:
        return False, 0, 0, 0
    try:
        n, steps, interval = (int(p) for p in text.split(","))
    except ValueError:
        n = steps = interval = -1
    if not all(0 <= v < 2**32 for v in (n, steps, interval)):
        raise CliError(
            f"benchmark {text!r} must be N,T,K: three whole numbers, such as 64,8,2",
            code="bad_input",
        )
    return True, n, steps, interval


def _check_benchmark(session: Session, n: int, steps: int, interval: int) -> None:
    """Refuse sizes the benchmark registry would refuse now: its `checkParameters` (a PoGEMM's
    shape and the governance caps on n, T, K and the work they make), read on-chain."""
    from gpumarket.chain.client import ChainError

    check = session.contract("BenchmarkRegistry").functions.checkParameters(n, steps, interval)
    try:
        session.call(check)
    except ChainError as exc:
        if exc.error is None:
            raise
        raise refusal(exc.error) from None


def _collateral_rate(session: Session, text: str | None) -> int:
    """The spec's collateral per GPU-hour in GMKT units (0: the market's floor)."""
    if text is None:
        return 0
    rate = session.gmkt.parse(text, what="collateral", allow_zero=True)
    if rate >= 2**80:
        raise CliError(f"collateral {text} GMKT per GPU-hour is more than the market accepts")
    return rate


def _workload_hash(workload: str, given: str | None) -> bytes:
    if given is not None:
        raw = given.removeprefix("0x")
        try:
            value = bytes.fromhex(raw)
        except ValueError:
            value = b""
        if len(value) != 32:
            raise CliError(f"workload hash {given!r} is not 32 bytes of hex", code="bad_input")
        return value
    if workload[:8].lower() == "command:":
        from gpumarket.agent.workloads import command_hash

        return command_hash(workload[8:])
    return b"\0" * 32


@chain_command("post", sends=True)
@click.option(
    "--gpu",
    metavar="MODEL",
    default="any",
    show_default=True,
    shell_complete=complete_gpu_model,
    help=gpu_model_help("GPU model, or any"),
)
@click.option(
    "--gpus",
    type=click.IntRange(1, 2**16 - 1),
    default=1,
    show_default=True,
    help="GPUs the job needs.",
)
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
@click.option(
    "--collateral",
    help="GMKT per GPU-hour the provider must lock, about what a failure would cost you "
    "[default: the market's floor, which also applies when it is higher].",
)
@click.option("--no-permit", is_flag=True, help="Approve in a separate step even if permit works.")
@click.option("--no-approve", is_flag=True, help="Fail instead of sending an approve step.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Quote the deposit, the collateral a provider must lock, the dispute bond and the gas, "
    "from a simulation of the exact transactions, and send nothing.",
)
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
    collateral: str | None,
    no_permit: bool,
    no_approve: bool,
    dry_run: bool,
) -> None:
    """Post a job and escrow max price x GPUs x hours of the token (--dry-run: quote it)."""
    from eth_utils.address import is_hex_address, to_checksum_address

    from gpumarket.chain.permit import sign_permit

    required, n, steps, interval = _benchmark(benchmark)
    seconds = parse_duration(duration, what="duration")
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise CliError(
            f"duration {duration} must be between 1 minute and 365 days", code="bad_input"
        )
    spec = JobSpec(
        gpu_model=parse_gpu_model(gpu, allow_any=True),
        gpu_count=gpus,
        min_vram_gib=vram,
        region=parse_region(region, allow_any=True),
        duration=seconds,
        collateral_per_gpu_hour=_collateral_rate(session, collateral),
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
        raise CliError(f"provider {direct!r} is not an address", code="bad_input")
    provider_address = to_checksum_address(direct) if direct else ZERO_ADDRESS
    period = parse_duration(bidding, what="bidding period")
    token = session.token(token_name)
    price = token.parse(max_price, what="max price")

    market = session.contract("JobMarket")
    functions = market.functions
    me = session.sender.address
    session.require_unpaused("JobMarket", "market")
    if required:
        _check_benchmark(session, n, steps, interval)
    if not session.outputs(functions.tokenConfig(token.address))["allowed"]:
        raise refusal(("JobMarketTokenNotAllowed", (token.address,)), session.hints(token))
    if session.call(session.contract("Reputation").functions.isBlacklisted(me)):
        raise refusal(("JobMarketBuyerBlacklisted", (me,)))
    low, high = (
        int(session.call(functions.minBiddingPeriod())),
        int(session.call(functions.maxBiddingPeriod())),
    )
    if not low <= period <= high:
        raise CliError(
            f"bidding period {bidding} must be between {format_duration(low)} and "
            f"{format_duration(high)}",
            code="bad_input",
        )
    deposit = int(session.call(functions.costOf(price, gpus, seconds)))
    if deposit == 0:
        raise CliError(
            f"max price {token.format(price)} for {gpus} GPUs over {format_duration(seconds)} "
            "rounds to a deposit of zero",
            code="bad_input",
        )
    session.require_balance(token, me, deposit, "the deposit")
    hints = session.hints(token)
    args = (spec.as_tuple(), token.address, price, period, provider_address)
    post_step = f"post a job escrowing {token.format(deposit)}"
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
        sends = [(functions.postJobWithPermit(*args, deadline, v, r, s), post_step)]
    else:
        sends = session.approval_steps(
            token, "JobMarket", deposit, "the deposit", may_approve=not no_approve
        )
        approval = "approve" if sends else "allowance"
        sends.append((functions.postJob(*args), post_step))
    if dry_run:
        _quote(session, sends, token, deposit, approval, hints)
        return
    for fn, step in sends[:-1]:
        session.send(fn, step)
    receipt = session.send(sends[-1][0], post_step, hints)
    (posted,) = session.receipt_events(receipt, "JobMarket", "JobPosted")
    job_id = int(posted["args"]["jobId"])
    # What a match would lock, as the market computes it (the spec's rate or the floor).
    locked = int(session.call(functions.collateralOf(job_id)))
    session.result(
        {
            "job_id": job_id,
            "buyer": me,
            "token": token.symbol,
            "token_address": token.address,
            "deposit": token.plain(deposit),
            "max_price_per_gpu_hour": token.plain(price),
            "collateral": session.gmkt.plain(locked),
            "provider": None if provider_address == ZERO_ADDRESS else provider_address,
            "approval": approval,
        },
        lambda: click.echo(
            f"job {job_id} posted: {token.format(deposit)} escrowed ({approval}); the provider "
            f"locks {session.gmkt.format(locked)}; bidding for {format_duration(period)}"
        ),
    )


def _quote(
    session: Session,
    steps: list[tuple[ContractFunction, str]],
    token: Token,
    deposit: int,
    approval: str,
    hints: Hints,
) -> None:
    """What posting would cost, from a simulation of `steps` (the post last) followed by the
    market's `collateralOf` and `disputeBondOf` of the job it would create. Sends nothing."""
    market = session.contract("JobMarket").functions
    collateral = bond = None
    gas: list[int] | None = None
    first = session.simulate(steps, hints=hints)
    if first is not None:
        # The job id is what the simulated post returned; the views then read that job.
        job_id = int(first.returned[-1])
        reads = [market.collateralOf(job_id), market.disputeBondOf(job_id)]
        second = session.simulate(steps, reads, hints)
        if second is not None:
            gas = second.gas
            collateral, bond = (int(v) for v in second.reads)
    # What the transactions would pay per gas (EIP-1559 fees where the chain has a base fee).
    fees = session.client.fees()
    gmkt = session.gmkt
    quote: dict[str, Any] = {
        "dry_run": True,
        "token": token.symbol,
        "deposit": token.plain(deposit),
        "collateral": gmkt.plain(collateral) if collateral is not None else None,
        "dispute_bond": token.plain(bond) if bond is not None else None,
        "approval": approval,
        "steps": [
            {"step": step, "gas": gas[k] if gas else None} for k, (_, step) in enumerate(steps)
        ],
        "gas": sum(gas) if gas else None,
        # Per gas at the latest block's base fee (base fee + tip), or the legacy gas price.
        "gas_price_gwei": format_amount(fees.expected, 9),
        "gas_cost_eth": format_amount(sum(gas) * fees.expected, 18) if gas else None,
        "fee_type": "eip1559" if fees.eip1559 else "legacy",
        "base_fee_gwei": format_amount(fees.base_fee, 9) if fees.base_fee is not None else None,
        "max_fee_per_gas_gwei": format_amount(fees.max_fee, 9),
        "max_priority_fee_per_gas_gwei": format_amount(fees.tip, 9)
        if fees.tip is not None
        else None,
        # The most it can cost: the gas at the fee cap.
        "max_gas_cost_eth": format_amount(sum(gas) * fees.max_fee, 18) if gas else None,
        "transactions": [],
    }

    def human() -> None:
        click.echo(f"dry run, nothing sent: the deposit is {token.format(deposit)} ({approval})")
        if collateral is None or gas is None:
            click.echo("the node cannot simulate (no eth_simulateV1): no collateral, bond or gas")
            return
        click.echo(
            f"a provider locks {gmkt.format(collateral)} of collateral; a dispute would post "
            f"{token.format(bond or 0)}"
        )
        for entry in quote["steps"]:
            click.echo(f"{entry['step']}: gas {entry['gas']}")
        line = f"gas {sum(gas)} at {quote['gas_price_gwei']} gwei: {quote['gas_cost_eth']} ETH"
        if fees.eip1559:
            line += (
                f" (base fee {quote['base_fee_gwei']} + tip "
                f"{quote['max_priority_fee_per_gas_gwei']} gwei; at most "
                f"{quote['max_gas_cost_eth']} ETH at the {quote['max_fee_per_gas_gwei']} gwei cap)"
            )
        click.echo(line)

    session.result(quote, human)
