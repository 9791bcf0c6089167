"""Constants, revert strings, value conversion and time control for the ProviderRegistry tests."""

from __future__ import annotations

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, Offer
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.values import event as event
from gpumarket.testing.values import events as events
from gpumarket.testing.values import plain as plain
from gpumarket.testing.values import set_next_block_timestamp as set_next_block_timestamp

GMKT = 10**18
MIN_STAKE = 1_000 * GMKT
STAKE = 5_000 * GMKT
#: The default provider's price per GPU-hour in GMKT.
PRICE = GMKT
COLLATERAL = 100 * GMKT
LOCK_ID = 1
DAY = 24 * HOUR
UNBONDING_PERIOD = 7 * DAY
JAIL_PERIOD = 3 * DAY
#: The deployed market's windows, whose sum (plus one second) floors the unbonding period.
DISPUTE_WINDOW = DAY
ATTEST_TIMEOUT = 6 * HOUR
MAX_UNBONDING_ENTRIES = 16
MAX_MIN_STAKE = 10**27
MAX_PERIOD = 365 * DAY
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: A payment token nobody priced; the registry only stores prices, so it needs no contract.
OTHER_TOKEN = "0x00000000000000000000000000000000000000C0"
#: 8 × H100-SXM-80GB with 80 GiB each, in DE.
OFFER = Offer()


def out_of_bounds(name: str, value: int, low: int, high: int) -> str:
    """The revert string of a parameter `name` set to `value` outside [low, high]."""
    return err("ProviderRegistryParameterOutOfBounds", name32(name), value, low, high)


#: Send a transaction even though it reverts, so it is mined (at a timestamp the test chose)
#: instead of failing in gas estimation against the pending block.
MINED = {"gas_limit": 500_000, "allow_revert": True}
