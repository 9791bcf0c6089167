"""The agent's HTTP server under hostile clients (issue 15, services under hostile peers): real
sockets on loopback, the flood from other loopback addresses (127.0.0.2 and up) than the honest
oracle's (127.0.0.1). In every case the oracle's own fetch of the reveals (`judge.fetch_reveals`,
the code an oracle runs) still gets the honest proof, within HONEST_SECONDS, while the flood goes
on; and the flood's connections are cut when the limits say."""

from __future__ import annotations

import socket
import time

import pytest
from eth_hash.auto import keccak

from gpumarket.agent.guard import Limits
from gpumarket.agent.server import serve_in_thread
from gpumarket.oracle.judge import Commitment, fetch_reveals
from gpumarket.pogemm import verifier
from gpumarket.runtime.http import FetchPolicy
from gpumarket.testing.hostile import HostileClients

from .conftest import ARTIFACT, CHALLENGE_ID, JOB_ID, PROVIDER, record_artifact

#: The longest an honest fetch of the reveals may take under any of these floods (unflooded it
#: takes about 10 ms on loopback).
HONEST_SECONDS = 1.0
SAMPLES = 16
#: Small limits, so that a test's flood is small too.
LIMITS = Limits(
    max_connections=24,
    max_connections_per_ip=4,
    max_requests=8,
    max_requests_per_ip=2,
    council_reserved=2,
    header_timeout=1.0,
    body_timeout=1.0,
    request_timeout=1.5,
    max_body_bytes=64 * 1024,
    max_requests_per_connection=3,
    keepalive_timeout=1.0,
)
#: Twenty client addresses of the flood: 80 connections against a total of 24.
MANY = tuple(f"127.0.0.{k}" for k in range(2, 22))


@pytest.fixture
def refusals():
    return []


@pytest.fixture
def agent(served_state, refusals):
    """The agent's server over the served state, with LIMITS; yields its URL."""
    with serve_in_thread(
        served_state.state_dir, PROVIDER, "127.0.0.1", 0, limits=LIMITS, on_refusal=refusals.append
    ) as port:
        yield f"http://127.0.0.1:{port}"


def honest_fetch(url: str, proof) -> float:
    """The oracle's fetch of the reveals for a fresh sampling seed; its seconds. The reveals
    verify against the committed root."""
    seed = keccak(str(time.monotonic()).encode())
    commitment = Commitment(CHALLENGE_ID, 0, proof.params, proof.root, seed, 0, 1, url, "H100")
    policy = FetchPolicy(deadline=10.0, read_timeout=5.0, allow_private=True)
    started = time.monotonic()
    reveals, note = fetch_reveals(commitment, SAMPLES, policy)
    seconds = time.monotonic() - started
    assert note == "ok"
    verdict = verifier.verify(proof.params, proof.root, seed, reveals, SAMPLES)
    assert verdict.ok, verdict
    return seconds


def fetches_under(flood: HostileClients, url: str, proof, settle: float = 0.3) -> list[float]:
    """Five honest fetches while `flood` runs (after `settle` seconds for it to take hold)."""
    time.sleep(settle)
    try:
        times = [honest_fetch(url, proof) for _ in range(5)]
    finally:
        flood.stop()
    print(f"honest fetches under the flood: {', '.join(f'{t * 1000:.0f} ms' for t in times)}")
    assert max(times) < HONEST_SECONDS
    return times


def test_a_slowloris_from_one_address_gets_its_cap_and_is_cut_at_the_head_deadline(
    agent, proof, refusals
):
    flood = HostileClients(agent, "head", connections=20, every=0.1)
    time.sleep(LIMITS.header_timeout + 0.5)  # every held connection has reached its deadline

    fetches_under(flood, agent, proof, settle=0)

    assert refusals.count("connections_per_ip") > 0  # 20 tried, 4 held at a time
    assert refusals.count("header_timeout") >= LIMITS.max_connections_per_ip
    assert flood.closed > 0


def test_a_slowloris_from_many_addresses_evicts_itself_not_the_oracle(agent, proof, refusals):
    flood = HostileClients(agent, "head", sources=MANY, connections=80, every=0.1)

    fetches_under(flood, agent, proof, settle=0.5)

    assert "evicted" in refusals  # the total of 24 was reached, and made room
    assert "connections" not in refusals  # no newcomer was ever turned away


def test_a_body_trickled_a_byte_at_a_time_is_cut_at_the_body_deadline(agent, proof, refusals):
    path = f"/challenges/{CHALLENGE_ID}/reveals"
    flood = HostileClients(agent, "body", connections=2, every=0.1, path=path, body_bytes=1000)
    time.sleep(LIMITS.body_timeout + 0.5)

    fetches_under(flood, agent, proof, settle=0)

    assert 408 in flood.statuses
    assert flood.closed >= 2


def test_a_slow_body_flood_from_many_addresses_leaves_the_councils_room(agent, proof, refusals):
    """Slow bodies hold request slots: from many addresses they take every slot but the
    council's reserve (2 of 8), so an unsigned request is answered 503 at once; the reserve is
    what a council member's signed request uses (tests/offchain/agent/test_council.py)."""
    path = f"/challenges/{CHALLENGE_ID}/reveals"
    flood = HostileClients(
        agent, "body", sources=MANY, connections=20, every=0.1, path=path, body_bytes=1000
    )
    time.sleep(0.5)
    try:
        with socket.create_connection(("127.0.0.1", int(agent.rsplit(":", 1)[1]))) as conn:
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: agent\r\n\r\n")
            answer = conn.recv(4096)
    finally:
        flood.stop()
    assert answer.startswith(b"HTTP/1.1 503")
    assert b"Retry-After: 1" in answer
    assert "requests" in refusals


