#!/usr/bin/env python3
"""Write tests/data/pogemm_golden.json: PoGEMM test vectors from the plain-Python reference.

The vectors come from `gpumarket.pogemm.reference` alone (no numpy), so they pin the spec for any
other implementation: numpy, torch, Solidity, or a port to another language. Usage:
    .venv/bin/python tools/make_golden_vectors.py [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from eth_hash.auto import keccak

from gpumarket.pogemm import reference

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pogemm_golden.json"
# 2: the v2 step, g(X·B + (U[i] + V[c])·512), with keys 'U' and 'V'.
FORMAT_VERSION = 2
FIRST_WORDS = 8
# (seed label, n, T, K): leaf counts 320, 128 and 192, so padding is both needed and not.
CASES = (
    ("gpumarket/pogemm/golden/0", 64, 8, 2),
    ("zero", 64, 4, 4),
    ("ones", 64, 6, 3),
)
G_INPUTS = (0, 1, 7, 8, 511, 512, 4095, 4096, -1, -7, -8, -9, -512, -513, -4096, -4097, 4032, -4032)
SAMPLES = 8


def seed_for(label: str) -> bytes:
    if label == "zero":
        return bytes(32)
    if label == "ones":
        return b"\xff" * 32
    return keccak(label.encode())


def row_hex(row: list[int]) -> str:
    return bytes(v & 0xFF for v in row).hex()


def merkle_proof(leaves: list[bytes], index: int) -> list[bytes]:
    size = 1
    while size < len(leaves):
        size *= 2
    level = leaves + [bytes(32)] * (size - len(leaves))
    proof = []
    while len(level) > 1:
        proof.append(level[index ^ 1])
        level = [hashlib.sha256(level[k] + level[k + 1]).digest() for k in range(0, len(level), 2)]
        index //= 2
    return proof


def make_case(label: str, n: int, steps: int, interval: int) -> dict[str, Any]:
    seed = seed_for(label)
    key_x, key_b = reference.key(seed, b"X"), reference.key(seed, b"B")
    key_u, key_v = reference.key(seed, b"U"), reference.key(seed, b"V")
    x0 = reference.x0(seed, n)
    b = reference.b_matrix(seed, n)
    u = reference.u_matrix(seed, n)
    v0 = reference.v_row(seed, n, 0)
    checkpoints = reference.checkpoints(seed, n, steps, interval)
    # One output entry of one step, spelled out: what an on-chain check would recompute.
    entry_i, entry_k = n - 1, 5
    entry_c = steps // interval - 1
    entry_row = checkpoints[entry_c][entry_i]
    v_last = reference.v_row(seed, n, entry_c)
    entry_y = sum(entry_row[j] * b[j][entry_k] for j in range(n))
    leaves = [
        reference.leaf(c, i, row) for c, x in enumerate(checkpoints) for i, row in enumerate(x)
    ]
    rows_shown = (0, 1, n - 1)
    proof_index = len(leaves) - 1
    sampling_seed = keccak(seed + b"sampling")
    intervals = steps // interval
    return {
        "label": label,
        "seed": seed.hex(),
        "n": n,
        "steps": steps,
        "interval": interval,
        "key_x": f"{key_x:016x}",
        "key_b": f"{key_b:016x}",
        "words_x": [f"{reference.word(key_x, m):016x}" for m in range(FIRST_WORDS)],
        "words_b": [f"{reference.word(key_b, m):016x}" for m in range(FIRST_WORDS)],
        "key_u": f"{key_u:016x}",
        "key_v": f"{key_v:016x}",
        "words_u": [f"{reference.word(key_u, m):016x}" for m in range(FIRST_WORDS)],
        "words_v": [f"{reference.word(key_v, m):016x}" for m in range(FIRST_WORDS)],
        "x0_rows": [x0[0], x0[1]],
        "b_columns": [[b[k][j] for k in range(n)] for j in (0, 1)],
        "u_rows": [u[0], u[1]],
        "v_rows": [v0],
        "step_entry": {
            "c": entry_c,
            "i": entry_i,
            "k": entry_k,
            "row": row_hex(entry_row),
            "y": entry_y,
            "u": u[entry_i][entry_k],
            "v": v_last[entry_k],
            "z": entry_y + 512 * (u[entry_i][entry_k] + v_last[entry_k]),
            "value": reference.step_entry(entry_row, b, u[entry_i], v_last, entry_k),
        },
        "checkpoints": [
            {
                "c": c,
                "rows": {str(i): row_hex(x[i]) for i in rows_shown},
                "leaves": {str(i): leaves[c * n + i].hex() for i in rows_shown},
            }
            for c, x in enumerate(checkpoints)
        ],
        "leaf_count": len(leaves),
        "root": reference.merkle_root(leaves).hex(),
        "proof": {
            "index": proof_index,
            "leaf": leaves[proof_index].hex(),
            "siblings": [node.hex() for node in merkle_proof(leaves, proof_index)],
        },
        "sampling_seed": sampling_seed.hex(),
        "samples": [
            list(reference.sample_position(sampling_seed, k, intervals, n)) for k in range(SAMPLES)
        ],
    }


def build() -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "generator": "tools/make_golden_vectors.py (gpumarket.pogemm.reference)",
        "g": [[y, reference.g(y)] for y in G_INPUTS],
        "cases": [make_case(*case) for case in CASES],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args()
    text = json.dumps(build(), indent=1) + "\n"
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date; rerun tools/make_golden_vectors.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
