"""What the oracle shares with the agent (`gpumarket.runtime`): the service loop that
waits out RPC outages and halts on repeated unexpected errors, the JSON log lines, and the signing
key from settings."""

from __future__ import annotations

import io
import json
import logging

import pytest
from eth_account import Account

from gpumarket.chain.client import RpcUnavailable
from gpumarket.oracle.settings import OracleSettings
from gpumarket.runtime.logs import JsonFormatter
from gpumarket.runtime.loop import ServiceHalted, run_loop
from gpumarket.runtime.settings import ServiceSettings

OK = "ok"
PRIVATE_KEY = "0x" + "4c" * 32


class Script:
    """A step that plays `outcomes` (OK, or an exception to raise) and a `should_stop` that ends
    the loop once they are used up."""

    def __init__(self, outcomes: list[object]) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.slept: list[float] = []

    def step(self) -> None:
        outcome = self.outcomes[self.calls]
        self.calls += 1
        if isinstance(outcome, BaseException):
            raise outcome

    def should_stop(self) -> bool:
        return self.calls == len(self.outcomes)

    def run(self, max_consecutive_errors: int, poll_interval: float = 0.5) -> None:
        run_loop(
            self.step,
            poll_interval=poll_interval,
            max_consecutive_errors=max_consecutive_errors,
            should_stop=self.should_stop,
            sleep=self.slept.append,
        )


# ---------------------------------------------------------------- run_loop


def test_the_loop_steps_and_sleeps_until_told_to_stop():
    script = Script([OK, OK, OK])

    script.run(max_consecutive_errors=1, poll_interval=0.25)

    assert script.calls == 3
    assert script.slept == [0.25, 0.25, 0.25]


def test_a_stop_before_the_first_step_runs_nothing():
    script = Script([])

    script.run(max_consecutive_errors=1)

    assert (script.calls, script.slept) == (0, [])


def test_consecutive_unexpected_errors_halt_the_service():
    last = KeyError("subject")
    script = Script([OK, ValueError("a"), RuntimeError("b"), last, OK])

    with pytest.raises(ServiceHalted) as raised:
        script.run(max_consecutive_errors=3)

    assert str(raised.value) == "3 unexpected errors in a row; last: KeyError('subject')"
    assert raised.value.__cause__ is last
    assert script.calls == 4
    assert script.slept == [0.5, 0.5, 0.5]


def test_a_success_resets_the_error_count():
    script = Script([ValueError("a"), ValueError("b"), OK, ValueError("c"), ValueError("d"), OK])

    script.run(max_consecutive_errors=3)

    assert script.calls == 6


def test_rpc_outages_never_halt_the_service():
    script = Script([RpcUnavailable("node down")] * 12)

    script.run(max_consecutive_errors=2)

    assert script.calls == 12
    assert script.slept == [0.5] * 12


def test_rpc_outages_neither_count_nor_reset_the_error_run():
    outage = RpcUnavailable("node down")
    script = Script([ValueError("a"), outage, outage, ValueError("b"), outage, ValueError("c")])

    with pytest.raises(ServiceHalted, match=r"^3 unexpected errors in a row; last: ValueError"):
        script.run(max_consecutive_errors=3)

    assert script.calls == 6


def test_one_allowed_error_halts_on_the_first():
    script = Script([OK, ValueError("bad log")])

    with pytest.raises(ServiceHalted, match=r"^1 unexpected errors in a row"):
        script.run(max_consecutive_errors=1)

    assert (script.calls, script.slept) == (2, [0.5])


def test_interrupts_are_not_swallowed():
    script = Script([KeyboardInterrupt()])

    with pytest.raises(KeyboardInterrupt):
        script.run(max_consecutive_errors=5)


# ---------------------------------------------------------------- JsonFormatter


