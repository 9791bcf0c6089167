"""canServe: listed, not jailed, priced in the job's token, and an offer (model, region, VRAM, free
GPUs) and free stake that cover the job. The provider offers 8 × H100-SXM-80GB, 80 GiB, in DE."""

import pytest
from brownie import chain

from gpumarket.chain.types import bytes32_text, region_code

from .helpers import COLLATERAL, GMKT, JAIL_PERIOD, MIN_STAKE, OFFER, OTHER_TOKEN, STAKE


@pytest.fixture(scope="module")
def listed(register_provider, provider):
    register_provider(provider)
    return provider


def _requirement(gmkt, **overrides):
    """A requirement that uses every limit of the offer exactly (all GPUs, all stake)."""
    req = {
        "token": gmkt.address,
        "gpu_model": OFFER.gpu_model,
        "region": OFFER.region,
        "min_vram_gib": OFFER.vram_gib,
        "gpus": OFFER.gpu_count,
        "collateral": STAKE,
    }
    req.update(overrides)
    return (
        req["token"],
        bytes32_text(req["gpu_model"]),
        region_code(req["region"]),
        req["min_vram_gib"],
        req["gpus"],
        req["collateral"],
    )


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("token", OTHER_TOKEN, False),
        ("gpu_model", "", True),
        ("gpu_model", "A100-SXM-80GB", False),
        ("region", "", True),
        ("region", "US", False),
        ("min_vram_gib", 0, True),
        ("min_vram_gib", OFFER.vram_gib + 1, False),
        ("gpus", 1, True),
        ("gpus", OFFER.gpu_count + 1, False),
        ("collateral", 0, True),
        ("collateral", STAKE + 1, False),
    ],
)
def test_can_serve_matches_the_requirement(registry, gmkt, listed, field, value, expected):
    assert registry.canServe(listed, _requirement(gmkt, **{field: value})) is expected


def test_can_serve_at_every_limit_of_the_offer(registry, gmkt, listed):
    assert registry.canServe(listed, _requirement(gmkt)) is True


def test_can_serve_counts_gpus_in_use(registry, gmkt, lock, listed):
    lock(listed, amount=0, gpus=3)

    assert registry.canServe(listed, _requirement(gmkt, gpus=5)) is True
    assert registry.canServe(listed, _requirement(gmkt, gpus=6)) is False


def test_can_serve_counts_locked_stake(registry, gmkt, lock, listed):
    lock(listed, amount=COLLATERAL, gpus=0)

    free = STAKE - COLLATERAL
    assert registry.canServe(listed, _requirement(gmkt, collateral=free)) is True
    assert registry.canServe(listed, _requirement(gmkt, collateral=free + 1)) is False


def test_jailed_provider_cannot_serve(registry, gmkt, slasher, beneficiary, listed):
    registry.slash(listed, GMKT, beneficiary, 0, {"from": slasher})

    assert registry.canServe(listed, _requirement(gmkt, collateral=0)) is False


def test_provider_can_serve_again_when_the_jail_ends(registry, gmkt, slasher, beneficiary, listed):
    registry.slash(listed, GMKT, beneficiary, 0, {"from": slasher})

    chain.sleep(JAIL_PERIOD + 5)
    chain.mine()

    assert registry.canServe(listed, _requirement(gmkt, collateral=0)) is True


def test_provider_below_min_stake_cannot_serve(registry, gmkt, listed):
    registry.requestUnstake(STAKE - MIN_STAKE + 1, {"from": listed})

    assert registry.canServe(listed, _requirement(gmkt, collateral=0)) is False


def test_unregistered_account_cannot_serve(registry, gmkt, stake_for, provider2):
    stake_for(provider2, STAKE)

    assert registry.canServe(provider2, _requirement(gmkt, collateral=0)) is False
