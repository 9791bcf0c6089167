"""Mutation campaign for JobMarket, ProviderRegistry and OracleCouncil (issue 6; see MUTATION.md).

Mutants come from Slither's own mutators (slither-mutate's 15 operators: RR, CR, ROR, AOR, ASOR,
BOR, LOR, UOR, LIR, MIA, MVIE, MVIV, MWA, SBR, FHR), generated here and run by this script instead
of by `slither-mutate`, because slither-mutate

* compiles every mutant a second time with crytic-compile before running the test command (with
  solc-js that doubles the cost of each mutant), and
* counts a test command that times out as a caught mutant, without saying so.

For each contract: every mutant is generated (identical mutant sources and no-op mutants dropped),
the list is shuffled with a fixed seed, and mutants are type-checked in that order with solc-js
(tools/mutation/typecheck.js, loaded once) until --sample of them compile; those run the contract's
unit tests (the same Brownie + anvil command as `make test`, with -x, the quickest killers first).
Each mutant is written into a throw-away copy of the working tree (tools/sandbox_tree.py: a
temporary directory with its own contracts, tests, gpumarket and build, removed when the contract's
campaign ends), and the tests run there; the repository's contracts/ and build/ are only read, so
an interrupted or killed run never leaves a mutant behind. Outcomes: killed (a test failed or
errored), survived (all tests passed), timeout (not counted as killed), compile_error (Brownie's
optimised compile failed after the type check passed: not a mutant), error (the run broke without
a test result; retried once). Score = killed / (killed + survived + timeout).

Results go to reports/mutation/<Contract>.json (one record per mutant, written as it finishes;
a rerun with the same seed, sample and sources resumes) and a table is printed at the end.

    .venv/bin/python tools/mutate.py [--contracts JobMarket,...] [--sample N | --all] [--seed S]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from sandbox_tree import ROOT, Sandbox, sandbox, tree_env

SOLC_VERSION = "0.8.30"
REMAP = "@openzeppelin/=node_modules/@openzeppelin/"
CONTRACTS = (
    "OracleCouncil",
    "ProviderRegistry",
    "JobMarket",
    "JobEscrow",
    "MarketDisputes",
    "MarketGovernance",
)
#: JobMarket's libraries: their source, and the unit tests that exercise them (JobMarket's).
LIBRARIES = {
    "JobEscrow": "JobMarket",
    "MarketDisputes": "JobMarket",
    "MarketGovernance": "JobMarket",
}


def source_of(contract: str) -> str:
    """The mutated file, relative to the repository."""
    folder = "contracts/libraries" if contract in LIBRARIES else "contracts"
    return f"{folder}/{contract}.sol"


def unit_dir(contract: str) -> str:
    """The unit test directory whose tests a contract's mutants must fail."""
    return LIBRARIES.get(contract, contract)


#: Unit test files run first, in this order (quick, broad killers); the other files of the
#: contract's unit directory follow alphabetically. Excluded: slow model-based machines, which
#: `make test` and `make fuzz` run anyway.
FIRST = {
    "JobMarket": [
        "test_postJob.py",
        "test_bid.py",
        "test_closeAuction.py",
        "test_submitResult.py",
        "test_finalize.py",
        "test_claim.py",
        "test_dispute.py",
        "test_resolveDispute.py",
        "test_recordVerdict.py",
        "test_cancel.py",
        "test_claimTimeout.py",
        "test_setParameter.py",
    ],
    "ProviderRegistry": [
        "test_register.py",
        "test_stake.py",
        "test_lockCollateral.py",
        "test_releaseCollateral.py",
        "test_slash.py",
        "test_requestUnstake.py",
        "test_withdraw.py",
        "test_updateOffer.py",
        "test_setParameter.py",
    ],
    "OracleCouncil": [
        "test_vote.py",
        "test_voteBatch.py",
        "test_setConfig.py",
        "test_vote_job_verdicts.py",
        "test_vote_attestation_verdicts.py",
        "test_constructor.py",
        "test_setParameter.py",
    ],
}
EXCLUDE = {"OracleCouncil": ["test_council_model.py"]}
DEFAULT_SAMPLE = {
    "JobMarket": 50,
    "ProviderRegistry": 45,
    "OracleCouncil": 45,
    "JobEscrow": 20,
    "MarketDisputes": 20,
    "MarketGovernance": 15,
}
SEED = 6


