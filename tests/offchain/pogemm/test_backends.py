"""Backend selection: by name, by GPUMARKET_POGEMM_BACKEND, CUDA first, numpy without torch."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from gpumarket.pogemm import backends, spec
from gpumarket.pogemm.settings import PoGemmSettings


@pytest.fixture
def without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "torch" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_name_overrides_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPUMARKET_POGEMM_BACKEND", "torch-cuda")

    assert backends.best_backend("numpy").name == "numpy"


def test_environment_variable_chooses_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPUMARKET_POGEMM_BACKEND", "numpy")
    monkeypatch.setitem(backends._FACTORIES, backends.TORCH_CUDA, _unexpected)

    assert backends.best_backend().name == "numpy"


def _unexpected() -> backends.Backend:
    raise AssertionError("CUDA must not be tried when a backend is named")


def test_cuda_is_preferred_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GPUMARKET_POGEMM_BACKEND", raising=False)
    stand_in = backends.NumpyBackend()
    monkeypatch.setitem(backends._FACTORIES, backends.TORCH_CUDA, lambda: stand_in)

    assert backends.best_backend() is stand_in


def test_numpy_is_the_fallback_without_torch(
    monkeypatch: pytest.MonkeyPatch, without_torch: None
) -> None:
    monkeypatch.delenv("GPUMARKET_POGEMM_BACKEND", raising=False)

    assert backends.best_backend().name == "numpy"
    assert backends.available_backends() == ["numpy"]


@pytest.mark.parametrize("name", ["torch-cpu", "torch-cuda"])
def test_torch_backends_are_unavailable_without_torch(without_torch: None, name: str) -> None:
    with pytest.raises(backends.BackendUnavailable, match="torch is not installed"):
        backends.get_backend(name)


def test_unknown_backend_is_unavailable() -> None:
    with pytest.raises(backends.BackendUnavailable, match="unknown backend"):
        backends.get_backend("opencl")


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPUMARKET_POGEMM_BACKEND", "torch-cpu")
    monkeypatch.setenv("GPUMARKET_POGEMM_HASH_WORKERS", "3")

    settings = PoGemmSettings()

    assert settings.backend == "torch-cpu" and settings.hash_workers == 3


def test_float32_backend_refuses_sizes_where_it_would_round() -> None:
    too_big = np.zeros((spec.MAX_EXACT_FLOAT32_N + spec.ROW_MULTIPLE, 0), dtype=np.int8)

    with pytest.raises(ValueError, match="exact"):
        backends.NumpyBackend().upload_b(too_big)


def test_raw_gemm_timing_is_positive(params: spec.Params, b_matrix: np.ndarray) -> None:
    x0 = spec.x0(params.seed, params.n)

    assert backends.time_raw_gemm(backends.NumpyBackend(), x0, b_matrix, 2) > 0


def test_torch_cpu_backend_is_available_with_torch() -> None:
    pytest.importorskip("torch")

    assert "torch-cpu" in backends.available_backends()
