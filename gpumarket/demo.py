"""The embedded-chain demo: one stablecoin auction job from posting to settlement.

Run with `make demo` (Brownie's development network, anvil on a free port). It deploys the
protocol, registers three providers with different prices, lets them bid on a buyer's USDC job,
closes the auction, submits the result, travels past the dispute window and finalizes, then prints
balances before and after, the fee, reputation and the gas of every step.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from gpumarket.chain.deploy import Protocol, deploy_protocol
from gpumarket.chain.types import HOUR, JobSpec, JobState, Offer

USDC_UNIT = 10**6
GMKT_UNIT = 10**18
STAKE = 5_000 * GMKT_UNIT


@dataclass
class GasLog:
    rows: list[tuple[str, int]] = field(default_factory=list)

    def add(self, step: str, tx: Any) -> Any:
        self.rows.append((step, int(tx.gas_used)))
        return tx


def _fmt(amount: int, unit: int) -> str:
    return f"{amount / unit:,.6f}".rstrip("0").rstrip(".")


def run_demo(console: Console | None = None) -> dict[str, Any]:
    """Plays the demo on the connected development chain; returns the figures it printed."""
    with _brownie_output_hidden() as terminal:
        return _play(console or Console(file=terminal))


@contextlib.contextmanager
def _brownie_output_hidden() -> Iterator[TextIO]:
    """Send Brownie's per-transaction lines to /dev/null; yield a stream to the real terminal.

    This works on the file descriptor, below whatever stream object Brownie holds; the demo's
    own tables replace those lines.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
        terminal.close()


def _play(console: Console) -> dict[str, Any]:
    from brownie import accounts, chain, project

    contracts = project.get_loaded_projects()[0]
    governance, treasury, buyer = accounts[0], accounts[1], accounts[4]
    providers = [accounts[6], accounts[7], accounts[8]]
    names = ["provider-a", "provider-b", "provider-c"]
    gas = GasLog()

    with console.status("deploying the protocol"):
        protocol: Protocol = deploy_protocol(
            governance, treasury.address, arbiter=governance.address, silent=True
        )
        usdc = contracts.MockERC20.deploy(
            "USD Coin (demo)", "USDC", 6, {"from": governance}, silent=True
        )
        protocol.market.configureToken(usdc, True, 10 * USDC_UNIT, {"from": governance})
    market, registry, token, reputation = (
        protocol.market,
        protocol.registry,
        protocol.token,
        protocol.reputation,
    )
    console.print(f"[bold]deployed[/] JobMarket at {market.address}")

    asks = [int(2.10 * USDC_UNIT), int(1.85 * USDC_UNIT), int(1.95 * USDC_UNIT)]
    for account, name, ask in zip(providers, names, asks, strict=True):
        token.transfer(account, STAKE, {"from": governance})
        token.approve(registry, STAKE, {"from": account})
        gas.add(f"stake ({name})", registry.stake(STAKE, {"from": account}))
        offer = Offer(
            gpu_model="H100-SXM-80GB",
            gpu_count=8,
            region="DE",
            endpoint=f"http://127.0.0.1:0/{name}",
        )
        gas.add(
            f"register ({name})",
            registry.register(offer.as_tuple(), [usdc], [ask], {"from": account}),
        )
    console.print("registered 3 providers (H100-SXM-80GB x8, DE)")

    spec = JobSpec(
        gpu_model="H100-SXM-80GB", gpu_count=4, duration=2 * HOUR, workload_uri="builtin:POGEMM"
    )
    max_price = int(2.50 * USDC_UNIT)
    deposit = market.costOf(max_price, spec.gpu_count, spec.duration)
    usdc.mint(buyer, deposit, {"from": governance})
    tracked = [buyer, treasury, *providers]
    before = {a.address: usdc.balanceOf(a) for a in tracked}
    gas.add("approve (buyer)", usdc.approve(market, deposit, {"from": buyer}))
    tx = gas.add(
        "postJob",
        market.postJob(spec.as_tuple(), usdc, max_price, HOUR, "0x" + "00" * 20, {"from": buyer}),
    )
    job_id = tx.return_value
    console.print(
        f"buyer posted job {job_id}: 4 GPUs x 2 h, max {_fmt(max_price, USDC_UNIT)} USDC/GPU-h, "
        f"escrow {_fmt(deposit, USDC_UNIT)} USDC"
    )

    for account, name, ask in zip(providers, names, asks, strict=True):
        gas.add(f"bid ({name})", market.bid(job_id, ask, {"from": account}))
    chain.sleep(HOUR + 1)
    tx = gas.add("closeAuction", market.closeAuction(job_id, {"from": buyer}))
    winner = tx.events["JobMatched"]["provider"]
    winner_name = names[[p.address for p in providers].index(winner)]
    price = _fmt(tx.events["JobMatched"]["price"], USDC_UNIT)
    console.print(f"auction closed: {winner_name} wins at {price} USDC/GPU-h")

    winner_account = providers[[p.address for p in providers].index(winner)]
    gas.add(
        "submitResult",
        market.submitResult(
            job_id, b"\x42" * 32, "http://127.0.0.1:0/result", {"from": winner_account}
        ),
    )
    chain.sleep(market.disputeWindow() + 1)
    tx = gas.add("finalize", market.finalize(job_id, {"from": buyer}))
    settled = tx.events["JobSettled"]
    assert market.jobOf(job_id)["state"] == JobState.SETTLED

    after = {a.address: usdc.balanceOf(a) for a in tracked}
    balances = Table(title=f"Job {job_id} settled: USDC balances")
    for column in ("account", "before", "after", "change"):
        balances.add_column(column, justify="right" if column != "account" else "left")
    labels = {buyer.address: "buyer", treasury.address: "treasury"}
    labels.update({p.address: n for p, n in zip(providers, names, strict=True)})
    for account in tracked:
        b, a = before[account.address], after[account.address]
        balances.add_row(
            labels[account.address],
            _fmt(b, USDC_UNIT),
            _fmt(a, USDC_UNIT),
            f"{(a - b) / USDC_UNIT:+,.6f}",
        )
    console.print(balances)

    summary = Table(title="Settlement")
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    summary.add_row("deposit", _fmt(deposit, USDC_UNIT))
    summary.add_row("provider payout", _fmt(settled["payout"], USDC_UNIT))
    summary.add_row("protocol fee (5%, rounded up)", _fmt(settled["fee"], USDC_UNIT))
    summary.add_row(
        "refunded to buyer", _fmt(after[buyer.address] - before[buyer.address] + deposit, USDC_UNIT)
    )
    for account, name in zip(providers, names, strict=True):
        record = reputation.providerRecord(account)
        summary.add_row(
            f"reputation {name}", f"score {reputation.score(account)} bps, completed {record[0]}"
        )
    console.print(summary)

    gas_table = Table(title="Gas per step")
    gas_table.add_column("step")
    gas_table.add_column("gas", justify="right")
    for step, used in gas.rows:
        gas_table.add_row(step, f"{used:,}")
    console.print(gas_table)
    return {
        "job_id": job_id,
        "payout": settled["payout"],
        "fee": settled["fee"],
        "deposit": deposit,
        "gas": gas.rows,
    }
