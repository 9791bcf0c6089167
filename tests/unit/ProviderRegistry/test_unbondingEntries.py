from brownie import chain

from .helpers import DAY, GMKT, STAKE, UNBONDING_PERIOD, plain, set_next_block_timestamp


def test_unbonding_entries_of_an_unknown_account_are_empty(registry, stranger):
    assert plain(registry.unbondingEntries(stranger)) == ()


def test_unbonding_entries_are_listed_oldest_first(registry, stake_for, provider):
    stake_for(provider, STAKE)
    first = registry.requestUnstake(100 * GMKT, {"from": provider})
    set_next_block_timestamp(first.timestamp + DAY)

    second = registry.requestUnstake(200 * GMKT, {"from": provider})

    assert plain(registry.unbondingEntries(provider)) == (
        (100 * GMKT, first.timestamp + UNBONDING_PERIOD),
        (200 * GMKT, second.timestamp + UNBONDING_PERIOD),
    )


def test_unbonding_entries_leave_out_withdrawn_entries(registry, stake_for, provider):
    stake_for(provider, STAKE)
    registry.requestUnstake(100 * GMKT, {"from": provider})
    chain.sleep(UNBONDING_PERIOD + 5)
    later = registry.requestUnstake(200 * GMKT, {"from": provider})

    registry.withdraw({"from": provider})

    assert plain(registry.unbondingEntries(provider)) == (
        (200 * GMKT, later.timestamp + UNBONDING_PERIOD),
    )
