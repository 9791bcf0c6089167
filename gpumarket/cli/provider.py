"""`gpumarket provider ...`: stake GMKT, advertise GPUs and prices, bid for jobs, and follow them.

Prices are per GPU-hour in the payment token's own units (`--price GMKT=2.5 --price USDC=1.8`).
Every sending command checks what it can first and sends nothing when the answer is no.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.table import Table

from gpumarket.chain import views
from gpumarket.chain.types import JobState, Offer
from gpumarket.chain.views import ZERO_ADDRESS
from gpumarket.cli.errors import CliError, explain
from gpumarket.cli.jobs import eligibility_problem, job_of, job_rows, print_jobs, require_state
from gpumarket.cli.options import chain_command
from gpumarket.cli.session import Session
from gpumarket.cli.units import Token, parse_gpu_model, parse_region

F = TypeVar("F", bound=Callable[..., None])

#: Pending unbonding entries a provider may have (ProviderRegistry.MAX_UNBONDING_ENTRIES).
MAX_UNBONDING_ENTRIES = 16
UINT16 = click.IntRange(1, 2**16 - 1)
UINT32 = click.IntRange(0, 2**32 - 1)


@click.group()
def provider() -> None:
    """Providers: stake, advertise GPUs and prices, bid for jobs, follow them."""


# ------------------------------------------------------------------ offers


def _offer_options(required: bool) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        options = [
            click.option("--gpu", "gpu", required=required, help="GPU model, e.g. H100-SXM-80GB."),
            click.option("--gpus", type=UINT16, required=required, help="GPUs offered."),
            click.option(
                "--vram", type=click.IntRange(1, 2**32 - 1), required=required, help="GiB per GPU."
            ),
            click.option("--region", required=required, help="ISO 3166 alpha-2, e.g. DE."),
            click.option("--bandwidth", type=UINT32, help="Mbps [default: 1000 when registering]."),
            click.option("--endpoint", required=required, help="The provider agent's URL."),
            click.option(
                "--price",
                "prices",
                multiple=True,
                required=required,
                help="TOKEN=AMOUNT per GPU-hour; repeat for each accepted token"
                + ("." if required else "; AMOUNT 0 withdraws the token."),
            ),
        ]
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


def _parse_prices(
    session: Session, prices: tuple[str, ...], *, allow_zero: bool
) -> dict[Token, int]:
    parsed: dict[Token, int] = {}
    for item in prices:
        symbol, sep, amount = item.partition("=")
        if not sep or not symbol.strip() or not amount.strip():
            raise CliError(f"price {item!r} must be TOKEN=AMOUNT, e.g. GMKT=2.5")
        token = session.token(symbol.strip())
        if token in parsed:
            raise CliError(f"{token.symbol} is priced twice")
        parsed[token] = token.parse(amount, what=f"the {token.symbol} price", allow_zero=allow_zero)
    return parsed


def _check_endpoint(endpoint: str) -> str:
    if not endpoint.startswith(("http://", "https://")) or len(endpoint) < 10:
        raise CliError(f"endpoint {endpoint!r} is not an http(s) URL")
    return endpoint


def _offer_dict(offer: Offer, prices: dict[Token, int]) -> dict[str, Any]:
    return {
        "gpu_model": offer.gpu_model,
        "gpus": offer.gpu_count,
        "vram_gib": offer.vram_gib,
        "region": offer.region,
        "bandwidth_mbps": offer.bandwidth_mbps,
        "endpoint": offer.endpoint,
        "prices": {token.symbol: token.plain(price) for token, price in prices.items()},
    }


def _offer_of(session: Session, provider: str) -> Offer:
    """`offerOf(provider)`: the provider's offer (all zero when it never registered)."""
    fn = session.contract("ProviderRegistry").functions.offerOf(provider)
    return views.offer(fn, session.call(fn))


@chain_command(provider, "register", sends=True)
@_offer_options(required=True)
def register(
    session: Session,
    gpu: str,
    gpus: int,
    vram: int,
    region: str,
    bandwidth: int | None,
    endpoint: str,
    prices: tuple[str, ...],
) -> None:
    """Register as a provider (needs the minimum stake) with an offer and prices per GPU-hour."""
    offer = Offer(
        gpu_model=parse_gpu_model(gpu),
        gpu_count=gpus,
        vram_gib=vram,
        region=parse_region(region),
        bandwidth_mbps=1_000 if bandwidth is None else bandwidth,
        endpoint=_check_endpoint(endpoint),
    )
    priced = _parse_prices(session, prices, allow_zero=False)
    me = session.sender.address
    session.require_unpaused("ProviderRegistry", "provider registry")
    registry = session.contract("ProviderRegistry").functions
    info = session.struct(registry.providerInfo(me))
    if info["registered"]:
        raise CliError(explain(("ProviderRegistryAlreadyRegistered", (me,))))
    min_stake = int(session.call(registry.minStake()))
    if info["stake"] < min_stake:
        raise CliError(
            explain(
                ("ProviderRegistryInsufficientStake", (me, info["stake"], min_stake)),
                session.hints(),
            )
        )
    session.send(
        registry.register(offer.as_tuple(), [t.address for t in priced], list(priced.values())),
        f"register {me}",
    )
    session.result(
        {"provider": me, "offer": _offer_dict(offer, priced)},
        lambda: click.echo(
            f"registered {me}: {offer.gpu_count} x {offer.gpu_model} in {offer.region}, "
            + ", ".join(f"{t.format(p)}/GPU-hour" for t, p in priced.items())
        ),
    )


