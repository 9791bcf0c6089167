"""`gpumarket buyer watch JOB`: follow one job live, a line per event, until it is over or a
deadline needs the buyer.

The job's history is printed first (its events since the deploy block), then each new block is
polled for more: the market's events of the job, the council's votes and verdict on it and its
benchmark challenge's. After each poll the job's state and deadlines are read from the
contracts' views (`resultDeadlineOf`, `windowEndOf`, `arbitrationEndOf`, the job's bidding end),
never recomputed, and the watch stops:

- exit 0 when the job is over (SETTLED, FAILED or CANCELLED);
- exit 3 when a deadline needs the buyer: bidding ended on an auction (close or cancel it), the
  result is overdue (`buyer timeout` refunds), the result is in while the dispute window is open
  (check it, dispute it), the window closed (`buyer finalize`), or the arbitration timed out.
  `--until-settled` keeps following through an open dispute window.

With --json each event and the final word is one JSON object on its own line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.types import JobState, Payout, Verdict
from gpumarket.chain.views import ZERO_ADDRESS, Job
from gpumarket.cli.display import short_address, wide_option
from gpumarket.cli.jobs import job_of
from gpumarket.cli.options import chain_command
from gpumarket.cli.units import format_time, iso_time, time_json, time_left

if TYPE_CHECKING:
    from web3.types import EventData

    from gpumarket.cli.session import Session

#: Exit code of a watch that stopped because a deadline needs the buyer.
NEEDS_BUYER = 3
#: The states a job ends in.
FINAL = (JobState.SETTLED, JobState.FAILED, JobState.CANCELLED)
#: Waits between polls (tests replace it).
_sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Stop:
    """Why the watch ends: `reason` (a word for scripts), the sentence, and the deadline."""

    reason: str
    message: str
    deadline: int = 0

    @property
    def exit_code(self) -> int:
        return 0 if self.reason in ("settled", "failed", "cancelled") else NEEDS_BUYER


class Watch:
    """One job's events and stopping rule."""

    def __init__(self, session: Session, job_id: int, wide: bool) -> None:
        self.session = session
        self.job_id = job_id
        self.wide = wide
        self.job = job_of(session, job_id)
        self.token = session.token(self.job.token)
        council = session.contract("OracleCouncil").functions
        self.subject = int(session.call(council.jobSubject(job_id)))
        self.challenge = 0
        self._times: dict[int, int] = {}

    # ---- which events are the job's

    def _challenge_id(self) -> int:
        if not self.challenge:
            market = self.session.contract("JobMarket").functions
            self.challenge = int(self.session.call(market.challengeOfJob(self.job_id)))
        return self.challenge

    def mine(self, name: str, entry: EventData) -> bool:
        args = entry["args"]
        if "jobId" in args:
            return int(args["jobId"]) == self.job_id
        if name in ("VoteCast", "VoteSkipped", "VerdictReached", "CallbackFailed"):
            return int(args["subject"]) == self.subject
        if "challengeId" in args:
            challenge = self._challenge_id()
            return bool(challenge) and int(args["challengeId"]) == challenge
        return False

    # ---- lines

    def when(self, block: int) -> int:
        if block not in self._times:
            client = self.session.client
            got = client.rpc("eth_getBlockByNumber", lambda: client.w3.eth.get_block(block))
            self._times[block] = int(got["timestamp"])
        return self._times[block]

    def who(self, address: Any) -> str:
        return short_address(str(address), wide=self.wide)

    def describe(self, name: str, args: dict[str, Any]) -> str:
        """The event in words (amounts in the job's token, stake in GMKT)."""
        t, gmkt = self.token, self.session.gmkt
        if name == "JobPosted":
            to = args["provider"]
            direct = f", offered directly to {self.who(to)}" if to != ZERO_ADDRESS else ""
            return (
                f"posted by {self.who(args['buyer'])}: deposit {t.format(args['deposit'])}, max "
                f"{t.format(args['maxPrice'])} per GPU-hour{direct}"
            )
        if name == "BidPlaced":
            return f"{self.who(args['provider'])} bids {t.format(args['price'])} per GPU-hour"
        if name == "JobMatched":
            return (
                f"matched to {self.who(args['provider'])} at {t.format(args['price'])} per "
                f"GPU-hour; value {t.format(args['value'])}, collateral "
                f"{gmkt.format(args['collateral'])}"
            )
        if name == "ResultSubmitted":
            digest = "0x" + bytes(args["resultHash"]).hex()
            return f"result {digest[:10]}… at {args['resultURI']}"
        if name == "VerdictRecorded":
            return f"verdict recorded: {'OK' if args['ok'] else 'FAIL'}"
        if name == "JobSettled":
            return (
                f"settled: {t.format(args['payout'])} to {self.who(args['provider'])}, fee "
                f"{t.format(args['fee'])}"
            )
        if name == "JobFailed":
            return (
                f"failed: {t.format(args['refund'])} refunded, {gmkt.format(args['slashed'])} "
                "slashed"
            )
        if name == "JobCancelled":
            return "cancelled"
        if name == "DisputeOpened":
            return f"disputed by {self.who(args['buyer'])}, bond {t.format(args['bond'])}"
        if name == "DisputeResolved":
            return "dispute resolved: " + (
                "the provider was at fault" if args["providerAtFault"] else "the buyer was wrong"
            )
        if name == "EscrowDeposited":
            return f"{t.format(args['amount'])} escrowed from {self.who(args['from'])}"
        if name == "EscrowReleased":
            kind = Payout(int(args["kind"])).name.lower()
            return f"{t.format(args['amount'])} released to {self.who(args['to'])} ({kind})"
        if name == "PayoutDeferred":
            return (
                f"{t.format(args['amount'])} to {self.who(args['to'])} deferred: claimable with "
                "`gpumarket buyer claim`"
            )
        if name == "VoteCast":
            verdict = Verdict(int(args["verdict"])).name
            return f"oracle {self.who(args['member'])} votes {verdict}"
        if name == "VerdictReached":
            return f"council verdict {Verdict(int(args['verdict'])).name}"
        if name == "ChallengeOpened":
            return f"benchmark challenge {args['challengeId']} opened (n={args['n']})"
        if name == "ChallengeCommitted":
            return f"benchmark challenge {args['challengeId']} committed"
        if name == "SeedExpired":
            return (
                f"benchmark challenge {args['challengeId']} failed: the seed of block "
                f"{args['seedBlock']} was not stored within 256 blocks"
            )
        if name == "FraudProven":
            return (
                f"benchmark fraud proven by {self.who(args['prover'])}: "
                f"{gmkt.format(args['slashed'])} slashed"
            )
        if name == "AttestationVerdict":
            return f"benchmark {'passed' if args['ok'] else 'failed'}"
        return ", ".join(f"{k} {_plain(v)}" for k, v in args.items())

    def emit(self, name: str, entry: EventData) -> None:
        block = int(entry["blockNumber"])
        at = self.when(block)
        args = dict(entry["args"])
        if self.session.as_json:
            line = {
                "event": name,
                "job_id": self.job_id,
                "block": block,
                "time": iso_time(at),
                "timestamp": at,
                "tx": "0x" + bytes(entry["transactionHash"]).hex(),
                "args": {k: _plain(v) for k, v in args.items()},
                "text": self.describe(name, args),
            }
            click.echo(json.dumps(line))
        else:
            click.echo(f"{format_time(at)}  block {block}  {name}: {self.describe(name, args)}")

    # ---- when to stop

    def stop(self, until_settled: bool) -> Stop | None:
        """Whether the watch ends now, from the job's state and the market's views."""
        session, j = self.session, self.job_id
        job = self.job = job_of(session, j)
        market = session.contract("JobMarket").functions
        now = session.now()
        if job.state == JobState.SETTLED:
            return Stop("settled", f"job {j} settled")
        if job.state == JobState.FAILED:
            return Stop("failed", f"job {j} failed; the buyer was refunded")
        if job.state == JobState.CANCELLED:
            return Stop("cancelled", f"job {j} was cancelled and refunded")
        if job.state == JobState.OPEN:
            return self._bidding_over(job, now)
        if job.state == JobState.RUNNING:
            due = int(session.call(market.resultDeadlineOf(j)))
            if now > due:
                return Stop(
                    "result_overdue",
                    f"job {j}'s result was due {session.when(due)} ({time_left(due, now)}); "
                    f"claim the refund with `gpumarket buyer timeout {j}`",
                    due,
                )
            return None
        if job.state in (JobState.SUBMITTED, JobState.VERIFIED):
            window_end = int(session.call(market.windowEndOf(j)))
            if now >= window_end:
                return Stop(
                    "window_closed",
                    f"job {j}'s dispute window closed {session.when(window_end)} "
                    f"({time_left(window_end, now)}); settle it with `gpumarket buyer finalize "
                    f"{j}`",
                    window_end,
                )
            if until_settled:
                return None
            return Stop(
                "dispute_window_open",
                f"job {j}'s result is in; the dispute window is open until "
                f"{session.when(window_end)} ({time_left(window_end, now)}): check it with "
                f"`gpumarket buyer result {j} -o PATH`, and dispute it with `gpumarket buyer "
                f"dispute {j}` before then",
                window_end,
            )
        if job.state == JobState.DISPUTED:
            timeout = int(session.call(market.arbitrationEndOf(j)))
            if now >= timeout:
                return Stop(
                    "arbitration_timed_out",
                    f"job {j}'s arbitration timed out {session.when(timeout)} "
                    f"({time_left(timeout, now)}); settle it with `gpumarket buyer finalize {j}`",
                    timeout,
                )
        return None

    def _bidding_over(self, job: Job, now: int) -> Stop | None:
        j = self.job_id
        if job.direct or now < job.bidding_ends:
            return None
        market = self.session.contract("JobMarket").functions
        bids = len(self.session.call(market.bidsOf(j)))
        action = (
            f"close the auction with `gpumarket buyer close {j}`"
            if bids
            else f"cancel it for a refund with `gpumarket buyer cancel {j}`"
        )
        return Stop(
            "bidding_ended",
            f"job {j}'s bidding ended {self.session.when(job.bidding_ends)} "
            f"({time_left(job.bidding_ends, now)}) with {bids} bid{'s' if bids != 1 else ''}; "
            f"{action}",
            job.bidding_ends,
        )


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if abs(value) >= 2**53 else value
    return value


