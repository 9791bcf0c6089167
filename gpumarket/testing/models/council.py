"""A pure-Python model of OracleCouncil's counting (DESIGN section 4, O1-O4), shared by the
council's own model machine and the whole-protocol machine.

It predicts, for each vote or batch, either the exact revert (`ModelRevert`) or the new tallies
and which subjects the vote made final. Tallies are kept per subject and restart when the config
version changes, so votes cast under a rotated-out config stop counting (O4). A tally's `tops` is
0 until final; an attestation's OK verdict records the lower median of its OK voters' TOPS
(`lower_median`), every other verdict 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from gpumarket.chain.types import Verdict
from gpumarket.testing.reverts import custom_error as err

#: A subject with this bit set is a hardware attestation's challenge id, otherwise a job id.
ATTESTATION_FLAG = 1 << 255
UINT64_MAX = 2**64 - 1
MAX_MEMBERS = 31


class Tally(NamedTuple):
    """IOracleCouncil.Tally as a comparable Python value."""

    version: int
    okVoters: int
    failVoters: int
    tops: int
    verdict: int
    applied: bool


class ModelRevert(Exception):
    """The model's prediction that a call reverts, with the exact message."""


@dataclass
class Config:
    members: list[str]
    quorum: int


def lower_median(values: Iterable[int]) -> int:
    """Element (count - 1) // 2 of the values in ascending order: what the council records."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


@dataclass
class CouncilModel:
    configs: dict[int, Config]  # version -> config, every version so far
    version: int
    tallies: dict[int, Tally] = field(default_factory=dict)
    #: Attestation subjects: each OK voter's TOPS in the tally's version, by voter bit.
    ok_tops: dict[int, dict[int, int]] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.configs[self.version]

    def tally(self, subject: int) -> Tally:
        return self.tallies.get(subject, Tally(0, 0, 0, 0, Verdict.NONE, False))

    def config_error(self, members: list[str], quorum: int) -> str | None:
        """The revert of `setConfig(members, quorum)` by the admin, or None."""
        size = len(members)
        if size == 0 or size > MAX_MEMBERS or quorum == 0 or 2 * quorum <= size or quorum > size:
            return err("OracleCouncilInvalidConfig", size, quorum)
        return None

    def set_config(self, members: list[str], quorum: int) -> None:
        self.version += 1
        self.configs[self.version] = Config(list(members), quorum)

    def member_bit(self, sender: str, version: int) -> int:
        if sender not in self.config.members:
            raise ModelRevert(err("OracleCouncilNotMember", sender))
        if version != self.version:
            raise ModelRevert(err("OracleCouncilStaleConfig", version, self.version))
        return 1 << self.config.members.index(sender)

    def count(self, subject: int, bit: int, sender: str, verdict: int, tops: int) -> bool:
        """One vote on a subject that is not final; returns whether it made the verdict final."""
        if verdict == Verdict.NONE:
            raise ModelRevert(err("OracleCouncilInvalidVerdict"))
        tally = self.tally(subject)
        if tally.version != self.version:
            tally = Tally(self.version, 0, 0, 0, Verdict.NONE, False)
            self.ok_tops[subject] = {}
        if (tally.okVoters | tally.failVoters) & bit:
            raise ModelRevert(err("OracleCouncilAlreadyVoted", subject, sender))
        attestation = bool(subject & ATTESTATION_FLAG)
        if verdict == Verdict.OK:
            tally = tally._replace(okVoters=tally.okVoters | bit)
            votes = tally.okVoters.bit_count()
            if attestation:
                self.ok_tops[subject][bit] = tops
        else:
            tally = tally._replace(failVoters=tally.failVoters | bit)
            votes = tally.failVoters.bit_count()
        final = votes >= self.config.quorum
        if final:
            recorded = 0
            if verdict == Verdict.OK and attestation:
                recorded = lower_median(self.ok_tops[subject].values())
            tally = tally._replace(verdict=verdict, tops=recorded)
        self.tallies[subject] = tally
        return final

    def applied(self, subject: int) -> None:
        """The final verdict's callback succeeded."""
        self.tallies[subject] = self.tallies[subject]._replace(applied=True)

    def vote(self, sender: str, version: int, subject: int, verdict: int, tops: int) -> bool:
        bit = self.member_bit(sender, version)
        if self.tally(subject).verdict != Verdict.NONE:
            raise ModelRevert(err("OracleCouncilAlreadyFinal", subject))
        return self.count(subject, bit, sender, verdict, tops)

    def vote_batch(
        self, sender: str, version: int, ballots: Iterable[tuple[int, int, int]]
    ) -> tuple[list[int], list[int], list[tuple[int, int, int]]]:
        """Returns (subjects skipped, subjects made final, ballots counted), in ballot order."""
        bit = self.member_bit(sender, version)
        skipped, finals, cast = [], [], []
        for subject, verdict, tops in ballots:
            if self.tally(subject).verdict != Verdict.NONE:
                skipped.append(subject)
                continue
            if self.count(subject, bit, sender, verdict, tops):
                finals.append(subject)
            cast.append((subject, verdict, tops))
        return skipped, finals, cast
