"""What the agent agrees to run, and how (DESIGN.md section 6).

Two kinds are trusted: the built-in PoGEMM benchmark (`builtin:POGEMM`), and `command:<line>`
where the exact command line is on the provider's allowlist and its sha256 is the job's workload
hash. Anything else is refused: arbitrary buyer containers need a sandbox first. A command runs
without a shell, in the job's own directory, with a clean environment (the agent's key never
reaches it), and its artifact is the file it writes at $GPUMARKET_OUTPUT.
"""

from __future__ import annotations

import enum
import hashlib
import os
import shlex
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak

from gpumarket.pogemm import spec
from gpumarket.runtime.canonical import canonical_json

BUILTIN_POGEMM = "builtin:pogemm"
COMMAND_PREFIX = "command:"
OUTPUT_ENV = "GPUMARKET_OUTPUT"
#: The only variables of the agent's environment a command sees.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
#: Sizes of a PoGEMM workload whose job names none.
DEFAULT_POGEMM_SIZES = (64, 8, 2)


class WorkloadKind(enum.StrEnum):
    POGEMM = "pogemm"
    COMMAND = "command"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Workload:
    kind: WorkloadKind
    #: The command line of a COMMAND workload, exactly as the URI carries it.
    command: str = ""


class WorkloadRefused(Exception):
    """The agent does not run this workload (untrusted, or not the one the job's hash names)."""


class WorkloadFailed(Exception):
    """The workload ran and did not produce an artifact."""


def parse_workload(uri: str) -> Workload:
    """The workload a job's `workloadURI` names. The scheme is case-insensitive; a command line
    is kept byte for byte, since its hash must match."""
    if uri.strip().lower() == BUILTIN_POGEMM:
        return Workload(WorkloadKind.POGEMM)
    if uri[: len(COMMAND_PREFIX)].lower() == COMMAND_PREFIX:
        return Workload(WorkloadKind.COMMAND, uri[len(COMMAND_PREFIX) :])
    return Workload(WorkloadKind.UNKNOWN)


def command_hash(command_line: str) -> bytes:
    """sha256 of the command line's UTF-8 bytes: what a job's `workloadHash` must be."""
    return hashlib.sha256(command_line.encode("utf-8")).digest()


def artifact_hash(artifact: bytes) -> bytes:
    """The result hash the agent submits: sha256 of the artifact bytes."""
    return hashlib.sha256(artifact).digest()


def pogemm_summary(
    params: spec.Params, root: bytes, seconds: float, challenge_id: int = 0
) -> bytes:
    """The artifact of a PoGEMM workload: what was proven, how big, and how long it took.
    `challenge_id` is 0 for a run that backs no on-chain challenge."""
    return canonical_json(
        {
            "challenge_id": challenge_id,
            "seed": "0x" + params.seed.hex(),
            "root": "0x" + root.hex(),
            "n": params.n,
            "steps": params.steps,
            "interval": params.interval,
            "ops": params.ops,
            "seconds": round(seconds, 6),
        }
    )


def job_pogemm_params(
    job_id: int, market: str, n: int = 0, steps: int = 0, interval: int = 0
) -> spec.Params:
    """A PoGEMM run for a job that requires no benchmark: the spec's sizes when set (else
    64, 8, 2) and the seed keccak256(abi.encode(jobId, market))."""
    sizes = (n, steps, interval) if n and steps and interval else DEFAULT_POGEMM_SIZES
    seed = keccak(abi_encode(["uint256", "address"], [job_id, market]))
    return spec.Params(seed, *sizes)


def check_command(command_line: str, allowlist: Sequence[str], workload_hash: bytes) -> None:
    """Raise WorkloadRefused unless the command may run for a job with `workload_hash`."""
    if command_line not in allowlist:
        raise WorkloadRefused(f"command not on the allowlist: {command_line!r}")
    expected = command_hash(command_line)
    if expected != workload_hash:
        raise WorkloadRefused(
            f"workload hash 0x{workload_hash.hex()} is not sha256 of the command "
            f"(0x{expected.hex()})"
        )


def run_command(
    command_line: str,
    *,
    allowlist: Sequence[str],
    workload_hash: bytes,
    work_dir: Path,
    timeout: float,
) -> bytes:
    """Run an allowlisted command and return the bytes it wrote to $GPUMARKET_OUTPUT.

    No shell: the line is split with shlex. stdout and stderr go to files in `work_dir`. On
    timeout the whole process group is killed. Raises WorkloadRefused before running anything
    untrusted, and WorkloadFailed when the command fails or writes no output.
    """
    check_command(command_line, allowlist, workload_hash)
    try:
        argv = shlex.split(command_line)
    except ValueError as exc:
        raise WorkloadRefused(f"cannot split the command line: {exc}") from exc
    if not argv:
        raise WorkloadRefused("empty command line")
    work_dir.mkdir(parents=True, exist_ok=True)
    output = work_dir / "output"
    output.unlink(missing_ok=True)
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env[OUTPUT_ENV] = str(output)
    with open(work_dir / "stdout.log", "wb") as stdout, open(work_dir / "stderr.log", "wb") as err:
        try:
            process = subprocess.Popen(  # noqa: S603 - allowlisted and hash-checked, no shell
                argv,
                cwd=work_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=err,
                start_new_session=True,
            )
        except OSError as exc:
            raise WorkloadFailed(f"cannot start {argv[0]!r}: {exc}") from exc
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise WorkloadFailed(f"timed out after {timeout:g}s") from None
        finally:
            # Whatever happened (timeout, the agent interrupted), nothing the command started
            # outlives it.
            _kill_group(process)
    if status != 0:
        raise WorkloadFailed(f"exited with status {status}")
    if not output.is_file():
        raise WorkloadFailed(f"wrote no output file (${OUTPUT_ENV})")
    return output.read_bytes()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is already gone
    process.wait()
