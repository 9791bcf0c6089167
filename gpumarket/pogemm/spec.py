"""PoGEMM specification (DESIGN.md section 5), vectorised with numpy.

Everything here is exact integer arithmetic. `gpumarket.pogemm.reference` restates the same rules
with plain Python integers, and `contracts/libraries/PoGemm.sol` restates them in Solidity; the
tests hold all three (and the torch backends) to the same bits.

Conventions:
- X0 is row-major: ``X0[i, j] = entry(key_X, i*n + j)``.
- B is column-major: the column with index ``j`` is the n contiguous entries starting at ``j*n``,
  so ``B[k, j] = entry(key_B, j*n + k)`` and one column is n/16 contiguous generator words.
- U (per row) and V (per interval) are row-major too: ``U[i, k] = entry(key_U, i*n + k)``,
  ``V[c, k] = entry(key_V, c*n + k)``.
- A step of interval c (steps t = cK ... cK + K - 1, from checkpoint c to c + 1) is
  ``X_{t+1}[i] = g(X_t[i] @ B + 512 * (U[i] + V[c]))``: every (interval, row) unit has a map of
  its own, so no two units can share a GEMM row (DESIGN.md section 5.1).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from eth_hash.auto import keccak

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
MIX_MULTIPLIER_1 = 0xBF58476D1CE4E5B9
MIX_MULTIPLIER_2 = 0x94D049BB133111EB

TAG_X = b"X"
TAG_B = b"B"
# The per-row (U) and per-interval (V) offset vectors.
TAG_U = b"U"
TAG_V = b"V"
TAGS = (TAG_X, TAG_B, TAG_U, TAG_V)

NIBBLES_PER_WORD = 16
ENTRY_OFFSET = 8
ENTRY_MIN = -8
ENTRY_MAX = 7
# n must be a multiple of this: a row is then whole generator words, and torch._int_mm's shape
# rules (multiples of 8, more than 16 rows) hold.
ROW_MULTIPLE = 64
# The largest |entry| product is 64, so |X @ B| <= 64n. float32 represents every integer up to
# 2^24, so a float32 GEMM of entries is exact for n <= 2^24 / 64 (every partial sum, any order).
# The offset is added after the GEMM, in int32.
MAX_EXACT_FLOAT32_N = (1 << 24) // 64
# offset = (U + V) << OFFSET_SHIFT: U + V is in [-16, 14], so |offset| <= 2^13 = MAX_OFFSET and
# |X @ B + offset| <= 64n + 2^13 < 2^31 for every legal n. g reads bits 3 ... 12 of its input;
# the offset moves bits 9 ... 12 only (g's second nibble), by U + V mod 16.
OFFSET_SHIFT = 9
MAX_OFFSET = 16 << OFFSET_SHIFT
# be32 fields in a leaf.
MAX_BE32 = (1 << 32) - 1

SEED_BYTES = 32
DIGEST_BYTES = 32
DEFAULT_SAMPLES = 64

Int8Matrix = npt.NDArray[np.int8]
Int16Matrix = npt.NDArray[np.int16]
Int32Matrix = npt.NDArray[np.int32]
Words = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class Params:
    """One PoGEMM challenge: the seed and the sizes.

    ``steps`` is T, ``interval`` is K (it divides T); checkpoints are c = 0 ... T/K.
    """

    seed: bytes
    n: int
    steps: int
    interval: int

    def __post_init__(self) -> None:
        if len(self.seed) != SEED_BYTES:
            raise ValueError(f"seed must be {SEED_BYTES} bytes, got {len(self.seed)}")
        if self.n <= 0 or self.n % ROW_MULTIPLE != 0:
            raise ValueError(f"n must be a positive multiple of {ROW_MULTIPLE}, got {self.n}")
        if self.n > MAX_EXACT_FLOAT32_N:
            raise ValueError(f"n must be at most {MAX_EXACT_FLOAT32_N}, got {self.n}")
        if self.interval <= 0 or self.steps <= 0 or self.steps % self.interval != 0:
            raise ValueError(
                f"steps ({self.steps}) must be a positive multiple of interval ({self.interval})"
            )
        if self.intervals > MAX_BE32:
            raise ValueError(f"too many checkpoints: {self.intervals}")

    @property
    def intervals(self) -> int:
        """T/K: the number of checkpoint intervals, and the last checkpoint index."""
        return self.steps // self.interval

    @property
    def checkpoints(self) -> int:
        """T/K + 1 checkpoints, c = 0 ... T/K."""
        return self.intervals + 1

    @property
    def leaf_count(self) -> int:
        """Leaves before padding: one per (checkpoint, row)."""
        return self.checkpoints * self.n

    @property
    def ops(self) -> int:
        """Integer operations the proof stands for: 2·n³·T."""
        return 2 * self.n**3 * self.steps


def key(seed: bytes, tag: bytes) -> int:
    """``uint64(keccak256(seed ‖ tag))``: the low 64 bits of the hash."""
    if len(seed) != SEED_BYTES:
        raise ValueError(f"seed must be {SEED_BYTES} bytes, got {len(seed)}")
    if tag not in TAGS:
        raise ValueError(f"tag must be one of {TAGS!r}, got {tag!r}")
    return int.from_bytes(keccak(seed + tag), "big") & MASK64


def words(key_value: int, start: int, count: int) -> Words:
    """Generator words ``w_start ... w_{start+count-1}`` (packed SplitMix64)."""
    if start < 0 or count < 0:
        raise ValueError("start and count must be non-negative")
    # uint64 arithmetic wraps modulo 2^64, which is exactly SplitMix64's arithmetic.
    with np.errstate(over="ignore"):
        counter = np.arange(start + 1, start + count + 1, dtype=np.uint64)
        z = np.uint64(key_value) + counter * np.uint64(GOLDEN_GAMMA)
        z ^= z >> np.uint64(30)
        z *= np.uint64(MIX_MULTIPLIER_1)
        z ^= z >> np.uint64(27)
        z *= np.uint64(MIX_MULTIPLIER_2)
        z ^= z >> np.uint64(31)
    return z


def entries_from_words(packed: Words) -> npt.NDArray[np.int8]:
    """Unpack each word into its 16 nibbles, low nibble first, each minus 8."""
    # Nibble s of a word is the low (s even) or high (s odd) half of little-endian byte s//2.
    as_bytes = packed.astype("<u8", copy=False).view(np.uint8)
    out = np.empty(as_bytes.size * 2, dtype=np.int8)
    out[0::2] = (as_bytes & 15).astype(np.int8) - ENTRY_OFFSET
    out[1::2] = (as_bytes >> 4).astype(np.int8) - ENTRY_OFFSET
    return out


def entries(key_value: int, start: int, count: int) -> npt.NDArray[np.int8]:
    """Entries ``start ... start+count-1``: entry e is nibble e mod 16 of word e div 16, minus 8."""
    first_word = start // NIBBLES_PER_WORD
    last_word = (start + count + NIBBLES_PER_WORD - 1) // NIBBLES_PER_WORD
    unpacked = entries_from_words(words(key_value, first_word, last_word - first_word))
    offset = start - first_word * NIBBLES_PER_WORD
    return unpacked[offset : offset + count]


def generator_rows(seed: bytes, tag: bytes, n: int, rows: npt.ArrayLike) -> Int8Matrix:
    """Rows of a row-major generator matrix: row r is entries r*n ... r*n+n-1 of key(tag)."""
    row_indices = np.asarray(rows, dtype=np.int64).reshape(-1)
    key_value = key(seed, tag)
    out = np.empty((row_indices.size, n), dtype=np.int8)
    for slot, r in enumerate(row_indices.tolist()):
        out[slot] = entries(key_value, r * n, n)
    return out


def x0_rows(seed: bytes, n: int, rows: npt.ArrayLike) -> Int8Matrix:
    """Rows of X0 (row-major: row i is entries i*n ... i*n+n-1)."""
    return generator_rows(seed, TAG_X, n, rows)


def x0(seed: bytes, n: int) -> Int8Matrix:
    """X0, n×n, row-major: ``X0[i, j] = entry(key_X, i*n + j)``."""
    return entries(key(seed, TAG_X), 0, n * n).reshape(n, n)


def b_columns(seed: bytes, n: int) -> Int8Matrix:
    """B stored column by column: ``b_columns(...)[j]`` is column j (entries j*n ... j*n+n-1)."""
    return entries(key(seed, TAG_B), 0, n * n).reshape(n, n)


def b_matrix(seed: bytes, n: int) -> Int8Matrix:
    """B, n×n, as a (column-major) view: ``B[k, j] = entry(key_B, j*n + k)``."""
    return b_columns(seed, n).T


def u_matrix(seed: bytes, n: int) -> Int8Matrix:
    """U, n×n, row-major: ``U[i, k] = entry(key_U, i*n + k)``, row i's own offset vector."""
    return entries(key(seed, TAG_U), 0, n * n).reshape(n, n)