def env(tree: Path = ROOT) -> dict[str, str]:
    """The environment for the tools run in `tree` (the repository, or a copy of it)."""
    e = tree_env(tree)
    e["PYTHONUNBUFFERED"] = "1"
    return e


def test_files(contract: str, first_for: tuple[str, ...] = (), tree: Path = ROOT) -> list[str]:
    """The contract's unit test files: those of `first_for` (the entry points that reach the
    mutated code) first, then FIRST, then the rest alphabetically. Only the order varies."""
    unit = tree / "tests" / "unit" / unit_dir(contract)
    own = [f"test_{name}.py" for name in first_for]
    first = [f for f in own + FIRST.get(unit_dir(contract), []) if (unit / f).exists()]
    first = list(dict.fromkeys(first))
    rest = sorted(
        p.name
        for p in unit.glob("test_*.py")
        if p.name not in first and p.name not in EXCLUDE.get(contract, [])
    )
    return [f"tests/unit/{unit_dir(contract)}/{f}" for f in first + rest]


def test_command(contract: str, first_for: tuple[str, ...] = (), tree: Path = ROOT) -> list[str]:
    """The unit test command, to run with cwd=`tree`."""
    return [
        str(tree / ".venv" / "bin" / "python"),
        "-m",
        "gpumarket.chain.launcher",
        "test",
        *test_files(contract, first_for, tree),
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
    ]


# -- generation ---------------------------------------------------------------------------------


def generate(contract: str) -> tuple[list[dict], dict[str, str]]:
    """Every mutant of the contract's source (`source_of`) from Slither's mutators, and mutator
    errors."""
    from slither import Slither
    from slither.tools.mutator.mutators import all_mutators
    from slither.tools.mutator.mutators.abstract_mutator import AbstractMutator

    os.environ.update(env())
    path = ROOT / source_of(contract)
    mutators = sorted(
        (
            c
            for _, c in inspect.getmembers(all_mutators, inspect.isclass)
            if issubclass(c, AbstractMutator) and c is not AbstractMutator
        ),
        key=lambda c: c.NAME,
    )

    def load(name: str):
        sl = Slither(
            str(ROOT / source_of(name)),
            solc=str(ROOT / ".toolchain" / "solcx" / f"solc-v{SOLC_VERSION}"),
            solc_remaps=REMAP,
            compile_force_framework="solc",
        )
        return next(c for cu in sl.compilation_units for c in cu.contracts if c.name == name)

    # Slither 0.11.6's LIR keeps its replacement values in a module-level list that grows with
    # every contract it mutates in a process, so a contract's LIR mutants depend on the contracts
    # mutated before it. Replay the campaign's order (CONTRACTS) so that each contract gets the
    # same mutants whichever contracts a run selects.
    lir = importlib.import_module("slither.tools.mutator.mutators.LIR")
    lir.literal_replacements.clear()
    for earlier in CONTRACTS[: CONTRACTS.index(contract)]:
        t = load(earlier)
        lir.LIR(t.compilation_unit, 0, "", None, t, None, False, ROOT / "reports", [])._mutate()  # noqa: SLF001
    target = load(contract)
    cu = target.compilation_unit
    original = path.read_bytes()
    declared = [
        f
        for f in target.functions_and_modifiers_declared
        if not f.name.startswith("slitherConstructor")
    ]

    def entry_points(f, seen=None) -> set[str]:
        """External/public functions (or the constructor) whose calls reach `f`."""
        seen = seen if seen is not None else set()
        if f.name in seen:
            return set()
        seen.add(f.name)
        if f.visibility in ("external", "public"):
            return {f.name}
        callers = set(f.reachable_from_functions) | {
            g for g in target.functions if f in getattr(g, "modifiers", [])
        }
        found: set[str] = set()
        for g in callers:
            found |= entry_points(g, seen)
        return found

    def enclosing(start: int):
        inside = [
            f
            for f in declared
            if f.source_mapping.start <= start < f.source_mapping.start + f.source_mapping.length
        ]
        return min(inside, key=lambda f: f.source_mapping.length) if inside else None

    seen = {hashlib.sha256(original).hexdigest()}
    mutants: list[dict] = []
    errors: dict[str, str] = {}
    for mutator in mutators:
        m = mutator(cu, 0, "", None, target, None, False, ROOT / "reports" / "mutation", [])
        try:
            found = m._mutate()  # noqa: SLF001 - generation only; running is ours
        except Exception as exc:  # noqa: BLE001 - a mutator that crashes yields no mutants
            errors[mutator.NAME] = f"{type(exc).__name__}: {exc}"
            continue
        for patches in found.get("patches", {}).values():
            for p in sorted(patches, key=lambda p: (p["start"], p["new_string"])):
                text = original[: p["start"]] + p["new_string"].encode() + original[p["end"] :]
                digest = hashlib.sha256(text).hexdigest()
                if digest in seen:
                    continue
                seen.add(digest)
                fn = enclosing(p["start"])
                mutants.append(
                    {
                        "id": f"{mutator.NAME}-{p['start']}-{digest[:8]}",
                        "mutator": mutator.NAME,
                        "line": p["line_number"],
                        "start": p["start"],
                        "end": p["end"],
                        "old": p["old_string"],
                        "new": p["new_string"],
                        "function": fn.name if fn else "",
                        "entry_points": sorted(entry_points(fn)) if fn else [],
                    }
                )
    return mutants, errors


