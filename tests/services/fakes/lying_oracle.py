"""An oracle that votes the opposite of what it finds: one liar must not change an outcome.
Run as `python -m tests.services.fakes.lying_oracle` with the usual GPUMARKET_ORACLE_* variables."""

from __future__ import annotations

from dataclasses import replace

from gpumarket.oracle.service import Ballot, Oracle
from gpumarket.oracle.settings import OracleSettings
from gpumarket.runtime.logs import setup_logging


class LyingOracle(Oracle):
    def evaluate(self, challenge_id: int) -> Ballot | None:
        ballot = super().evaluate(challenge_id)
        return None if ballot is None else replace(ballot, ok=not ballot.ok)


if __name__ == "__main__":
    setup_logging()
    LyingOracle(OracleSettings()).run()
