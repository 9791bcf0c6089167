import brownie
import pytest
from jobmarket_helpers import ATTEST_TIMEOUT, DAY, DISPUTE_WINDOW, UNBONDING_PERIOD, err

from gpumarket.chain.deploy import name32

#: (name, lower bound, upper bound) with the other parameters at their defaults; the windows'
#: upper bounds keep `disputeWindow + attestTimeout` below the registry's unbonding period.
BOUNDS = [
    ("protocolFeeBps", 0, 1_500),
    ("slashBuyerShareBps", 0, 10_000),
    ("disputeBondBps", 0, 5_000),
    ("fraudBountyBps", 1, 10_000),
    ("collateralPerGpuHour", 0, 10**24),
    ("disputeWindow", 3_600, UNBONDING_PERIOD - ATTEST_TIMEOUT - 1),
    ("attestTimeout", 600, UNBONDING_PERIOD - DISPUTE_WINDOW - 1),
    ("resultGrace", 60, 7 * DAY),
    ("arbitrationTimeout", DAY, 180 * DAY),
    ("minBiddingPeriod", 1, 30 * DAY),
    ("maxBiddingPeriod", 60, 365 * DAY),
    ("maxBidsPerJob", 1, 64),
    ("maxBuyerStrikes", 1, 100),
    ("bidForfeitBps", 1, 10_000),
]
NAMES = [name for name, _, _ in BOUNDS]
WITH_FLOOR = [bounds for bounds in BOUNDS if bounds[1] > 0]


def _hex(name):
    return "0x" + name32(name).hex()


@pytest.mark.parametrize("name, low, high", BOUNDS, ids=NAMES)
def test_set_parameter_to_either_bound_sets_it_and_emits_parameter_updated(
    market, governance, name, low, high
):
    low_tx = market.setParameter(name32(name), low, {"from": governance})
    high_tx = market.setParameter(name32(name), high, {"from": governance})

    assert low_tx.events["ParameterUpdated"] == {"name": _hex(name), "value": low}
    assert high_tx.events["ParameterUpdated"] == {"name": _hex(name), "value": high}
    assert getattr(market, name)() == high


@pytest.mark.parametrize("name, low, high", BOUNDS, ids=NAMES)
def test_set_parameter_above_its_upper_bound_reverts(market, governance, name, low, high):
    with brownie.reverts(err("JobMarketParameterOutOfBounds", name32(name), high + 1, low, high)):
        market.setParameter(name32(name), high + 1, {"from": governance})


@pytest.mark.parametrize("name, low, high", WITH_FLOOR, ids=[b[0] for b in WITH_FLOOR])
def test_set_parameter_below_its_lower_bound_reverts(market, governance, name, low, high):
    with brownie.reverts(err("JobMarketParameterOutOfBounds", name32(name), low - 1, low, high)):
        market.setParameter(name32(name), low - 1, {"from": governance})


@pytest.mark.parametrize("name", ["nope", "minStake", ""])
def test_set_parameter_with_an_unknown_name_reverts(market, governance, name):
    with brownie.reverts(err("JobMarketUnknownParameter", name32(name))):
        market.setParameter(name32(name), 1, {"from": governance})


def test_set_parameter_dispute_window_room_grows_with_the_unbonding_period(
    market, registry, governance
):
    registry.setParameter(name32("unbondingPeriod"), 10 * DAY, {"from": governance})

    market.setParameter(
        name32("disputeWindow"), 10 * DAY - ATTEST_TIMEOUT - 1, {"from": governance}
    )

    assert market.disputeWindow() == 10 * DAY - ATTEST_TIMEOUT - 1


def test_set_parameter_dispute_window_room_shrinks_as_attest_timeout_grows(market, governance):
    market.setParameter(name32("attestTimeout"), 2 * DAY, {"from": governance})
    high = UNBONDING_PERIOD - 2 * DAY - 1

    with brownie.reverts(
        err("JobMarketParameterOutOfBounds", name32("disputeWindow"), high + 1, 3_600, high)
    ):
        market.setParameter(name32("disputeWindow"), high + 1, {"from": governance})


def test_set_parameter_attest_timeout_cannot_grow_past_a_short_unbonding_period(
    market, registry, governance
):
    # The registry lets unbonding shrink only to disputeWindow + attestTimeout + 1.
    registry.setParameter(
        name32("unbondingPeriod"), DISPUTE_WINDOW + ATTEST_TIMEOUT + 1, {"from": governance}
    )

    with brownie.reverts(
        err(
            "JobMarketParameterOutOfBounds",
            name32("attestTimeout"),
            ATTEST_TIMEOUT + 1,
            600,
            ATTEST_TIMEOUT,
        )
    ):
        market.setParameter(name32("attestTimeout"), ATTEST_TIMEOUT + 1, {"from": governance})


def test_set_parameter_min_bidding_period_is_bounded_by_the_max(market, governance):
    market.setParameter(name32("maxBiddingPeriod"), DAY, {"from": governance})

    with brownie.reverts(
        err("JobMarketParameterOutOfBounds", name32("minBiddingPeriod"), DAY + 1, 1, DAY)
    ):
        market.setParameter(name32("minBiddingPeriod"), DAY + 1, {"from": governance})


def test_set_parameter_max_bidding_period_is_bounded_by_the_min(market, governance):
    market.setParameter(name32("minBiddingPeriod"), DAY, {"from": governance})

    with brownie.reverts(
        err("JobMarketParameterOutOfBounds", name32("maxBiddingPeriod"), DAY - 1, DAY, 365 * DAY)
    ):
        market.setParameter(name32("maxBiddingPeriod"), DAY - 1, {"from": governance})


def test_set_parameter_by_a_non_governor_reverts(market, stranger):
    with brownie.reverts(err("AccessControlUnauthorizedAccount", stranger, market.GOVERNOR_ROLE())):
        market.setParameter(name32("protocolFeeBps"), 100, {"from": stranger})
