"""The deployment recipes name only what exists: the Dockerfile's entry point and the systemd
units' ExecStart are console scripts of pyproject.toml whose subcommands the CLI has, every
GPUMARKET_* variable they or the example settings set is a settings field, the image does not
run as root, and every path the image copies is in the repository (or made by `make compile`)."""

from __future__ import annotations

import configparser
import importlib
import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from gpumarket.agent.settings import AgentSettings
from gpumarket.oracle.settings import OracleSettings

REPO = Path(__file__).resolve().parents[2]
UNITS = sorted((REPO / "deploy" / "systemd").glob("*.service"))
SETTINGS = {"GPUMARKET_AGENT_": AgentSettings, "GPUMARKET_ORACLE_": OracleSettings}


def console_scripts() -> dict[str, str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]


def assert_runs(command: list[str]) -> None:
    """`command` is a console script and a subcommand path its CLI knows (`--help` of it)."""
    script, *args = command
    scripts = console_scripts()
    assert Path(script).name in scripts, f"{script} is not a console script of pyproject.toml"
    module, _, attr = scripts[Path(script).name].partition(":")
    cli = getattr(importlib.import_module(module), attr)
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output


def assert_settings(names: set[str]) -> None:
    for name in names:
        prefix = next(p for p in SETTINGS if name.startswith(p))
        field = name.removeprefix(prefix).lower()
        assert field in SETTINGS[prefix].model_fields, f"{name}: no such setting"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(path.read_text())
    return parser


def test_there_is_a_unit_for_each_service():
    assert [p.name for p in UNITS] == ["gpumarket-agent.service", "gpumarket-oracle.service"]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_a_units_exec_start_is_a_console_script_subcommand(path):
    service = unit(path)["Service"]
    command = shlex.split(service["ExecStart"])

    assert_runs(command)
    assert command[1:] == [path.stem.removeprefix("gpumarket-"), "run"]
    assert service["User"] != "root"
    assert service["KillSignal"] == "SIGTERM"  # the services stop cleanly on it


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_a_units_variables_and_its_example_environment_are_settings(path):
    text = path.read_text()
    example = REPO / "deploy" / f"{path.stem.removeprefix('gpumarket-')}.env.example"
    names = set(re.findall(r"\b(GPUMARKET_(?:AGENT|ORACLE)_[A-Z_]+)=", text))
    names |= set(re.findall(r"^(GPUMARKET_[A-Z_]+)=", example.read_text(), re.M))

    assert names
    assert_settings(names)


def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def instruction(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", dockerfile(), re.M)


def test_the_images_entry_point_and_command_are_a_console_script_subcommand():
    [entrypoint] = instruction("ENTRYPOINT")
    [cmd] = instruction("CMD")

    assert_runs(json.loads(entrypoint) + json.loads(cmd))
    assert_runs(json.loads(entrypoint) + ["oracle", "run"])


def test_the_image_runs_as_a_user_and_pins_its_base():
    [user] = instruction("USER")
    [base] = [a for a in instruction("ARG") if a.startswith("PYTHON_IMAGE=")]
    assert instruction("FROM") == ["${PYTHON_IMAGE} AS wheels", "${PYTHON_IMAGE}"]

    assert user.split(":")[0] not in ("root", "0")
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base)
    assert "latest" not in base


def test_the_image_installs_the_lock_and_copies_what_exists():
    assert "pip wheel --no-cache-dir --no-deps -r requirements.lock" in dockerfile()
    assert "pip install --no-deps --no-index /wheels/*.whl" in dockerfile()
    for line in instruction("COPY"):
        if line.startswith("--from="):
            continue
        *sources, _ = line.split()
        for source in sources:
            # build/contracts is made by `make compile` before `docker build`.
            assert (REPO / source).exists() or source == "build/contracts", source
    variables = set(re.findall(r"\b(GPUMARKET_(?:AGENT|ORACLE)_[A-Z_]+)=", dockerfile()))
    assert_settings(variables)