def u_rows(seed: bytes, n: int, rows: npt.ArrayLike) -> Int8Matrix:
    """Rows of U."""
    return generator_rows(seed, TAG_U, n, rows)


def v_rows(seed: bytes, n: int, intervals: npt.ArrayLike) -> Int8Matrix:
    """Rows of V, one per interval c: ``V[c, k] = entry(key_V, c*n + k)``."""
    return generator_rows(seed, TAG_V, n, intervals)


def offsets(u: npt.NDArray[np.int8], v: npt.NDArray[np.int8]) -> Int32Matrix:
    """``(U + V) << 9`` as int32: the term a step adds to ``X @ B`` before g.

    u is rows×n (the rows' U); v is one V row (n,) broadcast over them, or rows×n (one V row per
    row, as the verifier's batch of samples from different intervals has).
    """
    return (u.astype(np.int32) + v.astype(np.int32)) * np.int32(1 << OFFSET_SHIFT)


def g(y: npt.NDArray[np.integer]) -> Int8Matrix:
    """The step's nonlinearity ``(((y >> 3) XOR (y >> 9)) AND 15) − 8``, arithmetic shifts.

    Takes any signed integer array (int32 from a GEMM); numpy's >> on signed types is arithmetic.
    """
    if not np.issubdtype(y.dtype, np.signedinteger):
        raise TypeError(f"g needs a signed integer array, got {y.dtype}")
    return ((((y >> 3) ^ (y >> 9)) & 15) - ENTRY_OFFSET).astype(np.int8)


