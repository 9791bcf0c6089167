"""Sent, confirmed, or dropped by a reorg: the life of a transaction the agent sends.

Two of the agent's transactions can be undone by a reorg: a challenge's `commit` and a job's
`submitResult`. Both are tracked the same way, in their table's `phase`, `tx_block` and
`confirmed` columns, by one `SentTransactions` each:

- sent: the row moves to its sent phase (COMMITTED, SUBMITTED) with the block the transaction
  was mined in (None when it was found on-chain rather than sent now), unconfirmed;
- confirmed: the log cursor has passed that block and the chain still shows the transaction;
  the row is not looked at again;
- dropped: the chain no longer shows it (found when confirming, or because the scanner saw a
  reorg fork below its block), and the row steps back to the phase before (PROVED, ARTIFACT),
  so the agent sends it again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


def update(db: sqlite3.Connection, table: str, key: str, key_value: int, **fields: Any) -> None:
    """Set `fields` (and updated_at) on one row, in a transaction of its own; KeyError when
    there is no such row. Table, key and field names come from the agent's modules only."""
    fields["updated_at"] = time.time()
    assignments = ", ".join(f"{name} = ?" for name in fields)
    with db:
        cursor = db.execute(
            f"UPDATE {table} SET {assignments} WHERE {key} = ?",  # noqa: S608
            (*fields.values(), key_value),
        )
    if cursor.rowcount != 1:
        raise KeyError(f"no {table} row {key_value}")


class SentTransactions(Generic[R]):
    """The sent transactions of one table: rows keyed by `key`, `sent` the phase a mined
    transaction puts them in, `unsent` the phase they step back to when it is dropped; `select`
    and `record` read a row (`f"{select} WHERE ..."`) as a record."""

    def __init__(
        self,
        db: sqlite3.Connection,
        *,
        table: str,
        key: str,
        sent: str,
        unsent: str,
        select: str,
        record: Callable[[tuple[Any, ...]], R],
    ) -> None:
        self.db = db
        self.table = table
        self.key = key
        self.sent = sent
        self.unsent = unsent
        self.select = select
        self.record = record

    def mark_sent(self, key_value: int, tx_block: int | None, note: str, **fields: Any) -> None:
        """The transaction is on-chain, mined in `tx_block` when we know it (see `unconfirmed`);
        `fields` are set with it (a commitment's root)."""
        update(
            self.db,
            self.table,
            self.key,
            key_value,
            phase=self.sent,
            **fields,
            tx_block=tx_block,
            confirmed=0,
            note=note,
        )

    def unconfirmed(self, cursor: int) -> list[R]:
        """Sent rows whose transaction's block the log cursor has reached: time to check that
        the chain still holds it."""
        rows = self.db.execute(
            f"{self.select} WHERE phase = ? AND confirmed = 0 AND tx_block <= ? "
            f"ORDER BY {self.key}",
            (self.sent, cursor),
        )
        return [self.record(row) for row in rows]

    def confirm(self, key_value: int) -> None:
        update(self.db, self.table, self.key, key_value, confirmed=1)

    def drop(self, key_value: int, note: str) -> None:
        """The transaction is not on the chain any more: send it again."""
        update(
            self.db,
            self.table,
            self.key,
            key_value,
            phase=self.unsent,
            tx_block=None,
            confirmed=0,
            note=note,
        )

    def rewind(self, fork_block: int, note: str) -> list[int]:
        """Drop every transaction mined after `fork_block` (confirmed or not), inside the
        caller's transaction. Returns the keys of the rows stepped back."""
        keys = [
            int(row[0])
            for row in self.db.execute(
                f"SELECT {self.key} FROM {self.table} WHERE phase = ? AND tx_block > ?",  # noqa: S608
                (self.sent, fork_block),
            )
        ]
        now = time.time()
        for key_value in keys:
            self.db.execute(
                f"UPDATE {self.table} SET phase = ?, tx_block = NULL, confirmed = 0, note = ?, "  # noqa: S608
                f"updated_at = ? WHERE {self.key} = ?",
                (self.unsent, note, now, key_value),
            )
        return keys
