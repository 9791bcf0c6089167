"""The agent's HTTP server, through aiohttp's test client: reveals that verify against the root,
artifacts byte for byte, and the 404 and 400 answers an oracle or buyer can get."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from eth_hash.auto import keccak

from gpumarket.agent.api import MAX_POSITIONS
from gpumarket.agent.server import make_app
from gpumarket.agent.store import AgentStore
from gpumarket.pogemm import backends, spec, verifier
from gpumarket.pogemm.prover import prove
from gpumarket.pogemm.reveal import Reveal

from .conftest import ARTIFACT, CHALLENGE_ID, JOB_ID, PROVIDER, record_proof

SAMPLES = 16


def call(store: AgentStore, request: Callable[[TestClient], Awaitable[Any]]) -> Any:
    """Serve the store's state directory and run `request` against it."""

    async def main() -> Any:
        async with TestClient(TestServer(make_app(store.state_dir, PROVIDER))) as client:
            return await request(client)

    return asyncio.run(main())


def post_reveals(store, body, challenge_id=CHALLENGE_ID, raw: bytes | None = None):
    async def request(client):
        path = f"/challenges/{challenge_id}/reveals"
        if raw is not None:
            response = await client.post(path, data=raw)
        else:
            response = await client.post(path, json=body)
        return response.status, await response.json()

    return call(store, request)


def get(store, path):
    async def request(client):
        response = await client.get(path)
        return response.status, response.headers.get("Content-Type"), await response.read()

    return call(store, request)


def reveal_body(root: bytes, positions) -> dict:
    return {"root": "0x" + root.hex(), "positions": [list(p) for p in positions]}


def test_health_counts_jobs_and_challenges(served_state):
    status, content_type, body = get(served_state, "/health")

    assert (status, content_type) == (200, "application/json; charset=utf-8")
    assert json.loads(body) == {"provider": PROVIDER, "jobs": 1, "challenges": 1}


def test_sampled_reveals_verify_against_the_committed_root(served_state, proof, params):
    sampling_seed = keccak(b"block after the commitment")
    positions = spec.sample_positions(sampling_seed, params, SAMPLES)

    status, body = post_reveals(served_state, reveal_body(proof.root, positions))

    assert status == 200
    reveals = [Reveal.from_json(item) for item in body["reveals"]]
    for k, (position, reveal) in enumerate(zip(positions, reveals, strict=True)):
        assert verifier.check_reveal(params, proof.root, k, position, reveal) is None
    verdict = verifier.verify(params, proof.root, sampling_seed, reveals, SAMPLES)
    assert verdict.ok, verdict


def test_reveals_are_exactly_the_provers(served_state, proof):
    positions = [(0, 0), (3, 63), (1, 5), (1, 5)]

    status, body = post_reveals(served_state, reveal_body(proof.root, positions))

    assert status == 200
    assert body == {"reveals": [r.to_json() for r in proof.reveal_many(positions)]}


def test_reveals_from_a_thinned_checkpoint_store_match_the_full_one(store, params, proof):
    thinned = prove(params, backends.NumpyBackend(), keep_every=3)
    record_proof(store, CHALLENGE_ID, thinned)
    positions = [(c, i) for c in range(params.intervals) for i in (2, 40)]

    status, body = post_reveals(store, reveal_body(proof.root, positions))

    assert status == 200
    assert body == {"reveals": [r.to_json() for r in proof.reveal_many(positions)]}


def test_empty_position_list_gets_no_reveals(served_state, proof):
    assert post_reveals(served_state, reveal_body(proof.root, [])) == (200, {"reveals": []})


def test_unknown_challenge_is_404(served_state, proof):
    status, body = post_reveals(served_state, reveal_body(proof.root, [(0, 0)]), challenge_id=8)

    assert status == 404
    assert "no proof for challenge 8" in body["error"]


def test_known_challenge_with_another_root_is_404(served_state):
    status, _ = post_reveals(served_state, reveal_body(keccak(b"other root"), [(0, 0)]))

    assert status == 404


