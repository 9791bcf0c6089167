"""Casting the oracle's ballots in OracleCouncil, and reconciling them with what it recorded.

A ballot is written to the store (`sending`) before the transaction that carries it is sent, so
a kill at any point either finds the vote on-chain (`hasVoted`) or sends it again. Ready ballots
go out `batch_size` at a time in one `voteBatch` (one alone in `vote`); a refused batch is sent
again one ballot at a time, so one bad ballot does not hold back the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gpumarket.chain.client import ChainClient, ChainError
from gpumarket.chain.types import Verdict
from gpumarket.oracle.store import CONFIRMED, REJECTED, SENDING, SENT, OracleStore, VoteRow
from gpumarket.runtime.scanner import LogScanner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ballot:
    challenge_id: int
    subject: int
    ok: bool
    tops: int
    evidence_hash: bytes


class Voter:
    """One council member's votes: `member` signs them with `client`'s account."""

    def __init__(
        self,
        client: ChainClient,
        store: OracleStore,
        scanner: LogScanner,
        member: str,
        *,
        batch_size: int,
    ) -> None:
        self.client = client
        self.store = store
        self.scanner = scanner
        self.member = member
        self.batch_size = batch_size
        self.council = client["OracleCouncil"]
        self._warned_not_member = False

    def send(self, ballots: list[Ballot]) -> list[Ballot]:
        """Send the ballots not yet sent under the council's current config; returns those
        sent now."""
        if not ballots:
            return []
        version = int(self.client.call(self.council.functions.configVersion()))
        if not self.client.call(self.council.functions.isMember(self.member)):
            if not self._warned_not_member:
                log.warning("not a council member; not voting", extra={"member": self.member})
                self._warned_not_member = True
            return []
        self._warned_not_member = False
        ready = []
        for ballot in ballots:
            row = self.store.vote(ballot.subject, version)
            if row is not None and row.status != SENDING:
                continue
            if self.client.call(self.council.functions.hasVoted(ballot.subject, self.member)):
                # A send that got through before a kill: nothing to repeat.
                self._record([ballot], version)
                self.store.set_vote_status(ballot.subject, version, SENT)
                continue
            ready.append(ballot)
        sent: list[Ballot] = []
        for first in range(0, len(ready), self.batch_size):
            sent += self._send_batch(ready[first : first + self.batch_size], version)
        return sent

    def _record(self, ballots: list[Ballot], version: int) -> None:
        self.store.record_votes(
            [
                VoteRow(
                    b.subject, version, b.challenge_id, b.ok, b.tops, b.evidence_hash, SENDING, None
                )
                for b in ballots
            ]
        )

    def _send_batch(self, ballots: list[Ballot], version: int) -> list[Ballot]:
        self._record(ballots, version)  # before sending: a kill from here on is recoverable
        if len(ballots) == 1:
            b = ballots[0]
            fn = self.council.functions.vote(
                b.subject, version, Verdict.OK if b.ok else Verdict.FAIL, b.tops, b.evidence_hash
            )
        else:
            fn = self.council.functions.voteBatch(
                version,
                [
                    (b.subject, Verdict.OK if b.ok else Verdict.FAIL, b.tops, b.evidence_hash)
                    for b in ballots
                ],
            )
        try:
            receipt = self.client.transact(fn)
        except ChainError as exc:
            message = str(exc)
            if len(ballots) > 1:
                log.warning("batch refused; voting one by one", extra={"error": message})
                sent: list[Ballot] = []
                for ballot in ballots:
                    sent += self._send_batch([ballot], version)
                return sent
            b = ballots[0]
            if "AlreadyFinal" in message or "AlreadyVoted" in message:
                self.store.set_vote_status(b.subject, version, REJECTED)
                log.info("vote not needed", extra={"subject": str(b.subject), "why": message})
                return []
            raise
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        for b in ballots:
            self.store.set_vote_status(b.subject, version, SENT, tx_hash)
        log.info(
            "votes sent",
            extra={
                "count": len(ballots),
                "tx": tx_hash,
                "gas": receipt["gasUsed"],
                "subjects": [str(b.subject) for b in ballots],
                "verdicts": ["ok" if b.ok else "fail" for b in ballots],
            },
        )
        return ballots

    def reconcile(self) -> None:
        """Mark votes the council holds at the safe head as confirmed; put back votes that a reorg
        dropped, so the next send casts them again."""
        safe = self.scanner.safe_head()
        for row in self.store.votes(SENT):
            fn = self.council.functions.hasVoted(row.subject, self.member)
            if self.client.call(fn, safe) and self._version_at(safe) == row.version:
                self.store.set_vote_status(row.subject, row.version, CONFIRMED)
            elif not self.client.call(fn):
                if self.client.call(self.council.functions.isFinal(row.subject)):
                    self.store.set_vote_status(row.subject, row.version, REJECTED)
                else:
                    log.warning(
                        "sent vote missing on-chain; resending", extra={"subject": str(row.subject)}
                    )
                    self.store.set_vote_status(row.subject, row.version, SENDING)
                    self.store.reopen_after(-1)

    def _version_at(self, block: int) -> int:
        return int(self.client.call(self.council.functions.configVersion(), block))
