"""Constants and arithmetic shared by the integration tests: the protocol's default parameters,
and the contract's rounding rules written out in Python so that tests predict amounts exactly."""

from __future__ import annotations

from brownie import web3

from gpumarket.chain.types import HOUR
from gpumarket.testing.reverts import custom_error

#: Exact revert strings of custom errors, shared by every test suite.
err = custom_error

GMKT = 10**18
USDC = 10**6
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
DAY = 24 * HOUR

# Defaults of the deployed contracts (JobMarket, ProviderRegistry) and of tests/conftest.py.
PROVIDER_STAKE = 5_000 * GMKT
COLLATERAL_PER_GPU_HOUR = 10 * GMKT
PROTOCOL_FEE_BPS = 500
SLASH_BUYER_SHARE_BPS = 5_000
DISPUTE_BOND_BPS = 1_000
STABLE_BOND_MIN = 10 * USDC
GMKT_BOND_MIN = 10 * GMKT
DISPUTE_WINDOW = DAY
ATTEST_TIMEOUT = 6 * HOUR
RESULT_GRACE = HOUR
ARBITRATION_TIMEOUT = 14 * DAY
UNBONDING_PERIOD = 7 * DAY
JAIL_PERIOD = 3 * DAY

RESULT_HASH = b"\x42" * 32
RESULT_URI = "ipfs://result"
#: Seconds added to a deadline when crossing it is the set-up, not the point of the test.
MARGIN = 60


def selector(signature: str) -> bytes:
    """The 4-byte selector of a function or custom error signature."""
    return bytes(web3.keccak(text=signature)[:4])


def cost(price: int, gpus: int, duration: int) -> int:
    """`price × gpus × duration / 1 hour`, rounded down: the contract's job value."""
    return price * gpus * duration // HOUR


def bps_up(amount: int, bps: int) -> int:
    return -(-amount * bps // 10_000)


def bps_down(amount: int, bps: int) -> int:
    return amount * bps // 10_000


def fee_of(value: int) -> int:
    """The protocol fee on a settled job's value, rounded up."""
    return bps_up(value, PROTOCOL_FEE_BPS)


def collateral_of(gpus: int, duration: int) -> int:
    return cost(COLLATERAL_PER_GPU_HOUR, gpus, duration)


def buyer_share_of(collateral: int) -> int:
    """The buyer's part of slashed collateral (rounded down; the treasury gets the rest)."""
    return bps_down(collateral, SLASH_BUYER_SHARE_BPS)


def bond_of(value: int, bond_min: int) -> int:
    return max(bond_min, bps_up(value, DISPUTE_BOND_BPS))


def released(tx, kind=None, to=None) -> list[int]:
    """Amounts of the `EscrowReleased` events of `tx`, optionally of one kind or recipient."""
    if "EscrowReleased" not in tx.events:
        return []
    return [
        event["amount"]
        for event in tx.events["EscrowReleased"]
        if (kind is None or event["kind"] == kind) and (to is None or event["to"] == to)
    ]


def job_id_of(tx) -> int:
    """The id of the job a postJob transaction created."""
    return tx.events["JobPosted"]["jobId"]


def event_from(tx, name: str, contract):
    """The one event `name` that `contract` emitted in `tx`: Reputation and JobMarket both have a
    `JobFailed`, so the name alone is ambiguous."""
    (event,) = [e for e in tx.events[name] if e.address == contract.address]
    return event
