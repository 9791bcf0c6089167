"""Exact GEMM-step backends: numpy (always), torch on CPU and torch on CUDA (optional).

Every backend computes ``X_{t+1} = g(X_t @ B)`` bit for bit like `spec.step`:
- numpy and torch-cpu multiply in float32. Entries are in [-8, 7], so every partial sum is an
  integer of magnitude <= 64n <= 2^24 (n <= spec.MAX_EXACT_FLOAT32_N) and float32 holds it exactly,
  in any summation order.
- torch-cuda uses ``torch._int_mm`` (int8 × int8 → int32), which is exact by construction. It does
  not use bf16/fp16 (they round) or TF32, and the reduced-precision switches are turned off anyway.

torch is imported lazily: without it, only the numpy backend is available.
"""

from __future__ import annotations

import importlib.util
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np

from gpumarket.pogemm import spec
from gpumarket.pogemm.settings import PoGemmSettings

NUMPY = "numpy"
TORCH_CPU = "torch-cpu"
TORCH_CUDA = "torch-cuda"
BACKEND_NAMES = (NUMPY, TORCH_CPU, TORCH_CUDA)


class BackendUnavailable(RuntimeError):
    """The named backend cannot run here (torch or CUDA missing) or does not exist."""


class Backend(ABC):
    """Device-resident X and B, and the step. Values crossing the API are numpy int8 arrays."""

    name: str

    @abstractmethod
    def upload_b(self, b: spec.Int8Matrix) -> Any:
        """B (n×n, any layout) in the backend's form."""

    @abstractmethod
    def upload_x(self, x: spec.Int8Matrix) -> Any:
        """X (rows×n int8) in the backend's form."""

    @abstractmethod
    def step(self, x: Any, b: Any) -> Any:
        """One step g(X @ B), staying on the device."""

    @abstractmethod
    def download(self, x: Any) -> spec.Int8Matrix:
        """X as a C-contiguous numpy int8 array (a synchronisation point)."""

    def synchronize(self) -> None:
        """Wait for queued device work (timing needs it on asynchronous devices)."""
        return None

    def run(self, x: Any, b: Any, steps: int) -> Any:
        for _ in range(steps):
            x = self.step(x, b)
        return x

    def steps_host(self, x: spec.Int8Matrix, b: spec.Int8Matrix, steps: int) -> spec.Int8Matrix:
        """`steps` steps from host X with host B, result on the host."""
        return self.download(self.run(self.upload_x(x), self.upload_b(b), steps))


def _check_exact_float32(n: int) -> None:
    if n > spec.MAX_EXACT_FLOAT32_N:
        raise ValueError(f"float32 GEMM is exact only for n <= {spec.MAX_EXACT_FLOAT32_N}")


class NumpyBackend(Backend):
    """float32 BLAS GEMM of small integers (exact), g in int32."""

    name = NUMPY

    def upload_b(self, b: spec.Int8Matrix) -> np.ndarray:
        _check_exact_float32(b.shape[0])
        return np.ascontiguousarray(b, dtype=np.float32)

    def upload_x(self, x: spec.Int8Matrix) -> np.ndarray:
        return np.ascontiguousarray(x, dtype=np.float32)

    def step(self, x: np.ndarray, b: np.ndarray) -> np.ndarray:
        return spec.g((x @ b).astype(np.int32)).astype(np.float32)

    def download(self, x: np.ndarray) -> spec.Int8Matrix:
        return np.ascontiguousarray(x.astype(np.int8))


def _torch() -> Any:
    if importlib.util.find_spec("torch") is None:
        raise BackendUnavailable("torch is not installed (install the `gpu` extra)")
    try:
        import torch
    except ImportError as error:  # a broken install (missing CUDA libraries, say)
        raise BackendUnavailable(f"torch is installed but does not import: {error}") from error
    return torch


def _torch_g(y: Any) -> Any:
    # torch's >> on int32 is an arithmetic shift.
    return (((y >> 3) ^ (y >> 9)) & 15) - spec.ENTRY_OFFSET