def step(x: Int8Matrix, b: Int8Matrix, offset: npt.NDArray[np.integer]) -> Int8Matrix:
    """One step ``g(X @ B + offset)`` in exact integers (int32; |X @ B + offset| <= 64n + 2^13).

    `offset` is `offsets(U rows, V row)` for the rows of x and the interval the step is in.
    """
    return g(x.astype(np.int32) @ b.astype(np.int32) + offset.astype(np.int32))


def interval_offsets(seed: bytes, n: int, c: int, rows: npt.ArrayLike | None = None) -> Int32Matrix:
    """The offsets of interval c for `rows` (all n rows when None)."""
    u = u_matrix(seed, n) if rows is None else u_rows(seed, n, rows)
    return offsets(u, v_rows(seed, n, [c])[0])


def advance(
    params: Params,
    x: Int8Matrix,
    rows: npt.ArrayLike,
    c_from: int,
    c_to: int,
    b: Int8Matrix | None = None,
) -> Int8Matrix:
    """Rows `rows` of checkpoint c_to, from the same rows of checkpoint c_from (given as x).

    Plain int32 numpy, one interval at a time; rows evolve independently of each other.
    """
    if not 0 <= c_from <= c_to <= params.intervals:
        raise ValueError(f"need 0 <= {c_from} <= {c_to} <= {params.intervals}")
    b_matrix_ = b_matrix(params.seed, params.n) if b is None else b
    u = u_rows(params.seed, params.n, rows)
    for c in range(c_from, c_to):
        offset = offsets(u, v_rows(params.seed, params.n, [c])[0])
        for _ in range(params.interval):
            x = step(x, b_matrix_, offset)
    return x


