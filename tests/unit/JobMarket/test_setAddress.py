import brownie
import pytest
from brownie import chain
from jobmarket_helpers import DISPUTE_WINDOW, PRICE, ZERO_ADDRESS, ceil_bps, err

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import JobState

DEFAULT_ADMIN_ROLE = b"\0" * 32


@pytest.mark.parametrize("name", ["treasury", "verifier", "benchmarkRegistry"])
def test_set_address_emits_address_updated(market, governance, stranger, name):
    tx = market.setAddress(name32(name), stranger, {"from": governance})

    assert tx.events["AddressUpdated"] == {"name": "0x" + name32(name).hex(), "value": stranger}


@pytest.mark.parametrize("name", ["treasury", "verifier", "benchmarkRegistry"])
def test_set_address_sets_it(market, governance, stranger, name):
    market.setAddress(name32(name), stranger, {"from": governance})

    assert getattr(market, name)() == stranger


def test_set_address_treasury_redirects_the_fee(
    market, gmkt, governance, stranger, submitted_job, make_provider, provider
):
    job_id = submitted_job(make_provider(provider))
    market.setAddress(name32("treasury"), stranger, {"from": governance})
    chain.sleep(DISPUTE_WINDOW + 5)

    market.finalize(job_id, {"from": provider})

    assert gmkt.balanceOf(stranger) == ceil_bps(PRICE, 500)


def test_set_address_verifier_accepts_verdicts_from_the_new_verifier(
    market, governance, stranger, submitted_job, make_provider, provider
):
    job_id = submitted_job(make_provider(provider))
    market.setAddress(name32("verifier"), stranger, {"from": governance})

    market.recordVerdict(job_id, True, {"from": stranger})

    assert market.jobOf(job_id)["state"] == JobState.VERIFIED


def test_set_address_verifier_rejects_verdicts_from_the_old_verifier(
    market, governance, verifier, stranger, submitted_job, make_provider, provider
):
    job_id = submitted_job(make_provider(provider))
    market.setAddress(name32("verifier"), stranger, {"from": governance})

    with brownie.reverts(err("JobMarketNotVerifier", verifier)):
        market.recordVerdict(job_id, True, {"from": verifier})


@pytest.mark.parametrize("name", ["treasury", "verifier", "benchmarkRegistry"])
def test_set_address_to_zero_reverts(market, governance, name):
    with brownie.reverts(err("JobMarketZeroAddress")):
        market.setAddress(name32(name), ZERO_ADDRESS, {"from": governance})


@pytest.mark.parametrize("name", ["arbiter", "registry", ""])
def test_set_address_with_an_unknown_name_reverts(market, governance, stranger, name):
    with brownie.reverts(err("JobMarketUnknownParameter", name32(name))):
        market.setAddress(name32(name), stranger, {"from": governance})


def test_set_address_by_a_non_admin_reverts(market, arbiter, stranger):
    with brownie.reverts(err("AccessControlUnauthorizedAccount", arbiter, DEFAULT_ADMIN_ROLE)):
        market.setAddress(name32("treasury"), stranger, {"from": arbiter})
