"""Oracle throughput on a local chain, with real processes: verdicts per minute for small
challenges (n = 64, T = 8, K = 2) with 1 and with 3 oracles, and the time from a provider's
commitment to the council's verdict. Runs inside a Brownie session (`scripts/bench_oracle.py`)."""

from __future__ import annotations

import functools
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gpumarket.agent.settings import AgentSettings
from gpumarket.chain.deploy import deploy_protocol
from gpumarket.chain.launcher import free_port
from gpumarket.chain.types import JobSpec, JobState, Offer
from gpumarket.oracle.settings import OracleSettings
from gpumarket.runtime.supervisor import Service, agent_service, oracle_service, wait_until

GMKT = 10**18
#: The small challenge of the issue: n = 64, T = 8 (K = 2).
SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
PRICE = GMKT


@dataclass(frozen=True)
class ThroughputResult:
    oracles: int
    quorum: int
    jobs: int
    seconds: float
    verdicts_per_minute: float
    commit_to_verdict_median: float
    commit_to_verdict_max: float


def _log_times(service: Service, message: str) -> list[tuple[float, dict[str, Any]]]:
    found = []
    for line in service.log().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("msg") == message:
            found.append((float(entry["t"]), entry))
    return found


def measure(
    oracles: int, jobs: int, latency_jobs: int = 5, workdir: Path | None = None
) -> ThroughputResult:
    """Deploy a council of `oracles` members (simple-majority quorum) and one agent; time `jobs`
    committed verdicts from a standing start, then `latency_jobs` one at a time."""
    from brownie import accounts, chain, web3

    work = workdir or Path(tempfile.mkdtemp(prefix="gpumarket-bench-"))
    admin = accounts[0]
    keys = [accounts.add() for _ in range(oracles)]
    provider = accounts.add()
    buyer = accounts[1]
    for account in [*keys, provider]:
        admin.transfer(account, 10**19, silent=True)
    start_block = chain.height + 1
    protocol = deploy_protocol(admin, admin.address, oracles=[k.address for k in keys], silent=True)
    deployment = work / "deployment.json"
    protocol.record("development", start_block, deployment)
    token, market, registry = protocol.token, protocol.market, protocol.registry
    stake = 100_000 * GMKT
    token.transfer(provider, stake, {"from": admin, "silent": True})
    token.approve(registry, stake, {"from": provider, "silent": True})
    registry.stake(stake, {"from": provider, "silent": True})
    port = free_port()
    offer = Offer(endpoint=f"http://127.0.0.1:{port}", gpu_count=1000)
    registry.register(offer.as_tuple(), [token], [PRICE], {"from": provider, "silent": True})
    rpc = web3.provider.endpoint_uri
    services: list[Service] = []
    try:
        agent = agent_service(
            AgentSettings(
                rpc_url=rpc,
                deployment=deployment,
                private_key=provider.private_key,
                state_dir=work / "agent",
                port=port,
                poll_interval=0.1,
                pogemm_backend="numpy",
            ),
            work / "agent.log",
        ).start()
        services.append(agent)

        def post() -> int:
            deposit = market.costOf(PRICE, SPEC.gpu_count, SPEC.duration)
            token.transfer(buyer, deposit, {"from": admin, "silent": True})
            token.approve(market, deposit, {"from": buyer, "silent": True})
            tx = market.postJob(
                SPEC.as_tuple(), token, PRICE, 3600, provider, {"from": buyer, "silent": True}
            )
            return int(tx.return_value)  # the agent accepts it (it holds the provider's key)

        batch = [post() for _ in range(jobs)]
        wait_until(
            lambda: all(market.jobOf(j)["state"] == JobState.SUBMITTED for j in batch),
            60 + 2 * jobs,
            "the agent's results",
        )
        for k, key in enumerate(keys):
            settings = OracleSettings(
                rpc_url=rpc,
                deployment=deployment,
                private_key=key.private_key,
                state_dir=work / f"oracle{k}",
                poll_interval=0.1,
                min_benchmark_fraction=0.0,
            )
            services.append(oracle_service(settings, work / f"oracle{k}.log").start())
        oracle_services = services[1:]
        wait_until(
            lambda: all(_log_times(s, "oracle started") for s in oracle_services), 60, "oracles"
        )
        started = max(_log_times(s, "oracle started")[0][0] for s in oracle_services)
        wait_until(
            lambda: all(market.jobOf(j)["state"] == JobState.VERIFIED for j in batch),
            60 + 2 * jobs,
            "every verdict",
        )
        elapsed = time.time() - started

        latencies = []
        for _ in range(latency_jobs):
            job_id = post()
            wait_until(functools.partial(_verified, market, job_id), 60, "a verdict")
            verified = time.time()
            challenge = market.challengeOfJob(job_id)
            committed = [
                t for t, e in _log_times(agent, "committed") if e.get("challenge") == challenge
            ]
            latencies.append(verified - committed[-1])
    finally:
        for service in services:
            service.stop()
    latencies.sort()
    return ThroughputResult(
        oracles=oracles,
        quorum=protocol.council.quorum(),
        jobs=jobs,
        seconds=round(elapsed, 2),
        verdicts_per_minute=round(jobs / elapsed * 60, 1),
        commit_to_verdict_median=round(latencies[len(latencies) // 2], 2),
        commit_to_verdict_max=round(latencies[-1], 2),
    )


def _verified(market: Any, job_id: int) -> bool:
    return bool(market.jobOf(job_id)["state"] == JobState.VERIFIED)


def as_rows(results: list[ThroughputResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
