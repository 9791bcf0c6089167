"""What every chain command shares: its options, the session they open, accounts, tokens, jobs,
sending with spinners, and output (tables for people, one JSON object for machines).

The CLI talks to the chain with web3 (ChainClient), never Brownie, so a command starts in well
under a second and never launches a chain. `--network NAME` selects `deployments/NAME.json` (or
`--deployment PATH`); the node must serve that file's chain id, or nothing is sent.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_hex_address, to_checksum_address
from rich.console import Console
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError

from gpumarket.chain.client import (
    DEFAULT_ABI_DIR,
    ChainClient,
    ChainError,
    RetryPolicy,
    RpcUnavailable,
)
from gpumarket.chain.deployment import (
    CONTRACT_NAMES,
    Deployment,
    DeploymentError,
    deployment_path,
)
from gpumarket.chain.types import Ineligibility, JobState
from gpumarket.chain.views import outputs, struct, structs
from gpumarket.cli.errors import CliError, Hints, explain, wrong_state
from gpumarket.cli.units import Token, allowlisted_tokens, format_time, text_of, token_at

#: Chain ids of local development chains (anvil, ganache): dev accounts work only there.
DEV_CHAIN_IDS = frozenset({31337, 1337})
#: anvil's default mnemonic; Brownie's `development` network (anvil) funds these accounts.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 20
#: Confirmations waited for by default on a chain that is not a dev chain.
LIVE_CONFIRMATIONS = 2
#: Blocks per eth_getLogs request when scanning from the deploy block.
LOG_CHUNK = 10_000
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
FALLBACK_RPC_URL = "http://127.0.0.1:8545"
#: RPC retries of a command: a person is waiting, so fail within seconds.
CLI_RETRY = RetryPolicy(attempts=3, base=0.2, cap=1.0)


# ------------------------------------------------------------------ options


@dataclass(frozen=True)
class Options:
    network: str
    deployment: Path | None
    rpc_url: str | None
    account: str | None
    as_json: bool
    confirmations: int | None = None


def chain_command(
    group: click.Group | None, name: str | None = None, *, sends: bool
) -> Callable[[Callable[..., Any]], click.Command]:
    """Register `fn(session, **params)` as a command of `group` with the shared options.

    Errors the CLI expects (bad input, a refused pre-flight, a wrong network, an unreachable node)
    end as one sentence and exit code 1.
    """

    def decorate(fn: Callable[..., Any]) -> click.Command:
        @functools.wraps(fn)
        def command(
            network: str,
            deployment: Path | None,
            rpc_url: str | None,
            account: str | None,
            as_json: bool,
            confirmations: int | None = None,
            **params: Any,
        ) -> None:
            session = Session(
                Options(network, deployment, rpc_url, account, as_json, confirmations)
            )
            run_guarded(lambda: fn(session, **params), session)

        options = [
            click.option(
                "--network",
                default="development",
                show_default=True,
                envvar="GPUMARKET_NETWORK",
                help="Network name: selects deployments/NAME.json and the default RPC URL.",
            ),
            click.option(
                "--deployment",
                type=click.Path(path_type=Path, dir_okay=False),
                envvar="GPUMARKET_DEPLOYMENT",
                help="Deployment file to use instead of deployments/NETWORK.json.",
            ),
            click.option(
                "--rpc-url",
                envvar="GPUMARKET_RPC_URL",
                help="JSON-RPC endpoint [default: from Brownie's network config, else "
                f"{FALLBACK_RPC_URL}].",
            ),
            click.option(
                "--account",
                envvar="GPUMARKET_ACCOUNT",
                help=(
                    "Sender: dev0..dev19 on a dev chain, or a Brownie keystore account "
                    "(password from GPUMARKET_ACCOUNT_PASSWORD or a prompt). "
                    "GPUMARKET_PRIVATE_KEY also works."
                    if sends
                    else "Whose view to show (dev0..dev19, or a keystore account)."
                ),
            ),
            click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
        ]
        if sends:
            options.append(
                click.option(
                    "--confirmations",
                    type=click.IntRange(0, 1_000),
                    help=f"Blocks to wait for on top of each transaction [default: 0 on dev "
                    f"chains, {LIVE_CONFIRMATIONS} elsewhere].",
                )
            )
        for option in reversed(options):
            command = option(command)
        return (group.command if group is not None else click.command)(name)(command)

    return decorate


def run_guarded(action: Callable[[], Any], session: Session | None = None) -> Any:
    """Run a command body, turning the failures a user can cause into one sentence each."""
    try:
        return action()
    except CliError:
        raise
    except RpcUnavailable as exc:
        url = session.rpc_url if session else "the RPC endpoint"
        raise CliError(
            f"cannot reach the RPC endpoint {url}; is the node running? ({exc})"
        ) from None
    except (DeploymentError, ValueError) as exc:
        raise CliError(str(exc)) from None
    except ChainError as exc:
        raise CliError(str(exc)) from None


# ------------------------------------------------------------------ RPC URL and accounts


def brownie_network(network: str, config: Path | None = None) -> dict[str, Any] | None:
    """`network`'s entry in Brownie's network-config.yaml, or None."""
    path = config or Path.home() / ".brownie" / "network-config.yaml"
    try:
        import yaml  # type: ignore[import-untyped]

        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, ValueError, ImportError):
        return None
    candidates = list(data.get("development") or [])
    for group in data.get("live") or []:
        candidates.extend(group.get("networks") or [])
    for entry in candidates:
        if entry.get("id") == network:
            return dict(entry)
    return None


def brownie_rpc_url(network: str, config: Path | None = None) -> str | None:
    """The host (and port, for local chains) of `network` in Brownie's network-config.yaml."""
    entry = brownie_network(network, config)
    if entry is None or not entry.get("host"):
        return None
    host = os.path.expandvars(str(entry["host"]))
    port = (entry.get("cmd_settings") or {}).get("port")
    if port and re.match(r"^https?://[^/:]+$", host):
        host = f"{host}:{port}"
    return host


