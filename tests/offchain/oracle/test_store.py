"""The oracle's SQLite store: challenges, the first fetch time, verdicts keyed by what was judged,
the vote lifecycle, and all of it again after the file is reopened (a restart)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpumarket.chain.client import ATTESTATION_FLAG
from gpumarket.oracle import store as store_module
from gpumarket.oracle.store import (
    CONFIRMED,
    REJECTED,
    SENDING,
    SENT,
    OracleStore,
    StoredVerdict,
    VoteRow,
    connect,
)

ROOT_A, ROOT_B = b"\xaa" * 32, b"\xbb" * 32
SEED_A, SEED_B = b"\x01" * 32, b"\x02" * 32
ATTESTATION_9 = ATTESTATION_FLAG | 9
TX_1 = "0x" + "11" * 32
TX_2 = "0x" + "22" * 32


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(1_000.0)
    monkeypatch.setattr(store_module, "time", fake)
    return fake


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "oracle.sqlite3"


@pytest.fixture
def store(db_path: Path):
    opened = OracleStore(connect(db_path))
    yield opened
    opened.db.close()


def reopen(store: OracleStore, db_path: Path) -> OracleStore:
    """Close the store and open the same file again, as a restarted oracle does."""
    store.db.close()
    store.db = connect(db_path)
    return store


def ballot(subject: int, version: int = 1, ok: bool = True, tops: int = 0, *, challenge=1):
    return VoteRow(
        subject, version, challenge, ok, tops, bytes([subject % 256]) * 32, SENDING, None
    )


def note_of(store: OracleStore, challenge_id: int) -> str:
    row = store.db.execute("SELECT note FROM challenges WHERE id = ?", (challenge_id,)).fetchone()
    return row[0]


# ---------------------------------------------------------------- challenges


def test_connect_creates_the_state_directory(db_path):
    db = connect(db_path)
    db.close()

    assert db_path.is_file()


def test_added_challenges_are_open_in_id_order_with_their_subjects(store):
    store.add_challenge(4, 7, block=100)
    store.add_challenge(2, ATTESTATION_9, block=90)

    assert store.open_challenges() == [(2, ATTESTATION_9), (4, 7)]
    assert store.counts() == {"challenges_open": 2, "challenges_done": 0}


def test_a_closed_challenge_is_no_longer_open(store):
    store.add_challenge(1, 5, block=10)
    store.add_challenge(2, 6, block=11)

    store.close_challenge(1, "voted")

    assert store.open_challenges() == [(2, 6)]
    assert note_of(store, 1) == "voted"
    assert store.counts() == {"challenges_open": 1, "challenges_done": 1}


def test_adding_a_known_challenge_again_reopens_it_with_the_new_block(store):
    store.add_challenge(1, 5, block=10)
    store.close_challenge(1, "settled")

    store.add_challenge(1, 5, block=12)

    assert store.open_challenges() == [(1, 5)]
    assert note_of(store, 1) == ""
    assert store.db.execute("SELECT opened_block FROM challenges WHERE id = 1").fetchone() == (12,)


def test_a_reorg_reopens_only_challenges_opened_after_the_fork(store):
    for challenge_id, block in [(1, 10), (2, 20), (3, 21), (4, 30)]:
        store.add_challenge(challenge_id, 100 + challenge_id, block)
        store.close_challenge(challenge_id, "voted")

    store.reopen_after(20)

    assert store.open_challenges() == [(3, 103), (4, 104)]
    assert [note_of(store, c) for c in (1, 2, 3, 4)] == ["voted", "voted", "reorg", "reorg"]


def test_the_first_fetch_time_is_kept_from_the_first_try(store, clock):
    store.add_challenge(1, 5, block=10)

    first = store.first_fetch(1)
    clock.now = 1_500.0
    again = store.first_fetch(1)

    assert (first, again) == (1_000.0, 1_000.0)


def test_the_first_fetch_of_an_unknown_challenge_is_now(store, clock):
    assert store.first_fetch(99) == 1_000.0
    clock.now = 1_200.0
    assert store.first_fetch(99) == 1_200.0


def test_result_uris_are_kept_per_job_and_replaced(store):
    store.set_result_uri(5, "http://agent/jobs/5/result", block=30)
    store.set_result_uri(5, "http://agent2/jobs/5/result", block=31)

    assert store.result_uri(5) == "http://agent2/jobs/5/result"
    assert store.result_uri(6) is None


# ---------------------------------------------------------------- verdicts


def test_a_verdict_is_cached_by_challenge_root_and_sampling_seed(store):
    verdict = StoredVerdict(ok=False, tops=0, evidence_hash=b"\xee" * 32, reason="step_mismatch")

    store.save_verdict(3, ROOT_A, SEED_A, verdict)

    assert store.verdict(3, ROOT_A, SEED_A) == verdict
    assert store.verdict(3, ROOT_A, SEED_B) is None
    assert store.verdict(3, ROOT_B, SEED_A) is None
    assert store.verdict(4, ROOT_A, SEED_A) is None


def test_verdicts_for_other_roots_of_one_challenge_live_side_by_side(store):
    first = StoredVerdict(True, 812, b"\x01" * 32, "ok")
    second = StoredVerdict(False, 0, b"\x02" * 32, "bad_proof")

    store.save_verdict(3, ROOT_A, SEED_A, first)
    store.save_verdict(3, ROOT_B, SEED_A, second)

    assert store.verdict(3, ROOT_A, SEED_A) == first
    assert store.verdict(3, ROOT_B, SEED_A) == second


def test_saving_a_verdict_again_replaces_it(store):
    store.save_verdict(3, ROOT_A, SEED_A, StoredVerdict(True, 1, b"\x01" * 32, "ok"))
    replacement = StoredVerdict(False, 0, b"\x02" * 32, "provider_unreachable")

    store.save_verdict(3, ROOT_A, SEED_A, replacement)

    assert store.verdict(3, ROOT_A, SEED_A) == replacement


# ---------------------------------------------------------------- votes


def test_recorded_votes_are_sending_without_a_transaction(store):
    store.record_votes([ballot(5, tops=0, ok=False), ballot(ATTESTATION_9, tops=812, challenge=9)])

    assert store.vote(5, 1) == VoteRow(5, 1, 1, False, 0, b"\x05" * 32, SENDING, None)
    assert store.vote(ATTESTATION_9, 1) == VoteRow(
        ATTESTATION_9, 1, 9, True, 812, bytes([ATTESTATION_9 % 256]) * 32, SENDING, None
    )
    assert store.vote(5, 2) is None
    assert store.counts() == {"challenges_open": 0, "challenges_done": 0, "votes_sending": 2}


def test_a_vote_goes_from_sending_to_sent_to_confirmed(store, clock):
    store.record_votes([ballot(5)])

    clock.now = 1_010.0
    store.set_vote_status(5, 1, SENT, TX_1)
    sent = store.vote(5, 1)
    clock.now = 1_020.0
    store.set_vote_status(5, 1, CONFIRMED)

    assert (sent.status, sent.tx_hash) == (SENT, TX_1)
    assert (store.vote(5, 1).status, store.vote(5, 1).tx_hash) == (CONFIRMED, TX_1)
    sent_at = store.db.execute("SELECT sent FROM votes WHERE subject = '5'").fetchone()[0]
    assert sent_at == 1_010.0


def test_a_rejected_vote_keeps_its_row(store):
    store.record_votes([ballot(5)])

    store.set_vote_status(5, 1, REJECTED)

    assert store.vote(5, 1) == VoteRow(5, 1, 1, True, 0, b"\x05" * 32, REJECTED, None)


def test_votes_are_listed_by_status_in_recording_order(store, clock):
    store.record_votes([ballot(7)])
    clock.now = 1_001.0
    store.record_votes([ballot(5)])
    clock.now = 1_002.0
    store.record_votes([ballot(6), ballot(8)])
    store.set_vote_status(6, 1, SENT, TX_1)
    store.set_vote_status(8, 1, SENT, TX_1)
    store.set_vote_status(5, 1, CONFIRMED, TX_2)

    listed = [v.subject for v in store.votes()]
    assert (listed[:2], sorted(listed[2:])) == ([7, 5], [6, 8])  # 6 and 8 tie on the time
    assert [v.subject for v in store.votes(SENDING)] == [7]
    assert sorted(v.subject for v in store.votes(SENT)) == [6, 8]
    assert [(v.subject, v.tx_hash) for v in store.votes(CONFIRMED)] == [(5, TX_2)]
    assert store.votes(REJECTED) == []
    assert store.counts() == {
        "challenges_open": 0,
        "challenges_done": 0,
        "votes_sending": 1,
        "votes_sent": 2,
        "votes_confirmed": 1,
    }


def test_recording_a_vote_again_puts_it_back_to_sending_with_the_new_ballot(store):
    store.record_votes([ballot(5, ok=True, tops=3)])
    store.set_vote_status(5, 1, SENT, TX_1)

    store.record_votes([ballot(5, ok=False, tops=0, challenge=2)])

    again = store.vote(5, 1)
    assert (again.status, again.ok, again.tops) == (SENDING, False, 0)
    # Nothing of the earlier send is left to mislead `oracle status`.
    assert (again.challenge_id, again.tx_hash) == (2, None)
    assert len(store.votes()) == 1


def test_a_new_config_version_is_a_separate_vote(store):
    store.record_votes([ballot(5, version=1)])
    store.set_vote_status(5, 1, REJECTED)

    store.record_votes([ballot(5, version=2)])

    assert [(v.version, v.status) for v in store.votes()] == [(1, REJECTED), (2, SENDING)]


# ---------------------------------------------------------------- restart


def test_everything_survives_reopening_the_file(store, db_path, clock):
    store.add_challenge(1, 5, block=10)
    store.add_challenge(2, ATTESTATION_9, block=11)
    store.close_challenge(1, "voted")
    store.first_fetch(2)
    store.set_result_uri(5, "http://agent/jobs/5/result", block=12)
    verdict = StoredVerdict(True, 812, b"\x33" * 32, "ok")
    store.save_verdict(2, ROOT_A, SEED_A, verdict)
    store.record_votes([ballot(5), ballot(ATTESTATION_9, challenge=2)])
    store.set_vote_status(5, 1, SENT, TX_1)

    restarted = reopen(store, db_path)
    clock.now = 2_000.0

    assert restarted.open_challenges() == [(2, ATTESTATION_9)]
    assert restarted.first_fetch(2) == 1_000.0
    assert restarted.result_uri(5) == "http://agent/jobs/5/result"
    assert restarted.verdict(2, ROOT_A, SEED_A) == verdict
    assert restarted.vote(5, 1) == VoteRow(5, 1, 1, True, 0, b"\x05" * 32, SENT, TX_1)
    assert restarted.vote(ATTESTATION_9, 1).status == SENDING
    assert restarted.counts() == {
        "challenges_open": 1,
        "challenges_done": 1,
        "votes_sending": 1,
        "votes_sent": 1,
    }


def test_a_vote_recorded_before_a_kill_is_found_by_a_second_connection(store, db_path):
    store.record_votes([ballot(5)])

    other = OracleStore(connect(db_path))

    assert other.vote(5, 1) == VoteRow(5, 1, 1, True, 0, b"\x05" * 32, SENDING, None)
    other.db.close()
