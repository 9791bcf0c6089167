"""`fetch_reveals` and `fetch_artifact` against a local HTTP server playing the provider's agent:
what counts as an answer, a refusal (a FAIL), or an unreachable agent (try again later)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpumarket.oracle.judge import FetchPolicy, Unreachable, fetch_artifact, fetch_reveals
from gpumarket.pogemm.verifier import derive_samples

from .conftest import CHALLENGE_ID, SAMPLES, SAMPLING_SEED

REVEALS_PATH = f"/challenges/{CHALLENGE_ID}/reveals"
ARTIFACT = b'{"result":"forty-two"}'
#: The fake agent listens on 127.0.0.1.
LOCAL = FetchPolicy(deadline=5, read_timeout=5, allow_private=True)


@pytest.fixture
def positions(params):
    return derive_samples(SAMPLING_SEED, params, SAMPLES)


@pytest.fixture
def at_agent(commitment, agent):
    """The commitment, with the fake agent as the offer's endpoint (trailing slash and all)."""
    return replace(commitment, endpoint=agent.url + "/")


# ---------------------------------------------------------------- reveals


def test_the_oracle_posts_the_root_and_sampled_positions_and_parses_the_reveals(
    at_agent, agent, honest_proof, positions
):
    expected = honest_proof.reveal_many(positions)
    agent.answer("POST", REVEALS_PATH, 200, {"reveals": [r.to_json() for r in expected]})

    reveals, note = fetch_reveals(at_agent, SAMPLES, LOCAL)

    assert (reveals, note) == (expected, "ok")
    assert agent.requests == [
        (
            "POST",
            REVEALS_PATH,
            {"root": "0x" + honest_proof.root.hex(), "positions": [list(p) for p in positions]},
        )
    ]


@pytest.mark.parametrize("status", [400, 404, 410])
def test_a_client_error_means_no_reveals(at_agent, agent, status):
    agent.answer("POST", REVEALS_PATH, status, {"error": "unknown challenge"})

    assert fetch_reveals(at_agent, SAMPLES, LOCAL) == ([], f"HTTP {status}")


@pytest.mark.parametrize("status", [500, 502, 503, 408, 425, 429])
def test_a_server_error_or_a_try_later_is_unreachable(at_agent, agent, status):
    """429 is what a rate limiter in front of a flooded agent answers: a buyer's flood must not
    read as the provider refusing to reveal (issue 15, attack 8)."""
    agent.answer("POST", REVEALS_PATH, status, b"busy")

    with pytest.raises(Unreachable) as raised:
        fetch_reveals(at_agent, SAMPLES, LOCAL)

    assert str(raised.value) == f"{agent.url}{REVEALS_PATH}: HTTP {status}"


def test_a_closed_port_is_unreachable(commitment, closed_port_url):
    with pytest.raises(Unreachable) as raised:
        fetch_reveals(replace(commitment, endpoint=closed_port_url), SAMPLES, LOCAL)

    assert str(raised.value).startswith(f"{closed_port_url}{REVEALS_PATH}: ")
    assert "Connection refused" in str(raised.value)


def test_an_agent_slower_than_the_timeout_is_unreachable(at_agent, agent):
    agent.answer("POST", REVEALS_PATH, 200, {"reveals": []}, delay=0.5)

    with pytest.raises(Unreachable, match="read timed out after 0.1 s"):
        fetch_reveals(at_agent, SAMPLES, FetchPolicy(read_timeout=0.1, allow_private=True))


@pytest.mark.parametrize(
    ("body", "note"),
    [
        (b"<html>not json</html>", "malformed reveals: Expecting value: line 1 column 1 (char 0)"),
        ({"proofs": []}, "malformed reveals: 'reveals'"),
        ([1, 2, 3], "malformed reveals: list indices must be integers or slices, not str"),
        ({"reveals": [{"c": 0}]}, "malformed reveals: 'i'"),
        (
            {
                "reveals": [
                    {"c": 0, "i": 2, "row": "zz", "next_row": "", "proof": [], "next_proof": []}
                ]
            },
            "malformed reveals: non-hexadecimal number found in fromhex() arg at position 0",
        ),
        ({"reveals": [None]}, "malformed reveals: 'NoneType' object is not subscriptable"),
    ],
)
def test_a_malformed_answer_means_no_reveals(at_agent, agent, body, note):
    agent.answer("POST", REVEALS_PATH, 200, body)

    assert fetch_reveals(at_agent, SAMPLES, LOCAL) == ([], note)


# ---------------------------------------------------------------- artifacts


def test_an_artifact_is_fetched_byte_for_byte(agent):
    agent.answer("GET", "/jobs/5/result", 200, ARTIFACT)

    assert fetch_artifact(f"{agent.url}/jobs/5/result", LOCAL, max_bytes=1024) == (ARTIFACT, "ok")
    assert agent.requests == [("GET", "/jobs/5/result", None)]


def test_an_artifact_of_exactly_max_bytes_is_accepted(agent):
    agent.answer("GET", "/jobs/5/result", 200, ARTIFACT)

    uri = f"{agent.url}/jobs/5/result"
    assert fetch_artifact(uri, LOCAL, max_bytes=len(ARTIFACT)) == (ARTIFACT, "ok")


def test_an_artifact_over_max_bytes_is_refused(agent):
    agent.answer("GET", "/jobs/5/result", 200, ARTIFACT)

    uri = f"{agent.url}/jobs/5/result"
    assert fetch_artifact(uri, LOCAL, max_bytes=len(ARTIFACT) - 1) == (
        None,
        f"too_large: {uri}: Content-Length 22 is over the cap of 21 bytes",
    )


def test_a_large_artifact_is_cut_off_across_chunks(agent):
    agent.answer("GET", "/jobs/5/result", 200, b"x" * (200 * 1024))

    uri = f"{agent.url}/jobs/5/result"
    assert fetch_artifact(uri, LOCAL, max_bytes=100 * 1024)[0] is None
    assert fetch_artifact(uri, LOCAL, max_bytes=200 * 1024) == (b"x" * (200 * 1024), "ok")


@pytest.mark.parametrize("status", [403, 404])
def test_an_agent_without_the_artifact_gives_none(agent, status):
    agent.answer("GET", "/jobs/5/result", status, {"error": "no such job"})

    uri = f"{agent.url}/jobs/5/result"
    assert fetch_artifact(uri, LOCAL, max_bytes=1024) == (None, f"HTTP {status}")


@pytest.mark.parametrize("status", [500, 429])
def test_an_artifact_behind_a_server_error_or_a_rate_limit_is_unreachable(agent, status):
    agent.answer("GET", "/jobs/5/result", status, b"oops")

    with pytest.raises(Unreachable) as raised:
        fetch_artifact(f"{agent.url}/jobs/5/result", LOCAL, max_bytes=1024)

    assert str(raised.value) == f"{agent.url}/jobs/5/result: HTTP {status}"


def test_an_artifact_on_a_closed_port_is_unreachable(closed_port_url):
    uri = f"{closed_port_url}/jobs/5/result"

    with pytest.raises(Unreachable) as raised:
        fetch_artifact(uri, LOCAL, max_bytes=1024)

    assert str(raised.value).startswith(f"{uri}: ")
    assert "Connection refused" in str(raised.value)
