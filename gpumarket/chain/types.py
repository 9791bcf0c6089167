"""Python mirrors of the contracts' structs and enums, converted to ABI tuples."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from enum import IntEnum
from typing import Any

HOUR = 3600


class JobState(IntEnum):
    NONE = 0
    OPEN = 1
    RUNNING = 2
    SUBMITTED = 3
    VERIFIED = 4
    DISPUTED = 5
    SETTLED = 6
    FAILED = 7
    CANCELLED = 8


class ChallengeState(IntEnum):
    """IBenchmarkRegistry.ChallengeState."""

    NONE = 0
    OPEN = 1
    COMMITTED = 2
    PASSED = 3
    FAILED = 4
    FRAUD = 5
    #: A passed attestation whose TOPS no longer count, or one never judged: its bond released.
    EXPIRED = 6


class Verdict(IntEnum):
    """IOracleCouncil.Verdict."""

    NONE = 0
    OK = 1
    FAIL = 2


class Ineligibility(IntEnum):
    """IJobMarket.Ineligibility: why a provider may not take a job (`eligibilityOf`)."""

    NONE = 0
    IS_BUYER = 1
    NOT_REGISTERED = 2
    STAKE_BELOW_MINIMUM = 3
    JAILED = 4
    NO_PRICE_IN_TOKEN = 5
    GPU_MODEL = 6
    REGION = 7
    VRAM = 8
    FREE_GPUS = 9
    FREE_STAKE = 10
    REPUTATION = 11
    VERIFIED_TOPS = 12


class Payout(IntEnum):
    NONE = 0
    REFUND = 1
    PROVIDER = 2
    FEE = 3
    BOND = 4
    FORFEIT = 5  # value a provider forfeits when a dispute times out unruled


def bytes32_text(text: str) -> bytes:
    """Left-aligned, zero-padded bytes32 of an ASCII string (`"H100-SXM-80GB"`); "" is zero."""
    raw = text.encode("ascii")
    if len(raw) > 32:
        raise ValueError(f"longer than 32 bytes: {text!r}")
    return raw.ljust(32, b"\0")


def region_code(code: str) -> bytes:
    """ISO 3166 alpha-2 region as bytes2 (`"DE"`); "" means any region."""
    if code == "":
        return b"\0\0"
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        raise ValueError(f"region must be an ISO 3166 alpha-2 code such as 'DE', got {code!r}")
    return code.encode("ascii")


@dataclass(frozen=True)
class Offer:
    gpu_model: str = "H100-SXM-80GB"
    gpu_count: int = 8
    vram_gib: int = 80
    region: str = "DE"
    bandwidth_mbps: int = 10_000
    endpoint: str = "http://127.0.0.1:9000"

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            bytes32_text(self.gpu_model),
            self.gpu_count,
            self.vram_gib,
            region_code(self.region),
            self.bandwidth_mbps,
            self.endpoint,
        )


@dataclass(frozen=True)
class JobSpec:
    gpu_model: str = ""
    gpu_count: int = 1
    min_vram_gib: int = 0
    region: str = ""
    duration: int = HOUR
    #: Collateral per GPU-hour the buyer asks for, in GMKT units (< 2^80); a match locks the
    #: higher of this and the market's floor (`parameters` / `collateralPerGpuHour`); 0: the floor.
    collateral_per_gpu_hour: int = 0
    workload_hash: bytes = b"\0" * 32
    workload_uri: str = "builtin:POGEMM"
    min_reputation_bps: int = 0
    min_verified_tops: int = 0
    benchmark_required: bool = False
    benchmark_n: int = 0
    benchmark_t: int = 0
    benchmark_k: int = 0

    def as_tuple(self) -> tuple[Any, ...]:
        values = list(astuple(self))
        values[0] = bytes32_text(self.gpu_model)
        values[3] = region_code(self.region)
        return tuple(values)
