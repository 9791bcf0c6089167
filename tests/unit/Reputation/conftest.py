"""Reputation unit-test fixtures: a Reputation deployed on its own (these tests need no market) and
an account holding WRITER_ROLE, which writes records directly."""

from __future__ import annotations

import pytest
from brownie import Reputation
from eth_utils import to_checksum_address

from gpumarket.chain.deploy import ADMIN_DELAY

#: `minCreditedValue` of `token_a` in these tests: every job of 1 unit or more in it counts
#: toward the score; `token_b` keeps the default 0, so none of its jobs does.
TOKEN_A_MIN = 1


@pytest.fixture(scope="module")
def reputation(governance, token_a):
    """Overrides the root fixture: a bare Reputation, without deploying the rest of the protocol,
    crediting jobs of at least `TOKEN_A_MIN` in `token_a`."""
    reputation = Reputation.deploy(ADMIN_DELAY, governance, {"from": governance})
    reputation.setMinCreditedValue(token_a, TOKEN_A_MIN, {"from": governance})
    return reputation


@pytest.fixture(scope="module")
def writer(writer, reputation, governance):
    """The root `writer` with WRITER_ROLE, standing in for the market and the benchmark
    registry."""
    reputation.grantRole(reputation.WRITER_ROLE(), writer, {"from": governance})
    return writer


@pytest.fixture(scope="session")
def token_a():
    """A payment token's address; Reputation only keys volume by it, so no contract is needed."""
    return to_checksum_address("0x" + "a1" * 20)


@pytest.fixture(scope="session")
def token_b():
    return to_checksum_address("0x" + "b2" * 20)
