"""The GPU catalogue: every model the package knows, its reference int8 dense tensor throughput
and where that figure comes from; and detection of the local GPU.

This is the one home of GPU models: the CLI checks `--gpu` against it and lists it in `--help`,
the oracle judges measured throughput against its figures, and `gpumarket bench` reports a
fraction of them. It imports nothing heavy (torch only inside `detect_gpu`), so the CLI can read
it for its help texts.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class GpuModel:
    """A GPU model as offers carry it on-chain (`name`, bytes32 ASCII); the int8 tensor
    throughput per GPU that its vendor's datasheet (`source`) states, in TOPS, and whether that
    figure is "with structured sparsity"; and a pattern of the device names (upper-cased) that
    torch reports for it."""

    name: str
    datasheet_tops: float
    with_sparsity: bool
    source: str
    device: str

    @property
    def int8_tops(self) -> float:
        """Int8 dense TOPS: the datasheet's figure, halved where it is with sparsity (2:4
        sparsity doubles the rate; PoGEMM's matrices are dense)."""
        return self.datasheet_tops / 2 if self.with_sparsity else self.datasheet_tops


_H100 = "https://www.nvidia.com/en-us/data-center/h100/ (H100 datasheet"
_H200 = "https://www.nvidia.com/en-us/data-center/h200/ (H200 datasheet"
_A100 = (
    "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
    "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf (A100 datasheet"
)

# Datasheets mostly state int8 "with sparsity" (marked * below), twice the dense rate that
# `GpuModel.int8_tops` gives. Detection tries the patterns in this order, the most specific
# first: H100 NVL and PCIe before the H100 SXM's bare "H100", the A100 sizes before the legacy
# "A100". A pattern's \b keeps "L4" from matching "L40S", "H200" from "GH200", "B200" from
# "GB200". Neither the figures nor the device names have been checked on the hardware here: the
# figures are the sources' and the names those that torch is documented and reported to give.
GPU_MODELS: tuple[GpuModel, ...] = (
    # The per-GPU figure of the HGX B200 table (9 POPS*; 72 POPS* for the 8-GPU board), at the
    # board's 1,000 W per GPU: a B200 run at a lower power limit has a lower peak.
    GpuModel(
        "B200",
        9000.0,
        True,
        "https://www.nvidia.com/en-us/data-center/hgx/ (HGX B200 datasheet: 9 POPS* per GPU)",
        r"\bB200\b",
    ),
    # The NVL (PCIe card) before the SXM's bare name; both have 141 GB.
    GpuModel("H200-NVL", 3341.0, True, _H200 + ": 3,341 TOPS* NVL)", r"\bH200\b.*\bNVL\b"),
    GpuModel("H200", 3958.0, True, _H200 + ": 3,958 TOPS* SXM)", r"\bH200\b"),
    GpuModel("H100-NVL-94GB", 3341.0, True, _H100 + ": 3,341 TOPS* NVL)", r"\bH100\b.*\bNVL\b"),
    # The current H100 datasheet lists SXM and NVL only; the PCIe figure is the H100 PCIe
    # product brief's (PB-11133-001, 114 SMs at 350 W).
    GpuModel(
        "H100-PCIE-80GB",
        3026.0,
        True,
        "NVIDIA H100 PCIe product brief PB-11133-001 (3,026 TOPS*)",
        r"\bH100\b.*\bPCIE\b",
    ),
    GpuModel("H100-SXM-80GB", 3958.0, True, _H100 + ": 3,958 TOPS* SXM)", r"\bH100\b"),
    # One figure for both sizes and both forms (SXM4 and PCIe): the datasheet gives 624 TOPS
    # dense beside 1,248 TOPS*.
    GpuModel("A100-40GB", 1248.0, True, _A100 + ": 1,248 TOPS*, 40 GB)", r"\bA100\b.*\b40GB\b"),
    GpuModel("A100-80GB", 1248.0, True, _A100 + ": 1,248 TOPS*, 80 GB)", r"\bA100\b.*\b80GB\b"),
    # The name offers carried before the catalogue told the memory sizes apart.
    GpuModel("A100", 1248.0, True, _A100 + ": 1,248 TOPS*)", r"\bA100\b"),
    # AMD states the dense figure (5,229.8 TOPS with sparsity). The ROCm device name is AMD's
    # marketing name ("AMD Instinct MI300X", "... MI300X VF" in a VM).
    GpuModel(
        "MI300X",
        2614.9,
        False,
        "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html (AMD Instinct "
        "MI300X: 2,614.9 TOPS int8, 5,229.8 with sparsity)",
        r"\bMI300X\b",
    ),
    GpuModel(
        "L40S",
        1466.0,
        True,
        "https://www.nvidia.com/en-us/data-center/l40s/ (L40S datasheet: 1,466 TOPS*)",
        r"\bL40S\b",
    ),
    GpuModel(
        "L4",
        485.0,
        True,
        "https://www.nvidia.com/en-us/data-center/l4/ (L4 datasheet: 485 TOPS*)",
        r"\bL4\b",
    ),
    # Not the RTX 4090 D (114 SMs, not 128) nor the RTX 4090 Laptop GPU (another chip, AD103):
    # both have lower figures and no entry here.
    GpuModel(
        "RTX-4090",
        1321.2,
        True,
        "https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf "
        "(Ada whitepaper: 660.6/1,321.2* peak int8 tensor TOPS)",
        r"\b4090\b(?!\s*D\b)(?!.*\bLAPTOP\b)",
    ),
)

#: Reference int8 dense TOPS by model name (the names offers carry on-chain).
REFERENCE_INT8_TOPS: dict[str, float] = {m.name: m.int8_tops for m in GPU_MODELS}


def known_models() -> list[str]:
    """The catalogue's model names, sorted."""
    return sorted(REFERENCE_INT8_TOPS)


@dataclass(frozen=True)
class GpuInfo:
    device_name: str
    model: str | None

    @property
    def reference_tops(self) -> float | None:
        return REFERENCE_INT8_TOPS.get(self.model) if self.model else None


def model_for_device_name(device_name: str) -> str | None:
    """Map a CUDA or ROCm device name ("NVIDIA H100 80GB HBM3") to a catalogue model, if known."""
    upper = device_name.upper()
    for model in GPU_MODELS:
        if re.search(model.device, upper):
            return model.name
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
    """The first CUDA (or ROCm) device seen by torch, or None without torch or without a GPU.

    A MIG slice keeps its GPU's name ("NVIDIA A100-SXM4-40GB MIG 1g.5gb") and so its model,
    whose reference figure is the whole GPU's."""
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
