"""A pure-Python model of gpumarket's money paths, written from the design (DESIGN.md sections 3
and 4) and never from the contracts' events: stakes, unbonding entries, jail, collateral, jobs,
escrow, bonds, payouts, slashes and the wallets they land in.

The stateful test drives the chain and this model with the same actions. Each `*_error` method
returns the revert message the chain must give for an action, or None when the action must
succeed; each transition then applies the expected effects at the transaction's block time and
records the payouts and slashes the chain has to emit, in order. Amounts are integers in token
units; times are block timestamps.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from gpumarket.chain.types import HOUR, ChallengeState, JobSpec, JobState, Payout
from gpumarket.testing.reverts import custom_error as revert_message

MAX_BPS = 10_000
#: BenchmarkRegistry.MAX_N.
MAX_BENCHMARK_N = 16_384
DAY = 24 * HOUR
#: BenchmarkRegistry.MAX_PROVER_RATE, multiply-adds per second.
MAX_PROVER_RATE = 2_250_000_000_000_000
#: The caps on a challenge's sizes, in the order `checkParameters` checks them, each with the
#: value of (n, T, K) it bounds.
CAP_VALUES: dict[str, Callable[[int, int, int], int]] = {
    "maxN": lambda n, steps, interval: n,
    "maxSteps": lambda n, steps, interval: steps,
    "maxInterval": lambda n, steps, interval: interval,
    "maxSampleOps": lambda n, steps, interval: interval * n * n,
    "maxProverOps": lambda n, steps, interval: steps * n**3,
}

OPEN_STATES = {
    JobState.OPEN,
    JobState.RUNNING,
    JobState.SUBMITTED,
    JobState.VERIFIED,
    JobState.DISPUTED,
}
TERMINAL_STATES = {JobState.SETTLED, JobState.FAILED, JobState.CANCELLED}
#: Every state change the lifecycle allows (DESIGN section 3, JobMarket); nothing else may happen.
FORWARD = {
    (JobState.OPEN, JobState.RUNNING),
    (JobState.OPEN, JobState.CANCELLED),
    (JobState.RUNNING, JobState.SUBMITTED),
    (JobState.RUNNING, JobState.FAILED),
    (JobState.SUBMITTED, JobState.VERIFIED),
    (JobState.SUBMITTED, JobState.FAILED),
    (JobState.SUBMITTED, JobState.DISPUTED),
    (JobState.SUBMITTED, JobState.SETTLED),
    (JobState.VERIFIED, JobState.DISPUTED),
    (JobState.VERIFIED, JobState.SETTLED),
    (JobState.VERIFIED, JobState.FAILED),  # a fraud proven on the job's benchmark
    (JobState.DISPUTED, JobState.SETTLED),
    (JobState.DISPUTED, JobState.FAILED),
}


def cost(price: int, gpus: int, duration: int) -> int:
    """`price × gpus × duration / 1 hour`, rounded down: a job's value at a price."""
    return price * gpus * duration // HOUR


