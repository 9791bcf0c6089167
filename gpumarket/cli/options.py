"""The options every chain command takes, and where their defaults come from.

`chain_command` registers `fn(session, **params)` as a click command with --network,
--deployment, --rpc-url, --account and --json (and --confirmations and --yes where it sends),
opens the Session (cli/session.py) they describe, and turns the failures a user can cause into
one sentence. `--network NAME` selects `NAME.json` in the deployments directory
(`--deployments-dir`, chain/deployment.py's `deployments_dir`); the RPC URL, when not given, comes

from Brownie's network-config.yaml, read here.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gpumarket.chain.deployment import DEPLOYMENTS_DIR_ENV, DeploymentError, deployment_path
from gpumarket.cli.errors import CliError

if TYPE_CHECKING:
    from gpumarket.cli.session import Session

T = TypeVar("T")
FALLBACK_RPC_URL = "http://127.0.0.1:8545"
#: Confirmations waited for by default on a chain that is not a dev chain.
LIVE_CONFIRMATIONS = 2


#: A negative number (or duration) where an argument stands: "-5", "-2.5", "-1h".
_NEGATIVE = re.compile(r"-(\d[\d_]*(\.\d*)?|\.\d+)[smhdw]?")


class NumbersAsValues(click.Command):
    """A command whose arguments may be negative numbers: click would read `-5` as an unknown
    option and answer "No such option", so the value's own sentence ("amount -5 is negative")
    could never be reached. No option of the CLI starts with a digit, so nothing is lost."""

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        process_opts = parser._process_opts

        def keep_negative_numbers(arg: str, state: Any) -> None:
            if _NEGATIVE.fullmatch(arg):
                state.largs.append(arg)
            else:
                process_opts(arg, state)

        setattr(parser, "_process_opts", keep_negative_numbers)  # noqa: B010 - a method override
        return parser


@dataclass(frozen=True)
class Options:
    network: str
    deployment: Path | None
    rpc_url: str | None
    account: str | None
    as_json: bool
    confirmations: int | None = None
    deployments_dir: Path | None = None
    #: Send without asking, on a chain that is not a dev chain (`--yes`).
    yes: bool = False


def chain_command(name: str, *, sends: bool) -> Callable[[Callable[..., None]], click.Command]:
    """Make `fn(session, **params)` the command `name` with the shared options (a group adds it
    with `add_command`).

    Errors the CLI expects (bad input, a refused pre-flight, a wrong network, an unreachable node)
    end as one sentence and exit code 1.
    """

    def decorate(fn: Callable[..., None]) -> click.Command:
        @functools.wraps(fn)
        def command(
            network: str,
            deployment: Path | None,
            rpc_url: str | None,
            account: str | None,
            as_json: bool,
            deployments_dir: Path | None = None,
            confirmations: int | None = None,
            yes: bool = False,
            **params: Any,
        ) -> None:
            from gpumarket.cli.session import Session

            session = Session(
                Options(
                    network,
                    deployment,
                    rpc_url,
                    account,
                    as_json,
                    confirmations,
                    deployments_dir=deployments_dir,
                    yes=yes,
                )
            )
            run_guarded(lambda: fn(session, **params), session)

        options = [
            click.option(
                "--network",
                default="development",
                show_default=True,
                envvar="GPUMARKET_NETWORK",
                help="Network name: selects NAME.json in the deployments directory and the "
                "default RPC URL.",
            ),
            click.option(
                "--deployments-dir",
                type=click.Path(path_type=Path, file_okay=False),
                envvar=DEPLOYMENTS_DIR_ENV,
                help="Directory of the deployment files [default: ./deployments in a checkout or "
                "a directory that has one, else deployments/ in the user's data directory "
                "(~/.local/share/gpumarket)].",
            ),
            click.option(
                "--deployment",
                type=click.Path(path_type=Path, dir_okay=False),
                envvar="GPUMARKET_DEPLOYMENT",
                help="Deployment file to use instead of NETWORK.json in the deployments directory.",
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
            options.append(
                click.option(
                    "--yes",
                    "-y",
                    "yes",
                    is_flag=True,
                    envvar="GPUMARKET_YES",
                    help="Send without asking for confirmation (asked on every chain that is "
                    "not a dev chain, before each transaction).",
                )
            )
        for option in reversed(options):
            command = option(command)
        return click.command(name, cls=NumbersAsValues)(command)

    return decorate


def run_guarded(action: Callable[[], T], session: Session | None = None) -> T:
    """Run a command body, turning the failures a user can cause into one sentence each."""
    from gpumarket.chain.client import ChainError, RpcUnavailable

    try:
        return action()
    except CliError:
        raise
    except RpcUnavailable as exc:
        url = session.rpc_url if session else "the RPC endpoint"
        raise CliError(
            f"cannot reach the RPC endpoint {url}; is the node running? ({exc})",
            code="rpc_unavailable",
        ) from None
    except DeploymentError as exc:
        raise CliError(str(exc), code="deployment") from None
    except ValueError as exc:
        raise CliError(str(exc), code="bad_input") from None
    except ChainError as exc:
        raise CliError(str(exc), code="chain_error") from None


# ------------------------------------------------------------------ Brownie's network config


def brownie_network(network: str, config: Path | None = None) -> dict[str, Any] | None:
    """`network`'s entry in Brownie's network-config.yaml, or None."""
    path = config or Path.home() / ".brownie" / "network-config.yaml"
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]

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
