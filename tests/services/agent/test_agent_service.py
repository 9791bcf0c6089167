"""The provider agent against a local chain, driven one `step()` at a time: it proves and commits
benchmarks, runs trusted workloads, submits results it serves over HTTP, and after a crash at any
point resumes without sending anything twice."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import requests
from brownie import chain, web3

from gpumarket.agent.records import ChallengePhase, JobPhase
from gpumarket.agent.server import serve_in_thread
from gpumarket.agent.service import Agent
from gpumarket.agent.workloads import OUTPUT_ENV, command_hash, job_pogemm_params
from gpumarket.chain.types import JobSpec, JobState
from gpumarket.pogemm import backends, reference, spec, verifier
from gpumarket.pogemm.prover import Proof, prove
from gpumarket.pogemm.reveal import Reveal
from gpumarket.runtime.supervisor import wait_until

from ..scrape import scrape
from .conftest import (
    BENCHMARK_JOB,
    Killed,
    KilledBeforeWorkload,
    RecordingAgent,
    killed_after_sending,
)

COMMITTED = 2  # IBenchmarkRegistry.ChallengeState


def honest_root(seed: bytes, n: int = 64, steps: int = 8, interval: int = 2) -> bytes:
    return prove(spec.Params(seed, n, steps, interval), backends.NumpyBackend()).root


def events_named(agent: Agent, name: str) -> list:
    return [event for event_name, event in agent.client.logs(0, chain.height) if event_name == name]


def fetch(url: str, state_dir, agent: Agent, port: int, **kwargs) -> requests.Response:
    """GET or POST (with json=) `url` while the agent's state is served."""
    with serve_in_thread(state_dir, agent.address, "127.0.0.1", port):
        if "json" in kwargs:
            return requests.post(url, timeout=10, **kwargs)
        return requests.get(url, timeout=10)


def served_verdict(agent: Agent, challenge_id: int, benchmark, port: int) -> verifier.Verdict:
    """What an oracle concludes from the reveals the agent serves for the on-chain commitment."""
    chain.mine(2)
    onchain = benchmark.challengeOf(challenge_id)
    params = spec.Params(
        bytes(onchain["seed"]), onchain["n"], onchain["steps"], onchain["interval"]
    )
    root = bytes(onchain["root"])
    sampling_seed = bytes(benchmark.samplingSeed(challenge_id))
    samples = benchmark.sampleCount(params.interval)
    positions = verifier.derive_samples(sampling_seed, params, samples)
    response = fetch(
        f"{agent.endpoint}/challenges/{challenge_id}/reveals",
        agent.settings.state_dir,
        agent,
        port,
        json={"root": "0x" + root.hex(), "positions": [list(p) for p in positions]},
    )
    assert response.status_code == 200
    reveals = [Reveal.from_json(item) for item in response.json()["reveals"]]
    return verifier.verify(params, root, sampling_seed, reveals, samples)


def python_command(code: str) -> str:
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


WRITE_RESULT = python_command(
    f"import os; open(os.environ['{OUTPUT_ENV}'], 'wb').write(b'trained weights v1')"
)


def command_job(command: str, workload_hash: bytes | None = None) -> JobSpec:
    return JobSpec(
        workload_uri=f"command:{command}",
        workload_hash=command_hash(command) if workload_hash is None else workload_hash,
    )


# ---------------------------------------------------------------- the happy path


