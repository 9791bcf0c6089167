"""What every service reads from its environment: chain access, its key, state and pacing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import Field, SecretStr

from gpumarket.chain.client import ChainClient, RetryPolicy
from gpumarket.chain.deployment import Deployment
from gpumarket.runtime.envsettings import BaseSettings


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
            return cast(LocalAccount, Account.from_key(self.private_key.get_secret_value()))
        if self.keystore is not None:
            if self.keystore_password is None:
                raise ValueError("a keystore needs its password (the *_KEYSTORE_PASSWORD variable)")
            encrypted = json.loads(self.keystore.read_text())
            key = Account.decrypt(encrypted, self.keystore_password.get_secret_value())
            return cast(LocalAccount, Account.from_key(key))
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
