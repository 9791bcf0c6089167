"""The `gpumarket` command line."""

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from gpumarket import __version__
from gpumarket.cli.lazy import Lazy, LazyGroup

#: Every subcommand, imported only when it runs (cli/lazy.py), with its one-line summary.
COMMANDS = {
    "admin": Lazy(
        "gpumarket.cli.admin:admin",
        "Governance: pause and unpause, allowlist payment tokens, set parameters.",
    ),
    "agent": Lazy(
        "gpumarket.cli.agent:agent",
        "The provider agent: runs won jobs and benchmarks, serves reveals and results.",
    ),
    "arbiter": Lazy("gpumarket.cli.arbiter:arbiter", "Arbiters: resolve disputed jobs."),
    "bench": Lazy(
        "gpumarket.cli.bench:bench",
        "Prove and verify a PoGEMM benchmark here, and report what it measured.",
    ),
    "buyer": Lazy(
        "gpumarket.cli.buyer:buyer",
        "Buyers: post GPU jobs with escrowed payment, pick providers, settle or dispute.",
    ),
    "deploy": Lazy(
        "gpumarket.cli.deploy:deploy",
        "Deploy MarketToken, Reputation, ProviderRegistry, JobMarket, BenchmarkRegistry and "
        "OracleCouncil from --account, wire them, and record them in deployments/NETWORK.json.",
    ),
    "dev": Lazy("gpumarket.cli.dev:dev", "Dev chains only: fund accounts, move time."),
    "market": Lazy(
        "gpumarket.cli.market:market",
        "Offers of listed providers, and jobs open for bids or acceptance with their bidding "
        "end, bid count and benchmark.",
    ),
    "oracle": Lazy(
        "gpumarket.cli.oracle:oracle",
        "Run an oracle: verify PoGEMM proofs and job results, vote in the OracleCouncil.",
    ),
    "provider": Lazy(
        "gpumarket.cli.provider:provider",
        "Providers: stake, advertise GPUs and prices, bid for jobs, submit results, follow them.",
    ),
    "token": Lazy(
        "gpumarket.cli.token:token",
        "Tokens: balances, transfers and allowances of GMKT and the payment tokens.",
    ),
}


class JsonErrors(LazyGroup):
    """Under --json a failure is JSON too: `{"error": sentence, "code": kind}` on stdout, one
    object like a success's, with the same nonzero exit code (1, or 2 for a usage error)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if "--json" not in argv or not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            return super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            code = getattr(exc, "code", "usage" if isinstance(exc, click.UsageError) else "error")
            _print_error(exc.format_message(), code)
            sys.exit(exc.exit_code)
        except click.Abort:
            _print_error("aborted", "aborted")
            sys.exit(1)


def _print_error(message: str, code: str) -> None:
    click.echo(json.dumps({"error": message, "code": code}, indent=2))


@click.group(cls=JsonErrors, lazy=COMMANDS)
@click.version_option(__version__, prog_name="gpumarket")
def main() -> None:
    """gpumarket: a GPU compute market with on-chain escrow, staking and slashing."""


if __name__ == "__main__":
    main()