def mutant_source(original: bytes, m: dict) -> bytes:
    return original[: m["start"]] + m["new"].encode() + original[m["end"] :]


class TypeChecker:
    """solc-js, loaded once, type-checking one mutant per request (tools/mutation/typecheck.js)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            ["node", str(ROOT / "tools" / "mutation" / "typecheck.js")],  # noqa: S607
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env(),
        )

    def check(self, unit: str, content: bytes) -> tuple[bool, list[str]]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"unit": unit, "content": content.decode()}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return answer["ok"], answer["errors"]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


# -- running ------------------------------------------------------------------------------------

FAILED = re.compile(r"^(FAILED|ERROR) (\S+)", re.M)
SUMMARY = re.compile(r"^=*\s*(\d+ (failed|passed|error)[^\n]*) in [\d.]+s", re.M)


def run_tests(
    tree: Sandbox, contract: str, timeout: float, first_for: tuple[str, ...] = ()
) -> tuple[str, str, float, str]:
    """(outcome, killing test, seconds, output tail) for the source now in the copy `tree`."""
    start = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603
        test_command(contract, first_for, tree.root),
        cwd=tree.root,
        env=env(tree.root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)  # the launcher and its anvil
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        return "timeout", "", time.monotonic() - start, (out or "")[-1500:]
    except BaseException:  # Ctrl-C: stop the tests (and their anvil) before the copy is removed
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    took = time.monotonic() - start
    tail = out[-1500:]
    if proc.returncode == 0:
        return "survived", "", took, tail
    if "CompilerError" in out or "Compiler error" in out:
        return "compile_error", "", took, tail
    failed = FAILED.search(out)
    if proc.returncode == 1 and failed:
        return "killed", failed.group(2), took, tail
    return "error", "", took, tail


def campaign(
    contract: str, sample: int | None, seed: int, timeout: float | None, recheck: set[str]
) -> dict:
    """One contract's campaign, its tests run in a copy of the working tree that is removed at the
    end; the report goes to the repository's reports/mutation/<Contract>.json."""
    with sandbox(f"gpumarket-mutants-{contract}-") as tree:
        return _campaign(tree, contract, sample, seed, timeout, recheck)


