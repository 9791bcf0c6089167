"""Oracle-test fixtures: a scripted provider agent (FakeAgent) and a job factory."""

from __future__ import annotations

import hashlib

import pytest

from gpumarket.chain.types import Offer
from gpumarket.oracle.service import Oracle

from ..proofs import ARTIFACT, PRICE, SPEC, honest_proof, params_of
from .fake_agent import FakeAgent


@pytest.fixture(scope="module")
def agent():
    fake = FakeAgent()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def listed(make_provider, provider, agent):
    return make_provider(provider, offer=Offer(endpoint=agent.url, gpu_count=64))


@pytest.fixture
def run_job(market, benchmark, usdc, buyer, listed, post_job, agent):
    """run_job(make_proof=honest_proof, artifact=ARTIFACT, served=ARTIFACT) -> (job id,
    challenge id): a directly assigned benchmark job, committed and submitted."""

    def _run(make_proof=honest_proof, artifact=ARTIFACT, served=ARTIFACT):
        job_id = post_job(buyer, usdc, PRICE, SPEC, provider=listed)
        market.acceptJob(job_id, {"from": listed})
        challenge_id = market.challengeOfJob(job_id)
        proof = make_proof(params_of(benchmark, challenge_id))
        agent.proofs[(challenge_id, proof.root)] = proof
        if served is not None:
            agent.artifacts[job_id] = served
        benchmark.commit(challenge_id, proof.root, {"from": listed})
        market.submitResult(
            job_id,
            hashlib.sha256(artifact).digest(),
            f"{agent.url}/jobs/{job_id}/result",
            {"from": listed},
        )
        return job_id, challenge_id

    return _run


@pytest.fixture
def oracles(oracle_settings):
    """oracles(0, 1, 2, **overrides) -> in-process Oracle objects for those council keys."""

    def _make(*indexes, **overrides):
        return [Oracle(oracle_settings(k, **overrides)) for k in indexes]

    return _make
