"""A web3.py client for the off-chain services (oracle, provider agent) and the CLI.

Brownie drives deployments and tests; long-running services use web3.py directly, with a local
key, bounded retries on RPC failures, custom errors decoded by name, and logs decoded across all
the protocol's contracts in one `eth_getLogs` per range. Many view calls go in one JSON-RPC batch
(`call_many`), and transactions pay EIP-1559 fees where the chain has a base fee (`fees`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import BlockNotFound, ContractCustomError, ContractLogicError, TimeExhausted
from web3.types import LogReceipt, RPCEndpoint, TxReceipt

from gpumarket.chain.artifacts import abi_dir
from gpumarket.chain.deployment import CONTRACT_NAMES, Deployment, DeploymentError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Where the compiled contracts are read from: a checkout's build, else the copies shipped in the
#: package (chain/artifacts), or GPUMARKET_ABI_DIR.
DEFAULT_ABI_DIR = abi_dir()

#: Failures worth retrying: the node is unreachable or slow, not that it said no.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ConnectionError,
    TimeoutError,
    TimeExhausted,
)


#: View calls per JSON-RPC batch: public endpoints cap batches (some at 100 calls or fewer), and
#: one they refuse is read again call by call.
BATCH_LIMIT = 100


class ChainError(RuntimeError):
    """The chain refused something: a revert (with its decoded custom error) or a failed tx.

    `error` is the decoded custom error `(name, args)` when the node returned one."""

    def __init__(self, message: str, error: tuple[str, tuple[Any, ...]] | None = None) -> None:
        super().__init__(message)
        self.error = error


class RpcUnavailable(ChainError):
    """The RPC endpoint stayed unreachable through every retry."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: `attempts` tries, sleeping base·2^k seconds, at most `cap`."""

    attempts: int = 6
    base: float = 0.2
    cap: float = 5.0

    def delays(self) -> Iterable[float]:
        for k in range(self.attempts - 1):
            yield min(self.cap, self.base * 2**k)


def with_retries(
    action: Callable[[], T],
    policy: RetryPolicy,
    *,
    what: str,
    transient: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
    sleep: Callable[[float], None] = time.sleep,
    on_failure: Callable[[str, BaseException], None] | None = None,
) -> T:
    """Run `action`, retrying transient failures with backoff; raise RpcUnavailable at the end.
    `on_failure(what, exc)` is told of every failed try (metrics)."""
    delays = list(policy.delays())
    for attempt in range(len(delays) + 1):
        try:
            return action()
        except transient as exc:
            if on_failure is not None:
                on_failure(what, exc)
            if attempt == len(delays):
                raise RpcUnavailable(
                    f"{what}: still failing after {attempt + 1} tries: {exc}"
                ) from exc
            log.warning(
                "%s failed (%s); retrying in %.1fs", what, type(exc).__name__, delays[attempt]
            )
            sleep(delays[attempt])
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Fees:
    """What a transaction offers to pay per gas, from `ChainClient.fees`.

    On a chain whose latest block has a base fee (EIP-1559) it is a type-2 transaction: the tip
    (`maxPriorityFeePerGas`) is the node's `eth_maxPriorityFeePerGas`, or where the node lacks it
    `eth_gasPrice` less the base fee (never below 0); the cap (`maxFeePerGas`) is 2 x base fee +
    tip, the common wallet rule: the base fee rises at most 12.5% a block, so the transaction
    stays includable through five full blocks in a row (1.125^5 < 2), and the sender still pays
    only what its block asks (that block's base fee + the tip).
    On a chain without a base fee it is a legacy transaction at `eth_gasPrice` (`max_fee`)."""

    #: The latest block's base fee, or None on a chain without one (legacy transactions).
    base_fee: int | None
    #: maxFeePerGas, or the legacy gasPrice: the most one gas can cost.
    max_fee: int
    #: maxPriorityFeePerGas; None for a legacy transaction.
    tip: int | None = None

    @property
    def eip1559(self) -> bool:
        return self.base_fee is not None

    @property
    def expected(self) -> int:
        """What one gas costs at the latest block's base fee: base fee + tip (under the cap),
        or the legacy gas price."""
        if self.base_fee is None or self.tip is None:
            return self.max_fee
        return min(self.max_fee, self.base_fee + self.tip)

    def fields(self) -> dict[str, int]:
        """The transaction's fee fields."""
        if self.base_fee is None or self.tip is None:
            return {"gasPrice": self.max_fee}
        return {"maxFeePerGas": self.max_fee, "maxPriorityFeePerGas": self.tip}


