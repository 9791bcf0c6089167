"""ProviderRegistry unit-test fixtures: accounts that hold the market and slasher roles directly (so
tests lock, release and slash without driving a job), and lean factories that stake and register
providers with a GMKT price only (no mock payment tokens are deployed)."""

from __future__ import annotations

import pytest

from .helpers import COLLATERAL, LOCK_ID, OFFER, PRICE, STAKE


@pytest.fixture(scope="module")
def market_role(market_role, registry, governance):
    """The root `market_role` with MARKET_ROLE: it locks and releases collateral as a market
    would."""
    registry.grantRole(registry.MARKET_ROLE(), market_role, {"from": governance})
    return market_role


@pytest.fixture(scope="module")
def second_market(second_market, registry, governance):
    """The root `second_market` with MARKET_ROLE, whose lock ids live in their own namespace."""
    registry.grantRole(registry.MARKET_ROLE(), second_market, {"from": governance})
    return second_market


@pytest.fixture(scope="module")
def slasher(slasher, registry, governance):
    """The root `slasher` with SLASHER_ROLE only: it has no locks of its own."""
    registry.grantRole(registry.SLASHER_ROLE(), slasher, {"from": governance})
    return slasher


@pytest.fixture(scope="module")
def stake_for(registry, gmkt, fund):
    """stake_for(account, amount=STAKE): fund, approve and stake; returns the transaction."""

    def _stake(account, amount=STAKE):
        fund(account, gmkt, amount)
        gmkt.approve(registry, amount, {"from": account})
        return registry.stake(amount, {"from": account})

    return _stake


@pytest.fixture(scope="module")
def register_provider(registry, gmkt, stake_for):
    """register_provider(account, stake=STAKE, offer=OFFER, prices=None): stake and register.

    By default the provider accepts GMKT only, at PRICE per GPU-hour. Returns the register tx.
    """

    def _register(account, stake=STAKE, offer=OFFER, prices=None):
        if stake:
            stake_for(account, stake)
        prices = {gmkt.address: PRICE} if prices is None else prices
        return registry.register(
            offer.as_tuple(), list(prices), list(prices.values()), {"from": account}
        )

    return _register


@pytest.fixture(scope="module")
def lock(registry, market_role):
    """lock(provider, lock_id=LOCK_ID, amount=COLLATERAL, gpus=1): lock as `market_role`."""

    def _lock(provider, lock_id=LOCK_ID, amount=COLLATERAL, gpus=1):
        return registry.lockCollateral(provider, lock_id, amount, gpus, {"from": market_role})

    return _lock
