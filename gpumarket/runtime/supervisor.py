"""Starting, stopping and killing the services (oracle, provider agent) as processes, for the demo,
the benchmarks and the tests: each gets its settings as environment variables and writes its JSON
log to a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from gpumarket.runtime.envsettings import BaseSettings

#: The repository root: services run from here so they find `build/contracts`.
REPO = Path(__file__).resolve().parents[2]


def settings_env(prefix: str, settings: BaseSettings) -> dict[str, str]:
    """A pydantic settings object as the environment variables that recreate it."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        if isinstance(value, list | tuple):
            value = json.dumps(list(value))
        env[f"{prefix}{name.upper()}"] = str(value)
    return env


class Service:
    """One service process (`python <args>`), its log in `log_path`."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> Service:
        path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, **self.env, "PYTHONPATH": path}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, *self.args], cwd=REPO, env=env, stdout=log, stderr=log
            )
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        if self.proc is not None and self.alive:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 15 s; the exit code."""
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


def oracle_service(
    settings: BaseSettings, log_path: Path, module: str = "gpumarket.cli.main"
) -> Service:
    """`gpumarket oracle run` (or a stand-in module run with `python -m`)."""
    args = ["-m", module, "oracle", "run"] if module == "gpumarket.cli.main" else ["-m", module]
    return Service(args, settings_env("GPUMARKET_ORACLE_", settings), log_path)


def agent_service(
    settings: BaseSettings, log_path: Path, module: str = "gpumarket.cli.main"
) -> Service:
    """`gpumarket agent run` (or a stand-in module run with `python -m`)."""
    args = ["-m", module, "agent", "run"] if module == "gpumarket.cli.main" else ["-m", module]
    return Service(args, settings_env("GPUMARKET_AGENT_", settings), log_path)


def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, poll: float = 0.2
) -> object:
    """Poll `predicate` until it is truthy; AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(poll)
