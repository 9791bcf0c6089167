"""Deploying and wiring the gpumarket contracts with Brownie.

One function serves the tests, `scripts/deploy.py`, the CLI and the demo, so every deployment is
wired the same way: roles granted to the market, windows source set, tokens allowlisted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpumarket.chain.deployment import Deployment

#: Delay of a DEFAULT_ADMIN transfer (AccessControlDefaultAdminRules), in seconds.
ADMIN_DELAY = 2 * 24 * 3600
#: Fixed GMKT supply, in 18-decimal units (100 million tokens).
TOKEN_SUPPLY = 100_000_000 * 10**18
#: Minimum dispute bond in GMKT units.
GMKT_DISPUTE_BOND_MIN = 10 * 10**18
#: Least value of a job in GMKT units that counts toward its provider's reputation score
#: (`Reputation.minCreditedValue`): each credited job costs a self-dealing provider at least the
#: protocol fee on it (0.5 GMKT at 5%).
GMKT_MIN_CREDITED_VALUE = 10 * 10**18
#: JobMarket's linked libraries (governance; disputes and failures), deployed before it.
MARKET_LIBRARIES = ("MarketGovernance", "MarketDisputes")


def link_bytecode(bytecode: str, libraries: dict[str, str]) -> str:
    """`bytecode` (hex, as in Brownie's build) with each linked library's placeholder replaced
    by its address; a placeholder left unlinked is an error."""
    for name, address in libraries.items():
        placeholder = f"__{name}".ljust(40, "_")
        bytecode = bytecode.replace(placeholder, address[2:].lower())
    if "__" in bytecode:
        start = bytecode.index("__")
        raise ValueError(f"bytecode has an unlinked library: {bytecode[start : start + 40]}")
    return bytecode


@dataclass(frozen=True)
class Protocol:
    """The deployed contracts (Brownie `ProjectContract` objects)."""

    token: Any
    reputation: Any
    registry: Any
    market: Any
    benchmark: Any
    council: Any

    def addresses(self) -> dict[str, str]:
        return {
            "MarketToken": self.token.address,
            "Reputation": self.reputation.address,
            "ProviderRegistry": self.registry.address,
            "JobMarket": self.market.address,
            "BenchmarkRegistry": self.benchmark.address,
            "OracleCouncil": self.council.address,
        }

    def record(self, network: str, deploy_block: int, path: Path) -> Deployment:
        """Write `path` (deployments/<network>.json) for this deployment on the connected chain."""
        from brownie import chain

        deployment = Deployment(network, chain.id, deploy_block, self.addresses())
        deployment.save(path)
        return deployment


def _containers() -> Any:
    from brownie import project

    loaded = project.get_loaded_projects()
    if not loaded:
        raise RuntimeError("no Brownie project is loaded: run from the repository with brownie")
    return loaded[0]


def deploy_protocol(
    admin: Any,
    treasury: str,
    *,
    arbiter: str | None = None,
    verifier: str | None = None,
    oracles: list[str] | None = None,
    quorum: int | None = None,
    admin_delay: int = ADMIN_DELAY,
    supply: int = TOKEN_SUPPLY,
    token_holder: str | None = None,
    silent: bool = False,
) -> Protocol:
    """Deploy MarketToken, Reputation, ProviderRegistry, JobMarket, BenchmarkRegistry and
    OracleCouncil from `admin`, and wire them.

    GMKT is allowlisted as a payment token, and its jobs of at least `GMKT_MIN_CREDITED_VALUE`
    count toward reputation. `arbiter` gets ARBITER_ROLE when given. The council is
    the verdict source of the market and the benchmark registry, unless `verifier` names another
    address (unit tests use a plain account). `oracles` become the council's members with
    `quorum` (default: a simple majority). `silent` hides Brownie's deployment lines.
    """
    c = _containers()
    tx = {"from": admin}
    token = c.MarketToken.deploy(token_holder or admin, supply, tx, silent=silent)
    reputation = c.Reputation.deploy(admin_delay, admin, tx, silent=silent)
    registry = c.ProviderRegistry.deploy(token, admin_delay, admin, tx, silent=silent)
    # Brownie links JobMarket to the latest deployment of each library.
    for library in MARKET_LIBRARIES:
        getattr(c, library).deploy(tx, silent=silent)
    market = c.JobMarket.deploy(
        registry, reputation, treasury, admin_delay, admin, tx, silent=silent
    )
    benchmark = c.BenchmarkRegistry.deploy(
        registry, reputation, treasury, admin_delay, admin, tx, silent=silent
    )

    council = c.OracleCouncil.deploy(market, benchmark, admin_delay, admin, tx, silent=silent)

    registry.grantRole(registry.MARKET_ROLE(), market, tx)
    registry.grantRole(registry.SLASHER_ROLE(), market, tx)
    registry.setMarketWindows(market, tx)
    reputation.grantRole(reputation.WRITER_ROLE(), market, tx)
    # The benchmark registry locks and slashes attestations' bonds, records verified TOPS, and
    # opens challenges for the market; the market hears of frauds on jobs from it.
    registry.grantRole(registry.MARKET_ROLE(), benchmark, tx)
    registry.grantRole(registry.SLASHER_ROLE(), benchmark, tx)
    reputation.grantRole(reputation.WRITER_ROLE(), benchmark, tx)
    benchmark.grantRole(benchmark.OPENER_ROLE(), market, tx)
    benchmark.setAddress(name32("market"), market, tx)
    market.setAddress(name32("benchmarkRegistry"), benchmark, tx)
    market.configureToken(token, True, GMKT_DISPUTE_BOND_MIN, tx)
    reputation.setMinCreditedValue(token, GMKT_MIN_CREDITED_VALUE, tx)
    if arbiter is not None:
        market.grantRole(market.ARBITER_ROLE(), arbiter, tx)
    verdict_source = verifier if verifier is not None else council
    market.setAddress(name32("verifier"), verdict_source, tx)
    benchmark.setAddress(name32("verifier"), verdict_source, tx)
    if oracles:
        council.setConfig(oracles, quorum or majority(len(oracles)), tx)
    return Protocol(
        token=token,
        reputation=reputation,
        registry=registry,
        market=market,
        benchmark=benchmark,
        council=council,
    )


def majority(members: int) -> int:
    """The smallest quorum the council accepts for `members` members: more than half."""
    return members // 2 + 1


def name32(name: str) -> bytes:
    """A parameter or address name as the contracts' bytes32 key (`"protocolFeeBps"`)."""
    raw = name.encode()
    if len(raw) > 32:
        raise ValueError(f"name longer than 32 bytes: {name!r}")
    return raw.ljust(32, b"\0")
