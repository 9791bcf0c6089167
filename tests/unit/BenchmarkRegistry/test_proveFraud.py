"""A committed checkpoint-0 row that differs from the generator is provable on-chain with its Merkle
proof. On a hardware attestation the provider loses what its opening locked: the bond
(`attestationSlash` then) to the treasury and the fraud bounty beside it (`finderFeeBps` of the
bond) to the prover, and is jailed; after a PASS the fraud stays provable until the bond is
released, and clears the provider's verified TOPS. An honest row, a bad proof or a malformed row
is refused, so an honest provider can never be slashed.

Commitments are real PoGEMM trees (n=64, T=8, K=2) built by the Python prover over the challenge's
on-chain seed; the forged one complements row FORGED_ROW of X0 before building the tree."""

from types import SimpleNamespace

import brownie
import pytest
from brownie import chain

from gpumarket.chain.deploy import name32

from .helpers import (
    ATTESTATION_LOCK,
    ATTESTATION_SLASH,
    BOUNTY,
    DEPTH,
    FORGED_ROW,
    GMKT,
    JAIL_PERIOD,
    STAKE,
    ZERO_ADDRESS,
    ChallengeState,
    N,
    commitment,
    err,
    event,
    fraud_args,
    plain,
)

#: Gas of proveFraud on an attestation, two slashes included, with about 10% headroom over the
#: measured 205,6xx (n=64, depth 9) and 346,5xx (n=1024, depth 13), so a regression shows.
MAX_FRAUD_GAS_N64 = 225_000
MAX_FRAUD_GAS_N1024 = 380_000


@pytest.fixture(scope="module")
def challenges(benchmark, list_provider, open_attestation, provider):
    """`provider`'s attestations: `forged` and `honest` committed, `uncommitted` still open."""
    list_provider(provider)
    forged_id, forged_params, _ = open_attestation(provider)
    honest_id, honest_params, _ = open_attestation(provider)
    uncommitted_id, _, _ = open_attestation(provider)
    forged = commitment(forged_params, [FORGED_ROW])
    honest = commitment(honest_params)
    benchmark.commit(forged_id, forged.root, {"from": provider})
    benchmark.commit(honest_id, honest.root, {"from": provider})
    return SimpleNamespace(
        forged=SimpleNamespace(id=forged_id, proof=forged),
        honest=SimpleNamespace(id=honest_id, proof=honest),
        uncommitted=uncommitted_id,
    )


def _prove_forged(benchmark, challenges, finder):
    forged = challenges.forged
    return benchmark.proveFraud(forged.id, *fraud_args(forged.proof, FORGED_ROW), {"from": finder})


def test_fraud_emits_fraud_proven(benchmark, provider, finder, challenges):
    tx = _prove_forged(benchmark, challenges, finder)

    assert event(tx, "FraudProven") == {
        "challengeId": challenges.forged.id,
        "provider": provider.address,
        "prover": finder.address,
        "row": FORGED_ROW,
        "slashed": ATTESTATION_LOCK,
    }


def test_fraud_marks_the_challenge_fraud(benchmark, finder, challenges):
    _prove_forged(benchmark, challenges, finder)

    assert benchmark.challengeOf(challenges.forged.id)["state"] == ChallengeState.FRAUD


def test_fraud_pays_the_bounty_to_the_prover_and_the_bond_to_the_treasury(
    benchmark, gmkt, finder, treasury, challenges
):
    treasury_before = gmkt.balanceOf(treasury)

    _prove_forged(benchmark, challenges, finder)

    assert gmkt.balanceOf(finder) == BOUNTY == 50 * GMKT
    assert gmkt.balanceOf(treasury) - treasury_before == ATTESTATION_SLASH


def test_fraud_slashes_the_bond_locked_at_opening(
    benchmark, registry, provider, finder, treasury, challenges
):
    tx = _prove_forged(benchmark, challenges, finder)

    assert [plain(dict(e)) for e in tx.events["StakeSlashed"]] == [
        {
            "provider": provider.address,
            "lockId": challenges.forged.id,
            "beneficiary": beneficiary.address,
            "amount": amount,
            "fromLocked": amount,
            "fromFree": 0,
            "fromUnbonding": 0,
        }
        for beneficiary, amount in ((treasury, ATTESTATION_SLASH), (finder, BOUNTY))
    ]
    info = registry.providerInfo(provider)
    # The fixture's three attestations locked a bond and bounty each: two locks are left.
    assert (info["stake"], info["locked"]) == (STAKE - ATTESTATION_LOCK, 2 * ATTESTATION_LOCK)
    assert registry.lockOf(benchmark, challenges.forged.id)["provider"] == ZERO_ADDRESS


