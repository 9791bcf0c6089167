"""Bounded HTTP fetches from parties that may be hostile (providers' agents, URIs named on-chain).

`fetch` is the one way a service reads such a peer. Every fetch:

- checks the URL first (`check_url`): http or https, a host, no userinfo, printable ASCII, at
  most MAX_URL_LENGTH characters; private, loopback, link-local and other non-global addresses
  are refused unless the policy allows them, both as IP literals in the URL and as what a name
  resolves to (the check sits in the resolver the connection uses, so a name cannot be re-pointed
  between the check and the connect);
- ends by a TOTAL deadline (aiohttp's ClientTimeout(total=...), and asyncio.timeout around the
  whole exchange as well), from DNS and connect to the last byte; connecting and each read also
  time out after `read_timeout`;
- reads at most `max_bytes` of the body: a Content-Length above the cap is refused before any
  body is read, and the body is counted as it streams (chunked or until close), so neither a
  missing nor a lying length lets more in; a body only exists, and is parsed, within the cap;
- follows no redirect (a 3xx is returned as the answer), sends ``Accept-Encoding: identity`` and
  refuses an encoded body (no decompression bombs), takes no proxy from the environment, and
  keeps aiohttp's limits on header lines (8190 bytes) and count (128).

Two kinds of failure, typed: `Unreachable` (no usable answer: DNS, refused or reset connection,
a timeout or the deadline, a 5xx or a "try later" status such as 429, a body cut short) is worth
trying again later; `BadAnswer` (the peer answered, and the answer cannot be accepted: too large,
encoded, malformed HTTP, a refused URL) is final and carries a short `reason` for evidence. Other
non-2xx answers below 500 come back as a `Response` without a body for the caller to judge.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

#: Longest URL fetched.
MAX_URL_LENGTH = 2_048
#: Read size while streaming a body.
CHUNK_BYTES = 64 * 1024


class FetchError(RuntimeError):
    """A fetch that gave no answer to accept."""


#: Statuses below 500 that say "not now" rather than "no": Request Timeout, Too Early, Too Many
#: Requests. A rate limiter in front of a flooded agent answers 429, so a flood (by a buyer who
#: wants the job failed) must not turn into a refusal: these are unreachable, like a 5xx.
TRY_LATER = frozenset({408, 425, 429})


class Unreachable(FetchError):
    """No usable answer (network error, timeout, deadline, a 5xx or a `TRY_LATER` status, a cut
    body): try again later."""


class BadAnswer(FetchError):
    """The peer's answer (or the URL it named) cannot be accepted; `reason` says why:
    ``refused_url``, ``too_large``, ``encoded_body`` or ``malformed_http``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class RefusedURL(BadAnswer):
    """The URL itself is refused (scheme, userinfo, length, or a non-global address)."""

    def __init__(self, message: str) -> None:
        super().__init__("refused_url", message)


@dataclass(frozen=True)
class FetchPolicy:
    """How a service fetches from peers. `deadline` bounds one fetch in total (callers may pass a
    shorter one); `read_timeout` bounds connecting and each read."""

    deadline: float = 30.0
    read_timeout: float = 10.0
    allow_private: bool = False
    #: sign(provider, method, path) -> headers: an oracle's council signature on its requests
    #: to a provider's agent (`gpumarket.agent.council`), which the agent serves first.
    sign: Callable[[str, str, str], Mapping[str, str]] | None = None


@dataclass(frozen=True)
class Response:
    """A 2xx..4xx answer; `body` is the whole body for a 2xx (within the cap), else empty."""

    status: int
    body: bytes
    seconds: float


# ------------------------------------------------------------ the URL


