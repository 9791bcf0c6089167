"""A real hostile HTTP peer on loopback, for fault tests of the services' fetches.

`HostilePeer` is a raw TCP server (no HTTP library between the test and the bytes on the wire):
it reads each request's head and body, then hands the socket to the script registered for that
(method, path), which writes whatever it likes, as slowly as it likes. Scripts here cover the
usual misbehaviour: trickled heads and bodies (slowloris), endless chunked bodies, lying and
malformed Content-Lengths, redirects, encodings, header floods and non-HTTP answers.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from typing import Any

#: Writes an answer on the connection; `stop` is set when the peer closes.
Script = Callable[[socket.socket, threading.Event], None]


class HostilePeer:
    def __init__(self) -> None:
        self.scripts: dict[tuple[str, str], Script] = {}
        self.requests: list[tuple[str, str]] = []
        self.connections = 0
        self._stop = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so the accept loop sees `close` at once
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def on(self, method: str, path: str, script: Script) -> None:
        self.scripts[(method, path)] = script

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self.connections += 1
                self._open.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            method, path = _read_request(conn)
            self.requests.append((method, path))
            script = self.scripts.get((method, path), answer(404, b'{"error": "no script"}'))
            script(conn, self._stop)
        except OSError:
            pass  # the client gave up: what a hostile peer wants to see least
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()


def _read_request(conn: socket.socket) -> tuple[str, str]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise OSError("closed before the request head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return method, path


# ------------------------------------------------------------ scripts


def _head(status: int, headers: dict[str, str] | list[tuple[str, str]]) -> bytes:
    items = headers.items() if isinstance(headers, dict) else headers
    lines = [f"HTTP/1.1 {status} Whatever"] + [f"{k}: {v}" for k, v in items]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int,
    body: bytes | Any,
    *,
    headers: dict[str, str] | None = None,
    content_length: int | None | str = "auto",
) -> Script:
    """A whole answer at once. `content_length`: "auto" (the true length), a number (a lie), a
    string (malformed), or None (no header: the body ends when the connection closes)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    fields = dict(headers or {})
    if content_length == "auto":
        fields["Content-Length"] = str(len(raw))
    elif content_length is not None:
        fields["Content-Length"] = str(content_length)

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(status, fields) + raw)

    return script


def in_two_parts(status: int, first: bytes, rest: bytes, pause: float) -> Script:
    """`first` with a Content-Length of exactly its size, then after `pause` seconds `rest`: a
    Content-Length shorter than the body sent."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(status, {"Content-Length": str(len(first))}) + first)
        stop.wait(pause)
        conn.sendall(rest)

    return script


def raw(data: bytes) -> Script:
    """These bytes, whatever they are."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(data)

    return script


def trickle_body(every: float, declared: int | None = 50_000) -> Script:
    """A 200 head declaring `declared` bytes (None: chunked), then one byte (or a one-byte
    chunk) every `every` seconds, forever: each read is quick, the answer never ends."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        if declared is None:
            conn.sendall(_head(200, {"Transfer-Encoding": "chunked"}))
        else:
            conn.sendall(_head(200, {"Content-Length": str(declared)}))
        while not stop.wait(every):
            conn.sendall(b"1\r\n[\r\n" if declared is None else b"[")

    return script


def trickle_head(every: float) -> Script:
    """The status line and headers one byte every `every` seconds, never finished."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 1000:
            if stop.wait(every):
                return
            conn.sendall(bytes([byte]))

    return script


def stall_after(data: bytes) -> Script:
    """`data`, then nothing at all until the peer closes."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(data)
        stop.wait(3600)

    return script


def endless_chunks(size: int = 64 * 1024) -> Script:
    """A chunked 200 whose chunks of `size` bytes never end, as fast as the client reads."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(200, {"Transfer-Encoding": "chunked"}))
        chunk = f"{size:x}\r\n".encode() + b"[" * size + b"\r\n"
        while not stop.is_set():
            conn.sendall(chunk)

    return script


