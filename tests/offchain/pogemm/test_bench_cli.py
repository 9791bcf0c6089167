"""`gpumarket bench` at tiny sizes: it runs and prints every figure it promises."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from gpumarket.bench.pogemm import format_ops
from gpumarket.cli.main import main

NUMBER = r"[0-9][0-9.e+]*"
TINY = ["bench", "--n", "64", "--steps", "4", "--interval", "2", "--samples", "8"]


@pytest.fixture
def runner() -> CliRunner:
    # Wide enough that rich never wraps or truncates a figure.
    return CliRunner(env={"COLUMNS": "240", "GPUMARKET_POGEMM_BACKEND": None})


def test_bench_prints_every_figure(runner: CliRunner) -> None:
    result = runner.invoke(main, [*TINY, "--backend", "numpy"])

    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(rf"ops/s achieved\s+│\s+{NUMBER} [MGTP]?OPS", out)
    assert re.search(rf"raw GEMM throughput\s+│\s+{NUMBER} [MGTP]?OPS", out)
    assert re.search(rf"proof overhead\s+│\s+{NUMBER}%", out)
    assert re.search(rf"overhead vs raw GEMM\s+│\s+-?{NUMBER}% \(median step ratio", out)
    assert re.search(r"reference\s+│\s+(no GPU detected|.*TOPS int8 dense)", out)
    assert re.search(rf"verify time\s+│\s+{NUMBER} s \(ok\)", out)
    assert re.search(rf"verify/prove\s+│\s+{NUMBER}%", out)


def test_bench_with_a_fixed_seed_prints_the_reference_root(runner: CliRunner) -> None:
    from gpumarket.pogemm import reference

    seed = bytes(range(32))

    result = runner.invoke(main, [*TINY, "--seed", "0x" + seed.hex(), "--keep-every", "2"])

    assert result.exit_code == 0, result.output
    assert reference.commitment_root(seed, 64, 4, 2).hex() in result.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["--n", "100"],
        ["--steps", "5", "--interval", "2"],
        ["--seed", "abcd"],
        ["--seed", "zz"],
        ["--samples", "0"],
        ["--backend", "opencl"],
    ],
)
def test_bench_rejects_bad_arguments(runner: CliRunner, arguments: list[str]) -> None:
    result = runner.invoke(main, ["bench", "--n", "64", "--steps", "4", *arguments])

    assert result.exit_code == 2, result.output


def test_ops_are_formatted_with_si_prefixes() -> None:
    assert format_ops(1.5e12) == "1.5 TOPS"
    assert format_ops(2.34e9) == "2.34 GOPS"
    assert format_ops(12.0) == "12 OPS"


def test_sweep_prints_one_row_per_size_and_writes_json(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    import json

    from gpumarket.bench import pogemm as bench_module

    monkeypatch.setattr(bench_module, "SWEEP", ((64, 8, 2), (128, 4, 2)))
    out = tmp_path / "pogemm.json"

    result = runner.invoke(
        main, ["bench", "--sweep", "--backend", "numpy", "-S", "8", "--json-out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert "PoGEMM cost on numpy: prover vs raw GEMM (interleaved), S=8" in result.output
    rows = json.loads(out.read_text())
    assert [(r["n"], r["steps"], r["interval"], r["samples"], r["ok"]) for r in rows] == [
        (64, 8, 2, 8, True),
        (128, 4, 2, 8, True),
    ]
    for r in rows:
        assert r["prover_ops_per_second"] > 0 and r["raw_ops_per_second"] > 0
        ratio = r["prove_seconds"] / r["raw_seconds"]
        assert 1 + r["overhead_of_sums"] == pytest.approx(ratio, rel=0.05)
        # The robust figure: median step ratio, plus the prover's time outside its steps.
        assert r["gemm_ratio"] > 0 and r["overhead"] >= r["gemm_ratio"] - 1 - 1e-4
        assert r["verify_over_prove"] == pytest.approx(
            r["verify_seconds"] / r["prove_seconds"], rel=0.05, abs=1e-4
        )


def test_measure_interleaves_the_raw_gemm_with_the_prover() -> None:
    from gpumarket.bench.pogemm import measure
    from gpumarket.pogemm import backends, spec
    from gpumarket.pogemm.settings import PoGemmSettings

    params = spec.Params(bytes(range(32)), 64, 8, 2)

    m = measure(params, backends.NumpyBackend(), PoGemmSettings(), 8)

    timings = m.proof.timings
    assert timings is not None and len(timings.step_pairs) == params.steps
    assert m.raw_seconds == pytest.approx(sum(r for _, r in timings.step_pairs))
    assert timings.gemm == pytest.approx(sum(p for p, _ in timings.step_pairs), rel=0.5, abs=0.05)
    assert m.verdict.ok