def test_old_root_of_a_reseeded_challenge_is_still_served(served_state, proof, params):
    """After a reorg re-seeds the challenge, an oracle asking about the old root gets old rows,
    and one asking about the new root gets the new ones."""
    reseeded = spec.Params(keccak(b"new seed"), params.n, params.steps, params.interval)
    new_proof = prove(reseeded, backends.NumpyBackend())
    record_proof(served_state, CHALLENGE_ID, new_proof)

    old = post_reveals(served_state, reveal_body(proof.root, [(0, 1)]))
    new = post_reveals(served_state, reveal_body(new_proof.root, [(0, 1)]))

    assert old == (200, {"reveals": [proof.reveal(0, 1).to_json()]})
    assert new == (200, {"reveals": [new_proof.reveal(0, 1).to_json()]})


@pytest.mark.parametrize(
    "position",
    [[4, 0], [0, 64], [-1, 0], [0, -1], [5, 70]],
    ids=["c=T/K", "i=n", "c<0", "i<0", "both"],
)
def test_position_out_of_range_is_400(served_state, proof, position):
    status, body = post_reveals(
        served_state, {"root": "0x" + proof.root.hex(), "positions": [[0, 0], position]}
    )

    assert status == 400
    assert "out of range" in body["error"]


def test_more_than_the_maximum_positions_is_400(served_state, proof):
    positions = [[0, 0]] * (MAX_POSITIONS + 1)

    status, body = post_reveals(served_state, reveal_body(proof.root, positions))

    assert status == 400
    assert str(MAX_POSITIONS) in body["error"]


def test_the_maximum_number_of_positions_is_served(served_state, proof):
    positions = [(c, i) for c in range(4) for i in range(64)] * (MAX_POSITIONS // 256)

    status, body = post_reveals(served_state, reveal_body(proof.root, positions))

    assert status == 200
    assert len(body["reveals"]) == MAX_POSITIONS


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"positions": [[0, 0]]},
        {"root": 5, "positions": [[0, 0]]},
        {"root": "0xzz", "positions": [[0, 0]]},
        {"root": "0x" + "00" * 31, "positions": [[0, 0]]},
        {"root": "ROOT", "positions": {"0": [0, 0]}},
        {"root": "ROOT"},
        {"root": "ROOT", "positions": [[0]]},
        {"root": "ROOT", "positions": [[0, 0, 0]]},
        {"root": "ROOT", "positions": [[0, "1"]]},
        {"root": "ROOT", "positions": [[0, 1.0]]},
        {"root": "ROOT", "positions": [[True, 0]]},
        {"root": "ROOT", "positions": [7]},
    ],
    ids=[
        "not-an-object",
        "no-root",
        "root-not-a-string",
        "root-not-hex",
        "root-31-bytes",
        "positions-not-a-list",
        "no-positions",
        "short-pair",
        "long-pair",
        "string-index",
        "float-index",
        "bool-index",
        "bare-int",
    ],
)
def test_malformed_request_is_400(served_state, proof, body):
    if isinstance(body, dict) and body.get("root") == "ROOT":
        body = {**body, "root": "0x" + proof.root.hex()}

    status, answer = post_reveals(served_state, body)

    assert status == 400
    assert answer["error"]


def test_body_that_is_not_json_is_400(served_state):
    status, answer = post_reveals(served_state, None, raw=b"root=0x00")

    assert (status, answer) == (400, {"error": "the body must be JSON"})


def test_non_numeric_challenge_id_is_400(served_state, proof):
    status, _ = post_reveals(served_state, reveal_body(proof.root, [(0, 0)]), challenge_id="abc")

    assert status == 400


def test_result_is_the_artifact_bytes(served_state):
    status, content_type, body = get(served_state, f"/jobs/{JOB_ID}/result")

    assert (status, content_type, body) == (200, "application/octet-stream", ARTIFACT)


def test_result_of_an_unknown_job_is_404(served_state):
    status, _, body = get(served_state, "/jobs/99/result")

    assert status == 404
    assert json.loads(body) == {"error": "no result for job 99"}


def test_result_of_a_job_without_artifact_is_404(served_state):
    served_state.add_job(4, matched_block=11)

    status, _, _ = get(served_state, "/jobs/4/result")

    assert status == 404