@pytest.fixture
def json_log():
    """A logger whose records go, through JsonFormatter only, into a string buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("gpumarket.tests.json_log")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.handlers[:] = []


def test_each_record_is_one_json_line_with_its_extra_fields(json_log):
    logger, stream = json_log

    logger.info("votes sent", extra={"count": 2, "tx": "0xab", "subjects": ["5", "7"]})
    logger.warning("rpc unavailable;\nwaiting", extra={"error": "refused"})

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"t", "level", "logger", "msg", "count", "tx", "subjects"}
    assert (first["level"], first["logger"], first["msg"]) == (
        "info",
        "gpumarket.tests.json_log",
        "votes sent",
    )
    assert (first["count"], first["tx"], first["subjects"]) == (2, "0xab", ["5", "7"])
    assert {k: v for k, v in second.items() if k != "t"} == {
        "level": "warning",
        "logger": "gpumarket.tests.json_log",
        "msg": "rpc unavailable;\nwaiting",
        "error": "refused",
    }


def test_the_time_is_rounded_to_milliseconds_and_args_are_interpolated():
    record = logging.makeLogRecord(
        {"name": "oracle", "levelname": "ERROR", "msg": "challenge %d failed", "args": (9,)}
    )
    record.created = 1_700_000_000.123456

    line = json.loads(JsonFormatter().format(record))

    assert line == {
        "t": 1_700_000_000.123,
        "level": "error",
        "logger": "oracle",
        "msg": "challenge 9 failed",
    }


def test_values_json_cannot_hold_are_written_as_text(json_log):
    logger, stream = json_log

    logger.info("hash", extra={"evidence": b"\x01\x02"})

    assert json.loads(stream.getvalue())["evidence"] == "b'\\x01\\x02'"


def test_an_exception_comes_with_its_traceback(json_log):
    logger, stream = json_log

    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("unexpected error", extra={"consecutive": 2})

    line = json.loads(stream.getvalue())
    assert (line["level"], line["msg"], line["consecutive"]) == ("error", "unexpected error", 2)
    assert line["exc"].startswith("Traceback (most recent call last):")
    assert line["exc"].endswith("ValueError: boom")


# ---------------------------------------------------------------- the signing account


def test_the_account_comes_from_a_private_key():
    settings = ServiceSettings(private_key=PRIVATE_KEY, keystore=None, keystore_password=None)

    assert settings.account().address == Account.from_key(PRIVATE_KEY).address


def test_the_account_comes_from_an_encrypted_keystore(tmp_path):
    keystore = tmp_path / "oracle.json"
    keystore.write_text(
        json.dumps(Account.encrypt(PRIVATE_KEY, "hunter2", kdf="pbkdf2", iterations=1_000))
    )

    settings = ServiceSettings(private_key=None, keystore=keystore, keystore_password="hunter2")

    account = settings.account()
    assert account.address == Account.from_key(PRIVATE_KEY).address
    assert account.key.hex().removeprefix("0x") == "4c" * 32


def test_a_keystore_without_its_password_is_refused(tmp_path):
    keystore = tmp_path / "oracle.json"
    keystore.write_text(json.dumps(Account.encrypt(PRIVATE_KEY, "hunter2", kdf="pbkdf2")))
    settings = ServiceSettings(private_key=None, keystore=keystore, keystore_password=None)

    with pytest.raises(ValueError) as raised:
        settings.account()

    assert str(raised.value) == "a keystore needs its password (the *_KEYSTORE_PASSWORD variable)"


def test_a_keystore_with_the_wrong_password_is_refused(tmp_path):
    keystore = tmp_path / "oracle.json"
    keystore.write_text(
        json.dumps(Account.encrypt(PRIVATE_KEY, "hunter2", kdf="pbkdf2", iterations=1_000))
    )
    settings = ServiceSettings(private_key=None, keystore=keystore, keystore_password="hunter3")

    with pytest.raises(ValueError, match="MAC mismatch"):
        settings.account()


def test_no_key_and_no_keystore_means_no_account():
    settings = ServiceSettings(private_key=None, keystore=None, keystore_password=None)

    assert settings.account() is None


def test_the_private_key_is_never_shown_in_the_settings():
    settings = ServiceSettings(private_key=PRIVATE_KEY, keystore=None, keystore_password=None)

    assert "4c4c" not in repr(settings)
    assert "4c4c" not in str(settings.model_dump())


def test_the_oracle_reads_its_key_from_its_prefixed_environment(monkeypatch):
    monkeypatch.setenv("GPUMARKET_ORACLE_PRIVATE_KEY", PRIVATE_KEY)
    monkeypatch.delenv("GPUMARKET_ORACLE_KEYSTORE", raising=False)

    assert OracleSettings().account().address == Account.from_key(PRIVATE_KEY).address


# ---------------------------------------------------------------- the oracle's judging workers


def test_workers_run_calls_at_once_up_to_their_count():
    import threading
    import time

    from gpumarket.runtime.workers import Workers

    workers = Workers(2, "test")
    release = threading.Event()
    slow = [workers.submit(lambda: release.wait(10)) for _ in range(2)]
    quick = workers.submit(lambda: "done")

    time.sleep(0.2)
    assert not quick.done()  # both workers are held
    release.set()
    assert quick.result(5) == "done" and all(f.result(5) for f in slow)
    assert all(t.daemon for t in workers._threads) and len(workers._threads) == 2
    workers.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        workers.submit(lambda: None)


def test_a_workers_exception_is_in_its_future():
    from gpumarket.runtime.workers import Workers

    future = Workers(1, "test").submit(lambda: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        future.result(5)


@pytest.mark.parametrize(("value", "allowed"), [("true", True), ("false", False), (None, None)])
def test_private_endpoints_are_a_setting_unset_by_default(monkeypatch, value, allowed):
    if value is not None:
        monkeypatch.setenv("GPUMARKET_ORACLE_ALLOW_PRIVATE_ENDPOINTS", value)

    assert OracleSettings().allow_private_endpoints is allowed


@pytest.mark.parametrize(
    ("chain_id", "dev"), [(1337, True), (31337, True), (1, False), (10, False)]
)
def test_unset_means_allowed_on_dev_chains_only(chain_id, dev):
    from gpumarket.chain.deployment import Deployment

    assert Deployment("x", chain_id, 0).dev_chain is dev