@chain_command(provider, "update", sends=True)
@_offer_options(required=False)
def update(
    session: Session,
    gpu: str | None,
    gpus: int | None,
    vram: int | None,
    region: str | None,
    bandwidth: int | None,
    endpoint: str | None,
    prices: tuple[str, ...],
) -> None:
    """Change the offer (options not given keep their value) and set or withdraw prices."""
    priced = _parse_prices(session, prices, allow_zero=True)
    me = session.sender.address
    registry = session.contract("ProviderRegistry").functions
    current = _offer_of(session, me)
    offer = Offer(
        gpu_model=parse_gpu_model(gpu) if gpu is not None else current.gpu_model,
        gpu_count=gpus if gpus is not None else current.gpu_count,
        vram_gib=vram if vram is not None else current.vram_gib,
        region=parse_region(region) if region is not None else current.region,
        bandwidth_mbps=bandwidth if bandwidth is not None else current.bandwidth_mbps,
        endpoint=_check_endpoint(endpoint) if endpoint is not None else current.endpoint,
    )
    session.require_unpaused("ProviderRegistry", "provider registry")
    info = session.struct(registry.providerInfo(me))
    if not info["registered"]:
        raise CliError(explain(("ProviderRegistryNotRegistered", (me,))))
    in_use = info["gpusInUse"]
    if offer.gpu_count < in_use:
        raise CliError(f"{me} has {in_use} GPUs in use; the offer cannot drop to {offer.gpu_count}")
    session.send(
        registry.updateOffer(offer.as_tuple(), [t.address for t in priced], list(priced.values())),
        f"update the offer of {me}",
    )
    session.result(
        {"provider": me, "offer": _offer_dict(offer, priced)},
        lambda: click.echo(f"updated the offer of {me}"),
    )


# ------------------------------------------------------------------ stake


@chain_command(provider, "stake", sends=True)
@click.argument("amount")
@click.option("--no-approve", is_flag=True, help="Fail instead of approving GMKT first.")
def stake(session: Session, amount: str, no_approve: bool) -> None:
    """Stake AMOUNT GMKT (approving the registry first when needed)."""
    gmkt = session.gmkt
    raw = gmkt.parse(amount, what="amount")
    me = session.sender.address
    session.require_unpaused("ProviderRegistry", "provider registry")
    session.require_balance(gmkt, me, raw, "the stake")
    approval = session.ensure_allowance(
        gmkt, "ProviderRegistry", raw, "the stake", may_approve=not no_approve
    )
    registry = session.contract("ProviderRegistry").functions
    session.send(registry.stake(raw), f"stake {gmkt.format(raw)}")
    total = int(session.struct(registry.providerInfo(me))["stake"])
    session.result(
        {
            "provider": me,
            "staked": gmkt.plain(raw),
            "stake": gmkt.plain(total),
            "approval": approval,
        },
        lambda: click.echo(f"staked {gmkt.format(raw)}; {me} now has {gmkt.format(total)} staked"),
    )


@chain_command(provider, "unstake", sends=True)
@click.argument("amount")
def unstake(session: Session, amount: str) -> None:
    """Start unbonding AMOUNT GMKT of free stake (withdrawable after the unbonding period)."""
    gmkt = session.gmkt
    raw = gmkt.parse(amount, what="amount")
    me = session.sender.address
    registry = session.contract("ProviderRegistry").functions
    free = int(session.call(registry.freeStake(me)))
    if raw > free:
        raise CliError(
            explain(("ProviderRegistryInsufficientFreeStake", (me, raw, free)), session.hints())
        )
    if len(session.call(registry.unbondingEntries(me))) >= MAX_UNBONDING_ENTRIES:
        raise CliError(
            explain(("ProviderRegistryTooManyUnbondingEntries", (me, MAX_UNBONDING_ENTRIES)))
        )
    receipt = session.send(registry.requestUnstake(raw), f"unstake {gmkt.format(raw)}")
    (event,) = session.receipt_events(receipt, "ProviderRegistry", "UnstakeRequested")
    release_at = int(event["args"]["releaseAt"])
    session.result(
        {"provider": me, "unbonding": gmkt.plain(raw), "release_at": release_at},
        lambda: click.echo(
            f"{gmkt.format(raw)} unbonding; withdraw it after {session.when(release_at)}"
        ),
    )


