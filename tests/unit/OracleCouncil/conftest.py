"""OracleCouncil unit-test fixtures: the root `oracles` (seven seated, three to rotate in), the
council as the verdict source of the market and the benchmark registry (the root `protocol` uses a
plain account there), an account holding only ORACLE_ADMIN_ROLE, and factories for a submitted
benchmark job and a hardware attestation that the council's verdicts land on."""

from __future__ import annotations

import pytest
from brownie import accounts

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import Offer
from gpumarket.testing.seeds import seed_ready

from .helpers import BENCHMARK_SPEC, GMKT, PRICE, PROVIDER_STAKE, QUORUM, RESULT_HASH, RESULT_URI

#: Private key of the account that holds only ORACLE_ADMIN_ROLE (the dev chain has 20 accounts).
ORACLE_ADMIN_KEY = "0x" + "0a" * 32


@pytest.fixture(scope="module")
def council(protocol):
    return protocol.council


@pytest.fixture(scope="module")
def benchmark(protocol):
    return protocol.benchmark


@pytest.fixture(scope="module", autouse=True)
def council_is_verifier(council, market, benchmark, governance):
    """Point the market's and the benchmark registry's verdict source at the council."""
    market.setAddress(name32("verifier"), council, {"from": governance})
    benchmark.setAddress(name32("verifier"), council, {"from": governance})


@pytest.fixture(scope="session")
def members(oracles):
    """The seven oracles the `seated` council has."""
    return oracles[:7]


@pytest.fixture(scope="session")
def newcomers(oracles):
    """Three oracles outside the `seated` council, to rotate in."""
    return oracles[7:]


@pytest.fixture(scope="module")
def seated(council, members, governance):
    """The council with `members` seated and a quorum of QUORUM: config version 1."""
    council.setConfig(members, QUORUM, {"from": governance})
    return council


@pytest.fixture(scope="module")
def oracle_admin(council, governance):
    """An account with ORACLE_ADMIN_ROLE only."""
    account = accounts.add(ORACLE_ADMIN_KEY)
    governance.transfer(account, "1 ether")
    council.grantRole(council.ORACLE_ADMIN_ROLE(), account, {"from": governance})
    return account


@pytest.fixture(scope="module")
def listed_provider(gmkt, registry, governance, provider):
    """`provider`, staked and registered with the default offer and a GMKT price only."""
    gmkt.transfer(provider, PROVIDER_STAKE, {"from": governance})
    gmkt.approve(registry, PROVIDER_STAKE, {"from": provider})
    registry.stake(PROVIDER_STAKE, {"from": provider})
    registry.register(Offer().as_tuple(), [gmkt], [GMKT], {"from": provider})
    return provider


@pytest.fixture(scope="module")
def submitted_bench_job(market, gmkt, post_job, buyer, listed_provider):
    """submitted_bench_job() -> id of a job that needs a benchmark proof, assigned directly to
    `provider` at PRICE, accepted (which opens its challenge) and submitted."""

    def _submitted():
        job_id = post_job(buyer, gmkt, PRICE, spec=BENCHMARK_SPEC, provider=listed_provider)
        market.acceptJob(job_id, {"from": listed_provider})
        market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": listed_provider})
        return job_id

    return _submitted


@pytest.fixture(scope="module")
def attestation(benchmark, listed_provider):
    """attestation(committed=True) -> id of a hardware attestation `provider` opened for itself
    at the test sizes, and committed to unless told otherwise."""

    def _open(committed=True):
        tx = benchmark.open(0, listed_provider, 64, 8, 2, {"from": listed_provider})
        if committed:
            seed_ready(benchmark, tx.return_value)
            benchmark.commit(tx.return_value, b"\x01" * 32, {"from": listed_provider})
        return tx.return_value

    return _open
