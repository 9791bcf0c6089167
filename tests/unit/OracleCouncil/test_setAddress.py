"""The default admin points the council at another market or benchmark registry; later verdicts
go there."""

import brownie
import pytest
from brownie import BenchmarkRegistry, JobMarket

from gpumarket.chain.deploy import ADMIN_DELAY, name32
from gpumarket.chain.types import JobState

from .helpers import (
    ATTESTATION_FLAG,
    NO_JOB,
    QUORUM,
    ZERO_ADDRESS,
    ChallengeState,
    Verdict,
    err,
    event,
    revert_data,
    vote_all,
)


@pytest.mark.parametrize("name", ["market", "benchmarkRegistry"])
def test_set_address_updates_it_and_emits(council, governance, gmkt, name):
    tx = council.setAddress(name32(name), gmkt, {"from": governance})

    assert event(tx, "AddressUpdated") == {"name": name32(name), "value": gmkt.address}
    assert getattr(council, name)() == gmkt.address


@pytest.mark.parametrize("name", ["market", "benchmarkRegistry"])
def test_set_address_to_zero_reverts(council, governance, name):
    with brownie.reverts(err("OracleCouncilZeroAddress")):
        council.setAddress(name32(name), ZERO_ADDRESS, {"from": governance})


@pytest.mark.parametrize("name", ["verifier", "registry", "callbackGas"])
def test_set_unknown_address_reverts(council, governance, gmkt, name):
    with brownie.reverts(err("OracleCouncilUnknownParameter", name32(name))):
        council.setAddress(name32(name), gmkt, {"from": governance})


def test_set_address_by_a_governor_without_the_admin_role_reverts(council, governance, stranger):
    council.grantRole(council.GOVERNOR_ROLE(), stranger, {"from": governance})

    with brownie.reverts(
        err("AccessControlUnauthorizedAccount", stranger, council.DEFAULT_ADMIN_ROLE())
    ):
        council.setAddress(name32("market"), stranger, {"from": stranger})


def test_job_verdicts_go_to_the_new_market(
    seated, protocol, market, governance, treasury, members, submitted_bench_job
):
    job_id = submitted_bench_job()
    other = JobMarket.deploy(
        protocol.registry,
        protocol.reputation,
        treasury,
        ADMIN_DELAY,
        governance,
        {"from": governance},
    )
    other.setAddress(name32("verifier"), seated, {"from": governance})
    seated.setAddress(name32("market"), other, {"from": governance})

    tx = vote_all(seated, members[:QUORUM], job_id, Verdict.OK)

    # The new market has no jobs; the old one never hears of the verdict.
    assert event(tx, "CallbackFailed") == {
        "subject": job_id,
        "reason": revert_data("JobMarketUnknownJob(uint256)", job_id),
    }
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


def test_attestation_verdicts_go_to_the_new_registry(
    seated, protocol, benchmark, governance, treasury, members, attestation
):
    challenge = attestation()
    other = BenchmarkRegistry.deploy(
        protocol.registry,
        protocol.reputation,
        treasury,
        ADMIN_DELAY,
        governance,
        {"from": governance},
    )
    other.setAddress(name32("verifier"), seated, {"from": governance})
    seated.setAddress(name32("benchmarkRegistry"), other, {"from": governance})

    tx = vote_all(seated, members[:QUORUM], ATTESTATION_FLAG | challenge, Verdict.OK)

    assert event(tx, "CallbackFailed")["reason"] == revert_data(
        "BenchmarkRegistryUnknownChallenge(uint256)", challenge
    )
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.COMMITTED


@pytest.mark.parametrize(
    "name, subject", [("market", NO_JOB), ("benchmarkRegistry", ATTESTATION_FLAG | 5)]
)
def test_an_address_without_code_is_refused(seated, governance, stranger, name, subject):
    # A call to an address without code reverts outside the callback's try and would block every
    # final vote, so the council never points at one.
    with brownie.reverts(err("OracleCouncilNotContract", stranger)):
        seated.setAddress(name32(name), stranger, {"from": governance})
