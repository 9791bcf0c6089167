"""Running the oracle and the provider agent as real processes in tests: start, stop, SIGKILL,
and a TCP proxy in front of the chain that can drop the RPC endpoint for a while."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def settings_env(prefix: str, settings: object) -> dict[str, str]:
    """A pydantic settings object as the environment variables that recreate it."""
    env = {}
    for name, value in settings.model_dump().items():  # type: ignore[attr-defined]
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        if isinstance(value, list | tuple):
            import json

            value = json.dumps(list(value))
        env[f"{prefix}{name.upper()}"] = str(value)
    return env


class Service:
    """One service process (`python -m <module> ...`), its JSON log in `log_path`."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> Service:
        env = {**os.environ, **self.env, "PYTHONPATH": str(REPO)}
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, *self.args], cwd=REPO, env=env, stdout=log, stderr=log
        )
        log.close()
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        if self.alive:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def oracle_service(settings: object, log_path: Path, module: str = "gpumarket.cli.main") -> Service:
    args = ["-m", module, "oracle", "run"] if module == "gpumarket.cli.main" else ["-m", module]
    return Service(args, settings_env("GPUMARKET_ORACLE_", settings), log_path)


def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, poll: float = 0.2
) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(poll)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `down()` closes the listener and every open
    connection (the RPC endpoint vanishes), `up()` listens on the same port again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._open = False
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self._lock:
            self._listener = listener
            self._open = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self._lock:
            self._open = False
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if not self._open:  # accepted just as the endpoint went down
                    client.close()
                    upstream.close()
                    continue
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass
