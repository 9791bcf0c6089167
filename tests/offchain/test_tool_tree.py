"""tools/sandbox_tree.py: the throw-away copy of the working tree that tools/mutate.py and
tools/inject_bug.py write their mutants and bugs into. Pure Python, no chain: the copy holds the
tree, a write into it leaves the repository's contract byte-identical, and the temporary
directory is gone when the block ends, normally or by an exception."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
CONTRACT = "contracts/OracleCouncil.sol"
#: What a Brownie run of the tests needs in the copy, compared byte for byte with the repository.
COPIED = (
    CONTRACT,
    "contracts/libraries/JobEscrow.sol",
    "interfaces/IJobMarket.sol",
    "tests/conftest.py",
    "gpumarket/__init__.py",
    "gpumarket/chain/launcher.py",
    "brownie-config.yaml",
    "pyproject.toml",
)


@pytest.fixture
def tools(monkeypatch):
    """Import a module of tools/ as the tools do when run as scripts (tools/ on sys.path)."""
    monkeypatch.syspath_prepend(str(TOOLS))
    return importlib.import_module


@pytest.fixture
def sandbox_tree(tools):
    return tools("sandbox_tree")


def test_the_copy_holds_the_tree_and_links_the_toolchain(sandbox_tree):
    with sandbox_tree.sandbox() as tree:
        assert tree.root != ROOT and not tree.root.is_relative_to(ROOT)
        for relative in COPIED:
            copied = tree.root / relative
            assert copied.is_file() and not copied.is_symlink(), relative
            assert copied.read_bytes() == (ROOT / relative).read_bytes(), relative
        for name in sandbox_tree.SHARED:
            link = tree.root / name
            assert link.is_symlink() and link.resolve() == (ROOT / name).resolve(), name
        if (ROOT / "build").is_dir():  # compiled: Brownie reuses it in the copy
            assert (tree.root / "build").is_dir() and not (tree.root / "build").is_symlink()
            built = sorted(p.name for p in (ROOT / "build" / "contracts").glob("*.json"))
            assert sorted(p.name for p in (tree.root / "build" / "contracts").glob("*.json")) == (
                built
            )


def test_a_mutant_written_in_the_copy_leaves_the_live_contract_byte_identical(sandbox_tree):
    live = ROOT / CONTRACT
    before, mtime = live.read_bytes(), live.stat().st_mtime_ns
    mutant = before.replace(b">=", b"<", 1)
    assert mutant != before

    with sandbox_tree.sandbox() as tree:
        tree.write(CONTRACT, mutant)

        assert tree.read(CONTRACT) == mutant
        assert (tree.root / CONTRACT).read_bytes() == mutant
        assert live.read_bytes() == before

    assert live.read_bytes() == before
    assert live.stat().st_mtime_ns == mtime


def test_a_write_that_leads_out_of_the_copy_is_refused(sandbox_tree):
    with sandbox_tree.sandbox() as tree:
        for outside in ("../escaped.sol", str(ROOT / CONTRACT), "node_modules/escaped.sol"):
            with pytest.raises(ValueError, match="outside the copy"):
                tree.write(outside, b"// not here\n")
    assert not (ROOT / "node_modules" / "escaped.sol").exists()


def test_the_copy_is_removed_when_the_block_ends(sandbox_tree):
    with sandbox_tree.sandbox("gpumarket-test-tree-") as tree:
        root = tree.root
        assert root.name.startswith("gpumarket-test-tree-") and (root / CONTRACT).is_file()
    assert not root.exists()


def test_the_copy_is_removed_after_an_exception(sandbox_tree):
    class Stop(Exception):
        pass

    with pytest.raises(Stop), sandbox_tree.sandbox() as tree:
        root = tree.root
        tree.write(CONTRACT, b"// a mutant\n")
        raise Stop
    assert not root.exists()


def test_a_command_run_in_the_copy_imports_the_copys_gpumarket(sandbox_tree):
    with sandbox_tree.sandbox() as tree:
        env = tree.env()
        # From another directory, so that only PYTHONPATH can put the copy's package first (the
        # virtualenv's editable install points at the repository's).
        found = subprocess.run(
            tree.command("-c", "import gpumarket; print(gpumarket.__file__)"),
            cwd="/",
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

        assert Path(found) == tree.root / "gpumarket" / "__init__.py"
        assert env["PATH"].startswith(str(tree.root / "node_modules" / ".bin"))
        assert env["SOLCX_BINARY_PATH"] == str(tree.root / ".toolchain" / "solcx")


def test_both_tools_use_the_shared_copy(tools, sandbox_tree):
    for name in ("mutate", "inject_bug"):
        tool = tools(name)
        assert tool.sandbox is sandbox_tree.sandbox, name
        assert tool.ROOT == ROOT, name
        assert not hasattr(tool, "copy_tree"), name
