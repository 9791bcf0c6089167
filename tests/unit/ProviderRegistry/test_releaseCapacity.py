"""releaseCapacity: a market frees a job's GPUs when its work is done (JobMarket.submitResult),
while the job's collateral stays locked until releaseCollateral, which then frees no GPU twice."""

import brownie
import pytest

from .helpers import COLLATERAL, LOCK_ID, STAKE, err, event, plain


@pytest.fixture(scope="module")
def locked(register_provider, lock, provider):
    """`provider` with STAKE and lock LOCK_ID of COLLATERAL on 3 GPUs by `market_role`."""
    register_provider(provider)
    lock(provider, amount=COLLATERAL, gpus=3)
    return provider


def test_release_capacity_frees_the_gpus_and_keeps_the_collateral(registry, market_role, locked):
    registry.releaseCapacity(LOCK_ID, {"from": market_role})

    info = registry.providerInfo(locked)
    assert (info["stake"], info["locked"], info["activeJobs"], info["gpusInUse"]) == (
        STAKE,
        COLLATERAL,
        1,
        0,
    )
    assert plain(registry.lockOf(market_role, LOCK_ID)) == (locked.address, 0, COLLATERAL)


def test_release_capacity_emits_capacity_released(registry, market_role, locked):
    tx = registry.releaseCapacity(LOCK_ID, {"from": market_role})

    assert event(tx, "CapacityReleased") == {
        "market": market_role.address,
        "lockId": LOCK_ID,
        "provider": locked.address,
        "gpus": 3,
    }


def test_release_capacity_twice_frees_nothing_more(registry, lock, market_role, locked):
    lock(locked, lock_id=2, amount=COLLATERAL, gpus=2)
    registry.releaseCapacity(LOCK_ID, {"from": market_role})

    tx = registry.releaseCapacity(LOCK_ID, {"from": market_role})

    assert event(tx, "CapacityReleased")["gpus"] == 0
    assert registry.providerInfo(locked)["gpusInUse"] == 2  # the other lock's GPUs


def test_release_collateral_after_release_capacity_frees_no_gpu_twice(
    registry, lock, market_role, locked
):
    lock(locked, lock_id=2, amount=COLLATERAL, gpus=2)
    registry.releaseCapacity(LOCK_ID, {"from": market_role})

    tx = registry.releaseCollateral(LOCK_ID, {"from": market_role})

    assert event(tx, "CollateralReleased")["gpus"] == 0
    info = registry.providerInfo(locked)
    assert (info["locked"], info["activeJobs"], info["gpusInUse"]) == (COLLATERAL, 1, 2)


def test_freed_gpus_can_be_locked_for_another_job(registry, lock, market_role, locked):
    # The default offer has 8 GPUs: 3 locked by LOCK_ID, 5 by lock 2.
    lock(locked, lock_id=2, amount=COLLATERAL, gpus=5)
    registry.releaseCapacity(LOCK_ID, {"from": market_role})

    lock(locked, lock_id=3, amount=COLLATERAL, gpus=3)

    assert registry.providerInfo(locked)["gpusInUse"] == 8


def test_release_capacity_of_an_unknown_lock_reverts(registry, market_role, locked):
    with brownie.reverts(err("ProviderRegistryUnknownLock", market_role, 2)):
        registry.releaseCapacity(2, {"from": market_role})


def test_release_capacity_after_release_collateral_reverts(registry, market_role, locked):
    registry.releaseCollateral(LOCK_ID, {"from": market_role})

    with brownie.reverts(err("ProviderRegistryUnknownLock", market_role, LOCK_ID)):
        registry.releaseCapacity(LOCK_ID, {"from": market_role})


def test_release_capacity_of_another_markets_lock_reverts(registry, second_market, locked):
    with brownie.reverts(err("ProviderRegistryUnknownLock", second_market, LOCK_ID)):
        registry.releaseCapacity(LOCK_ID, {"from": second_market})


def test_release_capacity_without_the_market_role_reverts(registry, stranger, locked):
    role = registry.MARKET_ROLE()

    with brownie.reverts(err("AccessControlUnauthorizedAccount", stranger, role)):
        registry.releaseCapacity(LOCK_ID, {"from": stranger})
