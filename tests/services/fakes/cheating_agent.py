"""A provider agent that computes only half the rows of its PoGEMM benchmark. Run as
`python -m tests.services.fakes.cheating_agent` with the usual GPUMARKET_AGENT_* variables."""

from __future__ import annotations

from gpumarket.agent.service import Agent
from gpumarket.agent.settings import AgentSettings
from gpumarket.offchain.common import setup_logging
from gpumarket.pogemm import spec
from gpumarket.pogemm.prover import Proof

from ..proofs import half_rows_proof


class CheatingAgent(Agent):
    def make_proof(self, params: spec.Params) -> Proof:
        return half_rows_proof(params)


if __name__ == "__main__":
    setup_logging()
    CheatingAgent(AgentSettings()).run()
