"""How long `gpumarket` takes to start: the median wall time of several runs of each command
below, each a fresh process, and the modules whose import costs the most (`python -X
importtime`). `python -m gpumarket.bench.startup [--json-out PATH]`; `make bench` (or `make
bench-startup` alone) writes reports/startup.json and the report puts the table in BENCHMARKS.md.

No command's help imports web3, eth-*, numpy, rich or pydantic (cli/lazy.py; tests/cli/test_lazy.py
checks every command of the tree): a command's module imports the chain side in its body, when
it runs. A chain command that runs opens its session, which imports web3: `buyer status` against
a deployments directory with no deployment file is timed to the sentence that refuses it, the
whole start of a chain command without a node, and web3's own import is timed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

#: Runs of each (the first, with a cold file cache, counts like the others).
RUNS = 7
#: The goal of issue 19 for a command's start, in seconds.
GOAL = 0.5


class Timed(NamedTuple):
    """A command line after `gpumarket`, as the report names it, and the exit code it ends with."""

    label: tuple[str, ...]
    exit_code: int = 0


#: What is timed: listings, chain commands' help, and a chain command that runs (`{empty}` is a
#: deployments directory with no deployment file: the command opens its session, web3 included,
#: and refuses in one sentence with exit code 1).
COMMANDS = (
    Timed(("--help",)),
    Timed(("buyer", "--help")),
    Timed(("buyer", "post", "--help")),
    Timed(("provider", "stake", "--help")),
    Timed(("deploy", "--help")),
    Timed(("dev", "time-travel", "--help")),
    Timed(("buyer", "status", "1", "--deployments-dir", "{empty}"), exit_code=1),
)
#: The modules a chain command imports when it runs: its session (web3, eth-account).
RUNNING = "gpumarket.cli.session"
#: A chain command's module, which its help imports.
CHAIN_COMMAND = "gpumarket.cli.buyer.posting"


def gpumarket_command() -> list[str]:
    """The console script beside this interpreter, or `python -m gpumarket.cli.main`."""
    script = Path(sys.executable).with_name("gpumarket")
    if script.is_file():
        return [str(script)]
    found = shutil.which("gpumarket")
    return [found] if found else [sys.executable, "-m", "gpumarket.cli.main"]


def label(timed: Timed) -> str:
    """How the report names `timed`: `gpumarket ARGS`, with `{empty}` as `EMPTY`."""
    return " ".join(("gpumarket", *timed.label)).replace("{empty}", "EMPTY")


def time_command(timed: Timed, runs: int = RUNS) -> list[float]:
    """Wall seconds of `runs` runs of `gpumarket ARGS`, output discarded; a run that does not end
    with `timed.exit_code` fails the measurement."""
    times = []
    with tempfile.TemporaryDirectory() as empty:
        args = [a.replace("{empty}", empty) for a in timed.label]
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(  # noqa: S603 - our own console script
                [*gpumarket_command(), *args],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - start)
            if done.returncode != timed.exit_code:
                raise RuntimeError(
                    f"{label(timed)} exited {done.returncode}, not {timed.exit_code}: "
                    f"{done.stderr.strip()}"
                )
    return times


def import_times(module: str) -> list[tuple[str, float]]:
    """Every module that importing `module` in a fresh interpreter loads, with its cumulative
    import time in seconds, largest first."""
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
    return sorted(rows, key=lambda r: -r[1])


def import_offenders(module: str = "gpumarket.cli.main", top: int = 8) -> list[tuple[str, float]]:
    """The `top` modules with the largest cumulative import time when importing `module`."""
    return import_times(module)[:top]


def import_seconds(module: str, runs: int = 3) -> float:
    """The fastest of `runs` cumulative import times of `module` in a fresh interpreter."""
    return min(dict(import_times(module))[module] for _ in range(runs))


def measure(runs: int = RUNS) -> dict[str, Any]:
    rows = []
    for timed in COMMANDS:
        times = time_command(timed, runs)
        rows.append(
            {
                "command": label(timed),
                "median_seconds": statistics.median(times),
                "min_seconds": min(times),
                "runs": runs,
            }
        )
    return {
        "commands": rows,
        "import_cli_main": import_seconds("gpumarket.cli.main"),
        "import_chain_command_module": import_seconds(CHAIN_COMMAND),
        "import_web3": import_seconds("web3"),
        "offenders_of_a_running_chain_command": import_offenders(RUNNING),
    }


def print_report(report: dict[str, Any]) -> None:
    width = max(len(row["command"]) for row in report["commands"])
    print(f"{'command':<{width}} {'median':>8} {'min':>8}")
    for row in report["commands"]:
        print(
            f"{row['command']:<{width}} {row['median_seconds']:>7.3f}s {row['min_seconds']:>7.3f}s"
            f"   ({row['runs']} runs)"
        )
    print(f"import gpumarket.cli.main: {report['import_cli_main']:.3f}s")
    print(f"import {CHAIN_COMMAND} (what its --help loads): ", end="")
    print(f"{report['import_chain_command_module']:.3f}s")
    print(f"import web3 alone: {report['import_web3']:.3f}s")
    print(f"largest imports of a chain command that runs ({RUNNING}), cumulative:")
    for module, seconds in report["offenders_of_a_running_chain_command"]:
        print(f"  {seconds:7.3f}s  {module}")


def over_goal(report: dict[str, Any]) -> list[str]:
    """The commands whose median start is over GOAL, as sentences."""
    return [
        f"{row['command']} took {row['median_seconds']:.3f}s, over the {GOAL}s goal"
        for row in report["commands"]
        if row["median_seconds"] > GOAL
    ]


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
    for sentence in over_goal(report):
        print(sentence, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
