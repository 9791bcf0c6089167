"""`gpumarket agent run|status|attest`: the provider agent from the command line.

Options override the GPUMARKET_AGENT_* environment; the key comes from GPUMARKET_AGENT_PRIVATE_KEY
(or GPUMARKET_AGENT_KEYSTORE with GPUMARKET_AGENT_KEYSTORE_PASSWORD), never from an option, so it
stays out of shell history and process listings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gpumarket.chain.deployment import DeploymentError
from gpumarket.cli.errors import explain
from gpumarket.runtime.logs import setup_logging

if TYPE_CHECKING:
    from gpumarket.agent.service import Agent
    from gpumarket.agent.settings import AgentSettings
    from gpumarket.agent.store import AgentStore

#: A PoGEMM size as the registry takes it (a uint32); the registry's caps say the rest.
UINT32 = click.IntRange(0, 2**32 - 1)

F = TypeVar("F", bound=Callable[..., None])


def _settings(**overrides: Any) -> AgentSettings:
    from pydantic import ValidationError

    from gpumarket.agent.settings import AgentSettings
    from gpumarket.cli.options import service_network_defaults

    values = {key: value for key, value in overrides.items() if value is not None and value != ()}
    values = service_network_defaults(overrides.get("network"), "GPUMARKET_AGENT_", values)
    try:
        return AgentSettings(**values)
    except ValidationError as exc:
        raise click.UsageError(str(exc)) from None


def _chain_options(command: F) -> F:
    options = [
        click.option(
            "--network",
            default=None,
            help="A Brownie network: its RPC URL and deployments/NAME.json, unless given.",
        ),
        click.option(
            "--rpc-url", default=None, help="JSON-RPC endpoint [GPUMARKET_AGENT_RPC_URL]."
        ),
        click.option(
            "--deployment",
            type=click.Path(path_type=Path),
            default=None,
            help="Deployment file to use instead of deployments/NAME.json of --network "
            "[GPUMARKET_AGENT_DEPLOYMENT].",
        ),
        click.option(
            "--state-dir",
            type=click.Path(path_type=Path),
            default=None,
            help="Where the agent keeps its database and files [GPUMARKET_AGENT_STATE_DIR].",
        ),
        click.option(
            "--log-level",
            default=None,
            help="Python logging level: DEBUG, INFO, WARNING or ERROR [INFO].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _agent(settings: AgentSettings) -> Agent:
    from gpumarket.agent.service import Agent, AgentError
    from gpumarket.agent.store import StoreMismatch
    from gpumarket.chain.client import ChainError

    try:
        return Agent(settings)
    except (AgentError, StoreMismatch, DeploymentError, ChainError) as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def agent() -> None:
    """The provider agent: runs won jobs and benchmarks, serves reveals and results."""


@agent.command()
@_chain_options
@click.option("--host", default=None, help="Interface to listen on [127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on; 0 picks a free one.")
@click.option(
    "--public-endpoint", default=None, help="URL the offer advertises [http://host:port]."
)
@click.option(
    "--allow",
    "allowlist",
    multiple=True,
    help="A command line the agent may run (repeat); replaces GPUMARKET_AGENT_ALLOWLIST.",
)
@click.option("--command-timeout", type=float, default=None, help="Most seconds a command runs.")
@click.option("--keep-every", type=int, default=None, help="Keep every m-th checkpoint on disk.")
@click.option("--backend", "pogemm_backend", default=None, help="PoGEMM backend.")
@click.option("--confirmations", type=int, default=None, help="Blocks before a log is acted on.")
@click.option("--poll-interval", type=float, default=None, help="Seconds between polls.")
def run(**options: Any) -> None:
    """Watch the chain, prove, run, commit and submit; serve reveals and results over HTTP."""
    from gpumarket.runtime.loop import ServiceHalted

    settings = _settings(**options)
    setup_logging(settings.log_level)
    service = _agent(settings)
    try:
        service.run()
    except ServiceHalted as exc:
        raise click.ClickException(f"agent halted: {exc}") from None


@agent.command()
@_chain_options
@click.option("--n", "n", type=UINT32, default=64, show_default=True, help="Matrix size n.")
@click.option("--steps", "-T", type=UINT32, default=8, show_default=True, help="Steps T.")
@click.option(
    "--interval", "-K", type=UINT32, default=2, show_default=True, help="Checkpoint interval K."
)
def attest(n: int, steps: int, interval: int, **options: Any) -> None:
    """Open a hardware attestation of this provider; the running agent proves and commits it.
    Sizes the benchmark registry's caps refuse (read on-chain) are refused before sending."""
    from gpumarket.chain.client import ChainError

    settings = _settings(**options)
    setup_logging(settings.log_level)
    service = _agent(settings)
    try:
        challenge_id = service.open_attestation(n, steps, interval)
    except ChainError as exc:
        raise click.ClickException(explain(exc.error) if exc.error else str(exc)) from None
    finally:
        service.store.close()
    click.echo(f"attestation challenge {challenge_id} opened for {service.address}")


