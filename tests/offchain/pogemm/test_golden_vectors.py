"""The committed golden vectors (tests/data/pogemm_golden.json) hold for the numpy implementation,
and the file is what tools/make_golden_vectors.py writes today."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gpumarket.pogemm import backends, merkle, prover, spec

TOOL = Path(__file__).resolve().parents[3] / "tools" / "make_golden_vectors.py"


def _case_params(case: dict[str, Any]) -> spec.Params:
    return spec.Params(bytes.fromhex(case["seed"]), case["n"], case["steps"], case["interval"])


def _cases(golden: dict[str, Any]) -> list[dict[str, Any]]:
    return list(golden["cases"])


def test_golden_file_is_up_to_date(golden: dict[str, Any]) -> None:
    module_spec = importlib.util.spec_from_file_location("make_golden_vectors", TOOL)
    assert module_spec is not None and module_spec.loader is not None
    tool = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(tool)

    regenerated = json.loads(json.dumps(tool.build()))

    assert regenerated == golden


def test_golden_g_values(golden: dict[str, Any]) -> None:
    ys = np.array([y for y, _ in golden["g"]], dtype=np.int32)

    assert spec.g(ys).tolist() == [value for _, value in golden["g"]]


@pytest.mark.parametrize("case_index", [0, 1, 2])
def test_golden_generator_outputs(golden: dict[str, Any], case_index: int) -> None:
    case = _cases(golden)[case_index]
    params = _case_params(case)
    key_x, key_b = spec.key(params.seed, spec.TAG_X), spec.key(params.seed, spec.TAG_B)
    count = len(case["words_x"])

    assert f"{key_x:016x}" == case["key_x"] and f"{key_b:016x}" == case["key_b"]
    assert [f"{int(w):016x}" for w in spec.words(key_x, 0, count)] == case["words_x"]
    assert [f"{int(w):016x}" for w in spec.words(key_b, 0, count)] == case["words_b"]
    assert spec.x0(params.seed, params.n)[:2].tolist() == case["x0_rows"]
    assert spec.b_columns(params.seed, params.n)[:2].tolist() == case["b_columns"]
    key_u, key_v = spec.key(params.seed, spec.TAG_U), spec.key(params.seed, spec.TAG_V)
    assert f"{key_u:016x}" == case["key_u"] and f"{key_v:016x}" == case["key_v"]
    assert [f"{int(w):016x}" for w in spec.words(key_u, 0, count)] == case["words_u"]
    assert [f"{int(w):016x}" for w in spec.words(key_v, 0, count)] == case["words_v"]
    assert spec.u_rows(params.seed, params.n, [0, 1]).tolist() == case["u_rows"]
    assert spec.v_rows(params.seed, params.n, [0]).tolist() == case["v_rows"]


@pytest.mark.parametrize("case_index", [0, 1, 2])
def test_golden_step_entry(golden: dict[str, Any], case_index: int) -> None:
    case = _cases(golden)[case_index]
    params = _case_params(case)
    entry = case["step_entry"]
    c, i, k = entry["c"], entry["i"], entry["k"]
    row = np.frombuffer(bytes.fromhex(entry["row"]), dtype=np.int8)
    b = spec.b_matrix(params.seed, params.n)

    stepped = spec.step(row[None, :], b, spec.interval_offsets(params.seed, params.n, c, [i]))

    assert int(row.astype(np.int32) @ b[:, k].astype(np.int32)) == entry["y"]
    assert spec.u_rows(params.seed, params.n, [i])[0, k] == entry["u"]
    assert spec.v_rows(params.seed, params.n, [c])[0, k] == entry["v"]
    assert entry["z"] == entry["y"] + 512 * (entry["u"] + entry["v"])
    assert stepped[0, k] == entry["value"] == spec.g(np.array([entry["z"]], dtype=np.int32))[0]


@pytest.mark.parametrize("case_index", [0, 1, 2])
def test_golden_checkpoints_leaves_and_root(golden: dict[str, Any], case_index: int) -> None:
    case = _cases(golden)[case_index]
    params = _case_params(case)

    proof = prover.prove(params, backends.NumpyBackend())

    assert proof.root.hex() == case["root"]
    assert params.leaf_count == case["leaf_count"]
    for checkpoint in case["checkpoints"]:
        c = checkpoint["c"]
        for i_text, row_hex in checkpoint["rows"].items():
            i = int(i_text)
            row = proof.store.rows(c, [i])[0]
            assert row.tobytes().hex() == row_hex
            leaf = proof.tree.leaf(spec.leaf_index(c, i, params.n))
            assert leaf.hex() == checkpoint["leaves"][i_text]


@pytest.mark.parametrize("case_index", [0, 1, 2])
def test_golden_proof_and_samples(golden: dict[str, Any], case_index: int) -> None:
    case = _cases(golden)[case_index]
    params = _case_params(case)
    golden_proof = case["proof"]
    siblings = [bytes.fromhex(node) for node in golden_proof["siblings"]]
    tree = prover.prove(params, backends.NumpyBackend()).tree

    assert tree.proof(golden_proof["index"]) == siblings
    assert merkle.verify_proof(
        bytes.fromhex(case["root"]),
        bytes.fromhex(golden_proof["leaf"]),
        golden_proof["index"],
        siblings,
        case["leaf_count"],
    )
    sampling_seed = bytes.fromhex(case["sampling_seed"])
    positions = spec.sample_positions(sampling_seed, params, len(case["samples"]))
    assert [list(p) for p in positions] == case["samples"]
