"""What the agent runs: built-in PoGEMM and allowlisted, hash-matched commands only; commands
run without a shell, in their own directory, with a clean environment and a time limit."""

from __future__ import annotations

import hashlib
import json
import shlex
import sys
import time

import pytest
from eth_hash.auto import keccak

from gpumarket.agent.workloads import (
    OUTPUT_ENV,
    Workload,
    WorkloadFailed,
    WorkloadKind,
    WorkloadRefused,
    artifact_hash,
    canonical_json,
    command_hash,
    job_pogemm_params,
    parse_workload,
    pogemm_summary,
    run_command,
)
from gpumarket.pogemm import spec

PYTHON = shlex.quote(sys.executable)
MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def python_command(code: str) -> str:
    return f"{PYTHON} -c {shlex.quote(code)}"


WRITE_HELLO = python_command(f"import os; open(os.environ['{OUTPUT_ENV}'], 'wb').write(b'hello')")


def run(command: str, tmp_path, *, allowlist=None, workload_hash=None, timeout=30.0) -> bytes:
    return run_command(
        command,
        allowlist=[command] if allowlist is None else allowlist,
        workload_hash=command_hash(command) if workload_hash is None else workload_hash,
        work_dir=tmp_path / "work",
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("builtin:POGEMM", Workload(WorkloadKind.POGEMM)),
        ("builtin:pogemm", Workload(WorkloadKind.POGEMM)),
        ("BUILTIN:PoGemm", Workload(WorkloadKind.POGEMM)),
        (
            "command:python3 train.py --epochs 2",
            Workload(WorkloadKind.COMMAND, "python3 train.py --epochs 2"),
        ),
        ("COMMAND:run  'a b'", Workload(WorkloadKind.COMMAND, "run  'a b'")),
        ("docker://ubuntu:24.04", Workload(WorkloadKind.UNKNOWN)),
        ("builtin:OTHER", Workload(WorkloadKind.UNKNOWN)),
        ("POGEMM", Workload(WorkloadKind.UNKNOWN)),
        ("", Workload(WorkloadKind.UNKNOWN)),
    ],
)
def test_parse_workload(uri, expected):
    assert parse_workload(uri) == expected


def test_command_hash_is_sha256_of_the_utf8_command_line():
    assert command_hash("échec --n 1") == hashlib.sha256("échec --n 1".encode()).digest()


def test_allowlisted_command_with_matching_hash_returns_its_output_file(tmp_path):
    artifact = run(WRITE_HELLO, tmp_path)

    assert artifact == b"hello"
    assert artifact_hash(artifact) == hashlib.sha256(b"hello").digest()


def test_command_not_on_the_allowlist_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    command = python_command(f"open({str(marker)!r}, 'w')")

    with pytest.raises(WorkloadRefused, match="allowlist"):
        run(command, tmp_path, allowlist=[WRITE_HELLO])

    assert not marker.exists()


def test_allowlist_match_is_exact(tmp_path):
    with pytest.raises(WorkloadRefused, match="allowlist"):
        run(WRITE_HELLO + " ", tmp_path, allowlist=[WRITE_HELLO])


def test_hash_mismatch_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    command = python_command(f"open({str(marker)!r}, 'w')")

    with pytest.raises(WorkloadRefused, match="workload hash"):
        run(command, tmp_path, workload_hash=command_hash(command + "x"))

    assert not marker.exists()


def test_command_runs_without_a_shell(tmp_path):
    command = "echo hello; touch pwned"

    with pytest.raises(WorkloadFailed, match="no output"):
        run(command, tmp_path)

    assert (tmp_path / "work" / "stdout.log").read_text() == "hello; touch pwned\n"
    assert not (tmp_path / "work" / "pwned").exists()


def test_command_sees_only_a_clean_environment_and_its_work_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GPUMARKET_AGENT_PRIVATE_KEY", "0x" + "11" * 32)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    command = python_command(
        "import json, os; "
        f"open(os.environ['{OUTPUT_ENV}'], 'w').write(json.dumps([dict(os.environ), os.getcwd()]))"
    )

    environment, cwd = json.loads(run(command, tmp_path))

    assert environment[OUTPUT_ENV] == str(tmp_path / "work" / "output")
    assert "GPUMARKET_AGENT_PRIVATE_KEY" not in environment
    assert environment["PATH"] == "/usr/bin:/bin"
    assert cwd == str(tmp_path / "work")


def test_command_that_exits_nonzero_fails(tmp_path):
    command = python_command(
        f"import os, sys; open(os.environ['{OUTPUT_ENV}'], 'w').write('partial'); sys.exit(3)"
    )

    with pytest.raises(WorkloadFailed, match="status 3"):
        run(command, tmp_path)


def test_command_that_writes_no_output_fails(tmp_path):
    with pytest.raises(WorkloadFailed, match="no output"):
        run(python_command("pass"), tmp_path)


def test_a_stale_output_file_is_not_taken_for_a_new_one(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "output").write_bytes(b"from an earlier run")

    with pytest.raises(WorkloadFailed, match="no output"):
        run(python_command("pass"), tmp_path)


def test_command_past_its_timeout_is_killed_with_its_children(tmp_path):
    late = tmp_path / "late"
    child = f"import time; time.sleep(1); open({str(late)!r}, 'w')"
    command = python_command(
        "import subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, '-c', {child!r}]); time.sleep(30)"
    )
    started = time.monotonic()

    with pytest.raises(WorkloadFailed, match="timed out"):
        run(command, tmp_path, timeout=0.5)

    assert time.monotonic() - started < 5
    time.sleep(1.5)
    assert not late.exists()


def test_unsplittable_command_is_refused(tmp_path):
    with pytest.raises(WorkloadRefused, match="split"):
        run("echo 'unterminated", tmp_path)


def test_missing_program_fails(tmp_path):
    with pytest.raises(WorkloadFailed, match="cannot start"):
        run("/nonexistent/program --flag", tmp_path)


def test_canonical_json_sorts_keys_without_spaces():
    assert canonical_json({"b": 1, "a": [1, 2], "c": {"y": "é", "x": None}}) == (
        '{"a":[1,2],"b":1,"c":{"x":null,"y":"é"}}'.encode()
    )


def test_pogemm_summary_is_canonical_json_of_the_run():
    params = spec.Params(bytes(range(32)), 64, 8, 2)
    root = bytes([0xAB]) * 32

    summary = pogemm_summary(params, root, 1.2345678, challenge_id=4)

    assert (
        summary
        == (
            '{"challenge_id":4,"interval":2,"n":64,"ops":4194304,"root":"0x' + "ab" * 32 + '",'
            '"seconds":1.234568,"seed":"0x' + bytes(range(32)).hex() + '","steps":8}'
        ).encode()
    )


def test_job_pogemm_seed_is_keccak_of_abi_encoded_job_and_market():
    encoded = (42).to_bytes(32, "big") + bytes(12) + bytes.fromhex(MARKET[2:])

    params = job_pogemm_params(42, MARKET, 128, 4, 2)

    assert params == spec.Params(keccak(encoded), 128, 4, 2)


@pytest.mark.parametrize("sizes", [(0, 0, 0), (64, 0, 2), (0, 8, 2)])
def test_job_pogemm_without_full_sizes_uses_64_8_2(sizes):
    params = job_pogemm_params(1, MARKET, *sizes)

    assert (params.n, params.steps, params.interval) == (64, 8, 2)
