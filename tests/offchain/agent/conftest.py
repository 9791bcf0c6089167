"""Fixtures for the agent's pure-Python tests: a store in a temporary state directory holding an
honest PoGEMM proof (n=64, T=8, K=2) and a job artifact, as the agent leaves them on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_hash.auto import keccak

from gpumarket.agent.proofs import ProofRecord, atomic_write_bytes, save_proof
from gpumarket.agent.store import AgentStore
from gpumarket.agent.workloads import artifact_hash
from gpumarket.pogemm import backends, spec
from gpumarket.pogemm.prover import Proof, prove

PROVIDER = "0x00000000000000000000000000000000000000A1"
CHALLENGE_ID = 7
SUBJECT = 3
JOB_ID = 3
ARTIFACT = b'{"result":"forty-two"}'


@pytest.fixture(scope="session")
def params() -> spec.Params:
    return spec.Params(keccak(b"agent-tests"), n=64, steps=8, interval=2)


@pytest.fixture(scope="session")
def proof(params: spec.Params) -> Proof:
    return prove(params, backends.NumpyBackend())


@pytest.fixture
def store(tmp_path: Path):
    opened = AgentStore.open(tmp_path / "state", provider=PROVIDER, chain_id=1337)
    yield opened
    opened.close()


def record_proof(store: AgentStore, challenge_id: int, proof: Proof, seconds: float = 0.5) -> Path:
    """Save `proof` as the agent does after proving: files first, then the store row."""
    params = proof.params
    store.add_challenge(challenge_id, SUBJECT, params.seed, params.n, params.steps, params.interval)
    path = save_proof(store.proofs_dir, challenge_id, proof)
    store.add_proof(
        ProofRecord(
            challenge_id,
            proof.root,
            params.seed,
            params.n,
            params.steps,
            params.interval,
            seconds,
            str(path),
        )
    )
    return path


def record_artifact(store: AgentStore, job_id: int, artifact: bytes) -> Path:
    store.add_job(job_id, matched_block=10)
    path = store.job_dir(job_id) / "result.bin"
    atomic_write_bytes(path, artifact)
    store.set_artifact(job_id, path, artifact_hash(artifact))
    return path


@pytest.fixture
def served_state(store: AgentStore, proof: Proof) -> AgentStore:
    """A store with the honest proof for CHALLENGE_ID and an artifact for JOB_ID."""
    record_proof(store, CHALLENGE_ID, proof)
    record_artifact(store, JOB_ID, ARTIFACT)
    return store
