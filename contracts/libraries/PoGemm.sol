// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PoGemm
/// @notice The PoGEMM generator, nonlinearity, leaf hash, Merkle proof check and sample positions
/// (DESIGN.md section 5), bit for bit as `gpumarket.pogemm.spec` computes them off-chain.
/// @dev Used for cheap fraud proofs: a committed checkpoint-0 row that differs from `rowX0` is
/// provable with `leaf` and `verifyProof`. Entries are int8 values in [-8, 7].
library PoGemm {
    /// @dev SplitMix64 increment and mixing multipliers.
    uint64 internal constant GOLDEN_GAMMA = 0x9E3779B97F4A7C15;
    uint64 internal constant MIX_MULTIPLIER_1 = 0xBF58476D1CE4E5B9;
    uint64 internal constant MIX_MULTIPLIER_2 = 0x94D049BB133111EB;

    /// @dev Key tags: X0 and B are generated from keccak256(seed ‖ tag).
    bytes1 internal constant TAG_X = "X";
    bytes1 internal constant TAG_B = "B";

    uint256 internal constant NIBBLES_PER_WORD = 16;
    /// @dev n must be a positive multiple of this.
    uint256 internal constant ROW_MULTIPLE = 64;

    /// @notice n is zero or not a multiple of ROW_MULTIPLE.
    error PoGemmInvalidSize(uint256 n);
    /// @notice A row index at or beyond n.
    error PoGemmRowOutOfRange(uint256 row, uint256 n);
    /// @notice A tag other than TAG_X or TAG_B.
    error PoGemmInvalidTag(bytes1 tag);
    /// @notice A tree with no leaves.
    error PoGemmEmptyTree();
    /// @notice A leaf index at or beyond the tree's leaf count.
    error PoGemmLeafIndexOutOfRange(uint256 index, uint256 leafCount);
    /// @notice A proof whose length is not the tree's depth.
    error PoGemmProofLengthMismatch(uint256 expected, uint256 actual);
    /// @notice Zero intervals (T/K) or rows when deriving a sample position.
    error PoGemmInvalidSampleSpace(uint256 intervals, uint256 n);

    /// @notice uint64(keccak256(seed ‖ tag)): the low 64 bits of the hash.
    function key(bytes32 seed, bytes1 tag) internal pure returns (uint64) {
        if (tag != TAG_X && tag != TAG_B) revert PoGemmInvalidTag(tag);
        return uint64(uint256(keccak256(abi.encodePacked(seed, tag))));
    }

    /// @notice Generator word m: mix(key + (m + 1)·GOLDEN_GAMMA mod 2^64) (packed SplitMix64).
    function word(uint64 generatorKey, uint256 m) internal pure returns (uint64 z) {
        unchecked {
            // SplitMix64 is defined modulo 2^64: every uint64 wrap below is the specified
            // arithmetic, not an overflow. uint64(m + 1) is (m + 1) mod 2^64 even if m + 1
            // wraps at 2^256, since 2^64 divides 2^256.
            z = generatorKey + uint64(m + 1) * GOLDEN_GAMMA;
            z = (z ^ (z >> 30)) * MIX_MULTIPLIER_1;
            z = (z ^ (z >> 27)) * MIX_MULTIPLIER_2;
            z = z ^ (z >> 31);
        }
    }

    /// @notice Entry e: nibble (e mod 16) of word (e div 16), minus 8; a value in [-8, 7].
    function entry(uint64 generatorKey, uint256 e) internal pure returns (int8) {
        return _nibbleEntry(word(generatorKey, e / NIBBLES_PER_WORD), e % NIBBLES_PER_WORD);
    }

    /// @notice The step's nonlinearity: (((y >> 3) XOR (y >> 9)) AND 15) − 8.
    /// @dev Solidity's >> on signed integers is an arithmetic shift (it rounds towards negative
    /// infinity), and & acts on the two's complement bits, as in numpy and torch. Pass an int32
    /// GEMM output as int256; the result depends only on y's low 13 bits.
    function g(int256 y) internal pure returns (int8) {
        return int8(((y >> 3) ^ (y >> 9)) & 15) - 8;
    }

    /// @notice Row i of X0 as n int8 bytes (row-major: entries i·n ... i·n + n − 1).
    /// @dev Builds 32 entries (two generator words) per memory word and stores them with one
    /// mstore: about 5x cheaper than byte-wise writes, which matters for a fraud proof at n = 8192.
    function rowX0(bytes32 seed, uint256 n, uint256 i) internal pure returns (bytes memory row) {
        if (n == 0 || n % ROW_MULTIPLE != 0) revert PoGemmInvalidSize(n);
        if (i >= n) revert PoGemmRowOutOfRange(i, n);
        uint64 generatorKey = key(seed, TAG_X);
        row = new bytes(n);
        unchecked {
            // `new bytes(n)` panics unless n < 2^64, and i < n, so i·n < 2^128 cannot overflow;
            // i·n is a multiple of 16 because n is. Loop counters are bounded by n / 32 and 16.
            // chunk << 8 discards nothing: the 32 bytes shifted in fill the 256 bits exactly.
            uint256 firstWord = (i * n) / NIBBLES_PER_WORD;
            uint256 chunks = n / 32;
            for (uint256 chunkIndex = 0; chunkIndex < chunks; ++chunkIndex) {
                uint256 chunk;
                for (uint256 half = 0; half < 2; ++half) {
                    uint256 packed = word(generatorKey, firstWord + 2 * chunkIndex + half);
                    for (uint256 s = 0; s < NIBBLES_PER_WORD; ++s) {
                        // Entry nibble − 8 as an int8 byte is (nibble + 0xF8) mod 256.
                        chunk = (chunk << 8) | ((((packed >> (4 * s)) & 15) + 0xF8) & 0xFF);
                    }
                }
                assembly ("memory-safe") {
                    // Within row's n bytes: 32·chunkIndex + 32 <= n.
                    mstore(add(add(row, 0x20), mul(chunkIndex, 0x20)), chunk)
                }
            }
        }
    }

    /// @notice sha256(be32(c) ‖ be32(i) ‖ row as int8 bytes): the Merkle leaf of row i at
    /// checkpoint c. Its index in the tree is c·n + i.
    function leaf(uint32 c, uint32 i, bytes memory row) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(c, i, row));
    }

    /// @notice Depth of a tree of `leafCount` leaves padded with zero leaves to a power of two.
    function treeDepth(uint256 leafCount) internal pure returns (uint256 depth) {
        if (leafCount == 0) revert PoGemmEmptyTree();
        while ((uint256(1) << depth) < leafCount) {
            ++depth;
        }
    }

    /// @notice Whether `proof` places `leafHash` at `index` in the tree with `root`.
    /// @dev node = sha256(left ‖ right); bit `level` of index says whether the node is the right
    /// child. The proof length must equal the depth fixed by `leafCount`, so an inner node can
    /// never be passed off as a leaf.
    /// @param leafCount Leaves before padding: (T/K + 1)·n.
    function verifyProof(
        bytes32 root,
        bytes32 leafHash,
        uint256 index,
        bytes32[] memory proof,
        uint256 leafCount
    ) internal pure returns (bool) {
        uint256 depth = treeDepth(leafCount);
        if (index >= leafCount) revert PoGemmLeafIndexOutOfRange(index, leafCount);
        if (proof.length != depth) revert PoGemmProofLengthMismatch(depth, proof.length);
        bytes32 node = leafHash;
        for (uint256 level = 0; level < depth; ++level) {
            node = ((index >> level) & 1) == 0
                ? sha256(abi.encodePacked(node, proof[level]))
                : sha256(abi.encodePacked(proof[level], node));
        }
        return node == root;
    }

    /// @notice Sample k's position: h = keccak256(samplingSeed ‖ uint32 k), c = h mod (T/K),
    /// i = (h >> 64) mod n.
    function samplePosition(
        bytes32 samplingSeed,
        uint32 k,
        uint256 intervals,
        uint256 n
    ) internal pure returns (uint256 c, uint256 i) {
        if (intervals == 0 || n == 0) revert PoGemmInvalidSampleSpace(intervals, n);
        uint256 h = uint256(keccak256(abi.encodePacked(samplingSeed, k)));
        c = h % intervals;
        i = (h >> 64) % n;
    }

    function _nibbleEntry(uint64 packed, uint256 s) private pure returns (int8) {
        // A nibble is 0..15, so the int8 subtraction stays in [-8, 7].
        return int8(uint8((packed >> (4 * s)) & 15)) - 8;
    }
}
