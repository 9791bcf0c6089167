"""The role matrix: who may call each state-changing function of the six protocol contracts.

A row names one function (or one branch of it, `variant`), its access rule, the call it makes and
the event a successful call emits. An access rule lists the role columns whose call succeeds and
gives the exact revert of every other column. test_role_matrix.py runs every row against every
column and takes the functions from the contracts' ABIs, so a function without a row fails there.

Rules come in three kinds:
- a role (`role`): OpenZeppelin's `AccessControlUnauthorizedAccount(caller, role)` for the rest;
- a relation (`only`): the job's buyer or provider, the verifier, a seated member...; the others
  get the contract's own error;
- open (`anyone`): no access check. A column that cannot succeed gets a revert about its own
  state (no stake, nothing to withdraw), never an access error.

A row's `prepare` may change who holds a role first (the `revoked_writer` variant revokes the
writer's role, so that every column, the writer too, is denied). CONTRACT_ROLE_HOLDERS lists the
roles the deployment grants to the protocol's own contracts (the market locks collateral, the
benchmark registry slashes), which no column plays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from gpumarket.chain.deploy import ADMIN_DELAY, name32
from gpumarket.chain.types import JobSpec, Offer
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.values import set_next_block_timestamp

GMKT = 10**18
MIN_STAKE = 1_000 * GMKT
PROVIDER_STAKE = 5_000 * GMKT
#: Each column's GMKT: a stake of MIN_STAKE and as much again to post jobs and transfer.
FUNDS = 2 * MIN_STAKE
#: What the provider unbonds before the chain skips past the unbonding period.
UNBONDED = 100 * GMKT
#: The buyer's allowance to every column but the stranger, for `transferFrom`.
SPENDER_ALLOWANCE = 10 * GMKT
MAX_PRICE = 2 * GMKT
PRICE = GMKT
#: collateralPerGpuHour (10 GMKT) × 1 GPU × 1 hour.
COLLATERAL = 10 * GMKT
RESULT_HASH = b"\x01" * 32
RESULT_URI = "ipfs://result"
#: The market_role column's collateral lock made in the fixture, and the id of a fresh one.
HELD_LOCK_ID = 1
NEW_LOCK_ID = 2
#: PoGEMM sizes of the attestation challenges: two checkpoints of 64 rows.
BENCH_N, BENCH_STEPS, BENCH_INTERVAL = 64, 1, 1
#: The checkpoint-0 row the provider's forged commitment changes.
FORGED_ROW = 3
#: A council subject with no job behind it; one vote of three does not make it final.
SUBJECT = 1_000_001
VERDICT_OK = 1
TOPS = 100
ZERO32 = b"\0" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
MAX_UINT = 2**256 - 1

#: The accounts each case calls from: the default admin (governance), one fresh account per named
#: role holding that role alone, the verdict source of the market and the benchmark registry, a
#: seated council member, the provider of every job and challenge, the buyer of every job, and an
#: account with no role and no relation.
COLUMNS = (
    "admin",
    "governor",
    "pauser",
    "arbiter",
    "market_role",
    "slasher",
    "writer",
    "opener",
    "oracle_admin",
    "verifier",
    "oracle",
    "provider",
    "buyer",
    "stranger",
)
#: Columns played by a fresh account that holds nothing but its one role (or council seat).
FRESH_COLUMNS = (
    "governor",
    "pauser",
    "market_role",
    "slasher",
    "writer",
    "opener",
    "oracle_admin",
    "oracle",
)
#: The column holding each named role, in every contract that defines it.
ROLE_HOLDERS = {
    "DEFAULT_ADMIN_ROLE": "admin",
    "GOVERNOR_ROLE": "governor",
    "PAUSER_ROLE": "pauser",
    "ARBITER_ROLE": "arbiter",
    "MARKET_ROLE": "market_role",
    "SLASHER_ROLE": "slasher",
    "WRITER_ROLE": "writer",
    "OPENER_ROLE": "opener",
    "ORACLE_ADMIN_ROLE": "oracle_admin",
}
#: The roles the deployment grants to the protocol's own contracts: (contract, role) -> the
#: contracts holding it. No other protocol contract holds any role of another.
CONTRACT_ROLE_HOLDERS = {
    ("ProviderRegistry", "MARKET_ROLE"): {"JobMarket", "BenchmarkRegistry"},
    ("ProviderRegistry", "SLASHER_ROLE"): {"JobMarket", "BenchmarkRegistry"},
    ("Reputation", "WRITER_ROLE"): {"JobMarket", "BenchmarkRegistry"},
    ("BenchmarkRegistry", "OPENER_ROLE"): {"JobMarket"},
}
#: Reverts that mean "not allowed to call this": an open rule may not produce one.
ACCESS_ERRORS = frozenset(
    {
        "AccessControlUnauthorizedAccount",
        "AccessControlInvalidDefaultAdmin",
        "ERC20InsufficientAllowance",
        "JobMarketNotBuyer",
        "JobMarketNotProvider",
        "JobMarketNotVerifier",
        "JobMarketNotBenchmarkRegistry",
        "BenchmarkRegistryNotProvider",
        "BenchmarkRegistryNotVerifier",
        "BenchmarkRegistryNotListed",
        "OracleCouncilNotMember",
    }
)


def role_id(name: str) -> bytes:
    """A role's id: zero for DEFAULT_ADMIN_ROLE, else keccak256 of its name."""
    return ZERO32 if name == "DEFAULT_ADMIN_ROLE" else keccak(text=name)


