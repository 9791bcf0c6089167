"""The services' loop: it waits out RPC failures and halts loudly on repeated unexpected errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from gpumarket.chain.client import RpcUnavailable

log = logging.getLogger(__name__)


class ServiceHalted(RuntimeError):
    """Too many unexpected errors in a row: the service stops instead of limping on."""


def run_loop(
    step: Callable[[], object],
    *,
    poll_interval: float,
    max_consecutive_errors: int,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Call `step` every `poll_interval` seconds. An unreachable RPC is waited out (the client
    already retried with backoff); any other exception counts, and `max_consecutive_errors` of
    them in a row raise ServiceHalted."""
    errors = 0
    while not should_stop():
        try:
            step()
            errors = 0
        except RpcUnavailable as exc:
            log.warning("rpc unavailable; waiting", extra={"error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - counted, logged, and fatal when repeated
            errors += 1
            log.exception("unexpected error", extra={"consecutive": errors})
            if errors >= max_consecutive_errors:
                raise ServiceHalted(f"{errors} unexpected errors in a row; last: {exc!r}") from exc
        sleep(poll_interval)
