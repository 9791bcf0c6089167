"""AgentSettings come from GPUMARKET_AGENT_* variables, and options given in code win."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gpumarket.agent.settings import AgentSettings


def test_settings_are_read_from_the_agent_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("GPUMARKET_AGENT_ALLOWLIST", '["python3 train.py", "make bench"]')
    monkeypatch.setenv("GPUMARKET_AGENT_PORT", "9100")
    monkeypatch.setenv("GPUMARKET_AGENT_KEEP_EVERY", "4")
    monkeypatch.setenv("GPUMARKET_AGENT_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("GPUMARKET_ORACLE_PORT", "1")

    settings = AgentSettings()

    assert settings.allowlist == ["python3 train.py", "make bench"]
    assert (settings.port, settings.keep_every, settings.state_dir) == (9100, 4, tmp_path)
    assert settings.endpoint() == "http://127.0.0.1:9100"


def test_explicit_values_override_the_environment(monkeypatch):
    monkeypatch.setenv("GPUMARKET_AGENT_PORT", "9100")

    assert AgentSettings(port=9200).port == 9200


def test_endpoint_uses_the_bound_port_unless_a_public_one_is_set():
    assert AgentSettings(port=0).endpoint(41234) == "http://127.0.0.1:41234"
    public = AgentSettings(public_endpoint="https://gpu.example.org/agent/")
    assert public.endpoint(41234) == "https://gpu.example.org/agent"


@pytest.mark.parametrize(
    "values",
    [{"port": 70_000}, {"port": -1}, {"keep_every": 0}, {"command_timeout": 0}],
)
def test_out_of_range_settings_are_rejected(values):
    with pytest.raises(ValidationError):
        AgentSettings(**values)