class TorchCpuBackend(Backend):
    """torch float32 GEMM on CPU (exact for the same reason as numpy)."""

    name = TORCH_CPU

    def __init__(self) -> None:
        self._torch = _torch()
        # "highest" is the default; "medium" would let oneDNN round through bf16.
        self._torch.set_float32_matmul_precision("highest")

    def upload_b(self, b: spec.Int8Matrix) -> Any:
        _check_exact_float32(b.shape[0])
        return self._torch.from_numpy(np.ascontiguousarray(b, dtype=np.float32))

    def upload_x(self, x: spec.Int8Matrix) -> Any:
        return self._torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))

    def step(self, x: Any, b: Any) -> Any:
        torch = self._torch
        return _torch_g((x @ b).to(torch.int32)).to(torch.float32)

    def download(self, x: Any) -> spec.Int8Matrix:
        return np.ascontiguousarray(x.to(self._torch.int8).numpy())


class TorchInt8Backend(Backend):
    """``torch._int_mm`` int8 GEMM with int32 accumulation.

    The device is CUDA in production (backend "torch-cuda"); torch also runs _int_mm on CPU, which
    lets the tests check this exact code path on machines without a GPU.
    """

    def __init__(self, device: str = "cuda") -> None:
        torch = _torch()
        if device == "cuda":
            if not torch.cuda.is_available():
                raise BackendUnavailable("no CUDA device visible to torch")
            # _int_mm is exact whatever these say; they are off so that no float path in the
            # same process silently rounds either.
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False
            torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
            torch.backends.cudnn.allow_tf32 = False
        self._torch = torch
        self._device = torch.device(device)
        self.name = TORCH_CUDA if device == "cuda" else f"torch-int8-{device}"

    def upload_b(self, b: spec.Int8Matrix) -> Any:
        # cuBLASLt's int8 kernels want B column-major: upload the columns and transpose the view.
        columns = np.ascontiguousarray(np.asarray(b, dtype=np.int8).T)
        return self._torch.from_numpy(columns).to(self._device).t()

    def upload_x(self, x: spec.Int8Matrix) -> Any:
        rows = np.ascontiguousarray(x, dtype=np.int8)
        return self._torch.from_numpy(rows).to(self._device)

    def step(self, x: Any, b: Any) -> Any:
        torch = self._torch
        return _torch_g(torch._int_mm(x, b)).to(torch.int8)

    def download(self, x: Any) -> spec.Int8Matrix:
        return np.ascontiguousarray(x.cpu().numpy())

    def synchronize(self) -> None:
        if self._device.type == "cuda":
            self._torch.cuda.synchronize()


_FACTORIES: dict[str, Callable[[], Backend]] = {
    NUMPY: NumpyBackend,
    TORCH_CPU: TorchCpuBackend,
    TORCH_CUDA: TorchInt8Backend,
}


def get_backend(name: str) -> Backend:
    """The backend called `name`; BackendUnavailable if it cannot run here."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise BackendUnavailable(f"unknown backend {name!r}; choose one of {BACKEND_NAMES}")
    return factory()


def available_backends() -> list[str]:
    names = []
    for name in BACKEND_NAMES:
        try:
            get_backend(name)
        except BackendUnavailable:
            continue
        names.append(name)
    return names


def best_backend(name: str | None = None, settings: PoGemmSettings | None = None) -> Backend:
    """`name`, else GPUMARKET_POGEMM_BACKEND, else CUDA when present, else numpy.

    On CPU numpy is preferred: it is always installed and its float32 BLAS is as fast as torch's.
    """
    chosen = name or (settings or PoGemmSettings()).backend
    if chosen:
        return get_backend(chosen)
    try:
        return get_backend(TORCH_CUDA)
    except BackendUnavailable:
        return NumpyBackend()


def time_raw_gemm(backend: Backend, x: spec.Int8Matrix, b: spec.Int8Matrix, steps: int) -> float:
    """Seconds for `steps` steps on the device, no hashing: the backend's raw GEMM throughput."""
    b_device = backend.upload_b(b)
    x_device = backend.upload_x(x)
    # One untimed step pays for lazy initialisation (cuBLAS handles, BLAS thread pools).
    backend.step(x_device, b_device)
    backend.synchronize()
    started = time.perf_counter()
    x_device = backend.run(x_device, b_device, steps)
    backend.synchronize()
    return time.perf_counter() - started
