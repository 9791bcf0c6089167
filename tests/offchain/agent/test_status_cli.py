"""`gpumarket agent status` prints the store's view without touching the chain."""

from __future__ import annotations

import json

from click.testing import CliRunner

from gpumarket.agent.records import JobPhase
from gpumarket.cli.main import main

from .conftest import CHALLENGE_ID, JOB_ID, PROVIDER, SUBJECT


def test_status_json_is_the_stores_view(served_state, proof):
    served_state.set_job_details(JOB_ID, deadline=5_000, challenge_id=CHALLENGE_ID)
    served_state.mark_challenge_committed(CHALLENGE_ID, proof.root, tx_block=31)
    served_state.add_job(8, matched_block=40)
    served_state.set_job_phase(8, JobPhase.REFUSED, "command not on the allowlist")
    job = served_state.job(JOB_ID)

    result = CliRunner().invoke(
        main, ["agent", "status", "--state-dir", str(served_state.state_dir), "--json"]
    )

    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["provider"] == PROVIDER.lower()
    assert view["chain_id"] == 1337
    assert view["cursor"] is None
    assert [(j["job_id"], j["phase"], j["note"]) for j in view["jobs"]] == [
        (JOB_ID, "artifact", ""),
        (8, "refused", "command not on the allowlist"),
    ]
    assert view["jobs"][0]["result_hash"] == "0x" + job.artifact_hash.hex()
    assert (view["challenges"][0]["tx_block"], view["challenges"][0]["confirmed"]) == (31, False)
    assert (view["jobs"][0]["deadline"], view["jobs"][0]["challenge_id"]) == (5_000, CHALLENGE_ID)
    assert [
        (c["challenge_id"], c["subject"], c["phase"], c["root"]) for c in view["challenges"]
    ] == [(CHALLENGE_ID, SUBJECT, "committed", "0x" + proof.root.hex())]


def test_status_table_names_every_job_and_challenge(served_state, proof):
    served_state.mark_challenge_committed(CHALLENGE_ID, proof.root, tx_block=31)

    result = CliRunner().invoke(
        main,
        ["agent", "status", "--state-dir", str(served_state.state_dir)],
        env={"COLUMNS": "240"},
    )

    assert result.exit_code == 0, result.output
    assert "Jobs" in result.output and "Challenges" in result.output
    assert "artifact" in result.output
    assert "committed (unconfirmed, block 31)" in result.output
    assert f"provider {PROVIDER.lower()}" in result.output


def test_status_without_state_fails_clearly(tmp_path):
    result = CliRunner().invoke(main, ["agent", "status", "--state-dir", str(tmp_path / "none")])

    assert result.exit_code == 1
    assert "no agent state in" in result.output
