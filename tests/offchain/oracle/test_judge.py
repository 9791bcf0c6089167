"""`judge_commitment`, `judge_result` and the evidence they hash: an honest PoGEMM proof passes, a
cheater fails with the verifier's reason and the rows that disagree, an attestation must also
reach a fraction of its GPU model's reference throughput, and a job's artifact must hash to the
submitted result."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from eth_hash.auto import keccak

from gpumarket.oracle.judge import (
    Judgement,
    canonical_json,
    fail_without_commitment,
    judge_commitment,
    judge_result,
)
from gpumarket.pogemm import spec
from gpumarket.pogemm.gpus import REFERENCE_INT8_TOPS
from gpumarket.pogemm.prover import Proof
from gpumarket.pogemm.verifier import derive_samples

from .conftest import CHALLENGE_ID, JOB_ID, SAMPLES, SAMPLING_SEED, tampered

ARTIFACT = b'{"result":"forty-two"}'
ARTIFACT_SHA256 = bytes.fromhex("5a678ae004d61d4cd7c3cefbf870f23844e3770b1ff8449c800ad3c8e950f0c9")
#: 2·n³·T for n=64, T=8, over the 2 seconds from opening to commitment.
OPS_PER_SECOND = 2 * 64**3 * 8 / 2
H100_FRACTION = OPS_PER_SECOND / (1979.0 * 1e12)


def base_evidence(commitment, reason: str = "ok") -> dict:
    return {
        "challenge": CHALLENGE_ID,
        "subject": commitment.subject,
        "root": commitment.root.hex(),
        "sampling_seed": SAMPLING_SEED.hex(),
        "n": 64,
        "steps": 8,
        "interval": 2,
        "reason": reason,
    }


@pytest.fixture(scope="module")
def positions(params):
    found = derive_samples(SAMPLING_SEED, params, SAMPLES)
    # The cheaters below aim at these samples of the fixed seeds.
    assert found[:5] == [(0, 2), (0, 24), (2, 53), (3, 12), (2, 38)]
    assert (3, 38) not in found and found.index((2, 38)) == 4
    return found


@pytest.fixture
def honest_reveals(honest_proof, positions):
    return honest_proof.reveal_many(positions)


def cheating_proof(params, checkpoints, c: int, i: int) -> Proof:
    """A commitment to the honest checkpoints except row i of checkpoint c."""
    changed = [x.copy() for x in checkpoints]
    changed[c][i] = tampered(changed[c][i])
    return Proof.from_checkpoints(params, changed, spec.b_matrix(params.seed, params.n))


# ---------------------------------------------------------------- proofs of a job's work


def test_an_honest_proof_is_ok_with_the_commitments_facts_as_evidence(commitment, honest_reveals):
    judgement = judge_commitment(commitment, honest_reveals, SAMPLES, min_benchmark_fraction=0.4)

    assert judgement == Judgement(True, "ok", 0, base_evidence(commitment))


def test_the_evidence_hash_is_keccak_of_the_canonical_json(
    commitment, honest_reveals, honest_proof
):
    judgement = judge_commitment(commitment, honest_reveals, SAMPLES, min_benchmark_fraction=0.4)

    canonical = (
        f'{{"challenge":11,"interval":2,"n":64,"reason":"ok","root":"{honest_proof.root.hex()}",'
        f'"sampling_seed":"{SAMPLING_SEED.hex()}","steps":8,"subject":5}}'
    ).encode()
    assert canonical_json(judgement.evidence) == canonical
    assert judgement.evidence_hash == keccak(canonical)


def test_canonical_json_sorts_keys_and_drops_spaces():
    assert canonical_json({"b": 1.5, "a": [1, "x"], "c": None}) == b'{"a":[1,"x"],"b":1.5,"c":null}'


def test_a_wrong_row_after_a_sampled_interval_fails_with_both_rows(
    params, commitment, honest_checkpoints, positions
):
    cheat = cheating_proof(params, honest_checkpoints, 3, 38)
    reveals = cheat.reveal_many(positions)

    judgement = judge_commitment(
        replace(commitment, root=cheat.root), reveals, SAMPLES, min_benchmark_fraction=0.4
    )

    honest_row = honest_checkpoints[3][38].tobytes()
    assert honest_row != tampered(honest_checkpoints[3][38]).tobytes()
    assert judgement == Judgement(
        False,
        "step_mismatch",
        0,
        {
            **base_evidence(replace(commitment, root=cheat.root), "step_mismatch"),
            "sample": 4,
            "c": 2,
            "i": 38,
            "detail": "",
            "expected_row": honest_row.hex(),
            "revealed_row": tampered(honest_checkpoints[3][38]).tobytes().hex(),
        },
    )
    assert judgement.evidence_hash == keccak(canonical_json(judgement.evidence))


def test_a_wrong_starting_row_fails_as_a_generator_mismatch(
    params, commitment, honest_checkpoints, positions
):
    cheat = cheating_proof(params, honest_checkpoints, 0, 24)

    judgement = judge_commitment(
        replace(commitment, root=cheat.root),
        cheat.reveal_many(positions),
        SAMPLES,
        min_benchmark_fraction=0.4,
    )

    x0_row = spec.x0_rows(params.seed, params.n, [24])[0]
    assert (judgement.ok, judgement.reason, judgement.tops) == (False, "generator_mismatch", 0)
    assert {k: judgement.evidence[k] for k in ("sample", "c", "i", "detail")} == {
        "sample": 1,
        "c": 0,
        "i": 24,
        "detail": "",
    }
    assert judgement.evidence["expected_row"] == x0_row.tobytes().hex()
    assert judgement.evidence["revealed_row"] == tampered(x0_row).tobytes().hex()


def test_reveals_that_do_not_open_the_committed_root_fail_as_bad_proof(
    params, commitment, honest_checkpoints, honest_reveals
):
    other_root = cheating_proof(params, honest_checkpoints, 3, 38).root

    judgement = judge_commitment(
        replace(commitment, root=other_root), honest_reveals, SAMPLES, min_benchmark_fraction=0.4
    )

    assert (judgement.ok, judgement.reason) == (False, "bad_proof")
    assert {k: judgement.evidence[k] for k in ("sample", "c", "i", "detail", "root")} == {
        "sample": 0,
        "c": 0,
        "i": 2,
        "detail": "checkpoint c",
        "root": other_root.hex(),
    }
    assert (judgement.evidence["expected_row"], judgement.evidence["revealed_row"]) == (None, None)


@pytest.mark.parametrize("missing", [0, 7, SAMPLES - 1])
def test_a_missing_reveal_fails_at_its_sample(commitment, honest_reveals, positions, missing):
    reveals = list(honest_reveals)
    reveals[missing] = None

    judgement = judge_commitment(commitment, reveals, SAMPLES, min_benchmark_fraction=0.4)

    c, i = positions[missing]
    assert judgement == Judgement(
        False,
        "missing_reveal",
        0,
        {
            **base_evidence(commitment, "missing_reveal"),
            "sample": missing,
            "c": c,
            "i": i,
            "detail": "",
            "expected_row": None,
            "revealed_row": None,
        },
    )


def test_no_reveals_at_all_fail_at_the_first_sample(commitment):
    judgement = judge_commitment(commitment, [], SAMPLES, min_benchmark_fraction=0.0)

    assert (judgement.reason, judgement.evidence["sample"]) == ("missing_reveal", 0)


def test_a_job_is_not_held_to_the_attestation_throughput(commitment, honest_reveals):
    judgement = judge_commitment(
        replace(commitment, gpu_model="NOT-A-GPU"),
        honest_reveals,
        SAMPLES,
        min_benchmark_fraction=1.0,
    )

    assert judgement == Judgement(True, "ok", 0, base_evidence(commitment))


# ---------------------------------------------------------------- attestations (subject 0)


def attestation(commitment, gpu_model: str = "H100-SXM-80GB"):
    return replace(commitment, subject=0, gpu_model=gpu_model)


def test_an_attestation_at_exactly_the_minimum_fraction_passes(commitment, honest_reveals):
    assert REFERENCE_INT8_TOPS["H100-SXM-80GB"] == 1979.0

    judgement = judge_commitment(
        attestation(commitment), honest_reveals, SAMPLES, min_benchmark_fraction=H100_FRACTION
    )

    assert judgement == Judgement(
        True,
        "ok",
        0,
        {
            **base_evidence(attestation(commitment)),
            "ops_per_second": 2_097_152.0,
            "fraction": H100_FRACTION,
        },
    )


def test_an_attestation_just_below_the_minimum_fraction_fails(commitment, honest_reveals):
    judgement = judge_commitment(
        attestation(commitment),
        honest_reveals,
        SAMPLES,
        min_benchmark_fraction=math.nextafter(H100_FRACTION, 1.0),
    )

    assert judgement == Judgement(
        False,
        "throughput_below_claim",
        0,
        {
            **base_evidence(attestation(commitment), "throughput_below_claim"),
            "ops_per_second": 2_097_152.0,
            "fraction": H100_FRACTION,
        },
    )


def test_the_fraction_is_against_the_offers_own_model(commitment, honest_reveals):
    a100_fraction = OPS_PER_SECOND / (624.0 * 1e12)

    passes = judge_commitment(
        attestation(commitment, "A100"),
        honest_reveals,
        SAMPLES,
        min_benchmark_fraction=a100_fraction,
    )
    fails = judge_commitment(
        attestation(commitment, "H100-SXM-80GB"),
        honest_reveals,
        SAMPLES,
        min_benchmark_fraction=a100_fraction,
    )

    assert (passes.ok, passes.evidence["fraction"]) == (True, a100_fraction)
    assert (fails.ok, fails.reason, fails.evidence["fraction"]) == (
        False,
        "throughput_below_claim",
        H100_FRACTION,
    )


def test_an_attestation_for_an_unknown_model_fails(commitment, honest_reveals):
    judgement = judge_commitment(
        attestation(commitment, "B300-EXOTIC"), honest_reveals, SAMPLES, min_benchmark_fraction=0.4
    )

    assert judgement == Judgement(
        False,
        "unknown_gpu_model",
        0,
        {
            **base_evidence(attestation(commitment), "unknown_gpu_model"),
            "ops_per_second": 2_097_152.0,
            "fraction": 0.0,
        },
    )


def test_an_unknown_model_passes_when_no_fraction_is_required(commitment, honest_reveals):
    judgement = judge_commitment(
        attestation(commitment, "B300-EXOTIC"), honest_reveals, SAMPLES, min_benchmark_fraction=0.0
    )

    assert (judgement.ok, judgement.reason, judgement.evidence["fraction"]) == (True, "ok", 0.0)


def test_a_cheating_attestation_fails_on_the_proof_before_the_throughput(
    params, commitment, honest_checkpoints, positions
):
    cheat = cheating_proof(params, honest_checkpoints, 3, 38)

    judgement = judge_commitment(
        replace(attestation(commitment), root=cheat.root),
        cheat.reveal_many(positions),
        SAMPLES,
        min_benchmark_fraction=0.0,
    )

    assert (judgement.ok, judgement.reason) == (False, "step_mismatch")
    assert "ops_per_second" not in judgement.evidence and "fraction" not in judgement.evidence


# ---------------------------------------------------------------- throughput of a commitment


@pytest.mark.parametrize(
    ("opened_at", "committed_at", "ops_per_second", "tops"),
    [
        (1_000, 1_001, 524_288e9, 524),
        (1_000, 1_002, 262_144e9, 262),
        (1_000, 1_000, 524_288e9, 524),  # committed in the opening block: one second
        (1_000, 1_003, 524_288e9 / 3, 174),
    ],
)
def test_commitment_throughput_is_the_work_over_the_time_to_commit(
    commitment, opened_at, committed_at, ops_per_second, tops
):
    big = replace(
        commitment,
        params=spec.Params(commitment.params.seed, n=64, steps=10**9, interval=1),
        opened_at=opened_at,
        committed_at=committed_at,
    )

    assert big.params.ops == 524_288 * 10**9
    assert (big.ops_per_second, big.tops) == (ops_per_second, tops)


# ---------------------------------------------------------------- a job's result


@pytest.fixture
def busy_commitment(commitment):
    """A job commitment whose throughput rounds to 524 TOPS."""
    return replace(
        commitment,
        params=spec.Params(commitment.params.seed, n=64, steps=10**9, interval=1),
        opened_at=1_000,
        committed_at=1_001,
    )


def result_evidence(commitment, reason: str) -> dict:
    return {**base_evidence(commitment, reason), "steps": 10**9, "interval": 1}


def test_an_artifact_that_hashes_to_the_result_is_ok(busy_commitment):
    judgement = judge_result(busy_commitment, ARTIFACT, ARTIFACT_SHA256)

    assert judgement == Judgement(True, "ok", 524, result_evidence(busy_commitment, "ok"))


def test_a_missing_artifact_fails(busy_commitment):
    judgement = judge_result(busy_commitment, None, ARTIFACT_SHA256)

    assert judgement == Judgement(
        False, "missing_result", 0, result_evidence(busy_commitment, "missing_result")
    )


def test_an_artifact_with_another_hash_fails_and_records_its_hash(busy_commitment):
    judgement = judge_result(busy_commitment, ARTIFACT + b"\n", ARTIFACT_SHA256)

    assert judgement == Judgement(
        False,
        "result_hash_mismatch",
        0,
        {
            **result_evidence(busy_commitment, "result_hash_mismatch"),
            "artifact_sha256": "8d5d0df2e4bed55a073c63e5ba0da03c51b37a6554a81d7da219a0d7962b0681",
        },
    )


def test_an_empty_artifact_is_judged_by_its_hash(busy_commitment):
    empty_sha256 = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    assert judge_result(busy_commitment, b"", empty_sha256).ok is True
    assert judge_result(busy_commitment, b"", ARTIFACT_SHA256).reason == "result_hash_mismatch"


def test_a_challenge_never_committed_fails_with_minimal_evidence():
    judgement = fail_without_commitment(CHALLENGE_ID, JOB_ID, "no_commitment")

    assert judgement == Judgement(
        False, "no_commitment", 0, {"challenge": 11, "subject": 5, "reason": "no_commitment"}
    )
    assert judgement.evidence_hash == keccak(
        b'{"challenge":11,"reason":"no_commitment","subject":5}'
    )
