"""Exact GEMM-step backends: numpy (always), torch on CPU and torch on CUDA (optional).

Every backend computes a step ``X_{t+1} = g(X_t @ B + offset)`` bit for bit like `spec.step`,
with ``offset = (U + V) * 512`` (the rows' U, the interval's V):
- numpy and torch-cpu multiply in float32. Entries are in [-8, 7], so every partial sum is an
  integer of magnitude <= 64n <= 2^24 (n <= spec.MAX_EXACT_FLOAT32_N) and float32 holds it exactly,
  in any summation order. The product is cast to int32 and the offset added there, so the
  offset needs no float headroom.
- torch-cuda uses ``torch._int_mm`` (int8 × int8 → int32), which is exact by construction. It does
  not use bf16/fp16 (they round) or TF32, and the reduced-precision switches are turned off anyway.

After the GEMM, the offset add, g and the cast to int8 are one expression: on CUDA it is compiled
with torch.compile into one kernel (checked against the eager expression when the backend is
made, eager if compiling fails or disagrees); on CPU it runs eagerly (a compiled CPU kernel
measured no faster here, 18 ms against 15 ms at n = 2048, and took 8-25 s to compile).

torch is imported lazily: without it, only the numpy backend is available.
"""

from __future__ import annotations

import importlib.util
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from gpumarket.pogemm import spec
from gpumarket.pogemm.backend_names import BACKEND_NAMES, NUMPY, TORCH_CPU, TORCH_CUDA
from gpumarket.pogemm.settings import PoGemmSettings


class BackendUnavailable(RuntimeError):
    """The named backend cannot run here (torch or CUDA missing) or does not exist."""


class Backend(ABC):
    """Device-resident X, B and offsets, and the step. Values crossing the API are numpy arrays."""

    name: str

    @abstractmethod
    def upload_b(self, b: spec.Int8Matrix) -> Any:
        """B (n×n, any layout) in the backend's form."""

    @abstractmethod
    def upload_x(self, x: spec.Int8Matrix) -> Any:
        """X (rows×n int8) in the backend's form."""

    @abstractmethod
    def upload_u(self, u: spec.Int8Matrix) -> Any:
        """The U rows of X's rows (rows×n int8) in the backend's form."""

    @abstractmethod
    def offsets(self, u: Any, v: npt.NDArray[np.int8]) -> Any:
        """``(U + V) * 512`` on the device, for uploaded U rows and a host V: one V row (n,),
        broadcast, or one per row (rows×n). Constant over the K steps of an interval."""

    @abstractmethod
    def step(self, x: Any, b: Any, offset: Any) -> Any:
        """One step g(X @ B + offset), staying on the device."""

    @abstractmethod
    def download(self, x: Any) -> spec.Int8Matrix:
        """X as a C-contiguous numpy int8 array (a synchronisation point)."""

    def synchronize(self) -> None:
        """Wait for queued device work (timing needs it on asynchronous devices)."""
        return None

    def mark(self) -> Any:
        """A point in the device's work, for `seconds_between`. Here: wait for the device, read
        the host clock; CUDA records an event instead, which does not stall the queue."""
        self.synchronize()
        return time.perf_counter()

    def seconds_between(self, start: Any, end: Any) -> float:
        """Device seconds between two marks (waits for the later one)."""
        return float(end - start)

    def run(self, x: Any, b: Any, offset: Any, steps: int) -> Any:
        for _ in range(steps):
            x = self.step(x, b, offset)
        return x

    def steps_host(
        self,
        x: spec.Int8Matrix,
        b: spec.Int8Matrix,
        u: spec.Int8Matrix,
        v: npt.NDArray[np.int8],
        steps: int,
    ) -> spec.Int8Matrix:
        """`steps` steps of one interval from host X, with host B, U rows and V row(s)."""
        offset = self.offsets(self.upload_u(u), v)
        return self.download(self.run(self.upload_x(x), self.upload_b(b), offset, steps))


def _check_exact_float32(n: int) -> None:
    if n > spec.MAX_EXACT_FLOAT32_N:
        raise ValueError(f"float32 GEMM is exact only for n <= {spec.MAX_EXACT_FLOAT32_N}")


def _numpy_g_to_float32(z: npt.NDArray[np.int32]) -> npt.NDArray[np.float32]:
    """g(z) as float32, overwriting z: ``(((z ^ (z >> 6)) >> 3) & 15) - 8``.

    Arithmetic shifts distribute over XOR, so ``(z >> 3) ^ (z >> 9) == (z ^ (z >> 6)) >> 3``:
    one shift fewer than g as written, and every operation in place.
    """
    shifted = z >> 6
    z ^= shifted
    z >>= 3
    z &= 15
    z -= spec.ENTRY_OFFSET
    return z.astype(np.float32)


