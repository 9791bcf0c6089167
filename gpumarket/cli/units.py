"""Human units for the CLI: token amounts in the token's own decimals, durations, times, and the
payment tokens a command may name (by symbol or address).

Parsing never guesses: an amount with more decimals than the token has, a negative or zero amount
where it makes no sense, or anything that is not a plain decimal number is refused with a sentence
that names the value. The caller turns the ValueError into the command's error.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.views import outputs

if TYPE_CHECKING:  # the token helpers import eth_utils when they run, not the CLI's help
    from web3.contract import Contract
    from web3.types import EventData

    from gpumarket.chain.client import ChainClient

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([smhdw]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_amount(
    text: str, decimals: int, symbol: str, *, what: str, allow_zero: bool = False
) -> int:
    """`text` ("2.5") in units of a token with `decimals` decimals, as an integer.

    `what` names the value in messages ("amount", "max price"). Refuses non-numbers, negatives,
    zero (unless `allow_zero`) and more decimals than the token has.
    """
    cleaned = text.strip().replace("_", "")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"{what} {text!r} is not a number")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what} {text!r} is not a number") from None
    if value < 0:
        raise ValueError(f"{what} {text} is negative")
    if value == 0 and not allow_zero:
        raise ValueError(f"{what} must be more than zero")
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} {text} has more decimals than {symbol} allows ({decimals})")
    return int(scaled)


def format_amount(raw: int, decimals: int) -> str:
    """An integer amount of token units as a plain decimal string, without trailing zeros."""
    if raw == 0:
        return "0"
    text = format(Decimal(raw).scaleb(-decimals), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_duration(text: str, *, what: str) -> int:
    """Seconds from "90", "90s", "15m", "1.5h", "1d" or "1w": a whole number of seconds."""
    if text.strip().startswith("-") and _DURATION.match(text.strip()[1:]):
        raise ValueError(f"{what} {text.strip()} is negative")
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{what} {text!r} is not a duration such as 90s, 15m, 1.5h or 1d")
    seconds = Decimal(match.group(1)) * _SECONDS[match.group(2)]
    if seconds != seconds.to_integral_value():
        raise ValueError(f"{what} {text.strip()} is not a whole number of seconds")
    return int(seconds)


def format_duration(seconds: int) -> str:
    """The largest whole unit: 3600 -> "1h", 5400 -> "90m", 45 -> "45s"."""
    for unit in ("w", "d", "h", "m"):
        size = _SECONDS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def format_time(timestamp: int) -> str:
    """A chain timestamp for people, in UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(timestamp))


