"""The room a window has is the registry's unbonding period minus the other window minus one, and
none (a bound of 0) when the unbonding period is no longer than the other window, which a registry
not tied to this market (no `setMarketWindows`) allows: the bound then reads 0 instead of the
subtraction underflowing. (Kills the mutant `unbonding > otherWindow + 1` ->
`unbonding > otherWindow - 1` in `_windowRoom`; see MUTATION.md.)"""

import brownie
from brownie import JobMarket, ProviderRegistry
from jobmarket_helpers import DAY, DISPUTE_WINDOW, err

from gpumarket.chain.deploy import name32


def test_no_room_when_the_unbonding_period_equals_the_other_window(
    gmkt, reputation, governance, treasury
):
    registry = ProviderRegistry.deploy(gmkt, 0, governance, {"from": governance})
    registry.setParameter(name32("unbondingPeriod"), DAY, {"from": governance})
    market = JobMarket.deploy(registry, reputation, treasury, 0, governance, {"from": governance})
    assert market.disputeWindow() == DISPUTE_WINDOW == DAY

    with brownie.reverts(
        err("JobMarketParameterOutOfBounds", name32("attestTimeout"), 600, 600, 0)
    ):
        market.setParameter(name32("attestTimeout"), 600, {"from": governance})
