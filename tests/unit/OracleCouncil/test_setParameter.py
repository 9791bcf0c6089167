"""Governance sets callbackGas, the callback's stipend, within 100,000 to 10,000,000."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import CALLBACK_GAS_BOUNDS, err, event, out_of_bounds


def test_set_callback_gas_updates_it_and_emits(council, governance):
    tx = council.setParameter(name32("callbackGas"), 500_000, {"from": governance})

    assert event(tx, "ParameterUpdated") == {"name": name32("callbackGas"), "value": 500_000}
    assert council.callbackGas() == 500_000


@pytest.mark.parametrize("value", CALLBACK_GAS_BOUNDS, ids=["min", "max"])
def test_set_callback_gas_at_a_bound_is_accepted(council, governance, value):
    council.setParameter(name32("callbackGas"), value, {"from": governance})

    assert council.callbackGas() == value


@pytest.mark.parametrize("value", [0, 99_999, 10_000_001, 2**256 - 1])
def test_set_callback_gas_out_of_bounds_reverts(council, governance, value):
    with brownie.reverts(out_of_bounds(value)):
        council.setParameter(name32("callbackGas"), value, {"from": governance})

    assert council.callbackGas() == 1_000_000


@pytest.mark.parametrize("name", ["quorum", "callbackgas", "market"])
def test_set_unknown_parameter_reverts(council, governance, name):
    with brownie.reverts(err("OracleCouncilUnknownParameter", name32(name))):
        council.setParameter(name32(name), 500_000, {"from": governance})


def test_set_parameter_needs_the_governor_role_only(council, governance, stranger):
    council.grantRole(council.GOVERNOR_ROLE(), stranger, {"from": governance})

    council.setParameter(name32("callbackGas"), 600_000, {"from": stranger})

    assert council.callbackGas() == 600_000