def _campaign(
    tree: Sandbox,
    contract: str,
    sample: int | None,
    seed: int,
    timeout: float | None,
    recheck: set[str],
) -> dict:
    out_dir = ROOT / "reports" / "mutation"
    out_dir.mkdir(parents=True, exist_ok=True)
    report_path = out_dir / f"{contract}.json"
    unit = source_of(contract)
    original = (ROOT / unit).read_bytes()
    if tree.read(unit) != original:
        raise SystemExit(f"{unit} changed while the tree was being copied")
    src_hash = hashlib.sha256(original).hexdigest()
    tests = sorted((ROOT / "tests" / "unit" / unit_dir(contract)).glob("*.py"))
    tests_hash = hashlib.sha256(b"".join(p.read_bytes() for p in tests)).hexdigest()

    t0 = time.monotonic()
    mutants, mutator_errors = generate(contract)
    by_mutator: dict[str, int] = {}
    for m in mutants:
        by_mutator[m["mutator"]] = by_mutator.get(m["mutator"], 0) + 1
    print(
        f"{contract}: {len(mutants)} mutants generated in {time.monotonic() - t0:.0f}s", flush=True
    )

    # Resume: with the same source and seed, recorded outcomes stand; a kill always (tests are only
    # ever added), the others unless --recheck asks for them to run again (after tests were added).
    previous: dict[str, dict] = {}
    if report_path.exists():
        old = json.loads(report_path.read_text())
        if old.get("source_sha256") == src_hash and old.get("seed") == seed:
            previous = {
                r["id"]: r
                for r in old.get("results", [])
                if r["outcome"] == "killed"
                or (r["outcome"] != "error" and not (recheck == {"all"} or r["id"] in recheck))
            }

    # The original must pass (this also compiles it) and sets the default timeout; one retry, for
    # a flaky test.
    for _ in range(2):
        outcome, _, base_s, tail = run_tests(tree, contract, 1800)
        if outcome == "survived":
            break
    if outcome != "survived":
        raise SystemExit(f"{contract}: the unit tests fail on the original source:\n{tail}")
    timeout = timeout or round(2 * base_s + 60)
    print(f"{contract}: unmutated tests pass in {base_s:.0f}s; timeout {timeout}s", flush=True)

    order = list(mutants)
    random.Random(f"{seed}:{contract}").shuffle(order)
    report = {
        "contract": contract,
        "file": source_of(contract),
        "tool": "Slither mutators (slither-analyzer "
        + __import__("importlib.metadata").metadata.version("slither-analyzer")
        + "), run by tools/mutate.py",
        "seed": seed,
        "sample": sample,
        "source_sha256": src_hash,
        "tests_sha256": tests_hash,
        "test_command": " ".join(test_command(contract)[1:]),
        "timeout_s": timeout,
        "baseline_s": round(base_s, 1),
        "generated": len(mutants),
        "generated_by_mutator": by_mutator,
        "mutator_errors": mutator_errors,
        "typecheck_failed": 0,
        "examined": 0,
        "results": [],
    }

    def save() -> None:
        report_path.write_text(json.dumps(report, indent=1) + "\n")

    checker = TypeChecker()
    tested = 0
    try:
        for m in order:
            if sample is not None and tested >= sample:
                break
            report["examined"] += 1
            text = mutant_source(original, m)
            ok, errs = checker.check(unit, text)
            if not ok:
                report["typecheck_failed"] += 1
                continue
            tested += 1
            if m["id"] in previous:
                report["results"].append(previous[m["id"]])
                save()
                continue
            tree.write(unit, text)  # into the copy: the repository's source is only read
            for _attempt in range(2):
                outcome, killer, took, tail = run_tests(
                    tree, contract, timeout, tuple(m["entry_points"])
                )
                if outcome != "error":
                    break
            rec = dict(m, outcome=outcome, killed_by=killer, seconds=round(took, 1))
            if outcome in ("survived", "timeout", "error", "compile_error"):
                rec["output_tail"] = tail[-600:]
            report["results"].append(rec)
            save()
            print(
                f"{contract} [{tested}/{sample or len(order)}] L{m['line']} {m['mutator']}: "
                f"{m['old'][:40]!r} -> {m['new'][:40]!r}: {outcome} {killer} ({took:.0f}s)",
                flush=True,
            )
    finally:
        checker.close()
    report["elapsed_s"] = round(time.monotonic() - t0)
    save()
    return report


def counts(report: dict) -> dict[str, int]:
    c = {k: 0 for k in ("killed", "survived", "timeout", "compile_error", "error")}
    for r in report["results"]:
        c[r["outcome"]] += 1
    return c