def brownie_chain_id(network: str, config: Path | None = None) -> int | None:
    """The chain id Brownie's config gives `network` (live networks have one), or None."""
    entry = brownie_network(network, config)
    try:
        return int(entry["chainid"]) if entry and entry.get("chainid") is not None else None
    except (TypeError, ValueError):
        return None


def service_network_defaults(
    network: str | None, env_prefix: str, overrides: dict[str, Any]
) -> dict[str, Any]:
    """For `oracle run` and `agent run --network NAME`: deployments/NAME.json and the RPC URL of
    NAME in Brownie's config, unless given as options or in the service's environment."""
    values = dict(overrides)
    values.pop("network", None)
    if not network:
        return values
    if values.get("deployment") is None and f"{env_prefix}DEPLOYMENT" not in os.environ:
        values["deployment"] = deployment_path(network)
    if values.get("rpc_url") is None and f"{env_prefix}RPC_URL" not in os.environ:
        url = brownie_rpc_url(network)
        if url is not None:
            values["rpc_url"] = url
    return values


def dev_account(index: int) -> LocalAccount:
    """Dev account `index` of the dev mnemonic (GPUMARKET_DEV_MNEMONIC overrides anvil's)."""
    Account.enable_unaudited_hdwallet_features()
    mnemonic = os.environ.get("GPUMARKET_DEV_MNEMONIC", DEV_MNEMONIC)
    return _dev_account(mnemonic, index)


@functools.lru_cache(maxsize=64)
def _dev_account(mnemonic: str, index: int) -> LocalAccount:
    return Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}")


def keystore_dir() -> Path:
    return Path(os.environ.get("GPUMARKET_KEYSTORE_DIR") or Path.home() / ".brownie" / "accounts")


def _keystore(name: str) -> dict[str, Any]:
    path = keystore_dir() / f"{name}.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise CliError(
            f"there is no account {name!r}: no keystore {path} (create one with "
            f"`brownie accounts new {name}`)"
        ) from None
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read the keystore {path}: {exc}") from None


def _dev_index(name: str, chain_id: int) -> int | None:
    match = re.fullmatch(r"dev(\d+)", name)
    if match is None:
        return None
    if chain_id not in DEV_CHAIN_IDS:
        raise CliError(
            f"dev accounts such as {name} exist only on dev chains (chain ids "
            f"{', '.join(str(c) for c in sorted(DEV_CHAIN_IDS))}); chain {chain_id} needs a "
            "keystore account (`brownie accounts new NAME`)"
        )
    index = int(match.group(1))
    if index >= DEV_ACCOUNT_COUNT:
        raise CliError(f"dev accounts are dev0 to dev{DEV_ACCOUNT_COUNT - 1}; {name} is not one")
    return index


