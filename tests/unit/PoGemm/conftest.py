"""Fixtures for the PoGemm library tests, run through PoGemmHarness.

The harness is pure: it holds no state, so these tests need no chain isolation of their own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import backends, spec
from gpumarket.pogemm.prover import Proof, prove

GOLDEN_PATH = Path(__file__).resolve().parents[2] / "data" / "pogemm_golden.json"


@pytest.fixture(scope="module")
def deployer(governance: Any) -> Any:
    return governance


@pytest.fixture(scope="module")
def harness(PoGemmHarness: Any, deployer: Any) -> Any:
    return deployer.deploy(PoGemmHarness)


@pytest.fixture(scope="session")
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN_PATH.read_text())


@pytest.fixture(scope="session")
def params() -> spec.Params:
    return spec.Params(keccak(b"pogemm-solidity"), n=64, steps=8, interval=2)


@pytest.fixture(scope="session")
def honest_proof(params: spec.Params) -> Proof:
    return prove(params, backends.NumpyBackend())
