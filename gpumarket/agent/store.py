"""What the agent knows and has done, in SQLite (the tables are in `gpumarket.agent.records`).

Every phase a job or challenge reaches is committed before the agent moves on, so a restart (even
after SIGKILL) resumes where it stopped; the service checks the chain before each action, so a
phase that was acted on but not yet recorded is never acted on twice. The commitments and
submissions it sent are tracked until the chain is seen to keep them
(`gpumarket.agent.lifecycle`); the proof files themselves are `gpumarket.agent.proofs`.

Proofs are keyed by (challenge id, root): after a reorg the same challenge id can carry another
seed, and so another root, and an oracle asking for the old root must not get the new rows.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from gpumarket.agent.lifecycle import SentTransactions, update
from gpumarket.agent.proofs import ProofRecord
from gpumarket.agent.records import (
    CHALLENGE_DONE,
    JOB_DONE,
    SCHEMA,
    SELECT_CHALLENGE,
    SELECT_JOB,
    ChallengePhase,
    ChallengeRecord,
    JobPhase,
    JobRecord,
    challenge_of,
    job_of,
)
from gpumarket.runtime import sqlite

DB_NAME = "agent.db"
PROOFS_DIR = "proofs"
JOBS_DIR = "jobs"
REWOUND = "rewound by a reorg"


class StoreMismatch(RuntimeError):
    """The state directory belongs to another provider or another chain."""


class AgentStore:
    """The agent's SQLite database (the LogScanner keeps its cursor in the same file)."""

    def __init__(self, state_dir: Path, db: sqlite3.Connection) -> None:
        self.state_dir = state_dir
        self.db = db
        #: Our submitResult transactions, and our commit transactions.
        self.submissions = SentTransactions(
            db,
            table="jobs",
            key="job_id",
            sent=JobPhase.SUBMITTED.value,
            unsent=JobPhase.ARTIFACT.value,
            select=SELECT_JOB,
            record=job_of,
        )
        self.commitments = SentTransactions(
            db,
            table="challenges",
            key="challenge_id",
            sent=ChallengePhase.COMMITTED.value,
            unsent=ChallengePhase.PROVED.value,
            select=SELECT_CHALLENGE,
            record=challenge_of,
        )

    @classmethod
    def open(
        cls, state_dir: Path, *, provider: str | None = None, chain_id: int | None = None
    ) -> AgentStore:
        """Open (creating it if needed) the store under `state_dir`. With `provider` and
        `chain_id` it is bound to them on first use and refuses any other afterwards."""
        state_dir.mkdir(parents=True, exist_ok=True)
        store = cls(state_dir, sqlite.connect(state_dir / DB_NAME, schema=SCHEMA, any_thread=True))
        if provider is not None:
            store._bind("provider", provider.lower())
        if chain_id is not None:
            store._bind("chain_id", str(chain_id))
        return store

    def close(self) -> None:
        self.db.close()

    def _bind(self, key: str, value: str) -> None:
        known = self.meta(key)
        if known is None:
            with self.db:
                self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        elif known != value:
            raise StoreMismatch(
                f"{self.state_dir} holds the state of {key} {known}, not {value}; "
                "use another state directory"
            )

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------ paths

    @property
    def proofs_dir(self) -> Path:
        return self.state_dir / PROOFS_DIR

    def job_dir(self, job_id: int) -> Path:
        return self.state_dir / JOBS_DIR / str(job_id)

    # ------------------------------------------------------------ postings: jobs to win

    def add_posting(self, job_id: int, kind: str) -> bool:
        """A posted job this agent may win: `direct` (assigned to it) or `auction` (open to
        bids). True when it is new."""
        with self.db:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO postings (job_id, kind, status) VALUES (?, ?, 'pending')",
                (job_id, kind),
            )
        return cursor.rowcount == 1

    def pending_postings(self) -> list[tuple[int, str]]:
        rows = self.db.execute(
            "SELECT job_id, kind FROM postings WHERE status = 'pending' ORDER BY job_id"
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    def close_posting(self, job_id: int, status: str, note: str = "") -> None:
        with self.db:
            self.db.execute(
                "UPDATE postings SET status = ?, note = ? WHERE job_id = ?",
                (status, note, job_id),
            )

    # ------------------------------------------------------------ jobs

    def add_job(self, job_id: int, matched_block: int) -> bool:
        """Record a job matched to us; False when it was already known."""
        with self.db:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO jobs (job_id, phase, matched_block, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (job_id, JobPhase.MATCHED.value, matched_block, time.time()),
            )
        return cursor.rowcount == 1

    def job(self, job_id: int) -> JobRecord | None:
        row = self.db.execute(f"{SELECT_JOB} WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None else job_of(row)

    def jobs(self) -> list[JobRecord]:
        return [job_of(row) for row in self.db.execute(f"{SELECT_JOB} ORDER BY job_id")]

    def pending_jobs(self) -> list[JobRecord]:
        return [job for job in self.jobs() if job.phase not in JOB_DONE]

    def set_job_phase(self, job_id: int, phase: JobPhase, note: str = "") -> None:
        """Move a job to `phase`. A job that ends without a result takes its uncommitted
        challenge with it: nothing will commit it any more."""
        update(self.db, "jobs", "job_id", job_id, phase=phase.value, note=note)
        if phase in JOB_DONE and phase != JobPhase.SUBMITTED:
            with self.db:
                self.db.execute(
                    "UPDATE challenges SET phase = ?, note = ?, updated_at = ? "
                    "WHERE subject = ? AND phase IN (?, ?)",
                    (
                        ChallengePhase.CLOSED.value,
                        f"job {phase.value}",
                        time.time(),
                        job_id,
                        ChallengePhase.OPENED.value,
                        ChallengePhase.PROVED.value,
                    ),
                )

    def set_job_details(
        self, job_id: int, *, deadline: int | None = None, challenge_id: int | None = None
    ) -> None:
        fields: dict[str, Any] = {}
        if deadline is not None:
            fields["deadline"] = deadline
        if challenge_id is not None:
            fields["challenge_id"] = challenge_id
        if fields:
            update(self.db, "jobs", "job_id", job_id, **fields)

    def set_artifact(self, job_id: int, path: Path, digest: bytes) -> None:
        update(
            self.db,
            "jobs",
            "job_id",
            job_id,
            phase=JobPhase.ARTIFACT.value,
            artifact_path=str(path),
            artifact_hash=digest,
            note="",
        )

    def mark_job_submitted(self, job_id: int, tx_block: int | None, note: str = "") -> None:
        """The result is on-chain (see `gpumarket.agent.lifecycle`)."""
        self.submissions.mark_sent(job_id, tx_block, note)

    def unconfirmed_jobs(self, cursor: int) -> list[JobRecord]:
        return self.submissions.unconfirmed(cursor)

    def confirm_job(self, job_id: int) -> None:
        self.submissions.confirm(job_id)

    def drop_submission(self, job_id: int, note: str) -> None:
        """Our submission is not on the chain any more (a reorg): submit the artifact again."""
        self.submissions.drop(job_id, note)

    # ------------------------------------------------------------ challenges

    def add_challenge(
        self, challenge_id: int, subject: int, seed: bytes, n: int, steps: int, interval: int
    ) -> bool:
        """Record a challenge opened for us. A known id with another seed (a reorg replaced the
        opening) starts over, and so does its job's workload; its old proof stays servable under
        its own root. True when the challenge is new or was reset."""
        known = self.challenge(challenge_id)
        if known is not None and known.seed == seed:
            return False
        # Learned at the opening without its seed (zero: the block it comes from came later).
        first_seed = known is not None and known.seed == bytes(len(seed))
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO challenges (challenge_id, subject, seed, n, steps, "
                "interval, phase, root, tx_block, note, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)",
                (
                    challenge_id,
                    subject,
                    seed,
                    n,
                    steps,
                    interval,
                    ChallengePhase.OPENED.value,
                    "" if known is None or first_seed else "seed changed (reorg)",
                    time.time(),
                ),
            )
            if known is not None and not first_seed and subject != 0:
                # The job's artifact summarised the old proof: run it again after the new one.
                self.db.execute(
                    "UPDATE jobs SET phase = ?, note = ?, updated_at = ? "
                    "WHERE job_id = ? AND phase IN (?, ?)",
                    (
                        JobPhase.MATCHED.value,
                        "benchmark re-seeded (reorg)",
                        time.time(),
                        subject,
                        JobPhase.BENCHMARKED.value,
                        JobPhase.ARTIFACT.value,
                    ),
                )
        return True

    def challenge(self, challenge_id: int) -> ChallengeRecord | None:
        row = self.db.execute(
            f"{SELECT_CHALLENGE} WHERE challenge_id = ?", (challenge_id,)
        ).fetchone()
        return None if row is None else challenge_of(row)

    def challenges(self) -> list[ChallengeRecord]:
        rows = self.db.execute(f"{SELECT_CHALLENGE} ORDER BY challenge_id")
        return [challenge_of(row) for row in rows]

    def pending_challenges(self) -> list[ChallengeRecord]:
        return [c for c in self.challenges() if c.phase not in CHALLENGE_DONE]

    def set_challenge_phase(self, challenge_id: int, phase: ChallengePhase, note: str = "") -> None:
        update(self.db, "challenges", "challenge_id", challenge_id, phase=phase.value, note=note)

    def add_proof(self, record: ProofRecord) -> None:
        """Record a proof written to disk and move its challenge to PROVED, in one transaction."""
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO proofs (challenge_id, root, seed, n, steps, interval, "
                "seconds, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.challenge_id,
                    record.root,
                    record.seed,
                    record.n,
                    record.steps,
                    record.interval,
                    record.seconds,
                    record.path,
                    time.time(),
                ),
            )
            self.db.execute(
                "UPDATE challenges SET phase = ?, root = ?, note = '', updated_at = ? "
                "WHERE challenge_id = ? AND seed = ?",
                (
                    ChallengePhase.PROVED.value,
                    record.root,
                    time.time(),
                    record.challenge_id,
                    record.seed,
                ),
            )

    def proof(self, challenge_id: int, root: bytes) -> ProofRecord | None:
        row = self.db.execute(
            "SELECT challenge_id, root, seed, n, steps, interval, seconds, path FROM proofs "
            "WHERE challenge_id = ? AND root = ?",
            (challenge_id, root),
        ).fetchone()
        if row is None:
            return None
        cid, proof_root, seed, n, steps, interval, seconds, path = row
        return ProofRecord(
            int(cid), bytes(proof_root), bytes(seed), n, steps, interval, float(seconds), path
        )

    def last_proof_rate(self) -> float | None:
        """Operations per second of the latest proof made (None before any)."""
        row = self.db.execute(
            "SELECT n, steps, seconds FROM proofs ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        n, steps, seconds = row
        return 2 * int(n) ** 3 * int(steps) / max(float(seconds), 1e-9)

    def committed_since(self, block: int) -> list[ChallengeRecord]:
        """COMMITTED challenges whose commitment was mined after `block`."""
        rows = self.db.execute(
            f"{SELECT_CHALLENGE} WHERE phase = ? AND tx_block > ? ORDER BY challenge_id",
            (ChallengePhase.COMMITTED.value, block),
        )
        return [challenge_of(row) for row in rows]

    def mark_challenge_committed(
        self, challenge_id: int, root: bytes, tx_block: int | None, note: str = ""
    ) -> None:
        """Our root is on-chain (see `gpumarket.agent.lifecycle`)."""
        self.commitments.mark_sent(challenge_id, tx_block, note, root=root)

    def unconfirmed_challenges(self, cursor: int) -> list[ChallengeRecord]:
        return self.commitments.unconfirmed(cursor)

    def confirm_challenge(self, challenge_id: int) -> None:
        self.commitments.confirm(challenge_id)

    def drop_commitment(self, challenge_id: int, note: str) -> None:
        """Our commitment is not on the chain any more (a reorg): commit the proof again."""
        self.commitments.drop(challenge_id, note)

    # ------------------------------------------------------------ reorgs and views

    def rewind(self, fork_block: int) -> tuple[list[int], list[int]]:
        """A reorg dropped blocks after `fork_block` (confirmed or not): our commitments and
        submissions mined there may be gone, so their phases step back and the chain is asked
        again. Returns the job and challenge ids rewound."""
        with self.db:
            jobs = self.submissions.rewind(fork_block, REWOUND)
            challenges = self.commitments.rewind(fork_block, REWOUND)
        return jobs, challenges

    def cursor(self) -> int | None:
        """The LogScanner's cursor, when it has one (the scanner owns the table)."""
        try:
            row = self.db.execute("SELECT block FROM cursor WHERE id = 1").fetchone()
        except sqlite3.OperationalError:
            return None
        return None if row is None else int(row[0])

    def counts(self) -> tuple[int, int]:
        """(jobs, challenges) known."""
        jobs = self.db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        challenges = self.db.execute("SELECT COUNT(*) FROM challenges").fetchone()[0]
        return int(jobs), int(challenges)
