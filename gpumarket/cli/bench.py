"""`gpumarket bench`: run the PoGEMM prover and verifier locally and report throughput."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import click

from gpumarket.pogemm import gpus
from gpumarket.pogemm.backend_names import BACKEND_NAMES, TORCH_CUDA

if TYPE_CHECKING:  # numpy, rich and the settings are imported when the bench runs, not by --help
    from rich.console import Console

    from gpumarket.bench.pogemm import Measurement
    from gpumarket.pogemm import backends
    from gpumarket.pogemm.settings import PoGemmSettings


def _min_benchmark_fraction() -> float:
    """The fraction of a model's reference TOPS at which a hardware claim passes: the oracle's
    setting's default."""
    from gpumarket.oracle.settings import OracleSettings

    return float(OracleSettings.model_fields["min_benchmark_fraction"].default)


def _parse_seed(seed_hex: str | None) -> bytes:
    from gpumarket.pogemm import spec

    if seed_hex is None:
        return os.urandom(spec.SEED_BYTES)
    try:
        seed = bytes.fromhex(seed_hex.removeprefix("0x"))
    except ValueError:
        raise click.BadParameter("must be hex", param_hint="--seed") from None
    if len(seed) != spec.SEED_BYTES:
        raise click.BadParameter(f"must be {spec.SEED_BYTES} bytes", param_hint="--seed")
    return seed


def _reference_line(ops_per_second: float, backend_name: str) -> str:
    gpu = gpus.detect_gpu()
    if gpu is None:
        return "no GPU detected"
    if gpu.model is None or gpu.reference_tops is None:
        return f"{gpu.device_name}: no reference figure for this model"
    fraction = gpus.fraction_of_reference(ops_per_second, gpu.model)
    threshold = _min_benchmark_fraction()
    verdict = "passes" if fraction >= threshold else "below"
    note = "" if backend_name == TORCH_CUDA else f" (backend {backend_name} is not CUDA)"
    return (
        f"{fraction:.1%} of {gpu.model} {gpu.reference_tops:g} TOPS int8 dense "
        f"({verdict} the {threshold:.0%} threshold){note}"
    )


