import brownie
import pytest

from .helpers import COLLATERAL, GMKT, JAIL_PERIOD, LOCK_ID, MIN_STAKE, STAKE, err, event, plain


@pytest.fixture(scope="module")
def listed(register_provider, provider):
    """`provider` with STAKE and 8 GPUs."""
    register_provider(provider)
    return provider


def test_lock_collateral_locks_the_amount(registry, lock, listed):
    lock(listed, amount=COLLATERAL, gpus=3)

    info = registry.providerInfo(listed)
    assert (info["stake"], info["locked"], info["activeJobs"], info["gpusInUse"]) == (
        STAKE,
        COLLATERAL,
        1,
        3,
    )


def test_lock_collateral_reduces_the_free_stake(registry, lock, listed):
    lock(listed)

    assert registry.freeStake(listed) == STAKE - COLLATERAL


def test_lock_collateral_records_the_lock_under_the_calling_market(
    registry, lock, market_role, listed
):
    lock(listed, amount=COLLATERAL, gpus=3)

    assert plain(registry.lockOf(market_role, LOCK_ID)) == (listed.address, 3, COLLATERAL)


def test_lock_collateral_emits_collateral_locked(registry, lock, market_role, listed):
    tx = lock(listed, amount=COLLATERAL, gpus=3)

    assert event(tx, "CollateralLocked") == {
        "market": market_role.address,
        "lockId": LOCK_ID,
        "provider": listed.address,
        "amount": COLLATERAL,
        "gpus": 3,
    }


def test_lock_collateral_moves_no_tokens(registry, gmkt, lock, listed):
    before = gmkt.balanceOf(registry)

    lock(listed)

    assert gmkt.balanceOf(registry) == before


def test_lock_collateral_adds_up_across_jobs(registry, lock, listed):
    lock(listed, lock_id=1, amount=COLLATERAL, gpus=3)

    lock(listed, lock_id=2, amount=2 * COLLATERAL, gpus=5)

    info = registry.providerInfo(listed)
    assert (info["locked"], info["activeJobs"], info["gpusInUse"]) == (3 * COLLATERAL, 2, 8)


def test_lock_collateral_of_all_free_stake_and_gpus_succeeds(registry, lock, listed):
    lock(listed, amount=STAKE, gpus=8)

    assert registry.freeStake(listed) == 0


def test_lock_collateral_with_an_existing_lock_id_reverts(registry, lock, market_role, listed):
    lock(listed)

    with brownie.reverts(err("ProviderRegistryLockExists", market_role, LOCK_ID)):
        lock(listed)


def test_lock_ids_of_different_markets_do_not_collide(registry, lock, second_market, listed):
    lock(listed)

    registry.lockCollateral(listed, LOCK_ID, COLLATERAL, 1, {"from": second_market})

    assert registry.providerInfo(listed)["locked"] == 2 * COLLATERAL


def test_lock_collateral_for_an_unregistered_provider_reverts(registry, lock, stake_for, provider2):
    stake_for(provider2)

    with brownie.reverts(err("ProviderRegistryNotRegistered", provider2)):
        lock(provider2)


def test_lock_collateral_for_a_provider_below_min_stake_reverts(registry, lock, listed):
    registry.requestUnstake(STAKE - MIN_STAKE + 1, {"from": listed})

    with brownie.reverts(
        err("ProviderRegistryInsufficientStake", listed, MIN_STAKE - 1, MIN_STAKE)
    ):
        lock(listed)


def test_lock_collateral_for_a_jailed_provider_reverts(
    registry, lock, slasher, beneficiary, listed
):
    tx = registry.slash(listed, GMKT, beneficiary, 0, {"from": slasher})

    with brownie.reverts(err("ProviderRegistryJailed", listed, tx.timestamp + JAIL_PERIOD)):
        lock(listed)


def test_lock_collateral_for_more_gpus_than_offered_reverts(registry, lock, listed):
    with brownie.reverts(err("ProviderRegistryInsufficientCapacity", listed, 9, 8)):
        lock(listed, gpus=9)


def test_lock_collateral_for_more_gpus_than_are_free_reverts(registry, lock, listed):
    lock(listed, lock_id=1, gpus=6)

    with brownie.reverts(err("ProviderRegistryInsufficientCapacity", listed, 3, 2)):
        lock(listed, lock_id=2, gpus=3)


def test_lock_collateral_above_the_free_stake_reverts(registry, lock, listed):
    lock(listed, lock_id=1, amount=STAKE - COLLATERAL)

    with brownie.reverts(
        err("ProviderRegistryInsufficientFreeStake", listed, COLLATERAL + 1, COLLATERAL)
    ):
        lock(listed, lock_id=2, amount=COLLATERAL + 1)