def test_fraud_jails_the_provider(benchmark, registry, provider, finder, challenges):
    tx = _prove_forged(benchmark, challenges, finder)

    assert registry.providerInfo(provider)["jailedUntil"] == tx.timestamp + JAIL_PERIOD


def test_fraud_records_a_slash_in_reputation(benchmark, reputation, provider, finder, challenges):
    tx = _prove_forged(benchmark, challenges, finder)

    assert tx.events["ProviderSlashed"]["provider"] == provider.address
    record = reputation.providerRecord(provider)
    assert (record["completed"], record["failed"], record["slashed"]) == (0, 0, 1)


@pytest.mark.parametrize(
    "finder_fee_bps, to_finder, to_treasury",
    [(2_500, 10 * GMKT, 40 * GMKT), (10_000, 40 * GMKT, 40 * GMKT), (0, 0, 40 * GMKT)],
    ids=["quarter", "whole", "none"],
)
def test_fraud_pays_the_bounty_the_finder_fee_locked(
    benchmark,
    gmkt,
    governance,
    open_attestation,
    provider,
    finder,
    treasury,
    challenges,
    finder_fee_bps,
    to_finder,
    to_treasury,
):
    benchmark.setParameter(name32("attestationSlash"), 40 * GMKT, {"from": governance})
    benchmark.setParameter(name32("finderFeeBps"), finder_fee_bps, {"from": governance})
    challenge_id, params, _ = open_attestation(provider)
    forged = commitment(params, [FORGED_ROW])
    benchmark.commit(challenge_id, forged.root, {"from": provider})
    treasury_before = gmkt.balanceOf(treasury)

    tx = benchmark.proveFraud(challenge_id, *fraud_args(forged, FORGED_ROW), {"from": finder})

    assert [e["beneficiary"] for e in tx.events["StakeSlashed"]] == [
        account for account, amount in ((treasury, to_treasury), (finder, to_finder)) if amount
    ]
    assert gmkt.balanceOf(finder) == to_finder
    assert gmkt.balanceOf(treasury) - treasury_before == to_treasury
    assert event(tx, "FraudProven")["slashed"] == to_finder + to_treasury


def test_honest_row_reverts_no_fraud(benchmark, finder, challenges):
    honest = challenges.honest

    with brownie.reverts(err("BenchmarkRegistryNoFraud", honest.id, 3)):
        benchmark.proveFraud(honest.id, *fraud_args(honest.proof, 3), {"from": finder})


def test_honest_row_of_a_forged_commitment_reverts_no_fraud(benchmark, finder, challenges):
    forged = challenges.forged
    row = FORGED_ROW + 1

    with brownie.reverts(err("BenchmarkRegistryNoFraud", forged.id, row)):
        benchmark.proveFraud(forged.id, *fraud_args(forged.proof, row), {"from": finder})


def test_tampered_merkle_proof_reverts(benchmark, finder, challenges):
    forged = challenges.forged
    row, values, proof = fraud_args(forged.proof, FORGED_ROW)
    proof[4] = bytes(32)

    with brownie.reverts(err("BenchmarkRegistryInvalidProof", forged.id, row)):
        benchmark.proveFraud(forged.id, row, values, proof, {"from": finder})


def test_forged_row_claimed_at_another_index_reverts(benchmark, finder, challenges):
    forged = challenges.forged
    _, values, proof = fraud_args(forged.proof, FORGED_ROW)

    with brownie.reverts(err("BenchmarkRegistryInvalidProof", forged.id, FORGED_ROW + 1)):
        benchmark.proveFraud(forged.id, FORGED_ROW + 1, values, proof, {"from": finder})


def test_honest_later_checkpoint_row_cannot_pass_for_checkpoint_zero(benchmark, finder, challenges):
    # Row 3 of checkpoint 1 differs from the generator's row 3, but its leaf sits at n + 3.
    honest = challenges.honest
    reveal = honest.proof.reveal(1, 3)

    with brownie.reverts(err("BenchmarkRegistryInvalidProof", honest.id, 3)):
        benchmark.proveFraud(honest.id, 3, reveal.row, list(reveal.proof), {"from": finder})


@pytest.mark.parametrize("length", [N - 1, N + 1])
def test_row_of_the_wrong_length_reverts(benchmark, finder, challenges, length):
    forged = challenges.forged
    row, values, proof = fraud_args(forged.proof, FORGED_ROW)

    with brownie.reverts(err("BenchmarkRegistryBadRowLength", length, N)):
        benchmark.proveFraud(forged.id, row, (values * 2)[:length], proof, {"from": finder})


