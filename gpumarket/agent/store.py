"""What the agent knows and has done, in SQLite, and the proof files behind its reveals.

Every phase a job or challenge reaches is committed before the agent moves on, so a restart (even
after SIGKILL) resumes where it stopped; the service checks the chain before each action, so a
phase that was acted on but not yet recorded is never acted on twice. Files (proofs, artifacts)
are written to a temporary name and renamed into place, so a reader never sees half of one.

Proofs are keyed by (challenge id, root): after a reorg the same challenge id can carry another
seed, and so another root, and an oracle asking for the old root must not get the new rows.
"""

from __future__ import annotations

import enum
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gpumarket.pogemm import spec
from gpumarket.pogemm.merkle import DIGEST_BYTES, MerkleTree
from gpumarket.pogemm.prover import CheckpointStore, Proof

DB_NAME = "agent.db"
PROOFS_DIR = "proofs"
JOBS_DIR = "jobs"
LEAVES_FILE = "leaves.bin"
META_FILE = "proof.json"


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


class StoreMismatch(RuntimeError):
    """The state directory belongs to another provider or another chain."""


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


@dataclass(frozen=True)
class ProofRecord:
    challenge_id: int
    root: bytes
    seed: bytes
    n: int
    steps: int
    interval: int
    seconds: float
    path: str

    @property
    def params(self) -> spec.Params:
        return spec.Params(self.seed, self.n, self.steps, self.interval)


