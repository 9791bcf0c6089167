"""`gpumarket admin pause | unpause | allow-token | set-parameter`: what governance changes.

Each command checks the sender's role first (PAUSER_ROLE, GOVERNOR_ROLE) and sends nothing
without it. Parameters are named as the contracts name them and routed to the contract that
holds them; values are in the parameter's unit (durations such as 12h, GMKT amounts, basis
points, counts), and the bounds are the contract's, decoded from the pre-flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from gpumarket.chain.deploy import name32
from gpumarket.cli.errors import CliError, Hints
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import format_amount, format_duration, parse_amount, parse_duration

if TYPE_CHECKING:
    from gpumarket.cli.session import Session

#: What `pause` and `unpause` name, and the contracts they stand for.
PAUSABLE = {"market": "JobMarket", "registry": "ProviderRegistry"}
_PAUSED_NAMES = {"JobMarket": "market", "ProviderRegistry": "provider registry"}


@dataclass(frozen=True)
class Unit:
    """How a parameter's value is typed and shown."""

    name: str
    parse: Callable[[str], int]
    show: Callable[[int], str]


def _integer(text: str) -> int:
    cleaned = text.strip().replace("_", "")
    if cleaned.startswith("-") and cleaned[1:].isdigit():
        raise ValueError(f"value {text} is negative")
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise ValueError(f"value {text!r} is not a whole number")
    return int(cleaned)


SECONDS = Unit("duration", lambda t: parse_duration(t, what="value"), format_duration)
GMKT = Unit(
    "GMKT",
    lambda t: parse_amount(t, 18, "GMKT", what="value", allow_zero=True),
    lambda v: f"{format_amount(v, 18)} GMKT",
)
BPS = Unit("basis points", _integer, lambda v: f"{v} bps")
COUNT = Unit("count", _integer, str)

#: Every parameter the CLI knows: its contract and unit.
PARAMETERS: dict[str, tuple[str, Unit]] = {
    "protocolFeeBps": ("JobMarket", BPS),
    "slashBuyerShareBps": ("JobMarket", BPS),
    "disputeBondBps": ("JobMarket", BPS),
    "fraudBountyBps": ("JobMarket", BPS),
    "collateralPerGpuHour": ("JobMarket", GMKT),
    "disputeWindow": ("JobMarket", SECONDS),
    "attestTimeout": ("JobMarket", SECONDS),
    "resultGrace": ("JobMarket", SECONDS),
    "arbitrationTimeout": ("JobMarket", SECONDS),
    "minBiddingPeriod": ("JobMarket", SECONDS),
    "maxBiddingPeriod": ("JobMarket", SECONDS),
    "maxBidsPerJob": ("JobMarket", COUNT),
    "maxBuyerStrikes": ("JobMarket", COUNT),
    "minStake": ("ProviderRegistry", GMKT),
    "unbondingPeriod": ("ProviderRegistry", SECONDS),
    "jailPeriod": ("ProviderRegistry", SECONDS),
    "benchmarkWindow": ("BenchmarkRegistry", SECONDS),
    "attestationSlash": ("BenchmarkRegistry", GMKT),
    "finderFeeBps": ("BenchmarkRegistry", BPS),
    "maxN": ("BenchmarkRegistry", COUNT),
    "maxSteps": ("BenchmarkRegistry", COUNT),
    "maxInterval": ("BenchmarkRegistry", COUNT),
    "maxSampleOps": ("BenchmarkRegistry", COUNT),
    "maxProverOps": ("BenchmarkRegistry", COUNT),
    "callbackGas": ("OracleCouncil", COUNT),
    "maxTopsAge": ("Reputation", SECONDS),
}
GOVERNED = ("JobMarket", "ProviderRegistry", "BenchmarkRegistry", "OracleCouncil", "Reputation")


@click.group()
def admin() -> None:
    """Governance: pause and unpause, allowlist payment tokens, set parameters."""


def _pausable(target: str) -> list[str]:
    if target == "all":
        return list(PAUSABLE.values())
    return [PAUSABLE[target]]


