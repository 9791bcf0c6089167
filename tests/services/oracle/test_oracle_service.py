"""The oracle service in-process against a local chain, with a scripted provider agent: honest
and cheating commitments, results that do not hash, silent providers, restarts at the point
between recording and sending a vote, a reorg under confirmations, and hardware attestations."""

from __future__ import annotations

import hashlib
import time

import pytest
from brownie import chain

from gpumarket.chain.client import ATTESTATION_FLAG
from gpumarket.chain.types import ChallengeState, JobState, Offer
from gpumarket.oracle.store import CONFIRMED, SENDING, SENT
from gpumarket.testing.values import set_next_block_timestamp

from ..proofs import (
    ARTIFACT,
    FAILED_STATE,
    PASSED,
    PRICE,
    SPEC,
    half_rows_proof,
    honest_proof,
    params_of,
)

EXPIRED = ChallengeState.EXPIRED


def test_three_honest_oracles_verify_a_job_and_the_third_vote_applies_it(
    market, council, run_job, oracles, oracle_keys
):
    job_id, challenge_id = run_job()
    first, second, third = oracles(0, 1, 2)

    for k, oracle in enumerate((first, second)):
        sent = oracle.step()
        assert [(b.subject, b.ok) for b in sent] == [(job_id, True)]
        assert council.tallyOf(job_id)[1] == (1 << (k + 1)) - 1  # okVoters bitmap
        assert market.jobOf(job_id)[1] == JobState.SUBMITTED

    third.step()

    assert market.jobOf(job_id)[1] == JobState.VERIFIED
    tally = council.tallyOf(job_id)
    assert (tally[1], tally[2], tally[4], tally[5]) == (0b111, 0, 1, True)
    assert [council.hasVoted(job_id, k) for k in oracle_keys] == [True] * 3 + [False] * 2
    # The seed was stored by the first reader, so it can never expire.
    assert benchmark_seed_stored(market, challenge_id)
    assert first.store.vote(job_id, 1).status == SENT
    first.step()
    assert first.store.vote(job_id, 1).status == CONFIRMED
    assert first.store.open_challenges() == []


def benchmark_seed_stored(market, challenge_id):
    from brownie import BenchmarkRegistry

    registry = BenchmarkRegistry.at(market.benchmarkRegistry())
    return bytes(registry.challengeOf(challenge_id)[12]) != b"\0" * 32


def test_half_rows_cheater_is_voted_failed_and_slashed(
    market, registry, run_job, oracles, usdc, buyer, listed
):
    stake_before = registry.providerInfo(listed)[0]
    job_id, _ = run_job(make_proof=half_rows_proof)

    for oracle in oracles(0, 1, 2):
        [ballot] = oracle.step()
        assert not ballot.ok

    job = market.jobOf(job_id)
    assert job[1] == JobState.FAILED
    assert usdc.balanceOf(buyer) == market.costOf(PRICE, 1, 3600)  # refunded in full
    assert registry.providerInfo(listed)[0] == stake_before - job[13]  # collateral slashed


def test_a_running_jobs_sampling_seed_is_stored_before_its_result(
    market, benchmark, usdc, buyer, listed, post_job, oracles
):
    """A job runs for hours after its commitment, longer than blockhash reaches back: the oracle
    stores the seed at once, so neither the provider's wait nor its silence can expire it."""
    job_id = post_job(buyer, usdc, PRICE, SPEC, provider=listed)
    market.acceptJob(job_id, {"from": listed})
    challenge_id = market.challengeOfJob(job_id)
    benchmark.commit(
        challenge_id, honest_proof(params_of(benchmark, challenge_id)).root, {"from": listed}
    )
    chain.mine(2)

    assert oracles(0)[0].step() == []

    c = benchmark.challengeOf(challenge_id)
    assert market.jobOf(job_id)[1] == JobState.RUNNING
    assert bytes(c["samplingSeed"]) == bytes(chain[c["anchorBlock"] + 1].hash)