def connect(path: Path) -> sqlite3.Connection:
    """A connection that commits durably (WAL, synchronous FULL) and can be handed to the one
    worker thread that uses it."""
    db = sqlite3.connect(path, check_same_thread=False, timeout=30.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


class AgentStore:
    """The agent's SQLite database (the LogScanner keeps its cursor in the same file)."""

    def __init__(self, state_dir: Path, db: sqlite3.Connection) -> None:
        self.state_dir = state_dir
        self.db = db

    @classmethod
    def open(
        cls, state_dir: Path, *, provider: str | None = None, chain_id: int | None = None
    ) -> AgentStore:
        """Open (creating it if needed) the store under `state_dir`. With `provider` and
        `chain_id` it is bound to them on first use and refuses any other afterwards."""
        state_dir.mkdir(parents=True, exist_ok=True)
        store = cls(state_dir, connect(state_dir / DB_NAME))
        store.db.executescript(SCHEMA)
        if provider is not None:
            store._bind("provider", provider.lower())
        if chain_id is not None:
            store._bind("chain_id", str(chain_id))
        return store

    def close(self) -> None:
        self.db.close()

    def _bind(self, key: str, value: str) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            with self.db:
                self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        elif row[0] != value:
            raise StoreMismatch(
                f"{self.state_dir} holds the state of {key} {row[0]}, not {value}; "
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

    def job(self, job_id: int) -> JobRecord | None:
        row = self.db.execute(f"{_SELECT_JOB} WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def jobs(self) -> list[JobRecord]:
        return [_job(row) for row in self.db.execute(f"{_SELECT_JOB} ORDER BY job_id")]

    def pending_jobs(self) -> list[JobRecord]:
        return [job for job in self.jobs() if job.phase not in JOB_DONE]

    def set_job_phase(self, job_id: int, phase: JobPhase, note: str = "") -> None:
        """Move a job to `phase`. A job that ends without a result takes its uncommitted
        challenge with it: nothing will commit it any more."""
        self._update("jobs", "job_id", job_id, phase=phase.value, note=note)
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
            self._update("jobs", "job_id", job_id, **fields)

    def set_artifact(self, job_id: int, path: Path, digest: bytes) -> None:
        self._update(
            "jobs",
            "job_id",
            job_id,
            phase=JobPhase.ARTIFACT.value,
            artifact_path=str(path),
            artifact_hash=digest,
            note="",
        )

    def mark_job_submitted(self, job_id: int, tx_block: int | None, note: str = "") -> None:
        """The result is on-chain; mined in `tx_block` when we know it, which stays unconfirmed
        until the log cursor passes it and the chain still shows it (see `unconfirmed_jobs`)."""
        self._update(
            "jobs",
            "job_id",
            job_id,
            phase=JobPhase.SUBMITTED.value,
            tx_block=tx_block,
            confirmed=0,
            note=note,
        )

    def unconfirmed_jobs(self, cursor: int) -> list[JobRecord]:
        """Submitted jobs whose transaction's block the log cursor has reached: time to check
        that the chain still holds the result."""
        rows = self.db.execute(
            f"{_SELECT_JOB} WHERE phase = ? AND confirmed = 0 AND tx_block <= ? ORDER BY job_id",
            (JobPhase.SUBMITTED.value, cursor),
        )
        return [_job(row) for row in rows]

    def confirm_job(self, job_id: int) -> None:
        self._update("jobs", "job_id", job_id, confirmed=1)

    def drop_submission(self, job_id: int, note: str) -> None:
        """Our submission is not on the chain any more (a reorg): submit the artifact again."""
        self._update(
            "jobs",
            "job_id",
            job_id,
            phase=JobPhase.ARTIFACT.value,
            tx_block=None,
            confirmed=0,
            note=note,
        )

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
                    "" if known is None else "seed changed (reorg)",
                    time.time(),
                ),
            )
            if known is not None and subject != 0:
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
            f"{_SELECT_CHALLENGE} WHERE challenge_id = ?", (challenge_id,)
        ).fetchone()
        return None if row is None else _challenge(row)

    def challenges(self) -> list[ChallengeRecord]:
        return [
            _challenge(row) for row in self.db.execute(f"{_SELECT_CHALLENGE} ORDER BY challenge_id")
        ]

    def pending_challenges(self) -> list[ChallengeRecord]:
        return [c for c in self.challenges() if c.phase not in CHALLENGE_DONE]

    def set_challenge_phase(self, challenge_id: int, phase: ChallengePhase, note: str = "") -> None:
        self._update("challenges", "challenge_id", challenge_id, phase=phase.value, note=note)

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

    def mark_challenge_committed(
        self, challenge_id: int, root: bytes, tx_block: int | None, note: str = ""
    ) -> None:
        self._update(
            "challenges",
            "challenge_id",
            challenge_id,
            phase=ChallengePhase.COMMITTED.value,
            root=root,
            tx_block=tx_block,
            confirmed=0,
            note=note,
        )

    def unconfirmed_challenges(self, cursor: int) -> list[ChallengeRecord]:
        """Committed challenges whose transaction's block the log cursor has reached."""
        rows = self.db.execute(
            f"{_SELECT_CHALLENGE} WHERE phase = ? AND confirmed = 0 AND tx_block <= ? "
            "ORDER BY challenge_id",
            (ChallengePhase.COMMITTED.value, cursor),
        )
        return [_challenge(row) for row in rows]

    def confirm_challenge(self, challenge_id: int) -> None:
        self._update("challenges", "challenge_id", challenge_id, confirmed=1)

    def drop_commitment(self, challenge_id: int, note: str) -> None:
        """Our commitment is not on the chain any more (a reorg): commit the proof again."""
        self._update(
            "challenges",
            "challenge_id",
            challenge_id,
            phase=ChallengePhase.PROVED.value,
            tx_block=None,
            confirmed=0,
            note=note,
        )

    # ------------------------------------------------------------ reorgs and views

    def rewind(self, fork_block: int) -> tuple[list[int], list[int]]:
        """A reorg dropped blocks after `fork_block` (confirmed or not): our commitments and
        submissions mined there may be gone, so their phases step back and the chain is asked
        again. Returns the job and challenge ids rewound."""
        jobs = [
            int(row[0])
            for row in self.db.execute(
                "SELECT job_id FROM jobs WHERE phase = ? AND tx_block > ?",
                (JobPhase.SUBMITTED.value, fork_block),
            )
        ]
        challenges = [
            int(row[0])
            for row in self.db.execute(
                "SELECT challenge_id FROM challenges WHERE phase = ? AND tx_block > ?",
                (ChallengePhase.COMMITTED.value, fork_block),
            )
        ]
        now = time.time()
        with self.db:
            for job_id in jobs:
                self.db.execute(
                    "UPDATE jobs SET phase = ?, tx_block = NULL, confirmed = 0, note = ?, "
                    "updated_at = ? WHERE job_id = ?",
                    (JobPhase.ARTIFACT.value, "rewound by a reorg", now, job_id),
                )
            for challenge_id in challenges:
                self.db.execute(
                    "UPDATE challenges SET phase = ?, tx_block = NULL, confirmed = 0, note = ?, "
                    "updated_at = ? WHERE challenge_id = ?",
                    (ChallengePhase.PROVED.value, "rewound by a reorg", now, challenge_id),
                )
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

    def _update(self, table: str, key: str, key_value: int, **fields: Any) -> None:
        # Table, key and field names come from this module only, never from input.
        fields["updated_at"] = time.time()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.db:
            cursor = self.db.execute(
                f"UPDATE {table} SET {assignments} WHERE {key} = ?",  # noqa: S608
                (*fields.values(), key_value),
            )
        if cursor.rowcount != 1:
            raise KeyError(f"no {table} row {key_value}")


