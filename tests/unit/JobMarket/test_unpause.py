import brownie
import pytest
from jobmarket_helpers import err

from gpumarket.chain.types import JobState


@pytest.fixture
def paused(market, governance):
    market.pause({"from": governance})


def test_unpause_emits_unpaused(market, governance, paused):
    tx = market.unpause({"from": governance})

    assert tx.events["Unpaused"] == {"account": governance}
    assert not market.paused()


def test_unpause_lets_jobs_be_posted_again(market, governance, open_job, paused):
    market.unpause({"from": governance})

    job_id = open_job()

    assert market.jobOf(job_id)["state"] == JobState.OPEN


def test_unpause_when_not_paused_reverts(market, governance):
    with brownie.reverts(err("ExpectedPause")):
        market.unpause({"from": governance})


def test_unpause_by_a_non_pauser_reverts(market, arbiter, paused):
    with brownie.reverts(err("AccessControlUnauthorizedAccount", arbiter, market.PAUSER_ROLE())):
        market.unpause({"from": arbiter})
