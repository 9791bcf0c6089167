import brownie
import pytest
from brownie import chain

from .helpers import (
    COLLATERAL,
    GMKT,
    MAX_UNBONDING_ENTRIES,
    STAKE,
    UNBONDING_PERIOD,
    err,
    event,
    plain,
)

AMOUNT = 1_500 * GMKT


@pytest.fixture(scope="module")
def staked(stake_for, provider):
    stake_for(provider, STAKE)
    return provider


@pytest.fixture(scope="module")
def full_queue(registry, stake_for, provider3):
    """`provider3`, staked 20 GMKT, with MAX_UNBONDING_ENTRIES pending entries of 1 GMKT each."""
    stake_for(provider3, 20 * GMKT)
    for _ in range(MAX_UNBONDING_ENTRIES):
        registry.requestUnstake(GMKT, {"from": provider3})
    return provider3


def test_request_unstake_moves_the_amount_from_stake_to_unbonding(registry, staked):
    registry.requestUnstake(AMOUNT, {"from": staked})

    info = registry.providerInfo(staked)
    assert (info["stake"], info["unbonding"]) == (STAKE - AMOUNT, AMOUNT)


def test_request_unstake_moves_the_amount_between_the_totals(registry, staked):
    registry.requestUnstake(AMOUNT, {"from": staked})

    assert (registry.totalStaked(), registry.totalUnbonding()) == (STAKE - AMOUNT, AMOUNT)


def test_request_unstake_emits_the_release_time(registry, staked):
    tx = registry.requestUnstake(AMOUNT, {"from": staked})

    assert event(tx, "UnstakeRequested") == {
        "provider": staked.address,
        "amount": AMOUNT,
        "releaseAt": tx.timestamp + UNBONDING_PERIOD,
    }


def test_request_unstake_appends_an_unbonding_entry(registry, staked):
    registry.requestUnstake(GMKT, {"from": staked})

    tx = registry.requestUnstake(AMOUNT, {"from": staked})

    entries = plain(registry.unbondingEntries(staked))
    assert len(entries) == 2
    assert entries[1] == (AMOUNT, tx.timestamp + UNBONDING_PERIOD)


def test_request_unstake_keeps_the_tokens_in_the_registry(registry, gmkt, staked):
    provider_before = gmkt.balanceOf(staked)
    registry_before = gmkt.balanceOf(registry)

    registry.requestUnstake(AMOUNT, {"from": staked})

    assert gmkt.balanceOf(staked) == provider_before
    assert gmkt.balanceOf(registry) == registry_before


def test_request_unstake_of_the_whole_stake_succeeds(registry, staked):
    registry.requestUnstake(STAKE, {"from": staked})

    assert registry.providerInfo(staked)["stake"] == 0


def test_request_unstake_of_zero_reverts(registry, staked):
    with brownie.reverts(err("ProviderRegistryZeroAmount")):
        registry.requestUnstake(0, {"from": staked})


def test_request_unstake_above_the_stake_reverts(registry, staked):
    with brownie.reverts(err("ProviderRegistryInsufficientFreeStake", staked, STAKE + 1, STAKE)):
        registry.requestUnstake(STAKE + 1, {"from": staked})


def test_request_unstake_of_locked_collateral_reverts(registry, register_provider, lock, provider2):
    register_provider(provider2)
    lock(provider2)
    free = STAKE - COLLATERAL

    with brownie.reverts(err("ProviderRegistryInsufficientFreeStake", provider2, free + 1, free)):
        registry.requestUnstake(free + 1, {"from": provider2})


def test_request_unstake_beyond_max_pending_entries_reverts(registry, full_queue):
    with brownie.reverts(
        err("ProviderRegistryTooManyUnbondingEntries", full_queue, MAX_UNBONDING_ENTRIES)
    ):
        registry.requestUnstake(GMKT, {"from": full_queue})


def test_withdrawn_entries_make_room_for_new_requests(registry, full_queue):
    chain.sleep(UNBONDING_PERIOD + 5)
    registry.withdraw({"from": full_queue})

    registry.requestUnstake(GMKT, {"from": full_queue})

    assert len(registry.unbondingEntries(full_queue)) == 1


def test_entries_emptied_by_a_slash_do_not_block_new_requests(
    registry, gmkt, fund, slasher, beneficiary, full_queue
):
    # The slash takes the 4 GMKT of free stake, then all 16 entries, newest first.
    registry.slash(full_queue, 20 * GMKT, beneficiary, 0, {"from": slasher})
    chain.sleep(UNBONDING_PERIOD + 5)
    fund(full_queue, gmkt, GMKT)
    gmkt.approve(registry, GMKT, {"from": full_queue})
    registry.stake(GMKT, {"from": full_queue})

    registry.requestUnstake(GMKT, {"from": full_queue})

    assert registry.providerInfo(full_queue)["unbonding"] == GMKT
