"""Attack: a provider proves its own fraud to take back part of a slash it has coming anyway.

The attacker runs a benchmark job with one forged checkpoint-0 row in its PoGEMM commitment (a
cheat it would also have been slashed for by a FAIL verdict, a lost dispute or a missed result
deadline). Before any of those lands, a second account of its own (`sybil`) calls
`BenchmarkRegistry.proveFraud` and collects the finder's reward. The two accounts cannot be told
apart on-chain, so the only fix is economic: the finder's reward is a *fraud bounty* the match
locked beside the collateral, which no other failure slashes. Every failure slashes the
collateral alike (buyer share, treasury remainder); a proven fraud also takes the bounty and pays
it to the prover. The attacker's net loss on the self-proven path is therefore exactly its loss on
every other path, while an honest finder earns the whole bounty.

Before the fix a proven fraud sent the collateral's treasury half to the prover: on this job the
attacker lost 10 GMKT on a timeout, a FAIL or a lost dispute but only 5 GMKT by proving its own
fraud (its sybil took the 5 GMKT the treasury would have had).

The job: 1 GPU for 1 hour at 2 USDC (a direct assignment), PoGEMM at n = 64, T = 8, K = 2;
collateral 10 GMKT, buyer share 5 GMKT, treasury 5 GMKT, bounty 5 GMKT (fraudBountyBps 5,000).
The attestation case: a standalone hardware challenge (subject 0) locks, when it opens, its bond
(`attestationSlash`, 100 GMKT), which a FAIL verdict slashes to the treasury, and beside it a
fraud bounty (`finderFeeBps` of the bond, 50 GMKT), which only a proven fraud takes, for the
prover: a self-prover loses exactly what a FAIL costs it (tests/adversarial/
test_priced_attestations.py has the rest of the attestation attacks).
"""

from __future__ import annotations

import pytest
from brownie import chain

from gpumarket.bench.gas import forged_commitment
from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, JobSpec
from gpumarket.testing.seeds import seed_ready

GMKT = 10**18
USDC = 10**6
ZERO_ADDRESS = "0x" + "00" * 20
PRICE = 2 * USDC
SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
COLLATERAL = 10 * GMKT
BUYER_SHARE = 5 * GMKT
BOUNTY = 5 * GMKT
BOND = 10 * USDC  # the stablecoin's minimum (the value's 10% is 0.2 USDC)
ATTESTATION_SLASH = 100 * GMKT
ATTESTATION_BOUNTY = 50 * GMKT
RESULT_HASH = b"\x05" * 32
MARGIN = 60

#: Every way the forged job can fail, the attacker's own proof included.
PATHS = ("timeout", "verdict_fail", "dispute_lost", "self_proven_fraud", "honest_fraud")


