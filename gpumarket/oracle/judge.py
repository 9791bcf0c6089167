"""Reaching a verdict on one commitment: fetch the reveals (and a job's result) from the provider's
agent (through `gpumarket.agent.api`), verify them with `pogemm.verifier`, and describe the
outcome as hashed evidence.

No chain access and no store here: the service passes in what it read on-chain, and runs
`judge_challenge` in a worker thread. Every fetch goes through `gpumarket.runtime.http` (URL
checked, total deadline, size cap, no redirects).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from eth_utils.crypto import keccak

from gpumarket.agent import api
from gpumarket.pogemm import spec
from gpumarket.pogemm.gpus import REFERENCE_INT8_TOPS
from gpumarket.pogemm.reveal import Reveal
from gpumarket.pogemm.verifier import derive_samples, verify
from gpumarket.runtime import http
from gpumarket.runtime.canonical import canonical_json
from gpumarket.runtime.http import FetchPolicy, Unreachable

__all__ = [
    "Commitment",
    "FetchPolicy",
    "Judgement",
    "ResultClaim",
    "Unreachable",
    "fail_without_commitment",
    "fetch_artifact",
    "fetch_result",
    "fetch_reveals",
    "judge_challenge",
    "judge_commitment",
    "judge_result",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Commitment:
    """What the chain says about one committed challenge."""

    challenge_id: int
    subject: int  # job id, or 0 for an attestation
    params: spec.Params
    root: bytes
    sampling_seed: bytes
    opened_at: int
    committed_at: int
    endpoint: str
    gpu_model: str
    #: The provider whose agent is at `endpoint` (its address names the agent in a signature).
    provider: str = ""

    @property
    def ops_per_second(self) -> float:
        """The on-chain lower bound: 2·n³·T over the time from opening to the commitment."""
        return self.params.ops / max(1, self.committed_at - self.opened_at)

    @property
    def tops(self) -> int:
        return int(self.ops_per_second // 10**12)


@dataclass(frozen=True)
class Judgement:
    ok: bool
    reason: str
    tops: int
    evidence: dict[str, Any]

    @property
    def evidence_hash(self) -> bytes:
        return keccak(canonical_json(self.evidence))


def fetch_reveals(
    commitment: Commitment, samples: int, policy: FetchPolicy, deadline: float | None = None
) -> tuple[list[Reveal | None], str]:
    """The reveals for the sampled positions, and a note. A refusal (3xx, 4xx), a refused URL or
    a hostile or malformed answer (too large, encoded, not JSON, not reveals) yields no reveals:
    a FAIL, the note saying why. No usable answer (network, timeout, deadline, 5xx) raises
    Unreachable. The body is read up to `api.reveals_response_cap`."""
    positions = derive_samples(commitment.sampling_seed, commitment.params, samples)
    url = api.reveals_url(commitment.endpoint, commitment.challenge_id)
    cap = api.reveals_response_cap(commitment.params, len(positions))
    body = api.reveals_request(commitment.root, positions)
    try:
        response = http.fetch(
            "POST",
            url,
            policy=policy,
            max_bytes=cap,
            json_body=body,
            deadline=deadline,
            headers=_signed(policy, commitment.provider, "POST", url),
        )
    except http.BadAnswer as exc:
        return [], f"{exc.reason}: {exc}"
    if response.status != 200:
        return [], _refusal(response.status)
    try:
        parsed = api.parse_reveals_response(http.parse_json(response.body))
    except (ValueError, LookupError, TypeError, ArithmeticError) as exc:
        return [], f"malformed reveals: {exc}"
    reveals: list[Reveal | None] = list(parsed)
    return reveals, "ok"


def _signed(policy: FetchPolicy, provider: str, method: str, url: str) -> dict[str, str] | None:
    """The council signature's headers for a request to `provider`'s agent, when the policy
    signs (an oracle's: the agent serves it from the room it keeps for the council)."""
    if policy.sign is None or not provider:
        return None
    return dict(policy.sign(provider, method, urlsplit(url).path))


def fetch_artifact(
    uri: str,
    policy: FetchPolicy,
    max_bytes: int,
    deadline: float | None = None,
    provider: str = "",
) -> tuple[bytes | None, str]:
    """A job's result artifact and a note; None when the agent answers that it has none (3xx,
    4xx), the URI is refused, or the answer is hostile (over `max_bytes`, encoded, malformed).
    Raises Unreachable when there is no usable answer. Signed for `provider`'s agent when the
    policy signs."""
    try:
        response = http.fetch(
            "GET",
            uri,
            policy=policy,
            max_bytes=max_bytes,
            deadline=deadline,
            headers=_signed(policy, provider, "GET", uri),
        )
    except http.BadAnswer as exc:
        return None, f"{exc.reason}: {exc}"
    if response.status != 200:
        return None, _refusal(response.status)
    return response.body, "ok"


def _refusal(status: int) -> str:
    if 300 <= status < 400:
        return f"HTTP {status} (redirects are not followed)"
    return f"HTTP {status}"


@dataclass(frozen=True)
class ResultClaim:
    """What a job's provider submitted: where the artifact is, and its sha256; and `mirrors`,
    other places the provider serves it (its agent at the offer's endpoint as it is now)."""

    uri: str
    result_hash: bytes
    mirrors: tuple[str, ...] = ()
    #: The provider (its address names the agent in a council signature).
    provider: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.uri, *(m for m in self.mirrors if m != self.uri))


