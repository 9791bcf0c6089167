"""`gpumarket oracle status` reads the oracle's store without touching the chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gpumarket.chain.client import ATTESTATION_FLAG
from gpumarket.cli.main import main
from gpumarket.oracle.store import CONFIRMED, SENDING, SENT, OracleStore, VoteRow, connect
from gpumarket.runtime.scanner import SCHEMA as SCANNER_SCHEMA

ATTESTATION_9 = ATTESTATION_FLAG | 9
TX = "0x" + "ab" * 32


@pytest.fixture(autouse=True)
def no_oracle_environment(monkeypatch):
    monkeypatch.delenv("GPUMARKET_ORACLE_STATE_DIR", raising=False)


def make_store(state_dir: Path, cursor: int | None) -> None:
    """The store as a running oracle leaves it: two challenges (one done), three votes."""
    db = connect(state_dir / "oracle.sqlite3")
    store = OracleStore(db)
    store.add_challenge(3, 5, block=40)
    store.add_challenge(9, ATTESTATION_9, block=41)
    store.close_challenge(3, "voted")
    store.record_votes(
        [
            VoteRow(5, 1, 3, False, 0, b"\x01" * 32, SENDING, None),
            VoteRow(ATTESTATION_9, 1, 9, True, 812, b"\x02" * 32, SENDING, None),
            VoteRow(6, 1, 4, True, 0, b"\x03" * 32, SENDING, None),
        ]
    )
    store.set_vote_status(5, 1, SENT, TX)
    store.set_vote_status(6, 1, CONFIRMED, TX)
    if cursor is not None:
        db.executescript(SCANNER_SCHEMA)
        with db:
            db.execute("INSERT INTO cursor (id, block) VALUES (1, ?)", (cursor,))
    db.close()


def status(*args: str):
    return CliRunner().invoke(main, ["oracle", "status", *args])


def test_status_json_is_the_stores_view(tmp_path):
    make_store(tmp_path, cursor=57)

    result = status("--state-dir", str(tmp_path), "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    votes = sorted(report.pop("votes"), key=lambda v: int(v["subject"]))
    assert report == {
        "cursor": 57,
        "challenges_open": 1,
        "challenges_done": 1,
        "votes_sending": 1,
        "votes_sent": 1,
        "votes_confirmed": 1,
        "pending": [{"challenge": 9, "subject": str(ATTESTATION_9)}],
    }
    assert votes == [
        {"subject": "5", "version": 1, "ok": False, "status": "sent", "tx": TX},
        {"subject": "6", "version": 1, "ok": True, "status": "confirmed", "tx": TX},
        {"subject": str(ATTESTATION_9), "version": 1, "ok": True, "status": "sending", "tx": None},
    ]


def test_status_before_the_first_scan_has_no_cursor(tmp_path):
    make_store(tmp_path, cursor=None)

    result = status("--state-dir", str(tmp_path), "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cursor"] is None


def test_the_state_dir_comes_from_the_environment(tmp_path, monkeypatch):
    make_store(tmp_path, cursor=12)
    monkeypatch.setenv("GPUMARKET_ORACLE_STATE_DIR", str(tmp_path))

    result = status("--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cursor"] == 12


def test_status_table_shows_the_cursor_counts_and_votes(tmp_path):
    make_store(tmp_path, cursor=57)

    result = status("--state-dir", str(tmp_path))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "cursor: block 57"
    assert any(line.split() == ["│", "votes_sent", "│", "1", "│"] for line in lines)
    assert any(line.split()[:7] == ["│", "job", "5", "│", "1", "│", "FAIL"] for line in lines)


def test_status_without_a_store_fails_clearly(tmp_path):
    missing = tmp_path / "nothing-here"

    result = status("--state-dir", str(missing))

    assert result.exit_code == 1
    assert result.output == (
        f"Error: no oracle store at {missing / 'oracle.sqlite3'}: has `gpumarket oracle run` run?\n"
    )
    assert not missing.exists()