@click.command()
@click.option("--n", "n", type=int, default=1024, show_default=True, help="Matrix size n.")
@click.option("--steps", "-T", type=int, default=32, show_default=True, help="Steps T.")
@click.option(
    "--interval", "-K", type=int, default=8, show_default=True, help="Checkpoint interval K."
)
@click.option(
    "--backend",
    type=click.Choice(BACKEND_NAMES),
    default=None,
    help="GEMM backend [default: GPUMARKET_POGEMM_BACKEND, else CUDA if present, else numpy].",
)
@click.option("--samples", "-S", type=int, default=None, help="Samples S [default: 64].")
@click.option("--seed", "seed_hex", default=None, help="Challenge seed, 32 bytes hex [random].")
@click.option(
    "--keep-every", type=int, default=1, show_default=True, help="Keep every m-th checkpoint."
)
@click.option(
    "--sweep",
    is_flag=True,
    help="Measure n = 512, 1024 and 2048 and print one table (prover vs the raw GEMM interleaved "
    "with it, verify/prove).",
)
@click.option("--json-out", type=click.Path(dir_okay=False), help="Also write the rows as JSON.")
def bench(
    n: int,
    steps: int,
    interval: int,
    backend: str | None,
    samples: int | None,
    seed_hex: str | None,
    keep_every: int,
    sweep: bool,
    json_out: str | None,
) -> None:
    """Prove and verify a PoGEMM benchmark here, and report what it measured."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from gpumarket.bench.pogemm import as_row, format_ops, measure
    from gpumarket.pogemm import backends, spec
    from gpumarket.pogemm.settings import PoGemmSettings

    settings = PoGemmSettings()
    sample_count = samples if samples is not None else settings.samples
    if sample_count < 1:
        raise click.BadParameter("must be at least 1", param_hint="--samples")
    try:
        params = spec.Params(_parse_seed(seed_hex), n, steps, interval)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    try:
        engine = backends.best_backend(backend, settings)
    except backends.BackendUnavailable as error:
        raise click.ClickException(str(error)) from None

    console = Console()
    if not console.is_terminal:  # a log or a pipe: wide enough for the tables
        console = Console(width=120)
    if sweep:
        results = _sweep(console, engine, settings, sample_count)
        _write_json(json_out, [as_row(m) for m in results])
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"PoGEMM n={n} T={steps} K={interval} ({engine.name})", total=steps)
        result = measure(
            params,
            engine,
            settings,
            sample_count,
            keep_every,
            progress=lambda done, _total: bar.update(task, completed=done),
        )
    timings = result.proof.timings
    assert timings is not None
    table = Table(title=f"PoGEMM benchmark: n={n}, T={steps}, K={interval}, S={sample_count}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = (
        ("backend", engine.name),
        ("work (2·n³·T)", f"{params.ops:.3e} ops"),
        ("root", result.proof.root.hex()),
        ("prove time", f"{timings.total:.3f} s"),
        ("ops/s achieved", format_ops(result.achieved)),
        (
            "raw GEMM throughput",
            f"{format_ops(result.raw)} ({result.raw_seconds:.3f} s, interleaved with the prover)",
        ),
        ("achieved / raw GEMM", f"{result.achieved / result.raw:.1%}"),
        (
            "overhead vs raw GEMM",
            f"{result.overhead:.1%} (median step ratio {result.gemm_ratio:.3f}, plus time "
            "outside the steps)",
        ),
        (
            "proof overhead",
            f"{timings.overhead:.1%} (gen {timings.generate:.3f} s + hash {timings.hash:.3f} s "
            f"+ tree {timings.tree:.3f} s vs gemm {timings.gemm:.3f} s)",
        ),
        ("hash wait", f"{timings.hash_wait:.3f} s"),
        ("offset + g + int8 cast", _tail_mode(engine)),
        ("reference", _reference_line(result.achieved, engine.name)),
        (
            "verify time",
            f"{result.verify_seconds:.3f} s ({result.verdict.reason.value})",
        ),
        ("verify/prove", f"{result.verify_ratio:.2%}"),
    )
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    if not result.verdict.ok:
        raise click.ClickException(f"self-check failed: {result.verdict}")
    _write_json(json_out, [as_row(result)])


def _tail_mode(engine: backends.Backend) -> str:
    tail = getattr(engine, "tail", None)
    if tail is None:
        return "numpy, in place"
    return f"{tail.mode}" + (f" ({tail.reason})" if tail.reason else "")


def _write_json(path: str | None, rows: list[dict[str, object]]) -> None:
    if path is not None:
        with open(path, "w") as out:
            json.dump(rows, out, indent=2)
            out.write("\n")


def _sweep(
    console: Console, engine: backends.Backend, settings: PoGemmSettings, samples: int
) -> list[Measurement]:
    from rich.table import Table

    from gpumarket.bench import pogemm as pogemm_bench
    from gpumarket.pogemm import spec

    results = []
    for n, steps, interval in pogemm_bench.SWEEP:
        params = spec.Params(os.urandom(spec.SEED_BYTES), n, steps, interval)
        with console.status(f"PoGEMM n={n} T={steps} K={interval} ({engine.name})"):
            results.append(pogemm_bench.measure(params, engine, settings, samples))
    table = Table(
        title=f"PoGEMM cost on {engine.name}: prover vs raw GEMM (interleaved), S={samples}"
    )
    for column in (
        "n",
        "T",
        "K",
        "prove s",
        "prover",
        "raw GEMM",
        "overhead",
        "verify s",
        "verify/prove",
    ):
        table.add_column(column, justify="right")
    for m in results:
        table.add_row(
            str(m.params.n),
            str(m.params.steps),
            str(m.params.interval),
            f"{m.prove_seconds:.3f}",
            pogemm_bench.format_ops(m.achieved),
            pogemm_bench.format_ops(m.raw),
            f"{m.overhead:.1%}",
            f"{m.verify_seconds:.3f}",
            f"{m.verify_ratio:.2%}",
        )
    console.print(table)
    failed = [m for m in results if not m.verdict.ok]
    if failed:
        raise click.ClickException(f"self-check failed: {failed[0].verdict}")
    return results