def bps_up(amount: int, bps: int) -> int:
    return -(-amount * bps // 10_000)


def bps_down(amount: int, bps: int) -> int:
    return amount * bps // 10_000


@pytest.fixture(scope="module")
def attacker(make_provider, provider):
    """The cheating provider: 5,000 GMKT staked, nothing in its wallet."""
    return make_provider(provider)


@pytest.fixture(scope="module")
def fund_buyer(market, usdc, fund, buyer):
    """fund_buyer(): give the buyer exactly a deposit and a bond, approved."""

    def _fund():
        amount = market.costOf(PRICE, 1, HOUR) + BOND
        fund(buyer, usdc, amount)
        usdc.approve(market, amount, {"from": buyer})

    return _fund


@pytest.fixture(scope="module")
def fail_job(market, benchmark, usdc, attacker, buyer, verifier, arbiter, sybil, finder):
    """fail_job(path) -> the forged job after it failed by `path`."""

    def _fail(path):
        posted = market.postJob(SPEC.as_tuple(), usdc, PRICE, HOUR, attacker, {"from": buyer})
        job_id = posted.events["JobPosted"]["jobId"]
        market.acceptJob(job_id, {"from": attacker})
        challenge = market.challengeOfJob(job_id)
        forged = forged_commitment()
        seed_ready(benchmark, challenge)
        benchmark.commit(challenge, forged.root, {"from": attacker})
        if path == "timeout":
            chain.sleep(HOUR + market.resultGrace() + MARGIN)
            return market.claimTimeout(job_id, {"from": buyer})
        market.submitResult(job_id, RESULT_HASH, "ipfs://forged", {"from": attacker})
        if path == "verdict_fail":
            return market.recordVerdict(job_id, False, {"from": verifier})
        market.dispute(job_id, {"from": buyer})
        if path == "dispute_lost":
            return market.resolveDispute(job_id, True, {"from": arbiter})
        prover = sybil if path == "self_proven_fraud" else finder
        args = (challenge, forged.row, forged.values, list(forged.proof))
        return benchmark.proveFraud(*args, {"from": prover})

    return _fail


def _gmkt_of(registry, gmkt, *accounts) -> int:
    """GMKT an owner of `accounts` holds: wallets, bonded and unbonding stake."""
    total = 0
    for account in accounts:
        info = registry.providerInfo(account)
        total += gmkt.balanceOf(account) + info["stake"] + info["unbonding"]
    return total


@pytest.fixture(scope="module")
def holdings(registry, gmkt, usdc, attacker, sybil, buyer, treasury, finder):
    """holdings() -> each party's GMKT (and the attacker's USDC) now."""

    def _holdings():
        return {
            "attacker": _gmkt_of(registry, gmkt, attacker, sybil),
            "attacker_usdc": usdc.balanceOf(attacker) + usdc.balanceOf(sybil),
            "buyer": gmkt.balanceOf(buyer),
            "buyer_usdc": usdc.balanceOf(buyer),
            "treasury": gmkt.balanceOf(treasury),
            "finder": gmkt.balanceOf(finder),
        }

    return _holdings


def _changes(holdings, fund_buyer, fail_job, path):
    fund_buyer()
    before = holdings()
    fail_job(path)
    after = holdings()
    return {key: after[key] - before[key] for key in after}


@pytest.mark.parametrize("path", PATHS)
def test_every_way_the_cheat_fails_costs_the_attacker_at_least_10_gmkt(
    holdings, fund_buyer, fail_job, path
):
    changes = _changes(holdings, fund_buyer, fail_job, path)

    honest = path == "honest_fraud"
    assert changes == {
        # The attacker and its sybil together: the collateral, never less. On the self-proven
        # path the provider loses 15 GMKT and the sybil takes back the 5 GMKT bounty; an honest
        # finder keeps the bounty, so then the attacker is 15 GMKT down.
        "attacker": -COLLATERAL - (BOUNTY if honest else 0),
        "attacker_usdc": 0,
        # The buyer: its share of the collateral, and every USDC it paid in back (the deposit,
        # and the bond of a dispute).
        "buyer": BUYER_SHARE,
        "buyer_usdc": 0,
        # The treasury: the rest of the collateral, on the fraud path too (it had 0 before).
        "treasury": COLLATERAL - BUYER_SHARE,
        "finder": BOUNTY if honest else 0,
    }


def test_self_proven_fraud_refunds_nothing_to_the_cheater(
    registry, gmkt, fund_buyer, fail_job, attacker, sybil, buyer, treasury
):
    fund_buyer()
    stake_before = registry.providerInfo(attacker)["stake"]

    tx = fail_job("self_proven_fraud")

    assert [(e["beneficiary"], e["amount"]) for e in tx.events["StakeSlashed"]] == [
        (buyer.address, BUYER_SHARE),
        (treasury.address, COLLATERAL - BUYER_SHARE),
        (sybil.address, BOUNTY),
    ]
    # The provider paid collateral and bounty; its sybil got back the bounty alone.
    assert stake_before - registry.providerInfo(attacker)["stake"] == COLLATERAL + BOUNTY
    assert gmkt.balanceOf(sybil) == BOUNTY
    assert tx.events["FraudProven"]["slashed"] == COLLATERAL + BOUNTY


def test_self_proven_fraud_nets_exactly_the_timeout_and_fail_loss(holdings, fund_buyer, fail_job):
    by_path = {}
    for path in ("timeout", "verdict_fail", "self_proven_fraud"):
        by_path[path] = _changes(holdings, fund_buyer, fail_job, path)["attacker"]
        chain.sleep(4 * 24 * HOUR)  # out of the 3-day jail, for the next job

    # Before the fix the self-proven path cost -5 GMKT: a gain of 5 GMKT over the others.
    assert by_path == {
        "timeout": -10 * GMKT,
        "verdict_fail": -10 * GMKT,
        "self_proven_fraud": -10 * GMKT,
    }


@pytest.mark.parametrize(
    "share_bps, bounty_bps",
    [(5_000, 5_000), (0, 1), (10_000, 10_000), (3_333, 7_777)],
    ids=["defaults", "no_buyer_share_least_bounty", "all_to_buyer_whole_bounty", "odd"],
)
def test_whatever_the_rates_the_sybil_gains_nothing_and_a_finder_gains_the_bounty(
    market, governance, holdings, fund_buyer, fail_job, share_bps, bounty_bps
):
    market.setParameter(name32("slashBuyerShareBps"), share_bps, {"from": governance})
    market.setParameter(name32("fraudBountyBps"), bounty_bps, {"from": governance})
    bounty = bps_up(COLLATERAL, bounty_bps)

    timeout = _changes(holdings, fund_buyer, fail_job, "timeout")
    chain.sleep(4 * 24 * HOUR)
    self_proven = _changes(holdings, fund_buyer, fail_job, "self_proven_fraud")
    chain.sleep(4 * 24 * HOUR)
    honest = _changes(holdings, fund_buyer, fail_job, "honest_fraud")

    assert timeout["attacker"] == self_proven["attacker"] == -COLLATERAL
    assert honest["attacker"] == -COLLATERAL - bounty
    assert honest["finder"] == bounty > 0
    for changes in (timeout, self_proven, honest):
        assert changes["buyer"] == bps_down(COLLATERAL, share_bps)
        assert changes["treasury"] == COLLATERAL - bps_down(COLLATERAL, share_bps)


# ---------------------------------------------------------------- hardware attestations


@pytest.fixture(scope="module")
def forged_attestation(benchmark, attacker):
    """forged_attestation() -> id of the attacker's own attestation, committed with a forged
    checkpoint-0 row."""

    def _open():
        opened = benchmark.open(0, attacker, 64, 8, 2, {"from": attacker})
        challenge = opened.return_value
        seed_ready(benchmark, challenge)
        benchmark.commit(challenge, forged_commitment().root, {"from": attacker})
        return challenge

    return _open


def test_a_self_proven_attestation_fraud_costs_what_a_fail_does(
    registry, gmkt, benchmark, verifier, sybil, attacker, forged_attestation
):
    failed = forged_attestation()
    before = _gmkt_of(registry, gmkt, attacker, sybil)
    benchmark.recordAttestation(failed, False, 0, {"from": verifier})
    after_fail = _gmkt_of(registry, gmkt, attacker, sybil)
    chain.sleep(registry.jailPeriod() + 1)  # the FAIL's slash jailed the attacker

    proven = forged_attestation()
    forged = forged_commitment()
    benchmark.proveFraud(proven, forged.row, forged.values, list(forged.proof), {"from": sybil})
    after_fraud = _gmkt_of(registry, gmkt, attacker, sybil)

    assert after_fail - before == -ATTESTATION_SLASH
    # Bond and bounty slashed, the bounty to the sybil: no better than letting it fail.
    assert after_fraud - after_fail == -ATTESTATION_SLASH
    assert gmkt.balanceOf(sybil) == ATTESTATION_BOUNTY


def test_an_attestation_fraud_pays_an_honest_finder_the_bounty(
    registry, gmkt, benchmark, finder, treasury, attacker, forged_attestation
):
    challenge = forged_attestation()
    forged = forged_commitment()
    stake = registry.providerInfo(attacker)["stake"]

    benchmark.proveFraud(challenge, forged.row, forged.values, list(forged.proof), {"from": finder})

    assert stake - registry.providerInfo(attacker)["stake"] == (
        ATTESTATION_SLASH + ATTESTATION_BOUNTY
    )
    assert gmkt.balanceOf(finder) == ATTESTATION_BOUNTY
    assert gmkt.balanceOf(treasury) == ATTESTATION_SLASH
