"""Opening a challenge: by the market (OPENER_ROLE) for a job, or by a listed provider for a
hardware attestation of itself. Opening fixes no seed: it comes from the next block's hash
(test_challengeSeed.py), which the opener cannot know when it sends the opening."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import (
    BENCHMARK_WINDOW,
    INTERVAL,
    STEPS,
    ZERO32,
    ChallengeState,
    N,
    err,
    event,
    plain,
)

JOB_ID = 7


def test_open_by_the_opener_emits_challenge_opened(benchmark, opener, provider):
    tx = benchmark.open(JOB_ID, provider, N, STEPS, INTERVAL, {"from": opener})

    opened = event(tx, "ChallengeOpened")
    assert opened == {
        "challengeId": 1,
        "subject": JOB_ID,
        "provider": provider.address,
        "n": N,
        "steps": STEPS,
        "interval": INTERVAL,
    }


def test_open_records_the_challenge(benchmark, opener, provider):
    tx = benchmark.open(JOB_ID, provider, N, STEPS, INTERVAL, {"from": opener})

    assert plain(benchmark.challengeOf(1)) == (
        provider.address,
        ChallengeState.OPEN,
        tx.timestamp,
        JOB_ID,
        ZERO32,
        ZERO32,
        N,
        STEPS,
        INTERVAL,
        tx.timestamp + BENCHMARK_WINDOW,
        0,
        tx.block_number,
        ZERO32,
        0,
        0,
        0,
    )


def test_open_returns_consecutive_ids_from_one(benchmark, opener, provider, provider2):
    first = benchmark.open(JOB_ID, provider, N, STEPS, INTERVAL, {"from": opener})

    second = benchmark.open(JOB_ID + 1, provider2, N, STEPS, INTERVAL, {"from": opener})

    assert (first.return_value, second.return_value) == (1, 2)
    assert benchmark.challengeCount() == 2


def test_open_stores_no_seed_and_anchors_on_its_block(benchmark, opener, provider):
    tx = benchmark.open(JOB_ID, provider, N, STEPS, INTERVAL, {"from": opener})

    c = plain(benchmark.challengeOf(1).dict())
    assert (c["seed"], c["anchorBlock"]) == (ZERO32, tx.block_number)
    assert "ChallengeSeedStored" not in tx.events


def test_open_by_the_opener_for_an_unlisted_provider_is_accepted(benchmark, opener, stranger):
    tx = benchmark.open(JOB_ID, stranger, N, STEPS, INTERVAL, {"from": opener})

    assert event(tx, "ChallengeOpened")["provider"] == stranger.address


def test_open_attestation_by_a_listed_provider_for_itself(benchmark, listed):
    tx = benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": listed})

    opened = event(tx, "ChallengeOpened")
    assert (opened["challengeId"], opened["subject"], opened["provider"]) == (1, 0, listed.address)
    assert benchmark.challengeOf(1)["state"] == ChallengeState.OPEN


def test_open_attestation_by_an_unlisted_provider_reverts(benchmark, listed, provider2):
    with brownie.reverts(err("BenchmarkRegistryNotListed", provider2)):
        benchmark.open(0, provider2, N, STEPS, INTERVAL, {"from": provider2})


def test_open_attestation_for_someone_else_reverts(benchmark, listed, stranger):
    with brownie.reverts(
        err("AccessControlUnauthorizedAccount", stranger, benchmark.OPENER_ROLE())
    ):
        benchmark.open(0, listed, N, STEPS, INTERVAL, {"from": stranger})


def test_open_by_a_provider_for_a_job_subject_reverts(benchmark, listed):
    with brownie.reverts(err("AccessControlUnauthorizedAccount", listed, benchmark.OPENER_ROLE())):
        benchmark.open(JOB_ID, listed, N, STEPS, INTERVAL, {"from": listed})


@pytest.mark.parametrize(
    "n, steps, interval",
    [(0, 8, 2), (32, 8, 2), (100, 8, 2), (64, 0, 2), (64, 8, 0), (64, 8, 3)],
    ids=["n-zero", "n-below-64", "n-not-multiple", "steps-zero", "interval-zero", "k-not-divisor"],
)
def test_open_with_invalid_sizes_reverts(benchmark, opener, provider, n, steps, interval):
    with brownie.reverts(err("BenchmarkRegistryInvalidParameters", n, steps, interval)):
        benchmark.open(JOB_ID, provider, n, steps, interval, {"from": opener})


def test_open_with_invalid_sizes_by_a_listed_provider_reverts(benchmark, listed):
    with brownie.reverts(err("BenchmarkRegistryInvalidParameters", 64, 8, 3)):
        benchmark.open(0, listed, 64, 8, 3, {"from": listed})


def test_open_deadline_follows_the_current_benchmark_window(
    benchmark, governance, opener, provider
):
    benchmark.setParameter(name32("benchmarkWindow"), 10 * 60, {"from": governance})

    tx = benchmark.open(JOB_ID, provider, N, STEPS, INTERVAL, {"from": opener})

    assert benchmark.challengeOf(1)["commitDeadline"] == tx.timestamp + 10 * 60


def test_open_takes_a_subject_up_to_64_bits(benchmark, opener, provider):
    tx = benchmark.open(2**64 - 1, provider, N, STEPS, INTERVAL, {"from": opener})

    assert benchmark.challengeOf(tx.return_value)["subject"] == 2**64 - 1


def test_open_with_a_subject_over_64_bits_reverts(benchmark, opener, provider):
    # A challenge stores its job id in 64 bits; the market's sequential ids never reach it.
    with brownie.reverts(err("BenchmarkRegistryInvalidSubject", 2**64)):
        benchmark.open(2**64, provider, N, STEPS, INTERVAL, {"from": opener})
