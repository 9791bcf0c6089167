"""PoGemm.verifyProof accepts the prover's Merkle proofs and rejects tampered ones."""

from __future__ import annotations

from typing import Any

import brownie
import pytest

from gpumarket.pogemm import merkle, spec
from gpumarket.pogemm.prover import Proof


def _args(proof: Proof, params: spec.Params, index: int) -> list[Any]:
    return [
        proof.root,
        proof.tree.leaf(index),
        index,
        proof.tree.proof(index),
        params.leaf_count,
    ]


@pytest.mark.parametrize("index", [0, 1, 63, 64, 200, 319])
def test_valid_proofs_are_accepted(
    harness: Any, params: spec.Params, honest_proof: Proof, index: int
) -> None:
    assert harness.verifyProof(*_args(honest_proof, params, index)) is True


def test_revealed_row_at_checkpoint_zero_is_provable_against_the_generator(
    harness: Any, params: spec.Params, honest_proof: Proof
) -> None:
    # The fraud-proof path: generator row, leaf and proof, all computed on-chain.
    reveal = honest_proof.reveal(0, 9)
    row = harness.rowX0(params.seed, params.n, 9)

    leaf = harness.leaf(0, 9, row)

    assert bytes(row) == reveal.row
    assert harness.verifyProof(honest_proof.root, leaf, 9, reveal.proof, params.leaf_count)


def test_tampered_leaf_is_rejected(harness: Any, params: spec.Params, honest_proof: Proof) -> None:
    args = _args(honest_proof, params, 100)
    args[1] = bytes([args[1][0] ^ 1]) + args[1][1:]

    assert harness.verifyProof(*args) is False


def test_tampered_sibling_is_rejected(
    harness: Any, params: spec.Params, honest_proof: Proof
) -> None:
    args = _args(honest_proof, params, 100)
    args[3][4] = bytes(32)

    assert harness.verifyProof(*args) is False


def test_proof_moved_to_another_index_is_rejected(
    harness: Any, params: spec.Params, honest_proof: Proof
) -> None:
    args = _args(honest_proof, params, 100)
    args[2] = 101

    assert harness.verifyProof(*args) is False


def test_wrong_root_is_rejected(harness: Any, params: spec.Params, honest_proof: Proof) -> None:
    args = _args(honest_proof, params, 100)
    args[0] = bytes(32)

    assert harness.verifyProof(*args) is False


def test_proof_of_the_wrong_length_reverts(
    harness: Any, params: spec.Params, honest_proof: Proof
) -> None:
    args = _args(honest_proof, params, 100)
    args[3] = args[3][1:]

    with brownie.reverts(revert_pattern="PoGemmProofLengthMismatch.*"):
        harness.verifyProof(*args)


def test_index_beyond_the_leaves_reverts(
    harness: Any, params: spec.Params, honest_proof: Proof
) -> None:
    # Index 320 is a padding slot: real in the tree, but never a leaf anyone committed.
    args = _args(honest_proof, params, 319)
    args[2] = params.leaf_count

    with brownie.reverts(revert_pattern="PoGemmLeafIndexOutOfRange.*"):
        harness.verifyProof(*args)


def test_empty_tree_reverts(harness: Any) -> None:
    with brownie.reverts(revert_pattern="PoGemmEmptyTree.*"):
        harness.verifyProof(bytes(32), bytes(32), 0, [], 0)


@pytest.mark.parametrize("leaf_count", [1, 2, 3, 64, 320, 2**20 + 1])
def test_tree_depth_equals_python(harness: Any, leaf_count: int) -> None:
    assert harness.treeDepth(leaf_count) == merkle.tree_depth(leaf_count)
