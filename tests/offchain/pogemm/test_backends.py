"""Backend selection: by name, by GPUMARKET_POGEMM_BACKEND, CUDA first, numpy without torch."""

from __future__ import annotations

import importlib.util
import os

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


# ---------------------------------------------------------------- the fused offset + g + cast


def test_numpy_in_place_g_equals_spec_g_over_the_whole_range() -> None:
    z = np.arange(-(1 << 16), 1 << 16, dtype=np.int32)
    edges = np.array([-(2**31), 2**31 - 1, -(2**24) - 8192, 2**24 + 8192], dtype=np.int32)

    for values in (z, edges):
        assert np.array_equal(backends._numpy_g_to_float32(values.copy()), spec.g(values))


def _fake_torch_compile(monkeypatch: pytest.MonkeyPatch, make: object) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch, "compile", make)


def test_fused_tail_matches_spec_g_with_offsets() -> None:
    torch = pytest.importorskip("torch")
    tail = backends._FusedTail(torch, "cpu", compile_kernel=False)
    y, offset = backends._probe_inputs(torch, "cpu")

    out = tail(y, offset)

    expected = spec.g(y.numpy().astype(np.int32) + offset.numpy().astype(np.int32))
    assert out.dtype == torch.int8 and np.array_equal(out.numpy(), expected)
    assert (tail.mode, tail.reason) == ("eager", "not compiled on this device")


def test_a_compiler_that_fails_leaves_the_tail_eager(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(function: object, **kwargs: object) -> object:
        raise RuntimeError("no triton here")

    _fake_torch_compile(monkeypatch, broken)
    import torch

    tail = backends._FusedTail(torch, "cpu", compile_kernel=True)

    assert tail.mode == "eager" and "no triton here" in tail.reason


def test_a_compiled_kernel_that_disagrees_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(function: object, **kwargs: object) -> object:
        return lambda y, offset: function(y, offset) + 1  # type: ignore[operator]

    _fake_torch_compile(monkeypatch, wrong)
    import torch

    tail = backends._FusedTail(torch, "cpu", compile_kernel=True)

    assert tail.mode == "eager" and "disagreed" in tail.reason


def test_a_compiled_kernel_that_agrees_is_used_until_it_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = {"n": 0}

    def flaky(function: object, **kwargs: object) -> object:
        def compiled(y: object, offset: object) -> object:
            calls["n"] += 1
            if calls["n"] > 1:  # the probe passes; a later shape fails to recompile
                raise RuntimeError("recompilation failed")
            return function(y, offset)  # type: ignore[operator]

        return compiled

    _fake_torch_compile(monkeypatch, flaky)
    import torch

    tail = backends._FusedTail(torch, "cpu", compile_kernel=True)
    assert tail.mode == "torch.compile"
    y, offset = backends._probe_inputs(torch, "cpu")

    out = tail(y, offset)

    assert tail.mode == "eager" and "later" in tail.reason
    assert np.array_equal(
        out.numpy(), spec.g(y.numpy().astype(np.int32) + offset.numpy().astype(np.int32))
    )


@pytest.mark.skipif(
    not os.environ.get("GPUMARKET_TEST_TORCH_COMPILE"),
    reason="a real torch.compile takes 10-25 s on CPU; set GPUMARKET_TEST_TORCH_COMPILE=1",
)
def test_the_real_compiled_tail_agrees_on_cpu() -> None:
    pytest.importorskip("torch")
    backend = backends.TorchInt8Backend("cpu", compile_kernel=True)
    params = spec.Params(bytes(range(32)), 128, 4, 2)

    assert backend.tail.mode == "torch.compile", backend.tail.reason
    assert (
        backend.steps_host(
            spec.x0(params.seed, 128),
            spec.b_matrix(params.seed, 128),
            spec.u_matrix(params.seed, 128),
            spec.v_rows(params.seed, 128, [1])[0],
            2,
        ).tolist()
        == spec.advance(params, spec.x0(params.seed, 128), range(128), 1, 2).tolist()
    )
