"""`gpumarket bench`: run the PoGEMM prover and verifier locally and report throughput."""

from __future__ import annotations

import os
import time

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from gpumarket.pogemm import backends, gpus, prover, spec, verifier
from gpumarket.pogemm.settings import PoGemmSettings

# A hardware claim passes at this fraction of the model's reference TOPS (DESIGN.md section 5).
MIN_BENCHMARK_FRACTION = 0.40


def format_ops(ops_per_second: float) -> str:
    """Integer ops per second with an SI prefix: '12.3 GOPS', '1.02 TOPS'."""
    for scale, unit in ((1e15, "POPS"), (1e12, "TOPS"), (1e9, "GOPS"), (1e6, "MOPS")):
        if ops_per_second >= scale:
            return f"{ops_per_second / scale:.3g} {unit}"
    return f"{ops_per_second:.3g} OPS"


def _parse_seed(seed_hex: str | None) -> bytes:
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
    verdict = "passes" if fraction >= MIN_BENCHMARK_FRACTION else "below"
    note = "" if backend_name == backends.TORCH_CUDA else f" (backend {backend_name} is not CUDA)"
    return (
        f"{fraction:.1%} of {gpu.model} {gpu.reference_tops:g} TOPS int8 dense "
        f"({verdict} the {MIN_BENCHMARK_FRACTION:.0%} threshold){note}"
    )


@click.command()
@click.option("--n", "n", type=int, default=1024, show_default=True, help="Matrix size n.")
@click.option("--steps", "-T", type=int, default=32, show_default=True, help="Steps T.")
@click.option(
    "--interval", "-K", type=int, default=8, show_default=True, help="Checkpoint interval K."
)
@click.option(
    "--backend",
    type=click.Choice(backends.BACKEND_NAMES),
    default=None,
    help="GEMM backend [default: GPUMARKET_POGEMM_BACKEND, else CUDA if present, else numpy].",
)
@click.option("--samples", "-S", type=int, default=None, help="Samples S [default: 64].")
@click.option("--seed", "seed_hex", default=None, help="Challenge seed, 32 bytes hex [random].")
@click.option(
    "--keep-every", type=int, default=1, show_default=True, help="Keep every m-th checkpoint."
)
def bench(
    n: int,
    steps: int,
    interval: int,
    backend: str | None,
    samples: int | None,
    seed_hex: str | None,
    keep_every: int,
) -> None:
    """Prove and verify a PoGEMM benchmark here, and report what it measured."""
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
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"PoGEMM n={n} T={steps} K={interval} ({engine.name})", total=steps)
        proof = prover.prove(
            params,
            engine,
            keep_every=keep_every,
            settings=settings,
            progress=lambda done, _total: bar.update(task, completed=done),
        )
    timings = proof.timings
    assert timings is not None  # prove() always records them

    raw_seconds = backends.time_raw_gemm(
        engine, spec.x0(params.seed, n), spec.b_matrix(params.seed, n), steps
    )
    sampling_seed = os.urandom(spec.SEED_BYTES)
    reveals = proof.reveal_many(verifier.derive_samples(sampling_seed, params, sample_count))
    verify_started = time.perf_counter()
    verdict = verifier.verify(params, proof.root, sampling_seed, reveals, sample_count)
    verify_seconds = time.perf_counter() - verify_started

    achieved = params.ops / timings.total
    raw = params.ops / raw_seconds
    table = Table(title=f"PoGEMM benchmark: n={n}, T={steps}, K={interval}, S={sample_count}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = (
        ("backend", engine.name),
        ("work (2·n³·T)", f"{params.ops:.3e} ops"),
        ("root", proof.root.hex()),
        ("prove time", f"{timings.total:.3f} s"),
        ("ops/s achieved", format_ops(achieved)),
        ("raw GEMM throughput", f"{format_ops(raw)} ({raw_seconds:.3f} s, same backend)"),
        ("achieved / raw GEMM", f"{achieved / raw:.1%}"),
        (
            "proof overhead",
            f"{timings.overhead:.1%} (gen {timings.generate:.3f} s + hash {timings.hash:.3f} s "
            f"+ tree {timings.tree:.3f} s vs gemm {timings.gemm:.3f} s)",
        ),
        ("hash wait after last step", f"{timings.hash_wait:.3f} s"),
        ("reference", _reference_line(achieved, engine.name)),
        ("verify time", f"{verify_seconds:.3f} s ({verdict.reason.value})"),
        ("verify/prove", f"{verify_seconds / timings.total:.2%}"),
    )
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    if not verdict.ok:
        raise click.ClickException(f"self-check failed: {verdict}")