def test_row_out_of_range_reverts(benchmark, finder, challenges):
    forged = challenges.forged
    _, values, proof = fraud_args(forged.proof, FORGED_ROW)

    with brownie.reverts(err("BenchmarkRegistryRowOutOfRange", N, N)):
        benchmark.proveFraud(forged.id, N, values, proof, {"from": finder})


@pytest.mark.parametrize("delta", [-1, 1], ids=["short", "long"])
def test_proof_of_the_wrong_length_reverts_with_pogemms_error(benchmark, finder, challenges, delta):
    forged = challenges.forged
    row, values, proof = fraud_args(forged.proof, FORGED_ROW)
    proof = proof[:-1] if delta < 0 else [*proof, bytes(32)]

    with brownie.reverts(err("PoGemmProofLengthMismatch", DEPTH, DEPTH + delta)):
        benchmark.proveFraud(forged.id, row, values, proof, {"from": finder})


def test_second_fraud_proof_reverts(benchmark, finder, challenges):
    _prove_forged(benchmark, challenges, finder)

    with brownie.reverts(
        err("BenchmarkRegistryWrongState", challenges.forged.id, ChallengeState.FRAUD)
    ):
        _prove_forged(benchmark, challenges, finder)


def test_fraud_after_a_passed_verdict_is_proven_and_clears_the_verified_tops(
    benchmark, reputation, verifier, provider, finder, challenges
):
    benchmark.recordAttestation(challenges.forged.id, True, 1_000, {"from": verifier})

    tx = _prove_forged(benchmark, challenges, finder)

    assert event(tx, "FraudProven")["slashed"] == ATTESTATION_LOCK
    assert event(tx, "VerifiedTopsCleared") == {"provider": provider.address, "tops": 1_000}
    assert benchmark.challengeOf(challenges.forged.id)["state"] == ChallengeState.FRAUD
    assert reputation.verifiedTops(provider) == 0
    assert reputation.providerRecord(provider)["lastVerifiedTops"] == 0


def test_fraud_on_a_failed_attestation_reverts(benchmark, verifier, finder, challenges):
    benchmark.recordAttestation(challenges.forged.id, False, 0, {"from": verifier})

    with brownie.reverts(
        err("BenchmarkRegistryWrongState", challenges.forged.id, ChallengeState.FAILED)
    ):
        _prove_forged(benchmark, challenges, finder)


def test_fraud_after_the_bond_is_released_reverts(
    benchmark, reputation, verifier, finder, challenges
):
    benchmark.recordAttestation(challenges.forged.id, True, 1_000, {"from": verifier})
    chain.sleep(reputation.maxTopsAge() + 1)
    benchmark.releaseBond(challenges.forged.id, {"from": finder})

    with brownie.reverts(
        err("BenchmarkRegistryWrongState", challenges.forged.id, ChallengeState.EXPIRED)
    ):
        _prove_forged(benchmark, challenges, finder)


def test_fraud_on_an_uncommitted_challenge_reverts(benchmark, finder, challenges):
    row, values, proof = fraud_args(challenges.forged.proof, FORGED_ROW)

    with brownie.reverts(
        err("BenchmarkRegistryWrongState", challenges.uncommitted, ChallengeState.OPEN)
    ):
        benchmark.proveFraud(challenges.uncommitted, row, values, proof, {"from": finder})


def test_fraud_on_an_unknown_challenge_reverts(benchmark, finder, challenges):
    row, values, proof = fraud_args(challenges.forged.proof, FORGED_ROW)

    with brownie.reverts(err("BenchmarkRegistryUnknownChallenge", 99)):
        benchmark.proveFraud(99, row, values, proof, {"from": finder})


def test_fraud_gas_at_n_64(benchmark, finder, challenges):
    tx = _prove_forged(benchmark, challenges, finder)

    assert tx.gas_used <= MAX_FRAUD_GAS_N64


def test_fraud_gas_at_n_1024(benchmark, open_attestation, provider, finder, challenges):
    challenge_id, params, _ = open_attestation(provider, n=1024)
    forged = commitment(params, [FORGED_ROW])
    benchmark.commit(challenge_id, forged.root, {"from": provider})

    tx = benchmark.proveFraud(challenge_id, *fraud_args(forged, FORGED_ROW), {"from": finder})

    assert event(tx, "FraudProven")["slashed"] == ATTESTATION_LOCK
    assert tx.gas_used <= MAX_FRAUD_GAS_N1024
