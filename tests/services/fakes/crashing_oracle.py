"""An oracle that SIGKILLs itself, with probability GPUMARKET_TEST_CRASH_P at each of the points
where a crash could lose or double a vote: after a vote is recorded but before it is sent, after
it is mined but before the store hears of it, and after logs are read but before the cursor
moves. Run as `python -m tests.services.fakes.crashing_oracle` with GPUMARKET_ORACLE_* set."""

from __future__ import annotations

import os
import random
import signal
import sys
from typing import Any

from gpumarket.oracle.service import Oracle
from gpumarket.oracle.settings import OracleSettings
from gpumarket.runtime.logs import setup_logging

P = float(os.environ.get("GPUMARKET_TEST_CRASH_P", "0.2"))
rng = random.Random()


def maybe_crash(point: str) -> None:
    if rng.random() < P:
        print(f'{{"msg": "crashing", "point": "{point}"}}', file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


class CrashingOracle(Oracle):
    def __init__(self, settings: OracleSettings) -> None:
        super().__init__(settings)
        transact = self.client.transact
        record = self.store.record_votes
        advance = self.scanner.advance

        def transact_then_crash(fn: Any, **kw: Any) -> Any:
            receipt = transact(fn, **kw)
            maybe_crash(f"after {fn.fn_name} mined")
            return receipt

        def record_then_crash(rows: Any) -> None:
            record(rows)
            maybe_crash("after recording votes")

        def crash_then_advance(batch: Any) -> None:
            maybe_crash("before the cursor moves")
            advance(batch)

        self.client.transact = transact_then_crash  # type: ignore[method-assign]
        self.store.record_votes = record_then_crash  # type: ignore[method-assign]
        self.scanner.advance = crash_then_advance  # type: ignore[method-assign]


if __name__ == "__main__":
    setup_logging()
    CrashingOracle(OracleSettings()).run()