def load_abi(name: str, abi_dir: Path | None = None) -> list[dict[str, Any]]:
    path = (abi_dir or DEFAULT_ABI_DIR) / f"{name}.json"
    try:
        abi: list[dict[str, Any]] = json.loads(path.read_text())["abi"]
        return abi
    except FileNotFoundError:
        raise DeploymentError(
            f"no compiled contract {path}: run `make compile` in the repository first"
        ) from None


class ErrorDecoder:
    """Maps revert data to `Name(arg, ...)` using every custom error in the given ABIs."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = [_abi_type(i) for i in item["inputs"]]
                selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
                self._errors[selector] = (item["name"], types)
        self._errors[bytes.fromhex("08c379a0")] = ("Error", ["string"])
        self._errors[bytes.fromhex("4e487b71")] = ("Panic", ["uint256"])

    def decode(self, data: bytes | str | None) -> tuple[str, tuple[Any, ...]] | None:
        """(name, args) of revert data, or None when it is empty or unknown."""
        if data is None:
            return None
        if isinstance(data, str):
            # Some clients wrap the data in prose ("Reverted 0x08c3..."): keep the hex part.
            text = data[data.find("0x") + 2 :] if "0x" in data else data
            try:
                raw = bytes.fromhex(text)
            except ValueError:
                return None
        else:
            raw = data
        if len(raw) < 4 or raw[:4] not in self._errors:
            return None
        name, types = self._errors[raw[:4]]
        try:
            return name, tuple(abi_decode(types, raw[4:]))
        except Exception:  # noqa: BLE001 - malformed revert data: report the name alone
            return name, ()

    def describe(self, data: bytes | str | None) -> str:
        decoded = self.decode(data)
        if decoded is None:
            return "reverted without a known reason"
        name, args = decoded
        return f"{name}({', '.join(_plain(a) for a in args)})"


def _abi_type(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + kind[5:]
    return kind


def _plain(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


class ChainClient:
    """One RPC endpoint, one deployment, optionally one signing account."""

    def __init__(
        self,
        rpc_url: str,
        deployment: Deployment,
        account: LocalAccount | None = None,
        *,
        abi_dir: Path | None = None,
        retry: RetryPolicy | None = None,
        request_timeout: float = 10.0,
        receipt_timeout: float = 60.0,
    ) -> None:
        self.rpc_url = rpc_url
        self.deployment = deployment
        self.account = account
        self.retry = retry or RetryPolicy()
        #: Told of every failed RPC try (a service's metrics count them).
        self.on_rpc_failure: Callable[[str, BaseException], None] | None = None
        self.receipt_timeout = receipt_timeout
        #: View calls per JSON-RPC batch in `call_many`.
        self.batch_limit = BATCH_LIMIT
        # The chain id is asked once: web3's validation middleware otherwise asks it again before
        # every eth_call and eth_estimateGas, a second round trip each. (No validation threshold:
        # the chain id is always cached, and web3 need not ask for it to pick one.)
        provider = Web3.HTTPProvider(
            rpc_url,
            request_kwargs={"timeout": request_timeout},
            cache_allowed_requests=True,
            cacheable_requests={RPCEndpoint("eth_chainId")},
            request_cache_validation_threshold=None,
        )
        self.w3 = Web3(provider)
        self.contracts: dict[str, Any] = {}
        abis = []
        for name in CONTRACT_NAMES:
            if name not in deployment.addresses:
                continue
            abi = load_abi(name, abi_dir)
            abis.append(abi)
            self.contracts[name] = self.w3.eth.contract(
                address=to_checksum_address(deployment.addresses[name]), abi=abi
            )
        self.errors = ErrorDecoder(abis)
        self._events: dict[tuple[str, bytes], Any] = {}
        for contract in self.contracts.values():
            for event in contract.events:
                abi = event.abi
                signature = f"{abi['name']}({','.join(_abi_type(i) for i in abi['inputs'])})"
                self._events[(contract.address.lower(), keccak(text=signature))] = event

    # ------------------------------------------------------------ basics

    def __getitem__(self, name: str) -> Any:
        try:
            return self.contracts[name]
        except KeyError:
            raise DeploymentError(f"the deployment has no {name}") from None

    def rpc(self, what: str, action: Callable[[], T]) -> T:
        return with_retries(action, self.retry, what=what, on_failure=self.on_rpc_failure)

    def check_chain(self) -> None:
        chain_id = self.rpc("eth_chainId", lambda: self.w3.eth.chain_id)
        if chain_id != self.deployment.chain_id:
            raise DeploymentError(
                f"the RPC endpoint serves chain {chain_id}, but the {self.deployment.network} "
                f"deployment is on chain {self.deployment.chain_id}"
            )

    def head(self) -> int:
        return self.rpc("eth_blockNumber", lambda: self.w3.eth.block_number)

    def block_hash(self, number: int) -> bytes | None:
        """The hash of block `number`, or None when the chain has no such block (any more)."""
        try:
            block = self.rpc(
                "eth_getBlockByNumber",
                lambda: self.w3.eth.get_block(number, full_transactions=False),
            )
        except BlockNotFound:
            return None
        return bytes(block["hash"]) if block else None

    def call(self, fn: Any, block: int | str = "latest") -> Any:
        """A view call, retried on RPC failure; a revert raises ChainError with its name."""
        try:
            return self.rpc(f"call {fn.fn_name}", lambda: fn.call(block_identifier=block))
        except (ContractCustomError, ContractLogicError) as exc:
            data = _revert_data(exc)
            raise ChainError(
                f"{fn.fn_name}: {self.errors.describe(data)}", self.errors.decode(data)
            ) from exc

    def call_many(self, fns: Sequence[Any], block: int | str = "latest") -> list[Any]:
        """The values of the view calls `fns`, in order, as `call` of each would return them, read
        in JSON-RPC batches of at most `batch_limit` calls: one round trip each.

        A batch is retried like any RPC; one the node refuses (a call in it reverts, or the node
        takes no batches, or not this large) is read again one call at a time, so a revert is
        `call`'s ChainError naming its function."""
        values: list[Any] = []
        for start in range(0, len(fns), self.batch_limit):
            values.extend(self._read_batch(list(fns[start : start + self.batch_limit]), block))
        return values

    def _read_batch(self, fns: list[Any], block: int | str) -> list[Any]:
        if len(fns) == 1:
            return [self.call(fns[0], block)]
        try:
            return self.rpc(f"eth_call batch of {len(fns)}", lambda: self._batch(fns, block))
        except RpcUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - any refusal: read them one by one
            log.debug("a batch of %d calls was refused (%s): calling one by one", len(fns), exc)
            return [self.call(fn, block) for fn in fns]

    def _batch(self, fns: list[Any], block: int | str) -> list[Any]:
        with self.w3.batch_requests() as batch:
            for fn in fns:
                batch.add(fn.call(block_identifier=block))
            values = batch.execute()
        if len(values) != len(fns):
            raise ChainError(f"a batch of {len(fns)} calls got {len(values)} answers")
        return list(values)

    # ------------------------------------------------------------ logs

    def logs(self, from_block: int, to_block: int) -> list[tuple[str, Any]]:
        """Every protocol event in [from_block, to_block], decoded, in chain order:
        (event name, decoded log with .args, .blockNumber, .blockHash, .transactionHash)."""
        addresses = [c.address for c in self.contracts.values()]
        raw: list[LogReceipt] = self.rpc(
            "eth_getLogs",
            lambda: self.w3.eth.get_logs(
                {"fromBlock": from_block, "toBlock": to_block, "address": addresses}
            ),
        )
        decoded = []
        for entry in raw:
            if not entry["topics"]:
                continue
            event = self._events.get((entry["address"].lower(), bytes(entry["topics"][0])))
            if event is None:
                continue
            decoded.append((event.abi["name"], event.process_log(entry)))
        return decoded

    # ------------------------------------------------------------ transactions

    def fees(self) -> Fees:
        """What a transaction sent now offers per gas (see `Fees`): EIP-1559 fees where the
        latest block has a base fee, else the legacy gas price."""
        block = self.rpc("eth_getBlockByNumber", lambda: self.w3.eth.get_block("latest"))
        base_fee = block.get("baseFeePerGas")
        if base_fee is None:
            return Fees(None, int(self.rpc("eth_gasPrice", lambda: self.w3.eth.gas_price)))
        try:
            answer = self.rpc(
                "eth_maxPriorityFeePerGas",
                lambda: self.w3.provider.make_request(RPCEndpoint("eth_maxPriorityFeePerGas"), []),
            )
        except requests.exceptions.HTTPError:  # a node that refuses unknown methods with a 4xx
            answer = {}
        if answer.get("result") is not None:
            tip = int(answer["result"], 16)
        else:  # the node has no eth_maxPriorityFeePerGas: what its gas price adds to the base fee
            gas_price = int(self.rpc("eth_gasPrice", lambda: self.w3.eth.gas_price))
            tip = max(0, gas_price - int(base_fee))
        return Fees(int(base_fee), 2 * int(base_fee) + tip, tip)

    def transact(
        self,
        fn: Any,
        *,
        gas: int | None = None,
        fees: Fees | None = None,
        gas_margin: float = 1.25,
    ) -> TxReceipt:
        """Sign and send `fn` from the client's account and wait for its receipt.

        A pre-flight `eth_estimateGas` turns a revert into ChainError naming the custom error, and
        sends nothing. It pays `fees`, by default the `fees()` of now. The signed bytes are reused
        on every retry, so a retried send can never become a second transaction.
        """
        if self.account is None:
            raise ChainError("no account configured to send transactions")
        sender = self.account.address
        if gas is None:
            try:
                estimate = self.rpc(
                    f"estimateGas {fn.fn_name}", lambda: fn.estimate_gas({"from": sender})
                )
            except (ContractCustomError, ContractLogicError) as exc:
                data = _revert_data(exc)
                raise ChainError(
                    f"{fn.fn_name} would revert: {self.errors.describe(data)}",
                    self.errors.decode(data),
                ) from exc
            gas = int(estimate * gas_margin)
        nonce = self.rpc(
            "eth_getTransactionCount", lambda: self.w3.eth.get_transaction_count(sender, "pending")
        )
        fees = fees or self.fees()
        tx = fn.build_transaction(
            {
                "from": sender,
                "nonce": nonce,
                "gas": gas,
                **fees.fields(),
                "chainId": self.deployment.chain_id,
            }
        )
        signed = self.account.sign_transaction(tx)
        tx_hash = bytes(signed.hash)

        def send() -> None:
            try:
                self.w3.eth.send_raw_transaction(signed.raw_transaction)
            except ValueError as exc:  # the node already has it (an earlier try got through)
                message = str(exc).lower()
                if "already known" not in message and "nonce too low" not in message:
                    raise

        self.rpc(f"send {fn.fn_name}", send)
        receipt = self.rpc(
            f"receipt {fn.fn_name}",
            lambda: self.w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=self.receipt_timeout, poll_latency=0.1
            ),
        )
        if receipt["status"] != 1:
            raise ChainError(f"{fn.fn_name} reverted in tx 0x{tx_hash.hex()}")
        return receipt

    def wait_confirmations(self, receipt: TxReceipt, confirmations: int, poll: float = 0.5) -> None:
        """Block until `confirmations` blocks sit on top of the receipt's block."""
        target = receipt["blockNumber"] + confirmations
        while self.head() < target:
            time.sleep(poll)


def _revert_data(exc: Exception) -> Any:
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if data is None and exc.args:
        data = (
            exc.args[-1]
            if isinstance(exc.args[-1], str) and exc.args[-1].startswith("0x")
            else None
        )
    return data


#: High bit of an attestation subject in OracleCouncil (`ATTESTATION_FLAG`), for labelling the
#: subjects an oracle's store holds without a chain; which subject a challenge has is the
#: council's `subjectOfChallenge`.
ATTESTATION_FLAG = 1 << 255


def subject_label(subject: int) -> str:
    """A council subject for people: "job 7" or "attestation 3"."""
    if subject & ATTESTATION_FLAG:
        return f"attestation {subject & ~ATTESTATION_FLAG}"
    return f"job {subject}"
