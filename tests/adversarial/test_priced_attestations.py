"""Attack: attest hardware for nothing (issue 14, finding 6).

Before the fix a hardware attestation cost its provider nothing to fail and little to cheat:

* a council FAIL slashed nothing, so a provider could claim any throughput and try again;
* any verdict closed `proveFraud`, so once a (fooled or colluding) quorum passed a commitment
  with a forged checkpoint-0 row, the fraud could never be proven and its TOPS stood for ever;
* a fraud proof slashed `attestationSlash` from free stake, then unbonding stake, so a provider
  whose stake was all locked as job collateral (or already withdrawn) was slashed 0;
* the council recorded the lowest TOPS among the OK votes, so one member voting OK early with 0
  (or any low figure) set the provider's recorded throughput;
* verified TOPS never expired (`topsVerifiedAt` was stored and never read).

Now an attestation locks, when it opens, a bond (`attestationSlash`, 100 GMKT) and beside it a
fraud bounty (`finderFeeBps` of the bond, 50 GMKT) from free stake: a FAIL slashes the bond to the
treasury and returns the bounty; a proven fraud slashes both, the bounty to the prover, so a
provider proving its own fraud loses what a FAIL costs it, as on a job. A PASS keeps both locked,
and the fraud provable, until its TOPS stop counting (`Reputation.maxTopsAge`, 30 days), after
which anyone releases them; the council records the lower median of the quorum's TOPS; and TOPS
older than `maxTopsAge` no longer count for a job's `minVerifiedTops` (VERIFIED_TOPS).

The attacker: a provider with 5,000 GMKT staked and nothing in its wallet; its sybil is a second
account of its own. Sizes n = 64, T = 8, K = 2 with one forged checkpoint-0 row.
"""

from __future__ import annotations

import brownie
import pytest
from brownie import chain

from gpumarket.bench.gas import forged_commitment
from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, ChallengeState, Ineligibility, JobSpec, Verdict
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.seeds import seed_ready
from gpumarket.testing.values import event, plain, set_next_block_timestamp

GMKT = 10**18
USDC = 10**6
DAY = 24 * HOUR
STAKE = 5_000 * GMKT
BOND = 100 * GMKT
BOUNTY = 50 * GMKT
LOCK = BOND + BOUNTY
MAX_TOPS_AGE = 30 * DAY
TOPS = 1_500
#: A job that asks for 1,000 verified TOPS.
NEEDS_TOPS = JobSpec(min_verified_tops=1_000)
PRICE = 2 * USDC


@pytest.fixture(scope="module")
def attacker(make_provider, provider):
    return make_provider(provider, stake=STAKE)


def _gmkt_of(registry, gmkt, *accounts) -> int:
    """GMKT the owner of `accounts` holds: wallets, bonded and unbonding stake."""
    total = 0
    for account in accounts:
        info = registry.providerInfo(account)
        total += gmkt.balanceOf(account) + info["stake"] + info["unbonding"]
    return total


@pytest.fixture(scope="module")
def holdings(registry, gmkt, attacker, sybil, treasury, finder):
    def _holdings():
        return {
            "attacker": _gmkt_of(registry, gmkt, attacker, sybil),
            "treasury": gmkt.balanceOf(treasury),
            "finder": gmkt.balanceOf(finder),
        }

    return _holdings


@pytest.fixture(scope="module")
def attest(benchmark, attacker):
    """attest(forged=True) -> (challenge id, commitment): the attacker opens an attestation of
    itself and commits a root, by default one with a forged checkpoint-0 row."""

    def _attest(forged=True):
        challenge = benchmark.open(0, attacker, 64, 8, 2, {"from": attacker}).return_value
        commitment = forged_commitment()
        root = commitment.root if forged else b"\x01" * 32
        seed_ready(benchmark, challenge)
        benchmark.commit(challenge, root, {"from": attacker})
        return challenge, commitment

    return _attest


def _prove(benchmark, challenge, commitment, prover):
    args = (challenge, commitment.row, commitment.values, list(commitment.proof))
    return benchmark.proveFraud(*args, {"from": prover})


def _delta(before, after):
    return {key: after[key] - before[key] for key in after}


# ---------------------------------------------------------------- a FAIL costs the bond


def test_a_failed_attestation_costs_the_attacker_its_100_gmkt_bond(
    benchmark, registry, holdings, attacker, verifier
):
    # The attacker claims hardware it does not have and never commits.
    challenge = benchmark.open(0, attacker, 64, 8, 2, {"from": attacker}).return_value
    before = holdings()

    tx = benchmark.recordAttestation(challenge, False, 0, {"from": verifier})

    # Before the fix: {"attacker": 0, "treasury": 0, "finder": 0}.
    assert _delta(before, holdings()) == {"attacker": -BOND, "treasury": BOND, "finder": 0}
    assert plain(dict(tx.events["StakeSlashed"]))["fromLocked"] == BOND
    assert registry.freeStake(attacker) == STAKE - BOND  # the bounty is free again
    assert registry.providerInfo(attacker)["jailedUntil"] > tx.timestamp


