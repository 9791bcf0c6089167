"""The oracle loop (`gpumarket oracle run`).

Each step: scan confirmed logs for new challenges and results; look at every open challenge from
the chain's state at the safe head (head − confirmations); send the ballots it is ready to cast in
one `voteBatch`; and reconcile the votes it sent with what the council has recorded
(`gpumarket.oracle.voting`). Every decision is re-derived from the chain, so a restart, an RPC
outage or a reorg only delays the work.

Judging (fetching from the provider's agent and verifying, `judge.judge_challenge`) runs in
`judge_workers` worker threads, each challenge within its own `judge_timeout`; the loop thread
alone reads the chain, writes the store and votes. A step waits up to STEP_WAIT seconds for the
judgements in flight, saving each verdict and sending its ballot as it comes; the rest are taken
in at a later step. So a slow or hostile provider holds one worker until its deadline, and never
delays a verdict on any other challenge. Verification compute has its own budget: a challenge
whose S·K·n² multiply-adds are over `max_verify_ops` (unset: `sampleCount(1)` × the registry's
`maxSampleOps`, the chain's bound) is closed unjudged before any fetch, without a worker; one
within it holds its worker for at most that much numpy work.

Unreachable is not a verdict (issue 15, attack 8): anyone can flood an agent, the buyer who
already has the result first of all. A provider with no usable answer is tried again, with a
backoff (`retry_backoff`, doubling to `retry_backoff_cap`), and failed as unreachable only by a
try that began once its job's verdict wait had ended on-chain (`jobOf().windowStart`, the result
plus the `attestTimeout` of the job's terms) and at least `reveal_timeout` after this oracle's
first try. That FAIL still lands before the window's end (a `disputeWindow` later), so a provider
that goes dark is slashed all the same; one that answers at any time before is judged on its answer.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpumarket.agent import api, council
from gpumarket.chain import views
from gpumarket.chain.client import ChainClient, ChainError
from gpumarket.chain.types import ChallengeState, JobState
from gpumarket.oracle.judge import (
    Commitment,
    FetchPolicy,
    Judgement,
    ResultClaim,
    Unreachable,
    fail_without_commitment,
    judge_challenge,
)
from gpumarket.oracle.settings import OracleSettings
from gpumarket.oracle.store import OracleStore, StoredVerdict, connect
from gpumarket.oracle.voting import Ballot, Voter
from gpumarket.pogemm import spec
from gpumarket.pogemm.verifier import verify_work
from gpumarket.runtime.canonical import canonical_json
from gpumarket.runtime.loop import run_loop
from gpumarket.runtime.metrics import OracleMetrics, serve
from gpumarket.runtime.scanner import LogScanner
from gpumarket.runtime.workers import Workers

__all__ = ["Ballot", "Oracle", "status_of"]

log = logging.getLogger(__name__)

ZERO32 = b"\0" * 32
#: Blocks before a reorg's fork point whose challenges are looked at again.
REORG_LOOKBACK = 10_000
#: Log batches read per step, so a long catch-up still votes as it goes.
MAX_BATCHES_PER_STEP = 20
#: Longest a step waits for judgements in flight before it goes back to the chain.
STEP_WAIT = 2.0


@dataclass(frozen=True)
class _Judging:
    """A judgement in flight: its challenge's subject, when fetching for it first began (wall
    clock), the chain's time at this try, and for a job the end of its verdict wait (chain time),
    before which an unreachable provider is not failed."""

    future: futures.Future[Judgement]
    subject: int
    first_fetch: float
    started: float
    chain_time: int
    fail_after: int | None


@dataclass(frozen=True)
class _Retry:
    """When a challenge whose provider was unreachable may be tried again (monotonic clock), the
    wait that gave it, and the chain's time at the try that failed."""

    at: float
    delay: float
    chain_time: int


