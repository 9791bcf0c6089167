"""`gpumarket oracle run | status`."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from gpumarket.runtime.logs import setup_logging

if TYPE_CHECKING:
    from gpumarket.oracle.settings import OracleSettings


def _settings(**overrides: Any) -> OracleSettings:
    from gpumarket.cli.options import service_network_defaults
    from gpumarket.oracle.settings import OracleSettings

    values = {k: v for k, v in overrides.items() if v is not None}
    values = service_network_defaults(overrides.get("network"), "GPUMARKET_ORACLE_", values)
    return OracleSettings(**values)


@click.group()
def oracle() -> None:
    """Run an oracle: verify PoGEMM proofs and job results, vote in the OracleCouncil."""


@oracle.command()
@click.option("--network", help="A Brownie network: its RPC URL and deployments/NAME.json.")
@click.option("--rpc-url", help="JSON-RPC endpoint (env GPUMARKET_ORACLE_RPC_URL).")
@click.option(
    "--deployment",
    type=click.Path(path_type=Path),
    help="Deployment file to use instead of deployments/NAME.json of --network (env "
    "GPUMARKET_ORACLE_DEPLOYMENT).",
)
@click.option("--state-dir", type=click.Path(path_type=Path), help="Where the SQLite store lives.")
@click.option("--confirmations", type=int, help="Blocks on top before acting on a block.")
@click.option("--poll-interval", type=float, help="Seconds between passes.")
@click.option(
    "--allow-private-endpoints/--refuse-private-endpoints",
    default=None,
    help="Fetch from private or loopback addresses that providers name on-chain (env "
    "GPUMARKET_ORACLE_ALLOW_PRIVATE_ENDPOINTS). Default: allowed on a dev chain only.",
)
def run(**options: Any) -> None:
    """Verify and vote until stopped (SIGINT/SIGTERM). The private key comes from
    GPUMARKET_ORACLE_PRIVATE_KEY, or a keystore (GPUMARKET_ORACLE_KEYSTORE and _PASSWORD)."""
    from gpumarket.oracle.service import Oracle
    from gpumarket.runtime.loop import ServiceHalted

    setup_logging()
    try:
        settings = _settings(**options)
        service = Oracle(settings)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    stopping = {"now": False}

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        service.run(should_stop=lambda: stopping["now"])
    except ServiceHalted as exc:
        click.echo(f"oracle halted: {exc}", err=True)
        sys.exit(3)


@oracle.command()
@click.option("--state-dir", type=click.Path(path_type=Path), help="Where the SQLite store lives.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(state_dir: Path | None, as_json: bool) -> None:
    """The cursor, the pending work and the votes sent, from the oracle's store."""
    from rich.console import Console
    from rich.table import Table

    from gpumarket.chain.client import subject_label
    from gpumarket.oracle.service import status_of
    from gpumarket.oracle.store import OracleStore, connect

    settings = _settings(state_dir=state_dir)
    path = Path(settings.state_dir) / "oracle.sqlite3"
    if not path.exists():
        raise click.ClickException(f"no oracle store at {path}: has `gpumarket oracle run` run?")
    db = connect(path)
    has_cursor = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cursor'"
    ).fetchone()
    row = db.execute("SELECT block FROM cursor WHERE id = 1").fetchone() if has_cursor else None
    report = status_of(OracleStore(db), None if row is None else int(row[0]), None, "")
    report.pop("member")
    report.pop("head")
    rows = OracleStore(db).votes()
    votes = [
        {
            "subject": str(v.subject),
            "version": v.version,
            "ok": v.ok,
            "status": v.status,
            "tx": v.tx_hash,
        }
        for v in rows
    ]
    report["votes"] = votes
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    console = Console()
    console.print(f"cursor: block {report['cursor']}")
    counts = Table("what", "count")
    for key, value in report.items():
        if isinstance(value, int) and key != "cursor":
            counts.add_row(key, str(value))
    console.print(counts)
    table = Table("subject", "version", "verdict", "status", "tx")
    for row in rows:
        table.add_row(
            subject_label(row.subject),
            str(row.version),
            "OK" if row.ok else "FAIL",
            row.status,
            row.tx_hash or "",
        )
    console.print(table)
