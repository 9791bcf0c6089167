"""Requests signed by a member of the oracle council, for the room the agent keeps for them
(`Guard`'s `council_reserved`): when a flood from many addresses takes every other request
slot, an oracle's fetch of the reveals still gets in.

The oracle signs (EIP-191, its council key) the agent's provider address, the method and path,
its clock's time and a random nonce, and sends them as headers; the agent recovers the signer
and checks it against the council's members, which it reads from `OracleCouncil.members()`
every `council_refresh` seconds. Why this is enough, and what it is not:

- a signature grants **priority only**, never access: every answer the agent gives (reveals of
  a committed proof, a submitted result) is one it gives anyone, so a wrong decision here can
  delay a fetch, never leak or change anything;
- it cannot be forged without a member's key; it names the agent (a member's request to one
  provider cannot be replayed to another), the method and path (nor to another challenge), and
  is refused more than MAX_SKEW seconds from the agent's clock or with a nonce already used, so
  one seen on the wire buys an eavesdropper at most the one request it signed;
- checking costs an ecrecover (about 7 ms in pure Python), so each client address gets
  CHECKS_PER_SECOND checks (a burst of CHECK_BURST); requests beyond are taken as unsigned, so
  a flood of forged signatures costs the agent no more than that per address.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable

from aiohttp import web
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

SIGNATURE = "X-Gpumarket-Oracle-Signature"
TIME = "X-Gpumarket-Oracle-Time"
NONCE = "X-Gpumarket-Oracle-Nonce"
#: Most seconds between a signed request's time and the agent's clock.
MAX_SKEW = 30
#: Signature checks per second for one client address, and the burst it may save up.
CHECKS_PER_SECOND = 2.0
CHECK_BURST = 4.0


def message(provider: str, method: str, path: str, timestamp: int, nonce: str) -> bytes:
    """What an oracle signs for one request to `provider`'s agent."""
    return (
        f"gpumarket oracle request\nagent {provider.lower()}\n{method.upper()} {path}\n"
        f"time {timestamp}\nnonce {nonce}"
    ).encode()


def sign(
    account: LocalAccount, provider: str, method: str, path: str, now: float | None = None
) -> dict[str, str]:
    """The headers of `account`'s signed request `method path` to `provider`'s agent."""
    timestamp = int(time.time() if now is None else now)
    nonce = secrets.token_hex(16)
    signed = account.sign_message(encode_defunct(message(provider, method, path, timestamp, nonce)))
    return {TIME: str(timestamp), NONCE: nonce, SIGNATURE: "0x" + bytes(signed.signature).hex()}


class CouncilMembers:
    """The council's members as last read from the chain (`update`, from any thread), and the
    check of a request's signature (`check`, on the server's event loop)."""

    def __init__(
        self,
        provider: str,
        members: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.provider = provider.lower()
        self._members = frozenset(m.lower() for m in members)
        self._clock = clock
        self._used: dict[str, float] = {}  # nonce -> when it may be forgotten
        self._budget: dict[str, tuple[float, float]] = {}  # address -> (checks left, at)

    @property
    def members(self) -> frozenset[str]:
        return self._members

    def update(self, members: Iterable[str]) -> None:
        self._members = frozenset(m.lower() for m in members)

    def check(self, request: web.Request) -> bool:
        """Whether `request` carries a fresh, unused signature of a current member."""
        headers = request.headers
        signature, stamp, nonce = headers.get(SIGNATURE), headers.get(TIME), headers.get(NONCE)
        if not (signature and stamp and nonce) or not self._members:
            return False
        if not stamp.isdigit() or len(stamp) > 12 or len(nonce) != 32 or len(signature) > 140:
            return False
        now = self._clock()
        if abs(now - int(stamp)) > MAX_SKEW:
            return False
        self._forget(now)
        if nonce in self._used or not self._spend(str(request.remote), now):
            return False
        signed = message(self.provider, request.method, request.path_qs, int(stamp), nonce)
        try:
            signer = Account.recover_message(encode_defunct(signed), signature=signature)
        except Exception:  # noqa: BLE001 - any malformed signature is simply not a member's
            return False
        if signer.lower() not in self._members:
            return False
        self._used[nonce] = now + 2 * MAX_SKEW
        return True

    def _spend(self, address: str, now: float) -> bool:
        left, at = self._budget.get(address, (CHECK_BURST, now))
        left = min(CHECK_BURST, left + (now - at) * CHECKS_PER_SECOND)
        if left < 1:
            self._budget[address] = (left, now)
            return False
        self._budget[address] = (left - 1, now)
        return True

    def _forget(self, now: float) -> None:
        """Drop used nonces past their window, and budgets that have refilled."""
        if len(self._used) > 1024:
            self._used = {n: until for n, until in self._used.items() if until > now}
        if len(self._budget) > 1024:
            full = CHECK_BURST / CHECKS_PER_SECOND
            self._budget = {a: b for a, b in self._budget.items() if now - b[1] < full}
