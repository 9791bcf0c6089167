"""`gpumarket provider submit`: a provider without the agent submits a running job's result.

The result hash is the sha256 of the result's bytes (`--file`, hashed here as the agent hashes
its artifacts) or given as is (`--hash`); the URI is where the buyer and the oracles fetch it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from gpumarket.chain.types import ChallengeState, JobState
from gpumarket.chain.views import Challenge
from gpumarket.cli.errors import CliError, refusal
from gpumarket.cli.jobs import job_of, require_state, spec_of
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import parse_url

if TYPE_CHECKING:
    from gpumarket.cli.session import Session


def _result_hash(path: Path | None, given: str | None) -> bytes:
    if (path is None) == (given is None):
        raise CliError(
            "name the result with exactly one of --file PATH and --hash 0x...", code="bad_input"
        )
    if given is not None:
        try:
            value = bytes.fromhex(given.removeprefix("0x"))
        except ValueError:
            value = b""
        if len(value) != 32:
            raise CliError(f"result hash {given!r} is not 32 bytes of hex", code="bad_input")
        return value
    assert path is not None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(
            f"cannot read the result {path}: {exc.strerror or exc}", code="bad_input"
        ) from None
    from gpumarket.agent.workloads import artifact_hash

    return artifact_hash(data)


@chain_command("submit", sends=True)
@click.argument("job_id", type=int)
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The result's bytes: its sha256 is the result hash.",
)
@click.option("--hash", "given_hash", help="The result hash (0x, 32 bytes) instead of --file.")
@click.option("--uri", required=True, help="The http(s) URL the buyer and oracles fetch it from.")
def submit(
    session: Session, job_id: int, path: Path | None, given_hash: str | None, uri: str
) -> None:
    """Submit the result of your running job JOB_ID before its deadline."""
    result_hash = _result_hash(path, given_hash)
    parse_url(uri, what="result URI")
    job = job_of(session, job_id)
    me = session.sender.address
    if job.provider != me:
        raise refusal(("JobMarketNotProvider", (job_id, me)))
    require_state(job_id, job, JobState.RUNNING)
    market = session.contract("JobMarket").functions
    deadline = int(session.call(market.resultDeadlineOf(job_id)))
    if session.now() > deadline:
        raise refusal(("JobMarketDeadlinePassed", (job_id, deadline)))
    if spec_of(session, job_id).benchmark_required:
        challenge_id = int(session.call(market.challengeOfJob(job_id)))
        fn = session.contract("BenchmarkRegistry").functions.challengeOf(challenge_id)
        if Challenge.of(fn, session.call(fn)).state == ChallengeState.OPEN:
            raise CliError(
                f"job {job_id} requires a PoGEMM proof that is not committed yet (challenge "
                f"{challenge_id}); `gpumarket agent run` proves and commits it before submitting"
            )
    token = session.token(job.token)
    session.send(
        market.submitResult(job_id, result_hash, uri),
        f"submit the result of job {job_id}",
        session.hints(token, (JobState.RUNNING,)),
    )
    window_end = int(session.call(market.windowEndOf(job_id)))
    session.result(
        {
            "job_id": job_id,
            "provider": me,
            "result_hash": "0x" + result_hash.hex(),
            "result_uri": uri,
            "dispute_window_ends": window_end,
        },
        lambda: click.echo(
            f"submitted the result of job {job_id} (sha256 0x{result_hash.hex()}); the buyer may "
            f"dispute it until {session.when(window_end)}"
        ),
    )