@agent.command()
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="The agent's state directory [GPUMARKET_AGENT_STATE_DIR].",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def status(state_dir: Path | None, as_json: bool) -> None:
    """What the agent's store holds: the log cursor, jobs and their phases, challenges."""
    from gpumarket.agent.store import DB_NAME, AgentStore

    settings = _settings(state_dir=state_dir)
    if not (settings.state_dir / DB_NAME).is_file():
        raise click.ClickException(f"no agent state in {settings.state_dir}")
    store = AgentStore.open(settings.state_dir)
    try:
        view = status_view(store)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(view, indent=2, sort_keys=True))
        return
    _print_tables(view)


def status_view(store: AgentStore) -> dict[str, Any]:
    """The store as plain JSON types."""
    chain_id = store.meta("chain_id")
    return {
        "provider": store.meta("provider"),
        "chain_id": None if chain_id is None else int(chain_id),
        "cursor": store.cursor(),
        "jobs": [
            {
                "job_id": job.job_id,
                "phase": job.phase.value,
                "matched_block": job.matched_block,
                "challenge_id": job.challenge_id,
                "deadline": job.deadline,
                "result_hash": _hex(job.artifact_hash),
                "tx_block": job.tx_block,
                "confirmed": job.confirmed,
                "note": job.note,
                "updated_at": job.updated_at,
            }
            for job in store.jobs()
        ],
        "challenges": [
            {
                "challenge_id": c.challenge_id,
                "subject": c.subject,
                "n": c.n,
                "steps": c.steps,
                "interval": c.interval,
                "phase": c.phase.value,
                "root": _hex(c.root),
                "tx_block": c.tx_block,
                "confirmed": c.confirmed,
                "note": c.note,
                "updated_at": c.updated_at,
            }
            for c in store.challenges()
        ],
    }


def _hex(value: bytes | None) -> str | None:
    return None if value is None else "0x" + value.hex()


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def _short(hex_value: str | None) -> str:
    return "-" if hex_value is None else f"{hex_value[:10]}…{hex_value[-6:]}"


def _phase(item: dict[str, Any]) -> str:
    """The phase, flagged while the transaction that reached it awaits confirmation."""
    if item["tx_block"] is not None and not item["confirmed"]:
        return f"{item['phase']} (unconfirmed, block {item['tx_block']})"
    return str(item["phase"])


def _print_tables(view: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"provider {view['provider'] or '-'}  chain {view['chain_id'] or '-'}  "
        f"cursor block {view['cursor'] if view['cursor'] is not None else '-'}"
    )
    jobs = Table(title="Jobs")
    for column in ("job", "phase", "challenge", "deadline", "result hash", "note", "updated"):
        jobs.add_column(column)
    for job in view["jobs"]:
        jobs.add_row(
            str(job["job_id"]),
            _phase(job),
            str(job["challenge_id"] or "-"),
            _when(job["deadline"]),
            _short(job["result_hash"]),
            job["note"],
            _when(job["updated_at"]),
        )
    console.print(jobs)
    challenges = Table(title="Challenges")
    for column in ("challenge", "subject", "n/T/K", "phase", "root", "note", "updated"):
        challenges.add_column(column)
    for c in view["challenges"]:
        challenges.add_row(
            str(c["challenge_id"]),
            str(c["subject"]) if c["subject"] else "attestation",
            f"{c['n']}/{c['steps']}/{c['interval']}",
            _phase(c),
            _short(c["root"]),
            c["note"],
            _when(c["updated_at"]),
        )
    console.print(challenges)
