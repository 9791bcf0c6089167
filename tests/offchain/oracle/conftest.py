"""Fixtures for the oracle's pure-Python tests: no chain. A small honest PoGEMM proof (n=64, T=8,
K=2, S=16) under fixed seeds, commitments built around it, and a local HTTP server that plays a
provider's agent with canned answers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from gpumarket.oracle.judge import Commitment
from gpumarket.pogemm import backends, spec
from gpumarket.pogemm.prover import Proof, prove

SEED = bytes(range(32))
SAMPLING_SEED = bytes(range(100, 132))
SAMPLES = 16
CHALLENGE_ID = 11
JOB_ID = 5
OPENED_AT = 1_000
COMMITTED_AT = 1_002


@pytest.fixture(scope="session")
def params() -> spec.Params:
    return spec.Params(SEED, n=64, steps=8, interval=2)


@pytest.fixture(scope="session")
def honest_proof(params: spec.Params) -> Proof:
    return prove(params, backends.NumpyBackend())


@pytest.fixture(scope="session")
def honest_checkpoints(params: spec.Params) -> list[spec.Int8Matrix]:
    """X_0, X_K, ..., X_T computed step by step with the reference step function."""
    return spec.honest_checkpoints(params)


def tampered(row: np.ndarray) -> np.ndarray:
    """A row that differs from `row` in every entry and stays inside [-8, 7]."""
    return (-row.astype(np.int16) - 1).astype(np.int8)


@pytest.fixture
def commitment(params: spec.Params, honest_proof: Proof) -> Commitment:
    """A job's challenge committed to the honest proof; `replace(...)` makes the variants."""
    return Commitment(
        challenge_id=CHALLENGE_ID,
        subject=JOB_ID,
        params=params,
        root=honest_proof.root,
        sampling_seed=SAMPLING_SEED,
        opened_at=OPENED_AT,
        committed_at=COMMITTED_AT,
        endpoint="http://127.0.0.1:9/",
        gpu_model="H100-SXM-80GB",
    )


# ---------------------------------------------------------------- a fake provider agent


@dataclass
class Answer:
    status: int
    body: bytes
    delay: float = 0.0


@dataclass
class FakeAgent:
    """Routes (method, path) to canned answers and records each request it gets."""

    url: str
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    def answer(self, method: str, path: str, status: int, body: bytes | Any, delay=0.0) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.answers[(method, path)] = Answer(status, raw, delay)


@pytest.fixture
def agent() -> Iterator[FakeAgent]:
    fake = FakeAgent(url="")

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.requests.append((method, self.path, json.loads(body) if body else None))
            answer = fake.answers.get((method, self.path), Answer(404, b"not found"))
            if answer.delay:
                threading.Event().wait(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client under test gave up first (a deadline or a size cap): expected

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def closed_port_url() -> str:
    """An address where nothing listens: a port just bound and released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