def endless_until_close(size: int = 64 * 1024) -> Script:
    """A 200 without Content-Length (the body runs to the close) that never closes."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(200, {"Connection": "close"}))
        while not stop.is_set():
            conn.sendall(b"[" * size)

    return script


def header_flood() -> Script:
    """A status line, then header lines without end."""

    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.is_set():
            conn.sendall(b"X-Flood: yes\r\n" * 100)

    return script


def slow_answer(delay: float, script: Script) -> Script:
    """`script`, after `delay` seconds of silence."""

    def delayed(conn: socket.socket, stop: threading.Event) -> None:
        if not stop.wait(delay):
            script(conn, stop)

    return delayed


# ------------------------------------------------------------ a flooded agent


class CappedFront:
    """A real agent's capacity, on loopback: a TCP relay in front of `upstream` (host, port)
    that serves at most `slots` connections at once, as a server's worker pool or a reverse
    proxy's connection limit does. A connection that finds every slot taken waits for one
    (`when_full="queue"`: to the client, an agent that never answers) or is answered 429 at once
    (`when_full="429"`: a rate limiter). `Flood` fills the slots; `upstream = None` is an agent
    that is down (every connection reset)."""

    def __init__(
        self, upstream: tuple[str, int] | None, slots: int = 4, when_full: str = "queue"
    ) -> None:
        if when_full not in ("queue", "429"):
            raise ValueError(f"when_full: queue or 429, not {when_full!r}")
        self.upstream = upstream
        self.when_full = when_full
        self.served = 0
        self.turned_away = 0
        self._slots = threading.BoundedSemaphore(slots)
        self._stop = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            for conn in self._open:
                _shut(conn)
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._open.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        slot = False
        try:
            if self.when_full == "429":
                slot = self._slots.acquire(blocking=False)
                if not slot:
                    self.turned_away += 1
                    _read_request(conn)
                    conn.sendall(_head(429, {"Content-Length": "0", "Retry-After": "1"}))
                    return
            else:
                while not (slot := self._slots.acquire(timeout=0.05)):
                    if self._stop.is_set():
                        return
            if self.upstream is None:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
                return  # closed with a reset: the agent is down
            self.served += 1
            with socket.create_connection(self.upstream) as up:
                with self._lock:
                    self._open.add(up)
                pump = threading.Thread(target=_pipe, args=(up, conn), daemon=True)
                pump.start()
                _pipe(conn, up)
                pump.join()
                with self._lock:
                    self._open.discard(up)
        except OSError:
            pass
        finally:
            if slot:
                self._slots.release()
            with self._lock:
                self._open.discard(conn)
            conn.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy `source` to `sink` until `source` ends, then end `sink`'s writing side."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _shut(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Flood:
    """A buyer flooding a provider's agent: `connections` clients that each open a connection to
    `url`'s host and keep it busy with a request head that never ends (a header every `every`
    seconds, slowloris), reconnecting when one is closed, until `stop`."""

    def __init__(self, url: str, connections: int = 16, every: float = 0.2) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.address = (host, int(port.split("/")[0]))
        self.every = every
        self.opened = 0
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._hold, daemon=True) for _ in range(connections)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)

    def _hold(self) -> None:
        while not self._stop.is_set():
            try:
                with socket.create_connection(self.address, timeout=5) as conn:
                    self.opened += 1
                    conn.sendall(b"GET /jobs/0/result HTTP/1.1\r\nHost: agent\r\n")
                    while not self._stop.wait(self.every):
                        conn.sendall(b"X-Flood: 1\r\n")
            except OSError:
                self._stop.wait(self.every)


# ------------------------------------------------------------ hostile clients of an agent


class HostileClients:
    """Hostile clients of a server at `url`: `connections` sockets, each from one of the
    loopback addresses `sources` in turn (127.0.0.0/8 is all loopback, so a test can play many
    client addresses), each playing `mode` and reconnecting whenever the server closes it, until
    `stop`:

    - ``"head"``: a request head never finished, a header line every `every` seconds (slowloris);
    - ``"body"``: a complete POST head to `path` declaring a body of `body_bytes`, then the body
      a byte every `every` seconds;
    - ``"read"``: a GET of `path` whose answer is never read (a receive buffer of 4 KiB).

    `opened` counts connections made, `closed` those the server ended, `statuses` the status
    codes of the answers it got before that."""

    def __init__(
        self,
        url: str,
        mode: str,
        *,
        sources: tuple[str, ...] = ("127.0.0.2",),
        connections: int = 16,
        every: float = 0.2,
        path: str = "/health",
        body_bytes: int = 100_000,
    ) -> None:
        if mode not in ("head", "body", "read"):
            raise ValueError(f"mode: head, body or read, not {mode!r}")
        host, _, port = url.removeprefix("http://").partition(":")
        self.address = (host, int(port.split("/")[0]))
        self.mode, self.every, self.path, self.body_bytes = mode, every, path, body_bytes
        self.opened = 0
        self.closed = 0
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._hold, args=(sources[k % len(sources)],), daemon=True)
            for k in range(connections)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)

    def _request(self) -> bytes:
        if self.mode == "head":
            return b"GET /health HTTP/1.1\r\nHost: agent\r\n"
        if self.mode == "body":
            return (
                f"POST {self.path} HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n"
                f"Content-Length: {self.body_bytes}\r\n\r\n"
            ).encode()
        return f"GET {self.path} HTTP/1.1\r\nHost: agent\r\n\r\n".encode()

    def _hold(self, source: str) -> None:
        while not self._stop.is_set():
            try:
                with socket.socket() as conn:
                    if self.mode == "read":
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                    conn.bind((source, 0))
                    conn.settimeout(5)
                    conn.connect(self.address)
                    with self._lock:
                        self.opened += 1
                    conn.sendall(self._request())
                    conn.setblocking(False)
                    while not self._stop.wait(self.every):
                        if self.mode == "head":
                            conn.sendall(b"X-Slow: 1\r\n")
                        elif self.mode == "body":
                            conn.sendall(b" ")
                        if self._ended(conn, peek=self.mode == "read"):
                            break
            except OSError:
                with self._lock:
                    self.closed += 1
                self._stop.wait(self.every)

    def _ended(self, conn: socket.socket, peek: bool = False) -> bool:
        """Whether the server closed the connection (a reset raises OSError); the status of an
        answer read on the way is kept. `peek` reads nothing (the "read" mode's full buffer)."""
        try:
            data = conn.recv(4096, socket.MSG_PEEK if peek else 0)
        except BlockingIOError:
            return False
        if data.startswith(b"HTTP/1.1 ") and not peek:
            with self._lock:
                self.statuses.append(int(data[9:12]))
        if data:
            return False
        with self._lock:
            self.closed += 1
        return True