def test_trying_again_after_every_fail_costs_a_bond_each_time(
    benchmark, registry, holdings, attacker, verifier
):
    before = holdings()

    for _ in range(3):
        challenge = benchmark.open(0, attacker, 64, 8, 2, {"from": attacker}).return_value
        benchmark.recordAttestation(challenge, False, 0, {"from": verifier})
        chain.sleep(registry.jailPeriod() + 1)  # a slash jails; a jailed provider cannot attest

    assert _delta(before, holdings())["attacker"] == -3 * BOND


def test_proving_its_own_fraud_costs_the_attacker_what_a_fail_does(
    benchmark, registry, holdings, attest, sybil, finder, verifier
):
    failed, _ = attest()
    before = holdings()
    benchmark.recordAttestation(failed, False, 0, {"from": verifier})
    after_fail = holdings()
    chain.sleep(registry.jailPeriod() + 1)

    proven, commitment = attest()
    _prove(benchmark, proven, commitment, sybil)
    after_self = holdings()
    chain.sleep(registry.jailPeriod() + 1)

    by_finder, commitment = attest()
    _prove(benchmark, by_finder, commitment, finder)
    after_finder = holdings()

    assert _delta(before, after_fail)["attacker"] == -BOND
    # Bond and bounty slashed, the bounty to its own sybil: the same 100 GMKT as a FAIL.
    assert _delta(after_fail, after_self) == {"attacker": -BOND, "treasury": BOND, "finder": 0}
    # An honest finder keeps the bounty: the attacker loses 150 GMKT.
    assert _delta(after_self, after_finder) == {
        "attacker": -LOCK,
        "treasury": BOND,
        "finder": BOUNTY,
    }


# ---------------------------------------------------------------- fraud after a pass


def test_fraud_after_a_pass_is_still_provable_and_pays_the_finder(
    benchmark,
    reputation,
    market,
    usdc,
    post_job,
    buyer,
    holdings,
    attest,
    attacker,
    finder,
    verifier,
):
    challenge, commitment = attest()
    passed = benchmark.recordAttestation(challenge, True, TOPS, {"from": verifier})
    job_id = post_job(buyer, usdc, PRICE, spec=NEEDS_TOPS, bidding=DAY)
    assert market.eligibilityOf(job_id, attacker) == Ineligibility.NONE
    set_next_block_timestamp(passed.timestamp + MAX_TOPS_AGE - DAY)  # 29 days on
    before = holdings()

    tx = _prove(benchmark, challenge, commitment, finder)

    # Before the fix: BenchmarkRegistryWrongState(challenge, PASSED), the 1,500 TOPS for ever.
    assert _delta(before, holdings()) == {"attacker": -LOCK, "treasury": BOND, "finder": BOUNTY}
    assert event(tx, "FraudProven")["slashed"] == LOCK
    assert event(tx, "VerifiedTopsCleared") == {"provider": attacker.address, "tops": TOPS}
    assert reputation.verifiedTops(attacker) == 0
    assert benchmark.challengeOf(challenge)["state"] == ChallengeState.FRAUD


def test_a_passed_fraud_stays_provable_until_its_bond_is_released_and_not_after(
    benchmark, registry, attest, stranger, finder, verifier
):
    late, commitment = attest()
    passed = benchmark.recordAttestation(late, True, TOPS, {"from": verifier})
    set_next_block_timestamp(passed.timestamp + MAX_TOPS_AGE + 1)
    chain.mine()

    # The TOPS no longer count, but nobody has released the bond: still provable.
    tx = _prove(benchmark, late, commitment, finder)
    assert event(tx, "FraudProven")["slashed"] == LOCK
    chain.sleep(registry.jailPeriod() + 1)  # the slash jailed the attacker

    released, commitment = attest()
    passed = benchmark.recordAttestation(released, True, TOPS, {"from": verifier})
    set_next_block_timestamp(passed.timestamp + MAX_TOPS_AGE + 1)
    benchmark.releaseBond(released, {"from": stranger})

    with brownie.reverts(err("BenchmarkRegistryWrongState", released, ChallengeState.EXPIRED)):
        _prove(benchmark, released, commitment, finder)


# ---------------------------------------------------------------- nowhere to shelter the bond


def test_stake_locked_as_job_collateral_does_not_shelter_the_bond(
    benchmark,
    registry,
    market,
    usdc,
    post_job,
    buyer,
    holdings,
    attest,
    attacker,
    finder,
    treasury,
):
    challenge, commitment = attest()
    # The attacker then locks all of its free stake as a job's collateral (named by the buyer).
    collateral = STAKE - LOCK
    spec = JobSpec(collateral_per_gpu_hour=collateral)
    job_id = post_job(buyer, usdc, PRICE, spec=spec, provider=attacker)
    market.acceptJob(job_id, {"from": attacker})
    assert registry.freeStake(attacker) == 0
    before = holdings()

    tx = _prove(benchmark, challenge, commitment, finder)

    # Before the fix: StakeSlashed(amount 0, fromFree 0), FraudProven(slashed 0).
    assert [plain(dict(e)) for e in tx.events["StakeSlashed"]] == [
        {
            "provider": attacker.address,
            "lockId": challenge,
            "beneficiary": beneficiary.address,
            "amount": amount,
            "fromLocked": amount,
            "fromFree": 0,
            "fromUnbonding": 0,
        }
        for beneficiary, amount in ((treasury, BOND), (finder, BOUNTY))
    ]
    assert _delta(before, holdings())["attacker"] == -LOCK
    # The job's collateral is the job's: untouched.
    assert registry.lockOf(market, job_id)["amount"] == collateral


