"""PoGemm.leaf equals the Python leaf: sha256(be32(c) ‖ be32(i) ‖ row)."""

from __future__ import annotations

from typing import Any

import pytest

from gpumarket.pogemm import spec
from gpumarket.pogemm.prover import Proof


def test_leaves_equal_golden_vectors(harness: Any, golden: dict[str, Any]) -> None:
    for case in golden["cases"]:
        for checkpoint in case["checkpoints"]:
            for i_text, row_hex in checkpoint["rows"].items():
                leaf = harness.leaf(checkpoint["c"], int(i_text), bytes.fromhex(row_hex))
                assert leaf.hex().removeprefix("0x") == checkpoint["leaves"][i_text]


@pytest.mark.parametrize(("c", "i"), [(0, 0), (1, 5), (3, 63), (4, 17)])
def test_leaves_equal_the_provers_tree(
    harness: Any, params: spec.Params, honest_proof: Proof, c: int, i: int
) -> None:
    row = honest_proof.store.rows(c, [i])[0]

    leaf = harness.leaf(c, i, row.tobytes())

    assert bytes(leaf) == honest_proof.tree.leaf(spec.leaf_index(c, i, params.n))


def test_leaf_of_a_large_checkpoint_index_equals_python(harness: Any) -> None:
    row = bytes(range(256))[:64]

    assert bytes(harness.leaf(2**32 - 1, 2**31, row)) == spec.leaf(
        2**32 - 1, 2**31, [int.from_bytes([v], signed=True) for v in row]
    )
