"""The README's walkthrough, run as printed: every ```sh block after a `<!-- walkthrough -->`
line, command by command, in one process against the test chain, from a fresh `gpumarket deploy`.

The commands are read from README.md, never copied here, so the two cannot drift apart. The
`anvil` line is the one line not run: the test chain stands in for it. Continuation lines are
joined and comments dropped as a shell would.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from brownie import JobMarket, MockERC20
from click.testing import CliRunner

from gpumarket.chain.deployment import deployments_dir
from gpumarket.chain.types import JobState
from gpumarket.cli.main import main

from .conftest import dev

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^<!-- walkthrough -->\n```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def walkthrough_commands(text: str) -> list[list[str]]:
    """The commands of every walkthrough block, each split as the shell would split it."""
    commands = []
    for block in BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(words)
    return commands


def test_the_readme_has_a_walkthrough_that_starts_a_chain_then_deploys():
    commands = walkthrough_commands(README.read_text())

    assert [c[0] for c in commands] == ["anvil"] + ["gpumarket"] * (len(commands) - 1)
    assert commands[1][:2] == ["gpumarket", "deploy"]
    assert len(commands) > 20


def test_the_readme_walkthrough_runs_as_printed(rpc_url, tmp_path, monkeypatch, provider):
    # A directory that is no checkout: deploy records the deployment in the user's data directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "result.bin").write_bytes(b"the job's output")
    env = {
        "GPUMARKET_RPC_URL": rpc_url,
        "GPUMARKET_DEPLOYMENT": None,
        "GPUMARKET_DEPLOYMENTS_DIR": None,
        "GPUMARKET_NETWORK": None,
        "GPUMARKET_ACCOUNT": None,
        "GPUMARKET_PRIVATE_KEY": None,
        "GPUMARKET_KEYSTORE_DIR": str(tmp_path / "keystores"),
        "COLUMNS": "100",
    }
    runner = CliRunner(env=env)

    for words in walkthrough_commands(README.read_text())[1:]:
        result = runner.invoke(main, words[1:], catch_exceptions=False)
        assert result.exit_code == 0, f"{shlex.join(words)}\n{result.output}"

    recorded = tmp_path / "data" / "gpumarket" / "deployments" / "development.json"
    assert deployments_dir() == recorded.parent and not (tmp_path / "deployments").exists()
    contracts = json.loads(recorded.read_text())["contracts"]
    market = JobMarket.at(contracts["JobMarket"])
    usdc = MockERC20.at(contracts["TestStablecoin"])
    assert dev(provider) == "dev6"
    assert market.jobOf(1)["state"] == JobState.SETTLED
    assert market.jobOf(2)["state"] == JobState.FAILED
    # Job 1: 2 GPUs x 4 h at the 2.4 USDC bid = 19.2 USDC, less the 5% fee.
    assert usdc.balanceOf(provider) == 10_000 * 10**6 + 18_240_000
    assert market.disputeWindow() == 12 * 3600
    assert not market.paused()