def iso_time(timestamp: int) -> str:
    """A chain timestamp in ISO 8601, UTC (`2026-12-02T06:00:00Z`)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def format_span(seconds: int) -> str:
    """A length of time in its two largest units: "1d 2h", "3h 20m", "45m", "30s"."""
    seconds = abs(seconds)
    parts: list[str] = []
    for unit in ("d", "h", "m", "s"):
        size = _SECONDS[unit]
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts[:2])


def time_left(timestamp: int, now: int) -> str:
    """When `timestamp` is, seen from `now`: "in 3h 20m", "2h ago" or "now"."""
    if timestamp == now:
        return "now"
    span = format_span(timestamp - now)
    return f"in {span}" if timestamp > now else f"{span} ago"


def time_json(timestamp: int, now: int) -> dict[str, Any] | None:
    """A chain timestamp for JSON: ISO 8601 and the Unix value beside it, and the seconds left
    (negative once passed); None for 0, a time that is not set."""
    if not timestamp:
        return None
    return {"iso": iso_time(timestamp), "unix": timestamp, "seconds_left": timestamp - now}


# ------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class Token:
    """A payment (or staking) token: its contract, symbol and decimals."""

    address: str
    symbol: str
    decimals: int
    contract: Contract = field(compare=False, hash=False, repr=False)

    def parse(self, text: str, *, what: str, allow_zero: bool = False) -> int:
        return parse_amount(text, self.decimals, self.symbol, what=what, allow_zero=allow_zero)

    def format(self, raw: int) -> str:
        return f"{format_amount(raw, self.decimals)} {self.symbol}"

    def plain(self, raw: int) -> str:
        """The amount alone, for JSON output (a string, so no precision is lost)."""
        return format_amount(raw, self.decimals)


def token_at(client: ChainClient, address: str) -> Token:
    """The token at `address`, read through the ERC-20 ABI of MarketToken (a superset of what a
    payment token must have). A contract without `decimals()` is refused."""
    from eth_utils.address import is_hex_address, to_checksum_address

    from gpumarket.chain.client import RpcUnavailable

    if not is_hex_address(address):
        raise ValueError(f"{address!r} is not a token address")
    checksum = to_checksum_address(address)
    contract = client.w3.eth.contract(address=checksum, abi=client["MarketToken"].abi)
    if client.rpc("eth_getCode", lambda: client.w3.eth.get_code(checksum)) in (b"", None):
        raise ValueError(f"there is no contract at {checksum}")
    functions = contract.functions
    try:  # both in one round trip, where both answer
        decimals, symbol = client.call_many([functions.decimals(), functions.symbol()])
        return Token(
            address=checksum, symbol=str(symbol), decimals=int(decimals), contract=contract
        )
    except RpcUnavailable:
        raise
    except Exception:  # noqa: BLE001, S110 - one of them failed: which, and what it means, below
        pass
    try:
        decimals = int(client.call(functions.decimals()))
    except Exception:  # noqa: BLE001 - any failure means "not an ERC-20 we can price in"
        raise ValueError(f"{checksum} is not an ERC-20 token (no decimals())") from None
    try:
        symbol = str(client.call(functions.symbol()))
    except Exception:  # noqa: BLE001 - symbol() is optional in ERC-20
        symbol = checksum[:10]
    return Token(address=checksum, symbol=symbol, decimals=decimals, contract=contract)


def allowlisted_tokens(client: ChainClient, logs: list[tuple[str, EventData]]) -> list[Token]:
    """The market's allowlisted payment tokens now: every token a `TokenConfigured` event named
    whose current config is allowed, GMKT first."""
    from eth_utils.address import to_checksum_address

    market = client["JobMarket"]
    seen: list[str] = []
    for name, entry in logs:
        if name == "TokenConfigured" and entry["address"] == market.address:
            token = to_checksum_address(entry["args"]["token"])
            if token not in seen:
                seen.append(token)
    gmkt = to_checksum_address(client["MarketToken"].address)
    ordered = [gmkt] + [t for t in seen if t != gmkt]
    configs = [market.functions.tokenConfig(address) for address in ordered]
    return [
        token_at(client, address)
        for address, config_of, config in zip(
            ordered, configs, client.call_many(configs), strict=True
        )
        if outputs(config_of, config)["allowed"]
    ]


def supports_permit(client: ChainClient, token: Token, owner: str) -> bool:
    """Whether `token` takes EIP-2612 permits we can sign: `nonces` and `DOMAIN_SEPARATOR` answer,
    and the separator matches the EIP-712 domain we would sign for (from ERC-5267
    `eip712Domain()`), so a signature is never wasted on a token that would reject it."""
    functions = token.contract.functions
    try:
        client.call(functions.nonces(owner))
        separator = bytes(client.call(functions.DOMAIN_SEPARATOR()))
        domain = client.call(functions.eip712Domain())
    except Exception:  # noqa: BLE001 - a token without these functions simply has no permit
        return False
    name, version, chain_id, verifying = domain[1:5]
    return separator == domain_separator(name, version, chain_id, verifying)


def domain_separator(name: str, version: str, chain_id: int, verifying_contract: str) -> bytes:
    """EIP-712 domain separator of (name, version, chainId, verifyingContract)."""
    from eth_abi.abi import encode
    from eth_utils.crypto import keccak

    type_hash = keccak(
        text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [type_hash, keccak(text=name), keccak(text=version), chain_id, verifying_contract],
        )
    )


class PermitToken:
    """Adapter so `gpumarket.chain.permit.sign_permit` can read a web3 token like a Brownie one."""

    def __init__(self, client: ChainClient, token: Token) -> None:
        self._client = client
        self._functions = token.contract.functions

    def eip712Domain(self) -> Any:  # noqa: N802 - the contract's name
        return self._client.call(self._functions.eip712Domain())

    def nonces(self, owner: str) -> int:
        return int(self._client.call(self._functions.nonces(owner)))


# ------------------------------------------------------------------ offers and specs


def known_gpu_models() -> str:
    """The GPU models the package knows (`gpumarket.pogemm.gpus`, its one home), sorted and
    comma-separated, for help texts and messages."""
    from gpumarket.pogemm.gpus import known_models

    return ", ".join(known_models())


def gpu_model_help(lead: str) -> str:
    """An option's help that names every known GPU model: `lead` ("GPU model"), then the models
    and a full stop."""
    return f"{lead}: {known_gpu_models()}."


def complete_gpu_model(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of a `--gpu` value: the known models that start with what is typed."""
    from gpumarket.pogemm.gpus import known_models

    return [m for m in known_models() if m.upper().startswith(incomplete.strip().upper())]


def parse_gpu_model(text: str, *, allow_any: bool = False) -> str:
    """A GPU model the package knows (`gpumarket.pogemm.gpus`), in its canonical spelling; "any"
    (or "") gives "" where `allow_any`."""
    from gpumarket.pogemm.gpus import known_models

    if allow_any and text.strip().lower() in ("", "any"):
        return ""
    for known in known_models():
        if known.upper() == text.strip().upper():
            return known
    raise ValueError(f"unknown GPU model {text!r}; known models are {known_gpu_models()}")


def parse_region(text: str, *, allow_any: bool = False) -> str:
    """An ISO 3166-1 alpha-2 country code ("DE"), upper-cased, that the standard assigns (the
    `iso3166` package's list); "any" (or "") gives "" where `allow_any`."""
    from iso3166 import countries_by_alpha2

    if allow_any and text.strip().lower() in ("", "any"):
        return ""
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise ValueError(f"region {text!r} is not an ISO 3166 alpha-2 code such as DE or US")
    if code not in countries_by_alpha2:
        raise ValueError(
            f"region {text!r} is no country's ISO 3166 alpha-2 code; codes are such as DE or US"
        )
    return code


def parse_url(text: str, *, what: str) -> str:
    """An http(s) URL with a host, checked by a real parser (urllib's), as given: a space,
    another scheme, a missing host or a bad port is refused with the reason."""
    from urllib.parse import urlsplit

    if any(c.isspace() for c in text):
        raise ValueError(f"{what} {text!r} is not an http(s) URL: it contains a space")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(f"{what} {text!r} is not an http(s) URL: its port is invalid") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{what} {text!r} is not an http(s) URL")
    if not parts.hostname:
        raise ValueError(f"{what} {text!r} is not an http(s) URL: it names no host")
    if port == 0:
        raise ValueError(f"{what} {text!r} is not an http(s) URL: its port is invalid")
    return text
