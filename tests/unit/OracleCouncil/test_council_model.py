"""Stateful test of the council's counting against a pure-Python model.

A Hypothesis state machine reseats the council (random ordered subsets of seven oracles, every
valid quorum), and has members and outsiders vote, alone and in batches, with random verdicts
(now and then none, now and then under a stale version) on a handful of subjects that have no job
or attestation behind them, so every callback fails harmlessly and verdicts end unapplied. The
model predicts each outcome: a call it says must fail is checked for the exact custom error, and a
transaction it says succeeds is checked for its events. After every step:

- O1  a final verdict has at least the quorum of its config's members agreeing;
- O2  1 <= N <= 31, 2 * quorum > N and quorum <= N, and the members are the model's;
- O3  a subject is final at most once and its verdict never changes;
- O4  votes of an older version do not count: every tally on chain is the model's, and
      hasVoted and isFinal agree with it.

Brownie 1.22's `state_machine` helper is broken, so the machine runs through Hypothesis directly
and reverts the chain to a snapshot after each run. Size: runs of GPUMARKET_STATEFUL_STEPS steps
(30 by default) until GPUMARKET_STATEFUL_EXAMPLES × that many steps have run (5 × 30).
"""

from __future__ import annotations

import copy
import itertools
import os
import time
from collections import Counter

import brownie
import pytest
from brownie import chain, web3
from hypothesis import HealthCheck, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from gpumarket.testing.models.council import Config, CouncilModel, ModelRevert

from .helpers import (
    ATTESTATION_FLAG,
    EVIDENCE,
    MAX_MEMBERS,
    Tally,
    Verdict,
    plain,
)

EXAMPLES = int(os.environ.get("GPUMARKET_STATEFUL_EXAMPLES", "5"))
STEPS = int(os.environ.get("GPUMARKET_STATEFUL_STEPS", "30"))
#: Examples Hypothesis spends on short runs before full-length ones.
SHORT_EXAMPLES = 10

#: Subjects with no job and no attestation behind them.
SUBJECTS = (1, 2, 3, ATTESTATION_FLAG | 1, ATTESTATION_FLAG | 2)
#: The oracles the configs are drawn from (dev accounts 10..16).
CANDIDATES = 7
#: Enough for a batch of four verdicts that each need room for the callback stipend. It grows by
#: one unit per transaction: a run replayed from the same snapshot would otherwise send
#: byte-identical transactions whose hashes collide with those of reverted blocks.
GAS = 6_000_000
_TX_SERIAL = itertools.count()

VERDICTS = st.sampled_from([Verdict.OK] * 4 + [Verdict.FAIL] * 3 + [Verdict.NONE])
#: A batch's verdicts: a NONE reverts the whole batch, so it is rarer there.
BALLOT_VERDICTS = st.sampled_from([Verdict.OK] * 8 + [Verdict.FAIL] * 7 + [Verdict.NONE])
#: How far from the current version a vote claims to be: mostly current, sometimes stale.
VERSION_SHIFTS = st.sampled_from([0] * 10 + [-1, 1])
BALLOT = st.tuples(st.integers(0, len(SUBJECTS) - 1), BALLOT_VERDICTS, st.integers(0, 5_000))
#: Mostly distinct subjects; one batch in four may repeat one (the repeat reverts, or is skipped
#: when the first ballot made the verdict final).
BALLOTS = st.one_of(
    *[st.lists(BALLOT, min_size=1, max_size=4, unique_by=lambda b: b[0])] * 3,
    st.lists(BALLOT, min_size=1, max_size=4),
)
#: Picks a voter: one draw in eight is anyone of the pool or the outsider, the others a member.
VOTER = st.integers(0, 2**16 - 1)
#: Votes between two configs at least, so that counts can reach a quorum before they restart.
VOTES_PER_CONFIG = 4


class ChainReads:
    """Many eth_calls in one JSON-RPC batch: the invariants read ~60 values after every step."""

    def __init__(self):
        self._requests, self._decoders = [], []

    def add(self, method, *args) -> None:
        call = {"to": method._address, "data": method.encode_input(*args)}
        self._requests.append(("eth_call", [call, "latest"]))
        self._decoders.append(method.decode_output)

    def run(self) -> list:
        responses = web3.provider.make_batch_request(self._requests)
        assert isinstance(responses, list) and not any("error" in r for r in responses), responses
        return [d(r["result"]) for r, d in zip(responses, self._decoders, strict=True)]


