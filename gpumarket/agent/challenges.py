"""The agent's challenge work: prove a PoGEMM challenge opened for its provider and commit the
root, one phase at a time (OPENED -> PROVED -> COMMITTED), reading the challenge on-chain first.

A challenge found COMMITTED with a root we proved is recorded, not committed again; a challenge
whose seed changed (a reorg replaced its opening) starts over; one whose commit window closed is
EXPIRED. A commitment is only ever sent for a proof whose files are on disk, so every root the
agent commits is one it can reveal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from gpumarket.agent.chain import AgentChain, Send
from gpumarket.agent.proofs import ProofRecord, save_proof
from gpumarket.agent.records import CHALLENGE_DONE, ChallengePhase, ChallengeRecord
from gpumarket.agent.settings import AgentError
from gpumarket.agent.store import AgentStore
from gpumarket.chain.types import ChallengeState
from gpumarket.chain.views import Challenge
from gpumarket.pogemm import prover, spec

log = logging.getLogger(__name__)

ZERO_ROOT = bytes(32)

#: Runs the PoGEMM prover: `Agent.make_proof`.
Prove = Callable[[spec.Params], prover.Proof]


class ChallengeWork:
    """Proves and commits this provider's challenges (attestations, and jobs' benchmarks)."""

    def __init__(self, store: AgentStore, chain: AgentChain, *, send: Send, prove: Prove) -> None:
        self.store = store
        self.chain = chain
        self.send = send
        self.prove = prove

    def advance(self, challenge_id: int) -> None:
        """Prove the challenge if that is still to do, then commit its root."""
        record = self.store.challenge(challenge_id)
        if record is None or record.phase in CHALLENGE_DONE:
            return
        onchain = self.chain.challenge(challenge_id)
        if onchain.state == ChallengeState.NONE or not self.chain.ours(onchain.provider):
            self.store.set_challenge_phase(
                challenge_id, ChallengePhase.CLOSED, "not ours on-chain (reorg)"
            )
            log.warning("challenge is not ours on-chain", extra={"challenge": challenge_id})
            return
        if onchain.seed != record.seed:
            self.learn(challenge_id, onchain)
            record = self.store.challenge(challenge_id)
            assert record is not None
        if onchain.state != ChallengeState.OPEN:
            self._settle(record, onchain)
            return
        if self.chain.now() > onchain.commit_deadline:
            self.store.set_challenge_phase(
                challenge_id, ChallengePhase.EXPIRED, "commit window closed"
            )
            log.error("commit window closed before we committed", extra={"challenge": challenge_id})
            return
        root = record.root
        stored = None if root is None else self.store.proof(challenge_id, root)
        if (
            record.phase != ChallengePhase.PROVED
            or stored is None
            or not Path(stored.path).is_dir()
        ):
            # Not proved yet, or its files are gone: a commitment must be one we can reveal.
            root = self._prove(record)
        assert root is not None
        receipt = self.send(self.chain.benchmark.functions.commit(challenge_id, root))
        self.store.mark_challenge_committed(challenge_id, root, int(receipt["blockNumber"]))
        log.info(
            "committed",
            extra={
                "challenge": challenge_id,
                "root": "0x" + root.hex(),
                "tx": "0x" + bytes(receipt["transactionHash"]).hex(),
            },
        )

    def learn(self, challenge_id: int, onchain: Challenge) -> None:
        """Record the challenge as the chain has it (a new one, or one whose seed changed)."""
        self.store.add_challenge(
            challenge_id, onchain.subject, onchain.seed, onchain.n, onchain.steps, onchain.interval
        )

    def _settle(self, record: ChallengeRecord, onchain: Challenge) -> None:
        """The challenge left OPEN without us sending (now): ours if its root is one we proved."""
        state = onchain.state
        root = onchain.root
        if root != ZERO_ROOT and self.store.proof(record.challenge_id, root) is not None:
            self.store.mark_challenge_committed(
                record.challenge_id, root, onchain.commit_block, "found committed on-chain"
            )
            log.info(
                "commitment already on-chain; not sending it again",
                extra={"challenge": record.challenge_id, "state": state.name},
            )
            return
        self.store.set_challenge_phase(
            record.challenge_id, ChallengePhase.CLOSED, f"{state.name} on-chain without our root"
        )
        log.warning(
            "challenge left OPEN without our commitment",
            extra={"challenge": record.challenge_id, "state": state.name},
        )

    def _prove(self, record: ChallengeRecord) -> bytes:
        """Prove the challenge, save the proof's files, then record it (PROVED); its root."""
        params = record.params
        log.info(
            "proving",
            extra={
                "challenge": record.challenge_id,
                "n": params.n,
                "steps": params.steps,
                "interval": params.interval,
            },
        )
        started = time.perf_counter()
        proof = self.prove(params)
        seconds = time.perf_counter() - started
        if proof.params != params:
            raise AgentError(f"make_proof answered for {proof.params}, not {params}")
        path = save_proof(self.store.proofs_dir, record.challenge_id, proof)
        self.store.add_proof(
            ProofRecord(
                record.challenge_id,
                proof.root,
                params.seed,
                params.n,
                params.steps,
                params.interval,
                seconds,
                str(path),
            )
        )
        log.info(
            "proved",
            extra={
                "challenge": record.challenge_id,
                "root": "0x" + proof.root.hex(),
                "seconds": round(seconds, 3),
                "ops_per_second": params.ops / seconds if seconds > 0 else None,
            },
        )
        return proof.root
