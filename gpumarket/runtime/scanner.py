"""A persisted log cursor that acts only on confirmed blocks and notices reorgs.

The cursor lives in the service's SQLite database with the hashes of the last blocks it scanned.
Each poll first checks that the last scanned block is still on the chain; if it is not (a reorg),
it walks back to the newest block whose hash still matches and scans again from there. Logs are
read only up to `head − confirmations` (P2). What a service does with a log must be idempotent:
after a reorg it sees the same or replacement logs again.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Any

from gpumarket.chain.client import ChainClient

log = logging.getLogger(__name__)

#: Block hashes kept to find the fork point of a reorg.
KEEP_HASHES = 256

SCHEMA = """
CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS block_hashes (number INTEGER PRIMARY KEY, hash BLOB NOT NULL);
"""


@dataclass(frozen=True)
class Batch:
    """Logs of blocks (first, last], decoded; `reorg_from` is set when a reorg rewound the cursor
    to that block (logs after it were seen before and may have changed)."""

    logs: list[tuple[str, Any]]
    first: int
    last: int
    reorg_from: int | None = None


class LogScanner:
    def __init__(
        self,
        client: ChainClient,
        db: sqlite3.Connection,
        *,
        confirmations: int,
        batch_blocks: int = 2_000,
    ) -> None:
        self.client = client
        self.db = db
        self.confirmations = confirmations
        self.batch_blocks = batch_blocks
        #: The chain head as last read (`safe_head`); None before the first read.
        self.head: int | None = None
        db.executescript(SCHEMA)
        if self.cursor() is None:
            start = max(0, client.deployment.deploy_block - 1)
            with db:
                db.execute("INSERT INTO cursor (id, block) VALUES (1, ?)", (start,))

    def cursor(self) -> int | None:
        row = self.db.execute("SELECT block FROM cursor WHERE id = 1").fetchone()
        return None if row is None else int(row[0])

    def safe_head(self) -> int:
        self.head = self.client.head()
        return self.head - self.confirmations

    def poll(self) -> Batch | None:
        """The next batch of confirmed logs, or None when the cursor is at the safe head."""
        reorg_from = self._check_reorg()
        cursor = self.cursor()
        assert cursor is not None
        safe = self.safe_head()
        if safe <= cursor:
            if reorg_from is not None:
                return Batch([], cursor, cursor, reorg_from)
            return None
        last = min(safe, cursor + self.batch_blocks)
        logs = self.client.logs(cursor + 1, last)
        return Batch(logs, cursor, last, reorg_from)

    def advance(self, batch: Batch) -> None:
        """Move the cursor past `batch`, once the service has stored what it learned from it."""
        last_hash = self.client.block_hash(batch.last)
        with self.db:
            self.db.execute("UPDATE cursor SET block = ? WHERE id = 1", (batch.last,))
            if last_hash is not None:
                self.db.execute(
                    "INSERT OR REPLACE INTO block_hashes (number, hash) VALUES (?, ?)",
                    (batch.last, last_hash),
                )
            self.db.execute(
                "DELETE FROM block_hashes WHERE number < ?", (batch.last - KEEP_HASHES,)
            )

    def _check_reorg(self) -> int | None:
        rows = self.db.execute(
            "SELECT number, hash FROM block_hashes ORDER BY number DESC"
        ).fetchall()
        if not rows:
            return None
        number, stored = rows[0]
        if self.client.block_hash(number) == bytes(stored):
            return None
        fork = max(0, self.client.deployment.deploy_block - 1)
        for older, older_hash in rows[1:]:
            if self.client.block_hash(older) == bytes(older_hash):
                fork = older
                break
        log.warning("reorg detected; rescanning", extra={"from_block": fork, "was": number})
        with self.db:
            self.db.execute("UPDATE cursor SET block = ? WHERE id = 1", (fork,))
            self.db.execute("DELETE FROM block_hashes WHERE number > ?", (fork,))
        return fork
