from brownie import chain

from gpumarket.chain.types import HOUR, JobState

GMKT = 10**18


def test_auction_job_settles(
    market, gmkt, usdc, buyer, provider, treasury, make_provider, post_job
):
    make_provider(provider)
    job_id = post_job(buyer, usdc, 2 * 10**6)
    market.bid(job_id, 10**6, {"from": provider})
    chain.sleep(HOUR + 1)
    market.closeAuction(job_id, {"from": buyer})
    market.submitResult(job_id, b"\x01" * 32, "ipfs://result", {"from": provider})
    chain.sleep(24 * HOUR + 1)
    tx = market.finalize(job_id, {"from": buyer})
    assert tx.events["JobSettled"]["fee"] == 50_000
    assert usdc.balanceOf(provider) == 950_000
    assert usdc.balanceOf(treasury) == 50_000
    assert usdc.balanceOf(buyer) == 10**6
    assert market.jobOf(job_id)["state"] == JobState.SETTLED