def role_constants(contract: Any) -> list[str]:
    """The names of a contract's role-id getters (`GOVERNOR_ROLE()`), from its ABI."""
    return [
        entry["name"]
        for entry in contract.abi
        if entry["type"] == "function"
        and entry["name"].endswith("_ROLE")
        and entry["stateMutability"] == "view"
        and not entry["inputs"]
    ]


@dataclass
class World:
    """The deployed protocol brought to the state every row needs, shared by all cases."""

    contracts: dict[str, Any]
    accounts: dict[str, Any]
    treasury: Any
    blacklist_token: Any
    #: The council's other two members (quorum 2 of 3, so one vote is never final).
    council_seats: list = field(default_factory=list)
    jobs: dict[str, int] = field(default_factory=dict)
    challenges: dict[str, int] = field(default_factory=dict)
    #: The provider's collateral locks (jobs and the market_role column's lock).
    active_locks: int = 0
    #: (owner, v, r, s) of a permit from a keyed owner to the stranger for 1 GMKT.
    permit: tuple = ()
    #: (row, values, proof) proving the forged checkpoint-0 row of the committed challenge.
    fraud: tuple = ()

    def __getattr__(self, name: str) -> Any:
        """`world.market`, `world.buyer`: a contract by short name, an account by column."""
        short = {
            "token": "MarketToken",
            "reputation": "Reputation",
            "registry": "ProviderRegistry",
            "market": "JobMarket",
            "benchmark": "BenchmarkRegistry",
            "council": "OracleCouncil",
        }
        if name in short:
            return self.contracts[short[name]]
        if name in COLUMNS:
            return self.accounts[name]
        raise AttributeError(name)


Denial = Callable[[World, Any], str]


@dataclass(frozen=True)
class Access:
    """Who may call: the columns whose call succeeds and the revert every other column gets."""

    rule: str
    allowed: frozenset[str]
    denial: Denial
    open: bool = False


def role(name: str, *holders: str, rule: str = "") -> Access:
    """Needs role `name`, held by the `holders` columns."""
    needed = role_id(name)
    return Access(
        rule or name,
        frozenset(holders),
        lambda w, caller: err("AccessControlUnauthorizedAccount", caller, needed),
    )


def only(rule: str, allowed: set[str], denial: Denial) -> Access:
    """A relation to the call's subject, not a role: the contract's own error for the rest."""
    return Access(rule, frozenset(allowed), denial)


def anyone(
    allowed: set[str] | None = None, denial: Denial | None = None, rule: str = "anyone"
) -> Access:
    """No access check; `denial` is the state revert of the columns not in `allowed`."""
    if allowed is None:
        allowed = set(COLUMNS)
    if denial is None:

        def denial(w: World, caller: Any) -> str:
            raise AssertionError("every column succeeds")

    return Access(rule, frozenset(allowed), denial, open=True)


ADMIN = role("DEFAULT_ADMIN_ROLE", "admin")

Invoke = Callable[[World, Any], tuple[Any, tuple]]
Prepare = Callable[[World, "Row"], None]