def refused_address(address: str) -> str | None:
    """Why `address` (an IP literal) is refused when private addresses are not allowed; None for
    a global unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast:
        return f"{address} is a multicast address"
    if not ip.is_global:
        return f"{address} is not a public address (private, loopback, link-local or reserved)"
    return None


def check_url(url: str, *, allow_private: bool) -> str:
    """`url` when it may be fetched; RefusedURL otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedURL(f"URL longer than {MAX_URL_LENGTH} characters ({len(url)})")
    if not url.isascii() or not url.isprintable() or " " in url:
        raise RefusedURL("URL with non-ASCII, space or control characters")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise RefusedURL(f"unparseable URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedURL(f"scheme {parts.scheme!r} is not http or https")
    if "@" in parts.netloc:
        raise RefusedURL("URL with userinfo (user:password@)")
    host = parts.hostname
    if not host:
        raise RefusedURL("URL without a host")
    if not allow_private:
        try:
            why = refused_address(host)
        except ValueError:
            why = None  # a name: checked as it resolves (`_PublicResolver`)
        if why is not None:
            raise RefusedURL(why)
    return url


class _PublicResolver(AbstractResolver):
    """The default resolver, refusing a name that resolves to any non-global address."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()
        self.refused: str | None = None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            why = refused_address(result["host"])
            if why is not None:
                self.refused = f"{host} resolves to {why}"
                raise OSError(self.refused)
        return results

    async def close(self) -> None:
        await self._inner.close()


# ------------------------------------------------------------ the fetch


def fetch(
    method: str,
    url: str,
    *,
    policy: FetchPolicy,
    max_bytes: int,
    json_body: Any = None,
    deadline: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`method url` (with `json_body` as JSON) under `policy`, within `deadline` seconds when
    given (else the policy's), reading at most `max_bytes` of body. Unreachable or BadAnswer
    otherwise (see the module). Runs its own event loop: call it from any thread."""
    total = policy.deadline if deadline is None else min(policy.deadline, deadline)
    check_url(url, allow_private=policy.allow_private)
    if total <= 0:
        raise Unreachable(f"{url}: no time left to fetch")
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(
            _fetch(method, url, policy, max_bytes, json_body, total, headers or {})
        )
    finally:
        # close() does not wait for the default executor, so a resolver thread stuck in
        # getaddrinfo cannot hold the caller past its deadline.
        loop.close()


async def _fetch(
    method: str,
    url: str,
    policy: FetchPolicy,
    max_bytes: int,
    json_body: Any,
    total: float,
    extra_headers: Mapping[str, str],
) -> Response:
    started = time.monotonic()
    resolver = None if policy.allow_private else _PublicResolver()
    timeout = aiohttp.ClientTimeout(
        total=total, sock_connect=policy.read_timeout, sock_read=policy.read_timeout
    )
    data = None if json_body is None else json.dumps(json_body).encode()
    headers = {**extra_headers, "Accept-Encoding": "identity"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    try:
        async with asyncio.timeout(total):
            connector = aiohttp.TCPConnector(
                resolver=resolver, use_dns_cache=False, force_close=True, limit=1
            )
            async with (
                aiohttp.ClientSession(
                    connector=connector, timeout=timeout, auto_decompress=False, trust_env=False
                ) as session,
                session.request(
                    method, url, data=data, headers=headers, allow_redirects=False
                ) as response,
            ):
                return await _read(url, response, max_bytes, started)
    except FetchError:
        raise
    except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
        if time.monotonic() - started >= total * 0.99:
            raise Unreachable(
                f"{url}: no complete answer within the deadline of {total:g} s"
            ) from None
        what = "connect" if isinstance(exc, aiohttp.ConnectionTimeoutError) else "read"
        raise Unreachable(f"{url}: {what} timed out after {policy.read_timeout:g} s") from None
    except aiohttp.InvalidURL as exc:  # yarl's view, e.g. a non-canonical IPv4 such as 127.1
        raise RefusedURL(f"invalid URL: {exc}") from None
    except aiohttp.ClientResponseError as exc:
        # The response line or headers did not parse: the peer is not speaking HTTP.
        message = _short(exc.message)
        raise BadAnswer("malformed_http", f"{url}: malformed HTTP response: {message}") from None
    except aiohttp.ClientPayloadError as exc:
        raise Unreachable(f"{url}: the body was cut short: {_cause(exc)}") from None
    except (aiohttp.ClientError, OSError) as exc:
        if resolver is not None and resolver.refused is not None:
            raise RefusedURL(resolver.refused) from None
        raise Unreachable(f"{url}: {_cause(exc)}") from None


async def _read(
    url: str, response: aiohttp.ClientResponse, max_bytes: int, started: float
) -> Response:
    status = response.status
    if status >= 500 or status in TRY_LATER:
        raise Unreachable(f"{url}: HTTP {status}")
    if not 200 <= status < 300:
        return Response(status, b"", time.monotonic() - started)
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise BadAnswer("encoded_body", f"{url}: Content-Encoding {encoding!r} was not asked for")
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise BadAnswer(
            "too_large", f"{url}: Content-Length {declared} is over the cap of {max_bytes} bytes"
        )
    body = bytearray()
    while chunk := await response.content.read(CHUNK_BYTES):
        if len(body) + len(chunk) > max_bytes:
            raise BadAnswer("too_large", f"{url}: body over the cap of {max_bytes} bytes")
        body += chunk
    return Response(status, bytes(body), time.monotonic() - started)


def _cause(exc: BaseException) -> str:
    """A short description of a network failure: the errno's text where there is one."""
    for error in (exc, getattr(exc, "os_error", None), exc.__cause__):
        number = getattr(error, "errno", None)
        if isinstance(number, int) and number > 0:
            return f"{type(exc).__name__}: {os.strerror(number)}"
    return f"{type(exc).__name__}: {_short(str(exc))}"


def _short(text: str, limit: int = 200) -> str:
    """The first line of `text`, at most `limit` characters: peers' bytes stay out of logs and
    evidence beyond that."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[:limit] + "..."


# ------------------------------------------------------------ bodies


def parse_json(body: bytes) -> Any:
    """`body` as JSON; ValueError when it is not JSON (too deeply nested included)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