class Oracle:
    def __init__(self, settings: OracleSettings, client: ChainClient | None = None) -> None:
        self.settings = settings
        self.client = client or settings.client()
        if self.client.account is None:
            raise ValueError("the oracle needs a key: set GPUMARKET_ORACLE_PRIVATE_KEY")
        self.me = self.client.account.address
        self.metrics = OracleMetrics()
        self.client.on_rpc_failure = self.metrics.rpc_failed
        self.db = connect(Path(settings.state_dir) / "oracle.sqlite3")
        self.store = OracleStore(self.db)
        self.scanner = LogScanner(
            self.client,
            self.db,
            confirmations=settings.confirmations,
            batch_blocks=settings.log_batch_blocks,
        )
        self.market = self.client["JobMarket"]
        self.benchmark = self.client["BenchmarkRegistry"]
        self.council = self.client["OracleCouncil"]
        self.registry = self.client["ProviderRegistry"]
        self.voter = Voter(
            self.client, self.store, self.scanner, self.me, batch_size=settings.batch_size
        )
        allow_private = settings.allow_private_endpoints
        if allow_private is None:
            allow_private = self.client.deployment.dev_chain
        self.fetch_policy = FetchPolicy(
            deadline=settings.judge_timeout,
            read_timeout=settings.http_timeout,
            allow_private=allow_private,
            sign=functools.partial(council.sign, self.client.account),
        )
        self.workers = Workers(settings.judge_workers, "judge")
        #: Judgements in flight, by (challenge, root, sampling seed).
        self.judging: dict[tuple[int, bytes, bytes], _Judging] = {}
        #: Challenges whose provider was unreachable at the last try, by challenge id.
        self.retries: dict[int, _Retry] = {}
        self.step_wait = STEP_WAIT
        #: `BenchmarkRegistry.sampleCount(K)`, by K.
        self._sample_counts: dict[int, int] = {}

    # ------------------------------------------------------------ the loop

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        stop_metrics = None
        if self.settings.metrics_port is not None:
            stop_metrics, port = serve(
                self.metrics, self.settings.metrics_host, self.settings.metrics_port
            )
            log.info(
                "metrics served",
                extra={"url": f"http://{self.settings.metrics_host}:{port}/metrics"},
            )
        log.info(
            "oracle started",
            extra={
                "member": self.me,
                "confirmations": self.settings.confirmations,
                "private_endpoints": self.fetch_policy.allow_private,
            },
        )
        try:
            run_loop(
                self.step,
                poll_interval=self.settings.poll_interval,
                max_consecutive_errors=self.settings.max_consecutive_errors,
                should_stop=should_stop,
            )
        finally:
            self.workers.shutdown()
            if stop_metrics is not None:
                stop_metrics()

    def step(self) -> list[Ballot]:
        """One pass: scan, reconcile, judge, vote. Returns the ballots sent: those ready at
        once, then those of judgements finishing within `step_wait` seconds, as they finish."""
        try:
            return self._step()
        except Exception:
            self.metrics.step_errors.inc()
            raise
        finally:
            self._observe()

    def _observe(self) -> None:
        """Set the gauges (after each step)."""
        metrics = self.metrics
        metrics.pending_challenges.set(len(self.store.open_challenges()))
        metrics.judging.set(len(self.judging))
        metrics.unreachable.set(len(self.retries))
        # The head the step last read: no RPC of its own, so an outage costs no further retries.
        metrics.stepped(self.scanner.head, self.scanner.cursor())

    def _step(self) -> list[Ballot]:
        self.scan()
        self.reconcile()
        ballots = []
        for challenge_id, _ in self.store.open_challenges():
            ballot = self.evaluate(challenge_id)
            if ballot is not None:
                ballots.append(ballot)
        still_open = {challenge_id for challenge_id, _ in self.store.open_challenges()}
        for closed in self.retries.keys() - still_open:
            del self.retries[closed]
        sent = self.send(ballots)
        for ready in self.judged(self.step_wait):
            sent += self.send(ready)
        return sent

    # ------------------------------------------------------------ logs

    def scan(self) -> None:
        for _ in range(MAX_BATCHES_PER_STEP):
            batch = self.scanner.poll()
            if batch is None:
                return
            if batch.reorg_from is not None:
                self.store.reopen_after(batch.reorg_from - REORG_LOOKBACK)
            for name, entry in batch.logs:
                args = entry["args"]
                if name == "ChallengeOpened":
                    self.store.add_challenge(
                        args["challengeId"], args["subject"], entry["blockNumber"]
                    )
                    log.info(
                        "challenge seen",
                        extra={"challenge": args["challengeId"], "subject": args["subject"]},
                    )
                elif name == "ResultSubmitted":
                    self.store.set_result_uri(
                        args["jobId"], args["resultURI"], entry["blockNumber"]
                    )
            self.scanner.advance(batch)

    # ------------------------------------------------------------ judging

    def evaluate(self, challenge_id: int) -> Ballot | None:
        """The ballot this oracle casts on a challenge now, or None (wait, or nothing to do)."""
        safe = self.scanner.safe_head()
        now = functools.cache(lambda: self._timestamp(safe))  # the safe block's time, read once
        c = self._challenge(challenge_id, safe)
        if c.state == ChallengeState.NONE:
            self.store.close_challenge(challenge_id, "gone")
            return None
        subject_of = self.council.functions.subjectOfChallenge(challenge_id)
        subject = int(self.client.call(subject_of, safe))
        if self.client.call(self.council.functions.isFinal(subject)):
            self.store.close_challenge(challenge_id, "final")
            return None
        # Stored as soon as it exists, whatever the job's state: a seed left unstored for 256
        # blocks fails the challenge, and a running job's provider must not be the one to decide.
        sampling_seed = (
            self._sampling_seed(challenge_id, c) if c.state == ChallengeState.COMMITTED else None
        )
        fail_after = None
        if c.subject != 0:
            job = self._job(c.subject, safe)
            state = job.state
            if state == JobState.RUNNING:
                return None  # the result comes first; a missing one times out on-chain
            if state != JobState.SUBMITTED:
                self.store.close_challenge(challenge_id, f"job {state.name.lower()}")
                return None
            window_end = self.client.call(self.market.functions.windowEndOf(c.subject), safe)
            if now() >= window_end:
                self.store.close_challenge(challenge_id, "too late")
                return None
            # Submitted: the verdict wait (the result plus the terms' attestTimeout) ends here.
            fail_after = job.window_start
            if c.state == ChallengeState.FAILED:
                # A job's challenge fails only when a seed expired unstored (`SeedExpired`).
                return self._fail_ballot(challenge_id, subject, c.subject, "seed_expired")
        elif c.state not in (ChallengeState.OPEN, ChallengeState.COMMITTED):
            self.store.close_challenge(challenge_id, "attestation settled")
            return None

        if c.state == ChallengeState.OPEN:
            if now() <= c.commit_deadline:
                return None
            return self._fail_ballot(challenge_id, subject, c.subject, "no_commitment")

        if sampling_seed is None:
            return None
        cached = self.store.verdict(challenge_id, c.root, sampling_seed)
        if cached is None:
            if self._may_try(challenge_id, now(), fail_after):
                self._start_judging(challenge_id, c, sampling_seed, now(), fail_after)
            return None  # the ballot comes when the judgement does (`judged`)
        return Ballot(challenge_id, subject, cached.ok, cached.tops, cached.evidence_hash)

    def _fail_ballot(self, challenge_id: int, subject: int, job_id: int, reason: str) -> Ballot:
        """A FAIL with no commitment to judge (none came, or a seed expired), saved once."""
        cached = self.store.verdict(challenge_id, ZERO32, ZERO32)
        if cached is None:
            judgement = fail_without_commitment(challenge_id, job_id, reason)
            cached = self._save(challenge_id, ZERO32, ZERO32, judgement)
        return Ballot(challenge_id, subject, cached.ok, cached.tops, cached.evidence_hash)

    def _may_try(self, challenge_id: int, chain_now: int, fail_after: int | None) -> bool:
        """Whether to fetch from a provider now: at once the first time; after an unreachable
        try, once its backoff has passed, or at once when the job's verdict wait has ended since
        that try (the try that can fail it comes as soon as it may)."""
        retry = self.retries.get(challenge_id)
        if retry is None:
            return True
        if fail_after is not None and retry.chain_time < fail_after <= chain_now:
            return True
        return time.monotonic() >= retry.at

    def _start_judging(
        self,
        challenge_id: int,
        c: views.Challenge,
        sampling_seed: bytes,
        chain_time: int,
        fail_after: int | None,
    ) -> None:
        """Judge the commitment in a worker, from what the chain says now (read here, in the
        loop thread); nothing when that judgement is in flight already."""
        key = (challenge_id, c.root, sampling_seed)
        if key in self.judging:
            return
        params = spec.Params(seed=c.seed, n=c.n, steps=c.steps, interval=c.interval)
        if not self._affordable(challenge_id, params):
            return
        fn = self.registry.functions.offerOf(c.provider)
        offer = views.offer(fn, self.client.call(fn))
        commitment = Commitment(
            challenge_id=challenge_id,
            subject=c.subject,
            params=params,
            root=c.root,
            sampling_seed=sampling_seed,
            opened_at=c.opened_at,
            committed_at=c.committed_at,
            endpoint=offer.endpoint,
            gpu_model=offer.gpu_model,
            provider=c.provider,
        )
        claim = None
        if c.subject != 0:
            # The agent at the offer's endpoint as it is now mirrors the result URI: a provider
            # whose host is flooded moves its endpoint (`updateOffer`), reveals and result alike.
            agent_url = api.result_url(offer.endpoint, c.subject)
            uri = self.store.result_uri(c.subject) or agent_url
            claim = ResultClaim(
                uri, self._job(c.subject).result_hash, (agent_url,), provider=c.provider
            )
        settings = self.settings
        future = self.workers.submit(
            functools.partial(
                judge_challenge,
                commitment,
                claim,
                samples=self._sample_count(c.interval),
                policy=self.fetch_policy,
                budget=settings.judge_timeout,
                max_artifact_bytes=settings.max_artifact_bytes,
                min_benchmark_fraction=settings.min_benchmark_fraction,
            )
        )
        first = self.store.first_fetch(challenge_id)
        self.judging[key] = _Judging(
            future, c.subject, first, time.perf_counter(), chain_time, fail_after
        )

    def verify_budget(self) -> int:
        """The most multiply-adds this oracle spends verifying one challenge: its own
        `max_verify_ops`, or the chain's bound: the most samples any K takes (`sampleCount(1)`,
        S falling with K) × the registry's `maxSampleOps`."""
        if self.settings.max_verify_ops is not None:
            return self.settings.max_verify_ops
        cap = self.client.call(self.benchmark.functions.maxSampleOps())
        return self._sample_count(1) * int(cap)

    def _affordable(self, challenge_id: int, params: spec.Params) -> bool:
        """Whether verifying the challenge fits this oracle's budget; if not, it is closed
        unjudged (no vote: a FAIL would slash a provider for the oracle's own limit), before any
        fetch and without a worker, so it holds up no other challenge."""
        work = verify_work(params, self._sample_count(params.interval))
        budget = self.verify_budget()
        if work <= budget:
            return True
        self.metrics.over_budget.inc()
        self.store.close_challenge(challenge_id, "over budget")
        log.warning(
            "challenge over this oracle's verification budget; not judged",
            extra={"challenge": challenge_id, "work": work, "budget": budget},
        )
        return False

    def judged(self, wait: float) -> Iterator[list[Ballot]]:
        """For `wait` seconds at most, or until none is left in flight: as judgements finish,
        save their verdicts and yield the ballots they make ready (`evaluate` builds them, from
        the chain as it is then)."""
        until = time.monotonic() + wait
        while self.judging:
            pending = [j.future for j in self.judging.values()]
            timeout = max(0.0, until - time.monotonic())
            done, _ = futures.wait(pending, timeout, return_when=futures.FIRST_COMPLETED)
            if not done:
                return
            ready = []
            for key, judging in list(self.judging.items()):
                if judging.future in done:
                    del self.judging[key]
                    if self._finish(key, judging):
                        ballot = self.evaluate(key[0])
                        if ballot is not None:
                            ready.append(ballot)
            yield ready

    def _finish(self, key: tuple[int, bytes, bytes], judging: _Judging) -> bool:
        """Save the verdict of a finished judgement; False when there is none yet (the provider
        was unreachable, and may not be failed for it yet; or judging failed): it is tried
        again."""
        challenge_id, root, sampling_seed = key
        try:
            judgement = judging.future.result()
        except Unreachable as exc:
            self.metrics.fetch_failures.inc()
            if not self._may_fail_unreachable(judging):
                delay = self._retry_later(challenge_id, judging)
                log.warning(
                    "provider unreachable; will retry",
                    extra={
                        "challenge": challenge_id,
                        "error": str(exc),
                        "retry_in": delay,
                        "verdict_wait_end": judging.fail_after,
                    },
                )
                return False
            judgement = fail_without_commitment(
                challenge_id, judging.subject, "provider_unreachable"
            )
            judgement.evidence["detail"] = str(exc)
            if judging.fail_after is not None:
                judgement.evidence.update(
                    verdict_wait_end=judging.fail_after, tried_at=judging.chain_time
                )
        except Exception:  # noqa: BLE001 - one challenge's bug must not stop the others
            log.exception("judging failed; will retry", extra={"challenge": challenge_id})
            return False
        self.retries.pop(challenge_id, None)
        log.info(
            "verdict reached",
            extra={
                "challenge": challenge_id,
                "ok": judgement.ok,
                "reason": judgement.reason,
                "tops": judgement.tops,
                "seconds": round(time.perf_counter() - judging.started, 4),
            },
        )
        self._save(challenge_id, root, sampling_seed, judgement)
        return True

    def _may_fail_unreachable(self, judging: _Judging) -> bool:
        """An unreachable try fails the provider only when this oracle has seen it unreachable
        for `reveal_timeout` and, for a job, the try began once the job's verdict wait had ended
        on-chain: what unreachability proves is that the provider served nothing for all that
        time, never that a moment's flood kept it from answering."""
        if time.time() - judging.first_fetch < self.settings.reveal_timeout:
            return False
        return judging.fail_after is None or judging.chain_time >= judging.fail_after

    def _retry_later(self, challenge_id: int, judging: _Judging) -> float:
        """Back off before the next try of an unreachable provider; returns the wait."""
        settings = self.settings
        previous = self.retries.get(challenge_id)
        delay = settings.retry_backoff if previous is None else previous.delay * 2
        delay = min(delay, settings.retry_backoff_cap)
        self.retries[challenge_id] = _Retry(time.monotonic() + delay, delay, judging.chain_time)
        return delay

    def _sampling_seed(self, challenge_id: int, c: views.Challenge) -> bytes | None:
        """The sampling seed, blockhash(commitBlock + 1): stored on-chain, or read from the block
        itself as soon as it exists. The first reader also stores it, so it cannot expire; one
        past the 256-block window fails the challenge on-chain (`storeSamplingSeed` sent here
        says so), and there is no second seed to judge."""
        if c.sampling_seed != ZERO32:
            return c.sampling_seed
        seed_block = c.anchor_block + 1
        head = self.client.head()
        if head < seed_block:
            return None
        expired = head - seed_block >= 255
        seed = None if expired else self.client.block_hash(seed_block)
        if head == seed_block:
            return seed  # a transaction may store it from the next block on (`storeSamplingSeed`)
        try:
            self.client.transact(self.benchmark.functions.storeSamplingSeed(challenge_id))
            log.info(
                "sampling seed stored" if not expired else "sampling seed expired",
                extra={"challenge": challenge_id},
            )
        except ChainError as exc:  # not ready yet, or another oracle got there first
            log.info("storeSamplingSeed not sent", extra={"why": str(exc)})
        return seed

    def _sample_count(self, interval: int) -> int:
        """S for interval K: the protocol's rule, `BenchmarkRegistry.sampleCount(K)` (a pure
        view, read once per K)."""
        if interval not in self._sample_counts:
            count = self.client.call(self.benchmark.functions.sampleCount(interval))
            self._sample_counts[interval] = int(count)
        return self._sample_counts[interval]

    def _save(
        self, challenge_id: int, root: bytes, sampling_seed: bytes, judgement: Judgement
    ) -> StoredVerdict:
        evidence_dir = Path(self.settings.state_dir) / "evidence"
        evidence_dir.mkdir(parents=True, exist_ok=True)
        path = evidence_dir / f"{challenge_id}-{root.hex()[:16]}-{sampling_seed.hex()[:16]}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(canonical_json(judgement.evidence))
        tmp.replace(path)
        verdict = StoredVerdict(
            judgement.ok, judgement.tops, judgement.evidence_hash, judgement.reason
        )
        self.store.save_verdict(challenge_id, root, sampling_seed, verdict)
        self.metrics.verdicts.labels(reason=judgement.reason).inc()
        return verdict

    def _challenge(self, challenge_id: int, block: int) -> views.Challenge:
        fn = self.benchmark.functions.challengeOf(challenge_id)
        return views.Challenge.of(fn, self.client.call(fn, block))

    def _job(self, job_id: int, block: int | str = "latest") -> views.Job:
        fn = self.market.functions.jobOf(job_id)
        return views.Job.of(fn, self.client.call(fn, block))

    def _timestamp(self, block: int) -> int:
        return int(
            self.client.rpc("eth_getBlock", lambda: self.client.w3.eth.get_block(block))[
                "timestamp"
            ]
        )

    # ------------------------------------------------------------ voting

    def send(self, ballots: list[Ballot]) -> list[Ballot]:
        """Cast `ballots` (those not cast yet); returns the ballots sent."""
        sent = self.voter.send(ballots)
        for ballot in sent:
            self.metrics.votes_sent.labels(vote="ok" if ballot.ok else "fail").inc()
        return sent

    def reconcile(self) -> None:
        """Check the votes sent against the council at the safe head (see `Voter.reconcile`)."""
        self.voter.reconcile()

    # ------------------------------------------------------------ status

    def status(self) -> dict[str, Any]:
        report = status_of(self.store, self.scanner.cursor(), self.client.head(), self.me)
        report["judging"] = sorted({challenge_id for challenge_id, _, _ in self.judging})
        report["unreachable"] = sorted(self.retries)
        return report


def status_of(
    store: OracleStore, cursor: int | None, head: int | None, member: str
) -> dict[str, Any]:
    return {
        "member": member,
        "cursor": cursor,
        "head": head,
        **store.counts(),
        "pending": [
            {"challenge": cid, "subject": str(subject)} for cid, subject in store.open_challenges()
        ],
    }