def test_a_job_whose_sampling_seed_expired_unstored_is_voted_failed_and_slashed(
    market, benchmark, registry, run_job, oracles, usdc, buyer, listed
):
    """No oracle stored the seed in time (all down, say): the challenge fails on-chain, and the
    council fails the job, whatever the provider's samples would have been."""
    stake_before = registry.providerInfo(listed)[0]
    job_id, challenge_id = run_job()
    chain.mine(260)
    council = oracles(0, 1, 2)

    assert council[0].step() == []  # the seed has expired: storeSamplingSeed fails the challenge
    ballots = [b for oracle in council for b in oracle.step()]

    assert [(b.subject, b.ok) for b in ballots] == [(job_id, False)] * 3
    assert benchmark.challengeOf(challenge_id)["state"] == FAILED_STATE
    job = market.jobOf(job_id)
    assert job[1] == JobState.FAILED
    assert usdc.balanceOf(buyer) == market.costOf(PRICE, 1, 3600)  # refunded in full
    assert registry.providerInfo(listed)[0] == stake_before - job[13]  # collateral slashed
    assert council[0].store.verdict(challenge_id, b"\0" * 32, b"\0" * 32).reason == "seed_expired"


def test_a_result_that_does_not_hash_to_the_submitted_hash_fails(market, run_job, oracles):
    job_id, _ = run_job(served=b"something else")

    [ballot] = oracles(0)[0].step()

    assert not ballot.ok


def test_one_lying_oracle_does_not_change_the_outcome(market, council, run_job, oracles):
    job_id, _ = run_job()
    liar, *honest = oracles(0, 1, 2, 3)
    liar.send([type(b)(b.challenge_id, b.subject, False, 0, b"\1" * 32) for b in _ballots(liar)])

    for oracle in honest:
        oracle.step()

    assert market.jobOf(job_id)[1] == JobState.VERIFIED
    assert council.tallyOf(job_id)[2] == 0b1  # the liar's FAIL is on record, and outvoted


def _ballots(oracle):
    """The ballots `oracle` would cast now, without sending them (judgements run in workers)."""
    oracle.scan()
    ballots = [oracle.evaluate(cid) for cid, _ in oracle.store.open_challenges()]
    ballots += [b for ready in oracle.judged(30) for b in ready]
    return [b for b in ballots if b is not None]


def test_a_provider_that_refuses_to_reveal_is_failed(market, run_job, oracles, agent):
    job_id, challenge_id = run_job()
    agent.proofs = {k: v for k, v in agent.proofs.items() if k[0] != challenge_id}

    [ballot] = oracles(0)[0].step()

    assert not ballot.ok


def test_an_unreachable_provider_is_retried_until_its_verdict_wait_has_ended_on_chain(
    market, registry, run_job, oracles, listed
):
    job_id, _ = run_job()
    registry.updateOffer(Offer(endpoint="http://127.0.0.1:9").as_tuple(), [], [], {"from": listed})
    oracle = oracles(0, reveal_timeout=0.5)[0]
    metric = oracle.metrics.registry.get_sample_value

    assert oracle.step() == []  # unreachable, within the timeout: wait
    assert (metric("gpumarket_oracle_fetch_failures_total"), metric(UNREACHABLE)) == (1, 1)
    assert metric("gpumarket_oracle_pending_challenges") == 1
    time.sleep(0.6)
    assert oracle.step() == []  # past `reveal_timeout` too (the old rule's FAIL): the job's wait
    mine_at(market.jobOf(job_id)[7] - 1)  # windowStart: submission + attestTimeout
    assert oracle.step() == []
    mine_at(market.jobOf(job_id)[7])
    [ballot] = oracle.step()  # at once, whatever the backoff
    assert not ballot.ok
    assert metric("gpumarket_oracle_fetch_failures_total") == 2  # the backoff spared 2 tries
    assert metric("gpumarket_oracle_verdicts_total", {"reason": "provider_unreachable"}) == 1
    assert metric("gpumarket_oracle_votes_sent_total", {"vote": "fail"}) == 1
    assert metric(UNREACHABLE) == 0


UNREACHABLE = "gpumarket_oracle_unreachable_providers"


def test_a_kill_between_recording_and_sending_a_vote_sends_it_once_after_restart(
    market, council, run_job, oracles, oracle_keys
):
    job_id, _ = run_job()
    oracle = oracles(0)[0]
    real_transact = oracle.client.transact

    def killed(fn, **kw):
        if fn.fn_name in ("vote", "voteBatch"):
            raise KeyboardInterrupt  # the process dies after the store write
        return real_transact(fn, **kw)

    oracle.client.transact = killed
    with pytest.raises(KeyboardInterrupt):
        oracle.step()
    assert oracle.store.vote(job_id, 1).status == SENDING
    assert not council.hasVoted(job_id, oracle_keys[0])

    restarted = oracles(0)[0]
    [ballot] = restarted.step()

    assert ballot.subject == job_id and council.hasVoted(job_id, oracle_keys[0])
    assert restarted.step() == []


