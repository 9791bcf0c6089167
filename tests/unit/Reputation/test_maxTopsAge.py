"""maxTopsAge: verified TOPS count for that many seconds after their verdict (`verifiedAt +
maxTopsAge >= now`); older ones read as 0 in `verifiedTops` and `standing`, where the market's
VERIFIED_TOPS filter reads them, while `providerRecord` keeps them as history. Governance sets it
within 1 - 365 days (30 days at deployment); a change applies at once to TOPS already recorded."""

import brownie
import pytest
from brownie import chain

from gpumarket.chain.deploy import name32
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.values import event, plain, set_next_block_timestamp

DAY = 24 * 3600
MAX_TOPS_AGE = 30 * DAY
BOUNDS = (DAY, 365 * DAY)
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def verified(reputation, writer, provider):
    """The provider's 800 TOPS, verified now: the verdict's timestamp."""
    return reputation.recordVerifiedTops(provider, 800, {"from": writer}).timestamp


def test_max_tops_age_is_30_days_at_deployment(reputation):
    assert reputation.maxTopsAge() == MAX_TOPS_AGE


@pytest.mark.parametrize("value", [*BOUNDS, 7 * DAY])
def test_set_parameter_updates_max_tops_age_and_emits(reputation, governance, value):
    tx = reputation.setParameter(name32("maxTopsAge"), value, {"from": governance})

    assert event(tx, "ParameterUpdated") == {
        "name": name32("maxTopsAge"),
        "token": ZERO_ADDRESS,
        "value": value,
    }
    assert reputation.maxTopsAge() == value


@pytest.mark.parametrize("value", [0, BOUNDS[0] - 1, BOUNDS[1] + 1])
def test_set_max_tops_age_out_of_bounds_reverts(reputation, governance, value):
    with brownie.reverts(
        err("ReputationParameterOutOfBounds", name32("maxTopsAge"), value, *BOUNDS)
    ):
        reputation.setParameter(name32("maxTopsAge"), value, {"from": governance})


def test_set_an_unknown_parameter_reverts(reputation, governance):
    with brownie.reverts(err("ReputationUnknownParameter", name32("minCreditedValue"))):
        reputation.setParameter(name32("minCreditedValue"), 1, {"from": governance})


def test_set_parameter_by_anyone_but_governance_reverts(reputation, writer):
    with brownie.reverts(
        err("AccessControlUnauthorizedAccount", writer, reputation.GOVERNOR_ROLE())
    ):
        reputation.setParameter(name32("maxTopsAge"), DAY, {"from": writer})


def test_tops_count_on_the_last_second_of_their_age(reputation, provider, verified):
    set_next_block_timestamp(verified + MAX_TOPS_AGE)
    chain.mine()

    assert reputation.verifiedTops(provider) == 800
    assert plain(reputation.standing(provider)) == (5_000, 800)


def test_tops_stop_counting_a_second_later(reputation, provider, verified):
    set_next_block_timestamp(verified + MAX_TOPS_AGE + 1)
    chain.mine()

    assert reputation.verifiedTops(provider) == 0
    assert plain(reputation.standing(provider)) == (5_000, 0)
    record = reputation.providerRecord(provider)
    assert (record["lastVerifiedTops"], record["topsVerifiedAt"]) == (800, verified)


def test_a_shorter_age_expires_recorded_tops_at_once(reputation, governance, provider, verified):
    chain.sleep(2 * DAY)
    chain.mine()

    reputation.setParameter(name32("maxTopsAge"), DAY, {"from": governance})

    assert reputation.verifiedTops(provider) == 0


def test_a_new_verdict_makes_stale_tops_count_again(reputation, writer, provider, verified):
    chain.sleep(MAX_TOPS_AGE + 1)

    reputation.recordVerifiedTops(provider, 700, {"from": writer})

    assert reputation.verifiedTops(provider) == 700


def test_clear_verified_tops_clears_tops_verified_up_to_the_time(
    reputation, writer, provider, verified
):
    tx = reputation.clearVerifiedTops(provider, verified, {"from": writer})

    assert event(tx, "VerifiedTopsCleared") == {"provider": provider.address, "tops": 800}
    assert reputation.verifiedTops(provider) == 0
    record = reputation.providerRecord(provider)
    assert (record["lastVerifiedTops"], record["bestVerifiedTops"]) == (0, 800)


def test_clear_verified_tops_keeps_a_later_verdicts_tops(reputation, writer, provider, verified):
    tx = reputation.clearVerifiedTops(provider, verified - 1, {"from": writer})

    assert "VerifiedTopsCleared" not in tx.events
    assert reputation.verifiedTops(provider) == 800


def test_clear_verified_tops_of_a_provider_without_tops_does_nothing(reputation, writer, provider):
    tx = reputation.clearVerifiedTops(provider, 2**64 - 1, {"from": writer})

    assert "VerifiedTopsCleared" not in tx.events


def test_clear_verified_tops_by_anyone_but_a_writer_reverts(reputation, stranger, provider):
    with brownie.reverts(
        err("AccessControlUnauthorizedAccount", stranger, reputation.WRITER_ROLE())
    ):
        reputation.clearVerifiedTops(provider, 0, {"from": stranger})
