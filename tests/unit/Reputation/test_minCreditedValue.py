"""setMinCreditedValue / minCreditedValue / isCredited: only a settled job worth at least its
token's minimum counts toward the score; every settled job is still recorded as completed."""

import brownie
import pytest

from gpumarket.chain.deploy import name32
from gpumarket.testing.reverts import custom_error
from gpumarket.testing.values import event

MAX_MIN = 2**128 - 1
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def _credit_min(reputation, token, value, governance):
    return reputation.setMinCreditedValue(token, value, {"from": governance})


def test_a_token_nobody_configured_credits_nothing(reputation, token_b):
    assert reputation.minCreditedValue(token_b) == 0
    assert reputation.isCredited(token_b, 0) is False
    assert reputation.isCredited(token_b, MAX_MIN) is False


def test_a_job_below_the_minimum_is_completed_but_not_credited(
    reputation, writer, governance, provider, token_b
):
    _credit_min(reputation, token_b, 100, governance)

    tx = reputation.recordSuccess(provider, token_b, 99, {"from": writer})

    record = reputation.providerRecord(provider)
    assert (record["completed"], record["credited"]) == (1, 0)
    assert reputation.volume(provider, token_b) == 99
    assert tx.events["JobCompleted"]["credited"] is False
    assert reputation.score(provider) == 5_000


def test_a_job_at_the_minimum_is_credited_and_raises_the_score(
    reputation, writer, governance, provider, token_b
):
    _credit_min(reputation, token_b, 100, governance)

    tx = reputation.recordSuccess(provider, token_b, 100, {"from": writer})

    record = reputation.providerRecord(provider)
    assert (record["completed"], record["credited"]) == (1, 1)
    assert event(tx, "JobCompleted") == {
        "provider": provider.address,
        "token": token_b,
        "volume": 100,
        "credited": True,
    }
    assert reputation.score(provider) == 6_666


def test_jobs_in_an_unconfigured_token_never_lift_a_failing_score(
    reputation, writer, provider, token_b
):
    for _ in range(3):
        reputation.recordFailure(provider, {"from": writer})
    for _ in range(40):
        reputation.recordSuccess(provider, token_b, 10**30, {"from": writer})

    assert reputation.providerRecord(provider)["completed"] == 40
    assert reputation.score(provider) == 909  # 1 × 10,000 / 11, as before the 40 jobs


@pytest.mark.parametrize("value", [0, 1, 10**18, MAX_MIN])
def test_set_min_credited_value_stores_it_and_emits_parameter_updated(
    reputation, governance, token_b, value
):
    tx = _credit_min(reputation, token_b, value, governance)

    assert reputation.minCreditedValue(token_b) == value
    assert event(tx, "ParameterUpdated") == {
        "name": name32("minCreditedValue"),
        "token": token_b,
        "value": value,
    }


def test_the_minimum_is_read_when_the_job_is_recorded(
    reputation, writer, governance, provider, token_b
):
    _credit_min(reputation, token_b, 100, governance)
    reputation.recordSuccess(provider, token_b, 100, {"from": writer})
    _credit_min(reputation, token_b, 101, governance)

    reputation.recordSuccess(provider, token_b, 100, {"from": writer})

    record = reputation.providerRecord(provider)
    assert (record["completed"], record["credited"]) == (2, 1)


def test_set_min_credited_value_above_128_bits_reverts(reputation, governance, token_b):
    name = name32("minCreditedValue")
    with brownie.reverts(
        custom_error("ReputationParameterOutOfBounds", name, MAX_MIN + 1, 0, MAX_MIN)
    ):
        _credit_min(reputation, token_b, MAX_MIN + 1, governance)


def test_set_min_credited_value_of_the_zero_address_reverts(reputation, governance):
    with brownie.reverts(custom_error("ReputationZeroAddress")):
        _credit_min(reputation, ZERO_ADDRESS, 1, governance)


def test_only_the_governor_sets_the_minimum(reputation, writer, stranger, token_b):
    role = reputation.GOVERNOR_ROLE()
    for caller in (writer, stranger):
        with brownie.reverts(
            custom_error("AccessControlUnauthorizedAccount", caller.address, role)
        ):
            _credit_min(reputation, token_b, 1, caller)


def test_the_deployer_admin_holds_the_governor_role(reputation, governance):
    assert reputation.hasRole(reputation.GOVERNOR_ROLE(), governance)