@chain_command(provider, "withdraw", sends=True)
def withdraw(session: Session) -> None:
    """Withdraw every unbonding entry whose period has ended."""
    gmkt = session.gmkt
    me = session.sender.address
    registry = session.contract("ProviderRegistry").functions
    entries = session.structs(registry.unbondingEntries(me))
    now = session.now()
    released = 0
    for entry in entries:
        if entry["releaseAt"] > now:
            break
        released += int(entry["amount"])
    if released == 0:
        if not entries:
            raise CliError(f"{me} has nothing unbonding to withdraw")
        raise CliError(
            f"nothing to withdraw yet: {gmkt.format(int(entries[0]['amount']))} is released at "
            f"{session.when(int(entries[0]['releaseAt']))}"
        )
    session.send(registry.withdraw(), f"withdraw {gmkt.format(released)}")
    session.result(
        {"provider": me, "withdrawn": gmkt.plain(released)},
        lambda: click.echo(f"withdrew {gmkt.format(released)}"),
    )


# ------------------------------------------------------------------ views


@chain_command(provider, "status", sends=False)
@click.option("--address", help="Any provider's address (instead of --account).")
def status(session: Session, address: str | None) -> None:
    """A provider's stake, offer, prices, unbonding entries and reputation."""
    who = session.who(address)
    gmkt = session.gmkt
    registry = session.contract("ProviderRegistry").functions
    info = session.struct(registry.providerInfo(who))
    stake_, locked, registered = info["stake"], info["locked"], info["registered"]
    offer = _offer_of(session, who)
    prices = {}
    for token in session.tokens():
        price = int(session.call(registry.priceOf(who, token.address)))
        if price:
            prices[token.symbol] = token.plain(price)
    reputation = session.contract("Reputation").functions
    record = session.struct(reputation.providerRecord(who))
    view = {
        "provider": who,
        "registered": bool(registered),
        "listed": bool(session.call(registry.isListed(who))),
        "stake": gmkt.plain(stake_),
        "locked": gmkt.plain(locked),
        "free": gmkt.plain(stake_ - locked),
        "unbonding": gmkt.plain(info["unbonding"]),
        "min_stake": gmkt.plain(int(session.call(registry.minStake()))),
        "jailed_until": int(info["jailedUntil"]) or None,
        "active_jobs": int(info["activeJobs"]),
        "gpus_in_use": int(info["gpusInUse"]),
        "balance": gmkt.plain(int(session.call(gmkt.contract.functions.balanceOf(who)))),
        "offer": None
        if not registered
        else {
            "gpu_model": offer.gpu_model,
            "gpus": offer.gpu_count,
            "vram_gib": offer.vram_gib,
            "region": offer.region,
            "bandwidth_mbps": offer.bandwidth_mbps,
            "endpoint": offer.endpoint,
        },
        "prices": prices,
        "unbonding_entries": [
            {"amount": gmkt.plain(int(e["amount"])), "release_at": int(e["releaseAt"])}
            for e in session.structs(registry.unbondingEntries(who))
        ],
        "reputation": {
            "score_bps": int(session.call(reputation.score(who))),
            "completed": int(record["completed"]),
            "failed": int(record["failed"]),
            "slashed": int(record["slashed"]),
            "disputes_lost": int(record["disputesLost"]),
            "verified_tops": int(record["lastVerifiedTops"]),
        },
    }
    session.result(view, lambda: _print_status(session, view))


def _print_status(session: Session, view: dict[str, Any]) -> None:
    out = session.out
    state = "listed" if view["listed"] else "registered" if view["registered"] else "not registered"
    out.print(f"provider {view['provider']} ({state})")
    out.print(
        f"stake {view['stake']} GMKT (locked {view['locked']}, free {view['free']}, unbonding "
        f"{view['unbonding']}; minimum {view['min_stake']}); wallet {view['balance']} GMKT"
    )
    if view["jailed_until"]:
        out.print(f"jailed until {session.when(view['jailed_until'])}")
    offer = view["offer"]
    if offer:
        out.print(
            f"offer {offer['gpus']} x {offer['gpu_model']} ({offer['vram_gib']} GiB) in "
            f"{offer['region']}, {offer['bandwidth_mbps']} Mbps, {offer['endpoint']}; "
            f"{view['gpus_in_use']} GPUs in use by {view['active_jobs']} jobs"
        )
        out.print(
            "prices per GPU-hour: "
            + (", ".join(f"{p} {s}" for s, p in view["prices"].items()) or "none")
        )
    for entry in view["unbonding_entries"]:
        out.print(f"unbonding {entry['amount']} GMKT, released {session.when(entry['release_at'])}")
    rep = view["reputation"]
    out.print(
        f"reputation {rep['score_bps']} bps: {rep['completed']} completed, {rep['failed']} failed, "
        f"{rep['slashed']} slashed, {rep['disputes_lost']} disputes lost"
    )