_SELECT_JOB = (
    "SELECT job_id, phase, matched_block, challenge_id, deadline, artifact_hash, artifact_path, "
    "tx_block, confirmed, note, updated_at FROM jobs"
)
_SELECT_CHALLENGE = (
    "SELECT challenge_id, subject, seed, n, steps, interval, phase, root, tx_block, confirmed, "
    "note, updated_at FROM challenges"
)


def _job(row: tuple[Any, ...]) -> JobRecord:
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


def _challenge(row: tuple[Any, ...]) -> ChallengeRecord:
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


# ---------------------------------------------------------------- files


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file, fsync'd, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


@contextmanager
def _staged_dir(final: Path) -> Iterator[Path]:
    """A temporary directory beside `final`, renamed to it when the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def proof_dir_name(challenge_id: int, root: bytes) -> str:
    return f"{challenge_id}-{root.hex()}"


def save_proof(proofs_dir: Path, challenge_id: int, proof: Proof) -> Path:
    """Write what answers reveals for `proof`: the leaf digests (``MerkleTree(blob)`` rebuilds
    the tree) and the checkpoint matrices its CheckpointStore keeps, as .npy files. Returns the
    directory. A directory already there is complete (it appears by rename) and is kept."""
    final = proofs_dir / proof_dir_name(challenge_id, proof.root)
    if final.exists():
        return final
    params = proof.params
    stored = proof.store.stored
    with _staged_dir(final) as staging:
        blob = b"".join(proof.tree.leaf(index) for index in range(proof.tree.leaf_count))
        _write_synced(staging / LEAVES_FILE, blob)
        every_row = list(range(params.n))
        for c in stored:
            with open(staging / f"checkpoint-{c}.npy", "wb") as out:
                np.save(out, proof.store.rows(c, every_row), allow_pickle=False)
                out.flush()
                os.fsync(out.fileno())
        meta = {
            "challenge_id": challenge_id,
            "root": proof.root.hex(),
            "seed": params.seed.hex(),
            "n": params.n,
            "steps": params.steps,
            "interval": params.interval,
            "keep_every": proof.store.keep_every,
            "checkpoints": stored,
        }
        _write_synced(staging / META_FILE, json.dumps(meta, sort_keys=True).encode())
    return final


def load_proof(path: Path) -> Proof:
    """The Proof saved by `save_proof` in `path`; ValueError when the files disagree."""
    meta = json.loads((path / META_FILE).read_text())
    params = spec.Params(
        bytes.fromhex(meta["seed"]), int(meta["n"]), int(meta["steps"]), int(meta["interval"])
    )
    blob = (path / LEAVES_FILE).read_bytes()
    if len(blob) != params.leaf_count * DIGEST_BYTES:
        raise ValueError(f"{path}: {len(blob)} bytes of leaves for {params.leaf_count} leaves")
    store = CheckpointStore(
        params, spec.b_matrix(params.seed, params.n), keep_every=int(meta["keep_every"])
    )
    for c in meta["checkpoints"]:
        matrix = np.load(path / f"checkpoint-{c}.npy", allow_pickle=False)
        if matrix.shape != (params.n, params.n) or matrix.dtype != np.int8:
            raise ValueError(f"{path}: checkpoint {c} is {matrix.dtype} {matrix.shape}")
        store.add(int(c), matrix)
    proof = Proof(params, MerkleTree(blob), store)
    if proof.root.hex() != meta["root"]:
        raise ValueError(f"{path}: leaves give root {proof.root.hex()}, not {meta['root']}")
    return proof


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
