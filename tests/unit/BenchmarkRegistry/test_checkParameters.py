"""The governance caps on a challenge's sizes (DESIGN 5.8): `checkParameters` reverts with
`BenchmarkRegistryCapExceeded` naming the first cap a size is over, with the value and the cap,
and `BenchmarkRegistryInvalidParameters` for a shape no PoGEMM has; `open` runs the same check."""

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import CAPS, N, err

JOB_ID = 7


def cap_exceeded(cap: str, value: int, limit: int) -> str:
    return err("BenchmarkRegistryCapExceeded", name32(cap), value, limit)


#: (n, T, K) one step over each default cap, the cap it names and the value it names.
OVER = [
    ((16_384 + 64, 8, 2), "maxN", 16_384 + 64),
    ((64, 2**20 + 2, 2), "maxSteps", 2**20 + 2),
    ((64, 2_048, 2_048), "maxInterval", 2_048),
    # K·n² = 128 · 2^28 = 2^35: n and K each within their caps.
    ((16_384, 128, 128), "maxSampleOps", 2**35),
    # T·n³ = 2^20 · 2^39 = 2^59, with K·n² = 2^34 exactly at its cap.
    ((8_192, 2**20, 256), "maxProverOps", 2**59),
]
OVER_IDS = [cap for _, cap, _ in OVER]


def test_the_defaults_are_the_documented_caps(benchmark):
    assert {cap: getattr(benchmark, cap)() for cap in CAPS} == CAPS


@pytest.mark.parametrize("sizes, cap, value", OVER, ids=OVER_IDS)
def test_a_size_over_a_cap_reverts_naming_the_cap(benchmark, sizes, cap, value):
    with brownie.reverts(cap_exceeded(cap, value, CAPS[cap])):
        benchmark.checkParameters(*sizes)


AT_THE_CAPS = [(64, 8, 2), (16_384, 64, 64), (8_192, 2**19, 256), (64, 2**20, 1_024)]
AT_THE_CAPS_IDS = ["test-size", "sample-ops-at-cap", "prover-ops-at-cap", "steps-and-k-at-cap"]


@pytest.mark.parametrize("sizes", AT_THE_CAPS, ids=AT_THE_CAPS_IDS)
def test_sizes_at_the_caps_pass(benchmark, sizes):
    benchmark.checkParameters(*sizes)

    assert benchmark.admits(*sizes) is True


@pytest.mark.parametrize("sizes, cap, value", OVER, ids=OVER_IDS)
def test_admits_is_false_over_a_cap(benchmark, sizes, cap, value):
    assert benchmark.admits(*sizes) is False


def test_admits_is_false_for_a_shape_no_pogemm_has(benchmark):
    assert benchmark.admits(64, 7, 2) is False


def test_the_first_cap_exceeded_is_named(benchmark):
    # Over maxN, maxSteps and maxInterval at once: maxN comes first.
    with brownie.reverts(cap_exceeded("maxN", 32_768, CAPS["maxN"])):
        benchmark.checkParameters(32_768, 2**31, 2**31)


@pytest.mark.parametrize(
    "sizes",
    [(0, 8, 2), (96, 8, 2), (64, 0, 2), (64, 8, 0), (64, 7, 2), (16_448 + 1, 8, 2)],
    ids=["n-zero", "n-not-multiple", "t-zero", "k-zero", "k-not-dividing-t", "n-odd-over-max"],
)
def test_a_shape_no_pogemm_has_reverts_before_the_caps(benchmark, sizes):
    with brownie.reverts(err("BenchmarkRegistryInvalidParameters", *sizes)):
        benchmark.checkParameters(*sizes)


@pytest.mark.parametrize("sizes, cap, value", OVER, ids=OVER_IDS)
def test_open_for_a_job_over_a_cap_reverts_naming_the_cap(
    benchmark, opener, provider, sizes, cap, value
):
    with brownie.reverts(cap_exceeded(cap, value, CAPS[cap])):
        benchmark.open(JOB_ID, provider, *sizes, {"from": opener})


@pytest.mark.parametrize("sizes, cap, value", OVER, ids=OVER_IDS)
def test_an_attestation_over_a_cap_reverts_naming_the_cap(
    benchmark, list_provider, provider, sizes, cap, value
):
    listed = list_provider(provider)

    with brownie.reverts(cap_exceeded(cap, value, CAPS[cap])):
        benchmark.open(0, listed, *sizes, {"from": listed})


def test_a_lowered_cap_applies_to_the_next_open(benchmark, governance, opener, provider):
    benchmark.setParameter(name32("maxSteps"), 4, {"from": governance})

    with brownie.reverts(cap_exceeded("maxSteps", 8, 4)):
        benchmark.open(JOB_ID, provider, N, 8, 2, {"from": opener})
    assert benchmark.challengeCount() == 0


def test_a_raised_cap_admits_a_larger_challenge(benchmark, governance, opener, provider):
    benchmark.setParameter(name32("maxInterval"), 2_048, {"from": governance})

    tx = benchmark.open(JOB_ID, provider, N, 2_048, 2_048, {"from": opener})

    assert tx.events["ChallengeOpened"]["interval"] == 2_048
