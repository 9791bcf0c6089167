"""The room the agent keeps for the oracle council: a request signed by a member's key
(`gpumarket.agent.council`) gets a reserved request slot, one unsigned, forged, stale, replayed
or aimed at another agent does not; and under a slow-body flood from many addresses that takes
every other slot, the oracle's own signed fetch of the reveals still succeeds in time."""

from __future__ import annotations

import socket
import time

import pytest
from aiohttp.test_utils import make_mocked_request
from eth_account import Account
from eth_hash.auto import keccak

from gpumarket.agent import council
from gpumarket.agent.council import CouncilMembers
from gpumarket.agent.server import serve_in_thread
from gpumarket.oracle.judge import Commitment, fetch_reveals
from gpumarket.pogemm import verifier
from gpumarket.runtime.http import FetchPolicy
from gpumarket.testing.hostile import HostileClients

from .conftest import CHALLENGE_ID, PROVIDER
from .test_guard import HONEST_SECONDS, LIMITS, MANY, SAMPLES

MEMBER = Account.from_key(keccak(b"council member"))
OUTSIDER = Account.from_key(keccak(b"not a member"))
PATH = f"/challenges/{CHALLENGE_ID}/reveals"


def request(headers, path=PATH, method="POST", remote="127.0.0.1"):
    return make_mocked_request(method, path, headers=headers, transport=_Transport(remote))


class _Transport:
    def __init__(self, remote):
        self.remote = remote

    def get_extra_info(self, name, default=None):
        return (self.remote, 5555) if name == "peername" else default


@pytest.fixture
def members():
    return CouncilMembers(PROVIDER, [MEMBER.address])


def test_a_members_signature_is_taken(members):
    assert members.check(request(council.sign(MEMBER, PROVIDER, "POST", PATH)))


@pytest.mark.parametrize(
    "case",
    [
        "unsigned",
        "outsider",
        "other agent",
        "other path",
        "other method",
        "stale",
        "future",
        "garbage",
        "short nonce",
    ],
)
def test_anything_else_is_not(members, case):
    account, provider, path, method, now = MEMBER, PROVIDER, PATH, "POST", None
    if case == "outsider":
        account = OUTSIDER
    elif case == "other agent":
        provider = "0x00000000000000000000000000000000000000b2"
    elif case == "other path":
        path = "/challenges/8/reveals"
    elif case == "other method":
        method = "GET"
    elif case == "stale":
        now = time.time() - council.MAX_SKEW - 2
    elif case == "future":
        now = time.time() + council.MAX_SKEW + 2
    headers = council.sign(account, provider, method, path, now=now)
    if case == "unsigned":
        headers = {}
    elif case == "garbage":
        headers[council.SIGNATURE] = "0x" + "11" * 65
    elif case == "short nonce":
        headers[council.NONCE] = "00"

    assert not members.check(request(headers))


def test_a_signature_is_used_once(members):
    headers = council.sign(MEMBER, PROVIDER, "POST", PATH)

    assert members.check(request(headers))
    assert not members.check(request(headers))


def test_a_removed_member_is_not_taken_after_the_update(members):
    members.update([OUTSIDER.address])

    assert not members.check(request(council.sign(MEMBER, PROVIDER, "POST", PATH)))
    assert members.check(request(council.sign(OUTSIDER, PROVIDER, "POST", PATH)))


def test_each_address_gets_a_bounded_number_of_checks(members):
    """Forged signatures cost the agent an ecrecover each: beyond the burst, an address's
    requests are taken as unsigned, valid or not, until its budget refills."""
    forged = [
        council.sign(OUTSIDER, PROVIDER, "POST", PATH) for _ in range(int(council.CHECK_BURST))
    ]
    for headers in forged:
        assert not members.check(request(headers, remote="127.0.0.9"))

    assert not members.check(
        request(council.sign(MEMBER, PROVIDER, "POST", PATH), remote="127.0.0.9")
    )
    assert members.check(request(council.sign(MEMBER, PROVIDER, "POST", PATH), remote="127.0.0.1"))


def test_under_a_flood_that_takes_every_other_slot_the_signed_fetch_gets_in(
    served_state, proof, members
):
    with serve_in_thread(
        served_state.state_dir, PROVIDER, "127.0.0.1", 0, limits=LIMITS, is_council=members.check
    ) as port:
        url = f"http://127.0.0.1:{port}"
        flood = HostileClients(
            url, "body", sources=MANY, connections=20, every=0.1, path=PATH, body_bytes=1000
        )
        time.sleep(0.5)
        try:
            with socket.create_connection(("127.0.0.1", port)) as conn:
                conn.sendall(b"GET /health HTTP/1.1\r\nHost: agent\r\n\r\n")
                unsigned = conn.recv(4096)
            times = []
            for _ in range(3):
                seed = keccak(str(time.monotonic()).encode())
                commitment = Commitment(
                    CHALLENGE_ID, 0, proof.params, proof.root, seed, 0, 1, url, "H100", PROVIDER
                )
                policy = FetchPolicy(
                    deadline=10.0,
                    read_timeout=5.0,
                    allow_private=True,
                    sign=lambda *args: council.sign(MEMBER, *args),
                )
                started = time.monotonic()
                reveals, note = fetch_reveals(commitment, SAMPLES, policy)
                times.append(time.monotonic() - started)
                assert note == "ok"
                assert verifier.verify(proof.params, proof.root, seed, reveals, SAMPLES).ok
        finally:
            flood.stop()
    print(f"signed fetches under the flood: {', '.join(f'{t * 1000:.0f} ms' for t in times)}")
    assert unsigned.startswith(b"HTTP/1.1 503")  # the flood has every slot but the council's
    assert max(times) < HONEST_SECONDS
