"""Fixtures for the pure-Python PoGEMM tests: no chain, small sizes (n=64, T=8, K=2, S=16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import backends, spec
from gpumarket.pogemm.prover import Proof, prove

GOLDEN_PATH = Path(__file__).resolve().parents[2] / "data" / "pogemm_golden.json"
TEST_SAMPLES = 16


@pytest.fixture(scope="session")
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN_PATH.read_text())


@pytest.fixture(scope="session")
def params() -> spec.Params:
    return spec.Params(keccak(b"pogemm-tests"), n=64, steps=8, interval=2)


@pytest.fixture(scope="session")
def b_matrix(params: spec.Params) -> np.ndarray:
    return spec.b_matrix(params.seed, params.n)


@pytest.fixture(scope="session")
def honest_proof(params: spec.Params) -> Proof:
    return prove(params, backends.NumpyBackend())


@pytest.fixture(scope="module", params=["numpy", "torch-cpu", "torch-int8-cpu"])
def backend(request: pytest.FixtureRequest) -> backends.Backend:
    """Every backend this machine can run; the torch ones skip where torch is not installed."""
    if request.param == "numpy":
        return backends.NumpyBackend()
    pytest.importorskip("torch")
    if request.param == "torch-cpu":
        return backends.TorchCpuBackend()
    return backends.TorchInt8Backend("cpu")
