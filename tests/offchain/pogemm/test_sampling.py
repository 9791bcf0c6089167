"""Sample positions depend on the sampling seed alone: never on the root a provider committed."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from eth_hash.auto import keccak

from gpumarket.pogemm import reference as ref
from gpumarket.pogemm import spec, verifier
from gpumarket.pogemm.prover import Proof
from gpumarket.pogemm.verifier import VerdictReason


def test_sample_derivation_takes_no_root() -> None:
    assert list(inspect.signature(verifier.derive_samples).parameters) == [
        "sampling_seed",
        "params",
        "samples",
    ]


def test_samples_do_not_change_when_the_root_changes(
    params: spec.Params, honest_proof: Proof
) -> None:
    sampling_seed = keccak(b"root-independence")
    positions = verifier.derive_samples(sampling_seed, params, 16)
    reveals = list(honest_proof.reveal_many(positions))
    other_root = keccak(honest_proof.root)

    honest = verifier.verify(params, honest_proof.root, sampling_seed, reveals, 16)
    against_other_root = verifier.verify(params, other_root, sampling_seed, reveals, 16)

    # The same reveals sit at the right positions for both roots: only the proofs break.
    assert honest.ok
    assert against_other_root.reason is VerdictReason.BAD_PROOF
    assert verifier.derive_samples(sampling_seed, params, 16) == positions


def test_samples_do_not_depend_on_the_challenge_seed(params: spec.Params) -> None:
    sampling_seed = keccak(b"seed-independence")
    other = dataclasses.replace(params, seed=keccak(b"another challenge"))

    assert verifier.derive_samples(sampling_seed, params, 16) == verifier.derive_samples(
        sampling_seed, other, 16
    )


def test_different_sampling_seeds_give_different_samples(params: spec.Params) -> None:
    draws = {tuple(verifier.derive_samples(keccak(b"seed-%d" % k), params, 16)) for k in range(50)}

    assert len(draws) == 50


def test_samples_cover_every_interval_and_many_rows(params: spec.Params) -> None:
    positions = verifier.derive_samples(keccak(b"coverage"), params, 512)

    assert {c for c, _ in positions} == set(range(params.intervals))
    assert len({i for _, i in positions}) > params.n // 2


def test_samples_match_reference_formula(params: spec.Params) -> None:
    sampling_seed = keccak(b"formula")

    positions = verifier.derive_samples(sampling_seed, params, 32)

    assert positions == [
        ref.sample_position(sampling_seed, k, params.intervals, params.n) for k in range(32)
    ]


@pytest.mark.parametrize("count", [0, -1])
def test_sample_count_must_be_positive(params: spec.Params, count: int) -> None:
    with pytest.raises(ValueError):
        verifier.derive_samples(keccak(b"x"), params, count)
