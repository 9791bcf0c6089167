"""The oracle's fetches against a REAL hostile HTTP peer on loopback (`gpumarket.testing.hostile`:
a raw socket server writing whatever bytes, as slowly as it likes): each misbehaviour ends as
Unreachable (no usable answer: tried again later, a FAIL once `reveal_timeout` has passed) or as
a FAIL with its reason, within a bound on the time it takes."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from gpumarket.agent import api
from gpumarket.oracle.judge import (
    Commitment,
    FetchPolicy,
    Judgement,
    ResultClaim,
    Unreachable,
    judge_challenge,
)
from gpumarket.pogemm.prover import Proof
from gpumarket.pogemm.verifier import derive_samples
from gpumarket.runtime import http
from gpumarket.testing import hostile
from gpumarket.testing.hostile import HostilePeer

from .conftest import CHALLENGE_ID, JOB_ID, SAMPLES, SAMPLING_SEED

REVEALS = f"/challenges/{CHALLENGE_ID}/reveals"
RESULT = f"/jobs/{JOB_ID}/result"
ARTIFACT = b'{"result": "forty-two"}'
#: The whole fetching budget of one challenge in these tests, and the per-read timeout.
BUDGET, READ_TIMEOUT = 1.5, 0.5
#: A trickle well under the read timeout: every read succeeds, the answer never ends.
TRICKLE = 0.1
#: Slack for a loaded machine on every time bound.
SLACK = 1.0
LOOPBACK = FetchPolicy(deadline=BUDGET, read_timeout=READ_TIMEOUT, allow_private=True)
PUBLIC_ONLY = replace(LOOPBACK, allow_private=False)


@pytest.fixture
def peer() -> Iterator[HostilePeer]:
    server = HostilePeer()
    yield server
    server.close()


@pytest.fixture
def other_host() -> Iterator[HostilePeer]:
    """A second server, where a redirect points: it must never be contacted."""
    server = HostilePeer()
    yield server
    server.close()


@pytest.fixture
def at_peer(commitment: Commitment, peer: HostilePeer) -> Commitment:
    return replace(commitment, endpoint=peer.url)


@pytest.fixture
def honest_reveals(params, honest_proof: Proof) -> dict[str, object]:
    positions = derive_samples(SAMPLING_SEED, params, SAMPLES)
    return api.reveals_response(honest_proof.reveal_many(positions))  # type: ignore[return-value]


@pytest.fixture
def cap(params) -> int:
    return api.reveals_response_cap(params, SAMPLES)


def judge(
    commitment: Commitment, claim: ResultClaim | None = None, policy: FetchPolicy = LOOPBACK
) -> tuple[Judgement, float]:
    started = time.monotonic()
    judgement = judge_challenge(
        commitment,
        claim,
        samples=SAMPLES,
        policy=policy,
        budget=BUDGET,
        max_artifact_bytes=1024,
        min_benchmark_fraction=0.0,
    )
    return judgement, time.monotonic() - started


def unreachable(
    commitment: Commitment, claim: ResultClaim | None = None, policy: FetchPolicy = LOOPBACK
) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(Unreachable) as raised:
        judge(commitment, claim, policy)
    return str(raised.value), time.monotonic() - started


def claim_at(peer: HostilePeer, artifact: bytes = ARTIFACT) -> ResultClaim:
    return ResultClaim(peer.url + RESULT, hashlib.sha256(artifact).digest())


# ---------------------------------------------------------------- time: Unreachable, bounded


@pytest.mark.parametrize(
    "script",
    [
        hostile.trickle_body(TRICKLE),
        hostile.trickle_body(TRICKLE, declared=None),
        hostile.trickle_head(TRICKLE),
    ],
    ids=["slowloris-body", "slowloris-chunked", "slowloris-head"],
)
def test_a_peer_trickling_under_the_read_timeout_ends_at_the_total_deadline(peer, at_peer, script):
    peer.on("POST", REVEALS, script)

    message, seconds = unreachable(at_peer)

    assert message == f"{peer.url}{REVEALS}: no complete answer within the deadline of 1.5 s"
    assert BUDGET - 0.05 <= seconds <= BUDGET + SLACK


def test_a_peer_that_stalls_after_the_head_times_out_on_the_read(peer, at_peer):
    peer.on("POST", REVEALS, hostile.stall_after(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"))

    message, seconds = unreachable(at_peer)

    assert message == f"{peer.url}{REVEALS}: read timed out after 0.5 s"
    assert READ_TIMEOUT - 0.05 <= seconds <= READ_TIMEOUT + SLACK


def test_a_content_length_longer_than_the_body_before_a_close_is_a_cut_body(peer, at_peer):
    peer.on("POST", REVEALS, hostile.answer(200, b'{"reveals": []}', content_length=1000))

    message, seconds = unreachable(at_peer)

    assert message.startswith(f"{peer.url}{REVEALS}: the body was cut short: ClientPayloadError")
    assert "received 15 of 1000 bytes" in message
    assert seconds <= SLACK


def test_a_content_length_longer_than_the_body_then_silence_times_out(peer, at_peer):
    peer.on(
        "POST",
        REVEALS,
        hostile.stall_after(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"reveals": []}'),
    )

    message, seconds = unreachable(at_peer)

    assert message == f"{peer.url}{REVEALS}: read timed out after 0.5 s"
    assert seconds <= READ_TIMEOUT + SLACK


def test_the_budget_covers_the_reveals_and_the_artifact_together(peer, at_peer, honest_reveals):
    peer.on("POST", REVEALS, hostile.slow_answer(0.3, hostile.answer(200, honest_reveals)))
    peer.on("GET", RESULT, hostile.trickle_body(TRICKLE, declared=None))

    message, seconds = unreachable(at_peer, claim_at(peer))

    # What the reveals took is not given again to the artifact.
    assert message.startswith(f"{peer.url}{RESULT}: no complete answer within the deadline of ")
    assert BUDGET - 0.05 <= seconds <= BUDGET + SLACK


# ---------------------------------------------------------------- size: a FAIL, fast


def assert_no_reveals(judgement: Judgement, detail: str) -> None:
    assert (judgement.ok, judgement.reason) == (False, "missing_reveal")
    assert judgement.evidence["detail"] == detail


@pytest.mark.parametrize(
    ("script", "what"),
    [
        (hostile.endless_chunks(), "body over the cap of {cap} bytes"),
        (hostile.endless_until_close(), "body over the cap of {cap} bytes"),
        (
            hostile.answer(200, b"[" * 200_000),
            "Content-Length 200000 is over the cap of {cap} bytes",
        ),
        (
            hostile.answer(200, b"[" * 200_000, content_length=None),
            "body over the cap of {cap} bytes",
        ),
    ],
    ids=["endless-chunked", "endless-until-close", "over-cap-with-length", "over-cap-no-length"],
)
def test_a_body_over_the_cap_is_refused_while_it_streams(peer, at_peer, cap, script, what):
    peer.on("POST", REVEALS, script)

    judgement, seconds = judge(at_peer)

    assert_no_reveals(judgement, f"too_large: {peer.url}{REVEALS}: " + what.format(cap=cap))
    assert seconds <= SLACK


def test_the_reveals_cap_fits_an_honest_answer_twice(honest_reveals, cap):
    import json

    assert 2 * len(json.dumps(honest_reveals)) <= cap


def test_an_honest_answer_at_the_peer_passes(peer, at_peer, honest_reveals):
    peer.on("POST", REVEALS, hostile.answer(200, honest_reveals))
    peer.on("GET", RESULT, hostile.answer(200, ARTIFACT))

    judgement, seconds = judge(at_peer, claim_at(peer))

    assert (judgement.ok, judgement.reason) == (True, "ok")
    assert peer.requests == [("POST", REVEALS), ("GET", RESULT)]


# ---------------------------------------------------------------- malformed answers: a FAIL


def test_a_content_length_shorter_than_the_body_reads_only_what_it_declares(
    peer, at_peer, honest_reveals
):
    import json

    whole = json.dumps(honest_reveals).encode()
    peer.on("POST", REVEALS, hostile.in_two_parts(200, whole[:100], whole[100:], pause=0.3))

    judgement, seconds = judge(at_peer)

    assert judgement.reason == "missing_reveal"
    assert judgement.evidence["detail"].startswith("malformed reveals: ")
    assert seconds <= SLACK


@pytest.mark.parametrize(
    ("head", "why"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n[]",
            "Invalid character in Content-Length",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n[]", "Invalid character in Content-Length"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]]",
            "Duplicate Content-Length",
        ),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "Bad status line"),
    ],
    ids=["length-not-a-number", "length-negative", "two-lengths", "not-http"],
)
def test_a_malformed_http_answer_fails(peer, at_peer, head, why):
    peer.on("POST", REVEALS, hostile.raw(head))

    judgement, seconds = judge(at_peer)

    detail = judgement.evidence["detail"]
    assert detail.startswith(f"malformed_http: {peer.url}{REVEALS}: malformed HTTP response: ")
    assert why in detail
    assert len(detail) < 400  # the peer's bytes do not flood the evidence
    assert judgement.reason == "missing_reveal" and seconds <= SLACK


def test_a_flood_of_headers_fails(peer, at_peer):
    peer.on("POST", REVEALS, hostile.header_flood())

    judgement, seconds = judge(at_peer)

    assert_no_reveals(
        judgement,
        f"malformed_http: {peer.url}{REVEALS}: malformed HTTP response: Too many headers received",
    )
    assert seconds <= SLACK


@pytest.mark.parametrize(
    ("body", "note"),
    [
        (b"[" * 50_000 + b"]" * 50_000, "malformed reveals: JSON nested too deeply"),
        (
            b'{"reveals": [{"c": 1e400, "i": 0, "row": "", "next_row": "", "proof": [], '
            b'"next_proof": []}]}',
            "malformed reveals: cannot convert float infinity to integer",
        ),
        (b"\xff\xfe\x00garbage", "malformed reveals: "),
        (b'{"reveals": 1' + b"1" * 5000 + b"}", "malformed reveals: Exceeds the limit"),
    ],
    ids=["deeply-nested", "float-overflow", "not-utf8", "huge-number"],
)
def test_json_that_used_to_crash_the_judge_is_a_fail(peer, at_peer, body, note):
    # RecursionError and OverflowError escaped fetch_reveals before: one such provider stopped
    # the oracle's loop (five in a row halt it) for every other challenge.
    peer.on("POST", REVEALS, hostile.answer(200, body))

    judgement, seconds = judge(at_peer)

    assert judgement.reason == "missing_reveal"
    assert judgement.evidence["detail"].startswith(note)
    assert seconds <= SLACK


def test_an_encoded_body_is_not_decompressed(peer, at_peer):
    import gzip

    bomb = gzip.compress(b"[" * 10_000_000)  # 10 MB of JSON in 10 kB
    peer.on("POST", REVEALS, hostile.answer(200, bomb, headers={"Content-Encoding": "gzip"}))

    judgement, seconds = judge(at_peer)

    assert_no_reveals(
        judgement,
        f"encoded_body: {peer.url}{REVEALS}: Content-Encoding 'gzip' was not asked for",
    )
    assert seconds <= SLACK


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(peer, other_host, at_peer, status):
    peer.on(
        "POST",
        REVEALS,
        hostile.answer(status, b"", headers={"Location": other_host.url + REVEALS}),
    )

    judgement, seconds = judge(at_peer)

    assert_no_reveals(judgement, f"HTTP {status} (redirects are not followed)")
    assert other_host.connections == 0
    assert seconds <= SLACK


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_stays_unreachable(peer, at_peer, status):
    peer.on("POST", REVEALS, hostile.answer(status, b"{}"))

    message, seconds = unreachable(at_peer)

    assert message == f"{peer.url}{REVEALS}: HTTP {status}" and seconds <= SLACK


# ---------------------------------------------------------------- the artifact


@pytest.mark.parametrize(
    ("script", "detail"),
    [
        (hostile.endless_chunks(), "too_large: {uri}: body over the cap of 1024 bytes"),
        (
            hostile.answer(200, b"x" * 2048),
            "too_large: {uri}: Content-Length 2048 is over the cap of 1024 bytes",
        ),
        (
            hostile.answer(302, b"", headers={"Location": "http://169.254.169.254/"}),
            "HTTP 302 (redirects are not followed)",
        ),
        (hostile.raw(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"), "malformed_http: {uri}"),
    ],
    ids=["endless-chunked", "over-cap", "redirect", "malformed-http"],
)
def test_a_hostile_artifact_answer_is_a_missing_result(
    peer, at_peer, honest_reveals, script, detail
):
    peer.on("POST", REVEALS, hostile.answer(200, honest_reveals))
    peer.on("GET", RESULT, script)
    claim = claim_at(peer)

    judgement, seconds = judge(at_peer, claim)

    assert (judgement.ok, judgement.reason) == (False, "missing_result")
    assert judgement.evidence["detail"].startswith(detail.format(uri=claim.uri))
    assert seconds <= SLACK


def test_a_result_uri_that_is_not_http_is_never_fetched(peer, at_peer, honest_reveals):
    peer.on("POST", REVEALS, hostile.answer(200, honest_reveals))
    claim = ResultClaim("file:///etc/passwd", hashlib.sha256(ARTIFACT).digest())

    judgement, _ = judge(at_peer, claim)

    assert (judgement.reason, judgement.evidence["detail"]) == (
        "missing_result",
        "refused_url: scheme 'file' is not http or https",
    )


# ---------------------------------------------------------------- the URL named on-chain


@pytest.mark.parametrize(
    ("endpoint", "policy", "why"),
    [
        ("http://user:secret@127.0.0.1:{port}", LOOPBACK, "URL with userinfo (user:password@)"),
        ("ftp://127.0.0.1:{port}", LOOPBACK, "scheme 'ftp' is not http or https"),
        ("gopher://127.0.0.1:{port}", LOOPBACK, "scheme 'gopher' is not http or https"),
        ("127.0.0.1:{port}", LOOPBACK, "scheme '' is not http or https"),
        ("http://", LOOPBACK, "URL without a host"),
        ("http://127.0.0.1:{port}\r\nX: y", LOOPBACK, "URL with non-ASCII, space or control"),
        ("http://127.0.0.1:99999", LOOPBACK, "unparseable URL: Port out of range 0-65535"),
        ("http://127.0.0.1:{port}/" + "a" * 2048, LOOPBACK, "URL longer than 2048 characters"),
        (
            "http://127.0.0.1:{port}",
            PUBLIC_ONLY,
            "127.0.0.1 is not a public address (private, loopback, link-local or reserved)",
        ),
        ("http://[::1]:{port}", PUBLIC_ONLY, "::1 is not a public address"),
        ("http://[::ffff:127.0.0.1]:{port}", PUBLIC_ONLY, "::ffff:127.0.0.1 is not a public"),
        ("http://10.1.2.3", PUBLIC_ONLY, "10.1.2.3 is not a public address"),
        ("http://169.254.169.254", PUBLIC_ONLY, "169.254.169.254 is not a public address"),
        ("http://0.0.0.0:{port}", PUBLIC_ONLY, "0.0.0.0 is not a public address"),
        ("http://224.0.0.1", PUBLIC_ONLY, "224.0.0.1 is a multicast address"),
        ("http://localhost:{port}", PUBLIC_ONLY, "localhost resolves to 127.0.0.1 is not a"),
        ("http://127.1:{port}", PUBLIC_ONLY, "invalid URL: 127.1"),
    ],
)
def test_a_refused_url_is_a_fail_and_is_never_contacted(peer, commitment, endpoint, policy, why):
    judgement, seconds = judge(
        replace(commitment, endpoint=endpoint.format(port=peer.port)), policy=policy
    )

    assert judgement.reason == "missing_reveal"
    assert judgement.evidence["detail"].startswith(f"refused_url: {why}")
    assert peer.connections == 0
    assert seconds <= SLACK


def test_the_same_loopback_peer_is_fetched_when_private_addresses_are_allowed(
    peer, at_peer, honest_reveals
):
    peer.on("POST", REVEALS, hostile.answer(200, honest_reveals))

    assert judge(at_peer, policy=LOOPBACK)[0].ok
    assert peer.connections == 1


def test_check_url_accepts_a_public_https_endpoint():
    assert http.check_url("https://agent.example.com:8443/x", allow_private=False)
    assert http.check_url("http://8.8.8.8/", allow_private=False)


# ---------------------------------------------------------------- the result: addressed by hash


def with_mirror(claim: ResultClaim, mirror: HostilePeer) -> ResultClaim:
    return replace(claim, mirrors=(mirror.url + RESULT,))


def test_a_stalled_result_uri_leaves_its_mirror_time_to_serve(
    peer, other_host, at_peer, honest_reveals
):
    """A flooded host named in the result URI (issue 15, attack 8): the agent at the offer's
    endpoint now serves the same bytes, and their hash is what the chain holds."""
    peer.on("POST", REVEALS, hostile.answer(200, honest_reveals))
    peer.on("GET", RESULT, hostile.trickle_body(TRICKLE, declared=None))
    other_host.on("GET", RESULT, hostile.answer(200, ARTIFACT))

    judgement, seconds = judge(at_peer, with_mirror(claim_at(peer), other_host))

    assert (judgement.ok, judgement.reason) == (True, "ok")
    assert other_host.requests == [("GET", RESULT)]
    assert seconds <= BUDGET + SLACK


def test_a_mirror_serving_the_hashed_bytes_outweighs_a_result_uri_serving_others(
    peer, other_host, at_peer, honest_reveals
):
    peer.on("POST", REVEALS, hostile.answer(200, honest_reveals))
    peer.on("GET", RESULT, hostile.answer(200, b"not the artifact"))
    other_host.on("GET", RESULT, hostile.answer(200, ARTIFACT))

    judgement, _ = judge(at_peer, with_mirror(claim_at(peer), other_host))

    assert (judgement.ok, judgement.reason) == (True, "ok")


def test_no_source_serving_the_bytes_fails_only_once_every_source_answered(
    peer, other_host, at_peer, honest_reveals
):
    peer.on("POST", REVEALS, hostile.answer(200, honest_reveals))
    peer.on("GET", RESULT, hostile.answer(200, b"not the artifact"))
    other_host.on("GET", RESULT, hostile.answer(503, b"busy"))
    claim = with_mirror(claim_at(peer), other_host)

    message, _ = unreachable(at_peer, claim)  # one source may still serve it: try again later
    assert message == f"{other_host.url}{RESULT}: HTTP 503"

    other_host.on("GET", RESULT, hostile.answer(404, b""))
    judgement, _ = judge(at_peer, claim)
    assert (judgement.ok, judgement.reason) == (False, "result_hash_mismatch")
    assert judgement.evidence["artifact_sha256"] == hashlib.sha256(b"not the artifact").hexdigest()

    peer.on("GET", RESULT, hostile.answer(410, b""))
    judgement, _ = judge(at_peer, claim)
    assert (judgement.ok, judgement.reason) == (False, "missing_result")
    assert judgement.evidence["detail"] == "HTTP 404"
