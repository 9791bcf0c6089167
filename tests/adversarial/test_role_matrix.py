"""Every state-changing function of the six protocol contracts, called from every role column
(issue 6): the allowed columns succeed and emit the function's event, every other column gets the
exact revert its rule names. The functions come from the contracts' ABIs, so one added without a
row in matrix.py fails here as `<Contract>.<function>-no_row`. This is the one home of the
permission tests (issue 13): the unit directories have no permission tables of their own.

A case runs on the chain of the shared `world` fixture, reverted after it (the root conftest's
autouse isolation). An allowed column is one case: its call is sent and mined. A row's denied
columns are one case together: each is checked with eth_call, which reverts exactly as the
transaction would at a seventh of the cost and changes nothing, so one case checks them all
(1,428 cases of one call each took 186 s of a loaded run).
"""

import brownie
import pytest
from brownie import (
    BenchmarkRegistry,
    JobMarket,
    MarketToken,
    OracleCouncil,
    ProviderRegistry,
    Reputation,
)

from .matrix import (
    ACCESS_ERRORS,
    COLUMNS,
    CONTRACT_ROLE_HOLDERS,
    ROLE_HOLDERS,
    role_constants,
    role_id,
    rows_by_function,
)

CONTRACTS = {
    "MarketToken": MarketToken,
    "Reputation": Reputation,
    "ProviderRegistry": ProviderRegistry,
    "JobMarket": JobMarket,
    "BenchmarkRegistry": BenchmarkRegistry,
    "OracleCouncil": OracleCouncil,
}


def state_changing_functions(container) -> list[str]:
    """The names of a contract's nonpayable and payable functions, from its ABI."""
    return sorted(
        {
            entry["name"]
            for entry in container.abi
            if entry["type"] == "function" and entry["stateMutability"] in ("nonpayable", "payable")
        }
    )


def _cases():
    """One case per allowed column of each row (a transaction, mined and reverted after the
    test), and one per row for all its denied columns together (eth_calls, which change nothing,
    so one test checks them all and names every column that failed)."""
    rows = rows_by_function()
    for contract, container in CONTRACTS.items():
        for function in state_changing_functions(container):
            if (contract, function) not in rows:
                yield pytest.param(contract, function, None, "", id=f"{contract}.{function}-no_row")
                continue
            for row in rows[(contract, function)]:
                for column in COLUMNS:
                    if column in row.access.allowed:
                        yield pytest.param(contract, function, row, column, id=f"{row.id}-{column}")
                if any(column not in row.access.allowed for column in COLUMNS):
                    yield pytest.param(contract, function, row, DENIED, id=f"{row.id}-denied")


#: The case of a row that checks every column its rule denies.
DENIED = "denied"
CASES = list(_cases())


@pytest.mark.parametrize("contract, function, row, column", CASES)
def test_role_matrix(world, contract, function, row, column):
    if row is None:
        pytest.fail(f"function {contract}.{function} has no row in the matrix")
    if row.prepare is not None:
        row.prepare(world, row)

    if column != DENIED:
        caller = world.accounts[column]
        method, args = row.invoke(world, caller)
        tx = method(*args, {"from": caller})

        assert tx.status == 1, f"{row.id} ({row.access.rule}) failed for {column}"
        if row.event is not None:
            emitted = tx.events[row.event] if row.event in tx.events else []
            assert any(e.address == world.contracts[contract].address for e in emitted), (
                f"{row.id} by {column} did not emit {row.event}"
            )
        return

    denied = [column for column in COLUMNS if column not in row.access.allowed]
    wrong = []
    for denied_column in denied:
        caller = world.accounts[denied_column]
        method, args = row.invoke(world, caller)
        expected = row.access.denial(world, caller)
        if row.access.open:
            assert expected.split(":")[0] not in ACCESS_ERRORS, f"{row.id} is open to anyone"
        try:
            with brownie.reverts(expected):
                method.call(*args, {"from": caller})
        except AssertionError as error:
            wrong.append(f"{denied_column}: {error}")
    assert wrong == [], f"{row.id} ({row.access.rule}) let through or reverted otherwise: {wrong}"


def test_every_row_names_a_state_changing_function():
    functions = {
        (c, f) for c, container in CONTRACTS.items() for f in state_changing_functions(container)
    }

    stale = sorted(set(rows_by_function()) - functions)

    assert stale == [], f"rows for functions the ABIs do not have: {stale}"


@pytest.mark.parametrize("contract", CONTRACTS)
def test_every_named_role_has_a_column_holding_it(world, contract):
    deployed = world.contracts[contract]

    for name in role_constants(CONTRACTS[contract]):
        assert name in ROLE_HOLDERS, f"role {contract}.{name} has no column in the matrix"
        assert bytes(getattr(deployed, name)()) == role_id(name)
        assert deployed.hasRole(role_id(name), world.accounts[ROLE_HOLDERS[name]])


@pytest.mark.parametrize("contract", CONTRACTS)
def test_protocol_contracts_hold_the_roles_the_deployment_grants_them(world, contract):
    """The market locks collateral and slashes, the benchmark registry slashes and writes
    reputation, the market opens challenges: CONTRACT_ROLE_HOLDERS, and no other grant."""
    deployed = world.contracts[contract]
    held = {
        (name, holder)
        for name in role_constants(CONTRACTS[contract])
        for holder, other in world.contracts.items()
        if deployed.hasRole(role_id(name), other)
    }

    expected = {
        (name, holder)
        for (granter, name), holders in CONTRACT_ROLE_HOLDERS.items()
        if granter == contract
        for holder in holders
    }
    assert held == expected


def test_every_column_but_the_admin_holds_its_one_role_and_nothing_else(world):
    """So that a column's success comes from its role (or relation) alone, never another role."""
    columns = [column for column in COLUMNS if column != "admin"]
    held = {column: set() for column in columns}
    for name, deployed in world.contracts.items():
        for role in role_constants(CONTRACTS[name]):
            for column in columns:
                if deployed.hasRole(role_id(role), world.accounts[column]):
                    held[column].add(role)

    expected = {column: set() for column in columns}
    for role, column in ROLE_HOLDERS.items():
        if column in expected:
            expected[column].add(role)
    assert held == expected