class NumpyBackend(Backend):
    """float32 BLAS GEMM of small integers (exact), offset and g in int32."""

    name = NUMPY

    def upload_b(self, b: spec.Int8Matrix) -> np.ndarray:
        _check_exact_float32(b.shape[0])
        return np.ascontiguousarray(b, dtype=np.float32)

    def upload_x(self, x: spec.Int8Matrix) -> np.ndarray:
        return np.ascontiguousarray(x, dtype=np.float32)

    def upload_u(self, u: spec.Int8Matrix) -> np.ndarray:
        return np.ascontiguousarray(u, dtype=np.int32)

    def offsets(self, u: np.ndarray, v: npt.NDArray[np.int8]) -> np.ndarray:
        return spec.offsets(u, np.asarray(v, dtype=np.int8))

    def step(self, x: np.ndarray, b: np.ndarray, offset: np.ndarray) -> np.ndarray:
        z = (x @ b).astype(np.int32)
        z += offset
        return _numpy_g_to_float32(z)

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


def _torch_offsets(torch: Any, u: Any, v: npt.NDArray[np.int8]) -> Any:
    # int16 holds (U + V) * 512 exactly: U + V is in [-16, 14], so the product is in
    # [-8192, 7168]. Multiplying (not shifting) keeps negative values well defined.
    v_tensor = torch.from_numpy(np.ascontiguousarray(v, dtype=np.int16)).to(u.device)
    return (u + v_tensor) * (1 << spec.OFFSET_SHIFT)


def _torch_g_int8_for(torch: Any) -> Callable[[Any, Any], Any]:
    """g(y + offset) as int8, in one expression: the int32 -> int8 cast comes before the last
    two operations, which then run on a quarter of the bytes.

    torch's >> on int32 is an arithmetic shift, and ``(z >> 3) ^ (z >> 9) == (z ^ (z >> 6)) >> 3``.
    The cast keeps the low 8 bits (two's complement), of which ``& 15`` keeps the low 4: g's
    nibble. int8 tensors with Python-int operands stay int8, and 0 - 8 ... 15 - 8 cannot wrap.
    """
    int8 = torch.int8

    def g_int8(y: Any, offset: Any) -> Any:
        z = y + offset
        return (((z ^ (z >> 6)) >> 3).to(int8) & 15) - spec.ENTRY_OFFSET

    return g_int8


#: y values the compiled kernel is checked on: every int32 an n <= 2^18 GEMM plus offset can give
#: lies in +-(2^24 + 2^13); this covers g's whole period (2^13) several times, at both signs and
#: at the ends of that range.
def _probe_inputs(torch: Any, device: Any) -> tuple[Any, Any]:
    limit = 64 * spec.MAX_EXACT_FLOAT32_N
    middle = torch.arange(-(1 << 15), 1 << 15, dtype=torch.int32)
    ends = torch.cat([torch.arange(-limit, -limit + 4096), torch.arange(limit - 4096, limit)])
    y = torch.cat([middle, ends.to(torch.int32)]).reshape(-1, 64).to(device)
    offset_values = torch.arange(-16, 15, dtype=torch.int16) * (1 << spec.OFFSET_SHIFT)
    offset = offset_values.repeat(y.numel() // offset_values.numel() + 1)[: y.numel()]
    return y, offset.reshape(y.shape).to(device)


class _FusedTail:
    """The fused expression (`_torch_g_int8_for`), compiled with torch.compile where asked and
    where it compiles and agrees with the eager expression on `_probe_inputs`; eager otherwise
    (`mode` says which, `reason` why)."""

    def __init__(self, torch: Any, device: Any, compile_kernel: bool) -> None:
        self._eager = _torch_g_int8_for(torch)
        self._function = self._eager
        self.mode = "eager"
        self.reason = "not compiled on this device" if not compile_kernel else ""
        if compile_kernel:
            self._try_compile(torch, device)

    def _try_compile(self, torch: Any, device: Any) -> None:
        try:
            compiled = torch.compile(self._eager, dynamic=True)
            y, offset = _probe_inputs(torch, device)
            agrees = bool(torch.equal(compiled(y, offset), self._eager(y, offset)))
        except Exception as error:  # noqa: BLE001 - any compiler failure means: stay eager
            self.reason = f"torch.compile failed: {type(error).__name__}: {error}"[:300]
            return
        if not agrees:
            self.reason = "the compiled kernel disagreed with the eager expression"
            return
        self._function, self.mode, self.reason = compiled, "torch.compile", ""

    def __call__(self, y: Any, offset: Any) -> Any:
        if self.mode == "eager":
            return self._function(y, offset)
        try:
            return self._function(y, offset)
        except Exception as error:  # noqa: BLE001 - a recompilation failing on a new shape
            self._function, self.mode = self._eager, "eager"
            self.reason = f"torch.compile failed later: {type(error).__name__}"
            return self._function(y, offset)


class TorchCpuBackend(Backend):
    """torch float32 GEMM on CPU (exact for the same reason as numpy)."""

    name = TORCH_CPU

    def __init__(self) -> None:
        self._torch = _torch()
        # "highest" is the default; "medium" would let oneDNN round through bf16.
        self._torch.set_float32_matmul_precision("highest")
        self.tail = _FusedTail(self._torch, "cpu", compile_kernel=False)

    def upload_b(self, b: spec.Int8Matrix) -> Any:
        _check_exact_float32(b.shape[0])
        return self._torch.from_numpy(np.ascontiguousarray(b, dtype=np.float32))

    def upload_x(self, x: spec.Int8Matrix) -> Any:
        return self._torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))

    def upload_u(self, u: spec.Int8Matrix) -> Any:
        return self._torch.from_numpy(np.ascontiguousarray(u, dtype=np.int16))

    def offsets(self, u: Any, v: npt.NDArray[np.int8]) -> Any:
        return _torch_offsets(self._torch, u, v)

    def step(self, x: Any, b: Any, offset: Any) -> Any:
        torch = self._torch
        return self.tail((x @ b).to(torch.int32), offset).to(torch.float32)

    def download(self, x: Any) -> spec.Int8Matrix:
        return np.ascontiguousarray(x.to(self._torch.int8).numpy())


