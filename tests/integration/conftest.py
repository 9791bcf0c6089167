"""Integration fixtures: factories that drive a job through its lifecycle with exactly the funding
each step needs, so that every balance a test asserts is predictable to the unit."""

from __future__ import annotations

import pytest

from gpumarket.chain.types import HOUR, JobSpec

from .helpers import RESULT_HASH, RESULT_URI, ZERO_ADDRESS, bond_of, job_id_of


@pytest.fixture(scope="module")
def token_at(payment_tokens, fee_token):
    """token_at(address) -> the test token contract deployed there."""
    by_address = {token.address: token for token in [*payment_tokens.values(), fee_token]}
    return by_address.__getitem__


@pytest.fixture(scope="module")
def post(market, fund):
    """post(buyer, token, max_price, spec=JobSpec(), bidding=HOUR, provider=None) -> postJob tx.

    Funds the buyer with exactly the deposit and approves it, so the buyer's balance after the
    job is what the market paid back."""

    def _post(buyer, token, max_price, spec=None, bidding=HOUR, provider=None):
        spec = spec or JobSpec()
        deposit = market.costOf(max_price, spec.gpu_count, spec.duration)
        fund(buyer, token, deposit)
        token.approve(market, deposit, {"from": buyer})
        return market.postJob(
            spec.as_tuple(), token, max_price, bidding, provider or ZERO_ADDRESS, {"from": buyer}
        )

    return _post


@pytest.fixture(scope="module")
def running_direct(market, post):
    """running_direct(buyer, provider, token, price, spec=None) -> id of a direct assignment
    accepted by `provider` at `price`."""

    def _running(buyer, provider, token, price, spec=None):
        job_id = job_id_of(post(buyer, token, price, spec, provider=provider))
        market.acceptJob(job_id, {"from": provider})
        return job_id

    return _running


@pytest.fixture(scope="module")
def submitted_direct(market, running_direct):
    """submitted_direct(buyer, provider, token, price, spec=None) -> id of a direct assignment
    whose result `provider` has submitted."""

    def _submitted(buyer, provider, token, price, spec=None):
        job_id = running_direct(buyer, provider, token, price, spec)
        market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider})
        return job_id

    return _submitted


@pytest.fixture(scope="module")
def open_dispute(market, fund, token_at):
    """open_dispute(job_id) -> dispute tx, after funding the buyer with exactly the bond."""

    def _dispute(job_id):
        job = market.jobOf(job_id)
        token = token_at(job["token"])
        bond = bond_of(job["escrow"], market.tokenConfig(token)["disputeBondMin"])
        fund(job["buyer"], token, bond)
        token.approve(market, bond, {"from": job["buyer"]})
        return market.dispute(job_id, {"from": job["buyer"]})

    return _dispute
