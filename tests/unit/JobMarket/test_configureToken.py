import brownie
import pytest
from brownie import MockERC20, chain
from jobmarket_helpers import DISPUTE_WINDOW, USDC, ZERO_ADDRESS, err

from gpumarket.chain.types import JobState


@pytest.fixture(scope="module")
def eurc(governance):
    """A 6-decimal stablecoin the market has never seen."""
    return MockERC20.deploy("Euro Coin", "EURC", 6, {"from": governance})


def test_configure_token_emits_token_configured(market, governance, eurc):
    tx = market.configureToken(eurc, True, 5 * USDC, {"from": governance})

    assert tx.events["TokenConfigured"] == {
        "token": eurc,
        "allowed": True,
        "disputeBondMin": 5 * USDC,
    }


def test_configure_token_stores_the_config(market, governance, eurc):
    market.configureToken(eurc, True, 5 * USDC, {"from": governance})

    allowed, bond_min = market.tokenConfig(eurc)
    assert (allowed, bond_min) == (True, 5 * USDC)


def test_configure_token_allows_jobs_in_it(market, governance, eurc, open_job):
    market.configureToken(eurc, True, 5 * USDC, {"from": governance})

    job_id = open_job(token=eurc, max_price=USDC)

    assert market.jobOf(job_id)["token"] == eurc


def test_configure_token_removal_lets_existing_jobs_settle(
    market, governance, usdc, make_provider, provider, submitted_job
):
    job_id = submitted_job(make_provider(provider), token=usdc, price=USDC, max_price=USDC)
    market.configureToken(usdc, False, 0, {"from": governance})
    chain.sleep(DISPUTE_WINDOW + 5)

    market.finalize(job_id, {"from": provider})

    assert market.jobOf(job_id)["state"] == JobState.SETTLED
    assert usdc.balanceOf(provider) == USDC - USDC // 20


def test_configure_token_removal_stops_new_jobs(market, governance, usdc, open_job):
    market.configureToken(usdc, False, 0, {"from": governance})

    with brownie.reverts(err("JobMarketTokenNotAllowed", usdc)):
        open_job(token=usdc, max_price=USDC)


def test_configure_token_zero_address_reverts(market, governance):
    with brownie.reverts(err("JobMarketZeroAddress")):
        market.configureToken(ZERO_ADDRESS, True, 0, {"from": governance})


def test_configure_token_by_a_non_governor_reverts(market, stranger, eurc):
    with brownie.reverts(err("AccessControlUnauthorizedAccount", stranger, market.GOVERNOR_ROLE())):
        market.configureToken(eurc, True, 0, {"from": stranger})


def test_configure_token_takes_a_bond_minimum_up_to_128_bits(market, governance, eurc):
    most = 2**128 - 1

    market.configureToken(eurc, True, most, {"from": governance})

    assert market.tokenConfig(eurc)["disputeBondMin"] == most


def test_configure_token_with_a_bond_minimum_over_128_bits_reverts(market, governance, eurc):
    # A job's bond is stored in 128 bits; a larger minimum could never be posted.
    name = b"disputeBondMin".ljust(32, b"\0")

    with brownie.reverts(err("JobMarketParameterOutOfBounds", name, 2**128, 0, 2**128 - 1)):
        market.configureToken(eurc, True, 2**128, {"from": governance})
