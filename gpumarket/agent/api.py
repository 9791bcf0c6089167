"""The agent's HTTP API, described once: its server routes these paths, the agent names its
results with `result_url`, and the oracle builds its requests and reads the answers here.

- ``GET /health``: `Health`, ``{"provider", "jobs", "challenges"}``.
- ``POST /challenges/{id}/reveals`` with `RevealsRequest`,
  ``{"root": "0x..", "positions": [[c, i], ...]}``: `RevealsResponse`,
  ``{"reveals": [Reveal.to_json(), ...]}``; 404 without a proof for that id and root; 400 on
  malformed input, more than MAX_POSITIONS positions, or a position out of range.
- ``GET /jobs/{id}/result``: the artifact bytes; 404 when there is none.
- ``GET /metrics``: the agent's Prometheus metrics (`gpumarket.runtime.metrics`).

Errors are ``{"error": message}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from gpumarket.pogemm import spec
from gpumarket.pogemm.merkle import DIGEST_BYTES, tree_depth
from gpumarket.pogemm.reveal import Reveal

#: Route templates, in aiohttp's syntax.
HEALTH = "/health"
REVEALS = "/challenges/{challenge_id}/reveals"
RESULT = "/jobs/{job_id}/result"
METRICS = "/metrics"

#: Most positions one reveal request may ask for (an oracle asks for S = 64).
MAX_POSITIONS = 4_096


class Health(TypedDict):
    provider: str
    jobs: int
    challenges: int


class RevealsRequest(TypedDict):
    root: str
    positions: list[list[int]]


class RevealsResponse(TypedDict):
    reveals: list[dict[str, Any]]


class BadRequest(ValueError):
    """A request the server will not interpret."""


# ------------------------------------------------------------ URLs


def _base(endpoint: str) -> str:
    return endpoint.rstrip("/")


def health_url(endpoint: str) -> str:
    return _base(endpoint) + HEALTH


def reveals_url(endpoint: str, challenge_id: int) -> str:
    return _base(endpoint) + REVEALS.format(challenge_id=challenge_id)


def result_url(endpoint: str, job_id: int) -> str:
    """Where the agent at `endpoint` serves job `job_id`'s artifact: the result URI it submits,
    and where an oracle looks when it has not seen that URI."""
    return _base(endpoint) + RESULT.format(job_id=job_id)


# ------------------------------------------------------------ reveals: request and response


def reveals_request(root: bytes, positions: Sequence[tuple[int, int]]) -> RevealsRequest:
    return {"root": "0x" + root.hex(), "positions": [list(p) for p in positions]}


def parse_root(value: Any) -> bytes:
    if not isinstance(value, str):
        raise BadRequest("root must be a 0x-prefixed 32-byte hex string")
    try:
        root = bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raise BadRequest("root is not hex") from None
    if len(root) != 32:
        raise BadRequest(f"root must be 32 bytes, got {len(root)}")
    return root


def parse_positions(value: Any) -> list[tuple[int, int]]:
    if not isinstance(value, list):
        raise BadRequest("positions must be a list of [c, i] pairs")
    if len(value) > MAX_POSITIONS:
        raise BadRequest(f"at most {MAX_POSITIONS} positions per request, got {len(value)}")
    positions = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in item)
        ):
            raise BadRequest(f"a position must be [c, i] with two integers, got {item!r}")
        positions.append((item[0], item[1]))
    return positions


def parse_reveals_request(body: Any) -> tuple[bytes, list[tuple[int, int]]]:
    """(root, positions) of a reveals request's JSON body; BadRequest when malformed."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return parse_root(body.get("root")), parse_positions(body.get("positions"))


def reveals_response(reveals: Sequence[Reveal]) -> RevealsResponse:
    return {"reveals": [reveal.to_json() for reveal in reveals]}


def reveals_response_cap(params: spec.Params, count: int) -> int:
    """The most bytes an oracle reads of a RevealsResponse for `count` positions: twice the
    largest honest answer (two rows of n bytes and two proofs of the tree's depth per reveal, in
    hex, with the JSON around them), plus 64 KiB."""
    depth = tree_depth(params.leaf_count)
    per_reveal = 2 * (2 * params.n) + 2 * depth * (2 * DIGEST_BYTES + 4) + 160
    return 2 * count * per_reveal + 64 * 1024


def parse_reveals_response(body: Any) -> list[Reveal]:
    """The reveals in a response's JSON body; ValueError, KeyError or TypeError when
    malformed."""
    return [Reveal.from_json(item) for item in body["reveals"]]
