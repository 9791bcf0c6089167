"""What the agent's store holds: the phases a job and a challenge go through, the tables, and the
records their rows read as.

A job moves MATCHED -> BENCHMARKED -> ARTIFACT -> SUBMITTED, a challenge OPENED -> PROVED ->
COMMITTED; the other phases end one without a result. A SUBMITTED job or COMMITTED challenge
also carries the block its transaction was mined in and whether the chain was seen to keep it
(`confirmed`): see `gpumarket.agent.lifecycle`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from gpumarket.pogemm import spec


class JobPhase(enum.StrEnum):
    MATCHED = "matched"  # learned from JobMatched; nothing done yet
    BENCHMARKED = "benchmarked"  # the benchmark root is committed, or none is required
    ARTIFACT = "artifact"  # the workload ran; its artifact is on disk
    SUBMITTED = "submitted"  # submitResult is on-chain
    REFUSED = "refused"  # a workload the agent does not trust: never run, never submitted
    FAILED = "failed"  # the workload ran and failed (exit status, timeout, no output)
    MISSED = "missed"  # the result deadline or the commit window passed
    CLOSED = "closed"  # the job left RUNNING without us, or is not ours (reorg)


class ChallengePhase(enum.StrEnum):
    OPENED = "opened"  # learned from ChallengeOpened
    PROVED = "proved"  # the proof is on disk and its root recorded
    COMMITTED = "committed"  # the root is on-chain
    EXPIRED = "expired"  # the commit window closed first
    CLOSED = "closed"  # decided or changed on-chain without our commitment


JOB_DONE = frozenset(
    {JobPhase.SUBMITTED, JobPhase.REFUSED, JobPhase.FAILED, JobPhase.MISSED, JobPhase.CLOSED}
)
CHALLENGE_DONE = frozenset(
    {ChallengePhase.COMMITTED, ChallengePhase.EXPIRED, ChallengePhase.CLOSED}
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    job_id INTEGER PRIMARY KEY,
    phase TEXT NOT NULL,
    matched_block INTEGER NOT NULL,
    challenge_id INTEGER,
    deadline INTEGER,
    artifact_hash BLOB,
    artifact_path TEXT,
    tx_block INTEGER,
    confirmed INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS challenges (
    challenge_id INTEGER PRIMARY KEY,
    subject INTEGER NOT NULL,
    seed BLOB NOT NULL,
    n INTEGER NOT NULL,
    steps INTEGER NOT NULL,
    interval INTEGER NOT NULL,
    phase TEXT NOT NULL,
    root BLOB,
    tx_block INTEGER,
    confirmed INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (
    job_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS proofs (
    challenge_id INTEGER NOT NULL,
    root BLOB NOT NULL,
    seed BLOB NOT NULL,
    n INTEGER NOT NULL,
    steps INTEGER NOT NULL,
    interval INTEGER NOT NULL,
    seconds REAL NOT NULL,
    path TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (challenge_id, root)
);
"""


@dataclass(frozen=True)
class JobRecord:
    job_id: int
    phase: JobPhase
    matched_block: int
    challenge_id: int | None
    deadline: int | None
    artifact_hash: bytes | None
    artifact_path: str | None
    tx_block: int | None
    confirmed: bool
    note: str
    updated_at: float


@dataclass(frozen=True)
class ChallengeRecord:
    challenge_id: int
    subject: int
    seed: bytes
    n: int
    steps: int
    interval: int
    phase: ChallengePhase
    root: bytes | None
    tx_block: int | None
    confirmed: bool
    note: str
    updated_at: float

    @property
    def params(self) -> spec.Params:
        return spec.Params(self.seed, self.n, self.steps, self.interval)


SELECT_JOB = (
    "SELECT job_id, phase, matched_block, challenge_id, deadline, artifact_hash, artifact_path, "
    "tx_block, confirmed, note, updated_at FROM jobs"
)
SELECT_CHALLENGE = (
    "SELECT challenge_id, subject, seed, n, steps, interval, phase, root, tx_block, confirmed, "
    "note, updated_at FROM challenges"
)


def job_of(row: tuple[Any, ...]) -> JobRecord:
    """A row of SELECT_JOB."""
    (
        job_id,
        phase,
        matched_block,
        challenge_id,
        deadline,
        digest,
        path,
        tx_block,
        confirmed,
        note,
        at,
    ) = row
    return JobRecord(
        job_id=int(job_id),
        phase=JobPhase(phase),
        matched_block=int(matched_block),
        challenge_id=challenge_id,
        deadline=deadline,
        artifact_hash=None if digest is None else bytes(digest),
        artifact_path=path,
        tx_block=tx_block,
        confirmed=bool(confirmed),
        note=note,
        updated_at=float(at),
    )


def challenge_of(row: tuple[Any, ...]) -> ChallengeRecord:
    """A row of SELECT_CHALLENGE."""
    cid, subject, seed, n, steps, interval, phase, root, tx_block, confirmed, note, at = row
    return ChallengeRecord(
        challenge_id=int(cid),
        subject=int(subject),
        seed=bytes(seed),
        n=int(n),
        steps=int(steps),
        interval=int(interval),
        phase=ChallengePhase(phase),
        root=None if root is None else bytes(root),
        tx_block=tx_block,
        confirmed=bool(confirmed),
        note=note,
        updated_at=float(at),
    )
