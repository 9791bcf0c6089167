"""A market is a contract (JobMarket, BenchmarkRegistry), called by whoever drives the job: the
registry namespaces locks by, and reports, the market that calls it, not the transaction's origin.
Here the market is a token contract with MARKET_ROLE whose transfer hook makes one call per
transfer. (Kills the mutant `CollateralReleased(msg.sender, ...)` ->
`CollateralReleased(tx.origin, ...)` in `releaseCollateral`; see MUTATION.md.)"""

from .helpers import COLLATERAL, LOCK_ID, event


def relay(hook, driver, call, *args):
    """`hook` makes `call(*args)` once, in a transfer sent by `driver`; asserts it worked."""
    hook.arm(call._address, call.encode_input(*args), {"from": driver})
    tx = hook.transfer(driver, 0, {"from": driver})
    assert event(tx, "ReentryAttempted")["success"] is True
    return tx


def test_a_contract_market_locks_and_releases_in_its_own_name(
    registry, governance, register_provider, reentrant_token, provider, buyer
):
    hook = reentrant_token
    registry.grantRole(registry.MARKET_ROLE(), hook, {"from": governance})
    register_provider(provider)

    locked = relay(hook, buyer, registry.lockCollateral, provider, LOCK_ID, COLLATERAL, 2)
    released = relay(hook, buyer, registry.releaseCollateral, LOCK_ID)

    expected = {
        "market": hook.address,
        "lockId": LOCK_ID,
        "provider": provider.address,
        "amount": COLLATERAL,
        "gpus": 2,
    }
    assert event(locked, "CollateralLocked") == expected
    assert event(released, "CollateralReleased") == expected
    assert registry.providerInfo(provider)["locked"] == 0
