"""Reaching a verdict on one commitment: fetch the reveals (and a job's result) from the provider's
agent (through `gpumarket.agent.api`), verify them with `pogemm.verifier`, and describe the
outcome as hashed evidence.

No chain access here: the service passes in what it read on-chain.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import requests
from eth_utils.crypto import keccak

from gpumarket.agent import api
from gpumarket.pogemm import spec
from gpumarket.pogemm.gpus import REFERENCE_INT8_TOPS
from gpumarket.pogemm.reveal import Reveal
from gpumarket.pogemm.verifier import derive_samples, verify
from gpumarket.runtime.canonical import canonical_json

log = logging.getLogger(__name__)


class Unreachable(RuntimeError):
    """The provider's agent did not answer (network error, timeout or a 5xx): try again later."""


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
    commitment: Commitment, samples: int, timeout: float
) -> tuple[list[Reveal | None], str]:
    """The reveals for the sampled positions, and a note. A 4xx or malformed answer yields no
    reveals (the provider refused or cannot answer: a FAIL); a network failure raises
    Unreachable."""
    positions = derive_samples(commitment.sampling_seed, commitment.params, samples)
    url = api.reveals_url(commitment.endpoint, commitment.challenge_id)
    body = api.reveals_request(commitment.root, positions)
    try:
        response = requests.post(url, json=body, timeout=timeout)
    except requests.RequestException as exc:
        raise Unreachable(f"{url}: {exc}") from exc
    if response.status_code >= 500:
        raise Unreachable(f"{url}: HTTP {response.status_code}")
    if response.status_code != 200:
        return [], f"HTTP {response.status_code}"
    try:
        reveals: list[Reveal | None] = list(api.parse_reveals_response(response.json()))
    except (ValueError, KeyError, TypeError) as exc:
        return [], f"malformed reveals: {exc}"
    return reveals, "ok"


def fetch_artifact(uri: str, timeout: float, max_bytes: int) -> bytes | None:
    """A job's result artifact; None when the agent answers that it has none (4xx) or sends too
    much. Raises Unreachable on network failure."""
    try:
        with requests.get(uri, timeout=timeout, stream=True) as response:
            if response.status_code >= 500:
                raise Unreachable(f"{uri}: HTTP {response.status_code}")
            if response.status_code != 200:
                return None
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > max_bytes:
                    return None
            return bytes(data)
    except requests.RequestException as exc:
        raise Unreachable(f"{uri}: {exc}") from exc


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
