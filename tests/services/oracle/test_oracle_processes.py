"""The oracle as real processes against a local chain, with a scripted provider agent: a lying
member, members offline, no quorum at all, an RPC outage, and SIGKILLs at random points."""

from __future__ import annotations

import random
import time
from urllib.parse import urlparse

import pytest
from brownie import chain

from gpumarket.chain.launcher import free_port
from gpumarket.chain.types import JobState
from gpumarket.runtime.supervisor import oracle_service, wait_until

from ..processes import TcpProxy
from ..proofs import half_rows_proof
from ..scrape import scrape

ATTEST_TIMEOUT = 6 * 3600
DISPUTE_WINDOW = 24 * 3600


@pytest.fixture
def spawn(oracle_settings, tmp_path):
    """spawn(k, module=..., **overrides) -> a started oracle process for council key k."""
    started = []

    def _spawn(k, module="gpumarket.cli.main", **overrides):
        service = oracle_service(
            oracle_settings(k, **overrides), tmp_path / f"oracle{k}.log", module
        )
        started.append(service.start())
        return service

    yield _spawn
    for service in started:
        service.stop()


def state_of(market, job_id):
    return market.jobOf(job_id)[1]


def votes_cast(council, from_block):
    """Every VoteCast since `from_block`, as (subject, member) pairs."""
    events = council.events.get_sequence(from_block=from_block, event_type="VoteCast")
    return [(e.args.subject, e.args.member) for e in events]


def test_one_lying_oracle_and_one_offline_do_not_change_either_outcome(
    market, council, run_job, spawn
):
    start = chain.height
    honest_job, _ = run_job()
    cheat_job, _ = run_job(make_proof=half_rows_proof)
    spawn(0, module="tests.services.fakes.lying_oracle")
    for k in (1, 2, 3):  # member 4 stays offline
        spawn(k)

    wait_until(
        lambda: (
            state_of(market, honest_job) == JobState.VERIFIED
            and state_of(market, cheat_job) == JobState.FAILED
        ),
        60,
        "both verdicts",
    )

    tally = council.tallyOf(cheat_job)
    assert tally[2] & 0b1110 == tally[2] and bin(tally[2]).count("1") == 3  # honest FAILs
    votes = votes_cast(council, start)
    assert len(votes) == len(set(votes))


def test_with_two_oracles_offline_the_other_three_reach_quorum(market, council, run_job, spawn):
    job_id, _ = run_job()
    for k in (2, 3, 4):
        spawn(k)

    wait_until(lambda: state_of(market, job_id) == JobState.VERIFIED, 60, "the verdict")

    assert council.tallyOf(job_id)[1] == 0b11100


def test_without_a_quorum_the_job_settles_optimistically_after_attest_timeout(
    market, council, run_job, spawn, oracle_keys, usdc, listed
):
    job_id, _ = run_job()
    for k in (0, 1):  # two of five: the quorum of three is out of reach
        spawn(k)
    wait_until(
        lambda: all(council.hasVoted(job_id, oracle_keys[k]) for k in (0, 1)), 60, "two votes"
    )
    time.sleep(1.0)
    assert state_of(market, job_id) == JobState.SUBMITTED

    chain.sleep(ATTEST_TIMEOUT + DISPUTE_WINDOW + 60)
    market.finalize(job_id, {"from": listed})

    assert state_of(market, job_id) == JobState.SETTLED
    assert not council.isFinal(job_id)


def test_an_rpc_outage_is_waited_out_and_the_work_carries_on(
    market, council, run_job, spawn, rpc_url
):
    """Oracle 0's metrics are scraped as this goes: a vote, then RPC errors and blocks behind
    while the RPC is down, then the second vote."""
    url = urlparse(rpc_url)
    proxy = TcpProxy(url.hostname, url.port)
    metrics = f"http://127.0.0.1:{free_port()}/metrics"
    port = int(metrics.rsplit(":", 1)[1].split("/")[0])
    services = [spawn(0, rpc_url=proxy.url, metrics_port=port)]
    services += [spawn(k, rpc_url=proxy.url) for k in (1, 2)]
    first, _ = run_job()
    ok_votes = 'gpumarket_oracle_votes_sent_total{vote="ok"}'
    wait_until(lambda: state_of(market, first) == JobState.VERIFIED, 60, "the first verdict")
    # The vote is counted once its transaction is mined: a moment after the verdict.
    wait_until(lambda: scrape(metrics).get(ok_votes) == 1, 10, "oracle 0's vote counted")
    before = scrape(metrics)

    proxy.down()
    second, _ = run_job()  # the chain goes on; the oracles cannot see it
    time.sleep(4.0)
    assert state_of(market, second) == JobState.SUBMITTED
    assert all(s.alive for s in services)
    during = scrape(metrics)
    proxy.up()

    wait_until(lambda: state_of(market, second) == JobState.VERIFIED, 60, "the second verdict")
    wait_until(lambda: scrape(metrics).get(ok_votes) == 2, 10, "oracle 0's second vote counted")
    # Blocks mined during a step (votes) leave it a few behind at the step's end; once the chain
    # is quiet it catches up with the head.
    wait_until(
        lambda: scrape(metrics)["gpumarket_oracle_blocks_behind"] == 0, 10, "the oracle at the head"
    )
    after = scrape(metrics)
    assert all(s.alive for s in services)
    assert all("rpc unavailable" in s.log() for s in services)
    proxy.down()

    assert (before[ok_votes], during[ok_votes], after[ok_votes]) == (1, 1, 2)
    assert before["gpumarket_oracle_rpc_errors_total"] == 0
    assert during["gpumarket_oracle_rpc_errors_total"] > 0
    assert after['gpumarket_oracle_verdicts_total{reason="ok"}'] == 2
    assert after["gpumarket_oracle_last_step_timestamp_seconds"] > time.time() - 10


def test_killing_oracles_at_random_points_loses_no_verdict_and_doubles_no_vote(
    market, council, run_job, spawn
):
    """Three oracles that also kill themselves at the dangerous points (see
    fakes/crashing_oracle.py), SIGKILLed from outside at random times too, and restarted."""
    rng = random.Random(4)
    start = chain.height
    services = [spawn(k, module="tests.services.fakes.crashing_oracle") for k in (0, 1, 2)]
    for service in services:
        service.env["GPUMARKET_TEST_CRASH_P"] = "0.25"

    def restart_dead():
        for service in services:
            if not service.alive:
                service.start()

    jobs = []
    for _ in range(10):
        jobs += [run_job()[0] for _ in range(2)]
        time.sleep(rng.uniform(0.0, 1.5))
        rng.choice(services).kill()
        restart_dead()

    def settled():
        restart_dead()
        return all(state_of(market, j) == JobState.VERIFIED for j in jobs)

    wait_until(settled, 120, "every verdict after the kills")

    restarts = sum(s.starts for s in services) - len(services)
    self_kills = sum(s.log().count('"crashing"') for s in services)
    print(f"restarts: {restarts} ({self_kills} self-inflicted at crash points)")
    assert restarts >= 10 and self_kills >= 1
    votes = votes_cast(council, start)
    assert len(votes) == len(set(votes))  # no member voted twice on a subject
    assert {subject for subject, _ in votes} == set(jobs)
    assert all(council.tallyOf(j)[5] for j in jobs)  # every verdict applied
