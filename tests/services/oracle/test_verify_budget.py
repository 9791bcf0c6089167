"""The oracle's own budget for verification compute, beside its fetch deadlines: a challenge
whose verification (S·K·n² multiply-adds) is over `max_verify_ops` (unset: `sampleCount(1)` × the
registry's `maxSampleOps`, read on-chain) is neither fetched nor verified and gets no vote; one
within budget but slow to verify holds one worker while the verdict on a normal challenge beside
it lands in its normal time."""

from __future__ import annotations

import time

from brownie import chain

from gpumarket.chain.client import ATTESTATION_FLAG
from gpumarket.chain.deploy import name32
from gpumarket.pogemm.verifier import verify_work
from gpumarket.testing.seeds import seed_ready

from ..proofs import honest_proof, params_of

#: A large K at the test n: K·n² = 2^28 per sample, 2^34 for its 64 samples (`sampleCount`),
#: seconds of numpy; the registry admits it once governance raises maxInterval and maxSteps.
SLOW_K = 65_536
NORMAL = (64, 8, 2)


def attest(benchmark, provider, agent, sizes=NORMAL, honest=True):
    """An attestation `provider` opens and commits to; an honest proof served by `agent`, or a
    root nobody can open."""
    challenge_id = benchmark.open(0, provider, *sizes, {"from": provider}).return_value
    if honest:
        proof = honest_proof(params_of(benchmark, challenge_id))
        agent.proofs[(challenge_id, proof.root)] = proof
        root = proof.root
    else:
        root = b"\x07" * 32
        seed_ready(benchmark, challenge_id)  # a commitment waits for the challenge seed
    benchmark.commit(challenge_id, root, {"from": provider})
    return challenge_id


def raise_caps(benchmark, governance):
    benchmark.setParameter(name32("maxInterval"), SLOW_K, {"from": governance})


def metric(oracle, name):
    return oracle.metrics.registry.get_sample_value(name)


def test_a_challenge_over_the_budget_is_not_fetched_and_delays_no_verdict(
    benchmark, governance, listed, agent, oracles
):
    raise_caps(benchmark, governance)
    attest(benchmark, listed, agent, (64, SLOW_K, SLOW_K), honest=False)
    normal_id = attest(benchmark, listed, agent)
    chain.mine()
    normal_work = verify_work(params_of(benchmark, normal_id), benchmark.sampleCount(2))
    oracle = oracles(0, max_verify_ops=normal_work)[0]
    requests = agent.requests
    started = time.monotonic()

    ballots = oracle.step()

    assert [(b.subject, b.ok) for b in ballots] == [(ATTESTATION_FLAG | normal_id, True)]
    # Verifying the huge one would take minutes of numpy (2^34 multiply-adds); the normal one
    # takes well under a second, 5 s leaves room for a loaded machine.
    assert time.monotonic() - started < 5.0
    assert agent.requests == requests + 1  # the normal challenge's reveals only
    assert oracle.judging == {}
    assert metric(oracle, "gpumarket_oracle_over_budget_total") == 1
    assert [cid for cid, _ in oracle.store.open_challenges()] == [normal_id]
    assert oracle.step() == []  # the huge one stays unjudged: no vote, no retry
    assert metric(oracle, "gpumarket_oracle_over_budget_total") == 1


def test_unset_the_budget_is_the_chains_and_follows_a_lowered_cap(
    benchmark, governance, listed, agent, oracles
):
    raise_caps(benchmark, governance)
    attest(benchmark, listed, agent, (64, 1_024, 1_024), honest=False)
    normal_id = attest(benchmark, listed, agent)
    # Opened under the caps, then governance finds it unaffordable: 2 multiply-adds per entry
    # of n² per sample, the normal size's K·n².
    benchmark.setParameter(name32("maxSampleOps"), 2 * 64 * 64, {"from": governance})
    chain.mine()
    oracle = oracles(0)[0]

    ballots = oracle.step()

    assert oracle.verify_budget() == benchmark.sampleCount(1) * benchmark.maxSampleOps()
    assert [(b.subject, b.ok) for b in ballots] == [(ATTESTATION_FLAG | normal_id, True)]
    assert metric(oracle, "gpumarket_oracle_over_budget_total") == 1
    assert [cid for cid, _ in oracle.store.open_challenges()] == [normal_id]


def test_a_slow_verification_does_not_delay_the_verdict_on_a_normal_challenge(
    benchmark, governance, listed, agent, oracles
):
    raise_caps(benchmark, governance)
    slow_id = attest(benchmark, listed, agent, (64, SLOW_K, SLOW_K))  # opened first
    normal_id = attest(benchmark, listed, agent)
    chain.mine()
    oracle = oracles(0)[0]
    sent = []
    send = oracle.voter.send

    def timed_send(ballots):
        cast = send(ballots)
        in_flight = {cid for cid, _, _ in oracle.judging}
        sent.extend((time.monotonic() - started, b.subject, b.ok, in_flight) for b in cast)
        return cast

    oracle.voter.send = timed_send
    started = time.monotonic()

    oracle.step()
    while len(sent) < 2 and time.monotonic() - started < 120:
        oracle.step()

    (normal_at, first, first_ok, in_flight), (slow_at, second, second_ok, _) = sent
    print(f"normal verdict after {normal_at:.2f} s, the slow one after {slow_at:.2f} s")
    assert (first, first_ok) == (ATTESTATION_FLAG | normal_id, True)
    assert in_flight == {slow_id}  # the slow verification was still running
    assert normal_at < 5.0 and normal_at < slow_at
    assert (second, second_ok) == (ATTESTATION_FLAG | slow_id, True)
