import pytest
from brownie import chain
from jobmarket_helpers import DISPUTE_WINDOW, USDC

PAYOUT = USDC - USDC // 20


@pytest.fixture(scope="module")
def refused(market, blacklist_token, make_provider, provider, buyer, submitted_job, open_job):
    """Two payouts the blocking stablecoin refused: the provider's 0.95 and a 2.00 refund to the
    buyer of a cancelled job."""
    make_provider(provider)
    settled = submitted_job(provider, token=blacklist_token, price=USDC, max_price=USDC)
    cancelled = open_job(token=blacklist_token, max_price=2 * USDC)
    blacklist_token.setBlocked(provider, True, {"from": provider})
    blacklist_token.setBlocked(buyer, True, {"from": buyer})
    chain.sleep(DISPUTE_WINDOW + 5)
    market.finalize(settled, {"from": provider})
    market.cancel(cancelled, {"from": buyer})


def test_claimable_total_is_zero_by_default(market, gmkt):
    total = market.claimableTotal(gmkt)

    assert total == 0


def test_claimable_total_sums_refused_payouts_of_all_accounts(market, blacklist_token, refused):
    total = market.claimableTotal(blacklist_token)

    assert total == PAYOUT + 2 * USDC


def test_claimable_total_drops_by_a_claim(market, blacklist_token, provider, stranger, refused):
    market.claim(blacklist_token, stranger, {"from": provider})

    total = market.claimableTotal(blacklist_token)

    assert total == 2 * USDC


def test_claimable_total_is_kept_per_token(market, usdc, refused):
    total = market.claimableTotal(usdc)

    assert total == 0
