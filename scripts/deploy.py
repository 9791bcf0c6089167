"""`brownie run scripts/deploy.py --network NAME`: deploy and wire the protocol from accounts[0]."""

from brownie import accounts

from gpumarket.chain.deploy import deploy_protocol


def main():
    admin = accounts[0]
    protocol = deploy_protocol(admin, admin.address)
    for name, address in protocol.addresses().items():
        print(f"{name}: {address}")
