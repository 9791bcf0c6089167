"""The installed distributions that none of the given lock files names (nor pip, nor gpumarket
itself), one per line: what tools/setup.sh uninstalls so the environment is exactly the lock."""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==")
KEEP = {"pip", "gpumarket"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(paths: list[Path]) -> set[str]:
    names = set()
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            match = PIN.match(line)
            if match:
                names.add(canonical(match[1]))
    return names


def main(argv: list[str]) -> int:
    keep = locked([Path(a) for a in argv]) | KEEP
    installed = {canonical(d.metadata["Name"]) for d in importlib.metadata.distributions()}
    for name in sorted(installed - keep):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
