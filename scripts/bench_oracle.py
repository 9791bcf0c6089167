"""`brownie run scripts/bench_oracle.py`: oracle verdicts per minute with 1 and 3 oracles, and the
time from commitment to verdict (see gpumarket/bench/oracle.py)."""

import json
import os
from pathlib import Path

from brownie import chain
from rich.console import Console
from rich.table import Table

from gpumarket.bench.oracle import as_rows, measure


def main():
    jobs = int(os.environ.get("GPUMARKET_BENCH_ORACLE_JOBS", "40"))
    results = []
    for oracles in (1, 3):
        results.append(measure(oracles, jobs))
        chain.reset()
    table = Table(title=f"Oracle throughput: {jobs} challenges n=64 T=8 K=2, S=103, anvil")
    for column in ("oracles", "quorum", "verdicts/min", "commit→verdict median s", "max s"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            str(r.oracles),
            str(r.quorum),
            f"{r.verdicts_per_minute:.0f}",
            f"{r.commit_to_verdict_median:.2f}",
            f"{r.commit_to_verdict_max:.2f}",
        )
    Console().print(table)
    Path("reports").mkdir(exist_ok=True)
    Path("reports/oracle-throughput.json").write_text(json.dumps(as_rows(results), indent=2))
