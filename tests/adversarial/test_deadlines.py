"""Every deadline and time window of the contracts at t−1, t and t+1, with the exact outcome.

Each transaction below is mined in a block whose timestamp is pinned to exactly t−1, t or t+1
(`set_next_block_timestamp`, anvil's evm_setNextBlockTimestamp) and sent with a fixed gas limit,
so that neither gas estimation against the pending block nor the wall clock decides the outcome;
the test then checks the block's timestamp. The jobs, the jail, the unbonding entry and the
challenge are set up once per module and every test reverts to that state, so each boundary is
crossed from the same chain.

Where an existing test already pins a boundary exactly, it is not repeated here; the table names
it. Tests that only `chain.sleep` past a deadline by a margin (tests/unit/JobMarket/*) do not pin
it and are not counted.

Table: deadline t and the call → the contract's condition (file:line) → outcome at t−1 / t / t+1
("ok": success; otherwise the exact custom error) → the test that pins it ("new": this module).

1. bid, t = biddingEnds: JobMarket.sol:168 reverts if `block.timestamp >= t`
   ok / JobMarketBiddingClosed / JobMarketBiddingClosed
   new: test_bid_closes_at_the_bidding_end
2. closeAuction, t = biddingEnds: JobMarket.sol:208 reverts if `block.timestamp < t`
   JobMarketBiddingOpen / ok / ok
   new: test_close_auction_opens_at_the_bidding_end
3. acceptJob (direct assignment's acceptance window), t = biddingEnds: JobMarket.sol:220 reverts
   if `block.timestamp >= t`; ok / JobMarketDeadlinePassed / JobMarketDeadlinePassed
   new: test_accept_job_closes_at_the_end_of_the_acceptance_window
4. cancel with bids, none eligible, t = biddingEnds: JobMarket.sol:233 reverts if
   `block.timestamp < t`; JobMarketHasBids / ok / ok
   new: test_cancel_with_only_ineligible_bids_opens_at_the_bidding_end
5. acceptBid: no deadline (the buyer may accept while the job is open)
   tests/unit/JobMarket/test_acceptBid.py::test_accept_bid_after_the_bidding_period_is_allowed
6. postJob bidding period bounds [minBiddingPeriod, maxBiddingPeriod] (a period, not a time):
   JobMarket.sol:526 reverts if `biddingPeriod < min || biddingPeriod > max`
   min−1, max+1 revert: tests/unit/JobMarket/test_postJob.py::
     test_post_job_with_a_bidding_period_out_of_bounds_reverts
   min, max ok: test_postJob.py::test_post_job_accepts_the_shortest_and_longest_bidding_period
   min+1, max−1 ok: new test_post_job_accepts_bidding_periods_next_to_the_bounds
7. submitResult, t = startedAt + duration + resultGrace: JobMarket.sol:259 reverts if
   `block.timestamp > t`; ok / ok / JobMarketDeadlinePassed
   new: test_submit_result_closes_after_the_result_deadline
8. claimTimeout, the same t: JobMarket.sol:318 reverts if `block.timestamp <= t`
   JobMarketDeadlineNotReached / JobMarketDeadlineNotReached / ok
   new: test_claim_timeout_opens_after_the_result_deadline
9. recordVerdict, t = windowStart + disputeWindow (windowStart: the submission, plus
   attestTimeout for a benchmark job): JobMarket.sol:278 reverts if `block.timestamp >= t`
   ok / JobMarketDeadlinePassed / JobMarketDeadlinePassed
   new: test_record_verdict_closes_at_the_window_end[submitted, benchmark]
10. finalize of a submitted or verified job, the same t (verified: windowStart is the verdict's
    time): JobMarket.sol:297 reverts if `block.timestamp < t`
    JobMarketDeadlineNotReached / ok / ok
    new: test_finalize_opens_at_the_window_end[submitted, benchmark, verified]
11. dispute, the same t: JobMarket.sol:356 reverts if `block.timestamp >= t`
    ok / JobMarketDeadlinePassed / JobMarketDeadlinePassed
    new: test_dispute_closes_at_the_window_end[submitted, benchmark, verified]
12. finalize of a dispute, t = disputedAt + arbitrationTimeout: JobMarket.sol:301 reverts if
    `block.timestamp < t`; JobMarketDeadlineNotReached / ok / ok
    new: test_finalize_of_a_dispute_opens_at_the_arbitration_timeout
13. withdraw, t = releaseAt (requestUnstake + unbondingPeriod): ProviderRegistry.sol:105 pays an
    entry if `releaseAt <= block.timestamp`; ProviderRegistryNothingToWithdraw / ok / ok
    t−1: tests/unit/ProviderRegistry/test_withdraw.py::
      test_withdraw_one_second_before_release_reverts
    t: test_withdraw.py::test_withdraw_at_the_release_time_pays_the_entry
    t+1: new test_withdraw_a_second_after_the_release_pays_the_entry
14. jail end, eligibility (canServe, through bid), t = jailedUntil: ProviderRegistry.sol:335
    serves only if `jailedUntil <= block.timestamp`; JobMarketNotEligible / ok / ok
    new: test_a_jailed_provider_may_bid_again_at_the_jail_end
15. jail end, lockCollateral, t = jailedUntil: ProviderRegistry.sol:375 reverts if
    `jailedUntil > block.timestamp`; ProviderRegistryJailed / ok / ok
    new: test_lock_collateral_is_allowed_again_at_the_jail_end
16. commit, t = commitDeadline (open + benchmarkWindow): BenchmarkRegistry.sol:106 reverts if
    `block.timestamp > t`; ok / ok / BenchmarkRegistryCommitWindowClosed
    t−1: new test_commit_a_second_before_the_deadline_is_accepted
    t, t+1: tests/unit/BenchmarkRegistry/test_commit.py::test_commit_at_the_deadline_is_accepted,
      ::test_commit_a_second_after_the_deadline_reverts
17. seeds (block numbers, not time): `challengeSeed`, `storeChallengeSeed` and `commit` revert
    if `block.number <= openBlock + 1`, `samplingSeed` and `storeSamplingSeed` if
    `block.number <= commitBlock + 1`; a seed unstored for 256 blocks expires, and storing it
    then fails the challenge (no re-arm)
    tests/unit/BenchmarkRegistry/test_challengeSeed.py, test_storeChallengeSeed.py,
    test_samplingSeed.py, test_storeSamplingSeed.py (the anchor block, the block after it, the
    256-block expiry); tests/adversarial/test_grinding.py (waiting out the window)
18. acceptDefaultAdminTransfer, t = acceptSchedule (begin + 2-day delay), all five contracts:
    OpenZeppelin AccessControlDefaultAdminRules.sol:241 with `_hasSchedulePassed`
    (`schedule < block.timestamp`, :370); AccessControlEnforcedDefaultAdminDelay (t−1 and t) / ok
    tests/adversarial/test_admin_delay.py::test_transfer_takes_effect_only_after_the_delay
19. renounceRole(DEFAULT_ADMIN_ROLE), t = schedule of the transfer to zero: the same check at
    AccessControlDefaultAdminRules.sol:114; AccessControlEnforcedDefaultAdminDelay (t−1 and t) / ok
    new: test_admin_renounce_takes_effect_only_after_its_schedule
20. a lowered admin delay, t = its schedule: defaultAdminDelay() at
    AccessControlDefaultAdminRules.sol:176 (read by beginDefaultAdminTransfer); old delay at t−1
    and t, new delay at t+1
    new: test_a_lowered_admin_delay_applies_only_after_its_schedule

No gap and no overlap: submitResult (≤ t) and claimTimeout (> t) split the seconds between them,
and so do dispute and recordVerdict (< t) and finalize (≥ t); tests 7-11 pin both sides.

Other uses of block.timestamp only store it (postJob's biddingEnds, _match's startedAt,
submitResult's submittedAt and windowStart, recordVerdict's windowStart, dispute's disputedAt,
requestUnstake's releaseAt, slash's jailedUntil, BenchmarkRegistry.open and commit, Reputation's
topsVerifiedAt); `claimedOpsPerSecond` only divides by elapsed time; OracleCouncil reads no time.
"""

