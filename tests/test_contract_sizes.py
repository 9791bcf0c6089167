"""Every deployable contract of the protocol keeps at least 2 KiB of room under EIP-170.

The sizes are the runtime (deployed) bytecode of Brownie's build with the project's compiler
settings (`gpumarket.bench.sizes`). Test doubles (`contracts/test/`) and libraries of internal
functions only (which deploy as an empty stub) are not protocol code and are left out. The table
of every contract's size and headroom is printed on each run, and is the failure message when
one is too large.
"""

from __future__ import annotations

import json

import pytest

from gpumarket.bench.sizes import (
    DEFAULT_BUILD,
    EIP170_LIMIT,
    REQUIRED_HEADROOM,
    runtime_sizes,
    size_rows,
)

#: The contracts the protocol deploys, the libraries JobMarket links included.
EXPECTED = {
    "BenchmarkRegistry",
    "JobMarket",
    "MarketDisputes",
    "MarketGovernance",
    "MarketToken",
    "OracleCouncil",
    "ProviderRegistry",
    "Reputation",
}


def _table(sizes: dict[str, int]) -> str:
    rows = [f"{'contract':<20} {'bytes':>7} {'headroom':>9}"]
    rows += [f"{n:<20} {s:>7,} {h:>9,}" for n, s, h in size_rows(sizes)]
    return "\n".join(rows)


def test_every_contract_keeps_2_kib_of_headroom_under_eip170(capsys):
    sizes = runtime_sizes()
    if not sizes:
        pytest.fail(f"no compiled contracts in {DEFAULT_BUILD}: compile first (`make compile`)")
    table = _table(sizes)
    with capsys.disabled():
        print(f"\nRuntime sizes (EIP-170 limit {EIP170_LIMIT:,} bytes):\n{table}")

    tight = sorted(n for n, s in sizes.items() if EIP170_LIMIT - s < REQUIRED_HEADROOM)

    assert set(sizes) == EXPECTED, table
    assert tight == [], f"under {REQUIRED_HEADROOM:,} bytes of headroom: {tight}\n{table}"


def test_the_size_rule_reads_a_contract_over_the_line_as_tight(tmp_path):
    # The rule itself, on a build holding one contract 2,047 bytes under the limit.
    code = "00" * (EIP170_LIMIT - REQUIRED_HEADROOM + 1)
    (tmp_path / "Big.json").write_text(
        json.dumps(
            {
                "contractName": "Big",
                "sourcePath": "contracts/Big.sol",
                "type": "contract",
                "deployedBytecode": code,
            }
        )
    )
    (tmp_path / "Double.json").write_text(
        json.dumps(
            {
                "contractName": "Double",
                "sourcePath": "contracts/test/Double.sol",
                "type": "contract",
                "deployedBytecode": code,
            }
        )
    )

    rows = size_rows(runtime_sizes(tmp_path))

    assert rows == [("Big", EIP170_LIMIT - REQUIRED_HEADROOM + 1, REQUIRED_HEADROOM - 1)]
