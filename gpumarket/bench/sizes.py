"""Runtime (deployed) bytecode sizes of the protocol's contracts against EIP-170, from Brownie's
build: read by the size test in `make test` and by the BENCHMARKS.md report."""

from __future__ import annotations

import json
from pathlib import Path

#: EIP-170's limit on a contract's runtime code.
EIP170_LIMIT = 24_576
#: The room every deployable contract keeps under the limit.
REQUIRED_HEADROOM = 2_048
#: Below this a library has no external functions: it deploys as an empty stub.
_STUB_SIZE = 100

DEFAULT_BUILD = Path(__file__).resolve().parents[2] / "build" / "contracts"


def runtime_sizes(build: Path = DEFAULT_BUILD) -> dict[str, int]:
    """Bytes of runtime code of each deployable contract and linked library under `contracts/`
    (test doubles under `contracts/test/` and internal-only libraries left out)."""
    sizes = {}
    for path in sorted(build.glob("*.json")):
        artifact = json.loads(path.read_text())
        source = artifact.get("sourcePath", "")
        if not source.startswith("contracts/") or source.startswith("contracts/test/"):
            continue
        size = len(artifact.get("deployedBytecode", "")) // 2
        if artifact.get("type") == "library" and size < _STUB_SIZE:
            continue
        sizes[artifact["contractName"]] = size
    return sizes


def size_rows(sizes: dict[str, int]) -> list[tuple[str, int, int]]:
    """(contract, bytes, headroom), largest first."""
    return [(n, s, EIP170_LIMIT - s) for n, s in sorted(sizes.items(), key=lambda kv: -kv[1])]
