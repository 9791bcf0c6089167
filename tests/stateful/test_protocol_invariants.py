"""Stateful invariant test of the money paths (DESIGN section 4: E1-E5, S1-S4).

A Hypothesis state machine stakes, unstakes, withdraws, posts jobs (GMKT and a 6-decimal stablecoin,
auctions and direct assignments), bids, matches, cancels, submits, records verdicts, finalizes,
times out, disputes, resolves, slashes and sleeps, in handler style: each actor only draws what it
can do, so runs reach running, submitted, disputed and settled jobs. `protocol_model` predicts
every outcome; a rule whose action the model says must fail asserts the exact custom error, and
one that must succeed checks its payouts and slashes against the model. After every step the
chain is compared with the model and the invariants are checked.

Brownie 1.22's `state_machine` helper is broken (DESIGN section 2), so the machine runs through
Hypothesis directly, reverting the chain to a snapshot after each run. Size: runs of up to
GPUMARKET_STATEFUL_STEPS steps (50) until GPUMARKET_STATEFUL_EXAMPLES × that many steps have run
(25 × 50 by default). The steps run are printed (`-s`) and written to reports/stateful_steps.txt.
"""

from __future__ import annotations

import functools
import itertools
import os
import time
from collections import Counter
from pathlib import Path

import brownie
from brownie import chain, web3
from hypothesis import HealthCheck, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from protocol_model import (
    DAY,
    FORWARD,
    OPEN_STATES,
    TERMINAL_STATES,
    BuyerModel,
    ProtocolModel,
    ProviderModel,
    Release,
    Slash,
    bps_up,
    revert_message,
)

from gpumarket.chain.types import HOUR, JobSpec, JobState, Payout

