"""Terms versions: a change to a job term (fee, slash share, bond, fraud bounty, the four
deadlines) or to a token's minimum dispute bond writes a new version of the terms
(`TermsVersioned`); a match fixes the current version for its job, and the job's views follow it
whatever governance does afterwards. The other parameters write no version."""

import brownie
import pytest
from brownie import web3
from jobmarket_helpers import (
    ATTEST_TIMEOUT,
    COLLATERAL,
    DAY,
    DISPUTE_WINDOW,
    GMKT_BOND_MIN,
    RESULT_GRACE,
    benchmark_spec,
    ceil_bps,
    err,
)

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR

pytestmark = pytest.mark.usefixtures("registered_provider")

TERMS = [
    ("protocolFeeBps", 700),
    ("slashBuyerShareBps", 2_500),
    ("disputeBondBps", 2_000),
    ("fraudBountyBps", 2_000),
    ("disputeWindow", 2 * DAY),
    ("attestTimeout", HOUR),
    ("resultGrace", 2 * HOUR),
    ("arbitrationTimeout", 3 * DAY),
]
MARKET_PARAMETERS = [
    ("collateralPerGpuHour", 3 * 10**18),
    ("minBiddingPeriod", 120),
    ("maxBiddingPeriod", 10 * DAY),
    ("maxBidsPerJob", 8),
    ("maxBuyerStrikes", 5),
]
#: Terms version ids are 16 bits.
LAST_TERMS_ID = 2**16 - 1


def _terms_id_of(tx) -> int:
    return tx.events["TermsVersioned"]["termsId"]


@pytest.mark.parametrize("name, value", TERMS, ids=[t[0] for t in TERMS])
def test_a_job_term_change_writes_the_next_terms_version(market, param, name, value):
    first = _terms_id_of(param(market, "protocolFeeBps", 500))

    tx = param(market, name, value)

    assert _terms_id_of(tx) == first + 1
    assert getattr(market, name)() == value


@pytest.mark.parametrize("name, value", MARKET_PARAMETERS, ids=[p[0] for p in MARKET_PARAMETERS])
def test_a_market_parameter_change_writes_no_terms_version(market, param, name, value):
    tx = param(market, name, value)

    assert "TermsVersioned" not in tx.events
    assert tx.events["ParameterUpdated"]["value"] == value


def test_configuring_a_token_writes_a_terms_version(market, param, governance, usdc):
    first = _terms_id_of(param(market, "protocolFeeBps", 500))

    tx = market.configureToken(usdc, True, 7, {"from": governance})

    assert _terms_id_of(tx) == first + 1


def test_a_matched_job_keeps_its_deadlines_bond_and_lock_when_the_terms_change(
    market, param, governance, gmkt, submitted_job, provider
):
    job_id = submitted_job(provider, spec=benchmark_spec())
    job = market.jobOf(job_id)
    before = (
        market.resultDeadlineOf(job_id),
        market.windowEndOf(job_id),
        market.disputeBondOf(job_id),
        market.collateralOf(job_id),
    )
    for name, value in TERMS:
        param(market, name, value)
    market.configureToken(gmkt, True, 500 * GMKT_BOND_MIN, {"from": governance})

    after = (
        market.resultDeadlineOf(job_id),
        market.windowEndOf(job_id),
        market.disputeBondOf(job_id),
        market.collateralOf(job_id),
    )

    assert (
        after
        == before
        == (
            job["startedAt"] + HOUR + RESULT_GRACE,
            job["submittedAt"] + ATTEST_TIMEOUT + DISPUTE_WINDOW,
            GMKT_BOND_MIN,
            COLLATERAL + COLLATERAL // 2,
        )
    )


def test_an_open_job_quotes_the_current_terms(market, param, open_job):
    job_id = open_job(spec=benchmark_spec())
    param(market, "fraudBountyBps", 2_000)

    locked = market.collateralOf(job_id)

    assert locked == COLLATERAL + ceil_bps(COLLATERAL, 2_000)


def test_a_fraud_bounty_rate_of_zero_is_refused(market, governance):
    # A positive bounty is what gives a third party a reason to prove a fraud.
    with brownie.reverts(
        err("JobMarketParameterOutOfBounds", name32("fraudBountyBps"), 0, 1, 10_000)
    ):
        market.setParameter(name32("fraudBountyBps"), 0, {"from": governance})


def _params_slot0(market) -> int:
    """The storage slot of MarketGovernance.Params slot 0: the word holding the collateral
    rate (10 GMKT, bits 0-79) and the fraud bounty rate (5,000, bits 80-95)."""
    for slot in range(40):
        word = int.from_bytes(web3.eth.get_storage_at(market.address, slot), "big")
        if word & (2**80 - 1) == 10 * 10**18 and (word >> 80) & 0xFFFF == 5_000:
            return slot
    raise AssertionError("Params slot 0 not found")


def test_the_last_terms_version_is_final(market, param, governance):
    # Stand in for 65,535 changes: the version id (bits 96-111) set to its last value.
    slot = _params_slot0(market)
    word = int.from_bytes(web3.eth.get_storage_at(market.address, slot), "big")
    word = (word & ~(0xFFFF << 96)) | (LAST_TERMS_ID << 96)
    web3.provider.make_request(
        "anvil_setStorageAt", [market.address, hex(slot), "0x" + word.to_bytes(32, "big").hex()]
    )

    with brownie.reverts(err("JobMarketTermsExhausted")):
        param(market, "protocolFeeBps", 700)
    with brownie.reverts(err("JobMarketTermsExhausted")):
        market.configureToken(market.address, True, 0, {"from": governance})
    # What is not a job term still changes.
    assert "TermsVersioned" not in param(market, "maxBidsPerJob", 8).events
