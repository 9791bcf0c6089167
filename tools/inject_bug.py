"""Proof that the whole-protocol invariant machine can fail: inject an accounting bug into a copy
of the contracts and time how fast tests/stateful finds it.

Each bug is a one-line change to a contract, applied to a throw-away copy of the working tree
(tools/sandbox_tree.py: a temporary directory, removed afterwards; the repository itself is never
touched). The machine then runs in that copy, against the bugged contracts, with
GPUMARKET_STATEFUL_EXAMPLES runs of 50 steps, and this prints the step and the seconds at which
the first check failed (before Hypothesis shrinks the example), and what failed.

    .venv/bin/python tools/inject_bug.py                # every bug, up to 200 x 50 steps each
    .venv/bin/python tools/inject_bug.py --bug refund-short --examples 100

Exit status 0 when every bug was found, 1 when one survived the budget. The table is also
written to reports/inject-bug.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass

from sandbox_tree import ROOT, Sandbox, sandbox

REPORT = ROOT / "reports" / "inject-bug.json"
FIRST_FAILURE = re.compile(r"stateful first failure: step (\d+) after ([\d.]+) s: (.*)")


@dataclass(frozen=True)
class Bug:
    name: str
    path: str
    before: str
    after: str
    what: str


BUGS = (
    Bug(
        "refund-short",
        "contracts/libraries/JobEscrow.sol",
        "release(ledger, jobId, job.token, job.buyer, refund, IJobMarket.Payout.REFUND);",
        "release(ledger, jobId, job.token, job.buyer, refund - 1, IJobMarket.Payout.REFUND);",
        "a failed job refunds the buyer one unit short; the unit stays in escrow (E1, E2)",
    ),
    Bug(
        "fee-rounding",
        "contracts/libraries/JobEscrow.sol",
        "uint256 fee = value.bpsUp(p.protocolFeeBps);",
        "uint256 fee = value.bpsDown(p.protocolFeeBps);",
        "the protocol fee rounds down instead of up (E4, the payouts)",
    ),
    Bug(
        "unbonding-total",
        "contracts/ProviderRegistry.sol",
        "        _providers[provider].unbonding -= taken;\n        totalUnbonding -= taken;\n",
        "        _providers[provider].unbonding -= taken;\n",
        "a slash that reaches unbonding stake leaves totalUnbonding unchanged (S1, S2)",
    ),
)


def inject(tree: Sandbox, bug: Bug) -> None:
    source = tree.read(bug.path).decode()
    if source.count(bug.before) != 1:
        sys.exit(f"{bug.name}: the line to change is not in {bug.path} exactly once")
    tree.write(bug.path, source.replace(bug.before, bug.after).encode())


def hunt(bug: Bug, examples: int) -> dict:
    with sandbox(f"gpumarket-bug-{bug.name}-") as tree:
        inject(tree, bug)
        env = tree.env()
        env["GPUMARKET_STATEFUL_EXAMPLES"] = str(examples)
        env["GPUMARKET_STATEFUL_SHRINK"] = "0"  # the first failure is all this needs
        command = tree.command(
            "-m",
            "gpumarket.chain.launcher",
            "test",
            "tests/stateful",
            "-x",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
        )
        print(f"== {bug.name}: {bug.what}", flush=True)
        started = time.monotonic()
        run = subprocess.run(  # noqa: S603 - our own interpreter and module
            command, cwd=tree.root, env=env, capture_output=True, text=True
        )
        wall = time.monotonic() - started
    output = run.stdout + run.stderr
    match = FIRST_FAILURE.search(output)
    result = {
        "bug": bug.name,
        "what": bug.what,
        "budget_steps": examples * 50,
        "found": run.returncode != 0 and match is not None,
        "wall_s_incl_compile_and_shrink": round(wall, 1),
    }
    if match:
        result |= {
            "first_failure_step": int(match.group(1)),
            "first_failure_s": float(match.group(2)),
            "failure": match.group(3).strip(),
        }
    elif run.returncode != 0:
        result["error"] = output[-3000:]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bug", choices=[b.name for b in BUGS] + ["all"], default="all")
    parser.add_argument("--examples", type=int, default=200, help="runs of 50 steps at most")
    args = parser.parse_args()
    bugs = [b for b in BUGS if args.bug in ("all", b.name)]
    results = []
    for bug in bugs:
        result = hunt(bug, args.examples)
        results.append(result)
        if result["found"]:
            print(
                f"   found at step {result['first_failure_step']} after "
                f"{result['first_failure_s']:.1f} s of fuzzing: {result['failure']}",
                flush=True,
            )
        else:
            print(f"   NOT found in {result['budget_steps']} steps", flush=True)
            if "error" in result:
                print(result["error"], flush=True)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'bug':<18}{'found at step':>15}{'seconds':>10}")
    for r in results:
        step = r.get("first_failure_step", "-")
        seconds = r.get("first_failure_s", "-")
        print(f"{r['bug']:<18}{step!s:>15}{seconds!s:>10}")
    return 0 if all(r["found"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
