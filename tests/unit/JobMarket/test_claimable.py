import pytest
from brownie import chain
from jobmarket_helpers import DISPUTE_WINDOW, USDC

PAYOUT = USDC - USDC // 20


@pytest.fixture(scope="module")
def blocked_provider(make_provider, provider, blacklist_token):
    """A registered provider the blocking stablecoin refuses to pay."""
    make_provider(provider)
    blacklist_token.setBlocked(provider, True, {"from": provider})
    return provider


def _settle(market, submitted_job, provider, token):
    job_id = submitted_job(provider, token=token, price=USDC, max_price=2 * USDC)
    chain.sleep(DISPUTE_WINDOW + 5)
    return market.finalize(job_id, {"from": provider})


def test_claimable_is_zero_by_default(market, blacklist_token, provider):
    amount = market.claimable(blacklist_token, provider)

    assert amount == 0


def test_claimable_holds_a_payout_the_token_refused(
    market, blacklist_token, submitted_job, blocked_provider
):
    tx = _settle(market, submitted_job, blocked_provider, blacklist_token)

    assert market.claimable(blacklist_token, blocked_provider) == PAYOUT
    assert tx.events["PayoutDeferred"] == {
        "jobId": tx.events["JobSettled"]["jobId"],
        "to": blocked_provider,
        "token": blacklist_token,
        "amount": PAYOUT,
    }


def test_claimable_adds_up_refused_payouts(
    market, blacklist_token, submitted_job, blocked_provider
):
    _settle(market, submitted_job, blocked_provider, blacklist_token)

    _settle(market, submitted_job, blocked_provider, blacklist_token)

    assert market.claimable(blacklist_token, blocked_provider) == 2 * PAYOUT


def test_claimable_is_kept_per_token(
    market, blacklist_token, usdc, submitted_job, blocked_provider
):
    _settle(market, submitted_job, blocked_provider, blacklist_token)

    amount = market.claimable(usdc, blocked_provider)

    assert amount == 0


def test_claimable_is_kept_per_account(
    market, blacklist_token, treasury, submitted_job, blocked_provider
):
    _settle(market, submitted_job, blocked_provider, blacklist_token)

    amount = market.claimable(blacklist_token, treasury)

    assert amount == 0
    assert blacklist_token.balanceOf(treasury) == USDC // 20
