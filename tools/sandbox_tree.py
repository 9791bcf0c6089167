"""A throw-away copy of the working tree, for the tools that change a contract and run tests
against it (tools/mutate.py, tools/inject_bug.py).

    with sandbox("gpumarket-mutant-") as tree:
        tree.write("contracts/OracleCouncil.sol", mutant)
        subprocess.run(tree.command("-m", "gpumarket.chain.launcher", "test", ...),
                       cwd=tree.root, env=tree.env())

The copy is a temporary directory holding the tracked and untracked (not ignored) files of the
repository (contracts, interfaces, tests, gpumarket, brownie-config.yaml, pyproject.toml, ...),
a copy of build/ (so that Brownie recompiles only what changed), and symbolic links to the
toolchain that tools/setup.sh installs (.venv, node_modules, .toolchain), which are shared and
only read. The directory is removed when the `with` block ends, by an exception or a signal
turned into one included; a run killed outright (SIGKILL) leaves at most that directory behind.
The repository itself is only read: `Sandbox.write` refuses any path that leads out of the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Set up by tools/setup.sh; linked from the copy, read-only.
SHARED = (".venv", "node_modules", ".toolchain")


def tree_env(tree: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) set up to run the project's tools in `tree`:
    its node_modules/.bin and .venv/bin first on PATH, its solc (SOLCX_BINARY_PATH), and `tree`
    first on PYTHONPATH, so that `import gpumarket` finds the tree's package rather than the one
    the virtualenv's editable install points at (the repository's)."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join(
        [str(tree / "node_modules" / ".bin"), str(tree / ".venv" / "bin"), env.get("PATH", "")]
    )
    env["SOLCX_BINARY_PATH"] = str(tree / ".toolchain" / "solcx")
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p) != tree]
    env["PYTHONPATH"] = os.pathsep.join([str(tree), *rest])
    return env


def copy_tree(destination: Path, root: Path = ROOT) -> None:
    """Copy `root`'s tracked and untracked (not ignored) files and its build folder into
    `destination`, and link the toolchain (SHARED) from it."""
    git = shutil.which("git") or "git"
    listed = subprocess.run(  # noqa: S603 - git with fixed arguments
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = os.fsdecode(raw)
        source = root / relative
        if source.is_file() and not source.is_symlink():  # a deleted tracked file is skipped
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in SHARED:
        if not (root / name).exists():
            raise SystemExit(f"{name} is missing: run `make setup` first")
        (destination / name).symlink_to(root / name)
    if (root / "build").is_dir():  # Brownie then recompiles only what changed in the copy
        shutil.copytree(root / "build", destination / "build", symlinks=True)


@dataclass(frozen=True)
class Sandbox:
    """A copy of the working tree at `root` (see `sandbox`)."""

    root: Path

    def path(self, relative: str | Path) -> Path:
        """The file `relative` (to the repository) in the copy; an error if it leads out of it
        (an absolute path, `..`, or through a link to the shared toolchain)."""
        full = (self.root / relative).resolve()
        if not full.is_relative_to(self.root.resolve()):
            raise ValueError(f"{relative} is outside the copy of the tree")
        return full

    def read(self, relative: str | Path) -> bytes:
        return self.path(relative).read_bytes()

    def write(self, relative: str | Path, content: bytes) -> None:
        """Replace the file `relative` in the copy with `content` (a mutant, a bug); the
        repository's own file is not touched."""
        self.path(relative).write_bytes(content)

    @property
    def python(self) -> Path:
        """The project's interpreter, through the copy's link to .venv."""
        return self.root / ".venv" / "bin" / "python"

    def command(self, *args: str) -> list[str]:
        """`python args...` with the project's interpreter."""
        return [str(self.python), *args]

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment for a command run in the copy (`tree_env`): the copy's gpumarket on
        PYTHONPATH, the toolchain on PATH and SOLCX_BINARY_PATH. Run it with cwd=`root`, so that
        Brownie uses the copy's contracts, tests and build."""
        return tree_env(self.root, base)


@contextmanager
def sandbox(prefix: str = "gpumarket-tree-", root: Path = ROOT) -> Iterator[Sandbox]:
    """A copy of `root`'s working tree in a new temporary directory, removed on leaving the block
    (also on an exception)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        copy = Path(tmp)
        copy_tree(copy, root)
        yield Sandbox(copy)
