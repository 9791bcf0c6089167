"""One command's connection to the chain: client, reads, tokens, sending, and its output.

The CLI talks to the chain with web3 (ChainClient), never Brownie, so a command starts in well
under a second and never launches a chain. The node must serve the deployment file's chain id,
or nothing is read or sent. Output is a table or sentence for people, or with --json one JSON
object (with the transactions the command sent).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, cast

import click
from eth_account.signers.local import LocalAccount
from eth_utils.address import is_hex_address, to_checksum_address
from rich.console import Console
from web3.contract import Contract
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError
from web3.logs import DISCARD
from web3.types import EventData, Nonce, TxParams, TxReceipt, Wei

from gpumarket.chain.client import (
    ChainClient,
    ChainError,
    Fees,
    RetryPolicy,
    RpcUnavailable,
    _revert_data,
)
from gpumarket.chain.deployment import DEV_CHAIN_IDS, Deployment, deployment_path
from gpumarket.chain.types import JobState
from gpumarket.chain.views import outputs, struct, structs
from gpumarket.cli.abi import slim_abi_dir
from gpumarket.cli.accounts import address_of, signer
from gpumarket.cli.errors import CliError, Hints, refusal
from gpumarket.cli.options import FALLBACK_RPC_URL, LIVE_CONFIRMATIONS, Options, brownie_rpc_url
from gpumarket.cli.units import Token, allowlisted_tokens, format_amount, format_time, token_at

#: Blocks per eth_getLogs request when scanning from the deploy block.
LOG_CHUNK = 10_000
#: RPC retries of a command: a person is waiting, so fail within seconds.
CLI_RETRY = RetryPolicy(attempts=3, base=0.2, cap=1.0)


class Sent(TypedDict):
    """One transaction a command sent, as --json lists it."""

    step: str
    hash: str
    block: int
    gas_used: int


@dataclass(frozen=True)
class Simulation:
    """What simulated steps did: the gas each used and what each returned, and the values of
    the view calls read after them."""

    gas: list[int]
    returned: list[Any]
    reads: list[Any]


class Session:
    """One command's connection: deployment, client, sender, caches, output."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.as_json = options.as_json
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False)
        self.transactions: list[Sent] = []
        self._client: ChainClient | None = None
        self._sender: LocalAccount | None = None
        self._logs: list[tuple[str, EventData]] | None = None
        self._tokens: list[Token] | None = None
        self._token_cache: dict[str, Token] = {}
        #: What the sender confirmed for the whole command (`confirm_all`), if anything.
        self._confirmed_all: str | None = None
        #: View calls read ahead in a batch (`reading`): (address, calldata) -> value.
        self._read: dict[tuple[str, str], Any] = {}
        #: Transactions sent so far (what was read ahead before one is stale after it).
        self._sends = 0

    # ---- connection

    @property
    def rpc_url(self) -> str:
        return self.options.rpc_url or brownie_rpc_url(self.options.network) or FALLBACK_RPC_URL

    @property
    def deployment_file(self) -> Path:
        return self.options.deployment or deployment_path(
            self.options.network, directory=self.options.deployments_dir
        )

    @property
    def client(self) -> ChainClient:
        if self._client is None:
            deployment = Deployment.load(self.deployment_file)
            client = ChainClient(self.rpc_url, deployment, abi_dir=slim_abi_dir(), retry=CLI_RETRY)
            served = client.rpc("eth_chainId", lambda: client.w3.eth.chain_id)
            if served != deployment.chain_id:
                raise CliError(
                    f"wrong network: the RPC endpoint {self.rpc_url} serves chain {served}, but "
                    f"{self.deployment_file} was deployed on chain {deployment.chain_id}",
                    code="wrong_network",
                )
            self._client = client
        return self._client

    def use_client(self, client: ChainClient) -> None:
        """Talk through `client` from now on (deploy swaps clients as contracts appear)."""
        client.account = self._sender
        self._client = client

    @property
    def chain_id(self) -> int:
        return self.client.deployment.chain_id

    @property
    def dev_chain(self) -> bool:
        return self.chain_id in DEV_CHAIN_IDS

    @property
    def confirmations(self) -> int:
        if self.options.confirmations is not None:
            return self.options.confirmations
        return 0 if self.dev_chain else LIVE_CONFIRMATIONS

    # ---- reads

    def contract(self, name: str) -> Contract:
        return cast(Contract, self.client[name])

    def call(self, fn: ContractFunction) -> Any:
        """Call view `fn`: from what `reading` read ahead, else from the node."""
        if self._read:
            key = _call_key(fn)
            if key in self._read:
                return self._read[key]
        return self.client.call(fn)

    def call_many(self, fns: list[ContractFunction]) -> list[Any]:
        """The values of the view calls `fns`, read in as few round trips as the node allows
        (JSON-RPC batches, ChainClient.call_many)."""
        return self.client.call_many(fns)

    @contextmanager
    def reading(self, fns: list[ContractFunction]) -> Iterator[None]:
        """Read the view calls `fns` ahead, in one batch (`call_many`), and answer `call` of any
        of them from those values until the block ends, or until a transaction is sent: a listing
        reads every field of every job in one round trip, and its code still reads them one by
        one. When one of them reverts nothing is read ahead, so the code's own calls meet the
        revert in their own order, with their own words."""
        before, sends = dict(self._read), self._sends
        try:
            values = self.call_many(fns) if fns else []
        except RpcUnavailable:
            raise
        except ChainError:  # one reverts (a job that is not there): each call says so itself
            values = []
        self._read.update(zip((_call_key(fn) for fn in fns[: len(values)]), values, strict=True))
        try:
            yield
        finally:
            self._read = before if self._sends == sends else {}

    def struct(self, fn: ContractFunction) -> dict[str, Any]:
        """Call view `fn` and decode the struct it returns by the ABI's field names."""
        return struct(fn, self.call(fn))

    def structs(self, fn: ContractFunction) -> list[dict[str, Any]]:
        """Call view `fn` and decode the array of structs it returns by field name."""
        return structs(fn, self.call(fn))

    def outputs(self, fn: ContractFunction) -> dict[str, Any]:
        """Call view `fn` and decode its several return values by output name."""
        return outputs(fn, self.call(fn))

    def now(self) -> int:
        """The latest block's timestamp: the time the contracts compare deadlines with."""
        block = self.client.rpc(
            "eth_getBlockByNumber", lambda: self.client.w3.eth.get_block("latest")
        )
        return int(block["timestamp"])

    def require_role(self, name: str, role: str, what: str) -> None:
        """Refuse unless the sender holds `role` (a role constant's name) on contract `name`."""
        functions = self.contract(name).functions
        role_id = self.call(getattr(functions, role)())
        me = self.sender.address
        if not self.call(functions.hasRole(role_id, me)):
            raise CliError(f"{me} lacks {role} on {name}; {what}", code="missing_role")

    def require_unpaused(self, name: str, what: str) -> None:
        if self.call(self.contract(name).functions.paused()):
            raise CliError(f"the {what} is paused; try again once it is unpaused", code="paused")

    # ---- accounts

    @property
    def sender(self) -> LocalAccount:
        if self._sender is None:
            self._sender = signer(self.options.account, self.chain_id)
            self.client.account = self._sender
        return self._sender

    def who(self, address: str | None) -> str:
        """`address` if given, else the --account's (or GPUMARKET_PRIVATE_KEY's) address."""
        if address is not None:
            if not is_hex_address(address):
                raise CliError(f"{address!r} is not an address", code="bad_input")
            return to_checksum_address(address)
        resolved = address_of(self.options.account, self.chain_id)
        if resolved is None:
            raise CliError("name the account with --account or --address", code="account")
        return resolved

    def address(self, text: str, what: str) -> str:
        """An address given as 0x hex or as an account name (devN on a dev chain, a keystore
        account), read without unlocking anything."""
        if is_hex_address(text):
            return to_checksum_address(text)
        if text[:2].lower() == "0x" or not text.strip():
            raise CliError(f"{what} {text!r} is not an address", code="bad_input")
        resolved = address_of(text, self.chain_id)
        if resolved is None:  # pragma: no cover - a name always resolves or raises
            raise CliError(f"{what} {text!r} is not an address", code="bad_input")
        return resolved

    # ---- logs and tokens

    def logs(self) -> list[tuple[str, EventData]]:
        """Every protocol event since the deploy block (read once per command)."""
        if self._logs is None:
            head = self.client.head()
            start = self.client.deployment.deploy_block
            entries: list[tuple[str, EventData]] = []
            while start <= head:
                end = min(head, start + LOG_CHUNK - 1)
                entries.extend(self.client.logs(start, end))
                start = end + 1
            self._logs = entries
        return self._logs

    def events(self, name: str) -> Iterator[EventData]:
        return (entry for event, entry in self.logs() if event == name)

    @property
    def gmkt(self) -> Token:
        return self.token(self.contract("MarketToken").address)

    def _token_at(self, address: str) -> Token:
        if address not in self._token_cache:
            self._token_cache[address] = token_at(self.client, address)
        return self._token_cache[address]

    def tokens(self) -> list[Token]:
        """The allowlisted payment tokens, GMKT first."""
        if self._tokens is None:
            self._tokens = allowlisted_tokens(self.client, self.logs())
            self._token_cache.update({t.address: t for t in self._tokens})
        return self._tokens

    def token(self, text: str) -> Token:
        """A token by symbol (an allowlisted one, or GMKT) or by address."""
        if is_hex_address(text):
            address = to_checksum_address(text)
            return self._token_at(address)
        if text.upper() == "GMKT":
            return self._token_at(to_checksum_address(self.contract("MarketToken").address))
        matches = [t for t in self.tokens() if t.symbol.upper() == text.upper()]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(t.symbol for t in self.tokens()) or "none"
        if not matches:
            raise CliError(
                f"unknown token {text!r}: the allowlisted tokens are {known}", code="bad_input"
            )
        raise CliError(
            f"several allowlisted tokens are called {text!r}: name it by address", code="bad_input"
        )

    def names(self) -> dict[str, str]:
        """Labels of the deployment's contracts and tokens, for error sentences."""
        labels = {self.contract(name).address.lower(): name for name in self.client.contracts}
        for token in self._tokens or []:
            labels[token.address.lower()] = token.symbol
        return labels

    def hints(self, token: Token | None = None, needs: tuple[JobState, ...] = ()) -> Hints:
        gmkt = self.gmkt
        return Hints(
            needs=needs,
            amount=(token or gmkt).format,
            stake=gmkt.format,
            names=self.names(),
        )

    # ---- funds

    def require_balance(self, token: Token, owner: str, amount: int, what: str) -> None:
        balance = int(self.call(token.contract.functions.balanceOf(owner)))
        if balance < amount:
            raise CliError(
                f"{owner} holds {token.format(balance)}; {what} needs {token.format(amount)}",
                code="insufficient_balance",
            )

    def allowance(self, token: Token, owner: str, spender: str) -> int:
        return int(self.call(token.contract.functions.allowance(owner, spender)))

    def approval_steps(
        self, token: Token, spender_name: str, amount: int, what: str, *, may_approve: bool
    ) -> list[tuple[ContractFunction, str]]:
        """The approve steps (none, or a reset and an approve) that let `spender_name` pull
        `amount` of `token` from the sender; an error when some are needed and not allowed."""
        spender = self.contract(spender_name).address
        current = self.allowance(token, self.sender.address, spender)
        if current >= amount:
            return []
        if not may_approve:
            raise CliError(
                f"the allowance of {spender_name} for {token.symbol} is {token.format(current)}; "
                f"{what} needs {token.format(amount)} (run without --no-approve to approve it)",
                code="insufficient_allowance",
            )
        functions = token.contract.functions
        steps = []
        if current != 0:
            # Some tokens (USDT) refuse to change one non-zero allowance into another.
            steps.append((functions.approve(spender, 0), f"reset the {token.symbol} allowance"))
        steps.append(
            (
                functions.approve(spender, amount),
                f"approve {token.format(amount)} for {spender_name}",
            )
        )
        return steps

    def ensure_allowance(
        self, token: Token, spender_name: str, amount: int, what: str, *, may_approve: bool
    ) -> str:
        """Make sure `spender_name` may pull `amount` of `token` from the sender: "allowance" when
        it already may, "approve" after an approve step this shows; an error without approving."""
        steps = self.approval_steps(token, spender_name, amount, what, may_approve=may_approve)
        for fn, step in steps:
            self.send(fn, step)
        return "approve" if steps else "allowance"

    # ---- simulating

    def simulate(
        self,
        steps: list[tuple[ContractFunction, str]],
        reads: list[ContractFunction] | None = None,
        hints: Hints | None = None,
    ) -> Simulation | None:
        """Run `steps` from the sender, then the view calls `reads`, in one simulated block on top
        of the latest (`eth_simulateV1`): nothing is signed or sent. None when the node cannot
        simulate. A step that would revert is refused in one sentence, as a pre-flight would."""
        client = self.client
        sender = self.sender.address
        reads = reads or []
        latest = client.rpc("eth_getBlockByNumber", lambda: client.w3.eth.get_block("latest"))
        calls = [
            {"from": sender, "to": fn.address, "data": _calldata(fn, sender)}
            for fn in [*(fn for fn, _ in steps), *reads]
        ]
        request = {
            "blockStateCalls": [
                {
                    "blockOverrides": {
                        "number": hex(int(latest["number"]) + 1),
                        "time": hex(int(latest["timestamp"]) + 1),
                    },
                    "calls": calls,
                }
            ],
            "validation": False,
        }
        answer = client.rpc(
            "eth_simulateV1",
            lambda: client.w3.provider.make_request(
                cast(Any, "eth_simulateV1"), [request, "latest"]
            ),
        )
        if answer.get("error") or not answer.get("result"):
            return None
        results = answer["result"][0]["calls"]
        for (_, step), outcome in zip(steps, results, strict=False):
            if int(outcome.get("status", "0x0"), 16) != 1:
                error = outcome.get("error") or {}
                revert = client.errors.decode(error.get("data") or outcome.get("returnData"))
                if revert is None:
                    raise CliError(
                        f"{step} would fail: {error.get('message', 'reverted')}", code="reverted"
                    )
                raise refusal(revert, hints or self.hints())
        codec = client.w3.codec

        def value_of(fn: ContractFunction, outcome: dict[str, Any]) -> Any:
            types = [o["type"] for o in fn.abi["outputs"]]
            values = codec.decode(types, bytes.fromhex(outcome["returnData"][2:]))
            return values[0] if len(values) == 1 else tuple(values)

        return Simulation(
            gas=[int(outcome["gasUsed"], 16) for outcome in results[: len(steps)]],
            returned=[value_of(fn, o) for (fn, _), o in zip(steps, results, strict=False)],
            reads=[value_of(fn, o) for fn, o in zip(reads, results[len(steps) :], strict=True)],
        )

    # ---- sending

    def send_eth(self, to: str, wei: int, step: str) -> TxReceipt:
        """Send `wei` of the chain's native coin to `to`, like `send` (pre-flight included)."""
        return self.send(cast(ContractFunction, EthTransfer(self.client, to, wei)), step)

    def send(
        self,
        fn: ContractFunction | ContractConstructor,
        step: str,
        hints: Hints | None = None,
        *,
        confirm: bool = True,
    ) -> TxReceipt:
        """Pre-flight, sign, send and wait for `fn` from the sender, then (with `confirm`) for
        the confirmations.

        A pre-flight revert becomes one sentence (errors.py) and nothing is sent.
        """
        client = self.client
        sender = self.sender
        if not self.transactions:
            balance = client.rpc(
                "eth_getBalance", lambda: client.w3.eth.get_balance(sender.address)
            )
            if balance == 0:
                raise CliError(
                    f"{sender.address} has no ETH to pay for gas on chain {self.chain_id}",
                    code="no_gas",
                )
        self._read.clear()  # what was read ahead may change now
        self._sends += 1
        try:
            gas, fees = self._ask(fn, step)
            with self.spinner(f"{step}: sending and waiting for the receipt"):
                receipt = client.transact(fn, gas=gas, fees=fees)
        except RpcUnavailable:
            raise
        except ChainError as exc:
            if isinstance(exc.__cause__, ContractCustomError | ContractLogicError):
                decoded = exc.error
                if hints is None:
                    hints = self.hints() if "MarketToken" in client.contracts else Hints()
                raise refusal(decoded, hints) from None
            raise CliError(str(exc), code="chain_error") from None
        except Web3RPCError as exc:
            raise CliError(
                f"the node refused {step}: {_rpc_message(exc)}", code="chain_error"
            ) from None
        if confirm:
            self.confirm(receipt, step)
        record: Sent = {
            "step": step,
            "hash": "0x" + bytes(receipt["transactionHash"]).hex(),
            "block": int(receipt["blockNumber"]),
            "gas_used": int(receipt["gasUsed"]),
        }
        self.transactions.append(record)
        if not self.as_json:
            click.echo(
                f"{step}: tx {record['hash']} in block {record['block']} (gas {record['gas_used']})"
            )
        return receipt

    # ---- asking before sending

    @property
    def asks(self) -> bool:
        """Whether a send must be confirmed first: on a chain that is not a dev chain, unless
        --yes was given or the sender confirmed the whole command."""
        return not (self.dev_chain or self.options.yes or self._confirmed_all)

    def confirm_all(self, what: str) -> None:
        """Ask once for a command that sends many transactions (deploy): `what` they do."""
        if not self.asks:
            return
        self._prompt(
            f"{what}: send its transactions from {self.sender.address} on chain "
            f"{self.chain_id} ({self.client.deployment.network})?",
            what,
        )
        self._confirmed_all = what

    def _ask(
        self, fn: ContractFunction | ContractConstructor, step: str
    ) -> tuple[int | None, Fees | None]:
        """On a live chain, before `fn` is signed: its pre-flight (a revert is refused as
        transact's own would be) and the sender's yes to its gas and fees. The gas and fees to
        send with (what was shown), or None for each when nothing was asked (transact finds
        them)."""
        if not self.asks:
            return None, None
        client, sender = self.client, self.sender.address
        try:
            estimate = client.rpc(f"estimateGas {step}", lambda: fn.estimate_gas({"from": sender}))
        except (ContractCustomError, ContractLogicError) as exc:
            data = _revert_data(exc)
            raise ChainError(
                f"{step} would revert: {client.errors.describe(data)}", client.errors.decode(data)
            ) from exc
        gas = int(estimate * 1.25)
        fees = client.fees()
        self._prompt(
            f"{step}: send from {sender} on chain {self.chain_id} "
            f"({client.deployment.network}), gas up to {gas:,} {fee_words(fees, gas)}?",
            step,
        )
        return gas, fees

    def _prompt(self, question: str, step: str) -> None:
        sent = (
            "; already sent: " + ", ".join(t["step"] for t in self.transactions)
            if self.transactions
            else ""
        )
        try:
            answer = click.confirm(question, default=False, err=True)
        except click.Abort:
            raise CliError(
                f"{step}: not confirmed (no answer; pass --yes to send without asking), so it "
                f"was not sent{sent}",
                code="not_confirmed",
            ) from None
        if not answer:
            raise CliError(f"{step}: not confirmed, so it was not sent{sent}", code="not_confirmed")

    def confirm(self, receipt: TxReceipt, step: str) -> None:
        """Wait until the confirmations sit on top of `receipt`'s block."""
        if self.confirmations:
            with self.spinner(f"{step}: waiting for {self.confirmations} confirmations"):
                self.client.wait_confirmations(receipt, self.confirmations)

    @contextmanager
    def spinner(self, text: str) -> Iterator[None]:
        with self.err.status(text, spinner="dots"):
            yield

    def receipt_events(self, receipt: TxReceipt, contract: str, event: str) -> list[EventData]:
        return list(
            self.contract(contract).events[event]().process_receipt(receipt, errors=DISCARD)
        )

    # ---- output

    def result(self, data: dict[str, Any], human: Callable[[], None] | None = None) -> None:
        """The command's result: one JSON object with --json, else `human()` prints it."""
        if self.as_json:
            payload = dict(data)
            if self.transactions or "transactions" in payload:
                payload.setdefault("transactions", self.transactions)
            click.echo(json.dumps(payload, indent=2, default=_json_default))
        elif human is not None:
            human()

    def when(self, timestamp: int) -> str:
        return format_time(timestamp) if timestamp else "-"


