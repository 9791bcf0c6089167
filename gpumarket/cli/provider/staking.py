"""`gpumarket provider stake | unstake | withdraw`: the GMKT stake that backs a provider's jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gpumarket.cli.errors import CliError, refusal
from gpumarket.cli.options import chain_command

if TYPE_CHECKING:
    from gpumarket.cli.session import Session

#: Pending unbonding entries a provider may have (ProviderRegistry.MAX_UNBONDING_ENTRIES).
MAX_UNBONDING_ENTRIES = 16


@chain_command("stake", sends=True)
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


@chain_command("unstake", sends=True)
@click.argument("amount")
def unstake(session: Session, amount: str) -> None:
    """Start unbonding AMOUNT GMKT of free stake (withdrawable after the unbonding period)."""
    gmkt = session.gmkt
    raw = gmkt.parse(amount, what="amount")
    me = session.sender.address
    registry = session.contract("ProviderRegistry").functions
    free = int(session.call(registry.freeStake(me)))
    if raw > free:
        raise refusal(("ProviderRegistryInsufficientFreeStake", (me, raw, free)), session.hints())
    if len(session.call(registry.unbondingEntries(me))) >= MAX_UNBONDING_ENTRIES:
        raise refusal(("ProviderRegistryTooManyUnbondingEntries", (me, MAX_UNBONDING_ENTRIES)))
    receipt = session.send(registry.requestUnstake(raw), f"unstake {gmkt.format(raw)}")
    (event,) = session.receipt_events(receipt, "ProviderRegistry", "UnstakeRequested")
    release_at = int(event["args"]["releaseAt"])
    session.result(
        {"provider": me, "unbonding": gmkt.plain(raw), "release_at": release_at},
        lambda: click.echo(
            f"{gmkt.format(raw)} unbonding; withdraw it after {session.when(release_at)}"
        ),
    )


@chain_command("withdraw", sends=True)
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
