"""`gpumarket market`: listed providers' offers and open jobs, filtered by GPU, region and price.

Providers are found from `ProviderRegistered` events since the deploy block and jobs from
`JobPosted`; what is shown is their current on-chain state. Open jobs show when their bidding
ends, how many bids they have and the benchmark they require; the tables fit 80 columns, with
short addresses unless `--wide` (which also shows each job's buyer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain import views
from gpumarket.chain.types import JobState
from gpumarket.cli.display import address_column, short_address, table, wide_option
from gpumarket.cli.jobs import job_dict, job_of, spec_of
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import (
    Token,
    complete_gpu_model,
    format_duration,
    gpu_model_help,
    parse_gpu_model,
    parse_region,
    time_left,
)

if TYPE_CHECKING:
    from gpumarket.cli.session import Session


@chain_command("market", sends=False)
@click.option(
    "--gpu",
    metavar="MODEL",
    shell_complete=complete_gpu_model,
    help=gpu_model_help("Only this GPU model (jobs asking for any model match too)"),
)
@click.option("--region", help="Only this region (jobs open to any region match too).")
@click.option("--token", "token_name", help="Only prices and jobs in this token.")
@click.option(
    "--max-price",
    help="Only offers priced at or below this per GPU-hour, and jobs whose max price is at or "
    "below it (in --token, default GMKT).",
)
@wide_option
def market(
    session: Session,
    gpu: str | None,
    region: str | None,
    token_name: str | None,
    max_price: str | None,
    wide: bool,
) -> None:
    """Offers of listed providers, and jobs open for bids or acceptance with their bidding end,
    bid count and benchmark."""
    model = parse_gpu_model(gpu) if gpu is not None else None
    place = parse_region(region) if region is not None else None
    token = session.token(token_name) if token_name else None
    limit = None
    if max_price is not None:
        token = token or session.gmkt
        limit = token.parse(max_price, what="max price", allow_zero=True)
    tokens = [token] if token is not None else session.tokens()

    offers = _offers(session, tokens, model, place, limit)
    now = session.now()
    jobs = []
    functions = session.contract("JobMarket").functions
    posted = sorted({int(e["args"]["jobId"]) for e in session.events("JobPosted")})
    # Two batches: every posted job, then the spec, collateral and bids of the open ones.
    with session.reading([functions.jobOf(job_id) for job_id in posted]):
        candidates = [(job_id, job_of(session, job_id)) for job_id in posted]
    candidates = [
        (job_id, job)
        for job_id, job in candidates
        if job.state == JobState.OPEN
        and job.bidding_ends > now
        and (token is None or job.token == token.address)
        and (limit is None or job.max_price <= limit)
    ]
    reads = [
        fn(job_id)
        for job_id, _ in candidates
        for fn in (functions.specOf, functions.collateralOf, functions.bidsOf)
    ]
    with session.reading(reads):
        for job_id, job in candidates:
            spec = spec_of(session, job_id)
            if model and spec.gpu_model and spec.gpu_model != model:
                continue
            if place and spec.region and spec.region != place:
                continue
            row = job_dict(session, job_id, job, spec)
            row["bids"] = len(session.call(functions.bidsOf(job_id)))
            row["benchmark"] = (
                {"n": spec.benchmark_n, "T": spec.benchmark_t, "K": spec.benchmark_k}
                if spec.benchmark_required
                else None
            )
            jobs.append(row)

    def human() -> None:
        offered = table(
            address_column("provider"),
            "GPUs",
            "VRAM",
            "region",
            "free",
            "price/GPU-h",
            "rep (bps)",
            title="Offers",
        )
        for o in offers:
            offered.add_row(
                short_address(o["provider"], wide=wide),
                f"{o['gpus']} x {o['gpu_model']}",
                f"{o['vram_gib']} GiB",
                o["region"],
                str(o["free_gpus"]),
                "\n".join(f"{p} {s}" for s, p in o["prices"].items()),
                str(o["reputation_bps"]),
            )
        session.out.print(offered)
        open_jobs = table(
            "job",
            "GPUs",
            "region",
            "time",
            "max price",
            "bidding ends",
            "bids",
            "benchmark",
            *([address_column("buyer")] if wide else []),
            title="Open jobs",
        )
        for r in jobs:
            b = r["benchmark"]
            open_jobs.add_row(
                str(r["job_id"]),
                f"{r['gpus']} x {r['gpu_model'] or 'any'}",
                r["region"] or "any",
                format_duration(r["duration"]),
                f"{r['max_price_per_gpu_hour']} {r['token']}",
                time_left(r["bidding_ends"], now),
                str(r["bids"]),
                f"n={b['n']} T={b['T']}" if b else "-",
                *([r["buyer"]] if wide else []),
            )
        session.out.print(open_jobs)

    session.result({"offers": offers, "jobs": jobs}, human)


def _offers(
    session: Session,
    tokens: list[Token],
    model: str | None,
    place: str | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    registry = session.contract("ProviderRegistry").functions
    reputation = session.contract("Reputation").functions
    providers = list(
        dict.fromkeys(e["args"]["provider"] for e in session.events("ProviderRegistered"))
    )
    reads = [
        fn
        for provider in providers
        for fn in (
            registry.isListed(provider),
            registry.offerOf(provider),
            registry.providerInfo(provider),
            reputation.score(provider),
            *(registry.priceOf(provider, token.address) for token in tokens),
        )
    ]
    with session.reading(reads):
        return [
            entry
            for provider in providers
            if (entry := _offer(session, provider, tokens, model, place, limit)) is not None
        ]


def _offer(
    session: Session,
    provider: str,
    tokens: list[Token],
    model: str | None,
    place: str | None,
    limit: int | None,
) -> dict[str, Any] | None:
    """What `provider` offers, as `market` lists it, or None when it is not listed or does not
    match the filters."""
    registry = session.contract("ProviderRegistry").functions
    reputation = session.contract("Reputation").functions
    if not session.call(registry.isListed(provider)):
        return None
    offer_of = registry.offerOf(provider)
    offer = views.offer(offer_of, session.call(offer_of))
    if (model and offer.gpu_model != model) or (place and offer.region != place):
        return None
    prices = {}
    for token in tokens:
        price = int(session.call(registry.priceOf(provider, token.address)))
        if price and (limit is None or price <= limit):
            prices[token.symbol] = token.plain(price)
    if not prices:
        return None
    info = session.struct(registry.providerInfo(provider))
    return {
        "provider": provider,
        "gpu_model": offer.gpu_model,
        "gpus": offer.gpu_count,
        "free_gpus": offer.gpu_count - int(info["gpusInUse"]),
        "vram_gib": offer.vram_gib,
        "region": offer.region,
        "bandwidth_mbps": offer.bandwidth_mbps,
        "endpoint": offer.endpoint,
        "prices": prices,
        "reputation_bps": int(session.call(reputation.score(provider))),
        "jailed_until": int(info["jailedUntil"]) or None,
    }
