"""A fixed set of daemon worker threads, for work that waits on peers (the oracle's judging).

Like `concurrent.futures.ThreadPoolExecutor`, with one difference that matters here: the threads
are daemons, so a stopping service never waits at exit for a worker still bounded by a hostile
peer's deadline (the work is re-derived from the chain after a restart anyway).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_Item = tuple[Future[Any], Callable[[], Any]]


class Workers:
    def __init__(self, count: int, name: str) -> None:
        if count < 1:
            raise ValueError(f"at least one worker, got {count}")
        self.count = count
        self.name = name
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run `fn()` on a worker; its Future holds the result or the exception."""
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.name} workers are shut down")
            if len(self._threads) < self.count:
                thread = threading.Thread(
                    target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        self._queue.put((future, fn))
        return future

    def shutdown(self) -> None:
        """No new work; idle workers end, busy ones end after their current call."""
        with self._lock:
            self._closed = True
            for _ in self._threads:
                self._queue.put(None)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                future.set_exception(exc)
            else:
                future.set_result(result)
