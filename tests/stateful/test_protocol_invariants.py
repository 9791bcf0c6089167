"""Stateful invariant test of the money paths (docs/DESIGN.md section 4: E1-E5, S1-S4, O1-O4).

A Hypothesis state machine stakes, unstakes, withdraws, posts jobs (GMKT and a 6-decimal stablecoin,
auctions and direct assignments), bids, matches, cancels, submits, records verdicts, finalizes,
times out, disputes, resolves or leaves a dispute to its arbitration timeout, slashes and sleeps,
and governance changes the job terms, the collateral rate, tokens' bond minimums and reputation's
credit minimums and pauses the market, in handler style: each actor only draws what it can do, so
runs reach running, submitted, disputed and settled jobs. Each matched job keeps the terms of its
match in the model, and its derived views are checked against them. The protocol's model
(`gpumarket.testing.models.protocol`) predicts every outcome; a rule whose action the model says
must fail asserts the exact custom error, and one that must succeed checks its payouts and slashes
against the model. After every step the chain is compared with the model and the invariants are
checked.

Brownie 1.22's `state_machine` helper is broken (DESIGN section 2), so the machine runs through
Hypothesis directly, reverting the chain to a snapshot after each run. Size: runs of up to
GPUMARKET_STATEFUL_STEPS steps (50) until GPUMARKET_STATEFUL_EXAMPLES × that many steps have run
(25 × 50 by default). The steps run are printed (`-s`) and written to reports/stateful_steps.txt.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import itertools
import os
import time
from collections import Counter
from pathlib import Path

import brownie
from brownie import chain, web3
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout
from gpumarket.pogemm import reference
from gpumarket.pogemm.merkle import MerkleTree, tree_depth
from gpumarket.testing.models.council import (
    ATTESTATION_FLAG,
    Config,
    CouncilModel,
    ModelRevert,
    Tally,
    Verdict,
)
from gpumarket.testing.models.protocol import (
    BLOCKHASH_WINDOW,
    DAY,
    FORWARD,
    OPEN_STATES,
    TERM_NAMES,
    TERMINAL_STATES,
    BuyerModel,
    ChallengeState,
    ProtocolModel,
    ProviderModel,
    Release,
    SeedBlock,
    SeedStore,
    Slash,
    bps_up,
    revert_message,
    seed_block_state,
)
from gpumarket.testing.seeds import challenge_seed_of, mine_until
from gpumarket.testing.values import plain

EXAMPLES = int(os.environ.get("GPUMARKET_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("GPUMARKET_STATEFUL_STEPS", "50"))
#: Open (unmatched) jobs at most; posting waits until one is matched or cancelled.
MAX_OPEN_JOBS = 3
#: Examples Hypothesis spends on short runs before full-length ones (see the test).
SHORT_EXAMPLES = 10
#: Keys of the record of the first failure (see ProtocolMachine.noting_failures).
STARTED, FIRST_FAILURE = "started", "first failure"
STEPS_REPORT = Path(__file__).resolve().parents[2] / "reports" / "stateful_steps.txt"

#: A fixed gas limit saves an eth_estimateGas round trip per transaction. It grows by one unit per
#: transaction: a replayed run from the same snapshot would otherwise send byte-identical
#: transactions whose hashes collide with those of reverted blocks, and Brownie then reports
#: them as dropped.
GAS = 2_000_000
#: A council batch may make several verdicts final, each needing the callback stipend (1M).
BATCH_GAS = 8_000_000
_TX_SERIAL = itertools.count()
#: Seconds kept between the next block's time and any deadline, so that the model's prediction
#: never depends on the wall-clock second the transaction lands in.
TIME_MARGIN = 5
ZERO_ADDRESS = "0x" + "00" * 20
RESULT_HASH = b"\x01" * 32
RESULT_URI = "ipfs://result"

#: Job requirements, mixed with a drawn GPU count and duration: some invalid (no GPU, n not a
#: multiple of 64, T over the default maxSteps).
SPEC_VARIANTS = (
    {},
    {},
    {},
    {"benchmark_required": True, "benchmark_n": 64, "benchmark_t": 8, "benchmark_k": 2},
    {"gpu_model": "H100-SXM-80GB", "region": "DE", "min_vram_gib": 80},
    {"gpu_model": "A100-SXM-80GB"},
    {"region": "US"},
    {"benchmark_required": True, "benchmark_n": 64, "benchmark_t": 8, "benchmark_k": 2},
    {"min_reputation_bps": 4_000},
    {"min_verified_tops": 1_000},
    {"gpu_count": 0},
    {"benchmark_required": True, "benchmark_n": 100, "benchmark_t": 8, "benchmark_k": 2},
    # The buyer names its collateral: above the floor (which then applies only if raised past
    # it), and below it (the floor applies).
    {"collateral_per_gpu_hour": 25 * 10**18},
    {
        "collateral_per_gpu_hour": 10**9,
        "benchmark_required": True,
        "benchmark_n": 64,
        "benchmark_t": 8,
        "benchmark_k": 2,
    },
    {"benchmark_required": True, "benchmark_n": 64, "benchmark_t": 2**21, "benchmark_k": 2},
)

#: An index into a pool (of jobs, actors): one draw in eight picks outside the plausible choices.
PICK = st.integers(0, 2**16 - 1)
#: Hardware attestations' PoGEMM sizes (n, T, K); the last three are invalid (two shapes, and K
#: over the default maxInterval).
ATTESTATION_SIZES = (
    (64, 8, 2),
    (64, 8, 2),
    (64, 4, 4),
    (100, 8, 2),
    (64, 8, 3),
    (64, 4_096, 2_048),
)
#: At most this many attestations waiting for a commitment or a verdict; opening waits.
MAX_PENDING_ATTESTATIONS = 2
#: Council votes: mostly OK, some FAIL, now and then the invalid NONE.
VERDICTS = st.sampled_from([Verdict.OK] * 5 + [Verdict.FAIL] * 3 + [Verdict.NONE])
#: The config version a vote names, relative to the current one: mostly current, some stale.
VERSION_SHIFTS = st.sampled_from([0] * 12 + [-1, 1])
#: Votes between two council configs at least, so that counts can reach the quorum.
VOTES_PER_CONFIG = 6
EVIDENCE = b"\xee" * 32
#: proveFraud attempts: the forged row (most), the honest row, a wrong proof, a row out of range,
#: a row of the wrong length.
FRAUD_MODES = st.sampled_from(["forged"] * 4 + ["honest", "bad proof", "out of range", "length"])
#: What governance may change in the machine (the job terms and the collateral rate), and the
#: range each new value is drawn from: within the on-chain bounds, and small enough that jobs
#: still get matched and settled within a run.
DRAWN = {
    "protocolFeeBps": (0, 1_500),
    "slashBuyerShareBps": (0, 10_000),
    "disputeBondBps": (0, 5_000),
    "fraudBountyBps": (1, 10_000),
    "disputeWindow": (HOUR, 2 * DAY),
    "attestTimeout": (600, 12 * HOUR),
    "resultGrace": (60, 4 * HOUR),
    "arbitrationTimeout": (DAY, 20 * DAY),
    "collateralPerGpuHour": (0, 40 * 10**18),
    "bidForfeitBps": (1, 10_000),
}
GOVERNED = tuple(DRAWN)
#: The benchmark registry's caps governance may change in the machine, and the range each is
#: drawn from: mostly still admitting the test size (n = 64, T = 8, K = 2: K·n² = 2^13,
#: T·n³ = 2^21) and now and then not, so that matches revert and buyers cancel with bids.
CAP_DRAWN = {
    "maxN": (64, 16_384),
    "maxSteps": (4, 24),
    "maxInterval": (1, 16),
    "maxSampleOps": (4_096, 65_536),
    "maxProverOps": (2**18, 2**24),
}
CAPPED = tuple(CAP_DRAWN)
POST_ARGS = {
    "buyer": st.integers(0, 2),
    "token": st.integers(0, 1),
    "variant": st.integers(0, len(SPEC_VARIANTS) - 1),
    "gpus": st.integers(1, 4),
    "duration": st.integers(60, 4 * HOUR),
    "price_ppm": st.integers(0, 50_000_000),  # millionths of a token per GPU-hour
    "dust": st.integers(0, 999),
    "bidding": st.integers(30, 2 * DAY),
}


def step(when=None, repeat=True, **strategies):
    """`rule` that first counts the step and moves time clear of every deadline. It runs only
    while `when(machine)` holds: a predicate of the model's state, never of the clock, because
    which rules can run decides what Hypothesis draws, and that must replay identically.

    `repeat=False` keeps the rule from running twice in a row. Hypothesis' mutations copy a step's
    draws over the next ones, so an always-enabled rule with few arguments ends up in long runs
    of identical steps (a dozen sleeps that time out every job, stake requests until the queue
    is full), which starve the job lifecycle."""

    def decorate(function):
        @functools.wraps(function)
        def run(self, **kwargs):
            self.before_step(function.__name__)
            with self.noting_failures():
                function(self, **kwargs)

        name = function.__name__
        decorated = rule(**strategies)(run)
        if when is None and repeat:
            return decorated
        return precondition(
            lambda self: (when is None or when(self)) and (repeat or self.action != name)
        )(decorated)

    return decorate


def some_job(predicate):
    """A precondition: some job of the model satisfies `predicate`."""
    return lambda machine: any(map(predicate, machine.m.jobs.values()))


# Preconditions of the job rules, on the model's job states only.
AUCTION_OPEN = some_job(lambda j: j.state == JobState.OPEN and not j.direct)
BIDS_WAITING = some_job(lambda j: j.state == JobState.OPEN and bool(j.bids))
DIRECT_OPEN = some_job(lambda j: j.state == JobState.OPEN and j.direct)
ANY_OPEN = some_job(lambda j: j.state == JobState.OPEN)
ANY_RUNNING = some_job(lambda j: j.state == JobState.RUNNING)
ANY_SUBMITTED = some_job(lambda j: j.state == JobState.SUBMITTED)
ANY_AWAITING_SETTLEMENT = some_job(
    lambda j: j.state in (JobState.SUBMITTED, JobState.VERIFIED, JobState.DISPUTED)
)
ANY_IN_DISPUTE_WINDOW = some_job(lambda j: j.state in (JobState.SUBMITTED, JobState.VERIFIED))
ANY_DISPUTED = some_job(lambda j: j.state == JobState.DISPUTED)


def few_open_jobs(machine) -> bool:
    """A precondition of posting: keeps the pool small, so that jobs get matched and settled."""
    return sum(job.state == JobState.OPEN for job in machine.m.jobs.values()) < MAX_OPEN_JOBS


def some_challenge(*states):
    """A precondition: some PoGEMM challenge is in one of `states`."""
    return lambda machine: any(c.state in states for c in machine.m.challenges.values())


ANY_CHALLENGE_OPEN = some_challenge(ChallengeState.OPEN)
ANY_CHALLENGE_COMMITTED = some_challenge(ChallengeState.COMMITTED)
ANY_CHALLENGE_PASSED = some_challenge(ChallengeState.PASSED)
#: The states in which a checkpoint-0 fraud is provable (PASSED: attestations, until released).
PROVABLE = (ChallengeState.COMMITTED, ChallengeState.PASSED)


def pending_attestations(machine) -> int:
    return sum(
        c.subject == 0 and c.state in (ChallengeState.OPEN, ChallengeState.COMMITTED)
        for c in machine.m.challenges.values()
    )


def something_to_judge(machine) -> bool:
    """A precondition of council votes: a submitted job or a pending attestation."""
    return ANY_SUBMITTED(machine) or pending_attestations(machine) > 0


def council_may_rotate(machine) -> bool:
    return machine.votes_since_config >= VOTES_PER_CONFIG


def someone_unbonding(machine) -> bool:
    return any(p.entries for p in machine.m.providers.values())


class Reverted(str):
    """The error message of a batched call that reverted."""


class ChainReads:
    """Many eth_calls in one JSON-RPC batch: the invariants read ~60 values after every step."""

    def __init__(self):
        self._requests = []
        self._decoders = []

    def add(self, method, *args, sender=None) -> int:
        call = {"to": method._address, "data": method.encode_input(*args)}
        if sender is not None:
            call["from"] = sender
        self._requests.append(("eth_call", [call, "latest"]))
        self._decoders.append(method.decode_output)
        return len(self._requests) - 1

    def run(self) -> list:
        responses = web3.provider.make_batch_request(self._requests)
        assert isinstance(responses, list), responses
        return [
            Reverted(response["error"]) if "error" in response else decode(response["result"])
            for response, decode in zip(responses, self._decoders, strict=True)
        ]


class ProtocolMachine(RuleBasedStateMachine):
    def __init__(self, world, tally: Counter, failures: dict):
        super().__init__()
        chain.snapshot()
        self.w = world
        self.tally = tally
        self.failures = failures
        self.gmkt = world.gmkt.address
        self.units = {t.address: 10 ** t.decimals() for t in world.tokens}
        self.accounts = {
            a.address: a for a in [*world.wallet_holders, world.arbiter, *world.oracles]
        }
        providers = [
            ProviderModel(
                address=account.address,
                gpu_model=offer.gpu_model,
                region=offer.region,
                vram_gib=offer.vram_gib,
                gpu_count=offer.gpu_count,
                stake=stake,
            )
            for account, offer, stake in zip(
                world.providers, world.offers, world.stakes, strict=True
            )
        ]
        self.m = ProtocolModel(
            world.params,
            providers,
            [BuyerModel(b.address) for b in world.buyers],
            world.treasury.address,
            Counter(world.start_wallets),
        )
        self.last_block_ts = web3.eth.get_block("latest")["timestamp"]
        self.ledger = Counter()  # (job id, Payout) -> amount, from EscrowReleased events only
        self.closings = Counter()  # job id -> JobSettled + JobFailed + JobCancelled events
        self.history: dict[int, list[JobState]] = {}  # job id -> states seen on chain
        self.slashable_seen: dict[str, int] = {}  # provider -> slashable() at the last check
        self.action = ""  # the rule running, or that ran last
        self.entries_seen: dict[str, list] = {}  # provider -> unbondingEntries() at the last check
        members, quorum, version = world.council_config
        config = Config(list(members), quorum)
        self.council = CouncilModel(configs={version: config}, version=version)
        self.votes_since_config = VOTES_PER_CONFIG
        self.finals_seen: dict[int, tuple[int, int]] = {}  # subject -> (verdict, version)
        self.verdict_events = Counter()  # subject -> VerdictReached events

    def teardown(self):
        chain.revert()

    # ------------------------------------------------------------ step plumbing

    @contextlib.contextmanager
    def noting_failures(self):
        """Records the step and the time of the first failure of the test, before Hypothesis
        starts shrinking it: how fast the machine finds a bug."""
        try:
            yield
        except Exception as failure:
            if FIRST_FAILURE not in self.failures:
                self.failures[FIRST_FAILURE] = (
                    self.tally["steps"],
                    time.monotonic() - self.failures[STARTED],
                    f"{self.action}: {type(failure).__name__}: {failure}"[:300],
                )
            raise

    def before_step(self, name: str) -> None:
        self.tally["steps"] += 1
        self.action = name
        self.m.begin()
        if chain.time() - self.last_block_ts > 1:
            # Calls run at the latest block's time: keep it close to the next transaction's.
            self._mine()
        now = target = chain.time()
        for boundary in sorted(self.m.time_boundaries()):
            if abs(boundary - target) <= TIME_MARGIN:
                target = boundary + TIME_MARGIN + 1
        if target > now:
            self._advance(target - now)

    def _advance(self, seconds: int) -> None:
        chain.sleep(seconds)
        self._mine()

    def _mine(self) -> None:
        chain.mine()
        self.last_block_ts = web3.eth.get_block("latest")["timestamp"]

    def _expect_revert(self, message: str, method, *args, sender) -> None:
        with brownie.reverts(message):
            method.call(*args, {"from": sender})
        self.tally[f"{self.action} reverts {message.split(':')[0]}"] += 1

    def _send(self, method, *args, sender, gas=GAS):
        tx = method(*args, {"from": sender, "gas": gas + next(_TX_SERIAL)})
        self.last_block_ts = tx.timestamp
        self.tally[f"{self.action} ok"] += 1
        return tx

    def _events(self, tx, name: str, contract) -> list:
        if name not in tx.events:
            return []
        return [event for event in tx.events[name] if event.address == contract.address]

    def _check_effects(self, tx) -> None:
        """The transaction's payouts and slashes are exactly the model's, in order (E2, E4, S4)."""
        market, registry = self.w.market, self.w.registry
        released = [
            Release(e["jobId"], e["to"], e["token"], e["amount"], Payout(e["kind"]))
            for e in self._events(tx, "EscrowReleased", market)
        ]
        assert released == self.m.releases
        assert self._events(tx, "PayoutDeferred", market) == []  # neither token refuses payouts
        for release in released:
            self.ledger[(release.job_id, release.kind)] += release.amount
            # E4: fees reach only the treasury, and the treasury gets nothing else from escrow
            # but the two forfeits of a dispute that timed out unruled (value and bond).
            to_treasury = release.to == self.w.treasury.address
            assert (release.kind == Payout.FEE) <= to_treasury
            assert (release.kind == Payout.FORFEIT) <= to_treasury
            if to_treasury and release.kind != Payout.FEE:
                assert release.kind in (Payout.FORFEIT, Payout.BOND)
                assert "ArbitrationTimedOut" in tx.events
        for event in self._events(tx, "JobSettled", market):
            # E4 under the terms the job was matched with (a later fee change never reaches it).
            terms = self.m.jobs[event["jobId"]].matched_terms
            value = event["payout"] + event["fee"]
            assert event["fee"] <= bps_up(value, terms.protocol_fee_bps)  # E4
        slashes = [
            Slash(
                e["provider"],
                e["lockId"],
                e["beneficiary"],
                e["amount"],
                e["fromLocked"],
                e["fromFree"],
                e["fromUnbonding"],
            )
            for e in self._events(tx, "StakeSlashed", registry)
        ]
        assert slashes == self.m.slashes
        slashed = Counter()
        for s in slashes:
            assert s.amount == s.from_locked + s.from_free + s.from_unbonding
            self.tally["slashes reaching unbonding stake"] += s.from_unbonding > 0
            slashed[s.provider] += s.amount
        for provider, amount in slashed.items():
            assert amount <= self.slashable_seen[provider]  # S4
        for name in ("JobSettled", "JobFailed", "JobCancelled"):
            for event in self._events(tx, name, market):
                self.closings[event["jobId"]] += 1
                self.tally[name] += 1

    # ------------------------------------------------------------ choosing jobs and actors

    # Job predicates: the jobs an action plausibly applies to at time `now` (model state).
    def biddable(self, job, now):
        return job.state == JobState.OPEN and not job.direct and now < job.bidding_ends

    def has_bids(self, job, now):
        return job.state == JobState.OPEN and bool(job.bids)

    def closable(self, job, now):
        return (
            job.state == JobState.OPEN and not job.direct and job.bids and now >= job.bidding_ends
        )

    def acceptable(self, job, now):
        return job.state == JobState.OPEN and job.direct and now < job.bidding_ends

    def stale(self, job, now):
        """Open after its bidding (or acceptance) period: what a buyer would give up on."""
        return job.state == JobState.OPEN and now >= job.bidding_ends

    def running(self, job, now):
        return job.state == JobState.RUNNING and now <= self.m.result_deadline(job)

    def overdue(self, job, now):
        return job.state == JobState.RUNNING and now > self.m.result_deadline(job)

    def awaiting_verdict(self, job, now):
        return job.state == JobState.SUBMITTED and now < self.m.window_end(job)

    def disputable(self, job, now):
        return job.state in (JobState.SUBMITTED, JobState.VERIFIED) and now < self.m.window_end(job)

    def due(self, job, now):
        if job.state in (JobState.SUBMITTED, JobState.VERIFIED):
            return now >= self.m.window_end(job)
        return job.state == JobState.DISPUTED and now >= self.m.arbitration_end(job)

    def disputed(self, job, now):
        return job.state == JobState.DISPUTED

    def _pick_job(self, pick: int, predicate: str):
        """A job `predicate` holds for; one pick in eight is any job or an unknown id (None)."""
        now = chain.time()
        candidates = [job for job in self.m.jobs.values() if getattr(self, predicate)(job, now)]
        if candidates and pick % 8 != 7:
            return candidates[(pick // 8) % len(candidates)]
        pool = [*self.m.jobs.values(), None]
        return pool[(pick // 8) % len(pool)]

    def _actor(self, pick: int, right):
        """`right` (an address), or one pick in eight someone else who may try the action."""
        if right is not None and pick % 8 != 7:
            return self.accounts[right]
        pool = [self.w.stranger, *self.w.buyers, *self.w.providers]
        return pool[(pick // 8) % len(pool)]

    def _provider(self, pick: int, suits) -> str:
        """A provider `suits`, or one pick in eight (or when none suits) any provider."""
        suited = [p.address for p in self.w.providers if suits(p.address)]
        if suited and pick % 8 != 7:
            return suited[(pick // 8) % len(suited)]
        return self.w.providers[pick % len(self.w.providers)].address

    def _job_id(self, job) -> int:
        return job.job_id if job is not None else self.m.job_count + 1

    def _unknown(self, job) -> str | None:
        return revert_message("JobMarketUnknownJob", self.m.job_count + 1) if job is None else None

    # ------------------------------------------------------------ staking

    @step(
        repeat=False,
        action=st.sampled_from(["stake", "unstake", "unstake", "withdraw"]),
        who=PICK,
        percent=st.integers(0, 63),
    )
    def manage_stake(self, action, who, percent):
        """A provider stakes up to 60% of its wallet, asks to unstake up to 60% of its free stake
        (61-63: 1-3 units more than is free), or withdraws what has ended unbonding."""
        if action == "stake":
            self._stake(self.w.providers[who % 3], min(percent, 60))
        elif action == "unstake":
            self._request_unstake(self.w.providers[who % 3], percent)
        else:
            self._withdraw(who)

    def _stake(self, provider, percent):
        amount = self.m.wallets[(provider.address, self.gmkt)] * percent // 100
        error = self.m.stake_error(provider.address, amount)
        if error:
            return self._expect_revert(error, self.w.registry.stake, amount, sender=provider)
        tx = self._send(self.w.registry.stake, amount, sender=provider)
        self.m.stake(provider.address, amount, self.gmkt)
        assert tx.events["Staked"]["amount"] == amount
        self._check_effects(tx)

    def _request_unstake(self, provider, percent):
        free = self.m.providers[provider.address].free
        amount = free * percent // 100 if percent <= 60 else free + percent - 60
        error = self.m.unstake_error(provider.address, amount)
        if error:
            return self._expect_revert(
                error, self.w.registry.requestUnstake, amount, sender=provider
            )
        tx = self._send(self.w.registry.requestUnstake, amount, sender=provider)
        release_at = self.m.request_unstake(provider.address, amount, tx.timestamp)
        assert tx.events["UnstakeRequested"]["releaseAt"] == release_at
        self._check_effects(tx)

    def _withdraw(self, who):
        now = chain.time()
        address = self._provider(who, lambda p: self.m.withdraw_error(p, now) is None)
        provider = self.accounts[address]
        error = self.m.withdraw_error(provider.address, now)
        if error:
            return self._expect_revert(error, self.w.registry.withdraw, sender=provider)
        entries_before = self.entries_seen[provider.address]
        tx = self._send(self.w.registry.withdraw, sender=provider)
        amount = self.m.withdraw(provider.address, tx.timestamp, self.gmkt)
        # S3: exactly the entries whose unbonding had ended on chain were paid, nothing earlier.
        ended = sum(amount for amount, release_at in entries_before if release_at <= tx.timestamp)
        assert tx.events["Withdrawn"]["amount"] == amount == ended
        self._check_effects(tx)

    @step(when=someone_unbonding, repeat=False, who=PICK, percent=st.integers(0, 63), caller=PICK)
    def slash(self, who, percent, caller):
        """The slasher (standing in for the benchmark registry) takes up to 30% of what a
        provider can lose, preferring one with unbonding stake; 61-63 ask for more than all of
        it. One call in four comes from an account without the role and must revert (S4)."""
        address = self._provider(who, lambda p: bool(self.m.providers[p].entries))
        slashable = self.m.providers[address].slashable
        amount = slashable * percent // 200 if percent <= 60 else slashable + percent - 60
        # Any id: the slasher holds no collateral lock, so no job's collateral can be taken.
        lock_id = caller % (self.m.job_count + 2)
        w = self.w
        sender = w.slasher
        if caller % 4 == 3:
            outsiders = [w.stranger, w.arbiter, w.oracles[0], w.treasury, *w.buyers, *w.providers]
            sender = outsiders[(caller // 4) % len(outsiders)]
        args = (address, amount, w.stranger, lock_id)
        if sender != w.slasher:
            role = bytes(w.registry.SLASHER_ROLE())
            error = revert_message("AccessControlUnauthorizedAccount", sender.address, role)
        else:
            error = self.m.stake_error(address, amount)  # the same zero-amount check
        if error:
            return self._expect_revert(error, w.registry.slash, *args, sender=sender)
        tx = self._send(w.registry.slash, *args, sender=sender)
        self.m.slash(address, amount, w.stranger.address, lock_id, None, tx.timestamp, self.gmkt)
        self._check_effects(tx)

    # ------------------------------------------------------------ posting and matching

    @step(when=few_open_jobs, repeat=False, direct=st.booleans(), provider=PICK, **POST_ARGS)
    def post_job(
        self, direct, provider, buyer, token, variant, gpus, duration, price_ppm, dust, bidding
    ):
        """An open auction, or a direct assignment to a provider that can serve it (one pick in
        eight: to any provider)."""
        buyer = self.w.buyers[buyer]
        token = self.w.tokens[token]
        spec = JobSpec(**{"gpu_count": gpus, "duration": duration, **SPEC_VARIANTS[variant]})
        max_price = price_ppm * self.units[token.address] // 10**6 + dust
        if spec.gpu_count:
            # Handler style: the buyer never offers more than its wallet can escrow.
            wallet = self.m.wallets[(buyer.address, token.address)]
            max_price = min(max_price, wallet * HOUR // (spec.gpu_count * spec.duration))
        if direct:
            now = chain.time()
            direct = self._provider(
                provider, lambda p: self.m.can_serve(spec, buyer.address, p, now)
            )
        else:
            direct = None
        args = (spec.as_tuple(), token, max_price, bidding, direct or ZERO_ADDRESS)
        error = self.m.post_error(buyer.address, spec, max_price, bidding)
        if error:
            return self._expect_revert(error, self.w.market.postJob, *args, sender=buyer)
        tx = self._send(self.w.market.postJob, *args, sender=buyer)
        job = self.m.post(
            buyer.address, token.address, spec, max_price, bidding, direct, tx.timestamp
        )
        posted = tx.events["JobPosted"]
        assert (posted["jobId"], posted["deposit"], posted["provider"]) == (
            job.job_id,
            job.deposit,
            direct or ZERO_ADDRESS,
        )
        self._check_effects(tx)

    @step(
        when=AUCTION_OPEN,
        pick=PICK,
        who=PICK,
        percent=st.integers(0, 105),
    )
    def bid(self, pick, who, percent):
        now = chain.time()
        job = self._pick_job(pick, "biddable")
        if job is None:
            address, price = self.w.providers[who % 3].address, 1
        else:
            address = self._provider(who, lambda p: self.m.eligible(job, p, now))
            price = job.max_price * percent // 100
        provider = self.accounts[address]
        args = (self._job_id(job), price)
        error = (
            self.m.pause_error() or self._unknown(job) or self.m.bid_error(job, address, price, now)
        )
        if error:
            return self._expect_revert(error, self.w.market.bid, *args, sender=provider)
        tx = self._send(self.w.market.bid, *args, sender=provider)
        evicted = self.m.bid(job, address, price)
        assert tx.events["BidPlaced"]["price"] == price
        # A full book (the machine's cap is 2 bids) takes a lower bid in place of its worst.
        assert [e["provider"] for e in self._events(tx, "BidEvicted", self.w.market)] == (
            [evicted] if evicted else []
        )
        self.tally["bids evicting the worst"] += evicted is not None
        on_chain = [(b["provider"], b["price"]) for b in self.w.market.bidsOf(args[0])]
        assert on_chain == [(a, b.price) for a, b in job.bids.items()]
        self._check_effects(tx)

    @step(when=BIDS_WAITING, pick=PICK, who=PICK)
    def accept_bid(self, pick, who):
        now = chain.time()
        job = self._pick_job(pick, "has_bids")
        caller = self._actor(who, job.buyer if job else None)
        bids = job.bids if job else {}
        provider = self._provider(who // 8, lambda p: p in bids)
        args = (self._job_id(job), provider)
        error = (
            self.m.pause_error()
            or self._unknown(job)
            or self.m.accept_bid_error(job, caller.address, provider, now)
        )
        if error:
            return self._expect_revert(error, self.w.market.acceptBid, *args, sender=caller)
        tx = self._send(self.w.market.acceptBid, *args, sender=caller)
        self._match(tx, job, provider, job.bids[provider].price)

    @step(when=BIDS_WAITING, pick=PICK, walk=st.integers(0, 2))
    def close_auction(self, pick, walk):
        """Anyone closes an auction; one close in three, its lowest bidder first walks away
        (unbonds all its free stake), so that the close takes its forfeit."""
        job = self._pick_job(pick, "closable")
        if walk == 0 and job is not None and job.state == JobState.OPEN and job.bids:
            self._walk_away(self.m.lowest_bid(job))
        now = chain.time()
        args = (self._job_id(job),)
        error = self.m.pause_error() or self._unknown(job) or self.m.close_auction_error(job, now)
        if error:
            return self._expect_revert(
                error, self.w.market.closeAuction, *args, sender=self.w.stranger
            )
        walker = self.m.walked_away(job, now)
        tx = self._send(self.w.market.closeAuction, *args, sender=self.w.stranger)
        winner = self.m.close_auction(job, tx.timestamp, self.gmkt)
        # A lowest bidder that walked away forfeits to the buyer (the slash is checked with the
        # other effects); with no eligible bid the job is cancelled.
        forfeits = [e["provider"] for e in self._events(tx, "BidForfeited", self.w.market)]
        assert forfeits == ([walker] if walker and self.m.forfeit_for(job) else [])
        self.tally["forfeits of a walked-away lowest bid"] += bool(forfeits)
        if winner is None:
            assert "JobCancelled" in tx.events and "JobMatched" not in tx.events
            self._check_effects(tx)
            return
        self._check_matched(tx, job, *winner)

    def _walk_away(self, address: str) -> None:
        free = self.m.providers[address].free
        if free == 0 or self.m.unstake_error(address, free) is not None:
            return
        tx = self._send(self.w.registry.requestUnstake, free, sender=self.accounts[address])
        self.m.request_unstake(address, free, tx.timestamp)
        self._check_effects(tx)
        self.tally["lowest bidders walking away"] += 1

    @step(when=DIRECT_OPEN, pick=PICK, who=PICK)
    def accept_job(self, pick, who):
        now = chain.time()
        job = self._pick_job(pick, "acceptable")
        caller = self._actor(who, job.provider if job else None)
        args = (self._job_id(job),)
        error = (
            self.m.pause_error()
            or self._unknown(job)
            or self.m.accept_job_error(job, caller.address, now)
        )
        if error:
            return self._expect_revert(error, self.w.market.acceptJob, *args, sender=caller)
        tx = self._send(self.w.market.acceptJob, *args, sender=caller)
        self._match(tx, job, caller.address, job.max_price)

    def _match(self, tx, job, provider: str, price: int) -> None:
        self.m.match(job, provider, price, tx.timestamp)
        self._check_matched(tx, job, provider, price)

    def _check_matched(self, tx, job, provider: str, price: int) -> None:
        self._check_opened(tx, [job.challenge_id] if job.challenge_id else [])
        matched = tx.events["JobMatched"]
        assert (matched["provider"], matched["price"], matched["value"], matched["collateral"]) == (
            provider,
            price,
            job.escrow,
            job.collateral,
        )
        self._check_effects(tx)

    @step(when=ANY_OPEN, pick=PICK, who=PICK)
    def cancel(self, pick, who):
        now = chain.time()
        job = self._pick_job(pick, "stale")
        caller = self._actor(who, job.buyer if job else None)
        args = (self._job_id(job),)
        error = self._unknown(job) or self.m.cancel_error(job, caller.address, now)
        if error:
            return self._expect_revert(error, self.w.market.cancel, *args, sender=caller)
        tx = self._send(self.w.market.cancel, *args, sender=caller)
        self.m.cancel(job)
        self._check_effects(tx)

    # ------------------------------------------------------------ results and settlement

    @step(when=ANY_RUNNING, pick=PICK, who=PICK)
    def submit_result(self, pick, who):
        now = chain.time()
        job = self._pick_job(pick, "running")
        caller = self._actor(who, job.provider if job else None)
        args = (self._job_id(job), RESULT_HASH, RESULT_URI)
        error = self._unknown(job) or self.m.submit_error(job, caller.address, now)
        if error:
            return self._expect_revert(error, self.w.market.submitResult, *args, sender=caller)
        tx = self._send(self.w.market.submitResult, *args, sender=caller)
        self.m.submit(job, tx.timestamp)
        self._check_effects(tx)

    @step(
        when=ANY_AWAITING_SETTLEMENT,
        pick=PICK,
    )
    def finalize(self, pick):
        self._finalize(self._pick_job(pick, "due"))

    @step(when=ANY_DISPUTED, repeat=False, pick=PICK)
    def silent_arbiter(self, pick):
        """The arbiter never rules on a disputed job: time moves past its arbitration end (the
        other jobs' clocks move with it) and anyone settles it under the timeout rule."""
        job = self._pick_job(pick, "disputed")
        if job is None or job.state != JobState.DISPUTED:
            return self._finalize(job)
        now = chain.time()
        self._advance(max(0, self.m.arbitration_end(job) + TIME_MARGIN + 1 - now))
        self._finalize(job)

    def _finalize(self, job):
        now = chain.time()
        args = (self._job_id(job),)
        error = self._unknown(job) or self.m.finalize_error(job, now)
        if error:
            return self._expect_revert(error, self.w.market.finalize, *args, sender=self.w.stranger)
        tx = self._send(self.w.market.finalize, *args, sender=self.w.stranger)
        value = job.escrow
        forfeit = 0
        if job.state == JobState.DISPUTED:
            self.tally["finalize after arbitration timeout"] += 1
            forfeit = self.m.arbitration_forfeit(job.bond, value)
            timed_out = self._events(tx, "ArbitrationTimedOut", self.w.market)
            assert [(e["jobId"], e["forfeit"]) for e in timed_out] == [(job.job_id, forfeit)]
        else:
            assert "ArbitrationTimedOut" not in tx.events
        self.m.finalize(job)
        settled = tx.events["JobSettled"]
        assert (settled["payout"], settled["fee"]) == (
            job.paid[Payout.PROVIDER],
            job.paid[Payout.FEE],
        ) and settled["payout"] + settled["fee"] + forfeit == value
        assert job.paid[Payout.FORFEIT] == forfeit
        self._check_effects(tx)

    @step(when=ANY_RUNNING, pick=PICK)
    def claim_timeout(self, pick):
        now = chain.time()
        job = self._pick_job(pick, "overdue")
        args = (self._job_id(job),)
        error = self._unknown(job) or self.m.timeout_error(job, now)
        if error:
            return self._expect_revert(
                error, self.w.market.claimTimeout, *args, sender=self.w.stranger
            )
        tx = self._send(self.w.market.claimTimeout, *args, sender=self.w.stranger)
        refund = job.escrow
        self.m.claim_timeout(job, tx.timestamp, self.gmkt)
        failed = self._events(tx, "JobFailed", self.w.market)[0]
        assert (failed["refund"], failed["slashed"]) == (refund, job.collateral)
        self._check_effects(tx)

    # ------------------------------------------------------------ disputes

    @step(when=ANY_IN_DISPUTE_WINDOW, pick=PICK, who=PICK)
    def dispute(self, pick, who):
        now = chain.time()
        job = self._pick_job(pick, "disputable")
        caller = self._actor(who, job.buyer if job else None)
        args = (self._job_id(job),)
        error = self._unknown(job) or self.m.dispute_error(job, caller.address, now)
        if error:
            return self._expect_revert(error, self.w.market.dispute, *args, sender=caller)
        if self.m.wallets[(caller.address, job.token)] < self.m.bond_for(job):
            self.tally["dispute skipped: bond unaffordable"] += 1
            return None
        tx = self._send(self.w.market.dispute, *args, sender=caller)
        bond = self.m.dispute(job, tx.timestamp)
        assert tx.events["DisputeOpened"]["bond"] == bond
        self._check_effects(tx)

    @step(
        when=ANY_DISPUTED,
        pick=PICK,
        provider_at_fault=st.booleans(),
        who=PICK,
    )
    def resolve_dispute(self, pick, provider_at_fault, who):
        job = self._pick_job(pick, "disputed")
        caller = self.w.arbiter if who % 8 != 7 else self.w.stranger
        args = (self._job_id(job), provider_at_fault)
        if caller != self.w.arbiter:
            role = bytes(self.w.market.ARBITER_ROLE())
            error = revert_message("AccessControlUnauthorizedAccount", caller.address, role)
        else:
            error = self._unknown(job) or self.m.resolve_error(job)
        if error:
            return self._expect_revert(error, self.w.market.resolveDispute, *args, sender=caller)
        tx = self._send(self.w.market.resolveDispute, *args, sender=caller)
        self.m.resolve(job, provider_at_fault, tx.timestamp, self.gmkt)
        self.tally[f"resolved: {'provider' if provider_at_fault else 'buyer'} at fault"] += 1
        assert tx.events["DisputeResolved"]["providerAtFault"] == provider_at_fault
        self._check_effects(tx)

    # ------------------------------------------------------------ the oracle council

    def _subject(self, pick: int):
        """A subject to vote on: a submitted job or a pending attestation; one pick in eight any
        job, any attestation, or an id nothing stands behind."""
        now = chain.time()
        jobs = [j.job_id for j in self.m.jobs.values() if self.awaiting_verdict(j, now)]
        if jobs and pick % 4 != 3:
            return jobs[(pick // 8) % len(jobs)]
        plausible = jobs + [
            ATTESTATION_FLAG | c.challenge_id
            for c in self.m.challenges.values()
            if c.subject == 0 and c.state in (ChallengeState.OPEN, ChallengeState.COMMITTED)
        ]
        if plausible and pick % 8 != 7:
            return plausible[(pick // 8) % len(plausible)]
        pool = [
            *self.m.jobs,
            *(ATTESTATION_FLAG | c for c in self.m.challenges),
            self.m.job_count + 1,
            ATTESTATION_FLAG | (self.m.challenge_count + 1),
        ]
        return pool[(pick // 8) % len(pool)]

    def _voter(self, pick: int, subject: int):
        """A current member that has not voted on `subject` yet (handler style, so that counts
        reach the quorum); one pick in eight any oracle candidate or the stranger, one in eight
        any member."""
        if pick % 8 == 7:
            pool = [*self.w.oracles, self.w.stranger]
            return pool[(pick // 8) % len(pool)]
        members = self.council.config.members
        tally = self.council.tally(subject)
        if tally.version == self.council.version and pick % 8 != 6:
            voted = tally.okVoters | tally.failVoters
            members = [m for k, m in enumerate(members) if not voted >> k & 1] or members
        return self.accounts[members[(pick // 8) % len(members)]]

    def _apply_verdict(self, subject: int, now: int) -> bool:
        """The council's callback for a final verdict; returns whether it was applied."""
        tally = self.council.tally(subject)
        ok = tally.verdict == Verdict.OK
        council = self.w.council.address
        if subject & ATTESTATION_FLAG:
            challenge = self.m.challenges.get(subject ^ ATTESTATION_FLAG)
            applied = challenge is not None and self.m.attestation_error(challenge, ok) is None
            if applied:
                self.m.record_attestation(challenge, ok, tally.tops, now, self.gmkt)
                self.tally[f"attestation {'passed' if ok else 'failed'}"] += 1
        else:
            job = self.m.jobs.get(subject)
            applied = job is not None and self.m.verdict_error(job, council, council, now) is None
            if applied:
                self.m.verdict(job, ok, now, self.gmkt)
                self.tally[f"verdict {'ok' if ok else 'fail'}"] += 1
        if applied:
            self.council.applied(subject)
        else:
            self.tally["verdict not applied"] += 1
        return applied

    def _check_votes(self, tx, version: int, cast: list, skipped: list, finals: list) -> None:
        """VoteCast, VoteSkipped, VerdictReached and CallbackFailed are exactly the model's, and
        the applied verdicts' payouts and slashes too."""
        council = self.w.council
        assert [
            (e["subject"], e["member"], e["version"], e["verdict"], e["measuredTops"])
            for e in self._events(tx, "VoteCast", council)
        ] == [
            (subject, tx.sender.address, version, verdict, tops) for subject, verdict, tops in cast
        ]  # noqa: E501
        assert [e["subject"] for e in self._events(tx, "VoteSkipped", council)] == skipped
        applied = {subject: self._apply_verdict(subject, tx.timestamp) for subject in finals}
        reached = [plain(dict(e)) for e in self._events(tx, "VerdictReached", council)]
        expected = []
        for subject in finals:
            tally = self.council.tally(subject)
            expected.append(
                {
                    "subject": subject,
                    "version": version,
                    "verdict": tally.verdict,
                    "tops": tally.tops,
                    "applied": applied[subject],
                }
            )
            self.verdict_events[subject] += 1
        assert reached == expected
        failed = [e["subject"] for e in self._events(tx, "CallbackFailed", council)]
        assert failed == [subject for subject in finals if not applied[subject]]
        self._check_effects(tx)

    def _council_vote(self, pick, voter, verdict, tops, shift):
        """A member votes on a submitted job or a pending attestation (O1-O4). The vote that
        reaches the quorum calls back into the market or the benchmark registry."""
        return self._vote_on(self._subject(pick), voter, verdict, tops, shift)

    def _vote_on(self, subject, voter, verdict, tops, shift) -> bool:
        """One vote; returns whether it was cast."""
        sender = self._voter(voter, subject)
        version = max(self.council.version + shift, 0)
        args = (subject, version, verdict, tops, EVIDENCE)
        after = copy.deepcopy(self.council)
        try:
            final = after.vote(sender.address, version, subject, verdict, tops)
        except ModelRevert as revert:
            self._expect_revert(str(revert), self.w.council.vote, *args, sender=sender)
            return False
        tx = self._send(self.w.council.vote, *args, sender=sender)
        self.council = after
        self._check_votes(tx, version, [(subject, verdict, tops)], [], [subject] if final else [])
        return True

    def _council_vote_batch(self, picks, voter, verdict, tops, shift):
        """A member votes on several subjects in one batch: subjects already final are skipped,
        a repeated or invalid ballot reverts the whole batch."""
        subjects = [self._subject(pick) for pick in picks]
        if picks[0] % 4 != 0:  # mostly distinct subjects; a repeated one reverts the batch
            subjects = list(dict.fromkeys(subjects))
        # The verdict of each ballot: the drawn one, flipped for every second subject.
        ballots = [
            (s, verdict if k % 2 == 0 or verdict == Verdict.NONE else 3 - verdict, tops + k)
            for k, s in enumerate(subjects)
        ]
        sender = self._voter(voter, subjects[0])
        version = max(self.council.version + shift, 0)
        args = (version, [(s, v, t, EVIDENCE) for s, v, t in ballots])
        after = copy.deepcopy(self.council)
        try:
            skipped, finals, cast = after.vote_batch(sender.address, version, ballots)
        except ModelRevert as revert:
            return self._expect_revert(str(revert), self.w.council.voteBatch, *args, sender=sender)
        tx = self._send(self.w.council.voteBatch, *args, sender=sender, gas=BATCH_GAS)
        self.council = after
        self._check_votes(tx, version, cast, skipped, finals)

    def _reseat_council(self, order, size, quorum, caller):
        """The oracle admin seats a new config (sometimes an invalid one); votes cast under the
        old version stop counting (O4). One call in eight comes from the stranger."""
        w = self.w
        members = [w.oracles[i].address for i in order[:size]]
        if quorum % 6 != 5:  # mostly a valid quorum: more than half, at most all
            quorum = size // 2 + 1 + quorum % (size - size // 2)
        sender = w.governance if caller % 8 != 7 else w.stranger
        if sender != w.governance:
            role = bytes(w.council.ORACLE_ADMIN_ROLE())
            error = revert_message("AccessControlUnauthorizedAccount", sender.address, role)
        else:
            error = self.council.config_error(members, quorum)
        args = (members, quorum)
        if error:
            return self._expect_revert(error, w.council.setConfig, *args, sender=sender)
        tx = self._send(w.council.setConfig, *args, sender=sender)
        self.council.set_config(members, quorum)
        self.votes_since_config = 0
        updated = tx.events["ConfigUpdated"]
        assert (updated["version"], list(updated["members"]), updated["quorum"]) == (
            self.council.version,
            members,
            quorum,
        )

    # ------------------------------------------------------------ benchmark challenges

    def _check_opened(self, tx, challenge_ids: list[int]) -> None:
        """ChallengeOpened matches the model's challenges; their seeds are kept for forgeries."""
        opened = self._events(tx, "ChallengeOpened", self.w.benchmark)
        assert [e["challengeId"] for e in opened] == challenge_ids
        for event in opened:
            c = self.m.challenges[event["challengeId"]]
            assert (
                event["subject"],
                event["provider"],
                event["n"],
                event["steps"],
                event["interval"],
            ) == (c.subject, c.provider, c.n, c.steps, c.interval)
            c.anchor_block = tx.block_number
            self.tally["challenges opened"] += 1

    def _open_attestation(self, who, size):
        """A provider opens a hardware attestation of itself; one call in eight comes from the
        stranger, who needs the opener role."""
        w = self.w
        provider = w.providers[who % 3]
        caller = provider if (who // 3) % 8 != 7 else w.stranger
        n, steps, interval = ATTESTATION_SIZES[size]
        args = (0, provider, n, steps, interval)
        if caller != provider:
            role = bytes(w.benchmark.OPENER_ROLE())
            error = revert_message("AccessControlUnauthorizedAccount", caller.address, role)
        else:
            error = self.m.attestation_open_error(
                provider.address, n, steps, interval, chain.time()
            )
        if error:
            return self._expect_revert(error, w.benchmark.open, *args, sender=caller)
        tx = self._send(w.benchmark.open, *args, sender=caller)
        challenge = self.m.open_challenge(0, provider.address, n, steps, interval, tx.timestamp)
        self._check_opened(tx, [challenge.challenge_id])

    def _forgery(self, challenge) -> tuple[bytes, tuple]:
        """A cheating provider's root: row `r` of X0 forged (zeros), row `r + 1` honest, every
        other leaf empty. Returns the root and (r, forged row, its proof, honest row, its proof)."""
        n, cid = challenge.n, challenge.challenge_id
        row = int.from_bytes(hashlib.sha256(cid.to_bytes(32, "big")).digest()[:4], "big") % n
        honest_row = (row + 1) % n
        assert challenge.seed is not None, "a cheater commits once it knows its seed"
        key = reference.key(challenge.seed, b"X")
        honest = [reference.entry(key, honest_row * n + j) for j in range(n)]
        forged = [0] * n
        leaves = [bytes(32)] * challenge.leaf_count
        leaves[row] = reference.leaf(0, row, forged)
        leaves[honest_row] = reference.leaf(0, honest_row, honest)
        tree = MerkleTree.from_leaves(leaves)
        as_bytes = lambda values: bytes(v & 0xFF for v in values)  # noqa: E731
        return tree.root, (
            row,
            as_bytes(forged),
            tree.proof(row),
            as_bytes(honest),
            tree.proof(honest_row),
        )

    def _commit_benchmark(self, pick, who, cheat):
        """The challenged provider commits its checkpoint root before the window closes, mostly
        once its seed exists (it waits for the block after the opening); a cheating one commits a
        tree with a forged row of X0. The commitment stores the challenge seed if nobody has."""
        now = chain.time()
        candidates = [c for c in self.m.challenges.values() if c.state == ChallengeState.OPEN]
        if pick % 8 != 7:
            candidates = [c for c in candidates if now <= c.commit_deadline] or candidates
        else:
            candidates = list(self.m.challenges.values())
        challenge = candidates[(pick // 8) % len(candidates)]
        caller = self._actor(who, challenge.provider)
        cid = challenge.challenge_id
        if cheat or pick % 5 != 4:
            mine_until(challenge.anchor_block + 1)  # the seed's block: the provider waits for it
        seed = self._seed_of(challenge)
        if cheat and challenge.seed is None and seed is not None:
            challenge.seed = seed  # the cheater builds its tree over the seed it read
            root, forgery = self._forgery(challenge)
            challenge.seed = None
        elif cheat and challenge.seed is not None:
            root, forgery = self._forgery(challenge)
        else:
            root, forgery = hashlib.sha256(b"honest" + cid.to_bytes(32, "big")).digest(), None
        error = self._seed_error(
            lambda block: self.m.commit_error(challenge, caller.address, now, block)
        )
        if error:
            return self._expect_revert(error, self.w.benchmark.commit, cid, root, sender=caller)
        tx = self._send(self.w.benchmark.commit, cid, root, sender=caller)
        stored = self.m.commit(challenge, tx.timestamp, tx.block_number, seed or b"", forgery)
        self.tally[f"commit {'forged' if cheat else 'honest'}"] += 1
        assert bytes(self._events(tx, "ChallengeCommitted", self.w.benchmark)[0]["root"]) == root
        seeded = self._events(tx, "ChallengeSeedStored", self.w.benchmark)
        assert [bytes(e["seed"]) for e in seeded] == ([seed] if stored else [])

    def _seed_of(self, challenge) -> bytes | None:
        """The challenge seed: stored, or keccak256(abi.encode(id, blockhash(openBlock + 1)))
        while that block's hash is in reach of the next transaction (None otherwise)."""
        if challenge.seed is not None:
            return challenge.seed
        block = chain.height + 1
        if seed_block_state(challenge.anchor_block, block) != SeedBlock.READY:
            return None
        return challenge_seed_of(challenge.challenge_id, challenge.anchor_block)

    def _seed_error(self, predict) -> str | None:
        """The model's revert for the next transaction (`predict(block)`), made the one the
        revert check meets: that check is a call in the latest block, one before the
        transaction's, and a seed whose block leaves the window between the two is mined past."""
        error = predict(chain.height + 1)
        if error and predict(chain.height) != error:
            self._mine()
            error = predict(chain.height + 1)
        return error

    def _store_seed(self, pick, who, sampling):
        """Anyone stores a challenge seed (of an OPEN challenge) or a sampling seed (of a
        COMMITTED one): once stored it is only returned; a seed whose block left the blockhash
        window fails the challenge for good (`SeedExpired`), so waiting buys no second draw."""
        wanted = ChallengeState.COMMITTED if sampling else ChallengeState.OPEN
        pool = [c for c in self.m.challenges.values() if c.state == wanted]
        if pick % 8 == 7 or not pool:
            pool = list(self.m.challenges.values())
        challenge = pool[(pick // 8) % len(pool)]
        caller = [self.w.stranger, *self.w.buyers, *self.w.providers][who % 7]
        cid = challenge.challenge_id
        method = (
            self.w.benchmark.storeSamplingSeed if sampling else self.w.benchmark.storeChallengeSeed
        )
        error = self._seed_error(lambda block: self.m.store_seed_error(challenge, sampling, block))
        if error:
            return self._expect_revert(error, method, cid, sender=caller)
        anchor = challenge.anchor_block
        if sampling:
            seed = bytes(web3.eth.get_block(anchor + 1)["hash"]) if chain.height > anchor else b""
        else:
            seed = self._seed_of(challenge) or b""
        tx = self._send(method, cid, sender=caller)
        outcome = self.m.store_seed(
            challenge, sampling, tx.block_number, seed, tx.timestamp, self.gmkt
        )
        self.tally[f"{'sampling' if sampling else 'challenge'} seed {outcome.value}"] += 1
        benchmark = self.w.benchmark
        stored = self._events(
            tx, "SamplingSeedStored" if sampling else "ChallengeSeedStored", benchmark
        )
        expired = self._events(tx, "SeedExpired", benchmark)
        if outcome == SeedStore.STORED:
            assert [bytes(e["samplingSeed" if sampling else "seed"]) for e in stored] == [seed]
            assert bytes(tx.return_value) == seed
        else:
            assert stored == []
        if outcome == SeedStore.EXPIRED:
            assert [(e["challengeId"], e["seedBlock"]) for e in expired] == [(cid, anchor + 1)]
            assert bytes(tx.return_value) == bytes(32)
            self.tally["attestation bond slashed by an expired seed"] += challenge.subject == 0
        else:
            assert expired == []
        self._check_effects(tx)

    def _wait_out_blockhash(self):
        """257 blocks pass in no time: every seed not stored by now has left blockhash's reach
        (a provider who dislikes its samples waits; nobody stores them)."""
        web3.provider.make_request("anvil_mine", [hex(BLOCKHASH_WINDOW + 1), hex(0)])
        self.last_block_ts = web3.eth.get_block("latest")["timestamp"]
        self.tally["blockhash window waited out"] += 1

    def _prove_fraud(self, pick, who, mode):
        """Anyone proves a forged row against a committed root: a job's fraud fails the job (its
        collateral slashed as on any failure, its fraud bounty to the prover), an attestation's
        costs its bond, before or after a pass (which then loses its TOPS). Honest rows, wrong
        proofs, rows out of range and rows of the wrong length revert."""
        committed = [c for c in self.m.challenges.values() if c.state in PROVABLE]
        forged = [c for c in committed if c.forgery is not None]
        pool = (forged or committed) if pick % 8 != 7 else list(self.m.challenges.values())
        challenge = pool[(pick // 8) % len(pool)]
        prover = [self.w.stranger, *self.w.buyers][who % 4]
        n = challenge.n
        if challenge.forgery is not None:
            row, forged_values, proof, honest_values, honest_proof = challenge.forgery
        else:  # a proof that cannot match the honest provider's root
            row, forged_values = 0, bytes(n)
            proof = [bytes(32)] * tree_depth(challenge.leaf_count)
            honest_values, honest_proof = forged_values, proof
        values, proven, honest = forged_values, challenge.forgery is not None, False
        if mode == "honest":
            row, values, proof, honest = (row + 1) % n, honest_values, honest_proof, True
        elif mode == "bad proof":
            proof, proven = honest_proof, False
        elif mode == "out of range":
            row += n
        elif mode == "length":
            values = values + b"\x00"
        cid = challenge.challenge_id
        args = (cid, row, values, proof)
        error = self.m.fraud_error(challenge, row, len(values), proven, honest)
        if error:
            return self._expect_revert(error, self.w.benchmark.proveFraud, *args, sender=prover)
        tx = self._send(self.w.benchmark.proveFraud, *args, sender=prover)
        job = self.m.jobs.get(challenge.subject)
        refund = job.escrow if job else 0
        passed = challenge.state == ChallengeState.PASSED
        self.m.prove_fraud(challenge, prover.address, tx.timestamp, self.gmkt)
        self.tally[f"fraud proven on {'a job' if job else 'an attestation'}"] += 1
        self.tally["fraud proven after a pass"] += passed
        fraud = self._events(tx, "FraudProven", self.w.benchmark)[0]
        assert (fraud["challengeId"], fraud["prover"], fraud["row"], fraud["slashed"]) == (
            cid,
            prover.address,
            row,
            sum(s.amount for s in self.m.slashes),
        )
        if job:
            failed = self._events(tx, "JobFailed", self.w.market)[0]
            # The collateral as on any failure, and the fraud bounty the match locked beside it.
            assert (failed["refund"], failed["slashed"]) == (refund, job.collateral + job.bounty)
            self.tally["fraud bounty paid"] += job.bounty > 0
        self._check_effects(tx)

    @step(
        when=something_to_judge,
        action=st.sampled_from(["vote"] * 3 + ["batch"] * 2 + ["reseat"]),
        pick=PICK,
        picks=st.lists(PICK, min_size=1, max_size=4),
        voter=PICK,
        verdict=VERDICTS,
        tops=st.integers(0, 2_000),
        shift=VERSION_SHIFTS,
        order=st.permutations(range(5)),
        size=st.integers(1, 5),
        quorum=st.integers(0, 5),
    )
    def council(self, action, pick, picks, voter, verdict, tops, shift, order, size, quorum):
        """The oracle council: a member votes on one subject or a batch, or the oracle admin
        seats a new config (at most once per VOTES_PER_CONFIG votes)."""
        if action == "reseat" and council_may_rotate(self):
            self.action = "reseat_council"
            return self._reseat_council(order, size, quorum, caller=voter)
        self.votes_since_config += 1
        if action == "batch":
            self.action = "council_vote_batch"
            return self._council_vote_batch(picks, voter, verdict, tops, shift)
        self.action = "council_vote"
        return self._council_vote(pick, voter, verdict, tops, shift)

    @step(
        when=ANY_SUBMITTED,
        pick=PICK,
        voter=PICK,
        verdict=VERDICTS,
        tops=st.integers(0, 2_000),
    )
    def judge_job(self, pick, voter, verdict, tops):
        """The oracles judge a submitted job: members that have not voted yet vote `verdict`
        under the current config, one after another, until the verdict is final (or a vote is
        refused). The oracles' main work, so it gets a rule of its own beside `council`."""
        self.action = "council_vote"
        subject = self._subject(pick - pick % 4)
        for k in range(self.council.config.quorum):
            self.votes_since_config += 1
            if not self._vote_on(subject, voter + 8 * k, verdict, tops, 0):
                break
            if self.council.tally(subject).verdict != Verdict.NONE:
                break

    @step(
        when=lambda machine: (
            pending_attestations(machine) < MAX_PENDING_ATTESTATIONS
            or ANY_CHALLENGE_OPEN(machine)
            or ANY_CHALLENGE_COMMITTED(machine)
        ),
        action=st.sampled_from(
            ["open", "commit", "commit", "fraud", "fraud", "seed", "seed", "wait", "release"]
        ),
        pick=PICK,
        who=PICK,
        size=st.integers(0, len(ATTESTATION_SIZES) - 1),
        cheat=st.booleans(),
        mode=FRAUD_MODES,
    )
    def benchmark(self, action, pick, who, size, cheat, mode):
        """PoGEMM challenges: a provider opens an attestation of itself or commits a root (honest
        or forged) for a job's or an attestation's challenge, anyone proves a fraud or stores a
        seed (`cheat`: the sampling seed), the blockhash window passes, or anyone releases an
        attestation's bond."""
        available = {
            "commit": ANY_CHALLENGE_OPEN(self),
            "fraud": ANY_CHALLENGE_COMMITTED(self) or ANY_CHALLENGE_PASSED(self),
            "open": pending_attestations(self) < MAX_PENDING_ATTESTATIONS,
            "seed": bool(self.m.challenges),
            "wait": bool(self.m.challenges),
            "release": bool(self.m.challenges),
        }
        now = chain.time()
        likely = {  # what can succeed: a commit in time, a fraud on a forged root
            "commit": any(
                c.state == ChallengeState.OPEN and now <= c.commit_deadline
                for c in self.m.challenges.values()
            ),
            "fraud": any(
                c.state in PROVABLE and c.forgery is not None for c in self.m.challenges.values()
            ),
            "open": available["open"],
            "seed": ANY_CHALLENGE_OPEN(self) or ANY_CHALLENGE_COMMITTED(self),
            # Rarely: a wait fails every challenge whose seed nobody stored.
            "wait": pick % 16 == 0,
            "release": any(
                (after := self.m.bond_releasable_after(c)) is not None and now > after
                for c in self.m.challenges.values()
            ),
        }
        # Mostly an action likely to succeed; one pick in four anything possible.
        for options in ([likely] if pick % 4 != 0 else []) + [available]:
            if options[action]:
                break
            choice = next((name for name, ok in options.items() if ok), None)
            if choice is not None:
                action = choice
                break
        if action == "open":
            self.action = "open_attestation"
            return self._open_attestation(who, size)
        if action == "commit":
            self.action = "commit_benchmark"
            return self._commit_benchmark(pick, who, cheat)
        if action == "seed":
            self.action = "store_seed"
            return self._store_seed(pick, who, cheat)
        if action == "wait":
            self.action = "wait_out_blockhash"
            return self._wait_out_blockhash()
        if action == "release":
            self.action = "release_bond"
            return self._release_bond(pick, who)
        self.action = "prove_fraud"
        return self._prove_fraud(pick, who, mode)

    def _release_bond(self, pick, who):
        """Anyone releases an attestation's bond once it has nothing left to answer for (its
        TOPS expired, or no verdict came); mostly one that is due, one pick in eight any
        challenge (an early, spent or job one reverts)."""
        now = chain.time()
        due = [
            c
            for c in self.m.challenges.values()
            if (after := self.m.bond_releasable_after(c)) is not None and now > after
        ]
        pool = due if due and pick % 8 != 7 else list(self.m.challenges.values())
        challenge = pool[(pick // 8) % len(pool)]
        caller = [self.w.stranger, *self.w.providers][who % 4]
        cid = challenge.challenge_id
        error = self.m.release_bond_error(challenge, now)
        if error:
            return self._expect_revert(error, self.w.benchmark.releaseBond, cid, sender=caller)
        tx = self._send(self.w.benchmark.releaseBond, cid, sender=caller)
        passed = challenge.state == ChallengeState.PASSED
        released = self.m.release_bond(challenge)
        self.tally[f"bond released after {'a pass' if passed else 'no verdict'}"] += 1
        event = self._events(tx, "BondReleased", self.w.benchmark)[0]
        assert (event["challengeId"], event["provider"], event["amount"]) == (
            cid,
            challenge.provider,
            released,
        )
        self._check_effects(tx)

    # ------------------------------------------------------------ governance

    @step(
        repeat=False,
        action=st.sampled_from(
            ["parameter"] * 6 + ["cap", "bond_min", "credit_min", "pause", "unpause"]
        ),
        which=st.integers(0, len(GOVERNED) - 1),
        fraction=st.integers(0, 1_001),
        caller=PICK,
    )
    def govern(self, action, which, fraction, caller):
        """Governance changes a job term or the collateral rate (1,001: one past its bound), a
        token's minimum dispute bond or minimum credited value (Reputation), or pauses or
        unpauses the market; one call in eight comes from the stranger. A change applies to jobs
        matched from then on (a credited value: to jobs settled from then on): the model keeps
        each matched job's terms, and every later step of those jobs is checked against them."""
        w = self.w
        sender = w.governance if caller % 8 != 7 else w.stranger
        if self.m.paused and action != "pause" and which % 2 == 0:
            action = "unpause"  # a pause stops posting and matching: keep it short
        if action == "parameter":
            self.action = "set_parameter"
            return self._set_parameter(GOVERNED[which], fraction, sender)
        if action == "cap":
            self.action = "set_cap"
            return self._set_cap(CAPPED[which % len(CAPPED)], fraction, sender)
        if action == "bond_min":
            self.action = "configure_token"
            return self._configure_token(which % 2, fraction, sender)
        if action == "credit_min":
            self.action = "set_min_credited_value"
            return self._set_min_credited_value(which % 2, fraction, sender)
        self.action = action
        return self._set_paused(action == "pause", sender)

    def _unauthorized(self, contract, role: str, sender) -> str | None:
        if sender == self.w.governance:
            return None
        role_id = bytes(getattr(contract, role)())
        return revert_message("AccessControlUnauthorizedAccount", sender.address, role_id)

    def _set_parameter(self, name: str, fraction: int, sender):
        low, high = DRAWN[name]
        value = low + (high - low) * fraction // 1_000
        if fraction == 1_001:
            value = self.m.bounds(name)[1] + 1
        market = self.w.market
        args = (name32(name), value)
        error = self._unauthorized(market, "GOVERNOR_ROLE", sender) or (
            self.m.set_parameter_error(name, value)
        )
        if error:
            return self._expect_revert(error, market.setParameter, *args, sender=sender)
        tx = self._send(market.setParameter, *args, sender=sender)
        self.m.set_parameter(name, value)
        assert tx.events["ParameterUpdated"]["value"] == value
        assert ("TermsVersioned" in tx.events) == (name in TERM_NAMES)
        self.tally[f"set {name}"] += 1

    def _set_cap(self, name: str, fraction: int, sender):
        """Governance sets a benchmark cap on the registry (1,001: one past its upper bound); it
        applies to every challenge opened from then on, posted jobs' matches included."""
        low, high = CAP_DRAWN[name]
        value = low + (high - low) * fraction // 1_000
        if fraction == 1_001:
            value = self.m.cap_bounds(name)[1] + 1
        benchmark = self.w.benchmark
        args = (name32(name), value)
        error = self._unauthorized(benchmark, "GOVERNOR_ROLE", sender) or (
            self.m.set_cap_error(name, value)
        )
        if error:
            return self._expect_revert(error, benchmark.setParameter, *args, sender=sender)
        tx = self._send(benchmark.setParameter, *args, sender=sender)
        self.m.set_cap(name, value)
        assert tx.events["ParameterUpdated"]["value"] == value
        self.tally[f"set {name}"] += 1

    def _configure_token(self, index: int, fraction: int, sender):
        token = self.w.tokens[index]
        bond_min = fraction * self.units[token.address] // 20  # up to 50 tokens
        args = (token, True, bond_min)
        error = self._unauthorized(self.w.market, "GOVERNOR_ROLE", sender)
        if error:
            return self._expect_revert(error, self.w.market.configureToken, *args, sender=sender)
        tx = self._send(self.w.market.configureToken, *args, sender=sender)
        self.m.configure_token(token.address, bond_min)
        assert "TermsVersioned" in tx.events

    def _set_min_credited_value(self, index: int, fraction: int, sender):
        """Reputation's minimum for a token, from 0 (nothing credited) up to 10 tokens."""
        token = self.w.tokens[index]
        value = fraction * self.units[token.address] // 100
        reputation = self.w.reputation
        args = (token, value)
        error = self._unauthorized(reputation, "GOVERNOR_ROLE", sender)
        if error:
            return self._expect_revert(error, reputation.setMinCreditedValue, *args, sender=sender)
        tx = self._send(reputation.setMinCreditedValue, *args, sender=sender)
        self.m.set_min_credited_value(token.address, value)
        assert tx.events["ParameterUpdated"]["value"] == value
        self.tally["set minCreditedValue"] += 1

    def _set_paused(self, paused: bool, sender):
        method = self.w.market.pause if paused else self.w.market.unpause
        error = self._unauthorized(self.w.market, "PAUSER_ROLE", sender) or (
            self.m.set_paused_error(paused)
        )
        if error:
            return self._expect_revert(error, method, sender=sender)
        self._send(method, sender=sender)
        self.m.set_paused(paused)

    # ------------------------------------------------------------ time

    @step(
        repeat=False,
        # Minutes and hours twice as often as days: days-long sleeps time out running jobs.
        seconds=st.one_of(
            st.integers(60, HOUR),
            st.integers(60, HOUR),
            st.integers(HOUR, DAY),
            st.integers(HOUR, DAY),
            st.integers(DAY, 15 * DAY),
        ),
    )
    def sleep(self, seconds):
        self._advance(seconds)
        self.tally["sleep ok"] += 1

    # ------------------------------------------------------------ invariants

    @invariant()
    def chain_matches_model(self):
        self.tally["invariant checks"] += 1
        with self.noting_failures():
            self._chain_matches_model()

    def _chain_matches_model(self):
        w, m = self.w, self.m
        reads = ChainReads()
        token_reads = {
            t.address: (
                reads.add(w.market.escrowedTotal, t),
                reads.add(w.market.claimableTotal, t),
                reads.add(t.balanceOf, w.market),
                {h.address: reads.add(t.balanceOf, h) for h in w.wallet_holders},
            )
            for t in w.tokens
        }
        registry_reads = (
            reads.add(w.gmkt.balanceOf, w.registry),
            reads.add(w.registry.totalStaked),
            reads.add(w.registry.totalUnbonding),
        )
        provider_reads = {
            p: (
                reads.add(w.registry.providerInfo, p),
                reads.add(w.registry.slashable, p),
                reads.add(w.registry.unbondingEntries, p),
                reads.add(w.reputation.providerRecord, p),
            )
            for p in m.providers
        }
        buyer_reads = {b: reads.add(w.reputation.buyerRecord, b) for b in m.buyers}
        job_count_read = reads.add(w.market.jobCount)
        job_reads = {job_id: reads.add(w.market.jobOf, job_id) for job_id in m.jobs}
        # The derived views of every job still open: its deadlines, bond and lock follow the
        # terms it was matched under (before the match, the current ones).
        view_reads = {
            job.job_id: tuple(
                reads.add(view, job.job_id)
                for view in (
                    w.market.resultDeadlineOf,
                    w.market.windowEndOf,
                    w.market.arbitrationEndOf,
                    w.market.disputeBondOf,
                    w.market.collateralOf,
                )
            )
            for job in m.jobs.values()
            if job.state in OPEN_STATES
        }
        # E5: a running job past its result deadline can be failed by anyone, a stranger included.
        overdue = [
            job.job_id
            for job in m.jobs.values()
            if job.state == JobState.RUNNING and m.result_deadline(job) < self.last_block_ts
        ]
        timeout_reads = {
            job_id: reads.add(w.market.claimTimeout, job_id, sender=w.stranger.address)
            for job_id in overdue
        }
        council = w.council
        council_reads = (
            reads.add(council.configVersion),
            reads.add(council.quorum),
            reads.add(council.members),
        )
        tally_reads = {
            subject: reads.add(council.tallyOf, subject) for subject in self.council.tallies
        }
        voted_reads = {
            (subject, oracle.address): reads.add(council.hasVoted, subject, oracle.address)
            for subject, tally in self.council.tallies.items()
            if tally.verdict == Verdict.NONE
            for oracle in w.oracles
        }
        challenge_count_read = reads.add(w.benchmark.challengeCount)
        cap_reads = {cap: reads.add(getattr(w.benchmark, cap)) for cap in m.caps}
        challenge_reads = {cid: reads.add(w.benchmark.challengeOf, cid) for cid in m.challenges}
        values = reads.run()
        self._check_council(values, council_reads, tally_reads, voted_reads)
        assert values[challenge_count_read] == m.challenge_count
        assert {cap: values[index] for cap, index in cap_reads.items()} == m.caps
        for cid, index in challenge_reads.items():
            c, on_chain = m.challenges[cid], values[index]
            assert (
                on_chain["provider"],
                ChallengeState(on_chain["state"]),
                on_chain["subject"],
                on_chain["openedAt"],
                on_chain["commitDeadline"],
                on_chain["committedAt"],
                on_chain["verifiedTops"],
                on_chain["anchorBlock"],
                bytes(on_chain["seed"]),
                bytes(on_chain["samplingSeed"]) != bytes(32),
                on_chain["passedAt"],
                on_chain["bond"],
            ) == (
                c.provider,
                c.state,
                c.subject,
                c.opened_at,
                c.commit_deadline,
                c.committed_at,
                c.verified_tops,
                c.anchor_block,
                c.seed or bytes(32),
                c.sampling_seed_stored,
                c.passed_at,
                c.bond,
            ), cid

        for token, (escrowed, claimable, market_balance, wallets) in token_reads.items():
            open_money = sum(job.escrow + job.bond for job in m.jobs.values() if job.token == token)
            # E1: solvency; the escrow is exactly the open jobs' escrows and bonds.
            assert values[market_balance] >= values[escrowed] + values[claimable]
            assert values[escrowed] == open_money == m.escrowed[token]
            assert values[claimable] == 0
            assert values[market_balance] == open_money
            for holder, index in wallets.items():
                assert values[index] == m.wallets[(holder, token)], (holder, token)

        registry_balance, total_staked, total_unbonding = (values[i] for i in registry_reads)
        # S1: the registry holds every staked and unbonding token (exactly: nothing else pays it).
        assert registry_balance >= total_staked + total_unbonding
        assert registry_balance == total_staked + total_unbonding
        # S2: totals equal the model's sums.
        assert total_staked == m.total_staked()
        assert total_unbonding == m.total_unbonding()

        for address, (
            info_read,
            slashable_read,
            entries_read,
            record_read,
        ) in provider_reads.items():
            p = m.providers[address]
            info = values[info_read]
            # S2: per-provider stake, collateral, unbonding and capacity equal the model's.
            assert tuple(info) == (
                p.stake,
                p.locked,
                p.unbonding,
                p.jailed_until,
                p.active_jobs,
                p.gpus_in_use,
                True,
            ), address
            entries = [tuple(entry) for entry in values[entries_read]]
            assert entries == [(e.amount, e.release_at) for e in p.entries], address
            # S3: unbonding stake stays slashable until it is withdrawn.
            assert values[slashable_read] == info[0] + info[2] == p.slashable
            self.slashable_seen[address] = values[slashable_read]
            self.entries_seen[address] = entries
            record = values[record_read]
            assert tuple(record) == (
                p.completed,
                p.failed,
                p.slashed,
                p.disputes_lost,
                p.credited,
                p.last_tops,
                p.best_tops,
                p.tops_at,
            ), address
        for address, index in buyer_reads.items():
            b = m.buyers[address]
            assert tuple(values[index]) == (
                b.jobs_posted,
                b.disputes_won,
                b.disputes_lost,
                b.strikes,
                b.blacklisted,
            )

        assert values[job_count_read] == m.job_count
        for job_id, index in job_reads.items():
            self._check_job(m.jobs[job_id], values[index])
        for job_id, indexes in view_reads.items():
            assert tuple(values[i] for i in indexes) == self._derived_views(m.jobs[job_id]), job_id
        for job_id, index in timeout_reads.items():
            assert not isinstance(values[index], Reverted), (
                f"E5: overdue job {job_id} cannot be timed out: {values[index]}"
            )

    def _check_council(self, values, council_reads, tally_reads, voted_reads) -> None:
        """O1-O4 against the council model."""
        version, quorum, members = (values[i] for i in council_reads)
        config = self.council.config
        # O2: the config is the model's, and a valid one.
        assert (version, quorum, list(members)) == (
            self.council.version,
            config.quorum,
            config.members,
        )
        assert 1 <= len(members) <= 31 and 2 * quorum > len(members) and quorum <= len(members)
        for subject, index in tally_reads.items():
            tally = Tally(*plain(values[index]))
            # O4: counts are the model's, which voids the votes of older versions.
            assert tally == self.council.tally(subject), subject
            if tally.verdict == Verdict.NONE:
                continue
            # O1: the deciding side had the quorum of the config it was counted under.
            decided = self.council.configs[tally.version]
            side = tally.okVoters if tally.verdict == Verdict.OK else tally.failVoters
            assert side.bit_count() >= decided.quorum and side < 1 << len(decided.members)
            # O3: final once; the verdict never changes.
            seen = self.finals_seen.setdefault(subject, (tally.verdict, tally.version))
            assert seen == (tally.verdict, tally.version) and self.verdict_events[subject] == 1
        for (subject, oracle), index in voted_reads.items():
            tally = self.council.tally(subject)
            slot = config.members.index(oracle) if oracle in config.members else None
            expected = (
                tally.version == self.council.version
                and slot is not None
                and bool((tally.okVoters | tally.failVoters) >> slot & 1)
            )
            assert values[index] == expected, (subject, oracle)

    def _derived_views(self, job) -> tuple:
        """resultDeadlineOf, windowEndOf, arbitrationEndOf, disputeBondOf and collateralOf of an
        open job, as the model computes them."""
        m = self.m
        if job.state == JobState.OPEN:
            bond = max(m.bond_min[job.token], bps_up(job.escrow, m.terms.dispute_bond_bps))
            return (0, 0, 0, bond, m.lock_for(job.spec))
        return (
            m.result_deadline(job),
            m.window_end(job) if job.window_start else 0,
            m.arbitration_end(job) if job.disputed_at else 0,
            m.bond_for(job),
            job.collateral + job.bounty,
        )

    def _check_job(self, job, on_chain) -> None:
        state = JobState(on_chain["state"])
        assert (
            state,
            on_chain["escrow"],
            on_chain["bond"],
            on_chain["deposit"],
            on_chain["price"],
            on_chain["collateral"],
            on_chain["provider"],
            on_chain["biddingEnds"],
            on_chain["startedAt"],
            on_chain["windowStart"],
            on_chain["disputedAt"],
        ) == (
            job.state,
            job.escrow,
            job.bond,
            job.deposit,
            job.price,
            job.collateral,
            job.provider or ZERO_ADDRESS,
            job.bidding_ends,
            job.started_at,
            job.window_start,
            job.disputed_at,
        ), job.job_id
        # E3: states only move forward, and a closed job never changes again.
        seen = self.history.setdefault(job.job_id, [JobState.OPEN])
        if state != seen[-1]:
            assert (seen[-1], state) in FORWARD, (job.job_id, seen)
            seen.append(state)
        # E3: each job settles, fails or is cancelled exactly once, and only when it closes.
        assert self.closings[job.job_id] == (1 if state in TERMINAL_STATES else 0)
        # E2: conservation; what left escrow and what is still in it add up to the deposit.
        paid = {kind: self.ledger[(job.job_id, kind)] for kind in Payout}
        assert paid == {kind: job.paid[kind] for kind in Payout}, job.job_id
        out = paid[Payout.PROVIDER] + paid[Payout.FEE] + paid[Payout.REFUND] + paid[Payout.FORFEIT]
        if state in TERMINAL_STATES:
            assert out == job.deposit, job.job_id
        else:
            assert state in OPEN_STATES and out + job.escrow == job.deposit, job.job_id


def run_settings(examples: int):
    phases = list(Phase)
    if os.environ.get("GPUMARKET_STATEFUL_SHRINK", "1") == "0":
        phases.remove(Phase.shrink)
    return settings(
        phases=phases,
        max_examples=examples,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        verbosity=Verbosity.normal,
        suppress_health_check=HealthCheck.all(),
    )


def test_money_paths_hold_their_invariants(world):
    tally = Counter()
    budget = EXAMPLES * STEPS
    started = time.monotonic()
    failures = {STARTED: started}

    # The budget is steps, not Hypothesis examples: Hypothesis 6.27 starts every run with about
    # ten short, length-capped examples (its "small example" phase), so each call asks for that
    # many more runs than the remaining steps need, and the loop stops once the budget is spent.
    try:
        while tally["steps"] < budget:
            runs = -(-(budget - tally["steps"]) // STEPS) + SHORT_EXAMPLES
            run_state_machine_as_test(
                lambda: ProtocolMachine(world, tally, failures), settings=run_settings(runs)
            )
    finally:
        if FIRST_FAILURE in failures:
            step_no, seconds, what = failures[FIRST_FAILURE]
            # tools/inject_bug.py reads this line.
            print(f"\nstateful first failure: step {step_no} after {seconds:.1f} s: {what}")

    elapsed = time.monotonic() - started
    steps, checks = tally.pop("steps"), tally.pop("invariant checks")
    print(f"stateful steps: {steps}")
    print(f"stateful runtime: {elapsed:.1f} s ({1000 * elapsed / steps:.0f} ms per step)")
    print("stateful outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    STEPS_REPORT.parent.mkdir(parents=True, exist_ok=True)
    STEPS_REPORT.write_text(f"stateful steps: {steps}\n")
    # The chain was checked against the model after every step (and once at each run's start).
    assert steps >= budget and checks > steps
