"""One output entry of one v2 step, from the library's own primitives (entry, g): what a future
on-chain step check (bisection, DESIGN.md 5.7) would recompute. n multiply-adds, n + 2 generator
entries and one g; no library change is needed except accepting tags 'U' and 'V' in `key`
(here the keys come from keccak directly)."""

from __future__ import annotations

from typing import Any

import brownie

from gpumarket.pogemm import spec


def test_a_step_entry_from_library_primitives_equals_the_golden_value(
    harness: Any, golden: dict[str, Any]
) -> None:
    case = golden["cases"][0]
    seed, n = bytes.fromhex(case["seed"]), case["n"]
    step = case["step_entry"]
    c, i, k = step["c"], step["i"], step["k"]
    row = [int.from_bytes([b], signed=True) for b in bytes.fromhex(step["row"])]
    key_b = spec.key(seed, spec.TAG_B)
    key_u, key_v = int(case["key_u"], 16), int(case["key_v"], 16)

    column = [harness.entry(key_b, k * n + j) for j in range(n)]  # B is column-major
    y = sum(x * b for x, b in zip(row, column, strict=True))
    u, v = harness.entry(key_u, i * n + k), harness.entry(key_v, c * n + k)

    assert (y, u, v) == (step["y"], step["u"], step["v"])
    assert harness.g(y + 512 * (u + v)) == step["value"]


def test_the_library_key_does_not_know_the_v2_tags_yet(harness: Any) -> None:
    # Checkpoint-0 fraud proofs need only 'X'; the keys for U and V are keccak(seed ‖ tag) too.
    for tag in (spec.TAG_U, spec.TAG_V):
        with brownie.reverts(revert_pattern="PoGemmInvalidTag.*"):
            harness.key(bytes(32), tag)
