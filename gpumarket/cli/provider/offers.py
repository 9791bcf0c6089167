"""`gpumarket provider register | update`: the offer (GPUs, region, endpoint) and prices per
GPU-hour in each accepted token."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gpumarket.chain import views
from gpumarket.chain.types import Offer
from gpumarket.cli.errors import CliError, refusal
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import (
    Token,
    complete_gpu_model,
    gpu_model_help,
    parse_gpu_model,
    parse_region,
    parse_url,
)

if TYPE_CHECKING:
    from gpumarket.cli.session import Session

F = TypeVar("F", bound=Callable[..., None])

UINT16 = click.IntRange(1, 2**16 - 1)
UINT32 = click.IntRange(0, 2**32 - 1)


def _offer_options(required: bool) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        options = [
            click.option(
                "--gpu",
                "gpu",
                metavar="MODEL",
                required=required,
                shell_complete=complete_gpu_model,
                help=gpu_model_help("GPU model"),
            ),
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
            raise CliError(f"price {item!r} must be TOKEN=AMOUNT, e.g. GMKT=2.5", code="bad_input")
        token = session.token(symbol.strip())
        if token in parsed:
            raise CliError(f"{token.symbol} is priced twice", code="bad_input")
        parsed[token] = token.parse(amount, what=f"the {token.symbol} price", allow_zero=allow_zero)
    return parsed


def _check_endpoint(endpoint: str) -> str:
    try:
        return parse_url(endpoint, what="endpoint")
    except ValueError as exc:
        raise CliError(str(exc), code="bad_input") from None


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


def offer_of(session: Session, provider: str) -> Offer:
    """`offerOf(provider)`: the provider's offer (all zero when it never registered)."""
    fn = session.contract("ProviderRegistry").functions.offerOf(provider)
    return views.offer(fn, session.call(fn))


@chain_command("register", sends=True)
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
        raise refusal(("ProviderRegistryAlreadyRegistered", (me,)))
    min_stake = int(session.call(registry.minStake()))
    if info["stake"] < min_stake:
        raise refusal(
            ("ProviderRegistryInsufficientStake", (me, info["stake"], min_stake)),
            session.hints(),
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


@chain_command("update", sends=True)
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
    current = offer_of(session, me)
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
        raise refusal(("ProviderRegistryNotRegistered", (me,)))
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
