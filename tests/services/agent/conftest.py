"""Fixtures for the provider agent against a local chain: a provider whose key the agent holds
(registered with the agent's URL as its endpoint), a factory for jobs assigned to it, and agent
factories (including crash-simulating subclasses) over a per-test state directory."""

from __future__ import annotations

import pytest
from brownie import accounts

from gpumarket.agent.service import Agent
from gpumarket.agent.settings import AgentSettings
from gpumarket.chain.launcher import free_port
from gpumarket.chain.types import HOUR, JobSpec, Offer

GMKT = 10**18
STAKE = 5_000 * GMKT
#: The agent's price, and the price of every job the tests post.
PRICE = GMKT
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
BENCHMARK_JOB = JobSpec(
    workload_uri="builtin:POGEMM",
    benchmark_required=True,
    benchmark_n=64,
    benchmark_t=8,
    benchmark_k=2,
)


class Killed(Exception):
    """Stands for SIGKILL: the agent stops right there, with whatever it had recorded."""


class RecordingAgent(Agent):
    """Records the name of every transaction it sends."""

    def __init__(self, *args, **kwargs) -> None:
        self.sent: list[str] = []
        super().__init__(*args, **kwargs)

    def _send(self, fn):
        receipt = super()._send(fn)
        self.sent.append(fn.fn_name)
        return receipt


def killed_after_sending(function_name: str) -> type[RecordingAgent]:
    """An agent killed right after `function_name` is mined, before it records that."""

    class KilledAfterSending(RecordingAgent):
        def _send(self, fn):
            receipt = super()._send(fn)
            if fn.fn_name == function_name:
                raise Killed(function_name)
            return receipt

    return KilledAfterSending


class KilledBeforeWorkload(RecordingAgent):
    """An agent killed after its benchmark commitment, before it runs the workload."""

    def _run_workload(self, record, job_spec):
        raise Killed("before the workload")


@pytest.fixture(scope="module")
def agent_port():
    return free_port()


@pytest.fixture(scope="module")
def agent_endpoint(agent_port):
    return f"http://127.0.0.1:{agent_port}"


@pytest.fixture(scope="module")
def register_provider(governance, gmkt, registry):
    """register_provider(account, endpoint): stake and list `account`, GMKT at PRICE."""

    def _register(account, endpoint):
        gmkt.transfer(account, STAKE, {"from": governance})
        gmkt.approve(registry, STAKE, {"from": account})
        registry.stake(STAKE, {"from": account})
        registry.register(Offer(endpoint=endpoint).as_tuple(), [gmkt], [PRICE], {"from": account})
        return account

    return _register


@pytest.fixture(scope="module")
def agent_account(register_provider, agent_endpoint):
    """The provider the agent signs for: a fresh key, funded, staked and registered."""
    account = accounts.add()
    accounts[0].transfer(account, 10**19, silent=True)
    return register_provider(account, agent_endpoint)


@pytest.fixture(scope="module")
def assign_job(market, gmkt, governance, buyer, agent_account):
    """assign_job(spec, provider=agent) -> id of a direct assignment accepted by `provider`."""

    def _assign(spec: JobSpec, provider=None) -> int:
        provider = provider or agent_account
        deposit = market.costOf(PRICE, spec.gpu_count, spec.duration)
        gmkt.transfer(buyer, deposit, {"from": governance})
        gmkt.approve(market, deposit, {"from": buyer})
        tx = market.postJob(spec.as_tuple(), gmkt, PRICE, HOUR, provider, {"from": buyer})
        job_id = tx.events["JobPosted"]["jobId"]
        market.acceptJob(job_id, {"from": provider})
        return job_id

    return _assign


@pytest.fixture
def make_agent(rpc_url, deployment_file, agent_account, agent_endpoint, tmp_path):
    """make_agent(cls=RecordingAgent, **settings) -> an agent over this test's state directory;
    a second call with the same directory is the same agent restarted."""
    made: list[Agent] = []

    def _make(cls=RecordingAgent, **overrides):
        values = {
            "rpc_url": rpc_url,
            "deployment": deployment_file,
            "private_key": agent_account.private_key,
            "state_dir": tmp_path / "agent",
            "public_endpoint": agent_endpoint,
            "pogemm_backend": "numpy",
            "poll_interval": 0.1,
            "rpc_attempts": 3,
            "rpc_backoff_cap": 0.5,
        }
        values.update(overrides)
        agent = cls(AgentSettings(**values))
        made.append(agent)
        return agent

    yield _make
    for agent in made:
        agent.store.close()
