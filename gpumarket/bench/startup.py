"""How long `gpumarket` takes to start: the median wall time of several runs of `gpumarket --help`,
of a group's help and of a chain command's help, each a fresh process, and the modules whose
import costs the most (`python -X importtime`). `python -m gpumarket.bench.startup [--json-out
PATH]`; `make bench` writes reports/startup.json and the report adds the table to BENCHMARKS.md.

Listing commands import no web3 (cli/lazy.py); a chain command's own help imports its module,
web3 with it, which is most of its start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: What is timed: a command line after `gpumarket`.
COMMANDS = (("--help",), ("buyer", "--help"), ("buyer", "post", "--help"))
#: Runs of each (the first, with a cold file cache, counts like the others).
RUNS = 7
#: The goal of issue 19 for a listing command, in seconds.
GOAL = 0.5


def gpumarket_command() -> list[str]:
    """The console script beside this interpreter, or `python -m gpumarket.cli.main`."""
    script = Path(sys.executable).with_name("gpumarket")
    if script.is_file():
        return [str(script)]
    found = shutil.which("gpumarket")
    return [found] if found else [sys.executable, "-m", "gpumarket.cli.main"]


def time_command(args: tuple[str, ...], runs: int = RUNS) -> list[float]:
    """Wall seconds of `runs` runs of `gpumarket ARGS`, output discarded."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own console script
            [*gpumarket_command(), *args], stdout=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - start)
    return times


def import_offenders(module: str = "gpumarket.cli.main", top: int = 8) -> list[tuple[str, float]]:
    """The `top` modules with the largest cumulative import time when importing `module`."""
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    rows = []
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        rows.append((parts[2].strip(), int(parts[1]) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:top]


def measure(runs: int = RUNS) -> dict[str, Any]:
    rows = []
    for args in COMMANDS:
        times = time_command(args, runs)
        rows.append(
            {
                "command": " ".join(("gpumarket", *args)),
                "median_seconds": statistics.median(times),
                "min_seconds": min(times),
                "runs": runs,
            }
        )
    return {
        "commands": rows,
        "import_cli_main": import_offenders(top=1)[0][1],
        "offenders_of_a_chain_command": import_offenders("gpumarket.cli.buyer.posting"),
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"{'command':<34} {'median':>8} {'min':>8}")
    for row in report["commands"]:
        print(
            f"{row['command']:<34} {row['median_seconds']:>7.3f}s {row['min_seconds']:>7.3f}s"
            f"   ({row['runs']} runs)"
        )
    print(f"import gpumarket.cli.main: {report['import_cli_main']:.3f}s")
    print("largest imports of a chain command (gpumarket.cli.buyer.posting), cumulative:")
    for module, seconds in report["offenders_of_a_chain_command"]:
        print(f"  {seconds:7.3f}s  {module}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    report = measure(args.runs)
    print_report(report)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    listing = report["commands"][0]["median_seconds"]
    if listing > GOAL:
        print(f"gpumarket --help took {listing:.3f}s, over the {GOAL}s goal", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