EXAMPLES = int(os.environ.get("GPUMARKET_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("GPUMARKET_STATEFUL_STEPS", "50"))
#: Open (unmatched) jobs at most; posting waits until one is matched or cancelled.
MAX_OPEN_JOBS = 3
#: Examples Hypothesis spends on short runs before full-length ones (see the test).
SHORT_EXAMPLES = 10
STEPS_REPORT = Path(__file__).resolve().parents[2] / "reports" / "stateful_steps.txt"

#: A fixed gas limit saves an eth_estimateGas round trip per transaction. It grows by one unit per
#: transaction: a replayed run from the same snapshot would otherwise send byte-identical
#: transactions whose hashes collide with those of reverted blocks, and Brownie then reports
#: them as dropped.
GAS = 2_000_000
_TX_SERIAL = itertools.count()
#: Seconds kept between the next block's time and any deadline, so that the model's prediction
#: never depends on the wall-clock second the transaction lands in.
TIME_MARGIN = 5
ZERO_ADDRESS = "0x" + "00" * 20
RESULT_HASH = b"\x01" * 32
RESULT_URI = "ipfs://result"

#: Job requirements, mixed with a drawn GPU count and duration; the last two are invalid specs.
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
    {"gpu_count": 0},
    {"benchmark_required": True, "benchmark_n": 100, "benchmark_t": 8, "benchmark_k": 2},
)

#: An index into a pool (of jobs, actors): one draw in eight picks outside the plausible choices.
PICK = st.integers(0, 2**16 - 1)
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
    def __init__(self, world, tally: Counter):
        super().__init__()
        chain.snapshot()
        self.w = world
        self.tally = tally
        self.gmkt = world.gmkt.address
        self.units = {t.address: 10 ** t.decimals() for t in world.tokens}
        self.accounts = {
            a.address: a for a in [*world.wallet_holders, world.arbiter, world.verifier]
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

    def teardown(self):
        chain.revert()

    # ------------------------------------------------------------ step plumbing

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

    def _send(self, method, *args, sender):
        tx = method(*args, {"from": sender, "gas": GAS + next(_TX_SERIAL)})
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
            # E4: fees reach only the treasury, and the treasury gets nothing else from escrow.
            assert (release.kind == Payout.FEE) == (release.to == self.w.treasury.address)
        for event in self._events(tx, "JobSettled", market):
            value = event["payout"] + event["fee"]
            assert event["fee"] <= bps_up(value, self.m.params.protocol_fee_bps)  # E4
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
            outsiders = [w.stranger, w.arbiter, w.verifier, w.treasury, *w.buyers, *w.providers]
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
        error = self._unknown(job) or self.m.bid_error(job, address, price, now)
        if error:
            return self._expect_revert(error, self.w.market.bid, *args, sender=provider)
        tx = self._send(self.w.market.bid, *args, sender=provider)
        self.m.bid(job, address, price)
        assert tx.events["BidPlaced"]["price"] == price
        self._check_effects(tx)

    @step(when=BIDS_WAITING, pick=PICK, who=PICK)
    def accept_bid(self, pick, who):
        now = chain.time()
        job = self._pick_job(pick, "has_bids")
        caller = self._actor(who, job.buyer if job else None)
        bids = job.bids if job else {}
        provider = self._provider(who // 8, lambda p: p in bids)
        args = (self._job_id(job), provider)
        error = self._unknown(job) or self.m.accept_bid_error(job, caller.address, provider, now)
        if error:
            return self._expect_revert(error, self.w.market.acceptBid, *args, sender=caller)
        tx = self._send(self.w.market.acceptBid, *args, sender=caller)
        self._match(tx, job, provider, job.bids[provider].price)

    @step(when=BIDS_WAITING, pick=PICK)
    def close_auction(self, pick):
        now = chain.time()
        job = self._pick_job(pick, "closable")
        args = (self._job_id(job),)
        error = self._unknown(job) or self.m.close_auction_error(job, now)
        if error:
            return self._expect_revert(
                error, self.w.market.closeAuction, *args, sender=self.w.stranger
            )
        winner, price = self.m.best_bid(job, now)
        tx = self._send(self.w.market.closeAuction, *args, sender=self.w.stranger)
        self._match(tx, job, winner, price)

    @step(when=DIRECT_OPEN, pick=PICK, who=PICK)
    def accept_job(self, pick, who):
        now = chain.time()
        job = self._pick_job(pick, "acceptable")
        caller = self._actor(who, job.provider if job else None)
        args = (self._job_id(job),)
        error = self._unknown(job) or self.m.accept_job_error(job, caller.address, now)
        if error:
            return self._expect_revert(error, self.w.market.acceptJob, *args, sender=caller)
        tx = self._send(self.w.market.acceptJob, *args, sender=caller)
        self._match(tx, job, caller.address, job.max_price)

    def _match(self, tx, job, provider: str, price: int) -> None:
        self.m.match(job, provider, price, tx.timestamp)
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

    @step(when=ANY_SUBMITTED, pick=PICK, ok=st.booleans(), who=PICK)
    def record_verdict(self, pick, ok, who):
        now = chain.time()
        job = self._pick_job(pick, "awaiting_verdict")
        caller = self.w.verifier if who % 8 != 7 else self.w.stranger
        args = (self._job_id(job), ok)
        error = self._unknown(job) or self.m.verdict_error(
            job, caller.address, self.w.verifier.address, now
        )
        if error:
            return self._expect_revert(error, self.w.market.recordVerdict, *args, sender=caller)
        tx = self._send(self.w.market.recordVerdict, *args, sender=caller)
        self.m.verdict(job, ok, tx.timestamp, self.gmkt)
        self.tally[f"verdict {'ok' if ok else 'fail'}"] += 1
        assert tx.events["VerdictRecorded"]["ok"] == ok
        self._check_effects(tx)

    @step(
        when=ANY_AWAITING_SETTLEMENT,
        pick=PICK,
    )
    def finalize(self, pick):
        now = chain.time()
        job = self._pick_job(pick, "due")
        args = (self._job_id(job),)
        error = self._unknown(job) or self.m.finalize_error(job, now)
        if error:
            return self._expect_revert(error, self.w.market.finalize, *args, sender=self.w.stranger)
        tx = self._send(self.w.market.finalize, *args, sender=self.w.stranger)
        value = job.escrow
        if job.state == JobState.DISPUTED:
            self.tally["finalize after arbitration timeout"] += 1
        self.m.finalize(job)
        settled = tx.events["JobSettled"]
        assert (settled["payout"], settled["fee"]) == (
            job.paid[Payout.PROVIDER],
            job.paid[Payout.FEE],
        ) and settled["payout"] + settled["fee"] == value
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
        values = reads.run()

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
            assert tuple(record)[:4] == (p.completed, p.failed, p.slashed, p.disputes_lost)
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
        for job_id, index in timeout_reads.items():
            assert not isinstance(values[index], Reverted), (
                f"E5: overdue job {job_id} cannot be timed out: {values[index]}"
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
        out = paid[Payout.PROVIDER] + paid[Payout.FEE] + paid[Payout.REFUND]
        if state in TERMINAL_STATES:
            assert out == job.deposit, job.job_id
        else:
            assert state in OPEN_STATES and out + job.escrow == job.deposit, job.job_id


def run_settings(examples: int):
    return settings(
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

    # The budget is steps, not Hypothesis examples: Hypothesis 6.27 starts every run with about
    # ten short, length-capped examples (its "small example" phase), so each call asks for that
    # many more runs than the remaining steps need, and the loop stops once the budget is spent.
    while tally["steps"] < budget:
        runs = -(-(budget - tally["steps"]) // STEPS) + SHORT_EXAMPLES
        run_state_machine_as_test(
            lambda: ProtocolMachine(world, tally), settings=run_settings(runs)
        )

    elapsed = time.monotonic() - started
    steps, checks = tally.pop("steps"), tally.pop("invariant checks")
    print(f"stateful steps: {steps}")
    print(f"stateful runtime: {elapsed:.1f} s ({1000 * elapsed / steps:.0f} ms per step)")
    print("stateful outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    STEPS_REPORT.parent.mkdir(parents=True, exist_ok=True)
    STEPS_REPORT.write_text(f"stateful steps: {steps}\n")
    # The chain was checked against the model after every step (and once at each run's start).
    assert steps >= budget and checks > steps
