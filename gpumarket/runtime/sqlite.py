"""The services' SQLite connections: one way to open a store, for the agent and the oracle.

Both keep state that must survive a SIGKILL between any two statements, and both share the file
with their LogScanner's cursor: WAL (readers, such as `gpumarket agent status` or the agent's
HTTP server, never block the writer), synchronous FULL (a committed phase or vote is on disk
before the next action), and a 30-second busy timeout for a second connection to the same file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: Seconds a statement waits for another connection's write lock before it fails.
BUSY_TIMEOUT = 30.0


def connect(path: Path, *, schema: str = "", any_thread: bool = False) -> sqlite3.Connection:
    """Open (creating its directory) the database at `path` with durable commits, and apply
    `schema` (CREATE ... IF NOT EXISTS statements). With `any_thread` the connection may be handed
    to another thread, such as the agent's one chain thread; the caller keeps it to one at a
    time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT, isolation_level="DEFERRED", check_same_thread=not any_thread
    )
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    if schema:
        db.executescript(schema)
    return db
