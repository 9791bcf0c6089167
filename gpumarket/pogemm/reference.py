"""A slow, obviously-right restatement of the PoGEMM rules with plain Python integers.

No numpy: every value is a Python int and every rule reads like DESIGN.md section 5. The tests
hold `gpumarket.pogemm.spec`, the backends and the Solidity library to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from eth_hash.auto import keccak

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def key(seed: bytes, tag: bytes) -> int:
    return int.from_bytes(keccak(seed + tag), "big") & MASK64


def mix(z: int) -> int:
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & MASK64
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & MASK64
    z ^= z >> 31
    return z


def word(key_value: int, m: int) -> int:
    return mix((key_value + (m + 1) * GOLDEN_GAMMA) & MASK64)


def entry(key_value: int, e: int) -> int:
    w = word(key_value, e // 16)
    return ((w >> (4 * (e % 16))) & 15) - 8


def x0(seed: bytes, n: int) -> list[list[int]]:
    k = key(seed, b"X")
    return [[entry(k, i * n + j) for j in range(n)] for i in range(n)]


def b_matrix(seed: bytes, n: int) -> list[list[int]]:
    """B[row][column], with column j stored at entries j*n ... j*n+n-1."""
    k = key(seed, b"B")
    return [[entry(k, column * n + row) for column in range(n)] for row in range(n)]


def u_matrix(seed: bytes, n: int) -> list[list[int]]:
    """U[i][k]: row i's own offset vector, entries i*n ... i*n+n-1 of key 'U'."""
    k = key(seed, b"U")
    return [[entry(k, i * n + j) for j in range(n)] for i in range(n)]


def v_row(seed: bytes, n: int, c: int) -> list[int]:
    """V[c]: interval c's offset vector, entries c*n ... c*n+n-1 of key 'V'."""
    k = key(seed, b"V")
    return [entry(k, c * n + j) for j in range(n)]


def to_int32(y: int) -> int:
    """y as a two's complement int32 (the GEMM accumulator); |Y| <= 64n + 2^13 never wraps for
    legal n."""
    y &= 0xFFFFFFFF
    return y - (1 << 32) if y >= 1 << 31 else y


def g(y: int) -> int:
    # Python's >> on a negative int is an arithmetic shift, and & works on two's complement.
    return (((y >> 3) ^ (y >> 9)) & 15) - 8


def step_entry(
    row: Sequence[int], b: Sequence[Sequence[int]], u_row: Sequence[int], v: Sequence[int], k: int
) -> int:
    """Entry k of one step of one row: g(row · B[:, k] + 512·(U[i][k] + V[c][k]))."""
    y = sum(row[j] * b[j][k] for j in range(len(row)))
    return g(to_int32(y + (u_row[k] + v[k]) * 512))


def step_row(
    row: Sequence[int], b: Sequence[Sequence[int]], u_row: Sequence[int], v: Sequence[int]
) -> list[int]:
    """One step of row i in interval c, with u_row = U[i] and v = V[c]."""
    return [step_entry(row, b, u_row, v, k) for k in range(len(row))]


def step(
    x: Sequence[Sequence[int]],
    b: Sequence[Sequence[int]],
    u: Sequence[Sequence[int]],
    v: Sequence[int],
) -> list[list[int]]:
    """One step of every row (row i with U[i]) in the interval whose V row is v."""
    return [step_row(row, b, u_row, v) for row, u_row in zip(x, u, strict=True)]


def leaf(c: int, i: int, row: Sequence[int]) -> bytes:
    row_bytes = bytes(v & 0xFF for v in row)
    return hashlib.sha256(c.to_bytes(4, "big") + i.to_bytes(4, "big") + row_bytes).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    size = 1
    while size < len(leaves):
        size *= 2
    level = list(leaves) + [bytes(32)] * (size - len(leaves))
    while len(level) > 1:
        level = [hashlib.sha256(level[k] + level[k + 1]).digest() for k in range(0, len(level), 2)]
    return level[0]


def checkpoints(seed: bytes, n: int, steps: int, interval: int) -> list[list[list[int]]]:
    """X at every checkpoint c = 0 ... steps/interval."""
    b = b_matrix(seed, n)
    u = u_matrix(seed, n)
    x = x0(seed, n)
    out = [x]
    for t in range(steps):
        x = step(x, b, u, v_row(seed, n, t // interval))
        if (t + 1) % interval == 0:
            out.append(x)
    return out


def commitment_root(seed: bytes, n: int, steps: int, interval: int) -> bytes:
    leaves = [
        leaf(c, i, row)
        for c, x in enumerate(checkpoints(seed, n, steps, interval))
        for i, row in enumerate(x)
    ]
    return merkle_root(leaves)


def sample_position(sampling_seed: bytes, k: int, intervals: int, n: int) -> tuple[int, int]:
    h = int.from_bytes(keccak(sampling_seed + k.to_bytes(4, "big")), "big")
    return h % intervals, (h >> 64) % n