@chain_command(provider, "bids", sends=False)
@click.option("--address", help="Any provider's address (instead of --account).")
def bids(session: Session, address: str | None) -> None:
    """The jobs this provider bid on: its bid, the best bid, and how each auction went."""
    who = session.who(address)
    market = session.contract("JobMarket").functions
    job_ids = sorted(
        {
            int(e["args"]["jobId"])
            for e in session.events("BidPlaced")
            if e["args"]["provider"] == who
        }
    )
    rows: list[dict[str, Any]] = []
    for job_id in job_ids:
        job = job_of(session, job_id)
        token = session.token(job.token)
        prices = {b["provider"]: int(b["price"]) for b in session.structs(market.bidsOf(job_id))}
        if job.state == JobState.OPEN:
            outcome = "open"
        elif job.provider == who:
            outcome = "won"
        elif job.state == JobState.CANCELLED:
            outcome = "cancelled"
        else:
            outcome = "lost"
        rows.append(
            {
                "job_id": job_id,
                "state": job.state.name,
                "token": token.symbol,
                "my_bid": token.plain(prices[who]) if who in prices else None,
                "best_bid": token.plain(min(prices.values())) if prices else None,
                "bids": len(prices),
                "outcome": outcome,
                "bidding_ends": job.bidding_ends,
            }
        )

    def human() -> None:
        table = Table("job", "state", "my bid", "best bid", "bids", "outcome", "bidding ends")
        for r in rows:
            table.add_row(
                str(r["job_id"]),
                r["state"],
                f"{r['my_bid']} {r['token']}",
                f"{r['best_bid']} {r['token']}",
                str(r["bids"]),
                r["outcome"],
                session.when(r["bidding_ends"]),
            )
        session.out.print(table)

    session.result({"provider": who, "bids": rows}, human)


@chain_command(provider, "jobs", sends=False)
@click.option("--address", help="Any provider's address (instead of --account).")
def jobs(session: Session, address: str | None) -> None:
    """Jobs this provider won, or was directly assigned."""
    who = session.who(address)
    job_ids = {
        int(e["args"]["jobId"])
        for e in session.events("JobMatched")
        if e["args"]["provider"] == who
    }
    job_ids |= {
        int(e["args"]["jobId"]) for e in session.events("JobPosted") if e["args"]["provider"] == who
    }
    rows = job_rows(session, sorted(job_ids))
    session.result({"provider": who, "jobs": rows}, lambda: print_jobs(session, rows))


# ------------------------------------------------------------------ bidding


@chain_command(provider, "bid", sends=True)
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
        raise CliError(explain(("JobMarketDirectAssignment", (job_id,))))
    if session.now() >= job.bidding_ends:
        raise CliError(explain(("JobMarketBiddingClosed", (job_id, job.bidding_ends))))
    session.require_unpaused("JobMarket", "market")
    hints = session.hints(token, (JobState.OPEN,))
    if raw > job.max_price:
        raise CliError(explain(("JobMarketInvalidPrice", (raw, job.max_price)), hints))
    market = session.contract("JobMarket").functions
    for placed in session.structs(market.bidsOf(job_id)):
        current = int(placed["price"])
        if placed["provider"] == me and raw >= current:
            raise CliError(explain(("JobMarketBidNotLower", (job_id, current, raw)), hints))
    problem = eligibility_problem(session, job_id, job, me)
    if problem:
        raise CliError(problem)
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


@chain_command(provider, "accept", sends=True)
@click.argument("job_id", type=int)
def accept(session: Session, job_id: int) -> None:
    """Accept JOB_ID, a job assigned directly to you, at its posted price."""
    job = job_of(session, job_id)
    me = session.sender.address
    if job.provider != me:
        raise CliError(explain(("JobMarketNotProvider", (job_id, me))))
    require_state(job_id, job, JobState.OPEN)
    if session.now() >= job.bidding_ends:
        raise CliError(explain(("JobMarketDeadlinePassed", (job_id, job.bidding_ends))))
    session.require_unpaused("JobMarket", "market")
    problem = eligibility_problem(session, job_id, job, me)
    if problem:
        raise CliError(problem)
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