from __future__ import annotations

from types import SimpleNamespace

import brownie
import pytest
from brownie import web3

from gpumarket.chain.deploy import ADMIN_DELAY
from gpumarket.chain.types import HOUR, JobSpec, JobState, Offer
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.seeds import seed_ready
from gpumarket.testing.values import event, plain, set_next_block_timestamp

GMKT = 10**18
MAX_PRICE = 2 * GMKT
PRICE = GMKT
ZERO_ADDRESS = "0x" + "00" * 20
DEFAULT_ADMIN_ROLE = b"\0" * 32
RESULT_HASH = b"\x05" * 32
RESULT_URI = "ipfs://deadline"
BENCHMARK_SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
#: A lock id of the registry outside the market's job ids.
LOCK_ID = 10**9
#: Gas of every pinned transaction: no estimation against the pending block.
GAS = {"gas_limit": 2_000_000}
#: A transaction that must revert is still mined, at the timestamp set for it.
MINED = {**GAS, "allow_revert": True}

OFFSETS = (-1, 0, 1)
OK = None
ADMIN_CONTRACTS = ("reputation", "registry", "market", "benchmark", "council")


def at(t: int, expected: str | None, method, *args, sender):
    """Sends `method(*args)` in a block stamped exactly `t`: it must succeed (expected None,
    returns the transaction) or revert with exactly `expected`."""
    set_next_block_timestamp(t)
    if expected is None:
        tx = method(*args, {"from": sender, **GAS})
        assert tx.timestamp == t
        return tx
    with brownie.reverts(expected):
        method(*args, {"from": sender, **MINED})
    assert web3.eth.get_block("latest")["timestamp"] == t
    return None