def test_benchmark_job_is_committed_and_submitted_with_the_served_artifact(
    make_agent, assign_job, market, benchmark, agent_endpoint, agent_port
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent()

    agent.step()

    onchain = benchmark.challengeOf(challenge_id)
    seed = bytes(onchain["seed"])
    assert onchain["state"] == COMMITTED
    assert bytes(onchain["root"]) == reference.commitment_root(seed, 64, 8, 2)
    assert agent.sent == ["commit", "submitResult"]
    job = market.jobOf(job_id)
    assert job["state"] == JobState.SUBMITTED
    (submitted,) = events_named(agent, "ResultSubmitted")
    uri = submitted["args"]["resultURI"]
    assert uri == f"{agent_endpoint}/jobs/{job_id}/result"
    response = fetch(uri, agent.settings.state_dir, agent, agent_port)
    assert response.headers["Content-Type"] == "application/octet-stream"
    artifact = response.content
    assert bytes(job["resultHash"]) == hashlib.sha256(artifact).digest()
    summary = json.loads(artifact)
    assert summary.pop("seconds") >= 0
    assert summary == {
        "challenge_id": challenge_id,
        "seed": "0x" + seed.hex(),
        "root": "0x" + bytes(onchain["root"]).hex(),
        "n": 64,
        "steps": 8,
        "interval": 2,
        "ops": 2 * 64**3 * 8,
    }
    assert (agent.store.job(job_id).phase, agent.store.challenge(challenge_id).phase) == (
        JobPhase.SUBMITTED,
        ChallengePhase.COMMITTED,
    )


def test_served_reveals_of_an_honest_agent_pass_verification(
    make_agent, assign_job, market, benchmark, agent_port
):
    job_id = assign_job(BENCHMARK_JOB)
    agent = make_agent()
    agent.step()

    verdict = served_verdict(agent, market.challengeOfJob(job_id), benchmark, agent_port)

    assert verdict.ok, verdict


def test_a_further_step_sends_nothing(make_agent, assign_job):
    assign_job(BENCHMARK_JOB)
    agent = make_agent()
    agent.step()

    agent.step()

    assert agent.sent == ["commit", "submitResult"]


def test_pogemm_job_without_benchmark_runs_on_the_job_seed(make_agent, assign_job, market):
    job_id = assign_job(JobSpec(workload_uri="builtin:pogemm"))
    agent = make_agent()

    agent.step()

    job = market.jobOf(job_id)
    artifact = open(agent.store.job(job_id).artifact_path, "rb").read()
    params = job_pogemm_params(job_id, market.address)
    assert agent.sent == ["submitResult"]
    assert job["state"] == JobState.SUBMITTED
    assert bytes(job["resultHash"]) == hashlib.sha256(artifact).digest()
    summary = json.loads(artifact)
    assert (summary["challenge_id"], summary["seed"], summary["root"]) == (
        0,
        "0x" + params.seed.hex(),
        "0x" + honest_root(params.seed).hex(),
    )


def test_allowlisted_command_job_submits_its_output(make_agent, assign_job, market):
    job_id = assign_job(command_job(WRITE_RESULT))
    agent = make_agent(allowlist=[WRITE_RESULT])

    agent.step()

    assert agent.sent == ["submitResult"]
    job = market.jobOf(job_id)
    assert job["state"] == JobState.SUBMITTED
    assert bytes(job["resultHash"]) == hashlib.sha256(b"trained weights v1").digest()


# ---------------------------------------------------------------- what it refuses


@pytest.mark.parametrize(
    ("spec_of", "allowlist", "reason"),
    [
        (lambda: command_job(WRITE_RESULT), [], "allowlist"),
        (lambda: command_job(WRITE_RESULT, command_hash("other")), [WRITE_RESULT], "hash"),
        (lambda: JobSpec(workload_uri="docker://evil:latest"), [], "unknown workload"),
    ],
    ids=["not-allowlisted", "hash-mismatch", "unknown-kind"],
)
def test_untrusted_workload_is_neither_run_nor_submitted(
    make_agent, assign_job, market, spec_of, allowlist, reason
):
    job_id = assign_job(spec_of())
    agent = make_agent(allowlist=allowlist)

    agent.step()

    assert agent.sent == []
    assert market.jobOf(job_id)["state"] == JobState.RUNNING
    record = agent.store.job(job_id)
    assert record.phase == JobPhase.REFUSED
    assert reason in record.note
    assert not (agent.store.job_dir(job_id) / "work" / "output").exists()


def test_untrusted_job_with_a_benchmark_commits_nothing(make_agent, assign_job, market):
    spec = command_job(WRITE_RESULT)
    job_id = assign_job(
        JobSpec(
            workload_uri=spec.workload_uri,
            workload_hash=spec.workload_hash,
            benchmark_required=True,
            benchmark_n=64,
            benchmark_t=8,
            benchmark_k=2,
        )
    )
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent(allowlist=[])

    agent.step()
    agent.step()

    assert agent.sent == []
    assert agent.store.job(job_id).phase == JobPhase.REFUSED
    challenge = agent.store.challenge(challenge_id)
    assert (challenge.phase, challenge.note) == (ChallengePhase.CLOSED, "job refused")


def test_job_of_another_provider_is_ignored(make_agent, assign_job, register_provider, provider):
    other = register_provider(provider, "http://other.example")
    assign_job(BENCHMARK_JOB, provider=other)
    agent = make_agent()

    agent.step()

    assert agent.sent == []
    assert (agent.store.jobs(), agent.store.challenges()) == ([], [])
    assert agent.store.cursor() == chain.height


def test_job_past_its_result_deadline_is_missed_without_sending(
    make_agent, assign_job, market, benchmark
):
    job_id = assign_job(BENCHMARK_JOB)
    chain.sleep(BENCHMARK_JOB.duration + market.resultGrace() + 1)
    chain.mine()
    agent = make_agent()

    agent.step()

    assert agent.sent == []
    assert agent.store.job(job_id).phase == JobPhase.MISSED


# ---------------------------------------------------------------- restarts


def test_agent_killed_after_commit_resumes_without_a_second_commit(
    make_agent, assign_job, market, benchmark
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    first = make_agent(KilledBeforeWorkload)
    with pytest.raises(Killed):
        first.step()
    assert first.sent == ["commit"]
    assert market.jobOf(job_id)["state"] == JobState.RUNNING
    first.store.close()

    restarted = make_agent()
    restarted.step()

    assert restarted.sent == ["submitResult"]
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED
    assert [e["args"]["challengeId"] for e in events_named(restarted, "ChallengeCommitted")] == [
        challenge_id
    ]


def test_commit_mined_but_not_recorded_is_not_sent_again(make_agent, assign_job, market):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    first = make_agent(killed_after_sending("commit"))
    with pytest.raises(Killed):
        first.step()
    assert first.store.challenge(challenge_id).phase == ChallengePhase.PROVED
    first.store.close()

    restarted = make_agent()
    restarted.step()

    assert restarted.sent == ["submitResult"]
    challenge = restarted.store.challenge(challenge_id)
    assert (challenge.phase, challenge.note) == (
        ChallengePhase.COMMITTED,
        "found committed on-chain",
    )
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_submit_mined_but_not_recorded_is_not_sent_again(make_agent, assign_job, market):
    job_id = assign_job(BENCHMARK_JOB)
    first = make_agent(killed_after_sending("submitResult"))
    with pytest.raises(Killed):
        first.step()
    assert first.store.job(job_id).phase == JobPhase.ARTIFACT
    first.store.close()

    restarted = make_agent()
    restarted.step()

    assert restarted.sent == []
    record = restarted.store.job(job_id)
    assert (record.phase, record.note) == (JobPhase.SUBMITTED, "found SUBMITTED on-chain")


# ---------------------------------------------------------------- seeds


def test_agent_mines_to_the_challenge_seed_on_a_dev_chain_and_commits_storing_it(
    make_agent, assign_job, market, benchmark
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    open_block = benchmark.challengeOf(challenge_id)["anchorBlock"]
    agent = make_agent()

    agent.step()

    (stored,) = events_named(agent, "ChallengeSeedStored")
    (committed,) = events_named(agent, "ChallengeCommitted")
    assert stored["transactionHash"] == committed["transactionHash"]
    assert committed["blockNumber"] == open_block + 3  # two blocks mined, then the commitment
    assert agent.sent == ["commit", "submitResult"]
    assert agent.store.challenge(challenge_id).seed == bytes(stored["args"]["seed"])


def test_agent_off_a_dev_chain_waits_for_the_challenge_seed(
    make_agent, assign_job, market, benchmark, monkeypatch
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent()
    monkeypatch.setattr(type(agent.chain), "dev_chain", property(lambda chain: False))

    agent.step()

    assert agent.sent == []
    assert agent.store.challenge(challenge_id).phase == ChallengePhase.OPENED
    chain.mine(2)
    agent.step()
    assert agent.sent == ["commit", "submitResult"]


def test_agent_stores_the_challenge_seed_first_when_the_proof_may_outlast_the_window(
    make_agent, assign_job, market, benchmark
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent(assumed_ops_per_second=1.0)  # 4.2M ops: 49 days

    agent.step()

    assert agent.sent == ["storeChallengeSeed", "commit", "submitResult"]
    assert benchmark.challengeOf(challenge_id)["state"] == COMMITTED


def test_agent_with_a_challenge_seed_expired_unstored_gives_the_job_up(
    make_agent, assign_job, market, benchmark
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    web3.provider.make_request("anvil_mine", [hex(260)])
    agent = make_agent()

    agent.step()

    assert agent.sent == []
    record = agent.store.challenge(challenge_id)
    assert (record.phase, record.note) == (
        ChallengePhase.EXPIRED,
        "challenge seed expired unstored",
    )
    assert agent.store.job(job_id).phase == JobPhase.MISSED


def test_agent_stores_a_sampling_seed_no_oracle_stored_half_way_through_the_window(
    make_agent, assign_job, market, benchmark
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent()
    agent.step()
    commit_block = benchmark.challengeOf(challenge_id)["anchorBlock"]
    web3.provider.make_request("anvil_mine", [hex(126)])
    agent.step()
    assert agent.sent == ["commit", "submitResult"]

    web3.provider.make_request("anvil_mine", [hex(2)])
    agent.step()

    assert agent.sent == ["commit", "submitResult", "storeSamplingSeed"]
    c = benchmark.challengeOf(challenge_id)
    assert bytes(c["samplingSeed"]) == bytes(web3.eth.get_block(commit_block + 1)["hash"])
    agent.step()
    assert agent.sent == ["commit", "submitResult", "storeSamplingSeed"]


def test_agent_leaves_a_sampling_seed_an_oracle_stored(
    make_agent, assign_job, market, benchmark, stranger
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent()
    agent.step()
    benchmark.storeSamplingSeed(challenge_id, {"from": stranger})
    web3.provider.make_request("anvil_mine", [hex(200)])

    agent.step()

    assert agent.sent == ["commit", "submitResult"]


def test_restarted_agent_serves_the_reveals_of_the_first(
    make_agent, assign_job, market, benchmark, agent_port
):
    job_id = assign_job(BENCHMARK_JOB)
    first = make_agent()
    first.step()
    first.store.close()

    restarted = make_agent()

    assert served_verdict(restarted, market.challengeOfJob(job_id), benchmark, agent_port).ok


def test_reorg_that_reseeds_the_challenge_proves_commits_and_submits_again(
    make_agent, assign_job, market, benchmark, governance, buyer, agent_account
):
    # The test starts from fn_isolation's snapshot state, so re-taking it here changes nothing
    # for the isolation, and Brownie's own revert keeps its nonce bookkeeping right.
    chain.snapshot()
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent()
    agent.step()
    old_root = bytes(benchmark.challengeOf(challenge_id)["root"])
    # The winning branch carries other transactions first (so no transaction repeats one of the
    # lost branch), other blocks under the match (so the challenge gets another seed), and is
    # taller than the agent's cursor.
    chain.revert()
    for account in (governance, buyer, agent_account):
        account.transfer(account, 0, silent=True)
    assert assign_job(BENCHMARK_JOB) == job_id

    agent.step()

    onchain = benchmark.challengeOf(challenge_id)
    new_root = bytes(onchain["root"])
    assert onchain["state"] == COMMITTED
    assert new_root == honest_root(bytes(onchain["seed"]))
    assert new_root != old_root
    assert agent.sent == ["commit", "submitResult", "commit", "submitResult"]
    job = market.jobOf(job_id)
    artifact = open(agent.store.job(job_id).artifact_path, "rb").read()
    assert job["state"] == JobState.SUBMITTED
    assert bytes(job["resultHash"]) == hashlib.sha256(artifact).digest()
    assert json.loads(artifact)["root"] == "0x" + new_root.hex()
    assert agent.store.proof(challenge_id, old_root) is not None


def test_reorg_above_the_cursor_that_drops_our_transactions_sends_them_again(
    make_agent, assign_job, market, benchmark
):
    """The scanner's block hashes only see reorgs reaching its cursor; a branch that drops just
    the commitment and the submission (mined above it) is noticed when the cursor passes their
    blocks and the chain no longer holds them."""
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent()
    # The block after the opening (the challenge seed's) and its successor come before the fork,
    # so the branch that wins keeps the seed.
    chain.mine(2)
    # Raw snapshot and revert, below Brownie's view: no Brownie transaction is sent in between.
    fork = web3.provider.make_request("evm_snapshot", [])["result"]
    agent.step()
    root = bytes(benchmark.challengeOf(challenge_id)["root"])
    assert web3.provider.make_request("evm_revert", [fork])["result"] is True
    for _ in range(3):
        web3.provider.make_request("evm_mine", [])
    assert (benchmark.challengeOf(challenge_id)["state"], market.jobOf(job_id)["state"]) == (
        1,
        JobState.RUNNING,
    )

    agent.step()

    assert agent.sent == ["commit", "submitResult", "commit", "submitResult"]
    assert bytes(benchmark.challengeOf(challenge_id)["root"]) == root
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED
    agent.step()
    assert agent.sent == ["commit", "submitResult", "commit", "submitResult"]
    assert (agent.store.job(job_id).confirmed, agent.store.challenge(challenge_id).confirmed) == (
        True,
        True,
    )


# ---------------------------------------------------------------- attestations


def test_attestation_opened_elsewhere_is_proved_and_committed(make_agent, benchmark, agent_account):
    tx = benchmark.open(0, agent_account, 64, 8, 2, {"from": agent_account})
    challenge_id = tx.events["ChallengeOpened"]["challengeId"]
    agent = make_agent()

    agent.step()

    onchain = benchmark.challengeOf(challenge_id)
    assert (onchain["subject"], onchain["state"]) == (0, COMMITTED)
    assert bytes(onchain["root"]) == honest_root(bytes(onchain["seed"]))
    assert agent.sent == ["commit"]
    assert agent.store.challenge(challenge_id).phase == ChallengePhase.COMMITTED


def test_attest_command_opens_an_attestation_the_agent_commits(
    make_agent, benchmark, agent_account, rpc_url, deployment_file, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from gpumarket.cli import agent as agent_cli
    from gpumarket.cli.main import main

    monkeypatch.setattr(agent_cli, "setup_logging", lambda level: None)
    monkeypatch.setenv("GPUMARKET_AGENT_PRIVATE_KEY", agent_account.private_key)
    options = ["--rpc-url", rpc_url, "--deployment", str(deployment_file)]
    options += ["--state-dir", str(tmp_path / "cli")]

    result = CliRunner().invoke(
        main, ["agent", "attest", *options, "--n", "128", "--steps", "4", "--interval", "2"]
    )

    assert result.exit_code == 0, result.output
    challenge_id = benchmark.challengeCount()
    assert f"attestation challenge {challenge_id} opened" in result.output
    agent = make_agent()
    agent.step()
    onchain = benchmark.challengeOf(challenge_id)
    assert (onchain["n"], onchain["steps"], onchain["interval"]) == (128, 4, 2)
    assert bytes(onchain["root"]) == honest_root(bytes(onchain["seed"]), 128, 4, 2)
    assert agent.sent == ["commit"]


@pytest.mark.parametrize(
    "sizes, message",
    [
        (
            ("64", "2147483648", "2147483648"),
            "benchmark T is 2,147,483,648, over the benchmark registry's cap maxSteps of 1,048,576",
        ),
        (
            ("16384", "128", "128"),
            "benchmark K x N^2, an oracle's multiply-adds per sample, is 34,359,738,368, over the "
            "benchmark registry's cap maxSampleOps of 17,179,869,184",
        ),
        (
            ("100", "8", "2"),
            "benchmark N=100, T=8, K=2 is not a PoGEMM: N must be a positive multiple of 64, and K "
            "a positive divisor of T",
        ),
    ],
    ids=["t-k-2-31", "sample-ops", "shape"],
)
def test_attest_command_refuses_sizes_over_the_caps_and_sends_nothing(
    benchmark, agent_account, rpc_url, deployment_file, tmp_path, monkeypatch, sizes, message
):
    from brownie import web3
    from click.testing import CliRunner

    from gpumarket.cli import agent as agent_cli
    from gpumarket.cli.main import main

    monkeypatch.setattr(agent_cli, "setup_logging", lambda level: None)
    monkeypatch.setenv("GPUMARKET_AGENT_PRIVATE_KEY", agent_account.private_key)
    options = ["--rpc-url", rpc_url, "--deployment", str(deployment_file)]
    options += ["--state-dir", str(tmp_path / "cli")]
    n, steps, interval = sizes
    nonce = web3.eth.get_transaction_count(agent_account.address)

    result = CliRunner().invoke(
        main, ["agent", "attest", *options, "--n", n, "--steps", steps, "--interval", interval]
    )

    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1] == f"Error: {message}"
    assert web3.eth.get_transaction_count(agent_account.address) == nonce
    assert benchmark.challengeCount() == 0


# ---------------------------------------------------------------- a cheater


class HalfRowsCheater(RecordingAgent):
    """Computes the odd rows wrongly after checkpoint 0 and commits to that."""

    def make_proof(self, params: spec.Params) -> Proof:
        b = spec.b_matrix(params.seed, params.n)
        rows = np.arange(params.n)
        checkpoints = [spec.x0(params.seed, params.n)]
        for c in range(params.intervals):
            x = spec.advance(params, checkpoints[-1], rows, c, c + 1, b).copy()
            x[1::2] = np.int8(3)
            checkpoints.append(x)
        return Proof.from_checkpoints(params, checkpoints, b)


def test_cheating_agent_commits_a_root_its_reveals_cannot_back(
    make_agent, assign_job, market, benchmark, agent_port
):
    job_id = assign_job(BENCHMARK_JOB)
    challenge_id = market.challengeOfJob(job_id)
    agent = make_agent(HalfRowsCheater)

    agent.step()

    onchain = benchmark.challengeOf(challenge_id)
    assert onchain["state"] == COMMITTED
    assert bytes(onchain["root"]) != honest_root(bytes(onchain["seed"]))
    verdict = served_verdict(agent, challenge_id, benchmark, agent_port)
    assert (verdict.ok, verdict.reason) == (False, verifier.VerdictReason.STEP_MISMATCH)
    assert verdict.i % 2 == 1


# ---------------------------------------------------------------- the service process


def test_agent_run_process_commits_submits_serves_and_stops_on_sigterm(
    assign_job, market, benchmark, agent_account, agent_port, rpc_url, deployment_file, tmp_path
):
    job_id = assign_job(BENCHMARK_JOB)
    env = {
        **os.environ,
        "GPUMARKET_AGENT_PRIVATE_KEY": agent_account.private_key,
        "GPUMARKET_AGENT_POGEMM_BACKEND": "numpy",
    }
    command = [sys.executable, "-m", "gpumarket.cli.main", "agent", "run"]
    command += ["--rpc-url", rpc_url, "--deployment", str(deployment_file)]
    command += ["--state-dir", str(tmp_path / "agent"), "--port", str(agent_port)]
    command += ["--poll-interval", "0.1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while market.jobOf(job_id)["state"] != JobState.SUBMITTED:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the agent did not submit within 60 s"
            time.sleep(0.2)
        health = requests.get(f"http://127.0.0.1:{agent_port}/health", timeout=5).json()

        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, stderr.decode()
    assert health == {"provider": agent_account.address, "jobs": 1, "challenges": 1}
    lines = [json.loads(line) for line in stderr.decode().splitlines()]
    messages = [line["msg"] for line in lines]
    for expected in ("agent serving", "committed", "result submitted", "agent stopped"):
        assert expected in messages
    assert [line for line in lines if line["level"] in ("warning", "error")] == []
    assert benchmark.challengeOf(market.challengeOfJob(job_id))["state"] == COMMITTED


class SlowProver(RecordingAgent):
    """Proves only once the test lets it, so the test can talk to it mid-proof."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.proving = threading.Event()
        self.release = threading.Event()

    def make_proof(self, params: spec.Params) -> Proof:
        self.proving.set()
        assert self.release.wait(30)
        return super().make_proof(params)


def test_server_answers_while_the_agent_proves(
    make_agent, assign_job, market, agent_account, agent_port, agent_endpoint
):
    job_id = assign_job(BENCHMARK_JOB)
    agent = make_agent(SlowProver, port=agent_port, public_endpoint=None)
    runner = threading.Thread(target=agent.run, daemon=True)
    runner.start()
    try:
        assert agent.proving.wait(30)

        started = time.monotonic()
        health = requests.get(f"{agent_endpoint}/health", timeout=5)
        elapsed = time.monotonic() - started

        assert health.json() == {"provider": agent_account.address, "jobs": 1, "challenges": 1}
        assert elapsed < 2
        proving = scrape(f"{agent_endpoint}/metrics")
        agent.release.set()
        deadline = time.monotonic() + 30
        while market.jobOf(job_id)["state"] != JobState.SUBMITTED:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        submitted = 'gpumarket_agent_transactions_total{function="submitResult"}'

        def settled() -> bool:
            # The chain can show SUBMITTED before the agent has counted the receipt.
            metrics = scrape(f"{agent_endpoint}/metrics")
            return metrics["gpumarket_agent_pending_jobs"] == 0 and submitted in metrics

        wait_until(settled, 10, "a step after the submission")
        done = scrape(f"{agent_endpoint}/metrics")
    finally:
        agent.release.set()
        agent.stop()
        runner.join(30)
    assert not runner.is_alive()
    assert agent.sent == ["commit", "submitResult"]
    assert agent.endpoint == agent_endpoint
    # The metrics moved with the work: a proof, a commitment and a submission, the requests.
    assert proving["gpumarket_agent_proofs_total"] == 0
    assert 'gpumarket_agent_transactions_total{function="commit"}' not in proving
    assert done["gpumarket_agent_proofs_total"] == 1
    assert done["gpumarket_agent_proof_seconds_total"] > 0
    for function in ("commit", "submitResult"):
        assert done[f'gpumarket_agent_transactions_total{{function="{function}"}}'] == 1
    assert done['gpumarket_agent_http_requests_total{route="/health",status="200"}'] == 1
    assert done['gpumarket_agent_http_requests_total{route="/metrics",status="200"}'] >= 2
    assert done["gpumarket_agent_blocks_behind"] <= 3  # what the step's own transactions mined
    assert done["gpumarket_agent_rpc_errors_total"] == 0
    assert done["gpumarket_agent_http_connections"] >= 1  # the scrape's own
