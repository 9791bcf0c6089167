"""`gpumarket buyer result`: fetch a job's result and check it against the chain.

Three checks, in order, and a failure names the one that failed: the chain has a result for the
job (its hash, and the URI of its `ResultSubmitted` event); the URI answers with the bytes, within
a size cap, through the bounded fetch the oracles use (`gpumarket.runtime.http`); and their sha256
is the result hash on chain. Only bytes that pass all three are written, and atomically.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gpumarket.cli.buyer.overview import result_uri
from gpumarket.cli.errors import CliError
from gpumarket.cli.jobs import job_of
from gpumarket.cli.options import chain_command

if TYPE_CHECKING:
    from gpumarket.cli.session import Session

MIB = 1024 * 1024


@chain_command("result", sends=False)
@click.argument("job_id", type=int)
@click.option(
    "-o",
    "--output",
    "path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Where to write the result once it passes the checks.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option(
    "--max-size",
    type=click.IntRange(1, 64 * 1024),
    default=256,
    show_default=True,
    help="The largest result fetched, in MiB.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3_600),
    default=300,
    show_default=True,
    help="Seconds the whole fetch may take.",
)
@click.option(
    "--allow-private-endpoints/--refuse-private-endpoints",
    "allow_private",
    default=None,
    help="Fetch from private or loopback addresses. Default: allowed on a dev chain only.",
)
def result(
    session: Session,
    job_id: int,
    path: Path,
    force: bool,
    max_size: int,
    timeout: float,
    allow_private: bool | None,
) -> None:
    """Fetch JOB_ID's result, check its sha256 against the chain, and write it to PATH."""
    from gpumarket.runtime.http import BadAnswer, FetchPolicy, Unreachable, fetch

    if path.exists() and not force:
        raise CliError(f"{path} exists; pass --force to replace it", code="bad_input")
    job = job_of(session, job_id)
    if not job.submitted_at:
        raise CliError(
            f"chain check failed: job {job_id} has no result on chain (it is {job.state.name})",
            code="result_chain_check",
        )
    uri = result_uri(session, job_id)
    if uri is None:
        raise CliError(
            f"chain check failed: no ResultSubmitted event of job {job_id} since the deploy block",
            code="result_chain_check",
        )
    policy = FetchPolicy(
        deadline=timeout,
        read_timeout=min(timeout, 30.0),
        allow_private=session.dev_chain if allow_private is None else allow_private,
    )
    try:
        with session.spinner(f"fetching the result of job {job_id} from {uri}"):
            answer = fetch("GET", uri, policy=policy, max_bytes=max_size * MIB)
    except (Unreachable, BadAnswer) as exc:
        raise CliError(f"fetch check failed: {uri}: {exc}", code="result_fetch_check") from None
    if answer.status != 200:
        raise CliError(
            f"fetch check failed: {uri} answered HTTP {answer.status}", code="result_fetch_check"
        )
    digest = hashlib.sha256(answer.body).digest()
    if digest != job.result_hash:
        raise CliError(
            f"hash check failed: the {len(answer.body)} bytes from {uri} have sha256 "
            f"0x{digest.hex()}, but job {job_id}'s result hash on chain is "
            f"0x{job.result_hash.hex()}; nothing was written to {path}",
            code="result_hash_check",
        )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_bytes(answer.body)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    session.result(
        {
            "job_id": job_id,
            "path": str(path),
            "bytes": len(answer.body),
            "sha256": "0x" + digest.hex(),
            "result_uri": uri,
            "checks": {"chain": "ok", "fetch": "ok", "hash": "ok"},
        },
        lambda: click.echo(
            f"wrote {len(answer.body)} bytes to {path}: sha256 0x{digest.hex()} matches job "
            f"{job_id}'s result hash on chain"
        ),
    )
