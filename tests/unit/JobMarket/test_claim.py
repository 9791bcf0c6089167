import brownie
import pytest
from brownie import chain
from jobmarket_helpers import DISPUTE_WINDOW, USDC, ZERO_ADDRESS, err

from gpumarket.chain.types import JobState

pytestmark = pytest.mark.usefixtures("registered_provider")

PAYOUT = USDC - USDC // 20


@pytest.fixture(scope="module")
def deferred_job(market, blacklist_token, submitted_job, registered_provider):
    """A job in the blocking stablecoin, settled while the token blocked the provider: its
    payout of 0.95 USD waits in the market as a claimable balance."""
    job_id = submitted_job(
        registered_provider, token=blacklist_token, price=USDC, max_price=2 * USDC
    )
    blacklist_token.setBlocked(registered_provider, True, {"from": registered_provider})
    chain.sleep(DISPUTE_WINDOW + 5)
    market.finalize(job_id, {"from": registered_provider})
    return job_id


def test_claim_pays_the_deferred_payout_to_another_address(
    market, blacklist_token, provider, provider2, deferred_job
):
    market.claim(blacklist_token, provider2, {"from": provider})

    assert blacklist_token.balanceOf(provider2) == PAYOUT
    assert blacklist_token.balanceOf(market) == 0


def test_claim_pays_the_caller_once_the_token_lets_it_receive(
    market, blacklist_token, provider, deferred_job
):
    blacklist_token.setBlocked(provider, False, {"from": provider})

    market.claim(blacklist_token, provider, {"from": provider})

    assert blacklist_token.balanceOf(provider) == PAYOUT


def test_claim_emits_claimed(market, blacklist_token, provider, provider2, deferred_job):
    tx = market.claim(blacklist_token, provider2, {"from": provider})

    assert tx.events["Claimed"] == {
        "account": provider,
        "token": blacklist_token,
        "to": provider2,
        "amount": PAYOUT,
    }


def test_claim_returns_the_amount(market, blacklist_token, provider, provider2, deferred_job):
    tx = market.claim(blacklist_token, provider2, {"from": provider})

    assert tx.return_value == PAYOUT


def test_claim_clears_the_claimable_balance(
    market, blacklist_token, provider, provider2, deferred_job
):
    market.claim(blacklist_token, provider2, {"from": provider})

    assert market.claimable(blacklist_token, provider) == 0
    assert market.claimableTotal(blacklist_token) == 0


def test_claim_of_a_deferred_refund_pays_the_buyer(
    market, blacklist_token, buyer, stranger, open_job
):
    job_id = open_job(token=blacklist_token, max_price=2 * USDC)
    blacklist_token.setBlocked(buyer, True, {"from": stranger})
    market.cancel(job_id, {"from": buyer})

    market.claim(blacklist_token, stranger, {"from": buyer})

    assert market.jobOf(job_id)["state"] == JobState.CANCELLED
    assert blacklist_token.balanceOf(stranger) == 2 * USDC


def test_claim_while_paused_is_allowed(
    market, governance, blacklist_token, provider, provider2, deferred_job
):
    market.pause({"from": governance})

    market.claim(blacklist_token, provider2, {"from": provider})

    assert blacklist_token.balanceOf(provider2) == PAYOUT


def test_claim_twice_reverts(market, blacklist_token, provider, provider2, deferred_job):
    market.claim(blacklist_token, provider2, {"from": provider})

    with brownie.reverts(err("JobMarketNothingToClaim", provider, blacklist_token)):
        market.claim(blacklist_token, provider2, {"from": provider})


def test_claim_with_nothing_owed_reverts(market, usdc, stranger):
    with brownie.reverts(err("JobMarketNothingToClaim", stranger, usdc)):
        market.claim(usdc, stranger, {"from": stranger})


def test_claim_to_the_zero_address_reverts(market, blacklist_token, provider, deferred_job):
    with brownie.reverts(err("JobMarketZeroAddress")):
        market.claim(blacklist_token, ZERO_ADDRESS, {"from": provider})