class EthTransfer:
    """A plain value transfer shaped like a contract call, so ChainClient.transact (pre-flight,
    sign, send, receipt) sends it as it sends everything else."""

    def __init__(self, client: ChainClient, to: str, wei: int) -> None:
        self._client = client
        self._fields: dict[str, Any] = {"to": to_checksum_address(to), "value": wei, "data": "0x"}
        self.fn_name = f"send {wei} wei to {to}"

    def estimate_gas(self, tx: dict[str, Any]) -> int:
        return int(self._client.w3.eth.estimate_gas(cast(Any, {**tx, **self._fields})))

    def build_transaction(self, tx: dict[str, Any]) -> dict[str, Any]:
        return {**tx, **self._fields}


def fee_words(fees: Fees, gas: int) -> str:
    """What `gas` costs at `fees`, for a question: the price per gas and the most it can cost."""
    most = format_amount(gas * fees.max_fee, 18)
    if fees.eip1559:
        return (
            f"at up to {format_amount(fees.max_fee, 9)} gwei (base fee "
            f"{format_amount(fees.base_fee or 0, 9)} + tip {format_amount(fees.tip or 0, 9)}): "
            f"{most} ETH at most"
        )
    return f"at {format_amount(fees.max_fee, 9)} gwei: {most} ETH at most"


def _call_key(fn: ContractFunction) -> tuple[str, str]:
    """What identifies a view call: its contract and its call data."""
    return str(fn.address).lower(), str(fn._encode_transaction_data())


def _calldata(fn: ContractFunction, sender: str) -> str:
    """The call data of `fn` (a contract call), built without asking the node anything."""
    params: TxParams = {
        "from": to_checksum_address(sender),
        "gas": 0,
        "gasPrice": Wei(0),
        "nonce": Nonce(0),
        "chainId": 1,
    }
    tx = fn.build_transaction(params)
    data = tx["data"]
    return data if isinstance(data, str) else "0x" + bytes(data).hex()


def _json_default(value: object) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _rpc_message(exc: Web3RPCError) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return str(message)
