"""Gas of the on-chain fraud-proof pieces, bounded so that a regression shows."""

from __future__ import annotations

from typing import Any

from gpumarket.pogemm import spec
from gpumarket.pogemm.prover import Proof

# Measured at n=64 (320 leaves, depth 9) with the optimizer at 200 runs, plus headroom.
MAX_LEAF_GAS = 2_000
MAX_VERIFY_PROOF_GAS = 15_000
MAX_ROW_X0_GAS = 15_000


def test_leaf_gas(harness: Any, honest_proof: Proof) -> None:
    row = honest_proof.store.rows(1, [3])[0].tobytes()

    leaf, gas = harness.leafGas(1, 3, row)

    assert bytes(leaf) == spec.leaf(1, 3, honest_proof.store.rows(1, [3])[0])
    assert 0 < gas <= MAX_LEAF_GAS


def test_verify_proof_gas(harness: Any, params: spec.Params, honest_proof: Proof) -> None:
    index = 200
    tree = honest_proof.tree

    ok, gas = harness.verifyProofGas(
        tree.root, tree.leaf(index), index, tree.proof(index), params.leaf_count
    )

    assert ok and 0 < gas <= MAX_VERIFY_PROOF_GAS


def test_row_x0_gas(harness: Any, params: spec.Params) -> None:
    row, gas = harness.rowX0Gas(params.seed, params.n, 5)

    assert bytes(row) == spec.x0_rows(params.seed, params.n, [5])[0].tobytes()
    assert 0 < gas <= MAX_ROW_X0_GAS
