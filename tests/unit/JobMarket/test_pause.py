import brownie
from jobmarket_helpers import err


def test_pause_emits_paused(market, governance):
    tx = market.pause({"from": governance})

    assert tx.events["Paused"] == {"account": governance}
    assert market.paused()


def test_pause_twice_reverts(market, governance):
    market.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        market.pause({"from": governance})


def test_pause_by_a_non_pauser_reverts(market, arbiter):
    with brownie.reverts(err("AccessControlUnauthorizedAccount", arbiter, market.PAUSER_ROLE())):
        market.pause({"from": arbiter})


def test_pause_by_a_granted_pauser_is_allowed(market, governance, stranger):
    market.grantRole(market.PAUSER_ROLE(), stranger, {"from": governance})

    market.pause({"from": stranger})

    assert market.paused()
