"""Solidity line and branch coverage from Brownie's trace data, with a report that works.

Brownie 1.22.2 (the mypyc build) collects per-transaction coverage correctly once anvil records
steps (`--steps-tracing`) and contracts with immutables keep their pcMap (see
`gpumarket.chain.launcher`), but its own report then fails with `TypeError: dict object expected;
got list` in `brownie/test/output.py`. This module turns the same data into per-file line and
branch totals, writes `reports/coverage-summary.json`, and hands Brownie an empty evaluation so
that its broken printer has nothing to print.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Sources whose coverage counts: the protocol's own contracts, not mocks or dependencies.
COUNTED_PREFIX = "contracts/"
EXCLUDED_PREFIX = "contracts/test/"


@dataclass
class FileCoverage:
    statements: set[tuple[int, int]] = field(default_factory=set)
    hit_statements: set[tuple[int, int]] = field(default_factory=set)
    branches: set[tuple[int, int]] = field(default_factory=set)
    hit_true: set[tuple[int, int]] = field(default_factory=set)
    hit_false: set[tuple[int, int]] = field(default_factory=set)

    def lines(self, source: bytes) -> tuple[set[int], set[int]]:
        def line_of(offset: int) -> int:
            return source.count(b"\n", 0, offset) + 1

        all_lines = {line_of(start) for start, _ in self.statements}
        hit_lines = {line_of(start) for start, _ in self.hit_statements}
        return all_lines, hit_lines

    def missed_branches(self, source: bytes) -> list[dict[str, Any]]:
        """Each branch condition with an outcome never taken: its line, source text and the
        outcomes missed ("true", "false" or both)."""
        missed = []
        for start, end in sorted(self.branches):
            outcomes = [
                name
                for name, hit in (("true", self.hit_true), ("false", self.hit_false))
                if (start, end) not in hit
            ]
            if outcomes:
                missed.append(
                    {
                        "line": source.count(b"\n", 0, start) + 1,
                        "condition": source[start:end].decode(errors="replace"),
                        "missed": outcomes,
                    }
                )
        return missed


def collect(
    builds: dict[str, dict[str, Any]], merged_eval: dict[str, dict[str, Any]]
) -> dict[str, FileCoverage]:
    """Per-source coverage from contract builds and Brownie's merged evaluation.

    `merged_eval` maps a contract name to {source id: [statement ids, true branches, false
    branches]}. Statements and branches are identified by their source offsets, which are the
    same in every build that includes a file, so libraries inlined into several contracts merge.
    """
    files: dict[str, FileCoverage] = defaultdict(FileCoverage)
    for name, build in builds.items():
        coverage_map = build.get("coverageMap")
        paths = build.get("allSourcePaths", {})
        if not coverage_map:
            continue
        hits = merged_eval.get(name, {})
        for source_id, by_fn in coverage_map["statements"].items():
            path = paths.get(source_id, "")
            if not _counted(path):
                continue
            executed = {str(i) for i in hits.get(source_id, [[], [], []])[0]}
            for statements in by_fn.values():
                for stmt_id, (start, end) in statements.items():
                    files[path].statements.add((start, end))
                    if stmt_id in executed:
                        files[path].hit_statements.add((start, end))
        for source_id, by_fn in coverage_map["branches"].items():
            path = paths.get(source_id, "")
            if not _counted(path):
                continue
            source_hits = hits.get(source_id, [[], [], []])
            true_ids = {str(i) for i in source_hits[1]}
            false_ids = {str(i) for i in source_hits[2]}
            for branches in by_fn.values():
                for branch_id, (start, end, _jump) in branches.items():
                    files[path].branches.add((start, end))
                    if branch_id in true_ids:
                        files[path].hit_true.add((start, end))
                    if branch_id in false_ids:
                        files[path].hit_false.add((start, end))
    return dict(files)


def merge_evaluations(evaluations: Any) -> dict[str, dict[str, list[set[Any]]]]:
    """Union of per-transaction evaluations ({contract: {source id: [stmts, true, false]}}).

    Brownie's own `get_merged_coverage_eval` fails on them in the mypyc build.
    """
    merged: dict[str, dict[str, list[set[Any]]]] = {}
    for evaluation in evaluations:
        for contract, by_source in evaluation.items():
            target = merged.setdefault(contract, {})
            for source_id, parts in by_source.items():
                slot = target.setdefault(str(source_id), [set(), set(), set()])
                for k in range(3):
                    slot[k].update(parts[k])
    return merged


def _counted(path: str) -> bool:
    return path.startswith(COUNTED_PREFIX) and not path.startswith(EXCLUDED_PREFIX)


def summarize(files: dict[str, FileCoverage], root: Path) -> dict[str, Any]:
    """Line and branch percentages per file and in total."""
    report: dict[str, Any] = {"files": {}, "total": {}}
    line_total = line_hit = branch_total = branch_hit = 0
    for path in sorted(files):
        cov = files[path]
        source = (root / path).read_bytes()
        all_lines, hit_lines = cov.lines(source)
        outcomes = 2 * len(cov.branches)
        taken = len(cov.hit_true) + len(cov.hit_false)
        report["files"][path] = {
            "lines": len(all_lines),
            "lines_hit": len(hit_lines),
            "line_pct": _pct(len(hit_lines), len(all_lines)),
            "branch_outcomes": outcomes,
            "branch_outcomes_hit": taken,
            "branch_pct": _pct(taken, outcomes),
            "missed_lines": sorted(all_lines - hit_lines),
            "missed_branches": cov.missed_branches(source),
        }
        line_total += len(all_lines)
        line_hit += len(hit_lines)
        branch_total += outcomes
        branch_hit += taken
    report["total"] = {
        "lines": line_total,
        "lines_hit": line_hit,
        "line_pct": _pct(line_hit, line_total),
        "branch_outcomes": branch_total,
        "branch_outcomes_hit": branch_hit,
        "branch_pct": _pct(branch_hit, branch_total),
    }
    return report


def _pct(hit: int, total: int) -> float:
    return round(100.0 * hit / total, 2) if total else 100.0


def format_report(report: dict[str, Any]) -> list[str]:
    lines = [f"{'file':<44} {'lines':>14} {'branches':>16}"]
    for path, row in report["files"].items():
        lines.append(
            f"{path:<44} {row['lines_hit']:>4}/{row['lines']:<4} {row['line_pct']:6.2f}% "
            f"{row['branch_outcomes_hit']:>4}/{row['branch_outcomes']:<4} {row['branch_pct']:6.2f}%"
        )
    t = report["total"]
    lines.append(
        f"{'TOTAL':<44} {t['lines_hit']:>4}/{t['lines']:<4} {t['line_pct']:6.2f}% "
        f"{t['branch_outcomes_hit']:>4}/{t['branch_outcomes']:<4} {t['branch_pct']:6.2f}%"
    )
    return lines


def write_session_report(root: Path) -> list[str] | None:
    """At the end of a `brownie test --coverage` session: write and return the report lines.

    Returns None when coverage is not active.
    """
    from brownie._config import CONFIG
    from brownie.test import coverage

    if not CONFIG.argv.get("coverage"):
        return None
    # This session's transactions only: `coverage.get_coverage_eval()` adds every evaluation
    # cached in build/tests.json by earlier sessions, whatever tests they ran.
    merged = merge_evaluations(coverage._coverage_eval.values())
    builds = {}
    for path in (root / "build" / "contracts").glob("*.json"):
        builds[path.stem] = json.loads(path.read_text())
    report = summarize(collect(builds, merged), root)
    out = root / "reports"
    out.mkdir(exist_ok=True)
    (out / "coverage-summary.json").write_text(json.dumps(report, indent=2))
    # Brownie's own printer crashes on real data (see module docstring): give it none.
    coverage._coverage_eval.clear()
    coverage._cached_coverage_eval.clear()
    return format_report(report)


def keep_clock_across_traced_calls() -> None:
    """Make Brownie's traced calls leave anvil's clock where it was.

    Under `--coverage` Brownie sends a view call as a transaction, to trace it, then reverts to a
    snapshot taken just before (`rpc._snapshot()`, used for nothing else) and makes the call
    (`ContractCall.__call__`). anvil's `evm_revert` resets its clock to the snapshot block's
    timestamp, so time added by `chain.sleep` and not yet mined is lost:
    `chain.sleep(WINDOW); market.jobOf(j); market.finalize(j)` then reverts under coverage only.
    This records anvil's time offset (`evm_increaseTime(0)` returns it) with each such snapshot
    and restores it after the revert, before the call proper, so a traced call reads and leaves
    the same chain as a plain one. (`ContractCall.__call__` itself cannot be wrapped: Brownie's
    multicall swaps its `__code__`.)
    """
    from brownie.network import chain, contract, web3
    from brownie.network.rpc import Rpc

    if getattr(contract, "_gpumarket_clock_kept", False):
        return
    original_snapshot = Rpc._snapshot
    original_revert = contract._revert_transact_call
    offsets: dict[Any, int] = {}

    def offset() -> int:
        return int(web3.provider.make_request("evm_increaseTime", [0])["result"])

    def snapshot(self: Any) -> Any:
        before = offset()
        snapshot_id = original_snapshot(self)
        offsets[snapshot_id] = before
        return snapshot_id

    def revert(snapshot_id: Any) -> None:
        original_revert(snapshot_id)
        before = offsets.pop(snapshot_id, None)
        if before is None:
            return
        lost = before - offset()
        if lost > 0:
            web3.provider.make_request("evm_increaseTime", [lost])
        chain._set_time_offset_from_rpc(before)

    Rpc._snapshot = snapshot
    contract._revert_transact_call = revert
    contract._gpumarket_clock_kept = True
