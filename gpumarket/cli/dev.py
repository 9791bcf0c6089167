"""`gpumarket dev fund | time-travel`: what a walkthrough on a dev chain needs, refused elsewhere.

`fund` gives accounts GMKT (from the sender, who holds the supply after `deploy`), the test
stablecoin that `deploy` put beside it (minted: anyone may mint it) and ETH. `time-travel` moves
the chain's clock and mines a block, so deadlines the contracts compare with block time pass.
Both check the chain id the node serves before anything else, and refuse every chain that is not
a dev chain in one sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.deployment import DEV_CHAIN_IDS, Deployment
from gpumarket.cli.deploy import TEST_STABLECOIN
from gpumarket.cli.errors import CliError
from gpumarket.cli.options import NumbersAsValues, chain_command
from gpumarket.cli.units import (
    format_amount,
    format_duration,
    parse_amount,
    parse_duration,
    token_at,
)

if TYPE_CHECKING:
    from gpumarket.chain.client import ChainClient
    from gpumarket.cli.session import Session

#: The most `time-travel` moves the clock in one call (a typo such as 25w is likely a mistake,
#: and a clock years ahead breaks every deadline on the chain).
MAX_TRAVEL = 366 * 86_400


def dev_chain_only(chain_id: int, what: str) -> None:
    """Refuse `what` unless `chain_id` is a dev chain."""
    if chain_id not in DEV_CHAIN_IDS:
        known = ", ".join(str(c) for c in sorted(DEV_CHAIN_IDS))
        raise CliError(
            f"{what} works only on dev chains (chain ids {known}); chain {chain_id} is not one, "
            "so nothing was sent",
            code="not_a_dev_chain",
        )


def _probe(session: Session) -> ChainClient:
    """A client of the node alone, without a deployment file."""
    from gpumarket.chain.client import ChainClient
    from gpumarket.cli.session import CLI_RETRY

    return ChainClient(
        session.rpc_url, Deployment(session.options.network, 0, 0, {}), retry=CLI_RETRY
    )


def _served_chain_id(session: Session) -> int:
    """The chain id the node serves (before the deployment's, which it must match anyway)."""
    probe = _probe(session)
    return int(probe.rpc("eth_chainId", lambda: probe.w3.eth.chain_id))


def _request(client: ChainClient, method: str, params: list[Any]) -> Any:
    """A dev-chain JSON-RPC method web3 has no call for; an error answer is the node's refusal."""
    answer = client.rpc(method, lambda: client.w3.provider.make_request(method, params))  # type: ignore[arg-type]
    if answer.get("error"):
        raise CliError(
            f"the node refused {method}: {answer['error'].get('message', answer)}",
            code="chain_error",
        )
    return answer.get("result")


@click.group()
def dev() -> None:
    """Dev chains only: fund accounts, move time. Refused on any other chain."""


@chain_command("fund", sends=True)
@click.argument("recipients", metavar="ACCOUNT...", nargs=-1, required=True)
@click.option("--gmkt", default="10000", show_default=True, help="GMKT for each, from the sender.")
@click.option("--usdc", help="Test stablecoin for each, minted [default: 10000].")
@click.option("--eth", default="10", show_default=True, help="ETH for each, from the sender.")
def fund(
    session: Session, recipients: tuple[str, ...], gmkt: str, usdc: str | None, eth: str
) -> None:
    """Give each ACCOUNT (devN, a keystore account or an address) GMKT, the test stablecoin and
    ETH. The sender pays the GMKT and the ETH (dev0 holds the GMKT supply after `deploy`)."""
    from eth_utils.address import to_checksum_address

    dev_chain_only(_served_chain_id(session), "gpumarket dev fund")
    targets = list(dict.fromkeys(session.address(r, "account") for r in recipients))
    token = session.gmkt
    gmkt_units = token.parse(gmkt, what="the GMKT amount", allow_zero=True)
    eth_wei = parse_amount(eth, 18, "ETH", what="the ETH amount", allow_zero=True)
    stable_address = session.client.deployment.addresses.get(TEST_STABLECOIN)
    if stable_address is None and usdc is not None:
        raise CliError(
            f"{session.deployment_file} records no test stablecoin; deploy again on the dev "
            "chain without --no-test-stablecoin"
        )
    stable = token_at(session.client, stable_address) if stable_address else None
    stable_units = 0
    if stable is not None:
        stable_units = stable.parse(
            usdc or "10000", what=f"the {stable.symbol} amount", allow_zero=True
        )
    me = session.sender.address
    session.require_balance(token, me, gmkt_units * len(targets), "funding")
    for target in targets:
        if gmkt_units:
            session.send(
                token.contract.functions.transfer(target, gmkt_units),
                f"send {token.format(gmkt_units)} to {target}",
            )
        if stable is not None and stable_units:
            minter = session.client.w3.eth.contract(
                address=to_checksum_address(stable.address), abi=_MINT_ABI
            )
            session.send(
                minter.functions.mint(target, stable_units),
                f"mint {stable.format(stable_units)} to {target}",
            )
        if eth_wei:
            session.send_eth(target, eth_wei, f"send {format_amount(eth_wei, 18)} ETH to {target}")
    each = {token.symbol: token.plain(gmkt_units), "ETH": format_amount(eth_wei, 18)}
    if stable is not None:
        each[stable.symbol] = stable.plain(stable_units)
    session.result(
        {"accounts": targets, "each": each},
        lambda: click.echo(
            f"funded {', '.join(targets)} with "
            + ", ".join(f"{amount} {symbol}" for symbol, amount in each.items())
            + " each"
        ),
    )


#: MockERC20's open `mint`, the one function of the test stablecoin the market ABIs lack.
_MINT_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "mint",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}],
        "outputs": [],
    }
]


@click.command("time-travel", cls=NumbersAsValues)
@click.argument("duration")
@click.option(
    "--network",
    default="development",
    show_default=True,
    envvar="GPUMARKET_NETWORK",
    help="Network name: its default RPC URL comes from Brownie's network config.",
)
@click.option("--rpc-url", envvar="GPUMARKET_RPC_URL", help="JSON-RPC endpoint of the dev chain.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def time_travel(duration: str, network: str, rpc_url: str | None, as_json: bool) -> None:
    """Move a dev chain's clock DURATION ahead (90s, 30m, 25h, 1.5h, 2d) and mine a block."""
    from gpumarket.cli.options import Options, run_guarded
    from gpumarket.cli.session import Session

    session = Session(Options(network, None, rpc_url, None, as_json))

    def travel() -> None:
        seconds = parse_duration(duration, what="duration")
        if seconds <= 0:
            raise CliError(f"duration {duration} must be more than zero", code="bad_input")
        if seconds > MAX_TRAVEL:
            raise CliError(
                f"duration {duration} is more than a year; travel in smaller steps",
                code="bad_input",
            )
        probe = _probe(session)
        dev_chain_only(int(probe.rpc("eth_chainId", lambda: probe.w3.eth.chain_id)), "time travel")
        _request(probe, "evm_increaseTime", [seconds])
        _request(probe, "evm_mine", [])
        block = probe.rpc("eth_getBlockByNumber", lambda: probe.w3.eth.get_block("latest"))
        now, number = int(block["timestamp"]), int(block["number"])
        session.result(
            {"travelled": seconds, "block": number, "timestamp": now},
            lambda: click.echo(
                f"moved the clock {format_duration(seconds)} ahead; block {number} at "
                f"{session.when(now)}"
            ),
        )

    run_guarded(travel, session)


dev.add_command(fund)
dev.add_command(time_travel)