def bps_up(amount: int, bps: int) -> int:
    """`amount × bps / 10,000`, rounded up (fees and bonds: the protocol's favour)."""
    return -(-amount * bps // MAX_BPS)


def bps_down(amount: int, bps: int) -> int:
    """`amount × bps / 10,000`, rounded down (shares of a fixed amount)."""
    return amount * bps // MAX_BPS


@dataclass(frozen=True)
class Terms:
    """The parameters a matched job settles under (MarketGovernance.Terms), and its token's
    minimum dispute bond: what the market's governance had set when the job was matched."""

    protocol_fee_bps: int
    slash_buyer_share_bps: int
    dispute_bond_bps: int
    fraud_bounty_bps: int
    dispute_window: int
    attest_timeout: int
    result_grace: int
    arbitration_timeout: int


#: JobMarket.setParameter's names of the job terms, by Terms field.
TERM_NAMES = {
    "protocolFeeBps": "protocol_fee_bps",
    "slashBuyerShareBps": "slash_buyer_share_bps",
    "disputeBondBps": "dispute_bond_bps",
    "fraudBountyBps": "fraud_bounty_bps",
    "disputeWindow": "dispute_window",
    "attestTimeout": "attest_timeout",
    "resultGrace": "result_grace",
    "arbitrationTimeout": "arbitration_timeout",
}
#: The bounds MarketGovernance.setParameter checks, by name: (min, max); the two windows'
#: maximum also depends on the other window and the unbonding period (`ProtocolModel.bounds`).
TERM_BOUNDS = {
    "protocolFeeBps": (0, 1_500),
    "slashBuyerShareBps": (0, MAX_BPS),
    "disputeBondBps": (0, 5_000),
    "fraudBountyBps": (1, MAX_BPS),
    "disputeWindow": (HOUR, None),
    "attestTimeout": (600, None),
    "resultGrace": (60, 7 * 24 * HOUR),
    "arbitrationTimeout": (24 * HOUR, 180 * 24 * HOUR),
    "collateralPerGpuHour": (0, 10**24),
    "bidForfeitBps": (1, MAX_BPS),
}


@dataclass(frozen=True)
class Params:
    """The governance parameters the model needs, read from the deployed contracts once. The
    market's may change later (`ProtocolModel.terms`, `collateral_per_gpu_hour`, `bond_min`)."""

    protocol_fee_bps: int
    slash_buyer_share_bps: int
    dispute_bond_bps: int
    fraud_bounty_bps: int
    collateral_per_gpu_hour: int
    dispute_window: int
    attest_timeout: int
    result_grace: int
    arbitration_timeout: int
    min_bidding_period: int
    max_bidding_period: int
    max_bids_per_job: int
    max_buyer_strikes: int
    bid_forfeit_bps: int
    min_stake: int
    unbonding_period: int
    jail_period: int
    max_unbonding_entries: int
    bond_min: dict[str, int]
    #: Reputation.minCreditedValue per token: the least value of a job that counts toward a
    #: score (0: no job in the token does).
    min_credited_value: dict[str, int]
    benchmark_window: int
    attestation_slash: int
    finder_fee_bps: int
    #: Reputation.maxTopsAge: verified TOPS count while `verifiedAt + maxTopsAge >= now`, and a
    #: passed attestation's bond stays locked that long.
    max_tops_age: int
    #: BenchmarkRegistry's caps by name (`CAP_VALUES`), as deployed.
    caps: dict[str, int] = field(default_factory=dict)


@dataclass
class Unbonding:
    amount: int
    release_at: int


@dataclass
class ProviderModel:
    address: str
    gpu_model: str
    region: str
    vram_gib: int
    gpu_count: int
    stake: int
    locked: int = 0
    entries: list[Unbonding] = field(default_factory=list)  # pending ones, oldest first
    jailed_until: int = 0
    gpus_in_use: int = 0
    active_jobs: int = 0
    completed: int = 0
    credited: int = 0  # settled jobs worth at least their token's minCreditedValue
    failed: int = 0
    slashed: int = 0
    disputes_lost: int = 0
    last_tops: int = 0
    best_tops: int = 0
    tops_at: int = 0

    @property
    def free(self) -> int:
        return self.stake - self.locked

    @property
    def unbonding(self) -> int:
        return sum(entry.amount for entry in self.entries)

    @property
    def slashable(self) -> int:
        return self.stake + self.unbonding

    @property
    def score(self) -> int:
        """Reputation.score: only credited jobs count as successes, every failure counts 3."""
        return (self.credited + 1) * MAX_BPS // (self.credited + 3 * self.failed + 2)

    def current_tops(self, now: int, max_tops_age: int) -> int:
        """Reputation.verifiedTops at time `now`: the last verified TOPS while they count."""
        return self.last_tops if self.tops_at + max_tops_age >= now else 0


@dataclass
class BuyerModel:
    address: str
    jobs_posted: int = 0
    disputes_won: int = 0
    disputes_lost: int = 0
    strikes: int = 0
    blacklisted: bool = False


@dataclass
class Bid:
    price: int
    seq: int


@dataclass
class JobModel:
    job_id: int
    buyer: str
    token: str
    spec: JobSpec
    max_price: int
    deposit: int
    bidding_ends: int
    provider: str | None  # the direct provider from posting, the winner from the match
    direct: bool
    state: JobState = JobState.OPEN
    escrow: int = 0
    bids: dict[str, Bid] = field(default_factory=dict)  # in arrival order
    bid_seq: int = 0  # the job's own bid sequence (each bid or lowering takes the next)
    price: int = 0
    collateral: int = 0
    lock: int = 0  # what is left of the collateral lock in the registry
    started_at: int = 0
    window_start: int = 0
    disputed_at: int = 0
    bond: int = 0
    paid: Counter[Payout] = field(default_factory=Counter)  # token units released, by Payout kind
    challenge_id: int = 0  # the PoGEMM challenge opened at the match (benchmark jobs)
    terms: Terms | None = None  # fixed at the match
    bond_floor: int = 0  # the token's minimum dispute bond at the match
    bounty: int = 0  # the fraud bounty locked beside the collateral (benchmark jobs)
    gpus_held: bool = False  # the job's GPUs are reserved: from the match to the result

    @property
    def matched_terms(self) -> Terms:
        """The terms of a matched job."""
        assert self.terms is not None, f"job {self.job_id} is not matched"
        return self.terms

    @property
    def winner(self) -> str:
        """The provider of a matched job (the provider is None only before the match)."""
        assert self.provider is not None, f"job {self.job_id} has no provider"
        return self.provider


class SeedBlock(enum.Enum):
    """Where a seed's block stands for a transaction mined in a given block."""

    NOT_READY = "not ready"  # the block has no successor yet
    READY = "ready"
    EXPIRED = "expired"  # blockhash reaches back 256 blocks only


class SeedStore(enum.Enum):
    """What storing a seed did."""

    ALREADY = "already stored"
    STORED = "stored"
    EXPIRED = "expired: the challenge failed"


#: Blocks `blockhash` reaches back.
BLOCKHASH_WINDOW = 256


def seed_block_state(anchor: int, block: int) -> SeedBlock:
    """The seed fixed by block anchor + 1, for a transaction mined in `block`."""
    seed_block = anchor + 1
    if block <= seed_block:
        return SeedBlock.NOT_READY
    if block - seed_block > BLOCKHASH_WINDOW:
        return SeedBlock.EXPIRED
    return SeedBlock.READY


@dataclass
class ChallengeModel:
    """A PoGEMM challenge: a benchmark job's (subject = job id) or a hardware attestation's (0)."""

    challenge_id: int
    subject: int
    provider: str
    n: int
    steps: int
    interval: int
    opened_at: int
    commit_deadline: int
    state: ChallengeState = ChallengeState.OPEN
    committed_at: int = 0
    verified_tops: int = 0
    passed_at: int = 0
    #: An attestation's bond (attestationSlash when it opened; a job's challenge has none).
    bond: int = 0
    #: What is left of an attestation's lock in the registry: the bond and its fraud bounty.
    lock: int = 0
    #: The block whose successor's hash fixes the next seed: the opening's, then the commitment's.
    anchor_block: int = 0
    #: The stored challenge seed (None until stored) and whether the sampling seed is stored.
    seed: bytes | None = None
    sampling_seed_stored: bool = False
    #: The committed tree when the provider cheated: (forged row, Merkle proof), else None.
    forgery: tuple[Any, ...] | None = None

    @property
    def leaf_count(self) -> int:
        return (self.steps // self.interval + 1) * self.n


@dataclass(frozen=True)
class Release:
    """A payout the chain must emit as EscrowReleased."""

    job_id: int
    to: str
    token: str
    amount: int
    kind: Payout


@dataclass(frozen=True)
class Slash:
    """A slash the chain must emit as StakeSlashed."""

    provider: str
    lock_id: int
    beneficiary: str
    amount: int
    from_locked: int
    from_free: int
    from_unbonding: int


class ProtocolModel:
    """Expected state of the registry, the market and every wallet the test's actors hold."""

    def __init__(
        self,
        params: Params,
        providers: Iterable[ProviderModel],
        buyers: Iterable[BuyerModel],
        treasury: str,
        wallets: Counter[tuple[str, str]],
    ) -> None:
        self.params = params
        self.providers: dict[str, ProviderModel] = {p.address: p for p in providers}
        self.buyers: dict[str, BuyerModel] = {b.address: b for b in buyers}
        self.treasury = treasury
        self.wallets = wallets  # (address, token) -> balance
        self.escrowed: Counter[str] = Counter()  # token -> escrow + bonds of open jobs
        self.jobs: dict[int, JobModel] = {}
        self.job_count = 0
        self.releases: list[Release] = []  # expected payouts of the current action
        self.slashes: list[Slash] = []  # expected slashes of the current action
        self.challenges: dict[int, ChallengeModel] = {}
        self.challenge_count = 0
        # The market's governance, which may change: what a match fixes for its job.
        self.terms = Terms(
            protocol_fee_bps=params.protocol_fee_bps,
            slash_buyer_share_bps=params.slash_buyer_share_bps,
            dispute_bond_bps=params.dispute_bond_bps,
            fraud_bounty_bps=params.fraud_bounty_bps,
            dispute_window=params.dispute_window,
            attest_timeout=params.attest_timeout,
            result_grace=params.result_grace,
            arbitration_timeout=params.arbitration_timeout,
        )
        self.collateral_per_gpu_hour = params.collateral_per_gpu_hour
        self.bid_forfeit_bps = params.bid_forfeit_bps
        self.bond_min = dict(params.bond_min)
        self.min_credited_value = dict(params.min_credited_value)
        self.paused = False
        # The benchmark registry's caps, which governance may change: checked at every open.
        self.caps = dict(params.caps)

    def begin(self) -> None:
        """Forget the expected effects of the previous action."""
        self.releases = []
        self.slashes = []

    # ------------------------------------------------------------ derived values

    def collateral_for(self, spec: JobSpec) -> int:
        """A match's collateral now: the buyer's rate or the market's floor, whichever is higher."""
        rate = max(spec.collateral_per_gpu_hour, self.collateral_per_gpu_hour)
        return cost(rate, spec.gpu_count, spec.duration)

    def bounty_for(self, spec: JobSpec, collateral: int, bounty_bps: int) -> int:
        """The fraud bounty a benchmark job locks beside its collateral (rounded up)."""
        return bps_up(collateral, bounty_bps) if spec.benchmark_required else 0

    def lock_for(self, spec: JobSpec) -> int:
        """What a match locks now: the collateral and, for a benchmark job, the bounty."""
        collateral = self.collateral_for(spec)
        return collateral + self.bounty_for(spec, collateral, self.terms.fraud_bounty_bps)

    def result_deadline(self, job: JobModel) -> int:
        return job.started_at + job.spec.duration + job.matched_terms.result_grace

    def window_end(self, job: JobModel) -> int:
        return job.window_start + job.matched_terms.dispute_window

    def arbitration_end(self, job: JobModel) -> int:
        return job.disputed_at + job.matched_terms.arbitration_timeout

    def bond_for(self, job: JobModel) -> int:
        return max(job.bond_floor, bps_up(job.escrow, job.matched_terms.dispute_bond_bps))

    def total_staked(self) -> int:
        return sum(p.stake for p in self.providers.values())

    def total_unbonding(self) -> int:
        return sum(p.unbonding for p in self.providers.values())

    def time_boundaries(self) -> list[int]:
        """Every time at which some action's outcome flips: the test keeps clear of them."""
        times = []
        for p in self.providers.values():
            times.append(p.jailed_until)
            times.extend(entry.release_at for entry in p.entries)
        for job in self.jobs.values():
            if job.state == JobState.OPEN:
                times.append(job.bidding_ends)
            elif job.state == JobState.RUNNING:
                times.append(self.result_deadline(job))
            elif job.state in (JobState.SUBMITTED, JobState.VERIFIED):
                times.append(self.window_end(job))
            elif job.state == JobState.DISPUTED:
                times.append(self.arbitration_end(job))
        times.extend(
            c.commit_deadline for c in self.challenges.values() if c.state == ChallengeState.OPEN
        )
        age = self.params.max_tops_age
        times.extend(p.tops_at + age for p in self.providers.values() if p.last_tops)
        times.extend(
            t for c in self.challenges.values() if (t := self.bond_releasable_after(c)) is not None
        )
        return times

    def eligible(self, job: JobModel, address: str, now: int) -> bool:
        """Whether `address` may bid on, or be matched to, `job` at time `now`."""
        return self.can_serve(job.spec, job.buyer, address, now)

    def can_serve(self, spec: JobSpec, buyer: str, address: str, now: int) -> bool:
        """Listed, not jailed, an offer that fits, free GPUs and stake, enough reputation; never
        the job's own buyer (every provider prices every payment token)."""
        p = self.providers.get(address)
        return (
            p is not None
            and address != buyer
            and p.stake >= self.params.min_stake
            and p.jailed_until <= now
            and spec.gpu_model in ("", p.gpu_model)
            and spec.region in ("", p.region)
            and p.vram_gib >= spec.min_vram_gib
            and p.gpu_count >= p.gpus_in_use + spec.gpu_count
            and p.free >= self.lock_for(spec)
            and p.score >= spec.min_reputation_bps
            and (
                spec.min_verified_tops == 0
                or p.current_tops(now, self.params.max_tops_age) >= spec.min_verified_tops
            )
        )

    def best_bid(self, job: JobModel, now: int) -> tuple[str, int] | None:
        """The auction's winner: lowest price, then higher reputation, then the earlier bid."""
        candidates = [
            (bid.price, -self.providers[address].score, bid.seq, address)
            for address, bid in job.bids.items()
            if self.eligible(job, address, now)
        ]
        if not candidates:
            return None
        price, _, _, address = min(candidates)
        return address, price

    # ------------------------------------------------------------ staking

    def stake_error(self, address: str, amount: int) -> str | None:
        if amount == 0:
            return revert_message("ProviderRegistryZeroAmount")
        return None

    def stake(self, address: str, amount: int, gmkt: str) -> None:
        self.providers[address].stake += amount
        self.wallets[(address, gmkt)] -= amount

    def unstake_error(self, address: str, amount: int) -> str | None:
        p = self.providers[address]
        if amount == 0:
            return revert_message("ProviderRegistryZeroAmount")
        if amount > p.free:
            return revert_message("ProviderRegistryInsufficientFreeStake", address, amount, p.free)
        if len(p.entries) >= self.params.max_unbonding_entries:
            return revert_message(
                "ProviderRegistryTooManyUnbondingEntries",
                address,
                self.params.max_unbonding_entries,
            )
        return None

    def request_unstake(self, address: str, amount: int, now: int) -> int:
        p = self.providers[address]
        p.stake -= amount
        release_at = now + self.params.unbonding_period
        p.entries.append(Unbonding(amount, release_at))
        return release_at

    def released_entries(self, address: str, now: int) -> list[Unbonding]:
        """The leading entries whose unbonding has ended (withdraw stops at the first that has
        not)."""
        released = []
        for entry in self.providers[address].entries:
            if entry.release_at > now:
                break
            released.append(entry)
        return released

    def withdraw_error(self, address: str, now: int) -> str | None:
        if sum(entry.amount for entry in self.released_entries(address, now)) == 0:
            return revert_message("ProviderRegistryNothingToWithdraw", address)
        return None

    def withdraw(self, address: str, now: int, gmkt: str) -> int:
        released = self.released_entries(address, now)
        p = self.providers[address]
        p.entries = p.entries[len(released) :]
        amount = sum(entry.amount for entry in released)
        self.wallets[(address, gmkt)] += amount
        return amount

    def slash(
        self,
        address: str,
        amount: int,
        beneficiary: str,
        lock_id: int,
        lock: JobModel | ChallengeModel | None,
        now: int,
        gmkt: str,
    ) -> int:
        """Take up to `amount`: the job's collateral lock first, then free stake, then unbonding
        entries newest first (an emptied entry is dropped); jail the provider. `lock` is the job
        (or attestation) whose lock belongs to the slasher, if any."""
        p = self.providers[address]
        from_locked = 0
        if lock is not None:
            from_locked = min(amount, lock.lock)
            lock.lock -= from_locked
            # Locked collateral is part of the bonded stake: it leaves both.
            p.locked -= from_locked
            p.stake -= from_locked
        from_free = min(amount - from_locked, p.free)
        p.stake -= from_free
        wanted = amount - from_locked - from_free
        from_unbonding = 0
        while p.entries and from_unbonding < wanted:
            entry = p.entries[-1]
            cut = min(wanted - from_unbonding, entry.amount)
            from_unbonding += cut
            if cut == entry.amount:
                p.entries.pop()
            else:
                entry.amount -= cut
        slashed = from_locked + from_free + from_unbonding
        p.jailed_until = max(p.jailed_until, now + self.params.jail_period)
        self.wallets[(beneficiary, gmkt)] += slashed
        self.slashes.append(
            Slash(address, lock_id, beneficiary, slashed, from_locked, from_free, from_unbonding)
        )
        return slashed

    # ------------------------------------------------------------ governance

    def pause_error(self) -> str | None:
        """The revert of a call the pause stops (posting, bidding, matching), or None."""
        return revert_message("EnforcedPause") if self.paused else None

    def set_paused_error(self, paused: bool) -> str | None:
        if paused and self.paused:
            return revert_message("EnforcedPause")
        if not paused and not self.paused:
            return revert_message("ExpectedPause")
        return None

    def set_paused(self, paused: bool) -> None:
        self.paused = paused

    def bounds(self, name: str) -> tuple[int, int]:
        """setParameter's bounds of `name`: the two windows' sum stays below the unbonding
        period."""
        low, high = TERM_BOUNDS[name]
        if name == "disputeWindow":
            high = max(self.params.unbonding_period - self.terms.attest_timeout - 1, 0)
        elif name == "attestTimeout":
            high = max(self.params.unbonding_period - self.terms.dispute_window - 1, 0)
        assert high is not None
        return low, high

    def set_parameter_error(self, name: str, value: int) -> str | None:
        low, high = self.bounds(name)
        if not low <= value <= high:
            return revert_message(
                "JobMarketParameterOutOfBounds", name.encode().ljust(32, b"\0"), value, low, high
            )
        return None

    def set_parameter(self, name: str, value: int) -> None:
        """A job term applies to jobs matched from now on; so does the collateral rate. The bid
        forfeit applies to auctions closed from now on."""
        if name == "collateralPerGpuHour":
            self.collateral_per_gpu_hour = value
        elif name == "bidForfeitBps":
            self.bid_forfeit_bps = value
        else:
            self.terms = replace(self.terms, **{TERM_NAMES[name]: value})

    def configure_token(self, token: str, bond_min: int) -> None:
        """A token's minimum dispute bond applies to jobs matched from now on."""
        self.bond_min[token] = bond_min

    def set_min_credited_value(self, token: str, value: int) -> None:
        """Reputation's minimum applies to jobs settled from now on."""
        self.min_credited_value[token] = value

    def is_credited(self, token: str, value: int) -> bool:
        """Whether a settled job of `value` in `token` counts toward its provider's score."""
        minimum = self.min_credited_value.get(token, 0)
        return minimum != 0 and value >= minimum

    # ------------------------------------------------------------ posting and matching

    def post_error(self, buyer: str, spec: JobSpec, max_price: int, bidding: int) -> str | None:
        if self.paused:
            return self.pause_error()
        if self.buyers[buyer].blacklisted:
            return revert_message("JobMarketBuyerBlacklisted", buyer)
        if not _valid_spec(spec):
            return revert_message("JobMarketInvalidSpec")
        benchmark_error = self.spec_benchmark_error(spec)
        if benchmark_error:
            return benchmark_error
        if not self.params.min_bidding_period <= bidding <= self.params.max_bidding_period:
            return revert_message("JobMarketInvalidBiddingPeriod", bidding)
        if cost(max_price, spec.gpu_count, spec.duration) == 0:
            return revert_message("JobMarketInvalidPrice", max_price, max_price)
        return None

    def post(
        self,
        buyer: str,
        token: str,
        spec: JobSpec,
        max_price: int,
        bidding: int,
        direct: str | None,
        now: int,
    ) -> JobModel:
        self.job_count += 1
        deposit = cost(max_price, spec.gpu_count, spec.duration)
        job = JobModel(
            job_id=self.job_count,
            buyer=buyer,
            token=token,
            spec=spec,
            max_price=max_price,
            deposit=deposit,
            escrow=deposit,
            bidding_ends=now + bidding,
            provider=direct,
            direct=direct is not None,
        )
        self.jobs[job.job_id] = job
        self.buyers[buyer].jobs_posted += 1
        self.wallets[(buyer, token)] -= deposit
        self.escrowed[token] += deposit
        return job

    def bid_error(self, job: JobModel, address: str, price: int, now: int) -> str | None:
        if self.paused:
            return self.pause_error()
        if job.state != JobState.OPEN:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if job.direct:
            return revert_message("JobMarketDirectAssignment", job.job_id)
        if now >= job.bidding_ends:
            return revert_message("JobMarketBiddingClosed", job.job_id, job.bidding_ends)
        if price == 0 or price > job.max_price:
            return revert_message("JobMarketInvalidPrice", price, job.max_price)
        if not self.eligible(job, address, now):
            return revert_message("JobMarketNotEligible", job.job_id, address)
        current = job.bids.get(address)
        if current is not None and price >= current.price:
            return revert_message("JobMarketBidNotLower", job.job_id, current.price, price)
        if current is None and len(job.bids) >= self.params.max_bids_per_job:
            worst = self.worst_bid(job)
            if price >= job.bids[worst].price:
                return revert_message(
                    "JobMarketTooManyBids", job.job_id, self.params.max_bids_per_job
                )
        return None

    def worst_bid(self, job: JobModel) -> str:
        """The bid a full book evicts for a lower one: the highest price, then the latest."""
        return max(job.bids, key=lambda a: (job.bids[a].price, job.bids[a].seq))

    def lowest_bid(self, job: JobModel) -> str | None:
        """The lowest bid's bidder: the lowest price, then the earliest (None: no bid)."""
        if not job.bids:
            return None
        return min(job.bids, key=lambda a: (job.bids[a].price, job.bids[a].seq))

    def bid(self, job: JobModel, address: str, price: int) -> str | None:
        """Place or lower a bid; on a full book the new bid takes the worst one's place (in
        arrival order, as `bidsOf` lists them). Returns the evicted bidder, if any."""
        job.bid_seq += 1
        if address in job.bids:
            job.bids[address].price = price
            job.bids[address].seq = job.bid_seq
            return None
        if len(job.bids) < self.params.max_bids_per_job:
            job.bids[address] = Bid(price, job.bid_seq)
            return None
        worst = self.worst_bid(job)
        job.bids = {
            (address if a == worst else a): (Bid(price, job.bid_seq) if a == worst else b)
            for a, b in job.bids.items()
        }
        return worst

    def accept_bid_error(self, job: JobModel, caller: str, address: str, now: int) -> str | None:
        if self.paused:
            return self.pause_error()
        if caller != job.buyer:
            return revert_message("JobMarketNotBuyer", job.job_id, caller)
        if job.state != JobState.OPEN:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if address not in job.bids:
            return revert_message("JobMarketNoBid", job.job_id, address)
        if not self.eligible(job, address, now):
            return revert_message("JobMarketNotEligible", job.job_id, address)
        return self.spec_benchmark_error(job.spec)

    def close_auction_error(self, job: JobModel, now: int) -> str | None:
        if self.paused:
            return self.pause_error()
        if job.state != JobState.OPEN:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if job.direct:
            return revert_message("JobMarketDirectAssignment", job.job_id)
        if now < job.bidding_ends:
            return revert_message("JobMarketBiddingOpen", job.job_id, job.bidding_ends)
        # A winner is matched, which opens its challenge (no winner: the job is cancelled).
        if self.best_bid(job, now) is not None:
            return self.spec_benchmark_error(job.spec)
        return None

    def walked_away(self, job: JobModel, now: int) -> str | None:
        """The lowest bid's bidder when it is not eligible at the close (it forfeits)."""
        lowest = self.lowest_bid(job)
        if lowest is None or self.eligible(job, lowest, now):
            return None
        return lowest

    def forfeit_for(self, job: JobModel) -> int:
        """What a walked-away lowest bidder forfeits: bidForfeitBps of the collateral (rounded
        up)."""
        return bps_up(self.collateral_for(job.spec), self.bid_forfeit_bps)

    def close_auction(self, job: JobModel, now: int, gmkt: str) -> tuple[str, int] | None:
        """Close: a walked-away lowest bidder forfeits to the buyer (and is jailed); the best
        eligible bid is matched, or, with none, the job is cancelled. Returns the winner."""
        walker = self.walked_away(job, now)
        # The forfeit comes first: it jails the walker, which changes no one else's eligibility.
        winner = self.best_bid(job, now)
        if walker is not None:
            amount = self.forfeit_for(job)
            if amount:
                self.slash(walker, amount, job.buyer, 0, None, now, gmkt)
        if winner is None:
            self.cancel(job)
            return None
        self.match(job, winner[0], winner[1], now)
        return winner

    def accept_job_error(self, job: JobModel, caller: str, now: int) -> str | None:
        if self.paused:
            return self.pause_error()
        if caller != job.provider:
            return revert_message("JobMarketNotProvider", job.job_id, caller)
        if job.state != JobState.OPEN:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if now >= job.bidding_ends:
            return revert_message("JobMarketDeadlinePassed", job.job_id, job.bidding_ends)
        if not self.eligible(job, caller, now):
            return revert_message("JobMarketNotEligible", job.job_id, caller)
        return self.spec_benchmark_error(job.spec)

    def match(self, job: JobModel, address: str, price: int, now: int) -> None:
        """Start the job at `price` under the current terms: refund the excess deposit, lock the
        collateral (and a benchmark job's fraud bounty), reserve GPUs."""
        value = cost(price, job.spec.gpu_count, job.spec.duration)
        excess = job.deposit - value
        collateral = self.collateral_for(job.spec)
        job.terms = self.terms
        job.bond_floor = self.bond_min[job.token]
        job.bounty = self.bounty_for(job.spec, collateral, self.terms.fraud_bounty_bps)
        p = self.providers[address]
        p.locked += collateral + job.bounty
        p.gpus_in_use += job.spec.gpu_count
        p.active_jobs += 1
        job.gpus_held = True
        job.state = JobState.RUNNING
        job.provider = address
        job.price = price
        job.started_at = now
        job.escrow = value
        job.collateral = collateral
        job.lock = collateral + job.bounty
        if job.spec.benchmark_required:
            spec = job.spec
            challenge = self.open_challenge(
                job.job_id, address, spec.benchmark_n, spec.benchmark_t, spec.benchmark_k, now
            )
            job.challenge_id = challenge.challenge_id
        self._release(job, job.buyer, excess, Payout.REFUND)

    def cancel_error(self, job: JobModel, caller: str, now: int) -> str | None:
        if caller != job.buyer:
            return revert_message("JobMarketNotBuyer", job.job_id, caller)
        if job.state != JobState.OPEN:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        # While paused no bid can be matched, and none can when the caps, lowered since the job
        # was posted, no longer admit its benchmark: the buyer may then take its deposit back. An
        # auction with bids otherwise ends at closeAuction (which cancels it if none is eligible).
        if job.bids and not self.paused and self.spec_benchmark_error(job.spec) is None:
            return revert_message("JobMarketHasBids", job.job_id)
        return None

    def cancel(self, job: JobModel) -> None:
        job.state = JobState.CANCELLED
        refund, job.escrow = job.escrow, 0
        self._release(job, job.buyer, refund, Payout.REFUND)

    # ------------------------------------------------------------ results and settlement

    def submit_error(self, job: JobModel, caller: str, now: int) -> str | None:
        if caller != job.provider:
            return revert_message("JobMarketNotProvider", job.job_id, caller)
        if job.state != JobState.RUNNING:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if now > self.result_deadline(job):
            return revert_message("JobMarketDeadlinePassed", job.job_id, self.result_deadline(job))
        return None

    def submit(self, job: JobModel, now: int) -> None:
        """The work is over: its GPUs are free at once; the collateral stays locked."""
        job.state = JobState.SUBMITTED
        # A job that needs a verdict waits `attestTimeout` for one before settling optimistically.
        attest = job.matched_terms.attest_timeout if job.spec.benchmark_required else 0
        job.window_start = now + attest
        self._release_gpus(job, self.providers[job.winner])

    def verdict_error(self, job: JobModel, caller: str, verifier: str, now: int) -> str | None:
        if caller != verifier:
            return revert_message("JobMarketNotVerifier", caller)
        if job.state != JobState.SUBMITTED:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if now >= self.window_end(job):
            return revert_message("JobMarketDeadlinePassed", job.job_id, self.window_end(job))
        return None

    def verdict(self, job: JobModel, ok: bool, now: int, gmkt: str) -> None:
        if ok:
            job.state = JobState.VERIFIED
            job.window_start = now
        else:
            self._fail(job, now, gmkt)

    def finalize_error(self, job: JobModel, now: int) -> str | None:
        if job.state in (JobState.SUBMITTED, JobState.VERIFIED):
            if now < self.window_end(job):
                return revert_message(
                    "JobMarketDeadlineNotReached", job.job_id, self.window_end(job)
                )
            return None
        if job.state == JobState.DISPUTED:
            if now < self.arbitration_end(job):
                return revert_message(
                    "JobMarketDeadlineNotReached", job.job_id, self.arbitration_end(job)
                )
            return None
        return revert_message("JobMarketWrongState", job.job_id, job.state)

    def finalize(self, job: JobModel) -> None:
        """Settle after the dispute window, or a dispute the arbiter left open past its timeout:
        then buyer and provider each forfeit `min(bond, value)` to the treasury, the provider is
        paid the rest of the value less the fee on it, the buyer gets the rest of its bond, and
        no success, failure or strike is recorded."""
        if job.state != JobState.DISPUTED:
            self._settle(job)
            return
        bond, job.bond = job.bond, 0
        value, job.escrow = job.escrow, 0
        forfeit = self.arbitration_forfeit(bond, value)
        pay = value - forfeit
        fee = bps_up(pay, job.matched_terms.protocol_fee_bps)
        job.state = JobState.SETTLED
        self._release_lock(job, self.providers[job.winner])
        self._release(job, job.winner, pay - fee, Payout.PROVIDER)
        self._release(job, self.treasury, fee, Payout.FEE)
        self._release(job, self.treasury, forfeit, Payout.FORFEIT)
        self._release(job, self.treasury, forfeit, Payout.BOND)
        self._release(job, job.buyer, bond - forfeit, Payout.BOND)

    @staticmethod
    def arbitration_forfeit(bond: int, value: int) -> int:
        """What each side forfeits to the treasury when a dispute times out unruled."""
        return min(bond, value)

    def timeout_error(self, job: JobModel, now: int) -> str | None:
        if job.state != JobState.RUNNING:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if now <= self.result_deadline(job):
            return revert_message(
                "JobMarketDeadlineNotReached", job.job_id, self.result_deadline(job)
            )
        return None

    def claim_timeout(self, job: JobModel, now: int, gmkt: str) -> None:
        self._fail(job, now, gmkt)

    # ------------------------------------------------------------ disputes

    def dispute_error(self, job: JobModel, caller: str, now: int) -> str | None:
        if caller != job.buyer:
            return revert_message("JobMarketNotBuyer", job.job_id, caller)
        if job.state not in (JobState.SUBMITTED, JobState.VERIFIED):
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        if now >= self.window_end(job):
            return revert_message("JobMarketDeadlinePassed", job.job_id, self.window_end(job))
        return None

    def dispute(self, job: JobModel, now: int) -> int:
        bond = self.bond_for(job)
        job.state = JobState.DISPUTED
        job.disputed_at = now
        job.bond = bond
        self.wallets[(job.buyer, job.token)] -= bond
        self.escrowed[job.token] += bond
        return bond

    def resolve_error(self, job: JobModel) -> str | None:
        if job.state != JobState.DISPUTED:
            return revert_message("JobMarketWrongState", job.job_id, job.state)
        return None

    def resolve(self, job: JobModel, provider_at_fault: bool, now: int, gmkt: str) -> None:
        bond, job.bond = job.bond, 0
        buyer = self.buyers[job.buyer]
        if provider_at_fault:
            self.providers[job.winner].disputes_lost += 1
            buyer.disputes_won += 1
            self._fail(job, now, gmkt)
            self._release(job, job.buyer, bond, Payout.BOND)
        else:
            buyer.disputes_lost += 1
            buyer.strikes += 1
            if buyer.strikes >= self.params.max_buyer_strikes:
                buyer.blacklisted = True
            self._settle(job)
            self._release(job, job.winner, bond, Payout.BOND)

    # ------------------------------------------------------------ benchmark challenges

    def open_challenge(
        self, subject: int, provider: str, n: int, steps: int, interval: int, now: int
    ) -> ChallengeModel:
        self.challenge_count += 1
        challenge = ChallengeModel(
            challenge_id=self.challenge_count,
            subject=subject,
            provider=provider,
            n=n,
            steps=steps,
            interval=interval,
            opened_at=now,
            commit_deadline=now + self.params.benchmark_window,
        )
        self.challenges[challenge.challenge_id] = challenge
        if subject == 0:
            # The attestation's bond and fraud bounty: a lock of this registry without GPUs.
            p = self.providers[provider]
            challenge.bond = self.params.attestation_slash
            challenge.lock = self.attestation_lock()
            p.locked += challenge.lock
            p.active_jobs += 1
        return challenge

    def attestation_lock(self) -> int:
        """What an attestation locks when it opens: its bond and, beside it, the fraud bounty."""
        bond = self.params.attestation_slash
        return bond + bps_up(bond, self.params.finder_fee_bps)

    def attestation_open_error(
        self, provider: str, n: int, steps: int, interval: int, now: int
    ) -> str | None:
        """The revert of a provider opening its own attestation, or None (the caller is the
        provider; anyone else needs the opener role): then its bond must lock."""
        p = self.providers[provider]
        if p.stake < self.params.min_stake:
            return revert_message("BenchmarkRegistryNotListed", provider)
        error = self.benchmark_error(n, steps, interval)
        if error:
            return error
        if p.jailed_until > now:
            return revert_message("ProviderRegistryJailed", provider, p.jailed_until)
        lock = self.attestation_lock()
        if p.free < lock:
            return revert_message("ProviderRegistryInsufficientFreeStake", provider, lock, p.free)
        return None

    def benchmark_error(self, n: int, steps: int, interval: int) -> str | None:
        """BenchmarkRegistry.checkParameters: a shape no PoGEMM has, else the first cap over."""
        if not valid_benchmark(n, steps, interval):
            return revert_message("BenchmarkRegistryInvalidParameters", n, steps, interval)
        for cap, value_of in CAP_VALUES.items():
            value = value_of(n, steps, interval)
            limit = self.caps[cap]
            if value > limit:
                return revert_message("BenchmarkRegistryCapExceeded", _name32(cap), value, limit)
        return None

    def spec_benchmark_error(self, spec: JobSpec) -> str | None:
        """The registry's error for a job's benchmark now (None: none needed, or it fits)."""
        if not spec.benchmark_required:
            return None
        return self.benchmark_error(spec.benchmark_n, spec.benchmark_t, spec.benchmark_k)

    def cap_bounds(self, name: str) -> tuple[int, int]:
        """BenchmarkRegistry.setParameter's bounds of a cap (the prover cap: what
        MAX_PROVER_RATE does in one benchmark window)."""
        return {
            "maxN": (64, MAX_BENCHMARK_N),
            "maxSteps": (1, 2**24),
            "maxInterval": (1, 2**16),
            "maxSampleOps": (64 * 64, 2**40),
            "maxProverOps": (64**3, self.params.benchmark_window * MAX_PROVER_RATE),
        }[name]

    def set_cap_error(self, name: str, value: int) -> str | None:
        low, high = self.cap_bounds(name)
        if not low <= value <= high:
            return revert_message(
                "BenchmarkRegistryParameterOutOfBounds", _name32(name), value, low, high
            )
        return None

    def set_cap(self, name: str, value: int) -> None:
        """A cap applies to challenges opened from now on, posted jobs' matches included."""
        self.caps[name] = value

    def commit_error(
        self, challenge: ChallengeModel, caller: str, now: int, block: int
    ) -> str | None:
        """The revert of committing in `block` at `now`, or None."""
        cid = challenge.challenge_id
        if caller != challenge.provider:
            return revert_message("BenchmarkRegistryNotProvider", cid, caller)
        if challenge.state != ChallengeState.OPEN:
            return revert_message("BenchmarkRegistryWrongState", cid, challenge.state)
        if now > challenge.commit_deadline:
            return revert_message(
                "BenchmarkRegistryCommitWindowClosed", cid, challenge.commit_deadline
            )
        if challenge.seed is None:
            seed = seed_block_state(challenge.anchor_block, block)
            if seed == SeedBlock.NOT_READY:
                return revert_message(
                    "BenchmarkRegistryChallengeSeedNotReady", cid, challenge.anchor_block + 2
                )
            if seed == SeedBlock.EXPIRED:
                return revert_message("BenchmarkRegistryChallengeSeedExpired", cid)
        return None

    def commit(
        self,
        challenge: ChallengeModel,
        now: int,
        block: int,
        seed: bytes,
        forgery: tuple[Any, ...] | None,
    ) -> bool:
        """Commit in `block`; the commitment stores `seed` when nobody has (returns whether)."""
        stores = challenge.seed is None
        challenge.seed = challenge.seed or seed
        challenge.state = ChallengeState.COMMITTED
        challenge.committed_at = now
        challenge.anchor_block = block
        challenge.forgery = forgery
        return stores

    def store_seed_error(self, challenge: ChallengeModel, sampling: bool, block: int) -> str | None:
        """The revert of `storeChallengeSeed` (or `storeSamplingSeed`) in `block`, or None."""
        cid = challenge.challenge_id
        if challenge.sampling_seed_stored if sampling else challenge.seed is not None:
            return None
        wanted = ChallengeState.COMMITTED if sampling else ChallengeState.OPEN
        if challenge.state != wanted:
            return revert_message("BenchmarkRegistryWrongState", cid, challenge.state)
        if seed_block_state(challenge.anchor_block, block) == SeedBlock.NOT_READY:
            name = "SamplingSeedNotReady" if sampling else "ChallengeSeedNotReady"
            return revert_message(f"BenchmarkRegistry{name}", cid, challenge.anchor_block + 2)
        return None

    def store_seed(
        self,
        challenge: ChallengeModel,
        sampling: bool,
        block: int,
        seed: bytes,
        now: int,
        gmkt: str,
    ) -> SeedStore:
        """`storeChallengeSeed` or `storeSamplingSeed` in `block` (after `store_seed_error`): a
        seed already stored is returned; one whose block left the window fails the challenge,
        for good (no second draw), an attestation's bond slashed as on a FAIL; else `seed` is
        stored."""
        if challenge.sampling_seed_stored if sampling else challenge.seed is not None:
            return SeedStore.ALREADY
        if seed_block_state(challenge.anchor_block, block) == SeedBlock.EXPIRED:
            challenge.state = ChallengeState.FAILED
            if challenge.subject == 0:
                self._slash_bond(challenge, None, now, gmkt)
            return SeedStore.EXPIRED
        if sampling:
            challenge.sampling_seed_stored = True
        else:
            challenge.seed = seed
        return SeedStore.STORED

    def fraud_error(
        self, challenge: ChallengeModel, row: int, length: int, proven: bool, honest: bool
    ) -> str | None:
        """The revert of proveFraud: `proven` says the row and proof match the committed root,
        `honest` that the row is the true X0 row."""
        cid = challenge.challenge_id
        # A passed attestation stays provable until its bond is released.
        if challenge.state not in (ChallengeState.COMMITTED, ChallengeState.PASSED):
            return revert_message("BenchmarkRegistryWrongState", cid, challenge.state)
        if row >= challenge.n:
            return revert_message("BenchmarkRegistryRowOutOfRange", row, challenge.n)
        if length != challenge.n:
            return revert_message("BenchmarkRegistryBadRowLength", length, challenge.n)
        if not proven:
            return revert_message("BenchmarkRegistryInvalidProof", cid, row)
        if honest:
            return revert_message("BenchmarkRegistryNoFraud", cid, row)
        if challenge.subject:
            job = self.jobs[challenge.subject]
            if job.state not in (
                JobState.RUNNING,
                JobState.SUBMITTED,
                JobState.VERIFIED,
                JobState.DISPUTED,
            ):
                return revert_message("JobMarketWrongState", job.job_id, job.state)
        return None

    def prove_fraud(self, challenge: ChallengeModel, prover: str, now: int, gmkt: str) -> None:
        """A job's fraud fails the job as any failure does and pays the prover the job's fraud
        bounty, and returns any bond; an attestation's costs its bond (to the treasury) and its
        bounty (to the prover), and after a pass the provider's verified TOPS."""
        passed = challenge.state == ChallengeState.PASSED
        challenge.state = ChallengeState.FRAUD
        if challenge.subject:
            job = self.jobs[challenge.subject]
            bond, job.bond = job.bond, 0
            self._fail(job, now, gmkt, prover=prover)
            self._release(job, job.buyer, bond, Payout.BOND)
            return
        self._slash_bond(challenge, prover, now, gmkt)
        if passed:
            self.providers[challenge.provider].last_tops = 0

    def attestation_error(self, challenge: ChallengeModel, ok: bool) -> str | None:
        """The revert of the verifier's recordAttestation, or None."""
        cid = challenge.challenge_id
        if challenge.subject:
            return revert_message("BenchmarkRegistryNotAttestation", cid, challenge.subject)
        state = challenge.state
        if state != ChallengeState.COMMITTED and (ok or state != ChallengeState.OPEN):
            return revert_message("BenchmarkRegistryWrongState", cid, state)
        return None

    def record_attestation(
        self, challenge: ChallengeModel, ok: bool, tops: int, now: int, gmkt: str
    ) -> None:
        """A pass records the TOPS and keeps the lock; a fail slashes the bond to the treasury and
        returns the bounty."""
        challenge.state = ChallengeState.PASSED if ok else ChallengeState.FAILED
        if ok:
            challenge.verified_tops = tops
            challenge.passed_at = now
            p = self.providers[challenge.provider]
            p.last_tops = tops
            p.best_tops = max(p.best_tops, tops)
            p.tops_at = now
        else:
            self._slash_bond(challenge, None, now, gmkt)

    def bond_releasable_after(self, challenge: ChallengeModel) -> int | None:
        """The time after which `releaseBond` frees an attestation's bond, or None (none left)."""
        if challenge.subject:
            return None
        if challenge.state == ChallengeState.PASSED:
            return challenge.passed_at + self.params.max_tops_age
        if challenge.state in (ChallengeState.OPEN, ChallengeState.COMMITTED):
            return challenge.commit_deadline + self.params.max_tops_age
        return None

    def release_bond_error(self, challenge: ChallengeModel, now: int) -> str | None:
        cid = challenge.challenge_id
        if challenge.subject:
            return revert_message("BenchmarkRegistryNotAttestation", cid, challenge.subject)
        after = self.bond_releasable_after(challenge)
        if after is None:
            return revert_message("BenchmarkRegistryWrongState", cid, challenge.state)
        if now <= after:
            return revert_message("BenchmarkRegistryBondLocked", cid, after)
        return None

    def release_bond(self, challenge: ChallengeModel) -> int:
        """The bond and bounty back to free stake; a pass's TOPS are cleared unless a later
        verdict's."""
        p = self.providers[challenge.provider]
        if challenge.state == ChallengeState.PASSED and p.tops_at <= challenge.passed_at:
            p.last_tops = 0
        challenge.state = ChallengeState.EXPIRED
        released, challenge.lock = challenge.lock, 0
        p.locked -= released
        p.active_jobs -= 1
        return released

    def _slash_bond(
        self, challenge: ChallengeModel, prover: str | None, now: int, gmkt: str
    ) -> None:
        """An attestation's bond from its lock to the treasury and, with a `prover`, the bounty
        left beside it to the prover; the lock is freed (a FAIL's bounty back to free stake) and
        the slash recorded."""
        cid, provider = challenge.challenge_id, challenge.provider
        self.slash(provider, challenge.bond, self.treasury, cid, challenge, now, gmkt)
        if prover is not None and challenge.lock:
            self.slash(provider, challenge.lock, prover, cid, challenge, now, gmkt)
        p = self.providers[provider]
        p.locked -= challenge.lock
        challenge.lock = 0
        p.active_jobs -= 1
        p.slashed += 1

    # ------------------------------------------------------------ internals

    def _settle(self, job: JobModel) -> None:
        """Pay the provider `value − fee` and the treasury the fee (rounded up); free collateral."""
        value, job.escrow = job.escrow, 0
        fee = bps_up(value, job.matched_terms.protocol_fee_bps)
        job.state = JobState.SETTLED
        p = self.providers[job.winner]
        self._release_lock(job, p)
        p.completed += 1
        if self.is_credited(job.token, value):
            p.credited += 1
        self._release(job, job.winner, value - fee, Payout.PROVIDER)
        self._release(job, self.treasury, fee, Payout.FEE)

    def _fail(self, job: JobModel, now: int, gmkt: str, prover: str | None = None) -> None:
        """Refund the buyer in full and slash the collateral: the buyer's share, the rest to the
        treasury, whatever failed the job; on a proven fraud the prover also gets the bounty."""
        refund, job.escrow = job.escrow, 0
        job.state = JobState.FAILED
        p = self.providers[job.winner]
        if job.collateral:
            buyer_share = bps_down(job.collateral, job.matched_terms.slash_buyer_share_bps)
            if buyer_share:
                self.slash(job.winner, buyer_share, job.buyer, job.job_id, job, now, gmkt)
            if job.collateral > buyer_share:
                self.slash(
                    job.winner,
                    job.collateral - buyer_share,
                    self.treasury,
                    job.job_id,
                    job,
                    now,
                    gmkt,
                )
            if prover is not None and job.bounty:
                self.slash(job.winner, job.bounty, prover, job.job_id, job, now, gmkt)
            p.slashed += 1
        self._release_lock(job, p)
        p.failed += 1
        self._release(job, job.buyer, refund, Payout.REFUND)

    def _release_lock(self, job: JobModel, p: ProviderModel) -> None:
        """Unlock what is left of the lock and free the GPUs, unless the result freed them."""
        p.locked -= job.lock
        job.lock = 0
        self._release_gpus(job, p)
        p.active_jobs -= 1

    def _release_gpus(self, job: JobModel, p: ProviderModel) -> None:
        if job.gpus_held:
            p.gpus_in_use -= job.spec.gpu_count
            job.gpus_held = False

    def _release(self, job: JobModel, to: str, amount: int, kind: Payout) -> None:
        if amount == 0:
            return
        self.escrowed[job.token] -= amount
        self.wallets[(to, job.token)] += amount
        job.paid[kind] += amount
        self.releases.append(Release(job.job_id, to, job.token, amount, kind))


def _valid_spec(spec: JobSpec) -> bool:
    """JobMarket's own checks of a spec (a benchmark's sizes are the registry's:
    `ProtocolModel.benchmark_error`)."""
    return spec.gpu_count != 0 and 60 <= spec.duration <= 365 * DAY


def valid_benchmark(n: int, steps: int, interval: int) -> bool:
    """The PoGEMM shapes BenchmarkRegistry.checkParameters accepts before its caps: n a positive
    multiple of 64, K dividing T."""
    return n != 0 and n % 64 == 0 and interval != 0 and steps != 0 and steps % interval == 0


def _name32(name: str) -> bytes:
    return name.encode().ljust(32, b"\0")
