"""`brownie run scripts/deploy.py --network NAME`: deploy and wire the protocol from accounts[0]
(on a live network, load a keystore account first: `accounts.load(NAME)` in a console, or use
`gpumarket deploy --network NAME --account NAME`), and record deployments/NAME.json."""

from pathlib import Path

from brownie import accounts, chain, network

from gpumarket.chain.deploy import deploy_protocol
from gpumarket.chain.deployment import deployment_path


def main():
    admin = accounts[0]
    start = chain.height + 1
    protocol = deploy_protocol(admin, admin.address)
    name = network.show_active()
    path = deployment_path(name, Path.cwd())
    protocol.record(name, start, path)
    for contract, address in protocol.addresses().items():
        print(f"{contract}: {address}")
    print(f"recorded in {path}")
