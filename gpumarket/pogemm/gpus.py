"""Reference int8 dense tensor throughput per GPU model, and detection of the local GPU."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

# Vendor datasheet figures, int8 dense (without structured sparsity), in TOPS. The keys are the
# model names that offers carry on-chain (bytes32).
REFERENCE_INT8_TOPS: dict[str, float] = {
    "H100-SXM-80GB": 1979.0,
    "H100-PCIE-80GB": 1513.0,
    "H200": 1979.0,
    "A100": 624.0,
    "L40S": 733.0,
    "RTX-4090": 661.0,
}

# Substrings of the CUDA device name, most specific first.
_DEVICE_NAME_PATTERNS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("H200",), "H200"),
    (("H100", "PCIE"), "H100-PCIE-80GB"),
    (("H100",), "H100-SXM-80GB"),
    (("A100",), "A100"),
    (("L40S",), "L40S"),
    (("4090",), "RTX-4090"),
)


@dataclass(frozen=True)
class GpuInfo:
    device_name: str
    model: str | None

    @property
    def reference_tops(self) -> float | None:
        return REFERENCE_INT8_TOPS.get(self.model) if self.model else None


def model_for_device_name(device_name: str) -> str | None:
    """Map a CUDA device name ("NVIDIA H100 80GB HBM3") to a reference-table model, if known."""
    upper = device_name.upper()
    for needles, model in _DEVICE_NAME_PATTERNS:
        if all(needle in upper for needle in needles):
            return model
    return None


def reference_tops(model: str) -> float:
    try:
        return REFERENCE_INT8_TOPS[model]
    except KeyError:
        raise ValueError(f"no reference TOPS for GPU model {model!r}") from None


def fraction_of_reference(ops_per_second: float, model: str) -> float:
    """Measured ops/s as a fraction of the model's reference int8 dense TOPS."""
    return ops_per_second / (reference_tops(model) * 1e12)


def detect_gpu() -> GpuInfo | None:
    """The first CUDA device seen by torch, or None without torch or without a GPU."""
    if importlib.util.find_spec("torch") is None:
        return None
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    name = str(torch.cuda.get_device_name(0))
    return GpuInfo(device_name=name, model=model_for_device_name(name))
