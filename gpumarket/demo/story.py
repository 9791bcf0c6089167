"""The embedded-chain demo (`make demo`): three provider agents and three oracles run as processes
against a local chain, and four stories play out:

1. an honest auction job: the agents bid, the cheapest wins, proves its benchmark, the council
   verifies it and it settles after the dispute window;
2. a cheating provider (its agent computes half the rows): voted FAILED, slashed, the buyer
   refunded and compensated;
3. a provider that goes silent (its workload never finishes): the buyer claims the timeout and is
   refunded and compensated;
4. a buyer dispute on a verified job, resolved by the arbiter in the provider's favour.

It ends with one table: balances, fees, reputation, verified throughput and gas per step.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from gpumarket.agent.settings import AgentSettings
from gpumarket.chain.deploy import deploy_protocol
from gpumarket.chain.launcher import free_port
from gpumarket.chain.types import HOUR, JobSpec, JobState, Offer
from gpumarket.oracle.settings import OracleSettings
from gpumarket.runtime.supervisor import Service, agent_service, oracle_service, wait_until

USDC = 10**6
GMKT = 10**18
STAKE = 5_000 * GMKT
ZERO = "0x" + "00" * 20
#: A 2-GPU, 1-hour job with a PoGEMM proof at the demo's size (seconds on a CPU).
BENCH_JOB = JobSpec(
    gpu_model="H100-SXM-80GB",
    gpu_count=2,
    duration=HOUR,
    workload_uri="builtin:POGEMM",
    benchmark_required=True,
    benchmark_n=128,
    benchmark_t=8,
    benchmark_k=2,
)
#: Provider C's allowlisted workload that never finishes in time: C goes silent.
HANGING = "sleep 30"


@dataclass
class GasLog:
    rows: list[tuple[str, str, int]] = field(default_factory=list)

    def add(self, story: str, step: str, gas: int) -> None:
        self.rows.append((story, step, int(gas)))


def run_demo(console: Console | None = None) -> dict[str, Any]:
    """Plays the demo on the connected development chain; returns the figures it printed."""
    with _brownie_output_hidden() as terminal:
        # `make demo` filters Brownie's own lines through a pipe, and says whether it is run in a
        # terminal (GPUMARKET_DEMO_TTY=1) so the story keeps its colours there.
        tty = True if os.environ.get("GPUMARKET_DEMO_TTY") == "1" else None
        return _play(console or Console(file=terminal, width=110, force_terminal=tty))


@contextlib.contextmanager
def _brownie_output_hidden() -> Iterator[TextIO]:
    """Send Brownie's per-transaction lines to /dev/null; yield a stream to the real terminal.

    Both the process's stdout (fd 1) and Python's `sys.stdout` are pointed there: Brownie prints
    through `sys.stdout`, which a caller (pytest's capture) may have pointed elsewhere than fd 1."""
    sys.stdout.flush()
    saved = os.dup(1)
    terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            yield terminal
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
        terminal.close()


def _fresh_key() -> str:
    return "0x" + secrets.token_hex(32)


def _units(amount: int, unit: int) -> str:
    return f"{amount / unit:,.6f}".rstrip("0").rstrip(".")


class Demo:
    def __init__(self, console: Console) -> None:
        from brownie import accounts, chain, project, web3

        self.console, self.chain, self.web3 = console, chain, web3
        self.work = Path(tempfile.mkdtemp(prefix="gpumarket-demo-"))
        contracts = project.get_loaded_projects()[0]
        self.governance, self.treasury, self.arbiter = accounts[0], accounts[1], accounts[2]
        self.buyer = accounts[4]
        self.names = ["A", "B (cheats)", "C (goes silent)"]
        # Fresh keys, never mnemonics: `accounts.add()` without a key prints the mnemonic it made.
        self.providers = [accounts.add(_fresh_key()) for _ in self.names]
        self.oracle_keys = [accounts.add(_fresh_key()) for _ in range(3)]
        for account in [*self.providers, *self.oracle_keys]:
            self.governance.transfer(account, 10**19, silent=True)
        start = chain.height + 1
        self.protocol = deploy_protocol(
            self.governance,
            self.treasury.address,
            arbiter=self.arbiter.address,
            oracles=[k.address for k in self.oracle_keys],
            silent=True,
        )
        self.usdc = contracts.MockERC20.deploy(
            "USD Coin (demo)", "USDC", 6, {"from": self.governance}, silent=True
        )
        self.market, self.registry = self.protocol.market, self.protocol.registry
        self.token, self.reputation = self.protocol.token, self.protocol.reputation
        self.market.configureToken(self.usdc, True, 10 * USDC, {"from": self.governance})
        # The demo's jobs (about 2 USDC) count toward a provider's score: a minimum of 1 USDC.
        self.reputation.setMinCreditedValue(self.usdc, USDC, {"from": self.governance})
        self.deployment = self.work / "development.json"
        self.protocol.record("development", start, self.deployment)
        self.gas = GasLog()
        self.services: list[Service] = []
        self.agents: list[Service] = []
        self.log: list[str] = []

    # ------------------------------------------------------------ set-up

    def start_services(self) -> None:
        rpc = self.web3.provider.endpoint_uri
        asks = [int(1.80 * USDC), int(1.90 * USDC), int(2.20 * USDC)]
        modules = ["gpumarket.cli.main", "gpumarket.demo.cheater", "gpumarket.cli.main"]
        for k, (account, ask, module) in enumerate(zip(self.providers, asks, modules, strict=True)):
            port = free_port()
            self.token.transfer(account, STAKE, {"from": self.governance})
            self.token.approve(self.registry, STAKE, {"from": account})
            self.registry.stake(STAKE, {"from": account})
            offer = Offer(
                gpu_model="H100-SXM-80GB",
                gpu_count=8,
                region="DE",
                endpoint=f"http://127.0.0.1:{port}",
            )
            tx = self.registry.register(offer.as_tuple(), [self.usdc], [ask], {"from": account})
            self.gas.add("set-up", f"register provider {self.names[k]}", tx.gas_used)
            agent = AgentSettings(
                rpc_url=rpc,
                deployment=self.deployment,
                private_key=account.private_key,
                state_dir=self.work / f"agent{k}",
                port=port,
                poll_interval=0.2,
                pogemm_backend="numpy",
                allowlist=[HANGING] if k == 2 else [],
                command_timeout=5.0,
            )
            service = agent_service(agent, self.work / f"agent{k}.log", module).start()
            self.agents.append(service)
            self.services.append(service)
        for k, key in enumerate(self.oracle_keys):
            oracle = OracleSettings(
                rpc_url=rpc,
                deployment=self.deployment,
                private_key=key.private_key,
                state_dir=self.work / f"oracle{k}",
                poll_interval=0.2,
                min_benchmark_fraction=0.0,
            )
            self.services.append(oracle_service(oracle, self.work / f"oracle{k}.log").start())
        wait_until(lambda: all("agent serving" in a.log() for a in self.agents), 60, "agents")

    def stop_services(self) -> None:
        for service in self.services:
            service.stop()

    # ------------------------------------------------------------ helpers

    def say(self, text: str) -> None:
        self.console.print(text)

    def post(
        self, story: str, spec: JobSpec, max_price: int, provider: Any = None, bidding: int = 60
    ) -> int:
        deposit = self.market.costOf(max_price, spec.gpu_count, spec.duration)
        self.usdc.mint(self.buyer, deposit, {"from": self.governance})
        self.usdc.approve(self.market, deposit, {"from": self.buyer})
        tx = self.market.postJob(
            spec.as_tuple(), self.usdc, max_price, bidding, provider or ZERO, {"from": self.buyer}
        )
        self.gas.add(story, "postJob", tx.gas_used)
        return int(tx.return_value)

    def state(self, job_id: int) -> JobState:
        return JobState(self.market.jobOf(job_id)["state"])

    def sleep_past(self, deadline: int) -> None:
        """Move the dev chain's clock past `deadline` (a timestamp the market reports)."""
        self.chain.sleep(max(0, deadline - self.chain[-1].timestamp) + 1)

    def wait_state(self, job_id: int, *states: JobState, what: str, timeout: float = 90) -> None:
        wait_until(lambda: self.state(job_id) in states, timeout, what)

    def service_gas(self, story: str, job_id: int, direct: bool) -> None:
        """Gas of the agents' and the oracles' transactions for a job, from their events."""
        challenge = self.market.challengeOfJob(job_id)
        wanted = [
            (self.market, "BidPlaced", "jobId", job_id, "bid"),
            *([(self.market, "JobMatched", "jobId", job_id, "acceptJob")] if direct else []),
            (self.protocol.benchmark, "ChallengeCommitted", "challengeId", challenge, "commit"),
            (
                self.protocol.benchmark,
                "SamplingSeedStored",
                "challengeId",
                challenge,
                "storeSamplingSeed",
            ),
            (self.market, "ResultSubmitted", "jobId", job_id, "submitResult"),
            (self.protocol.council, "VoteCast", "subject", job_id, "vote"),
        ]
        for contract, event, key, value, label in wanted:
            seen = contract.events.get_sequence(from_block=0, event_type=event)
            hashes = [e.transactionHash for e in seen if e.args[key] == value]
            for k, tx_hash in enumerate(hashes):
                receipt = self.web3.eth.get_transaction_receipt(tx_hash)
                suffix = f" {k + 1}" if len(hashes) > 1 else ""
                self.gas.add(story, f"{label}{suffix} (service)", receipt["gasUsed"])

    # ------------------------------------------------------------ the stories

    def honest_auction(self) -> int:
        story = "1 auction"
        job_id = self.post(story, BENCH_JOB, int(2.50 * USDC))
        self.say(f"[bold]1.[/] buyer posts job {job_id} for auction (max 2.50 USDC/GPU-h)")
        wait_until(lambda: len(self.market.bidsOf(job_id)) == 3, 60, "three bids")
        self.say("   the three agents bid their prices: 1.80, 1.90, 2.20")
        self.chain.sleep(61)
        tx = self.market.closeAuction(job_id, {"from": self.buyer})
        self.gas.add(story, "closeAuction (3 bids)", tx.gas_used)
        winner = self.names[
            self.providers.index(
                next(p for p in self.providers if p.address == tx.events["JobMatched"]["provider"])
            )
        ]
        self.say(f"   auction closed: provider {winner} wins at 1.80")
        self.wait_state(job_id, JobState.VERIFIED, what="the council's verdict")
        self.say("   the agent proved and submitted; 3 oracles verified it: VERIFIED")
        self.sleep_past(self.market.windowEndOf(job_id))
        tx = self.market.finalize(job_id, {"from": self.buyer})
        self.gas.add(story, "finalize", tx.gas_used)
        self.service_gas(story, job_id, direct=False)
        self.say(
            f"   after the dispute window: SETTLED, provider paid "
            f"{_units(tx.events['JobSettled']['payout'], USDC)} USDC"
        )
        return job_id

    def cheater(self) -> int:
        story = "2 cheater"
        cheat = self.providers[1]
        job_id = self.post(story, BENCH_JOB, int(2.00 * USDC), provider=cheat)
        self.say(f"[bold]2.[/] job {job_id} assigned directly to provider B, whose agent cheats")
        self.wait_state(job_id, JobState.FAILED, what="the FAIL verdict")
        job = self.market.jobOf(job_id)
        self.service_gas(story, job_id, direct=True)
        self.say(
            f"   the oracles found a wrong row: FAILED; buyer refunded "
            f"{_units(job['deposit'], USDC)} USDC and paid half of B's "
            f"{_units(job['collateral'], GMKT)} GMKT collateral"
        )
        return job_id

    def silent(self) -> int:
        story = "3 silent"
        spec = JobSpec(
            gpu_count=1,
            duration=HOUR,
            workload_uri=f"command:{HANGING}",
            workload_hash=hashlib.sha256(HANGING.encode()).digest(),
        )
        job_id = self.post(story, spec, int(2.50 * USDC), provider=self.providers[2])
        self.say(f"[bold]3.[/] job {job_id} assigned to provider C; C accepts, then goes silent")
        self.wait_state(job_id, JobState.RUNNING, what="C's acceptance")
        self.sleep_past(self.market.resultDeadlineOf(job_id))
        tx = self.market.claimTimeout(job_id, {"from": self.buyer})
        self.gas.add(story, "claimTimeout", tx.gas_used)
        job = self.market.jobOf(job_id)  # a direct job at its price: escrow was the deposit
        self.say(
            f"   no result by the deadline: buyer claims the timeout, refunded "
            f"{_units(job['deposit'], USDC)} USDC; C slashed its "
            f"{_units(job['collateral'], GMKT)} GMKT collateral"
        )
        return job_id

    def dispute(self) -> int:
        story = "4 dispute"
        provider = self.providers[0]
        job_id = self.post(story, BENCH_JOB, int(1.80 * USDC), provider=provider)
        self.say(f"[bold]4.[/] job {job_id} assigned to provider A; verified, then disputed")
        self.wait_state(job_id, JobState.VERIFIED, what="the verdict")
        bond = self.market.disputeBondOf(job_id)
        self.usdc.mint(self.buyer, bond, {"from": self.governance})
        self.usdc.approve(self.market, bond, {"from": self.buyer})
        tx = self.market.dispute(job_id, {"from": self.buyer})
        self.gas.add(story, "dispute", tx.gas_used)
        tx = self.market.resolveDispute(job_id, False, {"from": self.arbiter})
        self.gas.add(story, "resolveDispute (buyer at fault)", tx.gas_used)
        self.service_gas(story, job_id, direct=True)
        self.say(
            f"   the arbiter finds for A: A is paid and takes the buyer's "
            f"{_units(bond, USDC)} USDC bond; the buyer gets a strike"
        )
        return job_id

    # ------------------------------------------------------------ the final table

    def report(self, jobs: dict[str, int]) -> dict[str, Any]:
        accounts = [("buyer", self.buyer), ("treasury", self.treasury)] + [
            (f"provider {n}", p) for n, p in zip(self.names, self.providers, strict=True)
        ]
        balances = Table(title="Balances at the end")
        for column in (
            "account",
            "USDC",
            "GMKT staked or held",
            "reputation (done/failed/slashed)",
            "TOPS",
        ):
            balances.add_column(column, justify="left" if column == "account" else "right")
        figures: dict[str, Any] = {"jobs": jobs, "balances": {}}
        for label, account in accounts:
            usdc = self.usdc.balanceOf(account)
            if label.startswith("provider"):
                gmkt = self.registry.providerInfo(account)["stake"]
                record = self.reputation.providerRecord(account)
                rep = (
                    f"{self.reputation.score(account)} bps "
                    f"({record['completed']} done, {record['failed']} failed, "
                    f"{record['slashed']} slashed)"
                )
                tops = str(self.reputation.verifiedTops(account))
            else:
                gmkt = self.token.balanceOf(account)
                rep, tops = "", ""
                if label == "buyer":
                    buyer = self.reputation.buyerRecord(account)
                    rep = f"{buyer[0]} posted, {buyer[3]} strike(s)"
            figures["balances"][label] = {"usdc": usdc, "gmkt": gmkt}
            balances.add_row(label, _units(usdc, USDC), _units(gmkt, GMKT), rep, tops)
        self.console.print(balances)
        fees = self.usdc.balanceOf(self.treasury)
        self.console.print(
            f"protocol fees collected: {_units(fees, USDC)} USDC "
            f"(5%, rounded up); escrow left: "
            f"{_units(self.market.escrowedTotal(self.usdc), USDC)} USDC"
        )
        gas_table = Table(title="Gas per step")
        for column in ("story", "step", "gas"):
            gas_table.add_column(column, justify="right" if column == "gas" else "left")
        for story, step, used in self.gas.rows:
            gas_table.add_row(story, step, f"{used:,}")
        self.console.print(gas_table)
        figures["fees"] = fees
        figures["gas"] = self.gas.rows
        figures["states"] = {k: self.state(v).name for k, v in jobs.items()}
        return figures


def _play(console: Console) -> dict[str, Any]:
    started = time.monotonic()
    with console.status("deploying the protocol and starting 3 agents and 3 oracles"):
        demo = Demo(console)
        demo.start_services()
    console.print(
        f"deployed at JobMarket {demo.market.address}; 3 provider agents and 3 oracles "
        f"(quorum 2) running; logs in {demo.work}"
    )
    try:
        jobs = {
            "auction": demo.honest_auction(),
            "cheater": demo.cheater(),
            "silent": demo.silent(),
            "dispute": demo.dispute(),
        }
        figures = demo.report(jobs)
    finally:
        demo.stop_services()
    console.print(f"demo finished in {time.monotonic() - started:.0f} s")
    return figures
