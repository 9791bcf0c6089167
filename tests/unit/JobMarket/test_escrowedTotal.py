import pytest
from brownie import chain
from jobmarket_helpers import DISPUTE_WINDOW, GMKT_BOND_MIN, MAX_PRICE, PRICE, USDC

pytestmark = pytest.mark.usefixtures("registered_provider")


def test_escrowed_total_is_zero_before_any_job(market, gmkt):
    total = market.escrowedTotal(gmkt)

    assert total == 0


def test_escrowed_total_counts_open_deposits(market, gmkt, open_job):
    open_job()
    open_job()

    total = market.escrowedTotal(gmkt)

    assert total == 2 * MAX_PRICE


def test_escrowed_total_drops_by_the_excess_at_a_match(market, gmkt, running_job, provider):
    running_job(provider)

    total = market.escrowedTotal(gmkt)

    assert total == PRICE


def test_escrowed_total_counts_a_dispute_bond(market, gmkt, disputed_job, provider):
    disputed_job(provider)

    total = market.escrowedTotal(gmkt)

    assert total == PRICE + GMKT_BOND_MIN


def test_escrowed_total_is_zero_after_settlement(market, gmkt, submitted_job, provider):
    job_id = submitted_job(provider)
    chain.sleep(DISPUTE_WINDOW + 5)
    market.finalize(job_id, {"from": provider})

    total = market.escrowedTotal(gmkt)

    assert total == 0


def test_escrowed_total_is_kept_per_token(market, gmkt, usdc, open_job):
    open_job(token=usdc, max_price=USDC)

    totals = (market.escrowedTotal(gmkt), market.escrowedTotal(usdc))

    assert totals == (0, USDC)


def test_escrowed_total_excludes_a_refused_payout(market, blacklist_token, submitted_job, provider):
    job_id = submitted_job(provider, token=blacklist_token, price=USDC, max_price=USDC)
    blacklist_token.setBlocked(provider, True, {"from": provider})
    chain.sleep(DISPUTE_WINDOW + 5)
    market.finalize(job_id, {"from": provider})

    total = market.escrowedTotal(blacklist_token)

    assert total == 0
    assert blacklist_token.balanceOf(market) == market.claimableTotal(blacklist_token)