def signer(name: str | None, chain_id: int) -> LocalAccount:
    """The account that signs: `name` (dev account or keystore), else GPUMARKET_PRIVATE_KEY."""
    if name is None:
        key = os.environ.get("GPUMARKET_PRIVATE_KEY")
        if not key:
            raise CliError(
                "this command sends a transaction: name the sender with --account (dev0..dev19 "
                "on a dev chain, or a Brownie keystore account) or set GPUMARKET_PRIVATE_KEY"
            )
        try:
            return Account.from_key(key)
        except (ValueError, TypeError):
            raise CliError("GPUMARKET_PRIVATE_KEY is not a valid private key") from None
    index = _dev_index(name, chain_id)
    if index is not None:
        return dev_account(index)
    encrypted = _keystore(name)
    password = os.environ.get("GPUMARKET_ACCOUNT_PASSWORD")
    if password is None:
        password = click.prompt(f"password for account {name!r}", hide_input=True, err=True)
    try:
        return Account.from_key(Account.decrypt(encrypted, password))
    except ValueError:
        raise CliError(f"wrong password for account {name!r}") from None


def address_of(name: str | None, chain_id: int) -> str | None:
    """The address `name` stands for, without unlocking a keystore (or an 0x address as is)."""
    if name is None:
        key = os.environ.get("GPUMARKET_PRIVATE_KEY")
        return signer(None, chain_id).address if key else None
    if is_hex_address(name):
        return to_checksum_address(name)
    index = _dev_index(name, chain_id)
    if index is not None:
        return dev_account(index).address
    address = _keystore(name).get("address")
    if not address or not is_hex_address("0x" + str(address).removeprefix("0x")):
        raise CliError(f"the keystore of {name!r} names no address")
    return to_checksum_address("0x" + str(address).removeprefix("0x"))


# ------------------------------------------------------------------ ABIs


def slim_abi_dir() -> Path:
    """A directory of ABI-only copies of the compiled contracts, refreshed when a build changes.

    Brownie's build files carry ASTs and source maps (megabytes each); reading the six of them
    took half a second per command. The copies live next to the build, or in the user's cache
    when the build directory is read-only.
    """
    for root in (DEFAULT_ABI_DIR.parent / "cli-abi", Path.home() / ".cache" / "gpumarket-abi"):
        try:
            _refresh_slim_abis(root)
            return root
        except OSError:
            continue
    return DEFAULT_ABI_DIR


@functools.lru_cache(maxsize=4)
def _refresh_slim_abis_cached(root: Path, stamp: tuple[tuple[str, int, int], ...]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, size, mtime in stamp:
        slim = root / f"{name}.json"
        marker = [size, mtime]
        try:
            if json.loads(slim.read_text()).get("source") == marker:
                continue
        except (OSError, ValueError):
            pass
        full = json.loads((DEFAULT_ABI_DIR / f"{name}.json").read_text())
        tmp = slim.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"abi": full["abi"], "source": marker}))
        tmp.replace(slim)


def _refresh_slim_abis(root: Path) -> None:
    stamp = []
    for name in CONTRACT_NAMES:
        try:
            info = (DEFAULT_ABI_DIR / f"{name}.json").stat()
        except FileNotFoundError:
            raise DeploymentError(
                f"no compiled contract {DEFAULT_ABI_DIR / name}.json: run `make compile` in the "
                "repository first"
            ) from None
        stamp.append((name, info.st_size, info.st_mtime_ns))
    _refresh_slim_abis_cached(root, tuple(stamp))


# ------------------------------------------------------------------ jobs


@dataclass(frozen=True)
class Job:
    """`jobOf` and `specOf` of one job, by field name."""

    job_id: int
    buyer: str
    state: JobState
    bidding_ends: int
    token: str
    started_at: int
    provider: str
    submitted_at: int
    window_start: int
    disputed_at: int
    max_price: int
    price: int
    deposit: int
    escrow: int
    collateral: int
    bond: int
    result_hash: bytes
    spec: dict[str, Any]  # `specOf`, keyed by the ABI's field names

    @property
    def gpu_model(self) -> str:
        return text_of(self.spec["gpuModel"])

    @property
    def gpu_count(self) -> int:
        return int(self.spec["gpuCount"])

    @property
    def min_vram(self) -> int:
        return int(self.spec["minVramGiB"])

    @property
    def region(self) -> str:
        return text_of(self.spec["region"])

    @property
    def duration(self) -> int:
        return int(self.spec["duration"])

    @property
    def direct(self) -> bool:
        return self.state == JobState.OPEN and self.provider != ZERO_ADDRESS


