"""The compiled contracts the CLI and the services need, shipped inside the package.

An installed `gpumarket` (a wheel, `pipx install .`) has no `build/`: it reads the ABIs and the
creation bytecode of the protocol's contracts from the JSON files beside this module, one per
contract, with nothing else of Brownie's build (no ASTs, no source maps). In a checkout whose
`build/contracts` holds a complete build, that build is used instead, so a contract being
changed is read as just compiled. `GPUMARKET_ABI_DIR` names another directory of such files.

`python -m gpumarket.chain.artifacts` (`make artifacts`) rewrites the shipped files from the
build; `tests/test_packaging.py` fails while they differ from it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gpumarket.chain.deployment import CONTRACT_NAMES

#: Where the shipped files live (package data).
PACKAGED_DIR = Path(__file__).resolve().parent
#: Brownie's build in a checkout.
BUILD_DIR = PACKAGED_DIR.parents[2] / "build" / "contracts"
#: What is shipped: the protocol's contracts, JobMarket's linked libraries, and the 6-decimal
#: stablecoin `gpumarket deploy` adds on dev chains (contracts/test/MockERC20.sol).
SHIPPED = (*CONTRACT_NAMES, "MarketGovernance", "MarketDisputes", "MockERC20")
#: The fields kept of each build file.
FIELDS = ("contractName", "abi", "bytecode")


def abi_dir() -> Path:
    """Where the contracts' JSON files are read from: GPUMARKET_ABI_DIR, else a checkout's
    complete build, else the shipped copies."""
    if os.environ.get("GPUMARKET_ABI_DIR"):
        return Path(os.environ["GPUMARKET_ABI_DIR"])
    if all((BUILD_DIR / f"{name}.json").is_file() for name in SHIPPED):
        return BUILD_DIR
    return PACKAGED_DIR


def slim(build_file: dict[str, Any]) -> dict[str, Any]:
    """The shipped form of one Brownie build file."""
    return {key: build_file[key] for key in FIELDS}


def render(build: Path = BUILD_DIR) -> dict[str, str]:
    """File name -> the text each shipped file should hold, from `build`."""
    files = {}
    for name in SHIPPED:
        data = json.loads((build / f"{name}.json").read_text())
        files[f"{name}.json"] = json.dumps(slim(data), indent=1, sort_keys=True) + "\n"
    return files


def stale(build: Path = BUILD_DIR, dest: Path = PACKAGED_DIR) -> list[str]:
    """The shipped files that differ from `build` (or are missing)."""
    out = []
    for file_name, text in render(build).items():
        path = dest / file_name
        if not path.is_file() or path.read_text() != text:
            out.append(file_name)
    return out


def export(build: Path = BUILD_DIR, dest: Path = PACKAGED_DIR) -> list[str]:
    """Rewrite the shipped files from `build`; the names of those that changed."""
    changed = stale(build, dest)
    for file_name, text in render(build).items():
        if file_name in changed:
            (dest / file_name).write_text(text)
    return changed


def main() -> int:
    missing = [name for name in SHIPPED if not (BUILD_DIR / f"{name}.json").is_file()]
    if missing:
        print(f"no build of {', '.join(missing)} in {BUILD_DIR}: run `make compile` first")
        return 1
    changed = export()
    print(f"{len(changed)} of {len(SHIPPED)} shipped contract files rewritten in {PACKAGED_DIR}")
    return 0