def test_a_client_that_never_reads_its_answer_is_cut_at_the_request_deadline(
    store, proof, agent, refusals
):
    record_artifact(store, JOB_ID + 1, b"x" * (16 * 1024 * 1024))
    path = f"/jobs/{JOB_ID + 1}/result"
    flood = HostileClients(agent, "read", connections=2, every=0.1, path=path)
    time.sleep(LIMITS.request_timeout + 0.5)

    fetches_under(flood, agent, proof, settle=0)

    # The server let go of both (their sockets closed on its side; the kernel may still be
    # delivering what was buffered, so the client need not see it yet).
    assert refusals.count("request_timeout") >= 2


def test_a_body_over_the_cap_is_refused_before_it_is_read(agent):
    port = int(agent.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(
            f"POST /challenges/{CHALLENGE_ID}/reveals HTTP/1.1\r\nHost: agent\r\n"
            f"Content-Length: {10**9}\r\n\r\n".encode()
        )
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_chunked_body_is_counted_as_it_streams(agent):
    port = int(agent.rsplit(":", 1)[1])
    chunk = b"%x\r\n%s\r\n" % (16 * 1024, b" " * 16 * 1024)
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(
            f"POST /challenges/{CHALLENGE_ID}/reveals HTTP/1.1\r\nHost: agent\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        try:
            for _ in range(LIMITS.max_body_bytes // (16 * 1024) + 2):
                conn.sendall(chunk)
        except OSError:
            pass
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_kept_alive_connection_carries_a_bounded_number_of_requests(agent):
    port = int(agent.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.settimeout(5)
        answers = b""
        for _ in range(LIMITS.max_requests_per_connection):
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: agent\r\n\r\n")
            answers += conn.recv(4096)
        assert conn.recv(4096) == b""  # closed after the last one
    assert answers.count(b"HTTP/1.1 200") == LIMITS.max_requests_per_connection
    assert answers.count(b"Connection: close") == 1


def test_an_idle_kept_alive_connection_is_closed(agent, refusals):
    port = int(agent.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.settimeout(5)
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: agent\r\n\r\n")
        assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert conn.recv(4096) == b""
        assert time.monotonic() - started < LIMITS.header_timeout + 0.5


def test_the_artifact_is_still_served_whole(store, agent, caplog):
    import requests

    big = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and 4 bytes: several chunks
    record_artifact(store, JOB_ID + 2, big)
    small = requests.get(f"{agent}/jobs/{JOB_ID}/result", timeout=5)
    large = requests.get(f"{agent}/jobs/{JOB_ID + 2}/result", timeout=5)

    assert (small.status_code, small.content) == (200, ARTIFACT)
    assert (large.status_code, large.headers["Content-Length"]) == (200, str(len(big)))
    assert large.content == big
    assert [r.message for r in caplog.records if r.levelname == "ERROR"] == []


def test_a_client_gone_mid_body_is_counted_and_not_logged_as_an_error(agent, refusals, caplog):
    port = int(agent.rsplit(":", 1)[1])
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(
                f"POST /challenges/{CHALLENGE_ID}/reveals HTTP/1.1\r\nHost: agent\r\n"
                "Content-Length: 1000\r\n\r\n{".encode()
            )
            time.sleep(0.1)
    deadline = time.monotonic() + 2
    while refusals.count("client_gone") < 3 and time.monotonic() < deadline:
        time.sleep(0.05)

    assert refusals.count("client_gone") == 3
    assert [r.message for r in caplog.records if r.levelname == "ERROR"] == []


class _Transport:
    """The little of an asyncio transport that Guard.opened and an eviction use."""

    def __init__(self, ip: str) -> None:
        self.ip, self.aborted, self.written = ip, False, b""

    def get_extra_info(self, name: str):
        return (self.ip, 40_000) if name == "peername" else None

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.aborted = True

    def abort(self) -> None:
        self.aborted = True


def test_a_full_server_evicts_from_the_address_holding_the_most_connections():
    import asyncio

    from gpumarket.agent.guard import Guard

    async def play() -> tuple[list[bool], list[str]]:
        reasons: list[str] = []
        limits = Limits(
            max_connections=4, max_connections_per_ip=3, max_requests=2, council_reserved=1
        )
        guard = Guard(limits, on_refusal=reasons.append)
        # The honest client's connection is the oldest; a flood address then holds three.
        honest = _Transport("127.0.0.1")
        flood = [_Transport("127.0.0.9") for _ in range(3)]
        for transport in (honest, *flood):
            assert guard.opened(transport) is not None
        newcomer = _Transport("127.0.0.10")
        assert guard.opened(newcomer) is not None
        for conn in list(guard.connections.values()):
            conn.timer.cancel()
        return [t.aborted for t in (honest, *flood, newcomer)], reasons

    aborted, reasons = asyncio.run(play())

    # Oldest first would have cut the honest connection; the flood's own oldest goes instead.
    assert aborted == [False, True, False, False, False]
    assert reasons == ["evicted"]