# ------------------------------------------------------------------ the session


class Session:
    """One command's connection: deployment, client, sender, caches, output."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.as_json = options.as_json
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False)
        self.transactions: list[dict[str, Any]] = []
        self._client: ChainClient | None = None
        self._sender: LocalAccount | None = None
        self._logs: list[tuple[str, Any]] | None = None
        self._tokens: list[Token] | None = None
        self._token_cache: dict[str, Token] = {}

    # ---- connection

    @property
    def rpc_url(self) -> str:
        return self.options.rpc_url or brownie_rpc_url(self.options.network) or FALLBACK_RPC_URL

    @property
    def deployment_file(self) -> Path:
        return self.options.deployment or deployment_path(self.options.network)

    @property
    def client(self) -> ChainClient:
        if self._client is None:
            deployment = Deployment.load(self.deployment_file)
            client = ChainClient(self.rpc_url, deployment, abi_dir=slim_abi_dir(), retry=CLI_RETRY)
            served = client.rpc("eth_chainId", lambda: client.w3.eth.chain_id)
            if served != deployment.chain_id:
                raise CliError(
                    f"wrong network: the RPC endpoint {self.rpc_url} serves chain {served}, but "
                    f"{self.deployment_file} was deployed on chain {deployment.chain_id}"
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

    def contract(self, name: str) -> Any:
        return self.client[name]

    def call(self, fn: Any) -> Any:
        return self.client.call(fn)

    def struct(self, fn: Any) -> dict[str, Any]:
        """Call view `fn` and decode the struct it returns by the ABI's field names."""
        return struct(fn, self.client.call(fn))

    def structs(self, fn: Any) -> list[dict[str, Any]]:
        """Call view `fn` and decode the array of structs it returns by field name."""
        return structs(fn, self.client.call(fn))

    def outputs(self, fn: Any) -> dict[str, Any]:
        """Call view `fn` and decode its several return values by output name."""
        return outputs(fn, self.client.call(fn))

    def now(self) -> int:
        """The latest block's timestamp: the time the contracts compare deadlines with."""
        block = self.client.rpc(
            "eth_getBlockByNumber", lambda: self.client.w3.eth.get_block("latest")
        )
        return int(block["timestamp"])

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
                raise CliError(f"{address!r} is not an address")
            return to_checksum_address(address)
        resolved = address_of(self.options.account, self.chain_id)
        if resolved is None:
            raise CliError("name the account with --account or --address")
        return resolved

    # ---- logs, tokens, jobs

    def logs(self) -> list[tuple[str, Any]]:
        """Every protocol event since the deploy block (read once per command)."""
        if self._logs is None:
            head = self.client.head()
            start = self.client.deployment.deploy_block
            entries: list[tuple[str, Any]] = []
            while start <= head:
                end = min(head, start + LOG_CHUNK - 1)
                entries.extend(self.client.logs(start, end))
                start = end + 1
            self._logs = entries
        return self._logs

    def events(self, name: str) -> Iterator[Any]:
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
            raise CliError(f"unknown token {text!r}: the allowlisted tokens are {known}")
        raise CliError(f"several allowlisted tokens are called {text!r}: name it by address")

    def token_label(self, address: str) -> str:
        for token in self.tokens():
            if token.address.lower() == address.lower():
                return token.symbol
        return address

    def names(self) -> dict[str, str]:
        """Labels of the deployment's contracts and tokens, for error sentences."""
        labels = {self.contract(name).address.lower(): name for name in self.client.contracts}
        for token in self._tokens or []:
            labels[token.address.lower()] = token.symbol
        return labels

    def job(self, job_id: int) -> Job:
        """Job `job_id`, or a clear error when there is none."""
        market = self.contract("JobMarket")
        if job_id <= 0 or job_id >= 2**256:
            raise CliError(f"there is no job {job_id}")
        raw = self.struct(market.functions.jobOf(job_id))
        if int(raw["state"]) == JobState.NONE:
            raise CliError(f"there is no job {job_id}")
        return Job(
            job_id=job_id,
            buyer=to_checksum_address(raw["buyer"]),
            state=JobState(int(raw["state"])),
            bidding_ends=int(raw["biddingEnds"]),
            token=to_checksum_address(raw["token"]),
            started_at=int(raw["startedAt"]),
            provider=to_checksum_address(raw["provider"]),
            submitted_at=int(raw["submittedAt"]),
            window_start=int(raw["windowStart"]),
            disputed_at=int(raw["disputedAt"]),
            max_price=int(raw["maxPrice"]),
            price=int(raw["price"]),
            deposit=int(raw["deposit"]),
            escrow=int(raw["escrow"]),
            collateral=int(raw["collateral"]),
            bond=int(raw["bond"]),
            result_hash=bytes(raw["resultHash"]),
            spec=self.struct(market.functions.specOf(job_id)),
        )

    def require_state(self, job: Job, *needs: JobState) -> None:
        if job.state not in needs:
            raise CliError(wrong_state(job.job_id, job.state, needs))

    def require_unpaused(self, name: str, what: str) -> None:
        if self.call(self.contract(name).functions.paused()):
            raise CliError(f"the {what} is paused; try again once it is unpaused")

    def hints(self, token: Token | None = None, needs: tuple[JobState, ...] = ()) -> Hints:
        gmkt = self.gmkt
        return Hints(
            needs=needs,
            amount=(token or gmkt).format,
            stake=gmkt.format,
            names=self.names(),
        )

    # ---- funds and eligibility

    def require_balance(self, token: Token, owner: str, amount: int, what: str) -> None:
        balance = int(self.call(token.contract.functions.balanceOf(owner)))
        if balance < amount:
            raise CliError(
                f"{owner} holds {token.format(balance)}; {what} needs {token.format(amount)}"
            )

    def allowance(self, token: Token, owner: str, spender: str) -> int:
        return int(self.call(token.contract.functions.allowance(owner, spender)))

    def ensure_allowance(
        self, token: Token, spender_name: str, amount: int, what: str, *, may_approve: bool
    ) -> str:
        """Make sure `spender_name` may pull `amount` of `token` from the sender: "allowance" when
        it already may, "approve" after an approve step this shows; an error without approving."""
        spender = self.contract(spender_name).address
        current = self.allowance(token, self.sender.address, spender)
        if current >= amount:
            return "allowance"
        if not may_approve:
            raise CliError(
                f"the allowance of {spender_name} for {token.symbol} is {token.format(current)}; "
                f"{what} needs {token.format(amount)} (run without --no-approve to approve it)"
            )
        functions = token.contract.functions
        if current != 0:
            # Some tokens (USDT) refuse to change one non-zero allowance into another.
            self.send(functions.approve(spender, 0), f"reset the {token.symbol} allowance")
        self.send(
            functions.approve(spender, amount),
            f"approve {token.format(amount)} for {spender_name}",
        )
        return "approve"

    def eligibility_problem(self, job: Job, provider: str) -> str | None:
        """Why `provider` may not take `job` now, in words; None when it may.

        The market decides (`eligibilityOf`, one reason code); this only reads the facts that
        the sentence for that reason names.
        """
        market = self.contract("JobMarket").functions
        reason = Ineligibility(int(self.call(market.eligibilityOf(job.job_id, provider))))
        if reason == Ineligibility.NONE:
            return None
        registry = self.contract("ProviderRegistry").functions
        hints = self.hints()
        j = job.job_id
        if reason == Ineligibility.IS_BUYER:
            return f"{provider} is the buyer of job {j} and cannot take it"
        if reason == Ineligibility.NOT_REGISTERED:
            return explain(("ProviderRegistryNotRegistered", (provider,)), hints)
        info = self.struct(registry.providerInfo(provider))
        stake, locked = int(info["stake"]), int(info["locked"])
        if reason == Ineligibility.STAKE_BELOW_MINIMUM:
            min_stake = int(self.call(registry.minStake()))
            return explain(
                ("ProviderRegistryInsufficientStake", (provider, stake, min_stake)), hints
            )
        if reason == Ineligibility.JAILED:
            return explain(("ProviderRegistryJailed", (provider, info["jailedUntil"])), hints)
        if reason == Ineligibility.NO_PRICE_IN_TOKEN:
            symbol = self.token(job.token).symbol
            return (
                f"{provider} has no price in {symbol}; add one with "
                f"`gpumarket provider update --price {symbol}=...`"
            )
        offer_of = registry.offerOf(provider)
        if reason in (Ineligibility.GPU_MODEL, Ineligibility.REGION, Ineligibility.VRAM):
            offer = self.struct(offer_of)
            if reason == Ineligibility.GPU_MODEL:
                model = text_of(offer["gpuModel"])
                return f"job {j} needs {job.gpu_model} GPUs; {provider} offers {model}"
            if reason == Ineligibility.REGION:
                region = text_of(offer["region"])
                return f"job {j} must run in {job.region}; {provider} is in {region}"
            vram = offer["vramGiB"]
            return f"job {j} needs {job.min_vram} GiB of VRAM per GPU; {provider} has {vram}"
        if reason == Ineligibility.FREE_GPUS:
            offer = self.struct(offer_of)
            free = int(offer["gpuCount"]) - int(info["gpusInUse"])
            return explain(
                ("ProviderRegistryInsufficientCapacity", (provider, job.gpu_count, free)), hints
            )
        if reason == Ineligibility.FREE_STAKE:
            collateral = int(self.call(market.collateralOf(j)))
            return explain(
                ("ProviderRegistryInsufficientFreeStake", (provider, collateral, stake - locked)),
                hints,
            )
        reputation = self.contract("Reputation").functions
        if reason == Ineligibility.REPUTATION:
            score = int(self.call(reputation.score(provider)))
            needed = job.spec["minReputationBps"]
            return f"job {j} needs a reputation of {needed} bps; {provider} has {score}"
        tops = int(self.call(reputation.verifiedTops(provider)))
        return f"job {j} needs {job.spec['minVerifiedTops']} verified TOPS; {provider} has {tops}"

    def job_dict(self, job: Job) -> dict[str, Any]:
        """A job as plain JSON values (amounts as decimal strings of the job's token)."""
        token = self.token(job.token)
        return {
            "job_id": job.job_id,
            "state": job.state.name,
            "buyer": job.buyer,
            "provider": None if job.provider == ZERO_ADDRESS else job.provider,
            "direct": job.direct,
            "token": token.symbol,
            "token_address": token.address,
            "gpu_model": job.gpu_model or None,
            "gpus": job.gpu_count,
            "min_vram_gib": job.min_vram,
            "region": job.region or None,
            "duration": job.duration,
            "max_price_per_gpu_hour": token.plain(job.max_price),
            "price_per_gpu_hour": token.plain(job.price) if job.price else None,
            "deposit": token.plain(job.deposit),
            "escrow": token.plain(job.escrow),
            "bond": token.plain(job.bond),
            "bidding_ends": job.bidding_ends,
            "started_at": job.started_at or None,
            "submitted_at": job.submitted_at or None,
        }

    # ---- sending

    def send(self, fn: Any, step: str, hints: Hints | None = None, *, confirm: bool = True) -> Any:
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
                    f"{sender.address} has no ETH to pay for gas on chain {self.chain_id}"
                )
        try:
            with self.spinner(f"{step}: sending and waiting for the receipt"):
                receipt = client.transact(fn)
        except RpcUnavailable:
            raise
        except ChainError as exc:
            if isinstance(exc.__cause__, ContractCustomError | ContractLogicError):
                decoded = exc.error
                if hints is None:
                    hints = self.hints() if "MarketToken" in client.contracts else Hints()
                raise CliError(explain(decoded, hints)) from None
            raise CliError(str(exc)) from None
        except Web3RPCError as exc:
            raise CliError(f"the node refused {step}: {_rpc_message(exc)}") from None
        if confirm:
            self.confirm(receipt, step)
        record = {
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

    def confirm(self, receipt: Any, step: str) -> None:
        """Wait until the confirmations sit on top of `receipt`'s block."""
        if self.confirmations:
            with self.spinner(f"{step}: waiting for {self.confirmations} confirmations"):
                self.client.wait_confirmations(receipt, self.confirmations)

    @contextmanager
    def spinner(self, text: str) -> Iterator[None]:
        with self.err.status(text, spinner="dots"):
            yield

    def receipt_events(self, receipt: Any, contract: str, event: str) -> list[Any]:
        from web3.logs import DISCARD

        return list(
            getattr(self.contract(contract).events, event)().process_receipt(
                receipt, errors=DISCARD
            )
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


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _rpc_message(exc: Web3RPCError) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return str(message)