def fetch_result(
    claim: ResultClaim, policy: FetchPolicy, max_bytes: int, deadline: float
) -> tuple[bytes | None, str]:
    """A job's artifact, from the result URI, then each mirror: the artifact is addressed by its
    sha256 on-chain, so any source the provider names that serves those bytes proves it, and a
    flood of one host (the buyer's, say) does not hide it. The first source whose bytes hash to
    the claim wins; else, when a source was unreachable, Unreachable (tried again later); else
    bytes that do not hash, if a source served some, or None and the last refusal. `deadline`
    is monotonic; each source gets an equal share of the time left."""
    artifact: bytes | None = None
    note = "no source"
    unreachable: Unreachable | None = None
    sources = claim.sources
    for k, uri in enumerate(sources):
        # An equal share of the time left, so a source that stalls leaves the next one its turn.
        share = (deadline - time.monotonic()) / (len(sources) - k)
        try:
            body, why = fetch_artifact(uri, policy, max_bytes, share, claim.provider)
        except Unreachable as exc:
            unreachable = unreachable or exc
            continue
        if body is not None and hashlib.sha256(body).digest() == claim.result_hash:
            return body, "ok"
        if body is not None or artifact is None:  # bytes that do not hash are the evidence
            artifact, note = body, why
    if unreachable is not None:
        raise unreachable
    return artifact, note


def judge_challenge(
    commitment: Commitment,
    claim: ResultClaim | None,
    *,
    samples: int,
    policy: FetchPolicy,
    budget: float,
    max_artifact_bytes: int,
    min_benchmark_fraction: float,
) -> Judgement:
    """Fetch and judge one committed challenge within `budget` seconds of fetching in all: the
    reveals, and for a job (`claim`) the artifact once the reveals hold. Raises Unreachable when
    the provider gave no usable answer in time (the caller decides when that becomes a FAIL)."""
    deadline = time.monotonic() + budget
    # The reveals get the whole budget: nothing has been spent yet (a recomputed remainder
    # read 4.99999 s of 5 on a loaded machine, in the evidence a provider sees).
    reveals, note = fetch_reveals(commitment, samples, policy, budget)
    judgement = judge_commitment(
        commitment, reveals, samples, min_benchmark_fraction=min_benchmark_fraction
    )
    if note != "ok" and not judgement.ok:
        judgement.evidence["detail"] = note
    if judgement.ok and claim is not None:
        artifact, note = fetch_result(claim, policy, max_artifact_bytes, deadline)
        judgement = judge_result(commitment, artifact, claim.result_hash)
        if artifact is None:
            judgement.evidence["detail"] = note
    return judgement


def judge_commitment(
    commitment: Commitment,
    reveals: list[Reveal | None],
    samples: int,
    *,
    min_benchmark_fraction: float,
) -> Judgement:
    """Verify the sampled reveals; for an attestation also check the throughput claim."""
    verdict = verify(commitment.params, commitment.root, commitment.sampling_seed, reveals, samples)
    evidence = _evidence(commitment, verdict.reason.value)
    if not verdict.ok:
        evidence.update(
            sample=verdict.sample,
            c=verdict.c,
            i=verdict.i,
            detail=verdict.detail,
            expected_row=verdict.expected_row.hex() if verdict.expected_row else None,
            revealed_row=verdict.revealed_row.hex() if verdict.revealed_row else None,
        )
        return Judgement(False, verdict.reason.value, 0, evidence)
    if commitment.subject == 0:
        reference = REFERENCE_INT8_TOPS.get(commitment.gpu_model)
        fraction = commitment.ops_per_second / (reference * 1e12) if reference else 0.0
        evidence.update(ops_per_second=commitment.ops_per_second, fraction=fraction)
        if reference is None and min_benchmark_fraction > 0:
            evidence["reason"] = "unknown_gpu_model"
            return Judgement(False, "unknown_gpu_model", 0, evidence)
        if fraction < min_benchmark_fraction:
            evidence["reason"] = "throughput_below_claim"
            return Judgement(False, "throughput_below_claim", 0, evidence)
    return Judgement(True, "ok", commitment.tops, evidence)


def judge_result(commitment: Commitment, artifact: bytes | None, result_hash: bytes) -> Judgement:
    """A job's artifact must be served and hash (sha256) to the submitted result hash."""
    evidence = _evidence(commitment, "ok")
    if artifact is None:
        evidence["reason"] = "missing_result"
        return Judgement(False, "missing_result", 0, evidence)
    digest = hashlib.sha256(artifact).digest()
    if digest != result_hash:
        evidence.update(reason="result_hash_mismatch", artifact_sha256=digest.hex())
        return Judgement(False, "result_hash_mismatch", 0, evidence)
    return Judgement(True, "ok", commitment.tops, evidence)


def fail_without_commitment(challenge_id: int, subject: int, reason: str) -> Judgement:
    """A FAIL for a challenge that was never committed in time, or never revealed."""
    evidence = {"challenge": challenge_id, "subject": subject, "reason": reason}
    return Judgement(False, reason, 0, evidence)


def _evidence(commitment: Commitment, reason: str) -> dict[str, Any]:
    return {
        "challenge": commitment.challenge_id,
        "subject": commitment.subject,
        "root": commitment.root.hex(),
        "sampling_seed": commitment.sampling_seed.hex(),
        "n": commitment.params.n,
        "steps": commitment.params.steps,
        "interval": commitment.params.interval,
        "reason": reason,
    }
