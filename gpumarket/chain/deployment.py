"""`deployments/<network>.json`: where a network's contracts live, so every command can find them.

The file records the chain id (checked on connect, so a command never talks to the wrong chain),
the deploy block (where log scans start) and the contract addresses by name. The directory is a
setting (`deployments_dir`): GPUMARKET_DEPLOYMENTS_DIR (or the CLI's --deployments-dir); else
`./deployments` where the working directory has one or is a Brownie project (a checkout); else
`gpumarket/deployments` in the user's data directory, so an installed CLI finds its deployments
from anywhere.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONTRACT_NAMES = (
    "MarketToken",
    "Reputation",
    "ProviderRegistry",
    "JobMarket",
    "BenchmarkRegistry",
    "OracleCouncil",
)


#: Chain ids of local dev chains (Ganache, Anvil, Hardhat).
DEV_CHAIN_IDS = frozenset({1337, 31337})


class DeploymentError(ValueError):
    """A deployment file that is missing, malformed, or for another chain."""


@dataclass(frozen=True)
class Deployment:
    network: str
    chain_id: int
    deploy_block: int
    addresses: dict[str, str] = field(default_factory=dict)

    @property
    def dev_chain(self) -> bool:
        """Whether the deployment is on a local dev chain."""
        return self.chain_id in DEV_CHAIN_IDS

    def address(self, name: str) -> str:
        try:
            return self.addresses[name]
        except KeyError:
            raise DeploymentError(
                f"the {self.network} deployment has no {name}; redeploy or fix the file"
            ) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "chainId": self.chain_id,
            "deployBlock": self.deploy_block,
            "contracts": dict(self.addresses),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        try:
            return cls(
                network=str(data["network"]),
                chain_id=int(data["chainId"]),
                deploy_block=int(data["deployBlock"]),
                addresses={str(k): str(v) for k, v in dict(data["contracts"]).items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DeploymentError(f"malformed deployment record: {exc}") from exc

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            data = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise DeploymentError(
                f"no deployment file {path}: run `gpumarket deploy` for this network first"
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DeploymentError(f"{path} is not valid JSON: {exc}") from exc
        except OSError as exc:
            raise DeploymentError(f"cannot read {path}: {exc}") from exc
        return cls.from_json(data)


#: The environment variable naming the deployments directory.
DEPLOYMENTS_DIR_ENV = "GPUMARKET_DEPLOYMENTS_DIR"


def user_data_dir() -> Path:
    """gpumarket's directory in the user's data directory: $XDG_DATA_HOME/gpumarket (default
    ~/.local/share/gpumarket), ~/Library/Application Support/gpumarket on macOS,
    %LOCALAPPDATA%\\gpumarket on Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "gpumarket"


def deployments_dir(directory: Path | None = None) -> Path:
    """Where deployment files live: `directory` when given, else GPUMARKET_DEPLOYMENTS_DIR, else
    `./deployments` in a working directory that has one or is a Brownie project (a checkout),
    else `deployments` in the user's data directory."""
    if directory is not None:
        return Path(directory)
    if os.environ.get(DEPLOYMENTS_DIR_ENV):
        return Path(os.environ[DEPLOYMENTS_DIR_ENV])
    local = Path.cwd() / "deployments"
    if local.is_dir() or (Path.cwd() / "brownie-config.yaml").is_file():
        return local
    return user_data_dir() / "deployments"


def deployment_path(
    network: str, root: Path | None = None, *, directory: Path | None = None
) -> Path:
    """`<network>.json` in `root/deployments` when `root` is given, else in `deployments_dir`."""
    if root is not None:
        return root / "deployments" / f"{network}.json"
    return deployments_dir(directory) / f"{network}.json"
