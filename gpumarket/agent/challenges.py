"""The agent's challenge work: prove a PoGEMM challenge opened for its provider and commit the
root, one phase at a time (OPENED -> PROVED -> COMMITTED), reading the challenge on-chain first.

The challenge seed is the hash of the block after the opening, readable (`challengeSeed`) from
block openBlock + 2: the agent waits for it (on a dev chain that mines only on transactions, it
mines the blocks itself). A seed left unstored for 256 blocks fails the challenge, so the agent
stores the challenge seed before proving when the commitment (which stores it otherwise) may come
too late, and stores a sampling seed nobody stored once `seed_guard_blocks` have passed.

A challenge found COMMITTED with a root we proved is recorded, not committed again; a challenge
whose seed changed (a reorg replaced its opening, or the block after it) starts over; one whose
commit window closed, or whose seed expired, is EXPIRED. A commitment is only ever sent for a
proof whose files are on disk, so every root the agent commits is one it can reveal.
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
#: Blocks `blockhash` reaches back: a seed must be stored within them.
SEED_WINDOW = 256

#: Runs the PoGEMM prover: `Agent.make_proof`.
Prove = Callable[[spec.Params], prover.Proof]


class ChallengeWork:
    """Proves and commits this provider's challenges (attestations, and jobs' benchmarks)."""

    def __init__(
        self,
        store: AgentStore,
        chain: AgentChain,
        *,
        send: Send,
        prove: Prove,
        seed_guard_blocks: int = 128,
        assumed_ops_per_second: float = 1e12,
    ) -> None:
        self.store = store
        self.chain = chain
        self.send = send
        self.prove = prove
        self.seed_guard_blocks = seed_guard_blocks
        self.assumed_ops_per_second = assumed_ops_per_second
        #: Committed challenges whose sampling seed is known to be stored.
        self._seeded: set[int] = set()

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
        if onchain.state != ChallengeState.OPEN:
            if onchain.seed != record.seed and onchain.seed != ZERO_ROOT:
                self.learn(challenge_id, onchain)
                record = self.store.challenge(challenge_id)
                assert record is not None
            self._settle(record, onchain)
            return
        if self.chain.now() > onchain.commit_deadline:
            self._expire(challenge_id, "commit window closed")
            return
        seed = self._challenge_seed(challenge_id, onchain)
        if seed is None:
            return
        if seed != record.seed:
            self.learn(challenge_id, onchain, seed)
            record = self.store.challenge(challenge_id)
            assert record is not None
        root = record.root
        stored = None if root is None else self.store.proof(challenge_id, root)
        if (
            record.phase != ChallengePhase.PROVED
            or stored is None
            or not Path(stored.path).is_dir()
        ):
            # Not proved yet, or its files are gone: a commitment must be one we can reveal.
            if onchain.seed == ZERO_ROOT and self._may_outlast_window(record, onchain):
                self.send(self.chain.benchmark.functions.storeChallengeSeed(challenge_id))
                log.info("challenge seed stored before proving", extra={"challenge": challenge_id})
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

    def learn(self, challenge_id: int, onchain: Challenge, seed: bytes | None = None) -> None:
        """Record the challenge as the chain has it (a new one, or one whose seed changed): with
        `seed`, the challenge seed read from `challengeSeed`, when it is not stored yet."""
        self.store.add_challenge(
            challenge_id,
            onchain.subject,
            onchain.seed if seed is None else seed,
            onchain.n,
            onchain.steps,
            onchain.interval,
        )

    def _expire(self, challenge_id: int, why: str) -> None:
        self.store.set_challenge_phase(challenge_id, ChallengePhase.EXPIRED, why)
        log.error(
            "challenge expired before we committed", extra={"challenge": challenge_id, "why": why}
        )

    def _challenge_seed(self, challenge_id: int, onchain: Challenge) -> bytes | None:
        """The challenge seed: stored, or read once the head is openBlock + 2 (mined up to it on
        a dev chain); None while it is not (the next step looks again), or once it has expired
        unstored (the challenge is then EXPIRED: it can never be committed)."""
        if onchain.seed != ZERO_ROOT:
            return onchain.seed
        ready = onchain.anchor_block + 2
        head = self.chain.head()
        if head < ready:
            if not self.chain.dev_chain:
                return None
            self.chain.mine(ready - head)
        seed = self.chain.challenge_seed(challenge_id)
        if seed is None:
            self._expire(challenge_id, "challenge seed expired unstored")
        return seed

    def _may_outlast_window(self, record: ChallengeRecord, onchain: Challenge) -> bool:
        """Whether the commitment, which stores the challenge seed, may come after
        `seed_guard_blocks` blocks of its 256-block window: the proof's time predicted from the
        last proof's measured rate (or `assumed_ops_per_second` before any), over the chain's
        recent block time."""
        seed_block = onchain.anchor_block + 1
        blocks_left = self.seed_guard_blocks - (self.chain.head() - seed_block)
        if blocks_left <= 0:
            return True
        rate = self.store.last_proof_rate() or self.assumed_ops_per_second
        return record.params.ops / rate >= blocks_left * self.chain.block_seconds()

    def guard_sampling_seeds(self) -> None:
        """Store the sampling seed of a commitment of ours that nobody has stored (oracles do, as
        soon as it exists) once `seed_guard_blocks` of its 256-block window have passed: an
        expired seed fails the challenge, and a job with it."""
        head = self.chain.head()
        for record in self.store.committed_since(head - SEED_WINDOW):
            challenge_id = record.challenge_id
            if challenge_id in self._seeded or record.tx_block is None:
                continue
            if head - (record.tx_block + 1) < self.seed_guard_blocks:
                continue
            onchain = self.chain.challenge(challenge_id)
            if onchain.state == ChallengeState.COMMITTED and onchain.sampling_seed == ZERO_ROOT:
                self.send(self.chain.benchmark.functions.storeSamplingSeed(challenge_id))
                log.warning(
                    "sampling seed stored by the agent: no oracle had",
                    extra={"challenge": challenge_id},
                )
            self._seeded.add(challenge_id)

    def _settle(self, record: ChallengeRecord, onchain: Challenge) -> None:
        """The challenge left OPEN without us sending (now): ours if its root is one we proved."""
        state = onchain.state
        root = onchain.root
        if root != ZERO_ROOT and self.store.proof(record.challenge_id, root) is not None:
            self.store.mark_challenge_committed(
                record.challenge_id, root, onchain.anchor_block, "found committed on-chain"
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
