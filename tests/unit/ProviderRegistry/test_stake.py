import brownie
import pytest

from .helpers import STAKE, err, event


@pytest.fixture(scope="module")
def approved(registry, gmkt, fund, provider):
    """`provider` holds and has approved twice STAKE."""
    fund(provider, gmkt, 2 * STAKE)
    gmkt.approve(registry, 2 * STAKE, {"from": provider})
    return provider


def test_stake_moves_the_tokens_into_the_registry(registry, gmkt, approved):
    provider_before = gmkt.balanceOf(approved)
    registry_before = gmkt.balanceOf(registry)

    registry.stake(STAKE, {"from": approved})

    assert gmkt.balanceOf(approved) == provider_before - STAKE
    assert gmkt.balanceOf(registry) == registry_before + STAKE


def test_stake_bonds_the_amount(registry, approved):
    registry.stake(STAKE, {"from": approved})

    info = registry.providerInfo(approved)
    assert (info["stake"], info["locked"], info["unbonding"]) == (STAKE, 0, 0)


def test_stake_adds_to_total_staked(registry, approved):
    registry.stake(STAKE, {"from": approved})

    assert registry.totalStaked() == STAKE


def test_stake_emits_staked(registry, approved):
    tx = registry.stake(STAKE, {"from": approved})

    assert event(tx, "Staked") == {"provider": approved.address, "amount": STAKE}


def test_second_stake_adds_to_the_first(registry, approved):
    registry.stake(STAKE, {"from": approved})

    registry.stake(3, {"from": approved})

    assert registry.providerInfo(approved)["stake"] == STAKE + 3


def test_stake_does_not_register(registry, approved):
    registry.stake(STAKE, {"from": approved})

    assert registry.providerInfo(approved)["registered"] is False


def test_stake_of_zero_reverts(registry, approved):
    with brownie.reverts(err("ProviderRegistryZeroAmount")):
        registry.stake(0, {"from": approved})


def test_stake_above_the_allowance_reverts(registry, approved):
    with brownie.reverts(err("ERC20InsufficientAllowance", registry, 2 * STAKE, 2 * STAKE + 1)):
        registry.stake(2 * STAKE + 1, {"from": approved})
