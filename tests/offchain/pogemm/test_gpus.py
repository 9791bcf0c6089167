"""The GPU catalogue (`gpus.GPU_MODELS`), its reference TOPS table and mapping torch device names
onto it."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest

from gpumarket.pogemm import gpus

#: Device names as torch reports them (`torch.cuda.get_device_name`), and the model each is.
DEVICE_NAMES = [
    ("NVIDIA B200", "B200"),
    ("NVIDIA H200", "H200"),
    ("NVIDIA H200 NVL", "H200-NVL"),
    ("NVIDIA H100 NVL", "H100-NVL-94GB"),
    ("NVIDIA H100 PCIe", "H100-PCIE-80GB"),
    ("NVIDIA H100 80GB HBM3", "H100-SXM-80GB"),
    ("NVIDIA A100-SXM4-40GB", "A100-40GB"),
    ("NVIDIA A100-PCIE-40GB", "A100-40GB"),
    ("NVIDIA A100-SXM4-80GB", "A100-80GB"),
    ("NVIDIA A100 80GB PCIe", "A100-80GB"),
    ("NVIDIA A100-SXM", "A100"),
    # A MIG slice is its GPU's model, with the whole GPU's figure (detect_gpu's docstring).
    ("NVIDIA A100-SXM4-40GB MIG 1g.5gb", "A100-40GB"),
    ("AMD Instinct MI300X", "MI300X"),
    ("AMD Instinct MI300X VF", "MI300X"),
    ("NVIDIA L40S", "L40S"),
    ("NVIDIA L4", "L4"),
    ("NVIDIA GeForce RTX 4090", "RTX-4090"),
    # Near names that are other GPUs, with other figures: no model.
    ("NVIDIA L40", None),
    ("NVIDIA GB200", None),
    ("NVIDIA GH200 480GB", None),
    ("NVIDIA H20", None),
    ("NVIDIA H800", None),
    ("AMD Instinct MI300A", None),
    ("NVIDIA GeForce RTX 4090 D", None),
    ("NVIDIA GeForce RTX 4090 Laptop GPU", None),
    ("NVIDIA GeForce RTX 4080", None),
    ("Tesla T4", None),
    ("", None),
]


@pytest.mark.parametrize(("device_name", "model"), DEVICE_NAMES)
def test_device_names_map_to_models(device_name: str, model: str | None) -> None:
    assert gpus.model_for_device_name(device_name) == model


@pytest.mark.parametrize(("device_name", "model"), [d for d in DEVICE_NAMES if d[1]])
def test_detection_ignores_case(device_name: str, model: str) -> None:
    assert gpus.model_for_device_name(device_name.lower()) == model


def test_every_model_has_a_device_name_in_the_detection_tests() -> None:
    assert {model for _, model in DEVICE_NAMES if model} == set(gpus.REFERENCE_INT8_TOPS)


def test_l4_and_l40s_do_not_match_each_other() -> None:
    """Each pattern on its own, not only in catalogue order (L40S is tried first)."""
    patterns = {m.name: re.compile(m.device) for m in gpus.GPU_MODELS}

    assert (patterns["L4"].search("NVIDIA L40S"), patterns["L40S"].search("NVIDIA L4")) == (
        None,
        None,
    )
    assert patterns["L4"].search("NVIDIA L4") and patterns["L40S"].search("NVIDIA L40S")


def test_reference_table_holds_the_dense_figures() -> None:
    assert gpus.REFERENCE_INT8_TOPS == {
        "B200": 4500.0,
        "H200": 1979.0,
        "H200-NVL": 1670.5,
        "H100-NVL-94GB": 1670.5,
        "H100-PCIE-80GB": 1513.0,
        "H100-SXM-80GB": 1979.0,
        "A100-40GB": 624.0,
        "A100-80GB": 624.0,
        "A100": 624.0,
        "MI300X": 2614.9,
        "L40S": 733.0,
        "L4": 242.5,
        "RTX-4090": 660.6,
    }


def test_a_figure_with_sparsity_is_halved_and_a_dense_one_kept() -> None:
    h100 = gpus.GpuModel("X", 3958.0, True, "datasheet", "X")
    mi300x = gpus.GpuModel("Y", 2614.9, False, "datasheet", "Y")

    assert (h100.int8_tops, mi300x.int8_tops) == (1979.0, 2614.9)


def test_every_model_names_its_source_and_fits_the_chain() -> None:
    upper = [m.name.upper() for m in gpus.GPU_MODELS]
    assert len(set(upper)) == len(upper)  # `--gpu` matches any case: no two names may collide
    for model in gpus.GPU_MODELS:
        assert model.name.isascii() and 0 < len(model.name.encode()) <= 32, model.name
        assert model.source and model.int8_tops > 0, model.name


def test_known_models_are_the_catalogue_sorted() -> None:
    assert gpus.known_models() == [
        "A100",
        "A100-40GB",
        "A100-80GB",
        "B200",
        "H100-NVL-94GB",
        "H100-PCIE-80GB",
        "H100-SXM-80GB",
        "H200",
        "H200-NVL",
        "L4",
        "L40S",
        "MI300X",
        "RTX-4090",
    ]


def test_fraction_of_reference() -> None:
    assert gpus.fraction_of_reference(989.5e12, "H100-SXM-80GB") == pytest.approx(0.5)


def test_unknown_model_has_no_reference() -> None:
    with pytest.raises(ValueError, match=r"^no reference TOPS for GPU model 'GTX-480'$"):
        gpus.reference_tops("GTX-480")


def test_no_gpu_is_detected_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "torch" else real_find_spec(name, *args),
    )

    assert gpus.detect_gpu() is None


def test_importing_the_catalogue_imports_no_torch_or_numpy() -> None:
    """The CLI reads the catalogue for its help texts: it must stay cheap to import."""
    code = (
        "import sys\n"
        "import gpumarket.pogemm.gpus\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout == "[]\n"
