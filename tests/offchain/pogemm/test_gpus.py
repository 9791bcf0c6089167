"""The reference TOPS table and mapping CUDA device names onto it."""

from __future__ import annotations

import importlib.util

import pytest

from gpumarket.pogemm import gpus


@pytest.mark.parametrize(
    ("device_name", "model"),
    [
        ("NVIDIA H100 80GB HBM3", "H100-SXM-80GB"),
        ("NVIDIA H100 PCIe", "H100-PCIE-80GB"),
        ("NVIDIA H200", "H200"),
        ("NVIDIA A100-SXM4-80GB", "A100"),
        ("NVIDIA L40S", "L40S"),
        ("NVIDIA GeForce RTX 4090", "RTX-4090"),
        ("Tesla T4", None),
    ],
)
def test_device_names_map_to_models(device_name: str, model: str | None) -> None:
    assert gpus.model_for_device_name(device_name) == model


def test_reference_table_holds_the_design_figures() -> None:
    assert gpus.REFERENCE_INT8_TOPS == {
        "H100-SXM-80GB": 1979.0,
        "H100-PCIE-80GB": 1513.0,
        "H200": 1979.0,
        "A100": 624.0,
        "L40S": 733.0,
        "RTX-4090": 661.0,
    }


def test_fraction_of_reference() -> None:
    assert gpus.fraction_of_reference(989.5e12, "H100-SXM-80GB") == pytest.approx(0.5)


def test_unknown_model_has_no_reference() -> None:
    with pytest.raises(ValueError):
        gpus.reference_tops("GTX-480")


def test_no_gpu_is_detected_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "torch" else real_find_spec(name, *args),
    )

    assert gpus.detect_gpu() is None
