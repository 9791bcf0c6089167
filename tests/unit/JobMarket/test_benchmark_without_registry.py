"""A market whose benchmark registry is not set yet (as between deployment and
`setAddress("benchmarkRegistry")`) refuses a job that asks for a PoGEMM benchmark: nothing could
open or verify its challenge, and the job would settle unverified. Jobs without one are posted."""

import brownie
import pytest
from brownie import JobMarket
from jobmarket_helpers import GMKT_BOND_MIN, PRICE, ZERO_ADDRESS, err

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


def _post(market, gmkt, fund, buyer, spec):
    deposit = market.costOf(PRICE, spec.gpu_count, spec.duration)
    fund(buyer, gmkt, deposit)
    gmkt.approve(market, deposit, {"from": buyer})
    return market.postJob(spec.as_tuple(), gmkt, PRICE, HOUR, ZERO_ADDRESS, {"from": buyer})


def test_a_benchmark_job_is_refused_without_a_registry(bare_market, gmkt, fund, buyer):
    with brownie.reverts(err("JobMarketNoBenchmarkRegistry")):
        _post(bare_market, gmkt, fund, buyer, SPEC)

    assert bare_market.jobCount() == 0
    assert gmkt.balanceOf(bare_market) == 0


def test_a_job_without_a_benchmark_is_posted_without_a_registry(bare_market, gmkt, fund, buyer):
    tx = _post(bare_market, gmkt, fund, buyer, JobSpec())

    assert bare_market.jobOf(tx.return_value)["state"] == JobState.OPEN