@dataclass(frozen=True)
class Row:
    """One function (or branch of it), its rule, its call `(method, args)` and its event."""

    contract: str
    function: str
    access: Access
    invoke: Invoke
    event: str | None
    variant: str = ""
    #: Runs before every column's call (pause before `unpause`, nominate before `accept`).
    prepare: Prepare | None = None

    @property
    def id(self) -> str:
        return f"{self.contract}.{self.function}" + (f":{self.variant}" if self.variant else "")


# ---------------------------------------------------------------- preparations


def _pause(w: World, row: Row) -> None:
    w.contracts[row.contract].pause({"from": w.admin})


def _nominate_stranger(w: World, row: Row) -> Any:
    return w.contracts[row.contract].beginDefaultAdminTransfer(w.stranger, {"from": w.admin})


def _nominate_stranger_and_wait(w: World, row: Row) -> None:
    scheduled = _nominate_stranger(w, row)
    # Accepted only once block.timestamp is past the schedule (OpenZeppelin: schedule < now).
    set_next_block_timestamp(scheduled.timestamp + ADMIN_DELAY + 1)


def _lower_admin_delay(w: World, row: Row) -> None:
    w.contracts[row.contract].changeDefaultAdminDelay(ADMIN_DELAY // 2, {"from": w.admin})


def _verify_tops(w: World, row: Row) -> None:
    w.reputation.recordVerifiedTops(w.provider, TOPS, {"from": w.writer})


def _past_the_open_attestations_bond(w: World, row: Row) -> None:
    """The open attestation was never judged: its bond is due once `maxTopsAge` has passed
    since its commit deadline."""
    deadline = w.benchmark.challengeOf(w.challenges["open"])["commitDeadline"]
    set_next_block_timestamp(deadline + w.reputation.maxTopsAge() + 1)


def _revoke_from_holder(role_name: str) -> Prepare:
    """The admin revokes `role_name` from the column holding it, in the row's contract."""

    def revoke(w: World, row: Row) -> None:
        holder = w.accounts[ROLE_HOLDERS[role_name]]
        w.contracts[row.contract].revokeRole(role_id(role_name), holder, {"from": w.admin})

    return revoke


# ---------------------------------------------------------------- rows


def access_control_rows(contract: str, role_name: str) -> list[Row]:
    """AccessControlDefaultAdminRules' functions; role management on `role_name`."""
    rid = role_id(role_name)
    holder = ROLE_HOLDERS[role_name]

    def c(w: World) -> Any:
        return w.contracts[contract]

    nominee = only(
        "the pending default admin, after the delay (the stranger is nominated)",
        {"stranger"},
        lambda w, caller: err("AccessControlInvalidDefaultAdmin", caller),
    )
    return [
        Row(contract, "grantRole", ADMIN, lambda w, a: (c(w).grantRole, (rid, w.stranger)),
            "RoleGranted"),
        Row(contract, "revokeRole", ADMIN,
            lambda w, a: (c(w).revokeRole, (rid, w.accounts[holder])), "RoleRevoked"),
        # Anyone renounces a role for itself; for a non-holder it is a no-op, without an event.
        Row(contract, "renounceRole", anyone(), lambda w, a: (c(w).renounceRole, (rid, a)), None),
        Row(contract, "beginDefaultAdminTransfer", ADMIN,
            lambda w, a: (c(w).beginDefaultAdminTransfer, (w.stranger,)),
            "DefaultAdminTransferScheduled"),
        Row(contract, "cancelDefaultAdminTransfer", ADMIN,
            lambda w, a: (c(w).cancelDefaultAdminTransfer, ()), "DefaultAdminTransferCanceled",
            prepare=_nominate_stranger),
        Row(contract, "acceptDefaultAdminTransfer", nominee,
            lambda w, a: (c(w).acceptDefaultAdminTransfer, ()), "RoleGranted",
            prepare=_nominate_stranger_and_wait),
        Row(contract, "changeDefaultAdminDelay", ADMIN,
            lambda w, a: (c(w).changeDefaultAdminDelay, (ADMIN_DELAY // 2,)),
            "DefaultAdminDelayChangeScheduled"),
        Row(contract, "rollbackDefaultAdminDelay", ADMIN,
            lambda w, a: (c(w).rollbackDefaultAdminDelay, ()), "DefaultAdminDelayChangeCanceled",
            prepare=_lower_admin_delay),
    ]  # fmt: skip


def _not_buyer(job: str) -> Denial:
    return lambda w, caller: err("JobMarketNotBuyer", w.jobs[job], caller)


def _not_provider(job: str) -> Denial:
    return lambda w, caller: err("JobMarketNotProvider", w.jobs[job], caller)


def _post_args(w: World) -> tuple:
    return (JobSpec().as_tuple(), w.token, MAX_PRICE, 3600, ZERO_ADDRESS)


def _deregister_denial(w: World, caller: Any) -> str:
    if caller == w.provider:
        return err("ProviderRegistryHasActiveJobs", caller, w.active_locks)
    return err("ProviderRegistryNotRegistered", caller)


WRITER = role("WRITER_ROLE", "writer")
REGISTRY_GOVERNOR = role("GOVERNOR_ROLE", "admin", "governor")
PAUSER = role("PAUSER_ROLE", "admin", "pauser")

TOKEN_ROWS = [
    Row("MarketToken", "approve", anyone(), lambda w, a: (w.token.approve, (w.stranger, GMKT)),
        "Approval"),
    Row("MarketToken", "transfer", anyone(), lambda w, a: (w.token.transfer, (w.stranger, GMKT)),
        "Transfer"),
    Row("MarketToken", "transferFrom",
        only("a spender the holder approved (the buyer approved every column but the stranger)",
             set(COLUMNS) - {"stranger"},
             lambda w, caller: err("ERC20InsufficientAllowance", caller, 0, GMKT)),
        lambda w, a: (w.token.transferFrom, (w.buyer, w.stranger, GMKT)), "Transfer"),
    Row("MarketToken", "permit", anyone(), lambda w, a: (w.token.permit, (
        w.permit[0], w.stranger, GMKT, MAX_UINT, *w.permit[1:])), "Approval"),
]  # fmt: skip

REPUTATION_ROWS = [
    Row("Reputation", "recordSuccess", WRITER,
        lambda w, a: (w.reputation.recordSuccess, (w.provider, w.token, GMKT)), "JobCompleted"),
    Row("Reputation", "recordFailure", WRITER,
        lambda w, a: (w.reputation.recordFailure, (w.provider,)), "JobFailed"),
    # Once WRITER_ROLE is revoked from the writer, no column writes, the writer included.
    Row("Reputation", "recordFailure",
        role("WRITER_ROLE", rule="WRITER_ROLE, revoked from the writer"),
        lambda w, a: (w.reputation.recordFailure, (w.provider,)), "JobFailed",
        variant="revoked_writer", prepare=_revoke_from_holder("WRITER_ROLE")),
    Row("Reputation", "recordSlash", WRITER,
        lambda w, a: (w.reputation.recordSlash, (w.provider,)), "ProviderSlashed"),
    Row("Reputation", "recordProviderDisputeLost", WRITER,
        lambda w, a: (w.reputation.recordProviderDisputeLost, (w.provider,)),
        "ProviderDisputeLost"),
    Row("Reputation", "recordVerifiedTops", WRITER,
        lambda w, a: (w.reputation.recordVerifiedTops, (w.provider, TOPS)), "TopsVerified"),
    Row("Reputation", "recordJobPosted", WRITER,
        lambda w, a: (w.reputation.recordJobPosted, (w.buyer,)), "BuyerJobPosted"),
    Row("Reputation", "recordBuyerDispute", WRITER,
        lambda w, a: (w.reputation.recordBuyerDispute, (w.buyer, False, 3)),
        "BuyerDisputeSettled"),
    Row("Reputation", "setMinCreditedValue", role("GOVERNOR_ROLE", "admin", "governor"),
        lambda w, a: (w.reputation.setMinCreditedValue, (w.token, GMKT)), "ParameterUpdated"),
    Row("Reputation", "setParameter", role("GOVERNOR_ROLE", "admin", "governor"),
        lambda w, a: (w.reputation.setParameter, (name32("maxTopsAge"), 86_400)),
        "ParameterUpdated"),
    Row("Reputation", "clearVerifiedTops", WRITER,
        lambda w, a: (w.reputation.clearVerifiedTops, (w.provider, 2**64 - 1)),
        "VerifiedTopsCleared", prepare=_verify_tops),
    *access_control_rows("Reputation", "WRITER_ROLE"),
]  # fmt: skip

REGISTRY_ROWS = [
    Row("ProviderRegistry", "stake", anyone(), lambda w, a: (w.registry.stake, (GMKT,)), "Staked"),
    Row("ProviderRegistry", "requestUnstake", anyone(),
        lambda w, a: (w.registry.requestUnstake, (GMKT,)), "UnstakeRequested"),
    Row("ProviderRegistry", "withdraw",
        anyone({"provider"}, lambda w, caller: err("ProviderRegistryNothingToWithdraw", caller),
               "anyone, its own matured unbonding"),
        lambda w, a: (w.registry.withdraw, ()), "Withdrawn"),
    Row("ProviderRegistry", "register",
        anyone(set(COLUMNS) - {"provider"},
               lambda w, caller: err("ProviderRegistryAlreadyRegistered", caller),
               "anyone with minStake bonded, once"),
        lambda w, a: (w.registry.register, (Offer().as_tuple(), [w.token], [GMKT])),
        "ProviderRegistered"),
    Row("ProviderRegistry", "updateOffer",
        anyone({"provider"}, lambda w, caller: err("ProviderRegistryNotRegistered", caller),
               "anyone registered, its own offer"),
        lambda w, a: (w.registry.updateOffer, (Offer(vram_gib=96).as_tuple(), [], [])),
        "OfferUpdated"),
    Row("ProviderRegistry", "deregister", anyone(set(), _deregister_denial,
               "anyone registered without active jobs, its own listing"),
        lambda w, a: (w.registry.deregister, ()), "ProviderDeregistered"),
    Row("ProviderRegistry", "lockCollateral", role("MARKET_ROLE", "market_role"),
        lambda w, a: (w.registry.lockCollateral, (w.provider, NEW_LOCK_ID, COLLATERAL, 1)),
        "CollateralLocked"),
    Row("ProviderRegistry", "releaseCapacity", role("MARKET_ROLE", "market_role"),
        lambda w, a: (w.registry.releaseCapacity, (HELD_LOCK_ID,)), "CapacityReleased"),
    Row("ProviderRegistry", "releaseCollateral", role("MARKET_ROLE", "market_role"),
        lambda w, a: (w.registry.releaseCollateral, (HELD_LOCK_ID,)), "CollateralReleased"),
    Row("ProviderRegistry", "slash", role("SLASHER_ROLE", "slasher"),
        lambda w, a: (w.registry.slash, (w.provider, GMKT, w.treasury, 0)), "StakeSlashed"),
    Row("ProviderRegistry", "setParameter", REGISTRY_GOVERNOR,
        lambda w, a: (w.registry.setParameter, (name32("jailPeriod"), 3600)),
        "ParameterUpdated"),
    Row("ProviderRegistry", "setMarketWindows", ADMIN,
        lambda w, a: (w.registry.setMarketWindows, (w.market,)), "MarketWindowsSourceSet"),
    Row("ProviderRegistry", "pause", PAUSER, lambda w, a: (w.registry.pause, ()), "Paused"),
    Row("ProviderRegistry", "unpause", PAUSER, lambda w, a: (w.registry.unpause, ()), "Unpaused",
        prepare=_pause),
    *access_control_rows("ProviderRegistry", "SLASHER_ROLE"),
]  # fmt: skip

MARKET_ROWS = [
    Row("JobMarket", "postJob", anyone(), lambda w, a: (w.market.postJob, _post_args(w)),
        "JobPosted"),
    # An invalid permit is skipped; the deposit then comes from the standing allowance.
    Row("JobMarket", "postJobWithPermit", anyone(),
        lambda w, a: (w.market.postJobWithPermit, (*_post_args(w), 0, 0, ZERO32, ZERO32)),
        "JobPosted"),
    Row("JobMarket", "bid",
        anyone({"provider"},
               lambda w, caller: err("JobMarketNotEligible", w.jobs["open"], caller),
               "any provider eligible for the job"),
        lambda w, a: (w.market.bid, (w.jobs["open"], PRICE)), "BidPlaced"),
    Row("JobMarket", "acceptBid", only("the job's buyer", {"buyer"}, _not_buyer("bid_on")),
        lambda w, a: (w.market.acceptBid, (w.jobs["bid_on"], w.provider)), "JobMatched"),
    Row("JobMarket", "closeAuction", anyone(),
        lambda w, a: (w.market.closeAuction, (w.jobs["auction"],)), "JobMatched"),
    Row("JobMarket", "acceptJob", only("the job's provider", {"provider"}, _not_provider("direct")),
        lambda w, a: (w.market.acceptJob, (w.jobs["direct"],)), "JobMatched"),
    Row("JobMarket", "cancel", only("the job's buyer", {"buyer"}, _not_buyer("open")),
        lambda w, a: (w.market.cancel, (w.jobs["open"],)), "JobCancelled"),
    Row("JobMarket", "submitResult",
        only("the job's provider", {"provider"}, _not_provider("running")),
        lambda w, a: (w.market.submitResult, (w.jobs["running"], RESULT_HASH, RESULT_URI)),
        "ResultSubmitted"),
    Row("JobMarket", "recordVerdict",
        only("the verifier", {"verifier"},
             lambda w, caller: err("JobMarketNotVerifier", caller)),
        lambda w, a: (w.market.recordVerdict, (w.jobs["submitted"], True)), "VerdictRecorded"),
    Row("JobMarket", "finalize", anyone(),
        lambda w, a: (w.market.finalize, (w.jobs["settleable"],)), "JobSettled"),
    Row("JobMarket", "claimTimeout", anyone(),
        lambda w, a: (w.market.claimTimeout, (w.jobs["overdue"],)), "JobFailed"),
    Row("JobMarket", "onBenchmarkFraud",
        only("the BenchmarkRegistry contract", set(),
             lambda w, caller: err("JobMarketNotBenchmarkRegistry", caller)),
        lambda w, a: (w.market.onBenchmarkFraud, (w.jobs["running"], a)), "JobFailed"),
    Row("JobMarket", "dispute", only("the job's buyer", {"buyer"}, _not_buyer("submitted")),
        lambda w, a: (w.market.dispute, (w.jobs["submitted"],)), "DisputeOpened"),
    Row("JobMarket", "resolveDispute", role("ARBITER_ROLE", "arbiter"),
        lambda w, a: (w.market.resolveDispute, (w.jobs["disputed"], False)), "DisputeResolved"),
    Row("JobMarket", "claim",
        anyone({"buyer"},
               lambda w, caller: err("JobMarketNothingToClaim", caller, w.blacklist_token),
               "anyone, its own refused payouts"),
        lambda w, a: (w.market.claim, (w.blacklist_token, w.buyer)), "Claimed"),
    Row("JobMarket", "setParameter", role("GOVERNOR_ROLE", "admin", "governor"),
        lambda w, a: (w.market.setParameter, (name32("protocolFeeBps"), 100)),
        "ParameterUpdated"),
    Row("JobMarket", "setAddress", ADMIN,
        lambda w, a: (w.market.setAddress, (name32("treasury"), w.treasury)), "AddressUpdated"),
    Row("JobMarket", "configureToken", role("GOVERNOR_ROLE", "admin", "governor"),
        lambda w, a: (w.market.configureToken, (w.token, True, GMKT)), "TokenConfigured"),
    Row("JobMarket", "pause", PAUSER, lambda w, a: (w.market.pause, ()), "Paused"),
    Row("JobMarket", "unpause", PAUSER, lambda w, a: (w.market.unpause, ()), "Unpaused",
        prepare=_pause),
    *access_control_rows("JobMarket", "ARBITER_ROLE"),
]  # fmt: skip


def _open_args(subject: int) -> Invoke:
    """`open(subject, provider, ...)`; subject 0 with the provider is its own attestation."""

    def invoke(w: World, caller: Any) -> tuple[Any, tuple]:
        return w.benchmark.open, (subject, w.provider, BENCH_N, BENCH_STEPS, BENCH_INTERVAL)

    return invoke


BENCHMARK_ROWS = [
    Row("BenchmarkRegistry", "open", role("OPENER_ROLE", "opener"), _open_args(1),
        "ChallengeOpened", variant="job"),
    # The provider may open an attestation of itself; anyone else needs OPENER_ROLE.
    Row("BenchmarkRegistry", "open",
        role("OPENER_ROLE", "opener", "provider", rule="OPENER_ROLE, or the provider itself"),
        _open_args(0), "ChallengeOpened", variant="attestation"),
    Row("BenchmarkRegistry", "open",
        only("a listed provider, for itself", {"provider"},
             lambda w, caller: err("BenchmarkRegistryNotListed", caller)),
        lambda w, a: (w.benchmark.open, (0, a, BENCH_N, BENCH_STEPS, BENCH_INTERVAL)),
        "ChallengeOpened", variant="self_attestation"),
    Row("BenchmarkRegistry", "commit",
        only("the challenge's provider", {"provider"},
             lambda w, caller: err("BenchmarkRegistryNotProvider", w.challenges["open"], caller)),
        lambda w, a: (w.benchmark.commit, (w.challenges["open"], RESULT_HASH)),
        "ChallengeCommitted"),
    Row("BenchmarkRegistry", "storeChallengeSeed", anyone(),
        lambda w, a: (w.benchmark.storeChallengeSeed, (w.challenges["open"],)),
        "ChallengeSeedStored"),
    Row("BenchmarkRegistry", "storeSamplingSeed", anyone(),
        lambda w, a: (w.benchmark.storeSamplingSeed, (w.challenges["committed"],)),
        "SamplingSeedStored"),
    Row("BenchmarkRegistry", "proveFraud", anyone(),
        lambda w, a: (w.benchmark.proveFraud, (w.challenges["committed"], *w.fraud)),
        "FraudProven"),
    Row("BenchmarkRegistry", "releaseBond", anyone(),
        lambda w, a: (w.benchmark.releaseBond, (w.challenges["open"],)), "BondReleased",
        prepare=_past_the_open_attestations_bond),
    Row("BenchmarkRegistry", "recordAttestation",
        only("the verifier", {"verifier"},
             lambda w, caller: err("BenchmarkRegistryNotVerifier", caller)),
        lambda w, a: (w.benchmark.recordAttestation, (w.challenges["committed"], True, TOPS)),
        "AttestationVerdict"),
    Row("BenchmarkRegistry", "setParameter", role("GOVERNOR_ROLE", "admin", "governor"),
        lambda w, a: (w.benchmark.setParameter, (name32("benchmarkWindow"), 7200)),
        "ParameterUpdated"),
    Row("BenchmarkRegistry", "setAddress", ADMIN,
        lambda w, a: (w.benchmark.setAddress, (name32("treasury"), w.treasury)),
        "AddressUpdated"),
    *access_control_rows("BenchmarkRegistry", "OPENER_ROLE"),
]  # fmt: skip


def _council_members(w: World) -> list:
    return [w.oracle, *w.council_seats]


COUNCIL_ROWS = [
    Row("OracleCouncil", "setConfig", role("ORACLE_ADMIN_ROLE", "admin", "oracle_admin"),
        lambda w, a: (w.council.setConfig, (_council_members(w), 2)), "ConfigUpdated"),
    Row("OracleCouncil", "vote",
        only("a seated member", {"oracle"},
             lambda w, caller: err("OracleCouncilNotMember", caller)),
        lambda w, a: (w.council.vote, (SUBJECT, 1, VERDICT_OK, TOPS, ZERO32)), "VoteCast"),
    Row("OracleCouncil", "voteBatch",
        only("a seated member", {"oracle"},
             lambda w, caller: err("OracleCouncilNotMember", caller)),
        lambda w, a: (w.council.voteBatch, (1, [(SUBJECT, VERDICT_OK, TOPS, ZERO32)])),
        "VoteCast"),
    Row("OracleCouncil", "setParameter", role("GOVERNOR_ROLE", "admin", "governor"),
        lambda w, a: (w.council.setParameter, (name32("callbackGas"), 500_000)),
        "ParameterUpdated"),
    Row("OracleCouncil", "setAddress", ADMIN,
        lambda w, a: (w.council.setAddress, (name32("market"), w.market)), "AddressUpdated"),
    *access_control_rows("OracleCouncil", "ORACLE_ADMIN_ROLE"),
]  # fmt: skip

MATRIX: list[Row] = [
    *TOKEN_ROWS,
    *REPUTATION_ROWS,
    *REGISTRY_ROWS,
    *MARKET_ROWS,
    *BENCHMARK_ROWS,
    *COUNCIL_ROWS,
]


def rows_by_function() -> dict[tuple[str, str], list[Row]]:
    """The matrix's rows under (contract, function)."""
    rows: dict[tuple[str, str], list[Row]] = {}
    for row in MATRIX:
        rows.setdefault((row.contract, row.function), []).append(row)
    return rows