def test_unstaking_and_withdrawing_everything_else_does_not_shelter_the_bond(
    benchmark, registry, gmkt, attest, attacker, finder
):
    challenge, commitment = attest()
    registry.requestUnstake(STAKE - LOCK, {"from": attacker})
    chain.sleep(registry.unbondingPeriod() + 1)
    registry.withdraw({"from": attacker})
    assert registry.providerInfo(attacker)["stake"] == LOCK

    tx = _prove(benchmark, challenge, commitment, finder)

    assert event(tx, "FraudProven")["slashed"] == LOCK
    assert gmkt.balanceOf(finder) == BOUNTY
    assert registry.providerInfo(attacker)["stake"] == 0


def test_an_attestation_without_free_stake_for_its_bond_cannot_open(
    benchmark, registry, market, usdc, post_job, buyer, attacker
):
    spec = JobSpec(collateral_per_gpu_hour=STAKE - LOCK + 1)
    job_id = post_job(buyer, usdc, PRICE, spec=spec, provider=attacker)
    market.acceptJob(job_id, {"from": attacker})

    with brownie.reverts(err("ProviderRegistryInsufficientFreeStake", attacker, LOCK, LOCK - 1)):
        benchmark.open(0, attacker, 64, 8, 2, {"from": attacker})


# ---------------------------------------------------------------- the quorum's TOPS


@pytest.fixture
def seated(council, benchmark, oracles, governance):
    """A 3-of-5 council as the benchmark registry's verifier (for one test: the others judge
    through the plain `verifier` account)."""
    council.setConfig(oracles[:5], 3, {"from": governance})
    benchmark.setAddress(name32("verifier"), council, {"from": governance})
    return oracles[:5]


@pytest.mark.parametrize(
    "first, recorded",
    [(0, 1_480), (1, 1_480), (2**64 - 1, 1_500)],
    ids=["zero-first", "one-first", "max-first"],
)
def test_one_members_early_vote_does_not_set_the_recorded_tops(
    council,
    benchmark,
    reputation,
    market,
    usdc,
    post_job,
    buyer,
    seated,
    attest,
    attacker,
    first,
    recorded,
):
    challenge, _ = attest(forged=False)
    subject = council.attestationSubject(challenge)
    version = council.configVersion()
    # A member colluding with a rival (or the attacker) votes OK first with its own figure.
    council.vote(subject, version, Verdict.OK, first, b"\xee" * 32, {"from": seated[0]})
    council.vote(subject, version, Verdict.OK, 1_500, b"\xee" * 32, {"from": seated[1]})

    tx = council.vote(subject, version, Verdict.OK, 1_480, b"\xee" * 32, {"from": seated[2]})

    # Before the fix the lowest OK vote: 0, 1 and 1,480 TOPS.
    assert event(tx, "AttestationVerdict")["measuredTops"] == recorded
    assert reputation.verifiedTops(attacker) == recorded
    job_id = post_job(buyer, usdc, PRICE, spec=NEEDS_TOPS, bidding=DAY)
    assert market.eligibilityOf(job_id, attacker) == Ineligibility.NONE


# ---------------------------------------------------------------- stale TOPS


def test_stale_tops_stop_counting_for_a_job_that_asks_for_them(
    benchmark,
    reputation,
    market,
    usdc,
    post_job,
    buyer,
    registry,
    attest,
    attacker,
    stranger,
    verifier,
):
    challenge, _ = attest(forged=False)
    passed = benchmark.recordAttestation(challenge, True, TOPS, {"from": verifier})
    set_next_block_timestamp(passed.timestamp + MAX_TOPS_AGE + 1)
    chain.mine()
    job_id = post_job(buyer, usdc, PRICE, spec=NEEDS_TOPS, bidding=DAY)

    # Before the fix: NONE, the month-old 1,500 TOPS counted.
    assert market.eligibilityOf(job_id, attacker) == Ineligibility.VERIFIED_TOPS
    with brownie.reverts(err("JobMarketNotEligible", job_id, attacker)):
        market.bid(job_id, PRICE, {"from": attacker})
    released = benchmark.releaseBond(challenge, {"from": stranger})
    assert event(released, "BondReleased")["amount"] == LOCK
    assert registry.freeStake(attacker) == STAKE

    fresh, _ = attest(forged=False)
    benchmark.recordAttestation(fresh, True, TOPS, {"from": verifier})

    assert market.eligibilityOf(job_id, attacker) == Ineligibility.NONE
    market.bid(job_id, PRICE, {"from": attacker})