def test_a_kill_after_sending_does_not_vote_twice(market, council, run_job, oracles):
    job_id, _ = run_job()
    oracle = oracles(0)[0]
    real_transact = oracle.client.transact

    def sent_then_killed(fn, **kw):
        receipt = real_transact(fn, **kw)
        if fn.fn_name in ("vote", "voteBatch"):
            raise KeyboardInterrupt  # mined, but the store never heard back
        return receipt

    oracle.client.transact = sent_then_killed
    with pytest.raises(KeyboardInterrupt):
        oracle.step()
    assert oracle.store.vote(job_id, 1).status == SENDING

    restarted = oracles(0)[0]
    assert restarted.step() == []
    assert restarted.store.vote(job_id, 1).status in (SENT, CONFIRMED)


def test_a_reorg_under_confirmations_is_reprocessed_with_the_new_commitment(
    market, council, benchmark, usdc, buyer, listed, post_job, oracles, oracle_keys, agent
):
    job_id = post_job(buyer, usdc, PRICE, SPEC, provider=listed)
    market.acceptJob(job_id, {"from": listed})
    challenge_id = market.challengeOfJob(job_id)
    params = params_of(benchmark, challenge_id)
    # Brownie's own snapshot helpers keep its transaction history in step with the chain; the
    # public chain.snapshot() would replace the per-test isolation snapshot.
    fork = chain._take_snapshot()

    def commit_and_submit(proof):
        agent.proofs[(challenge_id, proof.root)] = proof
        benchmark.commit(challenge_id, proof.root, {"from": listed})
        market.submitResult(
            job_id,
            hashlib.sha256(ARTIFACT).digest(),
            f"{agent.url}/jobs/{job_id}/result",
            {"from": listed},
        )
        chain.mine()

    agent.artifacts[job_id] = ARTIFACT
    commit_and_submit(half_rows_proof(params))
    oracle = oracles(0, confirmations=1)[0]
    [ballot] = oracle.step()
    assert not ballot.ok and council.tallyOf(job_id)[2] == 0b1

    # The fork: the same job and challenge ids, now with an honest commitment, and a longer chain.
    chain._revert(fork)
    commit_and_submit(honest_proof(params))
    chain.mine(3)
    [ballot] = oracle.step()

    assert ballot.ok
    tally = council.tallyOf(job_id)
    assert (tally[1], tally[2]) == (0b1, 0)  # the OK vote is on the new chain; the FAIL is gone
    assert council.hasVoted(job_id, oracle_keys[0])


def test_an_attestation_is_verified_and_its_throughput_recorded(
    benchmark, council, reputation, listed, oracles, agent
):
    tx = benchmark.open(0, listed, 64, 8, 2, {"from": listed})
    challenge_id = tx.return_value
    proof = honest_proof(params_of(benchmark, challenge_id))
    agent.proofs[(challenge_id, proof.root)] = proof
    benchmark.commit(challenge_id, proof.root, {"from": listed})
    chain.mine()

    for oracle in oracles(0, 1, 2):
        [ballot] = oracle.step()
        assert ballot.ok and ballot.subject == ATTESTATION_FLAG | challenge_id

    assert benchmark.challengeOf(challenge_id)[1] == PASSED
    assert council.tallyOf(ATTESTATION_FLAG | challenge_id)[5]  # applied


def test_an_attestation_whose_bond_was_released_unjudged_gets_no_vote(
    benchmark, council, reputation, listed, oracles, stranger
):
    # Opened and never committed while every oracle was down; a month after its commit window
    # anyone released its bond, and it is EXPIRED before an oracle first looks at it.
    challenge_id = benchmark.open(0, listed, 64, 8, 2, {"from": listed}).return_value
    deadline = benchmark.challengeOf(challenge_id)["commitDeadline"]
    mine_at(deadline + reputation.maxTopsAge() + 1)
    benchmark.releaseBond(challenge_id, {"from": stranger})
    chain.mine()
    [oracle] = oracles(0)

    assert oracle.step() == []

    assert benchmark.challengeOf(challenge_id)["state"] == EXPIRED
    assert not council.hasVoted(ATTESTATION_FLAG | challenge_id, oracle.me)
    assert challenge_id not in [cid for cid, _ in oracle.store.open_challenges()]


def test_a_non_member_does_not_vote(run_job, oracles, council, governance, oracle_keys):
    council.setConfig([k.address for k in oracle_keys[1:]], 3, {"from": governance})
    run_job()

    assert oracles(0)[0].step() == []


def mine_at(timestamp):
    set_next_block_timestamp(timestamp)
    chain.mine()