class TorchInt8Backend(Backend):
    """``torch._int_mm`` int8 GEMM with int32 accumulation, then the fused offset + g + cast.

    The device is CUDA in production (backend "torch-cuda"); torch also runs _int_mm on CPU, which
    lets the tests check this exact code path on machines without a GPU. `compile_kernel`
    (default: on CUDA only) compiles the fused tail with torch.compile.
    """

    def __init__(self, device: str = "cuda", compile_kernel: bool | None = None) -> None:
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
        compile_here = (device == "cuda") if compile_kernel is None else compile_kernel
        self.tail = _FusedTail(torch, self._device, compile_here)

    def upload_b(self, b: spec.Int8Matrix) -> Any:
        # cuBLASLt's int8 kernels want B column-major: upload the columns and transpose the view.
        columns = np.ascontiguousarray(np.asarray(b, dtype=np.int8).T)
        return self._torch.from_numpy(columns).to(self._device).t()

    def upload_x(self, x: spec.Int8Matrix) -> Any:
        rows = np.ascontiguousarray(x, dtype=np.int8)
        return self._torch.from_numpy(rows).to(self._device)

    def upload_u(self, u: spec.Int8Matrix) -> Any:
        rows = np.ascontiguousarray(u, dtype=np.int16)
        return self._torch.from_numpy(rows).to(self._device)

    def offsets(self, u: Any, v: npt.NDArray[np.int8]) -> Any:
        return _torch_offsets(self._torch, u, v)

    def step(self, x: Any, b: Any, offset: Any) -> Any:
        return self.tail(self._torch._int_mm(x, b), offset)

    def download(self, x: Any) -> spec.Int8Matrix:
        return np.ascontiguousarray(x.cpu().numpy())

    def synchronize(self) -> None:
        if self._device.type == "cuda":
            self._torch.cuda.synchronize()

    def mark(self) -> Any:
        if self._device.type != "cuda":
            return super().mark()
        event = self._torch.cuda.Event(enable_timing=True)
        event.record()
        return event

    def seconds_between(self, start: Any, end: Any) -> float:
        if self._device.type != "cuda":
            return super().seconds_between(start, end)
        end.synchronize()
        return float(start.elapsed_time(end)) / 1000.0


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


def time_raw_gemm(
    backend: Backend,
    x: spec.Int8Matrix,
    b: spec.Int8Matrix,
    steps: int,
    u: spec.Int8Matrix | None = None,
    v: npt.NDArray[np.int8] | None = None,
) -> float:
    """Seconds for `steps` steps on the device, no hashing: the backend's raw GEMM throughput.

    U and V default to zeros: the values do not change the time. `gpumarket bench` does not use
    this separate run; the prover interleaves its raw GEMM with its own steps (`prove`).
    """
    b_device = backend.upload_b(b)
    x_device = backend.upload_x(x)
    u_rows = np.zeros_like(x, dtype=np.int8) if u is None else u
    v_row = np.zeros(x.shape[1], dtype=np.int8) if v is None else v
    offset = backend.offsets(backend.upload_u(u_rows), v_row)
    # One untimed step pays for lazy initialisation (cuBLAS handles, BLAS thread pools).
    backend.step(x_device, b_device, offset)
    backend.synchronize()
    started = time.perf_counter()
    x_device = backend.run(x_device, b_device, offset, steps)
    backend.synchronize()
    return time.perf_counter() - started