class CouncilMachine(RuleBasedStateMachine):
    def __init__(self, world, tally: Counter):
        super().__init__()
        chain.snapshot()
        self.council = world["council"]
        self.candidates = world["candidates"]
        self.voters = [*self.candidates, world["outsider"]]
        self.admin = world["admin"]
        self.tally = tally
        members, quorum = world["config"]
        self.m = CouncilModel(configs={1: Config(members, quorum)}, version=1)
        self.finals_seen: dict[int, tuple[int, int]] = {}  # subject -> (verdict, version)
        self.verdict_events = Counter()  # subject -> VerdictReached events
        self.votes_since_config = VOTES_PER_CONFIG

    def teardown(self):
        chain.revert()

    # ------------------------------------------------------------ plumbing

    def _send(self, method, *args, sender):
        tx = method(*args, {"from": sender, "gas_limit": GAS + next(_TX_SERIAL)})
        self.tally[f"{method.abi['name']} ok"] += 1
        return tx

    def _expect_revert(self, message: str, method, *args, sender) -> None:
        with brownie.reverts(message):
            method.call(*args, {"from": sender})
        self.tally[f"{method.abi['name']} reverts {message.split(':')[0]}"] += 1

    def _voter(self, pick: int):
        if pick % 8 == 0:
            return self.voters[pick // 8 % len(self.voters)]
        members = self.m.config.members
        return next(v for v in self.voters if v.address == members[pick // 8 % len(members)])

    def _check_verdicts(self, tx, finals: list[int]) -> None:
        self.tally["verdicts"] += len(finals)
        reached = [plain(dict(e)) for e in tx.events["VerdictReached"]] if finals else []
        assert [e["subject"] for e in reached] == finals
        for event in reached:
            tally = self.m.tally(event["subject"])
            assert event == {
                "subject": event["subject"],
                "version": self.m.version,
                "verdict": tally.verdict,
                "tops": tally.tops,
                "applied": False,
            }
            self.verdict_events[event["subject"]] += 1
        failed = [e["subject"] for e in tx.events["CallbackFailed"]] if finals else []
        assert failed == finals
        if not finals:
            assert "VerdictReached" not in tx.events

    # ------------------------------------------------------------ rules

    @precondition(lambda self: self.votes_since_config >= VOTES_PER_CONFIG)
    @rule(order=st.permutations(range(CANDIDATES)), size=st.integers(1, CANDIDATES), pick=st.data())
    def set_config(self, order, size, pick):
        self.tally["steps"] += 1
        members = [self.candidates[i].address for i in order[:size]]
        quorum = pick.draw(st.integers(size // 2 + 1, size), label="quorum")

        tx = self._send(self.council.setConfig, members, quorum, sender=self.admin)

        self.m.set_config(members, quorum)
        self.votes_since_config = 0
        assert plain(dict(tx.events["ConfigUpdated"])) == {
            "version": self.m.version,
            "members": tuple(members),
            "quorum": quorum,
        }

    @rule(
        voter=VOTER,
        subject=st.integers(0, len(SUBJECTS) - 1),
        verdict=VERDICTS,
        tops=st.integers(0, 5_000),
        shift=VERSION_SHIFTS,
    )
    def vote(self, voter, subject, verdict, tops, shift):
        self.tally["steps"] += 1
        self.votes_since_config += 1
        sender = self._voter(voter)
        version = max(self.m.version + shift, 0)
        args = (SUBJECTS[subject], version, verdict, tops, EVIDENCE)
        after = copy.deepcopy(self.m)
        try:
            final = after.vote(sender.address, version, SUBJECTS[subject], verdict, tops)
        except ModelRevert as revert:
            self._expect_revert(str(revert), self.council.vote, *args, sender=sender)
            return

        tx = self._send(self.council.vote, *args, sender=sender)

        self.m = after
        assert plain(dict(tx.events["VoteCast"])) == {
            "subject": SUBJECTS[subject],
            "member": sender.address,
            "version": version,
            "verdict": verdict,
            "measuredTops": tops,
            "evidenceHash": EVIDENCE,
        }
        self._check_verdicts(tx, [SUBJECTS[subject]] if final else [])

    @rule(
        voter=VOTER,
        ballots=BALLOTS,
        shift=VERSION_SHIFTS,
    )
    def vote_batch(self, voter, ballots, shift):
        self.tally["steps"] += 1
        self.votes_since_config += 1
        sender = self._voter(voter)
        version = max(self.m.version + shift, 0)
        ballots = [(SUBJECTS[s], verdict, tops) for s, verdict, tops in ballots]
        args = (version, [(s, v, t, EVIDENCE) for s, v, t in ballots])
        after = copy.deepcopy(self.m)
        try:
            skipped, finals, _ = after.vote_batch(sender.address, version, ballots)
        except ModelRevert as revert:
            self._expect_revert(str(revert), self.council.voteBatch, *args, sender=sender)
            return

        tx = self._send(self.council.voteBatch, *args, sender=sender)

        self.m = after
        cast = [e["subject"] for e in tx.events["VoteCast"]] if "VoteCast" in tx.events else []
        assert len(cast) == len(ballots) - len(skipped)
        skips = tx.events["VoteSkipped"] if skipped else []
        assert [(e["subject"], e["member"]) for e in skips] == [
            (s, sender.address) for s in skipped
        ]
        self._check_verdicts(tx, finals)

    # ------------------------------------------------------------ invariants

    @invariant()
    def chain_matches_the_model(self):
        self.tally["invariant checks"] += 1
        council = self.council
        reads = ChainReads()
        reads.add(council.configVersion)
        reads.add(council.quorum)
        reads.add(council.members)
        for subject in SUBJECTS:
            reads.add(council.tallyOf, subject)
            reads.add(council.isFinal, subject)
            for candidate in self.candidates:
                reads.add(council.hasVoted, subject, candidate.address)
        values = iter(reads.run())
        version, quorum, members = next(values), next(values), list(next(values))

        # O2: the config is the model's, and a valid one.
        config = self.m.config
        assert (version, quorum, members) == (self.m.version, config.quorum, config.members)
        assert 1 <= len(members) <= MAX_MEMBERS
        assert 2 * quorum > len(members) and quorum <= len(members)

        for subject in SUBJECTS:
            tally = Tally(*plain(next(values)))
            is_final = next(values)
            voted = [next(values) for _ in self.candidates]
            # O4: counts are the model's, which voids the votes of older versions.
            expected = self.m.tally(subject)
            assert tally == expected, (subject, tally, expected)
            assert is_final == (tally.verdict != Verdict.NONE)
            current = tally.version == self.m.version
            for candidate, has_voted in zip(self.candidates, voted, strict=True):
                address = candidate.address
                slot = config.members.index(address) if address in members else None
                bits = tally.okVoters | tally.failVoters
                assert has_voted == (current and slot is not None and bool(bits >> slot & 1))
            if not is_final:
                continue
            # O1: the deciding side had the quorum of the config it was counted under.
            decided = self.m.configs[tally.version]
            side = tally.okVoters if tally.verdict == Verdict.OK else tally.failVoters
            assert side.bit_count() >= decided.quorum
            assert side < 1 << len(decided.members)
            assert tally.applied is False
            # O3: final once; the verdict never changes.
            assert self.finals_seen.setdefault(subject, (tally.verdict, tally.version)) == (
                tally.verdict,
                tally.version,
            )
            assert self.verdict_events[subject] == 1


@pytest.fixture(scope="module")
def world(seated, members, oracles, governance, stranger):
    """The seated council (members 10..16, quorum 4), with the oracle pool and an outsider."""
    return {
        "council": seated,
        "candidates": oracles[:CANDIDATES],
        "outsider": stranger,
        "admin": governance,
        "config": ([m.address for m in members], seated.quorum()),
    }


def run_settings(examples: int):
    return settings(
        max_examples=examples,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        verbosity=Verbosity.normal,
        suppress_health_check=HealthCheck.all(),
    )


def test_council_counts_as_the_model_says(world):
    tally = Counter()
    budget = EXAMPLES * STEPS
    started = time.monotonic()

    # The budget is steps, not examples: Hypothesis starts with about ten short runs.
    while tally["steps"] < budget:
        runs = -(-(budget - tally["steps"]) // STEPS) + SHORT_EXAMPLES
        run_state_machine_as_test(lambda: CouncilMachine(world, tally), settings=run_settings(runs))

    elapsed = time.monotonic() - started
    steps, checks = tally.pop("steps"), tally.pop("invariant checks")
    print(f"\ncouncil stateful steps: {steps} in {elapsed:.1f} s")
    print("council stateful outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    assert steps >= budget and checks > steps
    # The runs reached verdicts and hit the main refusals, or the model checked little.
    assert tally["vote ok"] + tally["voteBatch ok"] > steps // 3
    assert tally["verdicts"] > 0 and tally["setConfig ok"] > 0
