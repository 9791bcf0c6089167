"""What one client, or many, can take of the agent's HTTP server (issue 15, services under hostile
peers): a buyer who floods the agent so that the oracles cannot fetch its proofs must not get
there, nor a slowloris that holds connections open without finishing a request.

aiohttp bounds a request's head (lines of 8,190 bytes, 128 headers), its body
(`client_max_size`) and the idle time of a kept-alive connection (`keepalive_timeout`), and has
no limit on connections, nor a deadline for a head that never ends. `Guard` adds those, around
aiohttp's own request handler:

- **connections**: at most `max_connections_per_ip` from one address (a new one beyond is
  answered 503 and closed) and `max_connections` in all. When all are taken, a new connection
  evicts, from the address that holds the most connections, the one that has waited longest
  without a request in progress (a slowloris, or an idle kept-alive connection), and is refused
  only if every connection is serving a request. A flood from many addresses thus evicts its
  own connections before the single one of an honest client still sending its head;
- **heads**: a connection must deliver a complete request head within `header_timeout` of its
  opening and of the end of each answer, or it is closed (keep-alive idle counts: the head of
  the next request is due as well);
- **requests**: at most `max_requests_per_ip` served at once for one address and `max_requests`
  in all, of which `council_reserved` are kept for requests signed by a member of the oracle
  council (`gpumarket.agent.council`); others beyond are answered 503 at once (an oracle takes a
  5xx as "try again", never as a verdict);
- **bodies**: at most `max_body_bytes` (a larger Content-Length gets 413 before any byte is
  read, and a body is counted as it streams), read within `body_timeout`;
- **answers**: each request, handler and sending together, ends within `request_timeout`, so a
  client reading an artifact a byte at a time is cut off; a connection serves at most
  `max_requests_per_connection` requests.

Since the requests in progress are at most `max_requests`, fewer than `max_connections`, a new
connection always finds a place (by eviction), and a council member's request always finds a
request slot unless `council_reserved` of the council's own are in progress.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

#: Whether a request is signed by a member of the oracle council.
CouncilCheck = Callable[[web.Request], bool]
#: Told of every refusal, by reason (metrics).
OnRefusal = Callable[[str], None]


@dataclass(frozen=True)
class Limits:
    """The bounds of `Guard` (each an `AgentSettings` field of the same name)."""

    max_connections: int = 256
    max_connections_per_ip: int = 16
    max_requests: int = 32
    max_requests_per_ip: int = 4
    council_reserved: int = 8
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    request_timeout: float = 60.0
    max_body_bytes: int = 256 * 1024
    max_requests_per_connection: int = 100
    keepalive_timeout: float = 10.0

    def __post_init__(self) -> None:
        if not 0 <= self.council_reserved < self.max_requests < self.max_connections:
            raise ValueError(
                "limits need 0 <= council_reserved < max_requests < max_connections, got "
                f"{self.council_reserved}, {self.max_requests}, {self.max_connections}"
            )


def _busy_answer(message: str) -> bytes:
    body = json.dumps({"error": message}).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        f"Retry-After: 1\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Connection:
    """One accepted connection: its address, whether a request is in progress on it, when it
    last became idle (opened, or answered), and the timer that closes it if no head comes."""

    __slots__ = ("busy", "idle_since", "ip", "received", "requests", "timer", "transport")

    def __init__(self, ip: str, transport: asyncio.Transport) -> None:
        self.ip = ip
        self.transport = transport
        self.busy = False
        self.received = False
        self.requests = 0
        self.idle_since = time.monotonic()
        self.timer: asyncio.TimerHandle | None = None


class _Guarded(asyncio.Protocol):
    """aiohttp's request handler for one connection, behind the guard's accounting."""

    def __init__(self, guard: Guard, inner: asyncio.Protocol) -> None:
        self._guard = guard
        self._inner = inner
        self._conn: _Connection | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._conn = self._guard.opened(transport)
        if self._conn is not None:
            self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._conn is not None:
            self._conn.received = True
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._conn is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._guard.closed(self._conn)
            self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


class Guard:
    """Connection and request limits for one aiohttp server (see the module's docstring)."""

    def __init__(
        self,
        limits: Limits,
        *,
        is_council: CouncilCheck = lambda request: False,
        on_refusal: OnRefusal = lambda reason: None,
    ) -> None:
        self.limits = limits
        self.is_council = is_council
        self.on_refusal = on_refusal
        self.connections: dict[asyncio.BaseTransport, _Connection] = {}
        self.per_ip: Counter[str] = Counter()
        self.requests = 0
        self.requests_per_ip: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    # ------------------------------------------------------------ connections

    def protocol_factory(self, server: Callable[[], asyncio.Protocol]) -> Callable[[], Any]:
        """The protocol factory for `loop.create_server`, around aiohttp's `server`."""
        return lambda: _Guarded(self, server())

    def _refuse(self, reason: str) -> None:
        self.refused[reason] += 1
        self.on_refusal(reason)

    def opened(self, transport: asyncio.Transport) -> _Connection | None:
        """Admit a new connection (None: refused, and answered 503)."""
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        limits = self.limits
        reason = None
        if self.per_ip[ip] >= limits.max_connections_per_ip:
            reason = "connections_per_ip"
        elif len(self.connections) >= limits.max_connections and not self._evict_one():
            reason = "connections"
        if reason is not None:
            self._refuse(reason)
            transport.write(_busy_answer("too many connections; try again later"))
            transport.close()
            return None
        conn = _Connection(ip, transport)
        self.connections[transport] = conn
        self.per_ip[ip] += 1
        self._arm(conn)
        return conn

    def closed(self, conn: _Connection) -> None:
        if self.connections.pop(conn.transport, None) is None:
            return
        if conn.timer is not None:
            conn.timer.cancel()
        self.per_ip[conn.ip] -= 1
        if self.per_ip[conn.ip] <= 0:
            del self.per_ip[conn.ip]

    def _evict_one(self) -> bool:
        """Close the connection idle for longest (no request in progress) of the address that
        holds the most connections; False if none is idle."""
        idle = [c for c in self.connections.values() if not c.busy]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: (-self.per_ip[c.ip], c.idle_since))
        self._refuse("evicted")
        self._drop(oldest)
        return True

    def _drop(self, conn: _Connection) -> None:
        conn.transport.abort()
        self.closed(conn)  # at once: connection_lost comes on a later turn of the loop

    def _arm(self, conn: _Connection) -> None:
        """A complete head is due within `header_timeout` from now."""
        conn.busy, conn.received = False, False
        conn.idle_since = time.monotonic()
        loop = asyncio.get_running_loop()
        conn.timer = loop.call_later(self.limits.header_timeout, self._head_overdue, conn)

    def _head_overdue(self, conn: _Connection) -> None:
        if conn.busy or conn.transport not in self.connections:
            return
        # Bytes of an unfinished head: a slowloris (or a very slow client); none: an idle
        # kept-alive connection, closed as aiohttp's keep-alive would.
        self._refuse("header_timeout" if conn.received else "idle")
        self._drop(conn)

    # ------------------------------------------------------------ requests

    def _admit(self, ip: str, council: bool) -> str | None:
        limits = self.limits
        if self.requests_per_ip[ip] >= limits.max_requests_per_ip and not council:
            return "requests_per_ip"
        room = limits.max_requests - (0 if council else limits.council_reserved)
        if self.requests >= room:
            return "requests"
        return None

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        limits = self.limits
        conn = self.connections.get(request.transport) if request.transport else None
        if conn is not None:
            if conn.timer is not None:
                conn.timer.cancel()
            conn.busy = True
            conn.requests += 1
        ip = conn.ip if conn is not None else str(request.remote)
        council = self.is_council(request)
        refusal = self._admit(ip, council)
        if refusal is not None:
            self._refuse(refusal)
            busy = web.json_response(
                {"error": "too many requests in progress; try again later"},
                status=503,
                headers={"Retry-After": "1"},
            )
            busy.force_close()
            return busy
        self.requests += 1
        self.requests_per_ip[ip] += 1
        response: web.StreamResponse
        try:
            length = request.content_length
            if length is not None and length > limits.max_body_bytes:
                self._refuse("body_too_large")
                return _answer_of(
                    web.HTTPRequestEntityTooLarge(
                        max_size=limits.max_body_bytes, actual_size=length
                    )
                )
            async with asyncio.timeout(limits.request_timeout):
                try:
                    response = await handler(request)
                except web.HTTPException as exc:
                    response = _answer_of(exc)
                if conn is not None and conn.requests >= limits.max_requests_per_connection:
                    response.force_close()
                if not response.prepared:
                    await response.prepare(request)
                await response.write_eof()
            if response.status in _CLOSING and request.transport is not None:
                request.transport.close()  # now: aiohttp would first read the rest for a while
            return response
        except ConnectionError:
            # The client went away mid-body or mid-answer (a flood's connections do): there is
            # nobody to answer, and nothing for the operator's log. aiohttp's own writing of
            # this answer meets the closed connection and drops it quietly.
            self._refuse("client_gone")
            gone = web.Response(status=400)
            gone.force_close()
            return gone
        except TimeoutError:
            self._refuse("request_timeout")
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable() from None
        finally:
            self.requests -= 1
            self.requests_per_ip[ip] -= 1
            if self.requests_per_ip[ip] <= 0:
                del self.requests_per_ip[ip]
            if conn is not None and conn.transport in self.connections:
                self._arm(conn)


#: Refusals after which the rest of the request's body is not read: the connection is closed.
_CLOSING = frozenset({408, 413})


def _answer_of(exc: web.HTTPException) -> web.Response:
    """The response for an HTTP error a handler raised (aiohttp would build the same one after
    the middleware, outside its deadline); the connection closes after a refused body."""
    response = web.Response(status=exc.status, reason=exc.reason, text=exc.text)
    response.headers.update(exc.headers)
    if exc.status in _CLOSING:
        response.force_close()
    return response


async def read_body(request: web.Request, limits: Limits) -> bytes:
    """The request's body, within `body_timeout` (a body trickled slower is a 408) and
    `max_body_bytes` (aiohttp's `client_max_size`: 413)."""
    try:
        async with asyncio.timeout(limits.body_timeout):
            return await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout(
            text=json.dumps({"error": "the body did not arrive in time"}),
            content_type="application/json",
        ) from None