def _set_paused(session: Session, target: str, paused: bool) -> None:
    verb = "pause" if paused else "unpause"
    contracts = _pausable(target)
    for name in contracts:
        session.require_role(name, "PAUSER_ROLE", f"only a pauser may {verb} it")
    todo = [
        n for n in contracts if bool(session.call(session.contract(n).functions.paused())) != paused
    ]
    if not todo:
        what = " and the ".join(_PAUSED_NAMES[n] for n in contracts)
        raise CliError(f"the {what} {'is' if len(contracts) == 1 else 'are'} already {verb}d")
    for name in todo:
        functions = session.contract(name).functions
        session.send(getattr(functions, verb)(), f"{verb} the {_PAUSED_NAMES[name]}")
    session.result(
        {"paused" if paused else "unpaused": todo},
        lambda: click.echo(f"{verb}d the " + " and the ".join(_PAUSED_NAMES[n] for n in todo)),
    )


_TARGET = click.argument(
    "target", type=click.Choice(["market", "registry", "all"]), default="all", required=False
)


@chain_command("pause", sends=True)
@_TARGET
def pause(session: Session, target: str) -> None:
    """Pause the market (new jobs, bids, matches), the registry (stakes, offers), or all.
    Refunds, withdrawals, timeouts, settlement and slashing go on."""
    _set_paused(session, target, True)


@chain_command("unpause", sends=True)
@_TARGET
def unpause(session: Session, target: str) -> None:
    """Unpause the market, the registry, or all."""
    _set_paused(session, target, False)


@chain_command("allow-token", sends=True)
@click.argument("token_name", metavar="TOKEN")
@click.option("--bond-min", help="Minimum dispute bond, in the token (required to allow).")
@click.option("--remove", is_flag=True, help="Stop new jobs in the token (running ones go on).")
def allow_token(session: Session, token_name: str, bond_min: str | None, remove: bool) -> None:
    """Allowlist TOKEN (an address, or a known symbol) as a payment token, with its minimum
    dispute bond; or --remove it."""
    if remove and bond_min is not None:
        raise CliError("--remove takes no --bond-min", code="bad_input")
    if not remove and bond_min is None:
        raise CliError(
            "allowing a token needs its minimum dispute bond: --bond-min AMOUNT", code="bad_input"
        )
    token = session.token(token_name)
    minimum = token.parse(bond_min, what="bond minimum", allow_zero=True) if bond_min else 0
    session.require_role("JobMarket", "GOVERNOR_ROLE", "only governance allowlists tokens")
    market = session.contract("JobMarket").functions
    config = session.outputs(market.tokenConfig(token.address))
    if remove and not config["allowed"]:
        raise CliError(f"{token.symbol} is not allowlisted")
    if config["allowed"] and not remove and int(config["disputeBondMin"]) == minimum:
        raise CliError(
            f"{token.symbol} is already allowlisted with a bond minimum of {token.format(minimum)}"
        )
    step = (
        f"remove {token.symbol} from the allowlist"
        if remove
        else f"allowlist {token.symbol} (bond minimum {token.format(minimum)})"
    )
    session.send(
        market.configureToken(token.address, not remove, minimum), step, session.hints(token)
    )
    session.result(
        {
            "token": token.symbol,
            "token_address": token.address,
            "allowed": not remove,
            "dispute_bond_min": token.plain(minimum),
        },
        lambda: click.echo(f"{step}: done"),
    )


@chain_command("set-parameter", sends=True)
@click.argument("name")
@click.argument("value")
@click.option(
    "--contract",
    type=click.Choice(GOVERNED),
    help="The contract that holds NAME [default: the one the CLI knows holds it].",
)
def set_parameter(session: Session, name: str, value: str, contract: str | None) -> None:
    """Set governance parameter NAME to VALUE in its unit: durations (disputeWindow 12h),
    GMKT amounts (minStake 2000), basis points (protocolFeeBps 300) or counts."""
    known = PARAMETERS.get(name)
    if known is None and contract is None:
        raise CliError(
            f"unknown parameter {name!r}; the known ones are {', '.join(sorted(PARAMETERS))} "
            "(name the contract with --contract for another)",
            code="bad_input",
        )
    holder = contract or (known[0] if known else "JobMarket")
    unit = known[1] if known and known[0] == holder else COUNT
    raw = unit.parse(value)
    session.require_role(holder, "GOVERNOR_ROLE", "only governance sets parameters")
    functions = session.contract(holder).functions
    session.send(
        functions.setParameter(name32(name), raw),
        f"set {holder}.{name} to {unit.show(raw)}",
        Hints(amount=unit.show, names=session.names()),
    )
    session.result(
        {"contract": holder, "name": name, "value": raw, "shown": unit.show(raw)},
        lambda: click.echo(f"{holder}.{name} is now {unit.show(raw)}"),
    )


for _command in (pause, unpause, allow_token, set_parameter):
    admin.add_command(_command)
