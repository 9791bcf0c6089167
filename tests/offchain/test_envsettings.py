"""runtime/envsettings.py, the environment-only stand-in for pydantic-settings: prefixed
variables (any case) fill the fields, JSON for collections, values given in code win, unknown
fields and bad values are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field, SecretStr, ValidationError

from gpumarket.runtime.envsettings import BaseSettings, SettingsConfigDict


class Example(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GM_TEST_")

    port: int = Field(default=1, ge=1)
    flag: bool | None = None
    path: Path = Path("x")
    key: SecretStr | None = None
    names: list[str] = Field(default_factory=list)


def test_prefixed_variables_fill_the_fields_in_any_case(monkeypatch):
    monkeypatch.setenv("GM_TEST_PORT", "9100")
    monkeypatch.setenv("gm_test_flag", "false")
    monkeypatch.setenv("GM_TEST_PATH", "/tmp/y")
    monkeypatch.setenv("GM_TEST_KEY", "0xabc")
    monkeypatch.setenv("GM_TEST_NAMES", '["a b", "c"]')
    monkeypatch.setenv("GM_OTHER_PORT", "7")

    s = Example()

    assert (s.port, s.flag, s.path, s.names) == (9100, False, Path("/tmp/y"), ["a b", "c"])
    assert s.key is not None and s.key.get_secret_value() == "0xabc"


def test_values_in_code_win_and_defaults_stand(monkeypatch):
    monkeypatch.setenv("GM_TEST_PORT", "9100")
    assert Example(port=5).port == 5
    monkeypatch.delenv("GM_TEST_PORT")
    assert Example().port == 1 and Example().names == []


def test_unknown_fields_bad_values_and_bad_json_are_refused(monkeypatch):
    with pytest.raises(ValidationError):
        Example(bogus=1)
    monkeypatch.setenv("GM_TEST_PORT", "0")
    with pytest.raises(ValidationError):
        Example()
    monkeypatch.delenv("GM_TEST_PORT")
    monkeypatch.setenv("GM_TEST_NAMES", "a,b")
    with pytest.raises(ValueError, match="GM_TEST_NAMES is not valid JSON"):
        Example()
