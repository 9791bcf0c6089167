"""What contract views return, decoded by the ABI's names.

web3 returns a struct as a bare tuple, an array of structs as a list of them, and several return
values as a tuple. Every reader (the CLI, the agent, the oracle) decodes them here by the field
names of the function's ABI, so a field added to a struct, or moved within it, changes no reader:
as dicts (`struct`, `structs`, `outputs`), or as typed views (`Job`, `Challenge`, and the
`JobSpec` and `Offer` of `gpumarket.chain.types`, which also encode them). Brownie's return
values already carry the names, and the Brownie side (tests, demo, bench) reads them by name too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from enum import IntEnum
from typing import Any, TypeVar

from gpumarket.chain.types import ChallengeState, JobSpec, JobState, Offer

T = TypeVar("T")
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def _fields(fn: Any) -> list[str]:
    return [component["name"] for component in fn.abi["outputs"][0]["components"]]


def struct(fn: Any, value: Any) -> dict[str, Any]:
    """The struct that view call `fn` returned, keyed by the ABI's field names."""
    return dict(zip(_fields(fn), value, strict=True))


def structs(fn: Any, values: Any) -> list[dict[str, Any]]:
    """The array of structs that view call `fn` returned (`bidsOf`), each keyed by field name."""
    names = _fields(fn)
    return [dict(zip(names, value, strict=True)) for value in values]


def outputs(fn: Any, values: Any) -> dict[str, Any]:
    """The several values that view call `fn` returned (`tokenConfig`), keyed by output name."""
    names = [output["name"] for output in fn.abi["outputs"]]
    return dict(zip(names, values, strict=True))


def call_struct(client: Any, fn: Any, block: int | str = "latest") -> dict[str, Any]:
    """Call view `fn` with `client` (a ChainClient) at `block` and decode its struct by name."""
    return struct(fn, client.call(fn, block))


# ------------------------------------------------------------------ typed views

#: ABI field names whose snake_case spelling is not the mechanical one.
_SPELLING = {"minVramGiB": "min_vram_gib", "vramGiB": "vram_gib", "workloadURI": "workload_uri"}
#: Solidity enums (ABI internalType "enum I<Contract>.<Name>") and their Python mirrors.
_ENUMS: dict[str, type[IntEnum]] = {"JobState": JobState, "ChallengeState": ChallengeState}


def snake(name: str) -> str:
    """`biddingEnds` -> `bidding_ends`: the Python field for an ABI struct field."""
    return _SPELLING.get(name) or re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def text_of(raw: bytes) -> str:
    """A left-aligned, zero-padded bytes32/bytes2 as text ("" for zero)."""
    return bytes(raw).rstrip(b"\0").decode("ascii", "replace")


def _value(component: dict[str, Any], value: Any) -> Any:
    kind = component["type"]
    internal = str(component.get("internalType", ""))
    if internal.startswith("enum "):
        return _ENUMS[internal.rsplit(".", 1)[-1]](int(value))
    if kind == "address":
        from eth_utils import to_checksum_address  # 0.3 s to import: not paid by the CLI's help

        return to_checksum_address(value)
    if kind.startswith("bytes"):
        return bytes(value)
    if kind.startswith(("uint", "int")):
        return int(value)
    if kind == "bool":
        return bool(value)
    return value


def decode(cls: type[T], fn: Any, value: Any, **extra: Any) -> T:
    """The struct view call `fn` returned, as dataclass `cls`: each ABI field by its snake_case
    name, with enums, addresses (checksummed), bytes and ints typed. A struct whose fields and
    the dataclass's differ raises TypeError, so a field added on-chain is not silently dropped."""
    components = fn.abi["outputs"][0]["components"]
    values = {
        snake(c["name"]): _value(c, v) for c, v in zip(components, value, strict=True)
    } | extra
    wanted = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    if set(values) != wanted:
        raise TypeError(
            f"{fn.abi['name']} returns {sorted(values)}, but {cls.__name__} has {sorted(wanted)}"
        )
    return cls(**values)


def _text_fields(spec: Any, *names: str) -> Any:
    return replace(spec, **{name: text_of(getattr(spec, name)) for name in names})


def job_spec(fn: Any, value: Any) -> JobSpec:
    """`specOf`, as the same JobSpec that `postJob` encodes (gpu model and region as text)."""
    return _text_fields(decode(JobSpec, fn, value), "gpu_model", "region")  # type: ignore[no-any-return]


def offer(fn: Any, value: Any) -> Offer:
    """`offerOf`, as the same Offer that `register` encodes (gpu model and region as text)."""
    return _text_fields(decode(Offer, fn, value), "gpu_model", "region")  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Job:
    """`jobOf`, by field name. Derived values (deadlines, window ends, bond, eligibility) are
    the market's views (`resultDeadlineOf`, `windowEndOf`, `disputeBondOf`, `eligibilityOf`),
    never recomputed here."""

    buyer: str
    state: JobState
    bidding_ends: int
    token: str
    started_at: int
    provider: str
    submitted_at: int
    window_start: int
    disputed_at: int
    max_price: int
    price: int
    deposit: int
    escrow: int
    collateral: int
    bond: int
    result_hash: bytes

    @property
    def direct(self) -> bool:
        """A direct assignment still waiting for its provider to accept."""
        return self.state == JobState.OPEN and self.provider != ZERO_ADDRESS

    @classmethod
    def of(cls, fn: Any, value: Any) -> Job:
        return decode(cls, fn, value)


@dataclass(frozen=True)
class Challenge:
    """BenchmarkRegistry's `challengeOf`, by field name."""

    provider: str
    state: ChallengeState
    opened_at: int
    subject: int
    seed: bytes
    root: bytes
    n: int
    steps: int
    interval: int
    commit_deadline: int
    committed_at: int
    anchor_block: int  # the opening's block until the commitment, then the commitment's
    sampling_seed: bytes
    verified_tops: int
    passed_at: int
    bond: int

    @classmethod
    def of(cls, fn: Any, value: Any) -> Challenge:
        return decode(cls, fn, value)
