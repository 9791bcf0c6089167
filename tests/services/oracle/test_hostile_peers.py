"""The oracle service against a local chain with one provider's agent hostile (a real slowloris
server on loopback, `gpumarket.testing.hostile`) and another honest: the honest challenge gets
its verdict in its normal time, not after the hostile one's deadline; the hostile one ends as a
FAIL (provider_unreachable) once its deadline and `reveal_timeout` have passed."""

from __future__ import annotations

import json
import time

import pytest
from brownie import chain

from gpumarket.chain.client import ATTESTATION_FLAG
from gpumarket.chain.types import Offer
from gpumarket.oracle.service import STEP_WAIT
from gpumarket.testing import hostile
from gpumarket.testing.hostile import HostilePeer

from ..proofs import honest_proof, params_of

JUDGE_TIMEOUT = 5.0


@pytest.fixture
def hostile_peer():
    peer = HostilePeer()
    yield peer
    peer.close()


def attest(benchmark, provider, agent=None):
    """An attestation `provider` opens and commits to (an honest proof served by `agent`)."""
    challenge_id = benchmark.open(0, provider, 64, 8, 2, {"from": provider}).return_value
    proof = honest_proof(params_of(benchmark, challenge_id))
    if agent is not None:
        agent.proofs[(challenge_id, proof.root)] = proof
    benchmark.commit(challenge_id, proof.root, {"from": provider})
    return challenge_id


def evidence_of(oracle, challenge_id):
    [path] = (oracle.settings.state_dir / "evidence").glob(f"{challenge_id}-*.json")
    return json.loads(path.read_text())


def test_a_slow_hostile_provider_does_not_delay_the_verdict_on_an_honest_one(
    benchmark, make_provider, provider2, listed, agent, hostile_peer, oracles
):
    slow = make_provider(provider2, offer=Offer(endpoint=hostile_peer.url, gpu_count=64))
    hostile_id = attest(benchmark, slow)  # opened first: judged first, were it one at a time
    honest_id = attest(benchmark, listed, agent)
    chain.mine()
    hostile_peer.on("POST", f"/challenges/{hostile_id}/reveals", hostile.trickle_body(0.2))
    oracle = oracles(0, judge_timeout=JUDGE_TIMEOUT, http_timeout=1.0, reveal_timeout=3.0)[0]
    sent_at = []
    send = oracle.voter.send

    def timed_send(ballots):
        sent = send(ballots)
        sent_at.extend((time.monotonic() - started, b.subject, b.ok) for b in sent)
        return sent

    oracle.voter.send = timed_send
    started = time.monotonic()

    first = oracle.step()

    step_seconds = time.monotonic() - started
    [(honest_at, subject, ok)] = sent_at
    assert (subject, ok) == (ATTESTATION_FLAG | honest_id, True)
    assert [b.subject for b in first] == [subject]
    assert honest_at < 2.0 < JUDGE_TIMEOUT  # its normal time, not the hostile one's deadline
    assert step_seconds < STEP_WAIT + 1.5  # the step does not wait for the deadline either
    assert {cid for cid, _, _ in oracle.judging} == {hostile_id}
    assert hostile_peer.requests == [("POST", f"/challenges/{hostile_id}/reveals")]

    while len(sent_at) < 2 and time.monotonic() - started < JUDGE_TIMEOUT + 10:
        oracle.step()

    hostile_at, subject, ok = sent_at[1]
    print(f"honest verdict sent after {honest_at:.2f} s, the hostile one after {hostile_at:.2f} s")
    assert (subject, ok) == (ATTESTATION_FLAG | hostile_id, False)
    assert JUDGE_TIMEOUT - 0.1 <= hostile_at <= JUDGE_TIMEOUT + STEP_WAIT + 3.0
    evidence = evidence_of(oracle, hostile_id)
    assert evidence["reason"] == "provider_unreachable"
    assert evidence["detail"] == (
        f"{hostile_peer.url}/challenges/{hostile_id}/reveals: "
        "no complete answer within the deadline of 5 s"
    )
    assert evidence_of(oracle, honest_id)["reason"] == "ok"
    assert oracle.judging == {}


def test_while_a_hostile_judgement_runs_new_challenges_are_still_taken_in(
    benchmark, make_provider, provider2, listed, agent, hostile_peer, oracles
):
    slow = make_provider(provider2, offer=Offer(endpoint=hostile_peer.url, gpu_count=64))
    hostile_id = attest(benchmark, slow)
    chain.mine()
    hostile_peer.on("POST", f"/challenges/{hostile_id}/reveals", hostile.trickle_body(0.2))
    oracle = oracles(0, judge_timeout=30.0, http_timeout=1.0)[0]
    assert oracle.step() == []  # the hostile judgement is in flight, for 30 s

    honest_id = attest(benchmark, listed, agent)
    chain.mine()
    started = time.monotonic()
    [ballot] = oracle.step()

    assert (ballot.subject, ballot.ok) == (ATTESTATION_FLAG | honest_id, True)
    assert time.monotonic() - started < STEP_WAIT + 1.5
    assert {cid for cid, _, _ in oracle.judging} == {hostile_id}


def test_a_loopback_endpoint_is_refused_when_private_endpoints_are_not_allowed(
    run_job, oracles, agent
):
    job_id, challenge_id = run_job()
    requests_before = agent.requests
    oracle = oracles(0, allow_private_endpoints=False)[0]

    [ballot] = oracle.step()

    assert (ballot.subject, ballot.ok) == (job_id, False)
    evidence = evidence_of(oracle, challenge_id)
    assert evidence["reason"] == "missing_reveal"
    assert evidence["detail"] == (
        "refused_url: 127.0.0.1 is not a public address (private, loopback, link-local or reserved)"
    )
    assert agent.requests == requests_before  # never contacted


def test_on_a_dev_chain_private_endpoints_are_allowed_unless_set(oracles):
    assert oracles(0)[0].fetch_policy.allow_private is True
    assert oracles(0, allow_private_endpoints=False)[0].fetch_policy.allow_private is False