def score(c: dict[str, int]) -> float:
    denom = c["killed"] + c["survived"] + c["timeout"]
    return 100.0 * c["killed"] / denom if denom else 0.0


def table(reports: list[dict]) -> str:
    head = (
        f"{'contract':<17}{'generated':>10}{'examined':>9}{'no-compile':>11}{'tested':>7}"
        f"{'killed':>7}{'survived':>9}{'timeout':>8}{'error':>6}{'score':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in reports:
        c = counts(r)
        no_compile = r["typecheck_failed"] + c["compile_error"]
        lines.append(
            f"{r['contract']:<17}{r['generated']:>10}{r['examined']:>9}{no_compile:>11}"
            f"{len(r['results']) - c['compile_error']:>7}{c['killed']:>7}{c['survived']:>9}"
            f"{c['timeout']:>8}{c['error']:>6}{score(c):>7.1f}%"
        )
    return "\n".join(lines)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def markdown(reports: list[dict]) -> str:
    """The results as a Markdown table (MUTATION.md), with the mutants not killed listed below."""
    lines = [
        "| contract | generated | examined | no compile | tested | killed | survived | timeout "
        "| score | mutant minutes |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in reports:
        c = counts(r)
        lines.append(
            f"| {r['contract']} | {r['generated']} | {r['examined']} "
            f"| {r['typecheck_failed'] + c['compile_error']} "
            f"| {len(r['results']) - c['compile_error']} | {c['killed']} | {c['survived']} "
            f"| {c['timeout']} | {score(c):.1f}% "
            f"| {sum(x.get('seconds', 0) for x in r['results']) / 60:.0f} |"
        )
    lines.append("")
    for r in reports:
        for x in r["results"]:
            if x["outcome"] != "killed":
                old, new = (" ".join(x[k].split())[:70] for k in ("old", "new"))
                lines.append(
                    f"- {r['contract']}.sol:{x['line']} {x['mutator']} ({x['id']}) {x['outcome']}: "
                    f"`{old}` → `{new}`"
                )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--contracts", default=",".join(CONTRACTS))
    ap.add_argument(
        "--sample", type=int, help="compiling mutants per contract (default: per contract)"
    )
    ap.add_argument(
        "--all", action="store_true", help="every compiling mutant (hours with solc-js)"
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--timeout", type=float, help="seconds per mutant (default 2 x unmutated + 60)")
    ap.add_argument("--min-score", type=float, default=90.0)
    ap.add_argument(
        "--recheck",
        default="",
        help="recorded survivors/timeouts to run again: 'all' or mutant ids, comma-separated",
    )
    ap.add_argument("--markdown", action="store_true", help="print the results as Markdown")
    ap.add_argument(
        "--report-only", action="store_true", help="print the table of reports/mutation/*.json"
    )
    args = ap.parse_args()
    os.chdir(ROOT)
    # SIGINT and SIGTERM (a background job ignores SIGINT) stop the run and remove the copy of the
    # tree; the repository's contracts are never written, so even SIGKILL leaves none changed.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    reports = []
    for contract in args.contracts.split(","):
        if args.report_only:
            reports.append(
                json.loads((ROOT / "reports" / "mutation" / f"{contract}.json").read_text())
            )
            continue
        n = None if args.all else (args.sample or DEFAULT_SAMPLE[contract])
        reports.append(
            campaign(
                contract, n, args.seed, args.timeout, set(filter(None, args.recheck.split(",")))
            )
        )
    print()
    print(markdown(reports) if args.markdown else table(reports))
    survivors = [
        (r["contract"], x) for r in reports for x in r["results"] if x["outcome"] != "killed"
    ]
    if survivors:
        print("\nnot killed:")
        for contract, x in survivors:
            print(
                f"  {contract}.sol:{x['line']} {x['mutator']} {x['outcome']}: "
                f"{x['old'][:60]!r} -> {x['new'][:60]!r}"
            )
    low = [r["contract"] for r in reports if score(counts(r)) < args.min_score]
    if low:
        print(f"\nbelow {args.min_score:.0f}%: {', '.join(low)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
