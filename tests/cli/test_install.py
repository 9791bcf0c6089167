"""The package installs anywhere: a wheel built from the tree, installed into a fresh virtualenv,
gives a `gpumarket` that works outside the checkout, with the contracts it ships and its
deployments in the user's data directory. Offline: the wheel is built without build isolation
and installed without dependencies, which the new virtualenv finds in this one's site-packages.

Also: the shipped contract files are those of the current build (`make artifacts` rewrites them).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from gpumarket.chain import artifacts

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_contract_files_are_the_current_build():
    assert artifacts.stale() == [], "shipped contracts differ from the build: run `make artifacts`"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin directory, clean environment) of a fresh virtualenv with the built wheel installed."""
    tmp = tmp_path_factory.mktemp("install")
    # Only what the wheel is built from: setuptools would otherwise write into ./build, which is
    # Brownie's.
    src = tmp / "src"
    shutil.copytree(
        ROOT / "gpumarket", src / "gpumarket", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GPUMARKET_", "PYTHON"))}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", tmp / "dist", src],
        check=True,
        env=env,
        cwd=tmp,
    )
    (wheel,) = (tmp / "dist").glob("gpumarket-*.whl")

    prefix = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(prefix)
    bin_dir = prefix / ("Scripts" if os.name == "nt" else "bin")
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)})
    )
    # The dependencies: this environment's site-packages, after the new one's own (a path, not a
    # site directory, so the checkout's editable install is not seen).
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "-q", "install", "--no-deps", "--no-index", wheel],
        check=True,
        env=env,
        cwd=tmp,
    )
    home = tmp / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), COLUMNS="100")
    return bin_dir, env, home


def run(installed, *args: str) -> subprocess.CompletedProcess[str]:
    bin_dir, env, home = installed
    return subprocess.run(  # noqa: S603 - the installed console script
        [str(bin_dir / "gpumarket"), *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_installed_package_is_the_wheels_with_its_contracts(installed):
    bin_dir, env, home = installed
    code = (
        "import json, gpumarket, gpumarket.chain.artifacts as a, gpumarket.chain.deployment as d\n"
        "print(json.dumps([gpumarket.__file__, str(a.abi_dir()), str(d.deployments_dir())]))"
    )
    out = subprocess.run(
        [str(bin_dir / "python"), "-c", code],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    package, abi_dir, deployments = json.loads(out)
    prefix = str(bin_dir.parent)
    assert package.startswith(prefix) and abi_dir.startswith(prefix)
    assert sorted(p.name for p in Path(abi_dir).glob("*.json")) == sorted(
        f"{name}.json" for name in artifacts.SHIPPED
    )
    assert deployments == str(home / ".local" / "share" / "gpumarket" / "deployments")


def test_the_installed_cli_helps_and_reads_the_chain_from_outside_the_checkout(
    installed, deployment_file, rpc_url, provider
):
    help_text = run(installed, "--help")
    assert help_text.returncode == 0, help_text.stderr
    assert "buyer" in help_text.stdout and "provider" in help_text.stdout

    # The deployment where an installed CLI looks by default: the user's data directory.
    _, _, home = installed
    deployments = home / ".local" / "share" / "gpumarket" / "deployments"
    deployments.mkdir(parents=True, exist_ok=True)
    shutil.copy2(deployment_file, deployments / "development.json")
    status = run(
        installed,
        "provider",
        "status",
        "--address",
        provider.address,
        "--rpc-url",
        rpc_url,
        "--json",
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert json.loads(status.stdout)["provider"] == provider.address