def outcome(offset: int, before, at_t, after):
    return {-1: before, 0: at_t, 1: after}[offset]


# ---------------------------------------------------------------- set-up


@pytest.fixture(scope="module")
def timeline(
    market,
    registry,
    benchmark,
    gmkt,
    make_provider,
    post_job,
    fund,
    governance,
    verifier,
    buyer,
    provider,
    provider2,
    provider3,
    jailed_provider,
):
    """One job per deadline, a jailed provider, an unbonding entry and an open attestation."""
    prices = {gmkt.address: PRICE}
    for account in (provider, provider2, provider3, jailed_provider):
        make_provider(account, prices=prices)

    def post(**kwargs):
        return post_job(buyer, gmkt, MAX_PRICE, **kwargs)

    def running(spec=None):
        job_id = post(spec=spec)
        market.bid(job_id, PRICE, {"from": provider})
        market.acceptBid(job_id, provider, {"from": buyer})
        return job_id

    def submitted(spec=None):
        job_id = running(spec)
        market.submitResult(job_id, RESULT_HASH, RESULT_URI, {"from": provider})
        return job_id

    jobs = SimpleNamespace()
    jobs.auction = post()
    market.bid(jobs.auction, PRICE, {"from": provider})
    jobs.direct = post(provider=provider)
    # provider3's only bid stops being eligible: it withdraws its GMKT price.
    jobs.abandoned = post()
    market.bid(jobs.abandoned, PRICE, {"from": provider3})
    registry.updateOffer(Offer().as_tuple(), [gmkt], [0], {"from": provider3})
    # Bidding stays open past the jail below.
    jobs.long_auction = post(bidding=7 * 24 * HOUR)
    jobs.running = running()
    jobs.submitted = submitted()
    jobs.benchmark = submitted(BENCHMARK_SPEC)
    jobs.verified = submitted()
    market.recordVerdict(jobs.verified, True, {"from": verifier})
    jobs.disputed = submitted()
    # The bonds of this dispute and of the boundary disputes (post_job approves only deposits).
    fund(buyer, gmkt, 1_000 * GMKT)
    gmkt.approve(market, 2**256 - 1, {"from": buyer})
    market.dispute(jobs.disputed, {"from": buyer})

    registry.grantRole(registry.SLASHER_ROLE(), governance, {"from": governance})
    registry.grantRole(registry.MARKET_ROLE(), governance, {"from": governance})
    slash = registry.slash(jailed_provider, 1, governance, 0, {"from": governance})
    jailed_until = slash.events["ProviderJailed"]["until"]

    unstake = registry.requestUnstake(100 * GMKT, {"from": provider2})
    challenge = benchmark.open(0, provider2, 64, 8, 2, {"from": provider2}).return_value
    seed_ready(benchmark, challenge)
    return SimpleNamespace(
        jobs=jobs,
        jailed_until=jailed_until,
        release_at=unstake.events["UnstakeRequested"]["releaseAt"],
        challenge=challenge,
        commit_deadline=benchmark.challengeOf(challenge)["commitDeadline"],
    )


