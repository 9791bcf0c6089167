"""`gpumarket market`: listed providers' offers and open jobs, filtered by GPU, region and price.

Providers are found from `ProviderRegistered` events since the deploy block and jobs from
`JobPosted`; what is shown is their current on-chain state.
"""

from __future__ import annotations

from typing import Any

import click
from rich.table import Column, Table

from gpumarket.chain import views
from gpumarket.chain.types import JobState
from gpumarket.cli.jobs import job_dict, job_of, print_jobs, spec_of
from gpumarket.cli.options import chain_command
from gpumarket.cli.session import Session
from gpumarket.cli.units import Token, parse_gpu_model, parse_region


@chain_command("market", sends=False)
@click.option("--gpu", help="Only this GPU model (jobs asking for any model match too).")
@click.option("--region", help="Only this region (jobs open to any region match too).")
@click.option("--token", "token_name", help="Only prices and jobs in this token.")
@click.option(
    "--max-price",
    help="Only offers priced at or below this per GPU-hour, and jobs whose max price is at or "
    "below it (in --token, default GMKT).",
)
def market(
    session: Session,
    gpu: str | None,
    region: str | None,
    token_name: str | None,
    max_price: str | None,
) -> None:
    """Offers of listed providers and jobs open for bids or acceptance."""
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
    for job_id in sorted({int(e["args"]["jobId"]) for e in session.events("JobPosted")}):
        job = job_of(session, job_id)
        if job.state != JobState.OPEN or job.bidding_ends <= now:
            continue
        spec = spec_of(session, job_id)
        if model and spec.gpu_model and spec.gpu_model != model:
            continue
        if place and spec.region and spec.region != place:
            continue
        if token is not None and job.token != token.address:
            continue
        if limit is not None and job.max_price > limit:
            continue
        jobs.append(job_dict(session, job_id, job, spec))

    def human() -> None:
        table = Table(
            Column("provider", no_wrap=True),
            "GPUs",
            "VRAM",
            "region",
            "free",
            "prices per GPU-hour",
            "reputation",
            title="Offers",
        )
        for o in offers:
            table.add_row(
                o["provider"],
                f"{o['gpus']} x {o['gpu_model']}",
                f"{o['vram_gib']} GiB",
                o["region"],
                str(o["free_gpus"]),
                ", ".join(f"{p} {s}" for s, p in o["prices"].items()),
                f"{o['reputation_bps']} bps",
            )
        session.out.print(table)
        session.out.print("Open jobs")
        print_jobs(session, jobs)

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
    offers = []
    for provider in providers:
        if not session.call(registry.isListed(provider)):
            continue
        offer_of = registry.offerOf(provider)
        offer = views.offer(offer_of, session.call(offer_of))
        if (model and offer.gpu_model != model) or (place and offer.region != place):
            continue
        prices = {}
        for token in tokens:
            price = int(session.call(registry.priceOf(provider, token.address)))
            if price and (limit is None or price <= limit):
                prices[token.symbol] = token.plain(price)
        if not prices:
            continue
        info = session.struct(registry.providerInfo(provider))
        offers.append(
            {
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
        )
    return offers