@chain_command("watch", sends=False)
@click.argument("job_id", type=int)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=2.0,
    show_default=True,
    help="Seconds between polls for new blocks.",
)
@click.option(
    "--until-settled",
    is_flag=True,
    help="Keep following while the dispute window is open; stop only when the job is over or "
    "a deadline has passed.",
)
@wide_option
def watch(session: Session, job_id: int, interval: float, until_settled: bool, wide: bool) -> None:
    """Follow job JOB_ID live, a line per event, until it is over (exit 0) or a deadline needs
    you (exit 3: bidding ended, result overdue, result in during the dispute window, window
    closed, arbitration timed out)."""
    from gpumarket.cli.session import LOG_CHUNK

    w = Watch(session, job_id, wide)
    client = session.client
    seen = client.head()
    for name, entry in session.logs():
        if int(entry["blockNumber"]) <= seen and w.mine(name, entry):
            w.emit(name, entry)

    def follow(seen: int) -> int:
        """Print the job's events in the blocks after `seen`; the last block read."""
        head = client.head()
        while seen < head:
            end = min(head, seen + LOG_CHUNK)
            for name, entry in client.logs(seen + 1, end):
                if w.mine(name, entry):
                    w.emit(name, entry)
            seen = end
        return seen

    while (stop := w.stop(until_settled)) is None:
        _sleep(interval)
        seen = follow(seen)
    follow(seen)  # the blocks the stopping state was read at
    _finish(session, w, stop)


def _finish(session: Session, w: Watch, stop: Stop) -> None:
    now = session.now()
    if session.as_json:
        click.echo(
            json.dumps(
                {
                    "stop": stop.reason,
                    "job_id": w.job_id,
                    "state": w.job.state.name,
                    "deadline": time_json(stop.deadline, now),
                    "message": stop.message,
                    "exit_code": stop.exit_code,
                }
            )
        )
    else:
        click.echo(stop.message)
    if stop.exit_code:
        sys.exit(stop.exit_code)
