"""`gpumarket provider status | bids | jobs`: a provider's stake, offer and reputation, its bids
and its jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.types import JobState
from gpumarket.cli.display import table, wide_option
from gpumarket.cli.jobs import job_of, job_rows, print_jobs
from gpumarket.cli.options import chain_command
from gpumarket.cli.provider.offers import offer_of
from gpumarket.cli.units import time_left

if TYPE_CHECKING:
    from gpumarket.cli.session import Session


@chain_command("status", sends=False)
@click.option("--address", help="Any provider's address (instead of --account).")
def status(session: Session, address: str | None) -> None:
    """A provider's stake, offer, prices, unbonding entries and reputation."""
    who = session.who(address)
    gmkt = session.gmkt
    registry = session.contract("ProviderRegistry").functions
    info = session.struct(registry.providerInfo(who))
    stake_, locked, registered = info["stake"], info["locked"], info["registered"]
    offer = offer_of(session, who)
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
            # Settled jobs worth at least their token's minCreditedValue: what the score counts.
            "credited": int(record["credited"]),
            "failed": int(record["failed"]),
            "slashed": int(record["slashed"]),
            "disputes_lost": int(record["disputesLost"]),
            # The TOPS that count now (0 once older than Reputation.maxTopsAge), and when the
            # last attestation verified them.
            "verified_tops": int(session.call(reputation.verifiedTops(who))),
            "tops_verified_at": int(record["topsVerifiedAt"]) or None,
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
        f"reputation {rep['score_bps']} bps: {rep['completed']} completed "
        f"({rep['credited']} credited), {rep['failed']} failed, "
        f"{rep['slashed']} slashed, {rep['disputes_lost']} disputes lost"
    )
    if rep["tops_verified_at"]:
        out.print(
            f"verified TOPS {rep['verified_tops']} (last attestation passed "
            f"{session.when(rep['tops_verified_at'])}; 0 once expired)"
        )


@chain_command("bids", sends=False)
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
    reads = [fn(job_id) for job_id in job_ids for fn in (market.jobOf, market.bidsOf)]
    with session.reading(reads):
        rows = [_bid_row(session, who, job_id) for job_id in job_ids]

    def human() -> None:
        now = session.now()
        t = table("job", "state", "my bid", "best bid", "bids", "outcome", "bidding ends")
        for r in rows:
            t.add_row(
                str(r["job_id"]),
                r["state"],
                f"{r['my_bid']} {r['token']}",
                f"{r['best_bid']} {r['token']}",
                str(r["bids"]),
                r["outcome"],
                time_left(r["bidding_ends"], now),
            )
        session.out.print(t)

    session.result({"provider": who, "bids": rows}, human)


@chain_command("jobs", sends=False)
@click.option("--address", help="Any provider's address (instead of --account).")
@wide_option
def jobs(session: Session, address: str | None, wide: bool) -> None:
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
    session.result(
        {"provider": who, "jobs": rows}, lambda: print_jobs(session, rows, other="buyer", wide=wide)
    )


def _bid_row(session: Session, who: str, job_id: int) -> dict[str, Any]:
    """Job `job_id` as `bids` lists it for provider `who`: its bid, the best bid, the outcome."""
    market = session.contract("JobMarket").functions
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
    return {
        "job_id": job_id,
        "state": job.state.name,
        "token": token.symbol,
        "my_bid": token.plain(prices[who]) if who in prices else None,
        "best_bid": token.plain(min(prices.values())) if prices else None,
        "bids": len(prices),
        "outcome": outcome,
        "bidding_ends": job.bidding_ends,
    }
