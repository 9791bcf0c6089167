import brownie
import pytest

from .helpers import DAY, GMKT, MINED, STAKE, err, event, plain, set_next_block_timestamp

FIRST = 1_000 * GMKT
SECOND = 300 * GMKT


@pytest.fixture(scope="module")
def unbonding(registry, stake_for, provider):
    """`provider` staked STAKE and requested FIRST, then SECOND a day later; returns the two
    release times."""
    stake_for(provider, STAKE)
    first = registry.requestUnstake(FIRST, {"from": provider}).events["UnstakeRequested"]
    set_next_block_timestamp(first["releaseAt"] - 6 * DAY)
    second = registry.requestUnstake(SECOND, {"from": provider}).events["UnstakeRequested"]
    return first["releaseAt"], second["releaseAt"]


def test_withdraw_one_second_before_release_reverts(registry, provider, unbonding):
    set_next_block_timestamp(unbonding[0] - 1)

    with brownie.reverts(err("ProviderRegistryNothingToWithdraw", provider)):
        registry.withdraw({"from": provider, **MINED})


def test_withdraw_at_the_release_time_pays_the_entry(registry, gmkt, provider, unbonding):
    before = gmkt.balanceOf(provider)
    set_next_block_timestamp(unbonding[0])

    tx = registry.withdraw({"from": provider})

    assert tx.return_value == FIRST
    assert gmkt.balanceOf(provider) == before + FIRST


def test_withdraw_takes_the_tokens_from_the_registry(registry, gmkt, provider, unbonding):
    before = gmkt.balanceOf(registry)
    set_next_block_timestamp(unbonding[0])

    registry.withdraw({"from": provider})

    assert gmkt.balanceOf(registry) == before - FIRST


def test_withdraw_emits_withdrawn(registry, provider, unbonding):
    set_next_block_timestamp(unbonding[0])

    tx = registry.withdraw({"from": provider})

    assert event(tx, "Withdrawn") == {"provider": provider.address, "amount": FIRST}


def test_withdraw_leaves_later_entries_pending(registry, provider, unbonding):
    set_next_block_timestamp(unbonding[0])

    registry.withdraw({"from": provider})

    assert plain(registry.unbondingEntries(provider)) == ((SECOND, unbonding[1]),)


def test_withdraw_reduces_unbonding_but_not_stake(registry, provider, unbonding):
    set_next_block_timestamp(unbonding[0])

    registry.withdraw({"from": provider})

    info = registry.providerInfo(provider)
    assert (info["stake"], info["unbonding"]) == (STAKE - FIRST - SECOND, SECOND)


def test_withdraw_reduces_total_unbonding(registry, provider, unbonding):
    set_next_block_timestamp(unbonding[0])

    registry.withdraw({"from": provider})

    assert registry.totalUnbonding() == SECOND


def test_withdraw_after_every_release_pays_all_entries_at_once(registry, provider, unbonding):
    set_next_block_timestamp(unbonding[1])

    tx = registry.withdraw({"from": provider})

    assert tx.return_value == FIRST + SECOND
    assert registry.unbondingEntries(provider) == []


def test_second_withdraw_without_a_new_release_reverts(registry, provider, unbonding):
    set_next_block_timestamp(unbonding[0])
    registry.withdraw({"from": provider})

    with brownie.reverts(err("ProviderRegistryNothingToWithdraw", provider)):
        registry.withdraw({"from": provider})


def test_withdraw_without_unbonding_entries_reverts(registry, stranger):
    with brownie.reverts(err("ProviderRegistryNothingToWithdraw", stranger)):
        registry.withdraw({"from": stranger})


def test_withdraw_pays_what_a_slash_left_of_the_entry(
    registry, slasher, beneficiary, provider, unbonding
):
    # Free stake (STAKE - FIRST - SECOND) goes first, then 100 GMKT of the newest entry.
    free = STAKE - FIRST - SECOND
    registry.slash(provider, free + 100 * GMKT, beneficiary, 0, {"from": slasher})
    set_next_block_timestamp(unbonding[1])

    tx = registry.withdraw({"from": provider})

    assert tx.return_value == FIRST + SECOND - 100 * GMKT
