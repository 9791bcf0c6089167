"""The provider agent's loop: learn from the chain, prove, run, commit, submit.

`Agent.step()` is one iteration: scan confirmed logs for the jobs matched to this provider and
the challenges opened for it (all stored before the cursor moves), then move each one forward a
phase at a time. Every phase is recorded in the store, and every action first reads the chain, so
a restart after any crash resumes without sending anything twice: a challenge found COMMITTED
with our root is not committed again, a job found SUBMITTED with our hash is not submitted again.

`Agent.run()` serves HTTP (aiohttp) on the event loop and runs the chain loop in a worker
thread (web3 is synchronous), so reveals keep flowing while the prover works.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from web3.logs import DISCARD

from gpumarket.agent import api
from gpumarket.agent.proofs import ProofRecord, atomic_write_bytes, save_proof
from gpumarket.agent.records import (
    CHALLENGE_DONE,
    JOB_DONE,
    ChallengePhase,
    ChallengeRecord,
    JobPhase,
    JobRecord,
)
from gpumarket.agent.server import make_app, start_site
from gpumarket.agent.settings import AgentSettings
from gpumarket.agent.store import AgentStore
from gpumarket.agent.workloads import (
    WorkloadFailed,
    WorkloadKind,
    WorkloadRefused,
    artifact_hash,
    check_command,
    job_pogemm_params,
    parse_workload,
    pogemm_summary,
    run_command,
)
from gpumarket.chain.client import ChainClient, ChainError, RpcUnavailable
from gpumarket.chain.types import ChallengeState, JobState
from gpumarket.chain.views import struct
from gpumarket.pogemm import prover, spec
from gpumarket.pogemm.backends import Backend, best_backend
from gpumarket.runtime.loop import run_loop
from gpumarket.runtime.scanner import LogScanner

log = logging.getLogger(__name__)

#: Log batches read in one step before the agent acts on what it learned.
MAX_BATCHES_PER_STEP = 50
ZERO_ROOT = bytes(32)
RESULT_FILE = "result.bin"
#: Job states in which the market holds the result the provider submitted.
STATES_WITH_RESULT = frozenset(
    {JobState.SUBMITTED, JobState.VERIFIED, JobState.DISPUTED, JobState.SETTLED}
)


class AgentError(RuntimeError):
    """The agent cannot run as configured."""


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
        self.market = self.client["JobMarket"]
        self.benchmark = self.client["BenchmarkRegistry"]
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
        self._backend: Backend | None = None
        self._specs: dict[int, dict[str, Any]] = {}
        self._stop = threading.Event()

    # ------------------------------------------------------------ proving (overridable)

    def make_proof(self, params: spec.Params) -> prover.Proof:
        """Run the PoGEMM prover. Tests override this to make a cheating agent."""
        if self._backend is None:
            self._backend = best_backend(self.settings.pogemm_backend)
        return prover.prove(params, self._backend, keep_every=self.settings.keep_every)

    # ------------------------------------------------------------ one iteration

    def step(self) -> None:
        """Scan new confirmed logs, then move every pending attestation and job forward.

        A chain error on one item (a revert found in pre-flight) is logged and the others still
        move; the first one is raised at the end so that run_loop counts it.
        """
        self._scan()
        errors: list[ChainError] = []
        self._guarded(errors, self._confirm)
        for challenge in self.store.pending_challenges():
            # A pending job's challenge moves with its job, which first checks that it trusts
            # the workload; attestations (and a job's, once its result is in) move on their own.
            job = self.store.job(challenge.subject) if challenge.subject else None
            if job is None or job.phase == JobPhase.SUBMITTED:
                self._guarded(errors, self._advance_challenge, challenge.challenge_id)
        for job_id, kind in self.store.pending_postings():
            self._guarded(errors, self._try_to_win, job_id, kind)
        for job_record in self.store.pending_jobs():
            self._guarded(errors, self._advance_job, job_record.job_id)
        if errors:
            raise errors[0]

    def _guarded(self, errors: list[ChainError], action: Any, *args: int) -> None:
        try:
            action(*args)
        except RpcUnavailable:
            raise  # nothing else will get through either: wait it out in run_loop
        except ChainError as exc:
            log.error(
                "chain refused an action",
                extra={"action": action.__name__, "args": args, "error": str(exc)},
            )
            errors.append(exc)

    def _scan(self) -> None:
        for _ in range(MAX_BATCHES_PER_STEP):
            batch = self.scanner.poll()
            if batch is None:
                return
            if batch.reorg_from is not None:
                self._specs.clear()  # a replacement branch may have posted other jobs
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
            onchain = self._challenge_on_chain(challenge.challenge_id)
            if (
                onchain["state"] == ChallengeState.OPEN
                or bytes(onchain["seed"]) != challenge.seed
                or bytes(onchain["root"]) != challenge.root
            ):
                self.store.drop_commitment(challenge.challenge_id, "commitment dropped by a reorg")
                log.warning(
                    "commitment dropped by a reorg", extra={"challenge": challenge.challenge_id}
                )
            else:
                self.store.confirm_challenge(challenge.challenge_id)
        for job in self.store.unconfirmed_jobs(cursor):
            onchain = self._job_on_chain(job.job_id)
            if onchain["state"] == JobState.RUNNING:
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
        if str(args.get("provider", "")).lower() != self.address.lower():
            return
        if name == "JobPosted":
            if self.settings.accept_direct and self.store.add_posting(int(args["jobId"]), "direct"):
                log.info("direct assignment offered", extra={"job": int(args["jobId"])})
        elif name == "JobMatched":
            if self.store.add_job(int(args["jobId"]), int(event["blockNumber"])):
                log.info("job matched", extra={"job": int(args["jobId"]), "price": args["price"]})
        elif name == "ChallengeOpened":
            challenge_id = int(args["challengeId"])
            if self.store.add_challenge(
                challenge_id,
                int(args["subject"]),
                bytes(args["seed"]),
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

    # ------------------------------------------------------------ challenges

    def _advance_challenge(self, challenge_id: int) -> None:
        record = self.store.challenge(challenge_id)
        if record is None or record.phase in CHALLENGE_DONE:
            return
        onchain = self._challenge_on_chain(challenge_id)
        state = ChallengeState(onchain["state"])
        if state == ChallengeState.NONE or onchain["provider"].lower() != self.address.lower():
            self.store.set_challenge_phase(
                challenge_id, ChallengePhase.CLOSED, "not ours on-chain (reorg)"
            )
            log.warning("challenge is not ours on-chain", extra={"challenge": challenge_id})
            return
        if bytes(onchain["seed"]) != record.seed:
            self._learn_challenge(challenge_id, onchain)
            record = self.store.challenge(challenge_id)
            assert record is not None
        if state != ChallengeState.OPEN:
            self._settle_challenge_phase(record, state, onchain)
            return
        if self._now() > onchain["commitDeadline"]:
            self.store.set_challenge_phase(
                challenge_id, ChallengePhase.EXPIRED, "commit window closed"
            )
            log.error("commit window closed before we committed", extra={"challenge": challenge_id})
            return
        root = record.root
        stored = None if root is None else self.store.proof(challenge_id, root)
        if (
            record.phase != ChallengePhase.PROVED
            or stored is None
            or not Path(stored.path).is_dir()
        ):
            # Not proved yet, or its files are gone: a commitment must be one we can reveal.
            root = self._prove(record)
        assert root is not None
        receipt = self._send(self.benchmark.functions.commit(challenge_id, root))
        self.store.mark_challenge_committed(challenge_id, root, int(receipt["blockNumber"]))
        log.info(
            "committed",
            extra={
                "challenge": challenge_id,
                "root": "0x" + root.hex(),
                "tx": "0x" + bytes(receipt["transactionHash"]).hex(),
            },
        )

    def _settle_challenge_phase(
        self, record: ChallengeRecord, state: ChallengeState, onchain: dict[str, Any]
    ) -> None:
        """The challenge left OPEN without us sending (now): ours if its root is one we proved."""
        root = bytes(onchain["root"])
        if root != ZERO_ROOT and self.store.proof(record.challenge_id, root) is not None:
            self.store.mark_challenge_committed(
                record.challenge_id, root, int(onchain["commitBlock"]), "found committed on-chain"
            )
            log.info(
                "commitment already on-chain; not sending it again",
                extra={"challenge": record.challenge_id, "state": state.name},
            )
            return
        self.store.set_challenge_phase(
            record.challenge_id, ChallengePhase.CLOSED, f"{state.name} on-chain without our root"
        )
        log.warning(
            "challenge left OPEN without our commitment",
            extra={"challenge": record.challenge_id, "state": state.name},
        )

    def _learn_challenge(self, challenge_id: int, onchain: dict[str, Any]) -> None:
        self.store.add_challenge(
            challenge_id,
            int(onchain["subject"]),
            bytes(onchain["seed"]),
            int(onchain["n"]),
            int(onchain["steps"]),
            int(onchain["interval"]),
        )

    def _prove(self, record: ChallengeRecord) -> bytes:
        params = record.params
        log.info(
            "proving",
            extra={
                "challenge": record.challenge_id,
                "n": params.n,
                "steps": params.steps,
                "interval": params.interval,
            },
        )
        started = time.perf_counter()
        proof = self.make_proof(params)
        seconds = time.perf_counter() - started
        if proof.params != params:
            raise AgentError(f"make_proof answered for {proof.params}, not {params}")
        path = save_proof(self.store.proofs_dir, record.challenge_id, proof)
        self.store.add_proof(
            ProofRecord(
                record.challenge_id,
                proof.root,
                params.seed,
                params.n,
                params.steps,
                params.interval,
                seconds,
                str(path),
            )
        )
        log.info(
            "proved",
            extra={
                "challenge": record.challenge_id,
                "root": "0x" + proof.root.hex(),
                "seconds": round(seconds, 3),
                "ops_per_second": params.ops / seconds if seconds > 0 else None,
            },
        )
        return proof.root

    # ------------------------------------------------------------ jobs

    def _advance_job(self, job_id: int) -> None:
        """Move the job one phase at a time, reading its state on-chain before each."""
        while True:
            record = self.store.job(job_id)
            if record is None or record.phase in JOB_DONE:
                return
            job = self._job_on_chain(job_id)
            if job["provider"].lower() != self.address.lower():
                self.store.set_job_phase(job_id, JobPhase.CLOSED, "not ours on-chain (reorg)")
                log.warning("job is not ours on-chain", extra={"job": job_id})
                return
            state = JobState(job["state"])
            if state != JobState.RUNNING:
                self._settle_job_phase(record, state, job)
                return
            job_spec = self._spec(job_id)
            deadline = int(self.client.call(self.market.functions.resultDeadlineOf(job_id)))
            if record.deadline != deadline:
                self.store.set_job_details(job_id, deadline=deadline)
            if self._now() > deadline:
                self.store.set_job_phase(job_id, JobPhase.MISSED, "result deadline passed")
                log.error("result deadline passed", extra={"job": job_id, "deadline": deadline})
                return
            if record.phase != JobPhase.MATCHED and record.challenge_id is not None:
                # A reorg may have dropped the commitment since: the result waits for it.
                if not self._benchmark_committed(job_id, record.challenge_id):
                    return
            if record.phase == JobPhase.MATCHED:
                if not self._prepare(record, job_spec):
                    return
                self.store.set_job_phase(job_id, JobPhase.BENCHMARKED)
            elif record.phase == JobPhase.BENCHMARKED:
                if not self._run_workload(record, job_spec):
                    return
            elif record.phase == JobPhase.ARTIFACT:
                self._submit(record)

    def _settle_job_phase(self, record: JobRecord, state: JobState, job: dict[str, Any]) -> None:
        """The job left RUNNING without us sending (now): our submission if the hash is ours."""
        if (
            state in STATES_WITH_RESULT
            and record.artifact_hash is not None
            and bytes(job["resultHash"]) == record.artifact_hash
        ):
            self.store.mark_job_submitted(record.job_id, None, f"found {state.name} on-chain")
            log.info(
                "result already on-chain; not submitting it again",
                extra={"job": record.job_id, "state": state.name},
            )
            return
        self.store.set_job_phase(record.job_id, JobPhase.CLOSED, f"{state.name} on-chain")
        log.warning("job left RUNNING without our result", extra={"job": record.job_id})

    def _try_to_win(self, job_id: int, kind: str) -> None:
        """Accept a job posted to this provider at its price, or bid this provider's price on an
        open auction it can serve, but only for a workload the agent runs: winning one it would
        refuse ends in a timeout and a slash."""
        job = self._job_on_chain(job_id)
        state = JobState(job["state"])
        if state != JobState.OPEN:
            self.store.close_posting(job_id, "gone", state.name)
            return
        if self._now() >= int(job["biddingEnds"]):
            self.store.close_posting(job_id, "expired")
            return
        job_spec = self._spec(job_id)
        try:
            self._check_workload(job_spec)
        except WorkloadRefused as exc:
            self.store.close_posting(job_id, "declined", str(exc))
            log.warning("job declined", extra={"job": job_id, "kind": kind, "reason": str(exc)})
            return
        if kind == "direct":
            fn = self.market.functions.acceptJob(job_id)
            price = int(job["maxPrice"])
        else:
            if not self.client.call(self.market.functions.isEligible(job_id, self.address)):
                self.store.close_posting(job_id, "not eligible")
                return
            registry = self.client["ProviderRegistry"]
            price = int(self.client.call(registry.functions.priceOf(self.address, job["token"])))
            if price == 0 or price > int(job["maxPrice"]):
                self.store.close_posting(job_id, "price", f"our price {price}")
                return
            fn = self.market.functions.bid(job_id, price)
        try:
            self._send(fn)
        except ChainError as exc:
            self.store.close_posting(job_id, "refused", str(exc))
            log.warning("could not take the job", extra={"job": job_id, "error": str(exc)})
            return
        self.store.close_posting(job_id, "accepted" if kind == "direct" else "bid")
        log.info(
            "direct assignment accepted" if kind == "direct" else "bid placed",
            extra={"job": job_id, "price": price},
        )

    def _check_workload(self, job_spec: dict[str, Any]) -> None:
        """Raise WorkloadRefused for a workload this agent would not run: an unknown kind, or a
        command off the allowlist or whose sha256 is not the job's workload hash."""
        workload = parse_workload(job_spec["workloadURI"])
        if workload.kind == WorkloadKind.UNKNOWN:
            raise WorkloadRefused(f"unknown workload kind: {job_spec['workloadURI']!r}")
        if workload.kind == WorkloadKind.COMMAND:
            check_command(
                workload.command, self.settings.allowlist, bytes(job_spec["workloadHash"])
            )

    def _prepare(self, record: JobRecord, job_spec: dict[str, Any]) -> bool:
        """Refuse an untrusted workload before any work; commit the benchmark when the job
        requires one. True when the job may run its workload."""
        try:
            self._check_workload(job_spec)
        except WorkloadRefused as exc:
            self._refuse(record.job_id, str(exc))
            return False
        if not job_spec["benchmarkRequired"]:
            return True
        challenge_id = int(self.client.call(self.market.functions.challengeOfJob(record.job_id)))
        if challenge_id == 0:
            # No benchmark registry was wired when the job matched: nothing to commit.
            log.warning(
                "job requires a benchmark but has no challenge", extra={"job": record.job_id}
            )
            return True
        self.store.set_job_details(record.job_id, challenge_id=challenge_id)
        if self.store.challenge(challenge_id) is None:
            self._learn_challenge(challenge_id, self._challenge_on_chain(challenge_id))
        return self._benchmark_committed(record.job_id, challenge_id)

    def _benchmark_committed(self, job_id: int, challenge_id: int) -> bool:
        """Prove and commit the job's challenge if that is still to do; True once committed.
        A challenge that can no longer be committed ends the job (MISSED)."""
        self._advance_challenge(challenge_id)
        challenge = self.store.challenge(challenge_id)
        assert challenge is not None
        if challenge.phase == ChallengePhase.COMMITTED:
            return True
        if challenge.phase in CHALLENGE_DONE:
            self.store.set_job_phase(
                job_id,
                JobPhase.MISSED,
                f"benchmark challenge {challenge_id} {challenge.phase.value}",
            )
        return False

    def _refuse(self, job_id: int, reason: str) -> None:
        self.store.set_job_phase(job_id, JobPhase.REFUSED, reason)
        log.warning("workload refused; not running it", extra={"job": job_id, "reason": reason})

    def _run_workload(self, record: JobRecord, job_spec: dict[str, Any]) -> bool:
        """Run the job's workload and persist its artifact. True when the artifact is stored."""
        job_id = record.job_id
        workload = parse_workload(job_spec["workloadURI"])
        log.info("running workload", extra={"job": job_id, "kind": workload.kind.value})
        try:
            if workload.kind == WorkloadKind.POGEMM:
                artifact = self._pogemm_artifact(record, job_spec)
            elif workload.kind == WorkloadKind.COMMAND:
                artifact = run_command(
                    workload.command,
                    allowlist=self.settings.allowlist,
                    workload_hash=bytes(job_spec["workloadHash"]),
                    work_dir=self.store.job_dir(job_id) / "work",
                    timeout=min(self.settings.command_timeout, float(job_spec["duration"])),
                )
            else:
                raise WorkloadRefused(f"unknown workload kind: {job_spec['workloadURI']!r}")
        except WorkloadRefused as exc:
            self._refuse(job_id, str(exc))
            return False
        except WorkloadFailed as exc:
            self.store.set_job_phase(job_id, JobPhase.FAILED, str(exc))
            log.error("workload failed; not submitting", extra={"job": job_id, "error": str(exc)})
            return False
        path = self.store.job_dir(job_id) / RESULT_FILE
        atomic_write_bytes(path, artifact)
        digest = artifact_hash(artifact)
        self.store.set_artifact(job_id, path, digest)
        log.info(
            "artifact stored",
            extra={"job": job_id, "bytes": len(artifact), "sha256": "0x" + digest.hex()},
        )
        return True

    def _pogemm_artifact(self, record: JobRecord, job_spec: dict[str, Any]) -> bytes:
        if job_spec["benchmarkRequired"] and record.challenge_id:
            challenge = self.store.challenge(record.challenge_id)
            stored = None
            if challenge is not None and challenge.root is not None:
                stored = self.store.proof(record.challenge_id, challenge.root)
            if stored is None:
                raise WorkloadFailed(f"no proof stored for challenge {record.challenge_id}")
            return pogemm_summary(stored.params, stored.root, stored.seconds, stored.challenge_id)
        try:
            params = job_pogemm_params(
                record.job_id,
                self.market.address,
                int(job_spec["benchmarkN"]),
                int(job_spec["benchmarkT"]),
                int(job_spec["benchmarkK"]),
            )
        except ValueError as exc:
            raise WorkloadRefused(f"PoGEMM sizes not runnable: {exc}") from exc
        started = time.perf_counter()
        proof = self.make_proof(params)
        return pogemm_summary(params, proof.root, time.perf_counter() - started)

    def _submit(self, record: JobRecord) -> None:
        assert record.artifact_hash is not None
        uri = api.result_url(self.endpoint, record.job_id)
        receipt = self._send(
            self.market.functions.submitResult(record.job_id, record.artifact_hash, uri)
        )
        self.store.mark_job_submitted(record.job_id, int(receipt["blockNumber"]))
        log.info(
            "result submitted",
            extra={
                "job": record.job_id,
                "result_hash": "0x" + record.artifact_hash.hex(),
                "uri": uri,
                "tx": "0x" + bytes(receipt["transactionHash"]).hex(),
            },
        )

    # ------------------------------------------------------------ attestations

    def open_attestation(self, n: int, steps: int, interval: int) -> int:
        """Open a hardware attestation of this provider (`BenchmarkRegistry.open(0, me, ...)`);
        the next steps prove and commit it. Returns the challenge id."""
        receipt = self._send(self.benchmark.functions.open(0, self.address, n, steps, interval))
        (opened,) = self.benchmark.events.ChallengeOpened().process_receipt(receipt, errors=DISCARD)
        self._learn("ChallengeOpened", opened)
        challenge_id = int(opened["args"]["challengeId"])
        log.info("attestation opened", extra={"challenge": challenge_id})
        return challenge_id

    # ------------------------------------------------------------ chain access

    def _send(self, fn: Any) -> Any:
        """Every transaction the agent sends goes through here."""
        return self.client.transact(fn)

    def _challenge_on_chain(self, challenge_id: int) -> dict[str, Any]:
        fn = self.benchmark.functions.challengeOf(challenge_id)
        return struct(fn, self.client.call(fn))

    def _job_on_chain(self, job_id: int) -> dict[str, Any]:
        fn = self.market.functions.jobOf(job_id)
        return struct(fn, self.client.call(fn))

    def _spec(self, job_id: int) -> dict[str, Any]:
        # A job's spec never changes once posted.
        if job_id not in self._specs:
            fn = self.market.functions.specOf(job_id)
            self._specs[job_id] = struct(fn, self.client.call(fn))
        return self._specs[job_id]

    def _now(self) -> int:
        """The latest block's timestamp: the clock every deadline is checked against."""
        block = self.client.rpc("eth_getBlock", lambda: self.client.w3.eth.get_block("latest"))
        return int(block["timestamp"])

    def check_offer(self) -> None:
        """Warn when the on-chain offer does not point at this agent."""
        registry = self.client["ProviderRegistry"]
        fn = registry.functions.offerOf(self.address)
        offer = struct(fn, self.client.call(fn))
        if offer["endpoint"] != self.endpoint:
            log.warning(
                "the offer's endpoint is not this agent's; buyers and oracles will not reach it",
                extra={"offer_endpoint": offer["endpoint"], "endpoint": self.endpoint},
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
        runner, port = await start_site(
            make_app(self.settings.state_dir, self.address), self.settings.host, self.settings.port
        )
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
