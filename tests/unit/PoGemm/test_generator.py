"""PoGemm.key, word, entry and rowX0 equal the Python spec bit for bit."""

from __future__ import annotations

from typing import Any

import brownie
import pytest
from brownie.test import given, strategy
from eth_hash.auto import keccak
from hypothesis import settings

from gpumarket.pogemm import reference as ref
from gpumarket.pogemm import spec

SEEDS = [bytes(32), b"\xff" * 32, keccak(b"solidity-generator")]
SEED_IDS = ["zero-seed", "ones-seed", "hashed-seed"]


@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
@pytest.mark.parametrize("tag", [b"X", b"B"])
def test_key_equals_python(harness: Any, seed: bytes, tag: bytes) -> None:
    assert harness.key(seed, tag) == spec.key(seed, tag)


def test_key_with_an_unknown_tag_reverts(harness: Any) -> None:
    with brownie.reverts(revert_pattern="PoGemmInvalidTag.*"):
        harness.key(bytes(32), b"Z")


def test_first_words_equal_golden_vectors(harness: Any, golden: dict[str, Any]) -> None:
    for case in golden["cases"]:
        key_x, key_b = int(case["key_x"], 16), int(case["key_b"], 16)
        for m, (word_x, word_b) in enumerate(zip(case["words_x"], case["words_b"], strict=True)):
            assert harness.word(key_x, m) == int(word_x, 16)
            assert harness.word(key_b, m) == int(word_b, 16)


@settings(max_examples=25)
@given(key=strategy("uint64"), m=strategy("uint256"))
def test_words_equal_python(harness: Any, key: int, m: int) -> None:
    assert harness.word(key, m) == ref.word(key, m)


@settings(max_examples=25)
@given(key=strategy("uint64"), e=strategy("uint256", max_value=2**40))
def test_entries_equal_python(harness: Any, key: int, e: int) -> None:
    assert harness.entry(key, e) == int(spec.entries(key, e, 1)[0]) == ref.entry(key, e)


@pytest.mark.parametrize(("n", "i"), [(64, 0), (64, 1), (64, 63), (128, 77)])
@pytest.mark.parametrize("seed", SEEDS, ids=SEED_IDS)
def test_x0_rows_equal_python(harness: Any, seed: bytes, n: int, i: int) -> None:
    row = harness.rowX0(seed, n, i)

    assert bytes(row) == spec.x0_rows(seed, n, [i])[0].tobytes()


def test_x0_rows_equal_golden_vectors(harness: Any, golden: dict[str, Any]) -> None:
    for case in golden["cases"]:
        row = bytes(harness.rowX0(bytes.fromhex(case["seed"]), case["n"], 1))
        assert [int.from_bytes([v], signed=True) for v in row] == case["x0_rows"][1]


@pytest.mark.parametrize("n", [0, 32, 100])
def test_x0_row_with_a_bad_size_reverts(harness: Any, n: int) -> None:
    with brownie.reverts(revert_pattern="PoGemmInvalidSize.*"):
        harness.rowX0(bytes(32), n, 0)


def test_x0_row_beyond_n_reverts(harness: Any) -> None:
    with brownie.reverts(revert_pattern="PoGemmRowOutOfRange.*"):
        harness.rowX0(bytes(32), 64, 64)
