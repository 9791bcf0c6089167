"""Run the Brownie CLI with local chains on a free port.

Brownie's `development` (anvil) and `ganache-cli` networks listen on 8545 and attach to whatever
already listens there. This entry point gives them the port in GPUMARKET_CHAIN_PORT, or one the OS
reports free, before Brownie starts, so a stray process on 8545 is never mistaken for our chain.
Usage: `python -m gpumarket.chain.launcher test ...` takes the same arguments as `brownie`.
"""

from __future__ import annotations

import os
import socket
import sys
import warnings

LOCAL_NETWORKS = ("development", "ganache-cli")
LOCAL_CHAIN_SETTINGS = {"accounts": 20, "gas_limit": 30_000_000}
GANACHE_SETTINGS = {"evm_version": "shanghai"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free at the moment of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configure_local_chains(port: int) -> None:
    """Point Brownie's local networks at `port`, with enough funded accounts for every role."""
    from brownie._config import CONFIG

    for network_id in LOCAL_NETWORKS:
        settings = CONFIG.networks[network_id].setdefault("cmd_settings", {})
        settings.update(LOCAL_CHAIN_SETTINGS)
        settings["port"] = port
    # Also in brownie-config.yaml; repeated here because `project.load()` outside `brownie test`
    # does not apply the project's cmd_settings, and ganache defaults to istanbul.
    CONFIG.networks["ganache-cli"]["cmd_settings"].update(GANACHE_SETTINGS)


def quiet_brownie_deprecations() -> None:
    """Brownie's own chain.sleep()/snapshot() call its deprecated rpc.* methods; not ours to fix."""
    warnings.filterwarnings(
        "ignore", message=r"rpc\..* should not be called directly", category=FutureWarning
    )


def main() -> None:
    quiet_brownie_deprecations()
    port = int(os.environ.get("GPUMARKET_CHAIN_PORT") or free_port())
    configure_local_chains(port)
    from brownie._cli.__main__ import main as brownie_main

    sys.argv[0] = "brownie"
    brownie_main()


if __name__ == "__main__":
    main()
