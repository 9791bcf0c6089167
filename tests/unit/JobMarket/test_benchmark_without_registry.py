"""A market whose benchmark registry is not set yet (as between deployment and
`setAddress("benchmarkRegistry")`) still matches a job that asks for a PoGEMM benchmark, and
opens no challenge for it: challengeOfJob stays 0."""

import pytest
from brownie import JobMarket
from jobmarket_helpers import COLLATERAL, GMKT_BOND_MIN, PRICE, ZERO_ADDRESS

from gpumarket.chain.types import HOUR, JobSpec, JobState

SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)


@pytest.fixture(scope="module")
def bare_market(registry, reputation, treasury, governance, gmkt):
    """A second market on the same registry and reputation, wired as deploy_protocol wires one,
    except that no benchmark registry is set."""
    tx = {"from": governance}
    market = JobMarket.deploy(registry, reputation, treasury, 0, governance, tx)
    registry.grantRole(registry.MARKET_ROLE(), market, tx)
    registry.setMarketWindows(market, tx)
    reputation.grantRole(reputation.WRITER_ROLE(), market, tx)
    market.configureToken(gmkt, True, GMKT_BOND_MIN, tx)
    return market


def test_a_benchmark_job_is_matched_without_a_challenge(
    bare_market, registry, gmkt, fund, make_provider, buyer, provider
):
    make_provider(provider)
    deposit = bare_market.costOf(PRICE, SPEC.gpu_count, SPEC.duration)
    fund(buyer, gmkt, deposit)
    gmkt.approve(bare_market, deposit, {"from": buyer})
    posted = bare_market.postJob(SPEC.as_tuple(), gmkt, PRICE, HOUR, provider, {"from": buyer})
    job_id = posted.events["JobPosted"]["jobId"]

    tx = bare_market.acceptJob(job_id, {"from": provider})

    assert bare_market.benchmarkRegistry() == ZERO_ADDRESS
    assert (tx.events["JobMatched"]["jobId"], tx.events["JobMatched"]["provider"]) == (
        job_id,
        provider,
    )
    assert "ChallengeOpened" not in tx.events
    assert bare_market.challengeOfJob(job_id) == 0
    assert bare_market.jobOf(job_id)["state"] == JobState.RUNNING
    # A benchmark job locks its fraud bounty (50% of the collateral) beside the collateral.
    assert registry.lockOf(bare_market, job_id)["amount"] == COLLATERAL + COLLATERAL // 2
