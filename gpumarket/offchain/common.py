"""What the oracle and the provider agent share: chain settings, the signing key, structured logs,
and the loop that retries RPC failures but halts loudly on repeated unexpected errors."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from gpumarket.chain.client import ChainClient, RetryPolicy, RpcUnavailable
from gpumarket.chain.deployment import Deployment

log = logging.getLogger(__name__)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: one byte string per value, so its hash is stable. Agent
    artifacts and oracle evidence are hashed in this form."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class ServiceSettings(BaseSettings):
    """Chain access for a service. Subclasses set the environment prefix."""

    rpc_url: str = "http://127.0.0.1:8545"
    deployment: Path = Path("deployments/development.json")
    #: A hex private key; or use `keystore` with `keystore_password`.
    private_key: SecretStr | None = None
    keystore: Path | None = None
    keystore_password: SecretStr | None = None
    abi_dir: Path | None = None
    state_dir: Path = Path(".gpumarket")
    #: Blocks that must sit on top of a block before its logs and state are acted on.
    confirmations: int = Field(default=0, ge=0, le=1_000)
    poll_interval: float = Field(default=1.0, gt=0)
    #: Log blocks read per eth_getLogs request.
    log_batch_blocks: int = Field(default=2_000, ge=1)
    rpc_attempts: int = Field(default=6, ge=1)
    rpc_backoff_cap: float = Field(default=5.0, gt=0)
    #: Consecutive unexpected errors after which the service stops with a nonzero exit.
    max_consecutive_errors: int = Field(default=5, ge=1)

    def account(self) -> LocalAccount | None:
        if self.private_key is not None:
            return Account.from_key(self.private_key.get_secret_value())
        if self.keystore is not None:
            if self.keystore_password is None:
                raise ValueError("a keystore needs its password (the *_KEYSTORE_PASSWORD variable)")
            encrypted = json.loads(self.keystore.read_text())
            key = Account.decrypt(encrypted, self.keystore_password.get_secret_value())
            return Account.from_key(key)
        return None

    def client(self) -> ChainClient:
        policy = RetryPolicy(attempts=self.rpc_attempts, cap=self.rpc_backoff_cap)
        client = ChainClient(
            self.rpc_url,
            Deployment.load(self.deployment),
            self.account(),
            abi_dir=self.abi_dir,
            retry=policy,
        )
        client.check_chain()
        return client


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and any `extra` fields."""

    # Attributes every record has, and the ones other formatters add to it.
    _standard = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "t": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._standard and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


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
