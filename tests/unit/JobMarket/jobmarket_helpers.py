"""Constants and revert-string helpers shared by the JobMarket unit tests."""

from __future__ import annotations

from gpumarket.chain.types import JobSpec
from gpumarket.testing.reverts import custom_error

#: Exact revert strings of custom errors, shared by every test suite.
err = custom_error

GMKT = 10**18
USDC = 10**6
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: The default auction: a 1-GPU, 1-hour job posted at 2 GMKT per GPU-hour and won at 1 GMKT.
MAX_PRICE = 2 * GMKT
PRICE = GMKT
#: collateralPerGpuHour (10 GMKT) × 1 GPU × 1 hour.
COLLATERAL = 10 * GMKT
#: The GMKT minimum dispute bond set at deploy, and the stablecoins' one set by tests/conftest.py.
GMKT_BOND_MIN = 10 * GMKT
STABLE_BOND_MIN = 10 * USDC
PROVIDER_STAKE = 5_000 * GMKT
RESULT_HASH = b"\x01" * 32
RESULT_URI = "ipfs://result"
RESULT_HASH_HEX = "0x" + RESULT_HASH.hex()
DAY = 24 * 3600
DISPUTE_WINDOW = DAY
ATTEST_TIMEOUT = 6 * 3600
RESULT_GRACE = 3600
ARBITRATION_TIMEOUT = 14 * DAY
UNBONDING_PERIOD = 7 * DAY


def unit(token) -> int:
    """One whole token in its own units."""
    return 10 ** token.decimals()


def cost(price: int, gpus: int, duration: int) -> int:
    """`price × gpus × duration / 1 hour`, rounded down, as the contract computes a job's value."""
    return price * gpus * duration // 3600


def ceil_bps(amount: int, bps: int) -> int:
    return -(-amount * bps // 10_000)


def benchmark_spec(**overrides) -> JobSpec:
    """A job that needs a PoGEMM proof at the test sizes (n = 64, T = 8, K = 2)."""
    values = {"benchmark_required": True, "benchmark_n": 64, "benchmark_t": 8, "benchmark_k": 2}
    values.update(overrides)
    return JobSpec(**values)


def market_event(tx, name: str, market):
    """The one `name` event that `market` emitted in `tx` (Reputation emits a JobFailed too)."""
    (event,) = [e for e in tx.events[name] if e.address == market.address]
    return event
