"""Deployment: zero addresses are refused; the admin gets every role; the council starts with no
members at config version 0; deploy_protocol makes it the verdict source and seats `oracles`."""

import brownie
import pytest
from brownie import OracleCouncil
from eth_hash.auto import keccak

from gpumarket.chain.deploy import ADMIN_DELAY, deploy_protocol

from .helpers import (
    ATTESTATION_FLAG,
    CALLBACK_GAS,
    DEFAULT_ADMIN_ROLE,
    MAX_MEMBERS,
    ZERO_ADDRESS,
    err,
)


@pytest.mark.parametrize("zero", ["market", "benchmarkRegistry"])
def test_constructor_with_a_zero_address_reverts(protocol, governance, zero):
    args = {"market": protocol.market.address, "benchmarkRegistry": protocol.benchmark.address}
    args[zero] = ZERO_ADDRESS

    with brownie.reverts(err("OracleCouncilZeroAddress")):
        OracleCouncil.deploy(*args.values(), ADMIN_DELAY, governance, {"from": governance})


def test_constructor_grants_the_admin_every_role(protocol, governance, stranger):
    council = OracleCouncil.deploy(
        protocol.market, protocol.benchmark, 3_600, stranger, {"from": governance}
    )

    assert council.hasRole(DEFAULT_ADMIN_ROLE, stranger)
    assert council.hasRole(council.ORACLE_ADMIN_ROLE(), stranger)
    assert council.hasRole(council.GOVERNOR_ROLE(), stranger)
    assert (council.defaultAdmin(), council.defaultAdminDelay()) == (stranger.address, 3_600)
    assert not council.hasRole(DEFAULT_ADMIN_ROLE, governance)
    assert not council.hasRole(council.ORACLE_ADMIN_ROLE(), governance)


def test_deployed_council_points_at_the_market_and_registry(council, protocol):
    assert (council.market(), council.benchmarkRegistry()) == (
        protocol.market.address,
        protocol.benchmark.address,
    )


def test_deployed_council_has_no_members_and_the_defaults(council):
    assert (council.configVersion(), council.quorum(), council.members()) == (0, 0, [])
    assert council.callbackGas() == CALLBACK_GAS
    assert (council.MAX_MEMBERS(), council.ATTESTATION_FLAG()) == (MAX_MEMBERS, ATTESTATION_FLAG)


def test_deployed_council_roles_belong_to_governance(council, governance):
    assert council.hasRole(DEFAULT_ADMIN_ROLE, governance)
    assert council.hasRole(council.ORACLE_ADMIN_ROLE(), governance)
    assert council.hasRole(council.GOVERNOR_ROLE(), governance)
    assert council.defaultAdminDelay() == ADMIN_DELAY


def test_role_ids_are_the_hashes_of_their_names(council):
    assert bytes(council.ORACLE_ADMIN_ROLE()) == keccak(b"ORACLE_ADMIN_ROLE")
    assert bytes(council.GOVERNOR_ROLE()) == keccak(b"GOVERNOR_ROLE")


def test_deploy_protocol_makes_the_council_the_verdict_source(governance, treasury, oracles):
    p = deploy_protocol(governance, treasury.address, oracles=oracles[:5], silent=True)

    assert (p.market.verifier(), p.benchmark.verifier()) == (p.council.address, p.council.address)
    assert p.council.members() == [o.address for o in oracles[:5]]
    assert (p.council.configVersion(), p.council.quorum()) == (1, 3)
    assert p.addresses()["OracleCouncil"] == p.council.address


def test_deploy_protocol_takes_an_explicit_quorum(governance, treasury, oracles):
    p = deploy_protocol(governance, treasury.address, oracles=oracles[:5], quorum=5, silent=True)

    assert p.council.quorum() == 5
