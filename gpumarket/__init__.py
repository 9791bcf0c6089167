"""gpumarket: escrow, staking, reputation and slashing for a decentralized GPU compute market."""

__version__ = "0.1.0"
