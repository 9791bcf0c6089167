"""`RetryPolicy` and `with_retries`: bounded exponential backoff on transient RPC failures only."""

from __future__ import annotations

import pytest
import requests
from web3.exceptions import TimeExhausted

from gpumarket.chain.client import (
    RetryPolicy,
    RpcUnavailable,
    with_retries,
)


class Flaky:
    """Raises the given exceptions in turn, then returns `value`."""

    def __init__(self, failures: list[BaseException], value: object = "done") -> None:
        self.failures = list(failures)
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.value


@pytest.mark.parametrize(
    ("policy", "delays"),
    [
        (RetryPolicy(), [0.2, 0.4, 0.8, 1.6, 3.2]),
        (RetryPolicy(attempts=8, base=0.5, cap=5.0), [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]),
        (RetryPolicy(attempts=4, base=1.0, cap=1.5), [1.0, 1.5, 1.5]),
        (RetryPolicy(attempts=1), []),
    ],
)
def test_delays_double_up_to_the_cap_one_fewer_than_the_attempts(policy, delays):
    assert list(policy.delays()) == delays


def test_transient_failures_are_retried_after_the_policys_delays():
    slept: list[float] = []
    action = Flaky([ConnectionError("refused"), TimeoutError("slow"), TimeExhausted("no receipt")])

    result = with_retries(
        action, RetryPolicy(attempts=6, base=0.5, cap=1.0), what="eth_call", sleep=slept.append
    )

    assert result == "done"
    assert action.calls == 4
    assert slept == [0.5, 1.0, 1.0]


def test_requests_connection_errors_and_timeouts_are_transient():
    slept: list[float] = []
    action = Flaky(
        [requests.exceptions.ConnectionError("down"), requests.exceptions.ReadTimeout("slow")]
    )

    result = with_retries(action, RetryPolicy(attempts=3, base=0.1), what="x", sleep=slept.append)

    assert (result, action.calls, slept) == ("done", 3, [0.1, 0.2])


def test_the_last_failed_attempt_raises_rpc_unavailable_with_the_cause():
    slept: list[float] = []
    last = ConnectionError("refused #4")
    action = Flaky([ConnectionError(f"refused #{k}") for k in range(1, 4)] + [last])

    with pytest.raises(RpcUnavailable) as raised:
        with_retries(
            action,
            RetryPolicy(attempts=4, base=1.0, cap=3.0),
            what="eth_chainId",
            sleep=slept.append,
        )

    assert str(raised.value) == "eth_chainId: still failing after 4 tries: refused #4"
    assert raised.value.__cause__ is last
    assert action.calls == 4
    assert slept == [1.0, 2.0, 3.0]


def test_a_single_attempt_policy_never_sleeps():
    slept: list[float] = []
    action = Flaky([TimeoutError("slow")])

    with pytest.raises(RpcUnavailable, match=r"^head: still failing after 1 tries: slow$"):
        with_retries(action, RetryPolicy(attempts=1), what="head", sleep=slept.append)

    assert (action.calls, slept) == (1, [])


@pytest.mark.parametrize(
    "error", [ValueError("execution reverted"), KeyError("result"), RuntimeError("bug")]
)
def test_other_errors_pass_through_at_once(error):
    slept: list[float] = []
    action = Flaky([error, ConnectionError("never reached")])

    with pytest.raises(type(error)) as raised:
        with_retries(action, RetryPolicy(), what="call", sleep=slept.append)

    assert raised.value is error
    assert (action.calls, slept) == (1, [])


def test_a_non_transient_error_after_retries_stops_the_retrying():
    slept: list[float] = []
    action = Flaky([ConnectionError("refused"), ValueError("nonce too low")])

    with pytest.raises(ValueError, match="^nonce too low$"):
        with_retries(action, RetryPolicy(base=0.25), what="send", sleep=slept.append)

    assert (action.calls, slept) == (2, [0.25])


def test_the_transient_set_can_be_narrowed():
    action = Flaky([TimeoutError("slow")])

    with pytest.raises(TimeoutError):
        with_retries(
            action, RetryPolicy(), what="x", transient=(ConnectionError,), sleep=lambda s: None
        )

    assert action.calls == 1
