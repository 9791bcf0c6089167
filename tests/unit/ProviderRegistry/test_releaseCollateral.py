import brownie
import pytest

from .helpers import COLLATERAL, GMKT, LOCK_ID, STAKE, ZERO_ADDRESS, err, event, plain


@pytest.fixture(scope="module")
def locked(register_provider, lock, provider):
    """`provider` with STAKE and lock LOCK_ID of COLLATERAL on 3 GPUs by `market_role`."""
    register_provider(provider)
    lock(provider, amount=COLLATERAL, gpus=3)
    return provider


def test_release_collateral_frees_the_stake_and_gpus(registry, market_role, locked):
    registry.releaseCollateral(LOCK_ID, {"from": market_role})

    info = registry.providerInfo(locked)
    assert (info["stake"], info["locked"], info["activeJobs"], info["gpusInUse"]) == (
        STAKE,
        0,
        0,
        0,
    )


def test_release_collateral_returns_the_released_amount(registry, market_role, locked):
    tx = registry.releaseCollateral(LOCK_ID, {"from": market_role})

    assert tx.return_value == COLLATERAL


def test_release_collateral_deletes_the_lock(registry, market_role, locked):
    registry.releaseCollateral(LOCK_ID, {"from": market_role})

    assert plain(registry.lockOf(market_role, LOCK_ID)) == (ZERO_ADDRESS, 0, 0)


def test_release_collateral_emits_collateral_released(registry, market_role, locked):
    tx = registry.releaseCollateral(LOCK_ID, {"from": market_role})

    assert event(tx, "CollateralReleased") == {
        "market": market_role.address,
        "lockId": LOCK_ID,
        "provider": locked.address,
        "amount": COLLATERAL,
        "gpus": 3,
    }


def test_release_collateral_moves_no_tokens(registry, gmkt, market_role, locked):
    before = gmkt.balanceOf(registry)

    registry.releaseCollateral(LOCK_ID, {"from": market_role})

    assert gmkt.balanceOf(registry) == before


def test_release_collateral_after_a_slash_releases_the_remainder(
    registry, market_role, governance, beneficiary, locked
):
    registry.grantRole(registry.SLASHER_ROLE(), market_role, {"from": governance})
    registry.slash(locked, 40 * GMKT, beneficiary, LOCK_ID, {"from": market_role})

    tx = registry.releaseCollateral(LOCK_ID, {"from": market_role})

    assert tx.return_value == COLLATERAL - 40 * GMKT
    assert registry.providerInfo(locked)["locked"] == 0


def test_release_collateral_leaves_other_locks(registry, lock, market_role, locked):
    lock(locked, lock_id=2, amount=2 * COLLATERAL, gpus=2)

    registry.releaseCollateral(LOCK_ID, {"from": market_role})

    info = registry.providerInfo(locked)
    assert (info["locked"], info["activeJobs"], info["gpusInUse"]) == (2 * COLLATERAL, 1, 2)


def test_release_collateral_of_an_unknown_lock_reverts(registry, market_role, locked):
    with brownie.reverts(err("ProviderRegistryUnknownLock", market_role, 2)):
        registry.releaseCollateral(2, {"from": market_role})


def test_release_collateral_twice_reverts(registry, market_role, locked):
    registry.releaseCollateral(LOCK_ID, {"from": market_role})

    with brownie.reverts(err("ProviderRegistryUnknownLock", market_role, LOCK_ID)):
        registry.releaseCollateral(LOCK_ID, {"from": market_role})


def test_release_collateral_of_another_markets_lock_reverts(registry, second_market, locked):
    with brownie.reverts(err("ProviderRegistryUnknownLock", second_market, LOCK_ID)):
        registry.releaseCollateral(LOCK_ID, {"from": second_market})
