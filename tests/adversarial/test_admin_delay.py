"""The DEFAULT_ADMIN of every AccessControlDefaultAdminRules contract changes hands only by the
two-step, delayed transfer (deploy.ADMIN_DELAY, 2 days): a non-admin cannot start one, the nominee
cannot accept before the delay has passed, and no other path (grant, revoke, renounce, a shorter
delay) skips it. OpenZeppelin counts the delay as passed only once block.timestamp is past the
schedule, so acceptance fails at the schedule itself and succeeds one second later."""

import brownie
import pytest

from gpumarket.chain.deploy import ADMIN_DELAY
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.values import event, plain, set_next_block_timestamp

DEFAULT_ADMIN_ROLE = b"\0" * 32
TWO_DAYS = 2 * 24 * 3600
#: Send a transaction even though it reverts, so that it is mined at the timestamp set for it.
MINED = {"gas_limit": 500_000, "allow_revert": True}
ADMIN_CONTRACTS = ("reputation", "registry", "market", "benchmark", "council")


@pytest.fixture(params=ADMIN_CONTRACTS)
def contract(request, protocol):
    return getattr(protocol, request.param)


def _begin_at(contract, new_admin, admin, timestamp):
    set_next_block_timestamp(timestamp)
    return contract.beginDefaultAdminTransfer(new_admin, {"from": admin})


def test_deployed_admin_delay_is_two_days(contract, governance):
    assert ADMIN_DELAY == TWO_DAYS
    assert contract.defaultAdminDelay() == TWO_DAYS
    assert contract.defaultAdmin() == governance


def test_a_non_admin_cannot_begin_a_transfer(contract, stranger, arbiter):
    for caller in (stranger, arbiter):
        with brownie.reverts(err("AccessControlUnauthorizedAccount", caller, DEFAULT_ADMIN_ROLE)):
            contract.beginDefaultAdminTransfer(caller, {"from": caller})


def test_transfer_takes_effect_only_after_the_delay(contract, governance, stranger, chain):
    start = chain.time() + 100
    tx = _begin_at(contract, stranger, governance, start)
    schedule = start + TWO_DAYS
    assert event(tx, "DefaultAdminTransferScheduled") == {
        "newAdmin": stranger.address,
        "acceptSchedule": schedule,
    }
    assert plain(contract.pendingDefaultAdmin()) == (stranger.address, schedule)

    for early in (schedule - 1, schedule):
        set_next_block_timestamp(early)
        with brownie.reverts(err("AccessControlEnforcedDefaultAdminDelay", schedule)):
            contract.acceptDefaultAdminTransfer({"from": stranger, **MINED})
        assert contract.defaultAdmin() == governance

    set_next_block_timestamp(schedule + 1)
    contract.acceptDefaultAdminTransfer({"from": stranger})

    assert contract.defaultAdmin() == stranger
    assert contract.hasRole(DEFAULT_ADMIN_ROLE, stranger)
    assert not contract.hasRole(DEFAULT_ADMIN_ROLE, governance)
    assert plain(contract.pendingDefaultAdmin()) == ("0x" + "0" * 40, 0)
    with brownie.reverts(err("AccessControlUnauthorizedAccount", governance, DEFAULT_ADMIN_ROLE)):
        contract.beginDefaultAdminTransfer(governance, {"from": governance})


def test_only_the_nominee_accepts(contract, governance, stranger, arbiter, chain):
    start = chain.time() + 100
    _begin_at(contract, stranger, governance, start)
    set_next_block_timestamp(start + TWO_DAYS + 1)

    for caller in (governance, arbiter):
        with brownie.reverts(err("AccessControlInvalidDefaultAdmin", caller)):
            contract.acceptDefaultAdminTransfer({"from": caller, **MINED})

    assert contract.defaultAdmin() == governance


def test_admin_role_cannot_be_granted_revoked_or_renounced_directly(contract, governance, stranger):
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminRules")):
        contract.grantRole(DEFAULT_ADMIN_ROLE, stranger, {"from": governance})
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminRules")):
        contract.revokeRole(DEFAULT_ADMIN_ROLE, governance, {"from": governance})
    # Renouncing is the transfer to zero: it too needs a schedule that has passed.
    with brownie.reverts(err("AccessControlEnforcedDefaultAdminDelay", 0)):
        contract.renounceRole(DEFAULT_ADMIN_ROLE, governance, {"from": governance})

    assert contract.defaultAdmin() == governance


def test_lowering_the_delay_waits_out_the_old_one(contract, governance, stranger, chain):
    """A shorter delay takes effect only after the difference, so it cannot speed a transfer."""
    start = chain.time() + 100
    set_next_block_timestamp(start)
    contract.changeDefaultAdminDelay(0, {"from": governance})

    assert plain(contract.pendingDefaultAdminDelay()) == (0, start + TWO_DAYS)

    tx = _begin_at(contract, stranger, governance, start + 1)
    assert event(tx, "DefaultAdminTransferScheduled")["acceptSchedule"] == start + 1 + TWO_DAYS
