"""SHA-256 Merkle tree over PoGEMM leaves.

Leaves are padded with ZERO_LEAF (32 zero bytes) up to a power of two, and
``node = sha256(left ‖ right)``. A leaf preimage is 8 + n >= 72 bytes and a node preimage is 64
bytes, so a node can never pass for a leaf; a verifier also fixes the depth from the leaf count,
so a proof cannot stop early at an inner node. Levels are stored as flat byte strings (32 bytes a
node), which keeps a million-leaf tree at about 64 MiB.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

DIGEST_BYTES = 32
ZERO_LEAF = bytes(DIGEST_BYTES)


def tree_depth(leaf_count: int) -> int:
    """Smallest d with 2^d >= leaf_count: the length of every proof."""
    if leaf_count <= 0:
        raise ValueError(f"a tree needs at least one leaf, got {leaf_count}")
    return (leaf_count - 1).bit_length()


def _parent_level(level: bytes) -> bytes:
    view = memoryview(level)
    sha256 = hashlib.sha256
    return b"".join(
        sha256(view[offset : offset + 2 * DIGEST_BYTES]).digest()
        for offset in range(0, len(level), 2 * DIGEST_BYTES)
    )


class MerkleTree:
    """All levels of the tree, leaves first, so that any proof is a lookup."""

    def __init__(self, leaf_blob: bytes) -> None:
        """Build from the leaves concatenated (32 bytes each, index order, unpadded)."""
        if len(leaf_blob) % DIGEST_BYTES != 0:
            raise ValueError("leaf blob length must be a multiple of 32")
        self.leaf_count = len(leaf_blob) // DIGEST_BYTES
        self.depth = tree_depth(self.leaf_count)
        padding = (1 << self.depth) - self.leaf_count
        level = bytes(leaf_blob) + ZERO_LEAF * padding
        self._levels = [level]
        while len(level) > DIGEST_BYTES:
            level = _parent_level(level)
            self._levels.append(level)

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes]) -> MerkleTree:
        if any(len(leaf) != DIGEST_BYTES for leaf in leaves):
            raise ValueError("every leaf must be 32 bytes")
        return cls(b"".join(leaves))

    @property
    def root(self) -> bytes:
        return self._levels[-1]

    def leaf(self, index: int) -> bytes:
        self._check_index(index)
        return self._node(0, index)

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes from the leaf level up; bit `level` of index says which side."""
        self._check_index(index)
        return [self._node(level, (index >> level) ^ 1) for level in range(self.depth)]

    def _node(self, level: int, position: int) -> bytes:
        offset = position * DIGEST_BYTES
        return self._levels[level][offset : offset + DIGEST_BYTES]

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.leaf_count:
            raise IndexError(f"leaf index {index} out of range [0, {self.leaf_count})")


def root_from_proof(leaf: bytes, index: int, proof: Sequence[bytes]) -> bytes:
    node = leaf
    for level, sibling in enumerate(proof):
        if (index >> level) & 1:
            node = hashlib.sha256(sibling + node).digest()
        else:
            node = hashlib.sha256(node + sibling).digest()
    return node


def verify_proof(
    root: bytes, leaf: bytes, index: int, proof: Sequence[bytes], leaf_count: int
) -> bool:
    """True when `proof` places `leaf` at `index` in a tree of `leaf_count` leaves with `root`.

    A malformed proof (wrong length, index out of range, a sibling not 32 bytes) is simply false:
    the verifier treats it like any other bad proof.
    """
    if leaf_count <= 0 or not 0 <= index < leaf_count:
        return False
    if len(proof) != tree_depth(leaf_count) or len(leaf) != DIGEST_BYTES:
        return False
    if any(len(sibling) != DIGEST_BYTES for sibling in proof):
        return False
    return root_from_proof(leaf, index, proof) == root
