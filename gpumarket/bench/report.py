"""Writes BENCHMARKS.md from the reports `make bench` leaves in reports/: gas per operation
(reports/gas.json), oracle throughput (reports/oracle-throughput.json), PoGEMM cost
(reports/pogemm.json) and the CLI's start-up (reports/startup.json), with the machine and the
date. `python -m gpumarket.bench.report`.

`--gas-only` (what `make bench-baseline` runs) rewrites the gas, design and size sections from
reports/gas.json and the build, and keeps the measured sections (oracle, PoGEMM, start-up) of the
BENCHMARKS.md there is, saying so in the header: those figures come from the full run only.
`--startup-only` (what `make bench-startup` runs) rewrites the start-up section alone from
reports/startup.json; the section gives the date and machine of its own run."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from gpumarket.bench.gas import targets
from gpumarket.bench.sizes import EIP170_LIMIT, REQUIRED_HEADROOM, runtime_sizes, size_rows

ROOT = Path(__file__).resolve().parents[2]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def _gas_section(report: dict[str, Any], baseline: dict[str, int], v1: dict[str, int]) -> list[str]:
    gas: dict[str, int] = report["gas"]
    names = sorted({k.split("[")[0] for k in gas})
    lines = [
        "## Gas per operation",
        "",
        f"Exact figures on {report['chain']} (`scripts/bench_gas.py`, states fixed as documented "
        "in `gpumarket/bench/gas.py`), for GMKT (18 decimals) and a 6-decimal stablecoin, beside "
        "v1's figure (`benchmarks/gas-v1.json`, the contracts before issue 12) and the saving "
        "(negative where an operation costs more than in v1). "
        "`tests/bench/test_gas_regression.py` fails `make test` when an operation costs more than "
        "5% over `benchmarks/gas-baseline.json`.",
        "",
        "| operation | GMKT | 6-decimal | v1 (GMKT) | saving | baseline (GMKT) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        gmkt = gas.get(f"{name}[gmkt]", gas.get(name))
        usdc = gas.get(f"{name}[usdc6]")
        old = v1.get(f"{name}[gmkt]", v1.get(name))
        base = baseline.get(f"{name}[gmkt]", baseline.get(name))
        saving = f"{(old - gmkt) / old:.1%}" if old and gmkt is not None else "—"
        cells = [f"{v:,}" if v is not None else "—" for v in (gmkt, usdc, old)]
        cells += [saving, f"{base:,}" if base is not None else "—"]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|:-:|"]
    for name, limit in targets(gas).items():
        value = gas.get(name)
        if value is None:
            continue
        lines.append(f"| `{name}` | {value:,} | {limit:,} | {'yes' if value <= limit else 'no'} |")
    return lines


def _size_section() -> list[str]:
    lines = [
        "## Contract sizes",
        "",
        f"Runtime bytecode against EIP-170's {EIP170_LIMIT:,} bytes, with the project's compiler "
        f"settings; `tests/test_contract_sizes.py` fails `make test` below {REQUIRED_HEADROOM:,} "
        "bytes of headroom.",
        "",
        "| contract | bytes | headroom |",
        "|---|---:|---:|",
    ]
    lines += [f"| {n} | {s:,} | {h:,} |" for n, s, h in size_rows(runtime_sizes())]
    return lines


def _oracle_section(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Oracle throughput",
        "",
        "Real processes on anvil (`scripts/bench_oracle.py`): one provider agent and the oracles, "
        "all on this machine. Verdicts per minute from a standing start for challenges of n = 64, "
        "T = 8, K = 2 with S = `sampleCount(2)` = 103 samples; then the time from the agent's "
        "commitment to the verdict, one job at a time.",
        "",
        "| oracles | quorum | challenges | verdicts/min | commit→verdict median | max |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['oracles']} | {r['quorum']} | {r['jobs']} | {r['verdicts_per_minute']:.0f} | "
            f"{r['commit_to_verdict_median']:.2f} s | {r['commit_to_verdict_max']:.2f} s |"
        )
    return lines


def _pogemm_section(rows: list[dict[str, Any]]) -> list[str]:
    backend = rows[0]["backend"] if rows else "?"
    lines = [
        "## PoGEMM cost",
        "",
        f"`gpumarket bench --sweep` on the {backend} backend: the prover (GEMM, checkpoint "
        "hashing, Merkle tree) against the raw GEMM of the same work on the same backend, "
        "interleaved with it in one loop (a raw block of K steps after each of the prover's "
        "intervals); and the verifier's time (S samples, K steps each) over the prover's. The "
        "step is PoGEMM v2's, g(X·B + (U[i] + V[c])·512).",
        "",
        "| n | T | K | S | prove | prover | raw GEMM | overhead | verify | verify/prove |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['steps']} | {r['interval']} | {r['samples']} | "
            f"{r['prove_seconds']:.3f} s | {r['prover_ops_per_second'] / 1e9:.1f} GOPS | "
            f"{r['raw_ops_per_second'] / 1e9:.1f} GOPS | {r['overhead']:.1%} | "
            f"{r['verify_seconds']:.3f} s | {r['verify_over_prove']:.2%} |"
        )
    lines += [
        "",
        "GPU figures (torch CUDA, `_int_mm`) come from a session lent a GPU; none was lent for "
        "this run.",
    ]
    return lines


STARTUP_HEADING = "## CLI start-up"


def _startup_section(report: dict[str, Any], today: str) -> list[str]:
    lines = [
        STARTUP_HEADING,
        "",
        f"Measured on {today} (`make bench-startup`, also part of `make bench`). Machine: "
        f"{machine()}. Wall time of a fresh `gpumarket` process (`gpumarket/bench/startup.py`), "
        "the median and the fastest of several runs. Subcommands are imported when they run, and "
        "a command's module imports the chain side in its body, so no command's help imports "
        "web3, eth-*, numpy, rich or pydantic (`tests/cli/test_lazy.py` walks the tree). A chain "
        "command that runs opens its session and imports web3: `buyer status` with an empty "
        "deployments directory (`EMPTY`) is timed to the sentence that refuses it, exit code 1.",
        "",
        "| command | median | fastest |",
        "|---|---:|---:|",
    ]
    for row in report["commands"]:
        lines.append(
            f"| `{row['command']}` | {row['median_seconds']:.3f} s | {row['min_seconds']:.3f} s |"
        )
    lines += ["", "| import (fastest of 3, cumulative) | seconds |", "|---|---:|"]
    imports = (
        ("`gpumarket.cli.main` (the command tree)", "import_cli_main"),
        (
            "`gpumarket.cli.buyer.posting` (what `buyer post --help` loads)",
            "import_chain_command_module",
        ),
        ("`web3` alone (what every chain command that runs loads)", "import_web3"),
    )
    for name, key in imports:
        if key in report:
            lines.append(f"| {name} | {report[key]:.3f} s |")
    return lines


def replace_startup_section(text: str, section: list[str]) -> str:
    """`text` (a BENCHMARKS.md) with its start-up section replaced by `section`, or with
    `section` added at the end where it has none."""
    lines = text.rstrip("\n").splitlines()
    if STARTUP_HEADING in lines:
        start = lines.index(STARTUP_HEADING)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        kept_after = lines[end:]
        lines = lines[:start] + section + ([""] + kept_after if kept_after else [])
    else:
        lines += ["", *section]
    return "\n".join(lines) + "\n"


def _kept_sections(text: str) -> list[str]:
    """The measured sections (oracle, PoGEMM, start-up) of the BENCHMARKS.md there is."""
    start = text.index("## Oracle throughput")
    return text[start:].strip().splitlines()


def write_startup(root: Path = ROOT) -> Path:
    """Rewrite the start-up section of BENCHMARKS.md alone, from reports/startup.json."""
    out = root / "BENCHMARKS.md"
    report = json.loads((root / "reports" / "startup.json").read_text())
    today = dt.datetime.now(dt.UTC).date().isoformat()
    out.write_text(replace_startup_section(out.read_text(), _startup_section(report, today)))
    return out


def write(root: Path = ROOT, gas_only: bool = False) -> Path:
    reports = root / "reports"
    out = root / "BENCHMARKS.md"
    gas = json.loads((reports / "gas.json").read_text())
    baseline = json.loads((root / "benchmarks" / "gas-baseline.json").read_text())
    v1 = json.loads((root / "benchmarks" / "gas-v1.json").read_text())
    design = (root / "benchmarks" / "gas-design.md").read_text().strip().splitlines()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    if gas_only:
        header = (
            f"Gas and contract sizes written by `make bench-baseline` on {today}; oracle "
            "throughput and PoGEMM cost are the last full `make bench` run's, start-up the run "
            "its section dates. "
            f"Machine: {machine()}."
        )
        measured = _kept_sections(out.read_text())
    else:
        header = f"Written by `make bench` on {today}. Machine: {machine()}."
        oracle = json.loads((reports / "oracle-throughput.json").read_text())
        pogemm = json.loads((reports / "pogemm.json").read_text())
        measured = [*_oracle_section(oracle), "", *_pogemm_section(pogemm)]
        startup = reports / "startup.json"
        if startup.is_file():
            measured += ["", *_startup_section(json.loads(startup.read_text()), today)]
    lines = [
        "# Benchmarks",
        "",
        header,
        "",
        *_gas_section(gas, baseline, v1),
        "",
        *design,
        "",
        *_size_section(),
        "",
        *measured,
        "",
    ]
    out.write_text("\n".join(lines))
    return out


if __name__ == "__main__":
    if "--startup-only" in sys.argv[1:]:
        print(f"wrote {write_startup()}")
    else:
        print(f"wrote {write(gas_only='--gas-only' in sys.argv[1:])}")
