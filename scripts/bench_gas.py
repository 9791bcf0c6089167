"""`make bench`: exact gas per protocol operation on a fresh development chain, against the
committed baseline.

Run through the launcher, on anvil (the baseline's chain):
`python -m gpumarket.chain.launcher run scripts/bench_gas.py --network development`.
It prints a table (operation, gas, baseline, delta), then the gas targets (issue 12), writes
reports/gas.json, and with GPUMARKET_BENCH_UPDATE_BASELINE=1 rewrites benchmarks/gas-baseline.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path

from brownie import project, web3
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gpumarket.bench.baseline import (
    BASELINE_PATH,
    REPORT_PATH,
    TOLERANCE,
    BenchSettings,
    Comparison,
    compare,
    dump_gas,
    format_delta,
    load_baseline,
)
from gpumarket.bench.gas import measure_gas, targets


def main() -> None:
    console = Console()
    root = Path(project.get_loaded_projects()[0]._path)
    baseline_file = root / BASELINE_PATH
    baseline = load_baseline(baseline_file) if baseline_file.exists() else {}

    started = time.monotonic()
    with console.status("measuring gas on a fresh chain"):
        # Brownie prints a line per deployment-wiring transaction; the table replaces them.
        with contextlib.redirect_stdout(io.StringIO()):
            gas = measure_gas()
    elapsed = time.monotonic() - started

    rows = compare(gas, baseline)
    console.print(_gas_table(rows, web3.client_version, elapsed))
    console.print(_targets_table(gas))

    report = root / REPORT_PATH
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        json.dumps(
            {
                "chain": web3.client_version,
                "gas": gas,
                "baseline": baseline,
                "regressed": [r.operation for r in rows if r.regressed],
                "improved": [r.operation for r in rows if r.improved],
                "targets": {
                    name: {"gas": gas[name], "target": target, "met": gas[name] <= target}
                    for name, target in targets(gas).items()
                },
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"wrote {report.relative_to(root)}")
    if BenchSettings().update_baseline:
        baseline_file.parent.mkdir(parents=True, exist_ok=True)
        baseline_file.write_text(dump_gas(gas))
        console.print(f"rewrote {baseline_file.relative_to(root)}")


def _gas_table(rows: list[Comparison], chain: str, elapsed: float) -> Table:
    table = Table(title=f"Gas per operation ({chain}, measured in {elapsed:.0f} s)")
    table.add_column("operation")
    for column in ("gas", "baseline", "delta"):
        table.add_column(column, justify="right")
    for row in rows:
        style = "red" if row.regressed else "green" if row.improved else None
        table.add_row(
            Text(row.operation),
            "-" if row.gas is None else f"{row.gas:,}",
            "-" if row.baseline is None else f"{row.baseline:,}",
            format_delta(row.delta),
            style=style,
        )
    table.caption = f"red: more than {TOLERANCE:.0%} above the baseline; green: below it"
    return table


def _targets_table(gas: dict[str, int]) -> Table:
    table = Table(title="Gas targets (issue 12)")
    table.add_column("figure")
    for column in ("gas", "target", "met"):
        table.add_column(column, justify="right")
    for name, target in targets(gas).items():
        met = gas[name] <= target
        table.add_row(
            Text(name),
            f"{gas[name]:,}",
            f"{target:,}",
            "yes" if met else "no",
            style=None if met else "red",
        )
    return table
