import brownie

from .helpers import GMKT, err, event


def test_unpause_clears_paused(registry, governance):
    registry.pause({"from": governance})

    registry.unpause({"from": governance})

    assert registry.paused() is False


def test_unpause_emits_unpaused(registry, governance):
    registry.pause({"from": governance})

    tx = registry.unpause({"from": governance})

    assert event(tx, "Unpaused") == {"account": governance.address}


def test_unpause_when_not_paused_reverts(registry, governance):
    with brownie.reverts(err("ExpectedPause")):
        registry.unpause({"from": governance})


def test_stake_works_again_after_unpause(registry, gmkt, fund, governance, provider):
    fund(provider, gmkt, GMKT)
    gmkt.approve(registry, GMKT, {"from": provider})
    registry.pause({"from": governance})
    registry.unpause({"from": governance})

    tx = registry.stake(GMKT, {"from": provider})

    assert event(tx, "Staked")["amount"] == GMKT
