"""`gpumarket token balance | transfer | approve`: ERC-20 basics for GMKT and the payment tokens,
on any network.

A token is named by symbol (GMKT or an allowlisted payment token) or by address; an account by
address or by name (devN on a dev chain, a keystore account); a spender also by the name of a
deployed contract (JobMarket, ProviderRegistry, BenchmarkRegistry). Amounts are in the token's
own units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gpumarket.cli.display import table
from gpumarket.cli.errors import CliError
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import format_amount

if TYPE_CHECKING:
    from gpumarket.cli.session import Session

#: Contracts a spender may be named by.
SPENDERS = ("JobMarket", "ProviderRegistry", "BenchmarkRegistry")


@click.group()
def token() -> None:
    """Tokens: balances, transfers and allowances of GMKT and the payment tokens."""


@chain_command("balance", sends=False)
@click.argument("token_names", metavar="[TOKEN]...", nargs=-1)
@click.option("--address", help="Any account or address (instead of --account).")
def balance(session: Session, token_names: tuple[str, ...], address: str | None) -> None:
    """ETH and token balances of an account: the named TOKENs, or GMKT and every allowlisted
    payment token."""
    from eth_utils.address import to_checksum_address

    who = session.address(address, "address") if address is not None else session.who(None)
    tokens = [session.token(name) for name in token_names] or session.tokens()
    client = session.client
    wei = int(
        client.rpc("eth_getBalance", lambda: client.w3.eth.get_balance(to_checksum_address(who)))
    )
    rows: list[dict[str, Any]] = []
    for t in tokens:
        raw = int(session.call(t.contract.functions.balanceOf(who)))
        rows.append({"token": t.symbol, "address": t.address, "balance": t.plain(raw)})
    eth = format_amount(wei, 18)
    view = {"account": who, "eth": eth, "tokens": rows}

    def human() -> None:
        balances = table("token", "balance", title=f"Balances of {who}")
        balances.add_row("ETH", eth)
        for row in rows:
            balances.add_row(row["token"], row["balance"])
        session.out.print(balances)

    session.result(view, human)


@chain_command("transfer", sends=True)
@click.argument("token_name", metavar="TOKEN")
@click.argument("recipient", metavar="TO")
@click.argument("amount")
def transfer(session: Session, token_name: str, recipient: str, amount: str) -> None:
    """Send AMOUNT of TOKEN to TO (an address or an account name)."""
    t = session.token(token_name)
    raw = t.parse(amount, what="amount")
    to = session.address(recipient, "recipient")
    me = session.sender.address
    session.require_balance(t, me, raw, "the transfer")
    session.send(t.contract.functions.transfer(to, raw), f"transfer {t.format(raw)} to {to}")
    session.result(
        {"from": me, "to": to, "token": t.symbol, "amount": t.plain(raw)},
        lambda: click.echo(f"sent {t.format(raw)} to {to}"),
    )


@chain_command("approve", sends=True)
@click.argument("token_name", metavar="TOKEN")
@click.argument("spender_name", metavar="SPENDER")
@click.argument("amount")
def approve(session: Session, token_name: str, spender_name: str, amount: str) -> None:
    """Let SPENDER (JobMarket, ProviderRegistry, BenchmarkRegistry, an address or an account name)
    pull up to AMOUNT of TOKEN from the sender; 0 revokes."""
    t = session.token(token_name)
    raw = t.parse(amount, what="amount", allow_zero=True)
    spender, label = _spender(session, spender_name)
    me = session.sender.address
    current = session.allowance(t, me, spender)
    if current == raw:
        raise CliError(f"the allowance of {label} for {t.symbol} is already {t.format(raw)}")
    functions = t.contract.functions
    if current != 0 and raw != 0:
        # Some tokens (USDT) refuse to change one non-zero allowance into another.
        session.send(functions.approve(spender, 0), f"reset the {t.symbol} allowance of {label}")
    session.send(functions.approve(spender, raw), f"approve {t.format(raw)} for {label}")
    session.result(
        {"owner": me, "spender": spender, "token": t.symbol, "allowance": t.plain(raw)},
        lambda: click.echo(f"{label} may now pull {t.format(raw)} from {me}"),
    )


def _spender(session: Session, text: str) -> tuple[str, str]:
    """(address, label) of a spender named by contract, account or address."""
    for name in SPENDERS:
        if text.lower() == name.lower():
            return session.contract(name).address, name
    address = session.address(text, "spender")
    return address, address


for _command in (balance, transfer, approve):
    token.add_command(_command)