def bidding_end(market, job_id) -> int:
    return market.jobOf(job_id)["biddingEnds"]


def result_deadline(market, job_id) -> int:
    job = market.jobOf(job_id)
    return job["startedAt"] + market.specOf(job_id)["duration"] + market.resultGrace()


def window_end(market, job_id) -> int:
    return market.jobOf(job_id)["windowStart"] + market.disputeWindow()


# ---------------------------------------------------------------- bidding and acceptance


@pytest.mark.parametrize("offset", OFFSETS)
def test_bid_closes_at_the_bidding_end(market, timeline, provider2, offset):
    job_id = timeline.jobs.auction
    t = bidding_end(market, job_id)
    closed = err("JobMarketBiddingClosed", job_id, t)

    tx = at(
        t + offset, outcome(offset, OK, closed, closed), market.bid, job_id, PRICE, sender=provider2
    )

    if tx is not None:
        assert event(tx, "BidPlaced") == {
            "jobId": job_id,
            "provider": provider2.address,
            "price": PRICE,
        }


@pytest.mark.parametrize("offset", OFFSETS)
def test_close_auction_opens_at_the_bidding_end(market, timeline, provider, stranger, offset):
    job_id = timeline.jobs.auction
    t = bidding_end(market, job_id)
    still_open = err("JobMarketBiddingOpen", job_id, t)

    tx = at(
        t + offset,
        outcome(offset, still_open, OK, OK),
        market.closeAuction,
        job_id,
        sender=stranger,
    )

    if tx is not None:
        assert market.jobOf(job_id)["state"] == JobState.RUNNING
        assert event(tx, "JobMatched")["provider"] == provider.address


@pytest.mark.parametrize("offset", OFFSETS)
def test_accept_job_closes_at_the_end_of_the_acceptance_window(market, timeline, provider, offset):
    job_id = timeline.jobs.direct
    t = bidding_end(market, job_id)
    passed = err("JobMarketDeadlinePassed", job_id, t)

    tx = at(
        t + offset, outcome(offset, OK, passed, passed), market.acceptJob, job_id, sender=provider
    )

    if tx is not None:
        assert market.jobOf(job_id)["state"] == JobState.RUNNING


@pytest.mark.parametrize("offset", OFFSETS)
def test_closing_with_only_ineligible_bids_cancels_from_the_bidding_end(
    market, timeline, stranger, provider3, offset
):
    job_id = timeline.jobs.abandoned
    t = bidding_end(market, job_id)
    still_open = err("JobMarketBiddingOpen", job_id, t)

    tx = at(
        t + offset,
        outcome(offset, still_open, OK, OK),
        market.closeAuction,
        job_id,
        sender=stranger,
    )

    if tx is not None:
        assert event(tx, "JobCancelled") == {"jobId": job_id}
        assert market.jobOf(job_id)["state"] == JobState.CANCELLED
        # The only (so the lowest) bidder walked away: half of the 10 GMKT collateral.
        assert event(tx, "BidForfeited") == {
            "jobId": job_id,
            "provider": provider3.address,
            "amount": 5 * 10**18,
        }


@pytest.mark.parametrize("bidding", ["min+1", "max-1"])
def test_post_job_accepts_bidding_periods_next_to_the_bounds(
    market, gmkt, governance, buyer, bidding
):
    period = market.minBiddingPeriod() + 1 if bidding == "min+1" else market.maxBiddingPeriod() - 1
    deposit = market.costOf(MAX_PRICE, 1, HOUR)
    gmkt.transfer(buyer, deposit, {"from": governance})
    gmkt.approve(market, deposit, {"from": buyer})

    tx = market.postJob(
        JobSpec().as_tuple(), gmkt, MAX_PRICE, period, ZERO_ADDRESS, {"from": buyer}
    )

    assert market.jobOf(tx.return_value)["biddingEnds"] == tx.timestamp + period


