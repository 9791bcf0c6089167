"""JobMarket unit-test fixtures: a registered provider, roles for setting up track records, and
factories that bring a job to each state (open, running, submitted, verified, disputed) in as few
transactions as possible."""

from __future__ import annotations

import pytest
from jobmarket_helpers import GMKT_BOND_MIN, MAX_PRICE, PRICE, RESULT_HASH, RESULT_URI

from gpumarket.chain.types import HOUR


@pytest.fixture(scope="module")
def registered_provider(make_provider, provider):
    """`provider`, staked 5,000 GMKT with the default offer (8 × H100-SXM-80GB in DE)."""
    return make_provider(provider)


@pytest.fixture(scope="module")
def reputation_writer(reputation, governance):
    """Governance with the Reputation WRITER_ROLE, to give providers a track record directly."""
    reputation.grantRole(reputation.WRITER_ROLE(), governance, {"from": governance})
    return governance


@pytest.fixture(scope="module")
def registry_slasher(registry, governance):
    """Governance with the registry SLASHER_ROLE, to jail a provider directly."""
    registry.grantRole(registry.SLASHER_ROLE(), governance, {"from": governance})
    return governance


@pytest.fixture(scope="module")
def open_job(post_job, buyer, gmkt):
    """open_job(token=gmkt, max_price=MAX_PRICE, spec=None, bidding=HOUR, direct=None) -> job id."""

    def _open(token=None, max_price=MAX_PRICE, spec=None, bidding=HOUR, direct=None):
        return post_job(
            buyer, token or gmkt, max_price, spec=spec, bidding=bidding, provider=direct
        )

    return _open


@pytest.fixture(scope="module")
def running_job(market, open_job, buyer):
    """running_job(provider, price=PRICE, **open_job kwargs) -> job id, matched by acceptBid."""

    def _running(provider, price=PRICE, **kwargs):
        job_id = open_job(**kwargs)
        market.bid(job_id, price, {"from": provider})
        market.acceptBid(job_id, provider, {"from": buyer})
        return job_id

    return _running


@pytest.fixture(scope="module")
def submitted_job(market, running_job):
    """submitted_job(provider, **running_job kwargs) -> job id with its result submitted."""

    def _submitted(provider, **kwargs):
        job_id = running_job(provider, **kwargs)
        market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider})
        return job_id

    return _submitted


@pytest.fixture(scope="module")
def verified_job(market, submitted_job, verifier):
    """verified_job(provider, **submitted_job kwargs) -> job id with an `ok` verdict."""

    def _verified(provider, **kwargs):
        job_id = submitted_job(provider, **kwargs)
        market.recordVerdict(job_id, True, {"from": verifier})
        return job_id

    return _verified


@pytest.fixture(scope="module")
def open_dispute(market, fund, buyer, payment_tokens):
    """open_dispute(job_id, bond=GMKT_BOND_MIN): fund and approve the bond in the job's token,
    then dispute as the buyer; returns the transaction."""
    by_address = {t.address: t for t in payment_tokens.values()}

    def _dispute(job_id, bond=GMKT_BOND_MIN):
        token = by_address[market.jobOf(job_id)["token"]]
        fund(buyer, token, bond)
        token.approve(market, bond, {"from": buyer})
        return market.dispute(job_id, {"from": buyer})

    return _dispute


@pytest.fixture(scope="module")
def disputed_job(submitted_job, open_dispute):
    """disputed_job(provider, **submitted_job kwargs) -> job id disputed with the minimum bond."""

    def _disputed(provider, **kwargs):
        job_id = submitted_job(provider, **kwargs)
        open_dispute(job_id)
        return job_id

    return _disputed
