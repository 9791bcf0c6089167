"""ABI-only copies of the compiled contracts, so a command starts fast.

Brownie's build files carry ASTs and source maps (megabytes each); reading the six of them took
half a second per command. The copies are refreshed whenever a build file's size or mtime
changes, and live next to the build, or in the user's cache when the build directory is
read-only. An installed package has no build: it reads the copies it ships (chain/artifacts).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from gpumarket.chain.artifacts import BUILD_DIR, abi_dir
from gpumarket.chain.deployment import CONTRACT_NAMES, DeploymentError

#: (contract name, build file size, build file mtime in ns) of each contract.
Stamp = tuple[tuple[str, int, int], ...]


def slim_abi_dir() -> Path:
    """A directory of ABI-only copies of the compiled contracts, refreshed when a build changes;
    outside a checkout, the copies shipped in the package (already small)."""
    if abi_dir() != BUILD_DIR:
        return abi_dir()
    for root in (BUILD_DIR.parent / "cli-abi", Path.home() / ".cache" / "gpumarket-abi"):
        try:
            _refresh_slim_abis(root)
            return root
        except OSError:
            continue
    return BUILD_DIR


@functools.lru_cache(maxsize=4)
def _refresh_slim_abis_cached(root: Path, stamp: Stamp) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, size, mtime in stamp:
        slim = root / f"{name}.json"
        marker = [size, mtime]
        try:
            if json.loads(slim.read_text()).get("source") == marker:
                continue
        except (OSError, ValueError):
            pass
        full = json.loads((BUILD_DIR / f"{name}.json").read_text())
        tmp = slim.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"abi": full["abi"], "source": marker}))
        tmp.replace(slim)


def _refresh_slim_abis(root: Path) -> None:
    stamp = []
    for name in CONTRACT_NAMES:
        try:
            info = (BUILD_DIR / f"{name}.json").stat()
        except FileNotFoundError:
            raise DeploymentError(
                f"no compiled contract {BUILD_DIR / name}.json: run `make compile` in the "
                "repository first"
            ) from None
        stamp.append((name, info.st_size, info.st_mtime_ns))
    _refresh_slim_abis_cached(root, tuple(stamp))
