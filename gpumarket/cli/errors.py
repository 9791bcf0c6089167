"""The contracts' custom errors as sentences for people.

The CLI validates what it can before sending, then relies on the pre-flight `eth_estimateGas` of
ChainClient.transact for the rest: the revert data it decodes (`Name`, args) becomes one sentence
here. An error without a sentence is still shown by name with its arguments, never swallowed.

Every error carries a code for scripts (under --json it is printed as `{"error", "code"}`): a
contract's custom error keeps its name (`JobMarketWrongState`), whether the CLI saw it coming or
the pre-flight decoded it; the rest say what kind of failure it is: `bad_input` (a value the CLI
cannot use), `usage` (click's: an unknown option, a missing argument), `account`, `deployment`,
`wrong_network`, `rpc_unavailable`, `chain_error`, `insufficient_balance`,
`insufficient_allowance`, `no_gas`, `missing_role`, `paused`, `not_a_dev_chain`,
`result_chain_check`, `result_fetch_check`, `result_hash_check`, `reverted` (a revert without
a reason the CLI knows), `not_confirmed` (on a chain that is not a dev chain the sender did not
confirm a transaction, or there was no one to ask and no --yes), and `refused` for any other
refusal of the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click

from gpumarket.chain.types import JobState
from gpumarket.cli.units import format_time


class CliError(click.ClickException):
    """One sentence on stderr and exit code 1; nothing was sent (unless the sentence says so).
    `code` names the kind of failure (the module's list)."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


def _identity(value: int) -> str:
    return str(value)


@dataclass(frozen=True)
class Hints:
    """What a command knows that turns raw error arguments into words.

    `needs`: the job states the action needs; `amount`: formats the job token's units; `stake`:
    formats staking-token (GMKT) units; `names`: labels of known addresses (tokens, contracts).
    """

    needs: tuple[JobState, ...] = ()
    amount: Callable[[int], str] = _identity
    stake: Callable[[int], str] = _identity
    names: dict[str, str] = field(default_factory=dict)

    def name(self, address: Any) -> str:
        text = str(address)
        return self.names.get(text.lower(), text)


def state_name(state: int) -> str:
    try:
        return JobState(int(state)).name
    except ValueError:
        return f"state {state}"


def needs_text(needs: tuple[JobState, ...]) -> str:
    return " or ".join(s.name for s in needs)


def wrong_state(job_id: int, state: int, needs: tuple[JobState, ...]) -> str:
    sentence = f"job {job_id} is {state_name(state)}"
    return f"{sentence}; this needs {needs_text(needs)}" if needs else sentence


def _name32(raw: Any) -> str:
    return bytes(raw).rstrip(b"\0").decode("ascii", "replace")


def _unknown_parameter(contract: str, name: Any) -> str:
    return f"{contract} has no parameter {_name32(name)!r}"


def _out_of_bounds(args: tuple[Any, ...], hints: Hints) -> str:
    """(name, value, min, max); `hints.amount` formats the parameter's unit."""
    name, value, low, high = args
    return (
        f"{_name32(name)} {hints.amount(value)} is out of bounds: it must be between "
        f"{hints.amount(low)} and {hints.amount(high)}"
    )


#: What each benchmark cap bounds, in words.
_CAPPED = {
    "maxN": "N",
    "maxSteps": "T",
    "maxInterval": "K",
    "maxSampleOps": "K x N^2, an oracle's multiply-adds per sample,",
    "maxProverOps": "T x N^3, the prover's multiply-adds within the benchmark window,",
}


def _cap_exceeded(args: tuple[Any, ...]) -> str:
    """(cap, value, limit) of BenchmarkRegistryCapExceeded."""
    cap, value, limit = _name32(args[0]), args[1], args[2]
    what = _CAPPED.get(cap, cap)
    return (
        f"benchmark {what} is {value:,}, over the benchmark registry's cap {cap} of {limit:,}"
    )


_NOT_ELIGIBLE = (
    "{p} is not eligible for job {j}: check the offer (GPU model, region, VRAM, free GPUs), the "
    "price in the job's token, the free stake for collateral, jail and reputation"
)

#: name -> sentence builder(args, hints).
_SENTENCES: dict[str, Callable[[tuple[Any, ...], Hints], str]] = {
    # ---- JobMarket
    "JobMarketUnknownJob": lambda a, h: f"there is no job {a[0]}",
    "JobMarketWrongState": lambda a, h: wrong_state(a[0], a[1], h.needs),
    "JobMarketTokenNotAllowed": lambda a, h: (
        f"token {h.name(a[0])} is not allowlisted by the market"
    ),
    "JobMarketFeeOnTransfer": lambda a, h: (
        f"token {h.name(a[0])} charges a fee on transfer ({h.amount(a[2])} arrived of "
        f"{h.amount(a[1])}); the market refuses such tokens"
    ),
    "JobMarketInvalidSpec": lambda a, h: (
        "the job spec is invalid: it needs at least one GPU and a duration between 1 minute and "
        "365 days"
    ),
    "JobMarketInvalidPrice": lambda a, h: (
        f"price {h.amount(a[0])} is not allowed: it must be more than zero and at most the max "
        f"price {h.amount(a[1])}"
    ),
    "JobMarketInvalidBiddingPeriod": lambda a, h: (
        f"bidding period of {a[0]} seconds is outside the market's bounds"
    ),
    "JobMarketBuyerBlacklisted": lambda a, h: (
        f"buyer {a[0]} is blacklisted after too many lost disputes and cannot post jobs"
    ),
    "JobMarketNotBuyer": lambda a, h: f"{a[1]} is not the buyer of job {a[0]}",
    "JobMarketNotProvider": lambda a, h: f"{a[1]} is not the provider of job {a[0]}",
    "JobMarketDirectAssignment": lambda a, h: (
        f"job {a[0]} is a direct assignment: only its provider can take it, with "
        "`gpumarket provider accept`"
    ),
    "JobMarketBiddingClosed": lambda a, h: f"bidding on job {a[0]} closed at {format_time(a[1])}",
    "JobMarketBiddingOpen": lambda a, h: (
        f"bidding on job {a[0]} is open until {format_time(a[1])}; close the auction after that"
    ),
    "JobMarketTooManyBids": lambda a, h: (
        f"job {a[0]} already has the most bids allowed ({a[1]}); a bid below the highest one "
        "takes its place"
    ),
    "JobMarketBidNotLower": lambda a, h: (
        f"a new bid on job {a[0]} must be lower than the current one ({h.amount(a[1])}); "
        f"{h.amount(a[2])} is not"
    ),
    "JobMarketNotEligible": lambda a, h: _NOT_ELIGIBLE.format(p=a[1], j=a[0]),
    "JobMarketNoBid": lambda a, h: f"{a[1]} has no bid on job {a[0]}",
    "JobMarketHasBids": lambda a, h: (
        f"job {a[0]} has bids: accept one, or `gpumarket buyer close {a[0]}` after the bidding "
        "ends (it cancels the job with a full refund if no bid is eligible)"
    ),
    "JobMarketDeadlinePassed": lambda a, h: (
        f"the deadline of job {a[0]} passed at {format_time(a[1])}"
    ),
    "JobMarketDeadlineNotReached": lambda a, h: (
        f"job {a[0]} cannot be settled before {format_time(a[1])}"
    ),
    "JobMarketNothingToClaim": lambda a, h: f"{a[0]} has nothing to claim in {h.name(a[1])}",
    "JobMarketUnknownParameter": lambda a, h: _unknown_parameter("JobMarket", a[0]),
    "JobMarketParameterOutOfBounds": lambda a, h: _out_of_bounds(a, h),
    # ---- ProviderRegistry
    "ProviderRegistryZeroAmount": lambda a, h: "the amount must be more than zero",
    "ProviderRegistryInsufficientFreeStake": lambda a, h: (
        f"{a[0]} has {h.stake(a[2])} of free stake; {h.stake(a[1])} is needed"
    ),
    "ProviderRegistryInsufficientStake": lambda a, h: (
        f"{a[0]} has {h.stake(a[1])} staked, below the minimum of {h.stake(a[2])}; "
        "stake more with `gpumarket provider stake`"
    ),
    "ProviderRegistryAlreadyRegistered": lambda a, h: (
        f"{a[0]} is already registered; change the offer with `gpumarket provider update`"
    ),
    "ProviderRegistryNotRegistered": lambda a, h: (
        f"{a[0]} is not a registered provider; register with `gpumarket provider register`"
    ),
    "ProviderRegistryInvalidOffer": lambda a, h: (
        "the offer is invalid: it needs a GPU model, a GPU count (not below the GPUs in use), "
        "VRAM and a region"
    ),
    "ProviderRegistryLengthMismatch": lambda a, h: f"{a[0]} tokens but {a[1]} prices were given",
    "ProviderRegistryHasActiveJobs": lambda a, h: f"{a[0]} has {a[1]} active jobs",
    "ProviderRegistryNothingToWithdraw": lambda a, h: f"{a[0]} has no released stake to withdraw",
    "ProviderRegistryTooManyUnbondingEntries": lambda a, h: (
        f"{a[0]} already has {a[1]} unbonding entries; withdraw released ones first"
    ),
    "ProviderRegistryInsufficientCapacity": lambda a, h: (
        f"{a[0]} has {a[2]} free GPUs; {a[1]} are needed"
    ),
    "ProviderRegistryJailed": lambda a, h: f"{a[0]} is jailed until {format_time(a[1])}",
    "ProviderRegistryUnknownParameter": lambda a, h: _unknown_parameter("ProviderRegistry", a[0]),
    "ProviderRegistryParameterOutOfBounds": lambda a, h: _out_of_bounds(a, h),
    "JobMarketNoBenchmarkRegistry": lambda a, h: (
        "the market has no benchmark registry yet, so it takes no job that requires a benchmark"
    ),
    # ---- BenchmarkRegistry, OracleCouncil
    "BenchmarkRegistryInvalidParameters": lambda a, h: (
        f"benchmark N={a[0]}, T={a[1]}, K={a[2]} is not a PoGEMM: N must be a positive multiple "
        "of 64, and K a positive divisor of T"
    ),
    "BenchmarkRegistryCapExceeded": lambda a, h: _cap_exceeded(a),
    "BenchmarkRegistryUnknownParameter": lambda a, h: _unknown_parameter("BenchmarkRegistry", a[0]),
    "BenchmarkRegistryParameterOutOfBounds": lambda a, h: _out_of_bounds(a, h),
    "BenchmarkRegistryBondLocked": lambda a, h: (
        f"attestation {a[0]}'s bond stays locked until {format_time(a[1])}: its verified TOPS "
        "(or its verdict) may still be answered for until then"
    ),
    "ReputationUnknownParameter": lambda a, h: _unknown_parameter("Reputation", a[0]),
    "ReputationParameterOutOfBounds": lambda a, h: _out_of_bounds(a, h),
    "OracleCouncilUnknownParameter": lambda a, h: _unknown_parameter("OracleCouncil", a[0]),
    "OracleCouncilParameterOutOfBounds": lambda a, h: _out_of_bounds(a, h),
    # ---- OpenZeppelin
    "EnforcedPause": lambda a, h: "the contract is paused; try again once it is unpaused",
    "ExpectedPause": lambda a, h: "the contract is not paused",
    "ERC20InsufficientBalance": lambda a, h: (
        f"{a[0]} holds {h.amount(a[1])}; {h.amount(a[2])} is needed"
    ),
    "ERC20InsufficientAllowance": lambda a, h: (
        f"the allowance of {h.name(a[0])} is {h.amount(a[1])}; {h.amount(a[2])} is needed"
    ),
    "AccessControlUnauthorizedAccount": lambda a, h: (
        f"{a[0]} lacks the role 0x{bytes(a[1]).hex()} this needs"
    ),
    "SafeERC20FailedOperation": lambda a, h: f"token {h.name(a[0])} refused the transfer",
    "Error": lambda a, h: f"the contract refused: {a[0]}",
}


def refusal(decoded: tuple[str, tuple[Any, ...]] | None, hints: Hints | None = None) -> CliError:
    """The error for a contract's custom error `(name, args)`, seen coming or decoded from a
    pre-flight: its sentence, and its name as the code."""
    return CliError(explain(decoded, hints), code=decoded[0] if decoded else "reverted")


def explain(decoded: tuple[str, tuple[Any, ...]] | None, hints: Hints | None = None) -> str:
    """One sentence for a decoded revert, or the error's name and arguments if it has none."""
    hints = hints or Hints()
    if decoded is None:
        return "the transaction would revert without a reason the CLI knows"
    name, args = decoded
    builder = _SENTENCES.get(name)
    if builder is not None:
        try:
            return builder(args, hints)
        except (IndexError, TypeError, ValueError):  # malformed revert data: fall back to names
            pass
    shown = ", ".join("0x" + a.hex() if isinstance(a, bytes) else str(a) for a in args)
    return f"the transaction would revert with {name}({shown})"
