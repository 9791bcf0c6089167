import brownie
from brownie import JobMarket

from gpumarket.chain.deploy import ADMIN_DELAY

from .helpers import ATTEST_TIMEOUT, DAY, MAX_PERIOD, ZERO_ADDRESS, err, event, out_of_bounds


def test_deployed_registry_reads_its_windows_from_the_market(registry, market):
    assert registry.marketWindows() == market


def test_set_market_windows_sets_the_source(registry, governance, stranger):
    registry.setMarketWindows(stranger, {"from": governance})

    assert registry.marketWindows() == stranger


def test_set_market_windows_emits_market_windows_source_set(registry, governance, stranger):
    tx = registry.setMarketWindows(stranger, {"from": governance})

    assert event(tx, "MarketWindowsSourceSet") == {"source": stranger.address}


def test_set_market_windows_to_the_zero_address_reverts(registry, governance):
    with brownie.reverts(err("ProviderRegistryZeroAddress")):
        registry.setMarketWindows(ZERO_ADDRESS, {"from": governance})


def test_new_source_sets_the_unbonding_floor(registry, reputation, governance, treasury, param):
    second = JobMarket.deploy(
        registry, reputation, treasury, ADMIN_DELAY, governance, {"from": governance}
    )
    param(second, "disputeWindow", 2 * DAY)
    floor = 2 * DAY + ATTEST_TIMEOUT + 1

    registry.setMarketWindows(second, {"from": governance})

    with brownie.reverts(out_of_bounds("unbondingPeriod", floor - 1, floor, MAX_PERIOD)):
        param(registry, "unbondingPeriod", floor - 1)
