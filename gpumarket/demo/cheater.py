"""The demo's cheating provider agent: it computes only half the rows of its PoGEMM benchmark and
commits to the rest unchanged. `python -m gpumarket.demo.cheater`, with GPUMARKET_AGENT_* set.
It exists to show the oracles catching it; never run it against a real market."""

from __future__ import annotations

import numpy as np

from gpumarket.agent.service import Agent
from gpumarket.agent.settings import AgentSettings
from gpumarket.pogemm import spec
from gpumarket.pogemm.prover import Proof
from gpumarket.runtime.logs import setup_logging


def half_rows_proof(params: spec.Params) -> Proof:
    """A commitment where only the first half of the rows were computed; the rest stay at X0."""
    b = spec.b_matrix(params.seed, params.n)
    x = spec.x0(params.seed, params.n)
    half = params.n // 2
    checkpoints, current = [x.copy()], x.copy()
    for c in range(params.intervals):
        top = spec.advance(params, current[:half], range(half), c, c + 1, b)
        current = np.concatenate([top, x[half:]])
        checkpoints.append(current.copy())
    return Proof.from_checkpoints(params, checkpoints, b)


class HalfRowsAgent(Agent):
    def make_proof(self, params: spec.Params) -> Proof:
        return half_rows_proof(params)


if __name__ == "__main__":
    setup_logging()
    HalfRowsAgent(AgentSettings()).run()
