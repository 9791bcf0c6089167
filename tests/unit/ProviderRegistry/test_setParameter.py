import brownie
import pytest
from brownie import ProviderRegistry

from gpumarket.chain.deploy import ADMIN_DELAY, name32

from .helpers import (
    ATTEST_TIMEOUT,
    DAY,
    DISPUTE_WINDOW,
    GMKT,
    MAX_MIN_STAKE,
    MAX_PERIOD,
    err,
    event,
    out_of_bounds,
)

#: The deployed market's windows plus one second: the shortest unbonding period allowed.
UNBONDING_FLOOR = DISPUTE_WINDOW + ATTEST_TIMEOUT + 1

ACCEPTED = [
    ("minStake", 1),
    ("minStake", MAX_MIN_STAKE),
    ("unbondingPeriod", UNBONDING_FLOOR),
    ("unbondingPeriod", MAX_PERIOD),
    ("jailPeriod", 0),
    ("jailPeriod", MAX_PERIOD),
]

OUT_OF_BOUNDS = [
    ("minStake", 0, 1, MAX_MIN_STAKE),
    ("minStake", MAX_MIN_STAKE + 1, 1, MAX_MIN_STAKE),
    ("unbondingPeriod", UNBONDING_FLOOR - 1, UNBONDING_FLOOR, MAX_PERIOD),
    ("unbondingPeriod", MAX_PERIOD + 1, UNBONDING_FLOOR, MAX_PERIOD),
    ("jailPeriod", MAX_PERIOD + 1, 0, MAX_PERIOD),
]


@pytest.mark.parametrize("name, value", ACCEPTED)
def test_set_parameter_within_bounds_sets_it(registry, param, name, value):
    param(registry, name, value)

    assert getattr(registry, name)() == value


def test_set_parameter_emits_parameter_updated(registry, param):
    tx = param(registry, "minStake", 2_000 * GMKT)

    assert event(tx, "ParameterUpdated") == {"name": name32("minStake"), "value": 2_000 * GMKT}


@pytest.mark.parametrize("name, value, low, high", OUT_OF_BOUNDS)
def test_set_parameter_out_of_bounds_reverts(registry, param, name, value, low, high):
    with brownie.reverts(out_of_bounds(name, value, low, high)):
        param(registry, name, value)


def test_set_unknown_parameter_reverts(registry, param):
    with brownie.reverts(err("ProviderRegistryUnknownParameter", name32("maxStake"))):
        param(registry, "maxStake", 1)


def test_unbonding_floor_follows_the_markets_dispute_window(registry, market, param):
    param(market, "disputeWindow", 3 * DAY)
    floor = 3 * DAY + ATTEST_TIMEOUT + 1

    with brownie.reverts(out_of_bounds("unbondingPeriod", floor - 1, floor, MAX_PERIOD)):
        param(registry, "unbondingPeriod", floor - 1)


def test_unbonding_floor_follows_the_markets_attest_timeout(registry, market, param):
    param(market, "attestTimeout", 2 * DAY)
    floor = DISPUTE_WINDOW + 2 * DAY + 1

    with brownie.reverts(out_of_bounds("unbondingPeriod", floor - 1, floor, MAX_PERIOD)):
        param(registry, "unbondingPeriod", floor - 1)


def test_unbonding_floor_is_never_below_one_day(registry, market, param):
    param(market, "disputeWindow", 3600)
    param(market, "attestTimeout", 600)

    with brownie.reverts(out_of_bounds("unbondingPeriod", DAY - 1, DAY, MAX_PERIOD)):
        param(registry, "unbondingPeriod", DAY - 1)


def test_unbonding_floor_without_a_market_is_one_day(gmkt, governance, param):
    unwired = ProviderRegistry.deploy(gmkt, ADMIN_DELAY, governance, {"from": governance})

    with brownie.reverts(out_of_bounds("unbondingPeriod", DAY - 1, DAY, MAX_PERIOD)):
        param(unwired, "unbondingPeriod", DAY - 1)


def test_new_unbonding_period_applies_to_later_requests(registry, stake_for, param, provider):
    stake_for(provider, GMKT)
    param(registry, "unbondingPeriod", 10 * DAY)

    tx = registry.requestUnstake(GMKT, {"from": provider})

    assert tx.events["UnstakeRequested"]["releaseAt"] == tx.timestamp + 10 * DAY


def test_new_jail_period_applies_to_later_slashes(
    registry, stake_for, slasher, beneficiary, param, provider
):
    stake_for(provider, GMKT)
    param(registry, "jailPeriod", DAY)

    tx = registry.slash(provider, GMKT, beneficiary, 0, {"from": slasher})

    assert registry.providerInfo(provider)["jailedUntil"] == tx.timestamp + DAY


def test_raised_min_stake_delists_providers_below_it(registry, register_provider, param, provider):
    register_provider(provider, stake=1_000 * GMKT)

    param(registry, "minStake", 1_000 * GMKT + 1)

    assert registry.isListed(provider) is False