# ---------------------------------------------------------------- results and settlement


@pytest.mark.parametrize("offset", OFFSETS)
def test_submit_result_closes_after_the_result_deadline(market, timeline, provider, offset):
    job_id = timeline.jobs.running
    t = result_deadline(market, job_id)
    passed = err("JobMarketDeadlinePassed", job_id, t)

    tx = at(
        t + offset,
        outcome(offset, OK, OK, passed),
        market.submitResult,
        job_id,
        RESULT_HASH,
        RESULT_URI,
        sender=provider,
    )

    if tx is not None:
        assert market.jobOf(job_id)["state"] == JobState.SUBMITTED


@pytest.mark.parametrize("offset", OFFSETS)
def test_claim_timeout_opens_after_the_result_deadline(market, timeline, stranger, offset):
    """Together with the test above: at no second may both submitResult and claimTimeout
    succeed, and at none may both fail."""
    job_id = timeline.jobs.running
    t = result_deadline(market, job_id)
    early = err("JobMarketDeadlineNotReached", job_id, t)

    tx = at(
        t + offset, outcome(offset, early, early, OK), market.claimTimeout, job_id, sender=stranger
    )

    if tx is not None:
        assert market.jobOf(job_id)["state"] == JobState.FAILED


WINDOW_JOBS = ("submitted", "benchmark", "verified")


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("which", ["submitted", "benchmark"])
def test_record_verdict_closes_at_the_window_end(market, timeline, verifier, which, offset):
    """For a benchmark job the window starts `attestTimeout` after the submission."""
    job_id = getattr(timeline.jobs, which)
    t = window_end(market, job_id)
    submitted_at = market.jobOf(job_id)["submittedAt"]
    wait = market.attestTimeout() if which == "benchmark" else 0
    assert t == submitted_at + wait + market.disputeWindow()
    passed = err("JobMarketDeadlinePassed", job_id, t)

    tx = at(
        t + offset,
        outcome(offset, OK, passed, passed),
        market.recordVerdict,
        job_id,
        True,
        sender=verifier,
    )

    if tx is not None:
        assert (market.jobOf(job_id)["state"], market.jobOf(job_id)["windowStart"]) == (
            JobState.VERIFIED,
            t - 1,
        )


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("which", WINDOW_JOBS)
def test_finalize_opens_at_the_window_end(market, timeline, stranger, which, offset):
    job_id = getattr(timeline.jobs, which)
    t = window_end(market, job_id)
    early = err("JobMarketDeadlineNotReached", job_id, t)

    tx = at(t + offset, outcome(offset, early, OK, OK), market.finalize, job_id, sender=stranger)

    if tx is not None:
        assert market.jobOf(job_id)["state"] == JobState.SETTLED


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("which", WINDOW_JOBS)
def test_dispute_closes_at_the_window_end(market, timeline, buyer, which, offset):
    """Together with the test above: the buyer may dispute up to the second before finalize
    opens, and not at the same second."""
    job_id = getattr(timeline.jobs, which)
    t = window_end(market, job_id)
    passed = err("JobMarketDeadlinePassed", job_id, t)

    tx = at(t + offset, outcome(offset, OK, passed, passed), market.dispute, job_id, sender=buyer)

    if tx is not None:
        assert market.jobOf(job_id)["state"] == JobState.DISPUTED


@pytest.mark.parametrize("offset", OFFSETS)
def test_finalize_of_a_dispute_opens_at_the_arbitration_timeout(market, timeline, stranger, offset):
    job_id = timeline.jobs.disputed
    t = market.jobOf(job_id)["disputedAt"] + market.arbitrationTimeout()
    early = err("JobMarketDeadlineNotReached", job_id, t)

    tx = at(t + offset, outcome(offset, early, OK, OK), market.finalize, job_id, sender=stranger)

    if tx is not None:
        assert market.jobOf(job_id)["state"] == JobState.SETTLED


