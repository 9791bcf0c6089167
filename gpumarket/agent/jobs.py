"""The agent's job work: win a job, then move a matched one MATCHED -> BENCHMARKED -> ARTIFACT ->
SUBMITTED, reading it on-chain before each phase.

Only workloads the agent runs are won or run: a `builtin:POGEMM` job, or a `command:` line on the
provider's allowlist whose sha256 is the job's workload hash; winning one it would refuse ends in
a timeout and a slash. A job that requires a benchmark runs its workload only once the benchmark
is committed (`gpumarket.agent.challenges`), and a job found SUBMITTED with our hash is not
submitted again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from gpumarket.agent.chain import AgentChain, Send
from gpumarket.agent.challenges import ChallengeWork, Prove
from gpumarket.agent.proofs import atomic_write_bytes
from gpumarket.agent.records import CHALLENGE_DONE, JOB_DONE, ChallengePhase, JobPhase, JobRecord
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
from gpumarket.chain.client import ChainError
from gpumarket.chain.types import JobSpec, JobState
from gpumarket.chain.views import Job

log = logging.getLogger(__name__)

RESULT_FILE = "result.bin"
#: Job states in which the market holds the result the provider submitted.
STATES_WITH_RESULT = frozenset(
    {JobState.SUBMITTED, JobState.VERIFIED, JobState.DISPUTED, JobState.SETTLED}
)

#: Runs a job's workload and stores its artifact; True when stored (`Agent._run_workload`).
RunWorkload = Callable[[JobRecord, JobSpec], bool]


class JobWork:
    """Wins, runs and submits this provider's jobs. `result_uri` names a job's result as this
    agent serves it; `run_workload` is the workload step (by default `JobWork.run_workload`)."""

    def __init__(
        self,
        store: AgentStore,
        chain: AgentChain,
        settings: AgentSettings,
        challenges: ChallengeWork,
        *,
        send: Send,
        prove: Prove,
        result_uri: Callable[[int], str],
        run_workload: RunWorkload | None = None,
    ) -> None:
        self.store = store
        self.chain = chain
        self.settings = settings
        self.challenges = challenges
        self.send = send
        self.prove = prove
        self.result_uri = result_uri
        self._run_workload = run_workload or self.run_workload

    # ------------------------------------------------------------ winning

    def try_to_win(self, job_id: int, kind: str) -> None:
        """Accept a job posted to this provider at its price (`direct`), or bid this provider's
        price on an open auction it can serve (`auction`)."""
        job = self.chain.job(job_id)
        if job.state != JobState.OPEN:
            self.store.close_posting(job_id, "gone", job.state.name)
            return
        if self.chain.now() >= job.bidding_ends:
            self.store.close_posting(job_id, "expired")
            return
        try:
            self.check_workload(self.chain.spec(job_id))
        except WorkloadRefused as exc:
            self.store.close_posting(job_id, "declined", str(exc))
            log.warning("job declined", extra={"job": job_id, "kind": kind, "reason": str(exc)})
            return
        market = self.chain.market
        if kind == "direct":
            fn = market.functions.acceptJob(job_id)
            price = job.max_price
        else:
            if not self.chain.is_eligible(job_id):
                self.store.close_posting(job_id, "not eligible")
                return
            price = self.chain.price_in(job.token)
            if price == 0 or price > job.max_price:
                self.store.close_posting(job_id, "price", f"our price {price}")
                return
            fn = market.functions.bid(job_id, price)
        try:
            self.send(fn)
        except ChainError as exc:
            self.store.close_posting(job_id, "refused", str(exc))
            log.warning("could not take the job", extra={"job": job_id, "error": str(exc)})
            return
        self.store.close_posting(job_id, "accepted" if kind == "direct" else "bid")
        log.info(
            "direct assignment accepted" if kind == "direct" else "bid placed",
            extra={"job": job_id, "price": price},
        )

    def check_workload(self, job_spec: JobSpec) -> None:
        """Raise WorkloadRefused for a workload this agent would not run: an unknown kind, or a
        command off the allowlist or whose sha256 is not the job's workload hash."""
        workload = parse_workload(job_spec.workload_uri)
        if workload.kind == WorkloadKind.UNKNOWN:
            raise WorkloadRefused(f"unknown workload kind: {job_spec.workload_uri!r}")
        if workload.kind == WorkloadKind.COMMAND:
            check_command(workload.command, self.settings.allowlist, job_spec.workload_hash)

    # ------------------------------------------------------------ a matched job

    def advance(self, job_id: int) -> None:
        """Move the job one phase at a time, reading its state on-chain before each."""
        while True:
            record = self.store.job(job_id)
            if record is None or record.phase in JOB_DONE:
                return
            job = self.chain.job(job_id)
            if not self.chain.ours(job.provider):
                self.store.set_job_phase(job_id, JobPhase.CLOSED, "not ours on-chain (reorg)")
                log.warning("job is not ours on-chain", extra={"job": job_id})
                return
            if job.state != JobState.RUNNING:
                self._settle(record, job)
                return
            job_spec = self.chain.spec(job_id)
            deadline = self.chain.result_deadline(job_id)
            if record.deadline != deadline:
                self.store.set_job_details(job_id, deadline=deadline)
            if self.chain.now() > deadline:
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

    def _settle(self, record: JobRecord, job: Job) -> None:
        """The job left RUNNING without us sending (now): our submission if the hash is ours."""
        state = job.state
        if (
            state in STATES_WITH_RESULT
            and record.artifact_hash is not None
            and job.result_hash == record.artifact_hash
        ):
            self.store.mark_job_submitted(record.job_id, None, f"found {state.name} on-chain")
            log.info(
                "result already on-chain; not submitting it again",
                extra={"job": record.job_id, "state": state.name},
            )
            return
        self.store.set_job_phase(record.job_id, JobPhase.CLOSED, f"{state.name} on-chain")
        log.warning("job left RUNNING without our result", extra={"job": record.job_id})

    def _prepare(self, record: JobRecord, job_spec: JobSpec) -> bool:
        """Refuse an untrusted workload before any work; commit the benchmark when the job
        requires one. True when the job may run its workload."""
        try:
            self.check_workload(job_spec)
        except WorkloadRefused as exc:
            self._refuse(record.job_id, str(exc))
            return False
        if not job_spec.benchmark_required:
            return True
        challenge_id = self.chain.challenge_of_job(record.job_id)
        if challenge_id == 0:
            # No benchmark registry was wired when the job matched: nothing to commit.
            log.warning(
                "job requires a benchmark but has no challenge", extra={"job": record.job_id}
            )
            return True
        self.store.set_job_details(record.job_id, challenge_id=challenge_id)
        if self.store.challenge(challenge_id) is None:
            self.challenges.learn(challenge_id, self.chain.challenge(challenge_id))
        return self._benchmark_committed(record.job_id, challenge_id)

    def _benchmark_committed(self, job_id: int, challenge_id: int) -> bool:
        """Prove and commit the job's challenge if that is still to do; True once committed.
        A challenge that can no longer be committed ends the job (MISSED)."""
        self.challenges.advance(challenge_id)
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

    # ------------------------------------------------------------ the workload and its result

    def run_workload(self, record: JobRecord, job_spec: JobSpec) -> bool:
        """Run the job's workload and persist its artifact. True when the artifact is stored."""
        job_id = record.job_id
        workload = parse_workload(job_spec.workload_uri)
        log.info("running workload", extra={"job": job_id, "kind": workload.kind.value})
        try:
            if workload.kind == WorkloadKind.POGEMM:
                artifact = self._pogemm_artifact(record, job_spec)
            elif workload.kind == WorkloadKind.COMMAND:
                artifact = run_command(
                    workload.command,
                    allowlist=self.settings.allowlist,
                    workload_hash=job_spec.workload_hash,
                    work_dir=self.store.job_dir(job_id) / "work",
                    timeout=min(self.settings.command_timeout, float(job_spec.duration)),
                )
            else:
                raise WorkloadRefused(f"unknown workload kind: {job_spec.workload_uri!r}")
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

    def _pogemm_artifact(self, record: JobRecord, job_spec: JobSpec) -> bytes:
        if job_spec.benchmark_required and record.challenge_id:
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
                self.chain.market.address,
                job_spec.benchmark_n,
                job_spec.benchmark_t,
                job_spec.benchmark_k,
            )
        except ValueError as exc:
            raise WorkloadRefused(f"PoGEMM sizes not runnable: {exc}") from exc
        started = time.perf_counter()
        proof = self.prove(params)
        return pogemm_summary(params, proof.root, time.perf_counter() - started)

    def _submit(self, record: JobRecord) -> None:
        assert record.artifact_hash is not None
        uri = self.result_uri(record.job_id)
        receipt = self.send(
            self.chain.market.functions.submitResult(record.job_id, record.artifact_hash, uri)
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
