// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PoGemm} from "../libraries/PoGemm.sol";

/// @title PoGemmHarness
/// @notice Test-only: exposes the PoGemm library's internal functions, and the gas they use.
contract PoGemmHarness {
    /// @notice PoGemm.key.
    /// @param seed Challenge seed.
    /// @param tag "X" or "B".
    /// @return The 64-bit generator key.
    function key(bytes32 seed, bytes1 tag) external pure returns (uint64) {
        return PoGemm.key(seed, tag);
    }

    /// @notice PoGemm.word.
    /// @param generatorKey Key from `key`.
    /// @param m Word index.
    /// @return Generator word m.
    function word(uint64 generatorKey, uint256 m) external pure returns (uint64) {
        return PoGemm.word(generatorKey, m);
    }

    /// @notice PoGemm.entry.
    /// @param generatorKey Key from `key`.
    /// @param e Entry index.
    /// @return Entry e, in [-8, 7].
    function entry(uint64 generatorKey, uint256 e) external pure returns (int8) {
        return PoGemm.entry(generatorKey, e);
    }

    /// @notice PoGemm.g.
    /// @param y A GEMM output value.
    /// @return g(y), in [-8, 7].
    function g(int256 y) external pure returns (int8) {
        return PoGemm.g(y);
    }

    /// @notice PoGemm.rowX0.
    /// @param seed Challenge seed.
    /// @param n Matrix size.
    /// @param i Row index.
    /// @return Row i of X0 as int8 bytes.
    function rowX0(bytes32 seed, uint256 n, uint256 i) external pure returns (bytes memory) {
        return PoGemm.rowX0(seed, n, i);
    }

    /// @notice PoGemm.leaf.
    /// @param c Checkpoint.
    /// @param i Row index.
    /// @param row Row as int8 bytes.
    /// @return The leaf hash.
    function leaf(uint32 c, uint32 i, bytes calldata row) external pure returns (bytes32) {
        return PoGemm.leaf(c, i, row);
    }

    /// @notice PoGemm.treeDepth.
    /// @param leafCount Leaves before padding.
    /// @return Proof length.
    function treeDepth(uint256 leafCount) external pure returns (uint256) {
        return PoGemm.treeDepth(leafCount);
    }

    /// @notice PoGemm.verifyProof.
    /// @param root Merkle root.
    /// @param leafHash Leaf.
    /// @param index Leaf index.
    /// @param proof Sibling hashes from the leaf level up.
    /// @param leafCount Leaves before padding.
    /// @return Whether the proof holds.
    function verifyProof(
        bytes32 root,
        bytes32 leafHash,
        uint256 index,
        bytes32[] calldata proof,
        uint256 leafCount
    ) external pure returns (bool) {
        return PoGemm.verifyProof(root, leafHash, index, proof, leafCount);
    }

    /// @notice PoGemm.samplePosition.
    /// @param samplingSeed Sampling seed.
    /// @param k Sample index.
    /// @param intervals T/K.
    /// @param n Matrix size.
    /// @return c Checkpoint.
    /// @return i Row.
    function samplePosition(
        bytes32 samplingSeed,
        uint32 k,
        uint256 intervals,
        uint256 n
    ) external pure returns (uint256 c, uint256 i) {
        return PoGemm.samplePosition(samplingSeed, k, intervals, n);
    }

    /// @notice Gas used by PoGemm.leaf on `row` (excluding calldata and call overhead).
    /// @param c Checkpoint.
    /// @param i Row index.
    /// @param row Row as int8 bytes.
    /// @return leafHash The leaf hash.
    /// @return gasUsed Gas of the library call.
    function leafGas(
        uint32 c,
        uint32 i,
        bytes memory row
    ) external view returns (bytes32 leafHash, uint256 gasUsed) {
        uint256 before = gasleft();
        leafHash = PoGemm.leaf(c, i, row);
        gasUsed = before - gasleft();
    }

    /// @notice Gas used by PoGemm.verifyProof (excluding calldata and call overhead).
    /// @param root Merkle root.
    /// @param leafHash Leaf.
    /// @param index Leaf index.
    /// @param proof Sibling hashes.
    /// @param leafCount Leaves before padding.
    /// @return ok Whether the proof holds.
    /// @return gasUsed Gas of the library call.
    function verifyProofGas(
        bytes32 root,
        bytes32 leafHash,
        uint256 index,
        bytes32[] memory proof,
        uint256 leafCount
    ) external view returns (bool ok, uint256 gasUsed) {
        uint256 before = gasleft();
        ok = PoGemm.verifyProof(root, leafHash, index, proof, leafCount);
        gasUsed = before - gasleft();
    }

    /// @notice Gas used by PoGemm.rowX0.
    /// @param seed Challenge seed.
    /// @param n Matrix size.
    /// @param i Row index.
    /// @return row Row i of X0.
    /// @return gasUsed Gas of the library call.
    function rowX0Gas(
        bytes32 seed,
        uint256 n,
        uint256 i
    ) external view returns (bytes memory row, uint256 gasUsed) {
        uint256 before = gasleft();
        row = PoGemm.rowX0(seed, n, i);
        gasUsed = before - gasleft();
    }
}
