"""Fixtures for the off-chain services against a local chain: a protocol whose verdicts come from
an OracleCouncil of five oracle keys (quorum 3), a deployment file, and settings builders."""

from __future__ import annotations

import pytest
from brownie import accounts, chain, web3

from gpumarket.chain.deploy import deploy_protocol
from gpumarket.oracle.settings import OracleSettings

#: Council size and quorum of the service tests.
ORACLES, QUORUM = 5, 3


@pytest.fixture(scope="module")
def oracle_keys():
    """Five local accounts with private keys (the services sign for themselves), funded with ETH."""
    keys = []
    for _ in range(ORACLES):
        account = accounts.add()
        accounts[0].transfer(account, 10**19, silent=True)
        keys.append(account)
    return keys


@pytest.fixture(scope="module")
def deploy_block():
    """The first block of the module's deployment."""
    return chain.height + 1


@pytest.fixture(scope="module")
def protocol(governance, treasury, arbiter, oracle_keys, deploy_block):
    """Deployed with the council as the market's and the benchmark registry's verdict source."""
    return deploy_protocol(
        governance,
        treasury.address,
        arbiter=arbiter.address,
        oracles=[k.address for k in oracle_keys],
        quorum=QUORUM,
        silent=True,
    )


@pytest.fixture(scope="module")
def council(protocol):
    return protocol.council


@pytest.fixture(scope="module")
def benchmark(protocol):
    return protocol.benchmark


@pytest.fixture(scope="module")
def deployment_file(protocol, deploy_block, tmp_path_factory):
    path = tmp_path_factory.mktemp("deployment") / "development.json"
    protocol.record("development", deploy_block, path)
    return path


@pytest.fixture(scope="session")
def rpc_url():
    return web3.provider.endpoint_uri


@pytest.fixture
def oracle_settings(rpc_url, deployment_file, oracle_keys, tmp_path):
    """oracle_settings(k, **overrides) -> OracleSettings of oracle k with its own state dir."""

    def _settings(k, **overrides):
        values = {
            "rpc_url": rpc_url,
            "deployment": deployment_file,
            "private_key": oracle_keys[k].private_key,
            "state_dir": tmp_path / f"oracle{k}",
            "poll_interval": 0.1,
            "reveal_timeout": 5.0,
            "http_timeout": 2.0,
            "rpc_attempts": 3,
            "rpc_backoff_cap": 0.5,
            "min_benchmark_fraction": 0.0,
        }
        values.update(overrides)
        return OracleSettings(**values)

    return _settings