# ---------------------------------------------------------------- registry and benchmark


def test_withdraw_a_second_after_the_release_pays_the_entry(registry, timeline, provider2):
    tx = at(timeline.release_at + 1, OK, registry.withdraw, sender=provider2)

    assert event(tx, "Withdrawn") == {"provider": provider2.address, "amount": 100 * GMKT}


@pytest.mark.parametrize("offset", OFFSETS)
def test_a_jailed_provider_may_bid_again_at_the_jail_end(market, timeline, jailed_provider, offset):
    job_id = timeline.jobs.long_auction
    t = timeline.jailed_until
    assert bidding_end(market, job_id) > t + 1
    jailed = err("JobMarketNotEligible", job_id, jailed_provider)

    tx = at(
        t + offset,
        outcome(offset, jailed, OK, OK),
        market.bid,
        job_id,
        PRICE,
        sender=jailed_provider,
    )

    if tx is not None:
        assert plain(market.bidsOf(job_id))[-1][0] == jailed_provider.address


@pytest.mark.parametrize("offset", OFFSETS)
def test_lock_collateral_is_allowed_again_at_the_jail_end(
    registry, timeline, governance, jailed_provider, offset
):
    t = timeline.jailed_until
    jailed = err("ProviderRegistryJailed", jailed_provider, t)

    tx = at(
        t + offset,
        outcome(offset, jailed, OK, OK),
        registry.lockCollateral,
        jailed_provider,
        LOCK_ID,
        GMKT,
        1,
        sender=governance,
    )

    if tx is not None:
        assert registry.lockOf(governance, LOCK_ID)["provider"] == jailed_provider


def test_commit_a_second_before_the_deadline_is_accepted(benchmark, timeline, provider2):
    tx = at(
        timeline.commit_deadline - 1,
        OK,
        benchmark.commit,
        timeline.challenge,
        RESULT_HASH,
        sender=provider2,
    )

    assert event(tx, "ChallengeCommitted")["challengeId"] == timeline.challenge


# ---------------------------------------------------------------- admin delays


@pytest.fixture(params=ADMIN_CONTRACTS)
def admin_contract(request, protocol):
    return getattr(protocol, request.param)


@pytest.mark.parametrize("offset", OFFSETS)
def test_admin_renounce_takes_effect_only_after_its_schedule(
    admin_contract, governance, chain, offset
):
    """Renouncing is a transfer to zero: it passes once block.timestamp is past its schedule."""
    start = chain.time() + 100
    at(start, OK, admin_contract.beginDefaultAdminTransfer, ZERO_ADDRESS, sender=governance)
    t = start + ADMIN_DELAY
    assert plain(admin_contract.pendingDefaultAdmin()) == (ZERO_ADDRESS, t)
    early = err("AccessControlEnforcedDefaultAdminDelay", t)

    tx = at(
        t + offset,
        outcome(offset, early, early, OK),
        admin_contract.renounceRole,
        DEFAULT_ADMIN_ROLE,
        governance,
        sender=governance,
    )

    expected_admin = ZERO_ADDRESS if tx is not None else governance.address
    assert admin_contract.defaultAdmin() == expected_admin


@pytest.mark.parametrize("offset", OFFSETS)
def test_a_lowered_admin_delay_applies_only_after_its_schedule(
    admin_contract, governance, stranger, chain, offset
):
    """Lowering the delay from 2 days to 1 hour is scheduled 2 days − 1 hour ahead; a transfer
    begun up to that second still waits 2 days, one begun a second later 1 hour."""
    start = chain.time() + 100
    at(start, OK, admin_contract.changeDefaultAdminDelay, HOUR, sender=governance)
    t = start + ADMIN_DELAY - HOUR
    assert plain(admin_contract.pendingDefaultAdminDelay()) == (HOUR, t)

    tx = at(t + offset, OK, admin_contract.beginDefaultAdminTransfer, stranger, sender=governance)

    delay = outcome(offset, ADMIN_DELAY, ADMIN_DELAY, HOUR)
    assert event(tx, "DefaultAdminTransferScheduled") == {
        "newAdmin": stranger.address,
        "acceptSchedule": t + offset + delay,
    }
