"""unfitFor: the first requirement a provider fails, in the order of `Unfit`, which the market's
`eligibilityOf` reports (shifted by one) and the CLI turns into a sentence; `canServe` is
`unfitFor == NONE`. The provider offers 8 × H100-SXM-80GB, 80 GiB, in DE."""

from enum import IntEnum

import pytest

from .helpers import COLLATERAL, GMKT, MIN_STAKE, OFFER, OTHER_TOKEN, STAKE
from .test_canServe import _requirement


class Unfit(IntEnum):
    """IProviderRegistry.Unfit."""

    NONE = 0
    NOT_REGISTERED = 1
    STAKE_BELOW_MINIMUM = 2
    JAILED = 3
    NO_PRICE_IN_TOKEN = 4
    GPU_MODEL = 5
    REGION = 6
    VRAM = 7
    FREE_GPUS = 8
    FREE_STAKE = 9


@pytest.fixture(scope="module")
def listed(register_provider, provider):
    register_provider(provider)
    return provider


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("token", OTHER_TOKEN, Unfit.NO_PRICE_IN_TOKEN),
        ("gpu_model", "A100-SXM-80GB", Unfit.GPU_MODEL),
        ("region", "US", Unfit.REGION),
        ("min_vram_gib", OFFER.vram_gib + 1, Unfit.VRAM),
        ("gpus", OFFER.gpu_count + 1, Unfit.FREE_GPUS),
        ("collateral", STAKE + 1, Unfit.FREE_STAKE),
        ("gpu_model", "", Unfit.NONE),
        ("region", "", Unfit.NONE),
    ],
)
def test_unfit_for_names_the_failed_requirement(registry, gmkt, listed, field, value, expected):
    reason = registry.unfitFor(listed, _requirement(gmkt, **{field: value}))

    assert Unfit(reason) == expected
    assert registry.canServe(listed, _requirement(gmkt, **{field: value})) is (
        expected == Unfit.NONE
    )


def test_unfit_for_an_unregistered_account(registry, gmkt, stake_for, provider2):
    stake_for(provider2, STAKE)

    reason = registry.unfitFor(provider2, _requirement(gmkt, collateral=0))

    assert Unfit(reason) == Unfit.NOT_REGISTERED


def test_unfit_for_a_provider_below_the_minimum_stake(registry, gmkt, listed):
    registry.requestUnstake(STAKE - MIN_STAKE + 1, {"from": listed})

    reason = registry.unfitFor(listed, _requirement(gmkt, collateral=0))

    assert Unfit(reason) == Unfit.STAKE_BELOW_MINIMUM


def test_unfit_for_a_jailed_provider(registry, gmkt, slasher, beneficiary, listed):
    registry.slash(listed, GMKT, beneficiary, 0, {"from": slasher})

    reason = registry.unfitFor(listed, _requirement(gmkt, collateral=0))

    assert Unfit(reason) == Unfit.JAILED


def test_unfit_for_reports_the_first_failure_in_order(registry, gmkt, slasher, beneficiary, listed):
    # Jailed, and also the wrong model, region, VRAM and GPUs: jail comes first.
    registry.slash(listed, GMKT, beneficiary, 0, {"from": slasher})
    everything_wrong = _requirement(
        gmkt, gpu_model="A100-SXM-80GB", region="US", min_vram_gib=999, gpus=99
    )

    reason = registry.unfitFor(listed, everything_wrong)

    assert Unfit(reason) == Unfit.JAILED


def test_unfit_for_counts_locked_stake(registry, gmkt, lock, listed):
    lock(listed, amount=COLLATERAL, gpus=0)

    free = STAKE - COLLATERAL

    assert Unfit(registry.unfitFor(listed, _requirement(gmkt, collateral=free))) == Unfit.NONE
    assert Unfit(registry.unfitFor(listed, _requirement(gmkt, collateral=free + 1))) == (
        Unfit.FREE_STAKE
    )
