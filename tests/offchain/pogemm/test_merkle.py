"""The SHA-256 Merkle tree: zero-leaf padding, proofs for every index, tampering rejected."""

from __future__ import annotations

import hashlib

import pytest

from gpumarket.pogemm import merkle
from gpumarket.pogemm import reference as ref


def _leaves(count: int) -> list[bytes]:
    return [hashlib.sha256(index.to_bytes(4, "big")).digest() for index in range(count)]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13, 320])
def test_root_matches_reference_padding(count: int) -> None:
    leaves = _leaves(count)

    tree = merkle.MerkleTree.from_leaves(leaves)

    assert tree.root == ref.merkle_root(leaves)
    assert tree.depth == merkle.tree_depth(count)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13])
def test_every_index_has_a_valid_proof(count: int) -> None:
    tree = merkle.MerkleTree.from_leaves(_leaves(count))

    for index in range(count):
        proof = tree.proof(index)
        assert len(proof) == tree.depth
        assert merkle.verify_proof(tree.root, tree.leaf(index), index, proof, count)


def test_padding_leaves_are_32_zero_bytes() -> None:
    leaves = _leaves(3)

    tree = merkle.MerkleTree.from_leaves(leaves)

    assert tree.proof(2)[0] == merkle.ZERO_LEAF == bytes(32)
    assert tree.root == ref.merkle_root([*leaves, bytes(32)])


def test_a_single_leaf_is_its_own_root() -> None:
    leaf = _leaves(1)[0]

    tree = merkle.MerkleTree.from_leaves([leaf])

    assert tree.root == leaf and tree.proof(0) == []


@pytest.fixture(scope="module")
def tree() -> merkle.MerkleTree:
    return merkle.MerkleTree.from_leaves(_leaves(13))


def test_tampered_leaf_is_rejected(tree: merkle.MerkleTree) -> None:
    forged = bytes([tree.leaf(6)[0] ^ 1]) + tree.leaf(6)[1:]

    assert not merkle.verify_proof(tree.root, forged, 6, tree.proof(6), 13)


def test_tampered_sibling_is_rejected(tree: merkle.MerkleTree) -> None:
    proof = tree.proof(6)
    proof[2] = bytes(32)

    assert not merkle.verify_proof(tree.root, tree.leaf(6), 6, proof, 13)


def test_proof_at_another_index_is_rejected(tree: merkle.MerkleTree) -> None:
    assert not merkle.verify_proof(tree.root, tree.leaf(6), 7, tree.proof(6), 13)


def test_short_proof_of_an_inner_node_is_rejected(tree: merkle.MerkleTree) -> None:
    # The parent of leaves 6 and 7 with the upper part of leaf 6's proof reaches the root, but
    # the depth is fixed by the leaf count, so it is not accepted as a leaf.
    inner = hashlib.sha256(tree.leaf(6) + tree.leaf(7)).digest()
    upper = tree.proof(6)[1:]

    assert merkle.root_from_proof(inner, 3, upper) == tree.root
    assert not merkle.verify_proof(tree.root, inner, 3, upper, 13)


@pytest.mark.parametrize(("index", "leaf_count"), [(13, 13), (-1, 13), (0, 0)])
def test_out_of_range_index_is_rejected(
    tree: merkle.MerkleTree, index: int, leaf_count: int
) -> None:
    assert not merkle.verify_proof(tree.root, tree.leaf(0), index, tree.proof(0), leaf_count)


def test_proof_for_missing_index_raises(tree: merkle.MerkleTree) -> None:
    with pytest.raises(IndexError):
        tree.proof(13)


def test_empty_tree_raises() -> None:
    with pytest.raises(ValueError):
        merkle.tree_depth(0)