def honest_checkpoints(params: Params, b: Int8Matrix | None = None) -> list[Int8Matrix]:
    """X at every checkpoint c = 0 ... T/K, computed as the spec says (slow: int32 numpy)."""
    b_matrix_ = b_matrix(params.seed, params.n) if b is None else b
    x = x0(params.seed, params.n)
    rows = np.arange(params.n)
    out = [x]
    for c in range(params.intervals):
        x = advance(params, x, rows, c, c + 1, b_matrix_)
        out.append(x)
    return out


def leaf_prefix(c: int, i: int) -> bytes:
    """``be32(c) ‖ be32(i)``."""
    if not (0 <= c <= MAX_BE32 and 0 <= i <= MAX_BE32):
        raise ValueError(f"checkpoint {c} and row {i} must fit in 32 bits")
    return struct.pack(">II", c, i)


def leaf(c: int, i: int, row: npt.ArrayLike) -> bytes:
    """``sha256(be32(c) ‖ be32(i) ‖ row as int8 bytes)``."""
    row_bytes = np.ascontiguousarray(row, dtype=np.int8).tobytes()
    return hashlib.sha256(leaf_prefix(c, i) + row_bytes).digest()


def leaf_index(c: int, i: int, n: int) -> int:
    """Position of leaf (c, i) in the tree: ``c*n + i``."""
    return c * n + i


def hash_rows(c: int, rows: Int8Matrix, first_row: int = 0) -> bytes:
    """Leaves of consecutive rows of checkpoint c, concatenated (32 bytes each).

    hashlib releases the GIL while it hashes 2 KiB or more, so threads running this overlap.
    """
    contiguous = np.ascontiguousarray(rows, dtype=np.int8)
    view = memoryview(contiguous.view(np.uint8).reshape(-1).data)
    width = contiguous.shape[1]
    digests = bytearray(DIGEST_BYTES * contiguous.shape[0])
    for slot in range(contiguous.shape[0]):
        hasher = hashlib.sha256(leaf_prefix(c, first_row + slot))
        hasher.update(view[slot * width : (slot + 1) * width])
        digests[slot * DIGEST_BYTES : (slot + 1) * DIGEST_BYTES] = hasher.digest()
    return bytes(digests)


def sample_position(sampling_seed: bytes, k: int, intervals: int, n: int) -> tuple[int, int]:
    """Sample k: ``h = keccak256(samplingSeed ‖ uint32 k)``, ``c = h mod (T/K)``,
    ``i = (h >> 64) mod n``. Returns (c, i); the sample checks checkpoints c and c + 1."""
    if len(sampling_seed) != SEED_BYTES:
        raise ValueError(f"sampling seed must be {SEED_BYTES} bytes, got {len(sampling_seed)}")
    if not 0 <= k <= MAX_BE32:
        raise ValueError(f"sample index {k} must fit in 32 bits")
    if intervals <= 0 or n <= 0:
        raise ValueError("intervals and n must be positive")
    h = int.from_bytes(keccak(sampling_seed + struct.pack(">I", k)), "big")
    return h % intervals, (h >> 64) % n


def sample_positions(sampling_seed: bytes, params: Params, count: int) -> list[tuple[int, int]]:
    """The first `count` sample positions (c, i) for a challenge."""
    if count <= 0:
        raise ValueError(f"sample count must be positive, got {count}")
    return [sample_position(sampling_seed, k, params.intervals, params.n) for k in range(count)]
