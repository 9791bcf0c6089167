"""Pausing stops new stakes and offers; it never stops unstaking, withdrawals, collateral release or
slashing, so funds can always leave."""

import brownie
import pytest
from brownie import chain

from .helpers import COLLATERAL, GMKT, LOCK_ID, OFFER, PRICE, UNBONDING_PERIOD, err, event


@pytest.fixture(scope="module")
def ready(registry, gmkt, fund, register_provider, lock, provider, provider2):
    """`provider` listed with lock LOCK_ID and a released unbonding entry of 1 GMKT; `provider2`
    staked, not registered, with 1 GMKT more approved."""
    register_provider(provider)
    lock(provider)
    registry.requestUnstake(GMKT, {"from": provider})
    chain.sleep(UNBONDING_PERIOD + 5)
    fund(provider2, gmkt, 1_001 * GMKT)
    gmkt.approve(registry, 1_001 * GMKT, {"from": provider2})
    registry.stake(1_000 * GMKT, {"from": provider2})
    return provider


def _calls(registry, gmkt, provider, provider2, market_role, slasher, beneficiary):
    offer = OFFER.as_tuple()
    return {
        "stake": lambda: registry.stake(GMKT, {"from": provider2}),
        "register": lambda: registry.register(offer, [gmkt], [PRICE], {"from": provider2}),
        "updateOffer": lambda: registry.updateOffer(offer, [gmkt], [PRICE], {"from": provider}),
        "requestUnstake": lambda: registry.requestUnstake(GMKT, {"from": provider}),
        "withdraw": lambda: registry.withdraw({"from": provider}),
        "releaseCollateral": lambda: registry.releaseCollateral(LOCK_ID, {"from": market_role}),
        "slash": lambda: registry.slash(provider, GMKT, beneficiary, 0, {"from": slasher}),
    }


@pytest.fixture
def call(registry, gmkt, provider, provider2, market_role, slasher, beneficiary, ready):
    return _calls(registry, gmkt, provider, provider2, market_role, slasher, beneficiary)


def test_pause_sets_paused(registry, governance):
    registry.pause({"from": governance})

    assert registry.paused() is True


def test_pause_emits_paused(registry, governance):
    tx = registry.pause({"from": governance})

    assert event(tx, "Paused") == {"account": governance.address}


def test_pause_twice_reverts(registry, governance):
    registry.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        registry.pause({"from": governance})


@pytest.mark.parametrize("function", ["stake", "register", "updateOffer"])
def test_pause_stops(registry, governance, call, function):
    registry.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        call[function]()


@pytest.mark.parametrize(
    "function, event_name, amount",
    [
        ("requestUnstake", "UnstakeRequested", GMKT),
        ("withdraw", "Withdrawn", GMKT),
        ("releaseCollateral", "CollateralReleased", COLLATERAL),
        ("slash", "StakeSlashed", GMKT),
    ],
)
def test_pause_does_not_stop(registry, governance, call, function, event_name, amount):
    registry.pause({"from": governance})

    tx = call[function]()

    assert event(tx, event_name)["amount"] == amount


def test_collateral_released_while_paused_is_free_stake_again(
    registry, governance, market_role, ready
):
    registry.pause({"from": governance})
    free_before = registry.freeStake(ready)

    registry.releaseCollateral(LOCK_ID, {"from": market_role})

    assert registry.freeStake(ready) == free_before + COLLATERAL
