"""The provider agent's loop: learn from the chain, then move each job and challenge forward.

`Agent.step()` is one iteration: scan confirmed logs for the jobs matched to this provider and
the challenges opened for it (all stored before the cursor moves), confirm what it sent, then
hand each pending item to its work: challenges to `ChallengeWork` (prove, commit), postings and
matched jobs to `JobWork` (win, benchmark, run, submit). Every phase is recorded in the store,
and every action first reads the chain, so a restart after any crash resumes without sending
anything twice.

`Agent.run()` serves HTTP (aiohttp, `gpumarket.agent.server`) on the event loop and runs the
chain loop in a worker thread (web3 is synchronous), so reveals keep flowing while the prover
works.

Subclasses (tests, the demo's cheater) override `make_proof` (the prover), `_send` (every
transaction) and `_run_workload` (the workload step).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from web3.logs import DISCARD
from web3.types import TxReceipt

from gpumarket.agent import api
from gpumarket.agent.chain import AgentChain
from gpumarket.agent.challenges import ChallengeWork
from gpumarket.agent.council import CouncilMembers
from gpumarket.agent.jobs import JobWork
from gpumarket.agent.records import JobPhase, JobRecord
from gpumarket.agent.server import make_app, start_site
from gpumarket.agent.settings import AgentError, AgentSettings
from gpumarket.agent.store import AgentStore
from gpumarket.chain.client import ChainClient, ChainError, RpcUnavailable
from gpumarket.chain.deployment import DeploymentError
from gpumarket.chain.types import ChallengeState, JobSpec, JobState
from gpumarket.pogemm import prover, spec
from gpumarket.pogemm.backends import Backend, best_backend
from gpumarket.runtime.loop import run_loop
from gpumarket.runtime.metrics import AgentMetrics
from gpumarket.runtime.scanner import LogScanner

__all__ = ["Agent", "AgentError"]

log = logging.getLogger(__name__)

#: Log batches read in one step before the agent acts on what it learned.
MAX_BATCHES_PER_STEP = 50
#: A challenge's seed before it is known.
ZERO_SEED = bytes(32)


class Agent:
    """One provider's agent: its key, its chain client, its state directory."""

    def __init__(self, settings: AgentSettings, client: ChainClient | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else settings.client()
        if self.client.account is None:
            raise AgentError(
                "the agent signs commitments and results: set GPUMARKET_AGENT_PRIVATE_KEY, "
                "or GPUMARKET_AGENT_KEYSTORE with GPUMARKET_AGENT_KEYSTORE_PASSWORD"
            )
        self.address: str = self.client.account.address
        self.metrics = AgentMetrics()
        self.client.on_rpc_failure = self.metrics.rpc_failed
        #: Who gets the server's reserved room: read from the chain every `council_refresh` s.
        self.council = CouncilMembers(self.address)
        self._council_due = 0.0
        self.chain = AgentChain(self.client, self.address)
        self.store = AgentStore.open(
            settings.state_dir, provider=self.address, chain_id=self.client.deployment.chain_id
        )
        self.scanner = LogScanner(
            self.client,
            self.store.db,
            confirmations=settings.confirmations,
            batch_blocks=settings.log_batch_blocks,
        )
        #: Base URL of result URIs; `run()` fixes it once the port is bound.
        self.endpoint = settings.endpoint()
        self.challenges = ChallengeWork(
            self.store,
            self.chain,
            send=self._send,
            prove=self._prove,
            seed_guard_blocks=settings.seed_guard_blocks,
            assumed_ops_per_second=settings.assumed_ops_per_second,
        )
        self.jobs = JobWork(
            self.store,
            self.chain,
            settings,
            self.challenges,
            send=self._send,
            prove=self._prove,
            result_uri=lambda job_id: api.result_url(self.endpoint, job_id),
            run_workload=self._run_workload,
        )
        self._backend: Backend | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------ overridable

    def make_proof(self, params: spec.Params) -> prover.Proof:
        """Run the PoGEMM prover. Tests override this to make a cheating agent."""
        if self._backend is None:
            self._backend = best_backend(self.settings.pogemm_backend)
        return prover.prove(params, self._backend, keep_every=self.settings.keep_every)

    def _send(self, fn: Any) -> TxReceipt:
        """Every transaction the agent sends goes through here."""
        receipt = self.client.transact(fn)
        self.metrics.transactions.labels(function=fn.fn_name).inc()
        return receipt

    def _prove(self, params: spec.Params) -> prover.Proof:
        """`make_proof`, counted."""
        started = time.perf_counter()
        proof = self.make_proof(params)
        self.metrics.proofs.inc()
        self.metrics.proof_seconds.inc(time.perf_counter() - started)
        return proof

    def _run_workload(self, record: JobRecord, job_spec: JobSpec) -> bool:
        """Run a benchmarked job's workload and store its artifact; True when stored."""
        return self.jobs.run_workload(record, job_spec)

    # ------------------------------------------------------------ one iteration

    def step(self) -> None:
        """Scan new confirmed logs, then move every pending attestation and job forward.

        A chain error on one item (a revert found in pre-flight) is logged and the others still
        move; the first one is raised at the end so that run_loop counts it.
        """
        try:
            self._step()
        except Exception:
            self.metrics.step_errors.inc()
            raise
        finally:
            self._observe()

    def _observe(self) -> None:
        """Set the gauges from the store and the chain (after each step)."""
        metrics = self.metrics
        metrics.pending_challenges.set(len(self.store.pending_challenges()))
        metrics.pending_jobs.set(len(self.store.pending_jobs()))
        # The head the step's scan read: no RPC of its own, so an outage costs no further retries.
        metrics.stepped(self.scanner.head, self.scanner.cursor())

    def _step(self) -> None:
        self._refresh_council()
        self._scan()
        errors: list[ChainError] = []
        self._guarded(errors, self._confirm)
        for challenge in self.store.pending_challenges():
            # A pending job's challenge moves with its job, which first checks that it trusts
            # the workload; attestations (and a job's, once its result is in) move on their own.
            job = self.store.job(challenge.subject) if challenge.subject else None
            if job is None or job.phase == JobPhase.SUBMITTED:
                self._guarded(errors, self.challenges.advance, challenge.challenge_id)
        for job_id, kind in self.store.pending_postings():
            self._guarded(errors, self.jobs.try_to_win, job_id, kind)
        for job_record in self.store.pending_jobs():
            self._guarded(errors, self.jobs.advance, job_record.job_id)
        self._guarded(errors, self.challenges.guard_sampling_seeds)
        if errors:
            raise errors[0]

    def _refresh_council(self) -> None:
        if time.monotonic() < self._council_due:
            return
        try:
            self.council.update(self.chain.council_members())
        except (ChainError, DeploymentError) as exc:
            log.warning("cannot read the council's members", extra={"error": str(exc)})
        self._council_due = time.monotonic() + self.settings.council_refresh

    def _guarded(
        self, errors: list[ChainError], action: Callable[..., None], *args: int | str
    ) -> None:
        try:
            action(*args)
        except RpcUnavailable:
            raise  # nothing else will get through either: wait it out in run_loop
        except ChainError as exc:
            log.error(
                "chain refused an action",
                extra={"action": action.__qualname__, "args": args, "error": str(exc)},
            )
            errors.append(exc)

    def _scan(self) -> None:
        for _ in range(MAX_BATCHES_PER_STEP):
            batch = self.scanner.poll()
            if batch is None:
                return
            if batch.reorg_from is not None:
                self.chain.forget_specs()
                jobs, challenges = self.store.rewind(batch.reorg_from)
                log.warning(
                    "reorg: rechecking what was sent after the fork",
                    extra={"fork": batch.reorg_from, "jobs": jobs, "challenges": challenges},
                )
            for name, event in batch.logs:
                self._learn(name, event)
            # Only now, with everything learned stored, may the cursor move past the batch.
            self.scanner.advance(batch)

    def _confirm(self) -> None:
        """Once the log cursor has passed the block of a commitment or submission we sent, check
        that the chain still holds it. A reorg shallower than the cursor never shows in the
        scanner's hashes, so this is where a dropped transaction is noticed and sent again."""
        cursor = self.scanner.cursor()
        if cursor is None:
            return
        for challenge in self.store.unconfirmed_challenges(cursor):
            onchain = self.chain.challenge(challenge.challenge_id)
            if (
                onchain.state == ChallengeState.OPEN
                or onchain.seed != challenge.seed
                or onchain.root != challenge.root
            ):
                self.store.drop_commitment(challenge.challenge_id, "commitment dropped by a reorg")
                log.warning(
                    "commitment dropped by a reorg", extra={"challenge": challenge.challenge_id}
                )
            else:
                self.store.confirm_challenge(challenge.challenge_id)
        for job in self.store.unconfirmed_jobs(cursor):
            if self.chain.job(job.job_id).state == JobState.RUNNING:
                self.store.drop_submission(job.job_id, "submission dropped by a reorg")
                log.warning("submission dropped by a reorg", extra={"job": job.job_id})
            else:
                self.store.confirm_job(job.job_id)

    def _learn(self, name: str, event: Any) -> None:
        args = event["args"]
        if name == "JobPosted" and int(args["provider"], 16) == 0:
            if self.settings.auto_bid and self.store.add_posting(int(args["jobId"]), "auction"):
                log.info("auction seen", extra={"job": int(args["jobId"])})
            return
        if not self.chain.ours(str(args.get("provider", ""))):
            return
        if name == "JobPosted":
            if self.settings.accept_direct and self.store.add_posting(int(args["jobId"]), "direct"):
                log.info("direct assignment offered", extra={"job": int(args["jobId"])})
        elif name == "JobMatched":
            if self.store.add_job(int(args["jobId"]), int(event["blockNumber"])):
                log.info("job matched", extra={"job": int(args["jobId"]), "price": args["price"]})
        elif name == "ChallengeOpened":
            challenge_id = int(args["challengeId"])
            # The seed comes from the next block: `ChallengeWork.advance` reads it when it exists.
            if self.store.add_challenge(
                challenge_id,
                int(args["subject"]),
                ZERO_SEED,
                int(args["n"]),
                int(args["steps"]),
                int(args["interval"]),
            ):
                log.info(
                    "challenge opened",
                    extra={
                        "challenge": challenge_id,
                        "subject": int(args["subject"]),
                        "n": int(args["n"]),
                        "steps": int(args["steps"]),
                        "interval": int(args["interval"]),
                    },
                )

    # ------------------------------------------------------------ attestations and the offer

    def open_attestation(self, n: int, steps: int, interval: int) -> int:
        """Open a hardware attestation of this provider (`BenchmarkRegistry.open(0, me, ...)`);
        the next steps prove and commit it. Returns the challenge id. Sizes the registry's caps
        refuse raise ChainError before anything is sent."""
        self.chain.check_benchmark(n, steps, interval)
        benchmark = self.chain.benchmark
        receipt = self._send(benchmark.functions.open(0, self.address, n, steps, interval))
        (opened,) = benchmark.events.ChallengeOpened().process_receipt(receipt, errors=DISCARD)
        self._learn("ChallengeOpened", opened)
        challenge_id = int(opened["args"]["challengeId"])
        log.info("attestation opened", extra={"challenge": challenge_id})
        return challenge_id

    def check_offer(self) -> None:
        """Warn when the on-chain offer does not point at this agent."""
        offer = self.chain.offer()
        if offer.endpoint != self.endpoint:
            log.warning(
                "the offer's endpoint is not this agent's; buyers and oracles will not reach it",
                extra={"offer_endpoint": offer.endpoint, "endpoint": self.endpoint},
            )

    # ------------------------------------------------------------ the service

    def stop(self) -> None:
        """Ask the loop to stop after the current step."""
        if not self._stop.is_set():
            log.info("stopping after the current step")
        self._stop.set()

    def run(self) -> None:
        """Serve HTTP and loop `step` until SIGTERM or SIGINT (or too many errors in a row)."""
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        app = make_app(
            self.settings.state_dir,
            self.address,
            self.settings.limits(),
            is_council=self.council.check,
            metrics=self.metrics,
        )
        runner, port = await start_site(app, self.settings.host, self.settings.port)
        self.endpoint = self.settings.endpoint(port)
        log.info(
            "agent serving",
            extra={"provider": self.address, "endpoint": self.endpoint, "port": port},
        )
        # Signal handlers can only be installed from the main thread; an agent run elsewhere
        # (embedded, tests) is stopped with `stop()`.
        signals = (
            (signal.SIGTERM, signal.SIGINT)
            if threading.current_thread() is threading.main_thread()
            else ()
        )
        for signum in signals:
            loop.add_signal_handler(signum, self.stop)
        # One dedicated thread: web3 and SQLite calls block, the event loop must not.
        chain_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agent-chain")
        try:
            await loop.run_in_executor(chain_thread, self._chain_loop)
        finally:
            for signum in signals:
                loop.remove_signal_handler(signum)
            chain_thread.shutdown(wait=True)
            await runner.cleanup()
            self.store.close()
            log.info("agent stopped")

    def _chain_loop(self) -> None:
        try:
            self.check_offer()
        except ChainError as exc:
            log.warning("cannot read the offer", extra={"error": str(exc)})
        run_loop(
            self.step,
            poll_interval=self.settings.poll_interval,
            max_consecutive_errors=self.settings.max_consecutive_errors,
            should_stop=self._stop.is_set,
            sleep=self._sleep,
        )

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)
