"""The oracle's SQLite store: challenges it knows, verdicts it reached, and votes it sent.

A vote is written here (status `sending`) before its transaction is sent, so a restart after a
kill at any point either finds the vote on-chain (`hasVoted`) and marks it, or sends it again:
at most one vote per subject, and none lost (P1).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpumarket.runtime import sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS challenges (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    opened_block INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    note TEXT NOT NULL DEFAULT '',
    first_fetch REAL
);
CREATE TABLE IF NOT EXISTS results (
    job_id TEXT PRIMARY KEY,
    result_uri TEXT NOT NULL,
    block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS verdicts (
    challenge_id INTEGER NOT NULL,
    root BLOB NOT NULL,
    sampling_seed BLOB NOT NULL,
    ok INTEGER NOT NULL,
    tops INTEGER NOT NULL,
    evidence_hash BLOB NOT NULL,
    reason TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (challenge_id, root, sampling_seed)
);
CREATE TABLE IF NOT EXISTS votes (
    subject TEXT NOT NULL,
    version INTEGER NOT NULL,
    challenge_id INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    tops INTEGER NOT NULL,
    evidence_hash BLOB NOT NULL,
    status TEXT NOT NULL,
    tx_hash TEXT,
    recorded REAL NOT NULL,
    sent REAL,
    PRIMARY KEY (subject, version)
);
"""

#: Vote statuses: recorded and maybe sent (`sending`), mined (`sent`), seen on-chain at the safe
#: head (`confirmed`), or refused by the council for good (`rejected`).
SENDING, SENT, CONFIRMED, REJECTED = "sending", "sent", "confirmed", "rejected"


@dataclass(frozen=True)
class StoredVerdict:
    ok: bool
    tops: int
    evidence_hash: bytes
    reason: str


@dataclass(frozen=True)
class VoteRow:
    subject: int
    version: int
    challenge_id: int
    ok: bool
    tops: int
    evidence_hash: bytes
    status: str
    tx_hash: str | None


def connect(path: Path) -> sqlite3.Connection:
    """The oracle's database at `path` (its directory created), durable, with its tables."""
    return sqlite.connect(path, schema=SCHEMA)


class OracleStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # ------------------------------------------------------------ challenges and results

    def add_challenge(self, challenge_id: int, subject: int, block: int) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO challenges (id, subject, opened_block) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET subject = excluded.subject, "
                "opened_block = excluded.opened_block, status = 'open', note = ''",
                (challenge_id, str(subject), block),
            )

    def reopen_after(self, block: int) -> None:
        """After a reorg back to `block`: challenges opened later are checked again."""
        with self.db:
            self.db.execute(
                "UPDATE challenges SET status = 'open', note = 'reorg' WHERE opened_block > ?",
                (block,),
            )

    def open_challenges(self) -> list[tuple[int, int]]:
        rows = self.db.execute(
            "SELECT id, subject FROM challenges WHERE status = 'open' ORDER BY id"
        ).fetchall()
        return [(int(i), int(s)) for i, s in rows]

    def close_challenge(self, challenge_id: int, note: str) -> None:
        with self.db:
            self.db.execute(
                "UPDATE challenges SET status = 'done', note = ? WHERE id = ?", (note, challenge_id)
            )

    def first_fetch(self, challenge_id: int) -> float:
        """When the oracle first tried to fetch this challenge's reveals (set now if never)."""
        with self.db:
            self.db.execute(
                "UPDATE challenges SET first_fetch = COALESCE(first_fetch, ?) WHERE id = ?",
                (time.time(), challenge_id),
            )
        row = self.db.execute(
            "SELECT first_fetch FROM challenges WHERE id = ?", (challenge_id,)
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else time.time()

    def set_result_uri(self, job_id: int, uri: str, block: int) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO results (job_id, result_uri, block) VALUES (?, ?, ?)",
                (str(job_id), uri, block),
            )

    def result_uri(self, job_id: int) -> str | None:
        row = self.db.execute(
            "SELECT result_uri FROM results WHERE job_id = ?", (str(job_id),)
        ).fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------ verdicts

    def verdict(self, challenge_id: int, root: bytes, sampling_seed: bytes) -> StoredVerdict | None:
        row = self.db.execute(
            "SELECT ok, tops, evidence_hash, reason FROM verdicts "
            "WHERE challenge_id = ? AND root = ? AND sampling_seed = ?",
            (challenge_id, root, sampling_seed),
        ).fetchone()
        if row is None:
            return None
        return StoredVerdict(bool(row[0]), int(row[1]), bytes(row[2]), str(row[3]))

    def save_verdict(
        self, challenge_id: int, root: bytes, sampling_seed: bytes, verdict: StoredVerdict
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    challenge_id,
                    root,
                    sampling_seed,
                    int(verdict.ok),
                    verdict.tops,
                    verdict.evidence_hash,
                    verdict.reason,
                    time.time(),
                ),
            )

    # ------------------------------------------------------------ votes

    def vote(self, subject: int, version: int) -> VoteRow | None:
        row = self.db.execute(
            "SELECT subject, version, challenge_id, ok, tops, evidence_hash, status, tx_hash "
            "FROM votes WHERE subject = ? AND version = ?",
            (str(subject), version),
        ).fetchone()
        return None if row is None else _vote_row(row)

    def votes(self, status: str | None = None) -> list[VoteRow]:
        query = (
            "SELECT subject, version, challenge_id, ok, tops, evidence_hash, status, tx_hash "
            "FROM votes"
        )
        args: tuple[str, ...] = ()
        if status is not None:
            query += " WHERE status = ?"
            args = (status,)
        return [_vote_row(r) for r in self.db.execute(query + " ORDER BY recorded", args)]

    def record_votes(self, rows: list[VoteRow]) -> None:
        """Write ballots as `sending`, before the transaction that carries them is sent."""
        now = time.time()
        with self.db:
            self.db.executemany(
                "INSERT INTO votes (subject, version, challenge_id, ok, tops, evidence_hash, "
                "status, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(subject, version) DO UPDATE SET status = excluded.status, "
                "challenge_id = excluded.challenge_id, ok = excluded.ok, tops = excluded.tops, "
                "evidence_hash = excluded.evidence_hash, tx_hash = NULL, sent = NULL",
                [
                    (
                        str(r.subject),
                        r.version,
                        r.challenge_id,
                        int(r.ok),
                        r.tops,
                        r.evidence_hash,
                        SENDING,
                        now,
                    )
                    for r in rows
                ],
            )

    def set_vote_status(
        self, subject: int, version: int, status: str, tx_hash: str | None = None
    ) -> None:
        with self.db:
            self.db.execute(
                "UPDATE votes SET status = ?, tx_hash = COALESCE(?, tx_hash), "
                "sent = CASE WHEN ? IS NULL THEN sent ELSE ? END "
                "WHERE subject = ? AND version = ?",
                (status, tx_hash, tx_hash, time.time(), str(subject), version),
            )

    def counts(self) -> dict[str, int]:
        votes = dict(self.db.execute("SELECT status, COUNT(*) FROM votes GROUP BY status"))
        challenges = dict(
            self.db.execute("SELECT status, COUNT(*) FROM challenges GROUP BY status")
        )
        return {
            "challenges_open": int(challenges.get("open", 0)),
            "challenges_done": int(challenges.get("done", 0)),
            **{f"votes_{k}": int(v) for k, v in votes.items()},
        }


def _vote_row(row: tuple[Any, ...]) -> VoteRow:
    return VoteRow(
        subject=int(row[0]),
        version=int(row[1]),
        challenge_id=int(row[2]),
        ok=bool(row[3]),
        tops=int(row[4]),
        evidence_hash=bytes(row[5]),
        status=str(row[6]),
        tx_hash=row[7],
    )
