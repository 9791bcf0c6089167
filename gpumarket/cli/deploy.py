"""`gpumarket deploy`: deploy and wire the protocol with web3, and write deployments/<network>.json.

It mirrors `gpumarket.chain.deploy.deploy_protocol` (the Brownie path of the tests, the demo and
`scripts/deploy.py`) step for step: the same contracts in the same order, the same roles, windows
source, addresses and token allowlist, so both paths give the same protocol. The bytecode and ABIs
come from Brownie's build (`build/contracts/*.json`), or outside a checkout from the copies the
package ships (chain/artifacts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gpumarket.chain.artifacts import abi_dir
from gpumarket.chain.deploy import (
    ADMIN_DELAY,
    GMKT_DISPUTE_BOND_MIN,
    GMKT_MIN_CREDITED_VALUE,
    MARKET_LIBRARIES,
    link_bytecode,
    majority,
    name32,
)
from gpumarket.chain.deployment import CONTRACT_NAMES, Deployment, DeploymentError
from gpumarket.cli.abi import slim_abi_dir
from gpumarket.cli.errors import CliError
from gpumarket.cli.options import brownie_chain_id, chain_command
from gpumarket.cli.units import format_amount, parse_amount

if TYPE_CHECKING:
    from web3.contract.contract import ContractFunctions
    from web3.types import TxReceipt

    from gpumarket.chain.client import ChainClient
    from gpumarket.cli.session import Session

#: Members the council accepts (OracleCouncil: N <= 31).
MAX_ORACLES = 31
TOKEN_SUPPLY_TOKENS = "100000000"  # noqa: S105 - a token count, not a secret
#: On dev chains deploy also deploys and allowlists a 6-decimal stablecoin that anyone may mint
#: (contracts/test/MockERC20.sol), recorded under this name, so the walkthrough can pay in it.
TEST_STABLECOIN = "TestStablecoin"
TEST_STABLECOIN_ARGS = ("Test USD Coin", "USDC", 6)
#: Its minimum dispute bond: 10 units, like GMKT's.
TEST_STABLECOIN_BOND_MIN = 10 * 10**6
#: The least value of its jobs that counts toward reputation (`minCreditedValue`): 10 units too.
TEST_STABLECOIN_CREDIT_MIN = 10 * 10**6


def _address(session: Session, text: str | None, what: str) -> str | None:
    return None if text is None else session.address(text, what)


def _artifact(name: str) -> dict[str, Any]:
    path = abi_dir() / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise DeploymentError(
            f"no compiled contract {path}: run `make compile` in the repository first"
        ) from None
    return {"abi": data["abi"], "bytecode": data["bytecode"]}


@chain_command("deploy", sends=True)
@click.option("--treasury", help="Receives fees and slashed shares [default: the deployer].")
@click.option("--arbiter", help="Gets ARBITER_ROLE (resolves disputes).")
@click.option("--verifier", help="Verdict source instead of the OracleCouncil.")
@click.option(
    "--oracle",
    "oracles",
    multiple=True,
    help="A council member (an address, or an account name such as dev10); repeat for each.",
)
@click.option("--quorum", type=int, help="Council quorum [default: a simple majority].")
@click.option("--token-holder", help="Receives the GMKT supply [default: the deployer].")
@click.option("--supply", default=TOKEN_SUPPLY_TOKENS, show_default=True, help="GMKT minted.")
@click.option(
    "--admin-delay",
    type=click.IntRange(0, 2**48 - 1),
    default=ADMIN_DELAY,
    show_default=True,
    help="Seconds a DEFAULT_ADMIN transfer waits.",
)
@click.option("--force", is_flag=True, help="Replace a deployment file whose contracts exist.")
@click.option(
    "--no-test-stablecoin",
    is_flag=True,
    help="On a dev chain, skip the 6-decimal test stablecoin (USDC) deployed beside GMKT.",
)
def deploy(
    session: Session,
    treasury: str | None,
    arbiter: str | None,
    verifier: str | None,
    oracles: tuple[str, ...],
    quorum: int | None,
    token_holder: str | None,
    supply: str,
    admin_delay: int,
    force: bool,
    no_test_stablecoin: bool,
) -> None:
    """Deploy MarketToken, Reputation, ProviderRegistry, JobMarket, BenchmarkRegistry and
    OracleCouncil from --account, wire them, and record them in deployments/NETWORK.json.

    On a dev chain it also deploys and allowlists a 6-decimal test stablecoin (USDC) that
    `gpumarket dev fund` mints."""
    from eth_utils.address import to_checksum_address

    from gpumarket.chain.client import ChainClient
    from gpumarket.cli.session import CLI_RETRY

    if len(oracles) > MAX_ORACLES:
        raise CliError(
            f"the council takes at most {MAX_ORACLES} oracles; {len(oracles)} given",
            code="bad_input",
        )
    supply_units = parse_amount(supply, 18, "GMKT", what="supply")

    bare = _bare_client(session)
    session.use_client(bare)
    members = [session.address(o, "oracle") for o in oracles]
    if len(set(members)) != len(members):
        raise CliError("an oracle is named twice", code="bad_input")
    if quorum is not None and not members:
        raise CliError("--quorum needs the council's members (--oracle)", code="bad_input")
    if members:
        quorum = majority(len(members)) if quorum is None else quorum
        if not len(members) // 2 < quorum <= len(members):
            raise CliError(
                f"quorum {quorum} of {len(members)} oracles must be more than half and at most all",
                code="bad_input",
            )
    arbiter_address = _address(session, arbiter, "arbiter")
    verifier_address = _address(session, verifier, "verifier")
    treasury_address = _address(session, treasury, "treasury")
    holder = _address(session, token_holder, "token holder")
    _refuse_overwrite(session, bare, force)
    session.confirm_all("deploy the protocol (its contracts, then the wiring)")
    admin = session.sender.address
    treasury_address = treasury_address or admin
    holder = holder or admin
    stablecoin = session.dev_chain and not no_test_stablecoin

    addresses: dict[str, str] = {}

    libraries: dict[str, str] = {}

    def create(name: str, *args: Any) -> TxReceipt:
        artifact = _artifact(name)
        bytecode = link_bytecode(artifact["bytecode"], libraries)
        factory = bare.w3.eth.contract(abi=artifact["abi"], bytecode=bytecode)
        constructor = factory.constructor(*args)
        # ChainClient.transact (pre-flight, sign, send, receipt) names what it sends by fn_name.
        constructor.fn_name = f"deploy {name}"  # type: ignore[attr-defined]
        receipt = session.send(constructor, f"deploy {name}", confirm=False)
        created = receipt["contractAddress"]
        if created is None:
            raise CliError(f"deploy {name}: the receipt names no contract address")
        addresses[name] = to_checksum_address(created)
        return receipt

    first = create("MarketToken", holder, supply_units)
    create("Reputation", admin_delay, admin)
    create("ProviderRegistry", addresses["MarketToken"], admin_delay, admin)
    for library in MARKET_LIBRARIES:
        create(library)
        libraries[library] = addresses.pop(library)
    create(
        "JobMarket",
        addresses["ProviderRegistry"],
        addresses["Reputation"],
        treasury_address,
        admin_delay,
        admin,
    )
    create(
        "BenchmarkRegistry",
        addresses["ProviderRegistry"],
        addresses["Reputation"],
        treasury_address,
        admin_delay,
        admin,
    )
    create(
        "OracleCouncil", addresses["JobMarket"], addresses["BenchmarkRegistry"], admin_delay, admin
    )
    recorded = {name: addresses[name] for name in CONTRACT_NAMES}
    if stablecoin:
        create("MockERC20", *TEST_STABLECOIN_ARGS)
        recorded[TEST_STABLECOIN] = addresses.pop("MockERC20")

    deployment = Deployment(
        network=session.options.network,
        chain_id=bare.deployment.chain_id,
        deploy_block=int(first["blockNumber"]),
        addresses=recorded,
    )
    client = ChainClient(
        session.rpc_url, deployment, session.sender, abi_dir=slim_abi_dir(), retry=CLI_RETRY
    )
    session.use_client(client)
    _wire(
        session,
        client,
        treasury_address,
        arbiter_address,
        verifier_address,
        members,
        quorum,
        recorded.get(TEST_STABLECOIN),
    )
    path = session.deployment_file
    deployment.save(path)
    session.result(
        {
            "network": deployment.network,
            "chain_id": deployment.chain_id,
            "deploy_block": deployment.deploy_block,
            "deployment": str(path),
            "contracts": deployment.addresses,
            "admin": admin,
            "treasury": treasury_address,
            "supply": format_amount(supply_units, 18),
        },
        lambda: click.echo(
            f"deployed on chain {deployment.chain_id} from block {deployment.deploy_block}; "
            f"wrote {path}"
        ),
    )


def _wire(
    session: Session,
    client: ChainClient,
    treasury: str,
    arbiter: str | None,
    verifier: str | None,
    oracles: list[str],
    quorum: int | None,
    stablecoin: str | None = None,
) -> None:
    """The role grants and settings of `deploy_protocol`, in its order (then, on a dev chain,
    the test stablecoin's allowlisting)."""
    registry = client["ProviderRegistry"].functions
    reputation = client["Reputation"].functions
    market = client["JobMarket"].functions
    benchmark = client["BenchmarkRegistry"].functions
    council = client["OracleCouncil"]
    market_address = client["JobMarket"].address
    benchmark_address = client["BenchmarkRegistry"].address

    def role(functions: ContractFunctions, name: str) -> bytes:
        return bytes(client.call(getattr(functions, name)()))

    steps = [
        (
            registry.grantRole(role(registry, "MARKET_ROLE"), market_address),
            "registry: MARKET_ROLE to the market",
        ),
        (
            registry.grantRole(role(registry, "SLASHER_ROLE"), market_address),
            "registry: SLASHER_ROLE to the market",
        ),
        (registry.setMarketWindows(market_address), "registry: market windows"),
        (
            reputation.grantRole(role(reputation, "WRITER_ROLE"), market_address),
            "reputation: WRITER_ROLE to the market",
        ),
        (
            registry.grantRole(role(registry, "MARKET_ROLE"), benchmark_address),
            "registry: MARKET_ROLE to the benchmark registry (attestation bonds)",
        ),
        (
            registry.grantRole(role(registry, "SLASHER_ROLE"), benchmark_address),
            "registry: SLASHER_ROLE to the benchmark registry",
        ),
        (
            reputation.grantRole(role(reputation, "WRITER_ROLE"), benchmark_address),
            "reputation: WRITER_ROLE to the benchmark registry",
        ),
        (
            benchmark.grantRole(role(benchmark, "OPENER_ROLE"), market_address),
            "benchmark registry: OPENER_ROLE to the market",
        ),
        (benchmark.setAddress(name32("market"), market_address), "benchmark registry: market"),
        (
            market.setAddress(name32("benchmarkRegistry"), benchmark_address),
            "market: benchmark registry",
        ),
        (
            market.configureToken(client["MarketToken"].address, True, GMKT_DISPUTE_BOND_MIN),
            "market: allowlist GMKT",
        ),
        (
            reputation.setMinCreditedValue(client["MarketToken"].address, GMKT_MIN_CREDITED_VALUE),
            "reputation: GMKT jobs of 10 GMKT or more count toward a score",
        ),
    ]
    if arbiter is not None:
        steps.append(
            (market.grantRole(role(market, "ARBITER_ROLE"), arbiter), "market: ARBITER_ROLE")
        )
    source = verifier if verifier is not None else council.address
    steps.append((market.setAddress(name32("verifier"), source), "market: verifier"))
    steps.append((benchmark.setAddress(name32("verifier"), source), "benchmark registry: verifier"))
    if oracles:
        steps.append(
            (
                council.functions.setConfig(oracles, quorum),
                f"council: {len(oracles)} oracles, quorum {quorum}",
            )
        )
    if stablecoin is not None:
        steps.append(
            (
                market.configureToken(stablecoin, True, TEST_STABLECOIN_BOND_MIN),
                "market: allowlist the test stablecoin (USDC)",
            )
        )
        steps.append(
            (
                reputation.setMinCreditedValue(stablecoin, TEST_STABLECOIN_CREDIT_MIN),
                "reputation: test stablecoin jobs of 10 USDC or more count toward a score",
            )
        )
    # One wait at the end: a later transaction cannot outlive an earlier one in a reorg (nonces).
    receipts = [session.send(call, step, confirm=False) for call, step in steps]
    session.confirm(receipts[-1], "deploy")


def _bare_client(session: Session) -> ChainClient:
    """A client with no contracts yet, for the chain the node serves."""
    from gpumarket.chain.client import ChainClient
    from gpumarket.cli.session import CLI_RETRY

    probe = ChainClient(
        session.rpc_url, Deployment(session.options.network, 0, 0, {}), retry=CLI_RETRY
    )
    chain_id = probe.rpc("eth_chainId", lambda: probe.w3.eth.chain_id)
    expected = brownie_chain_id(session.options.network)
    if expected is not None and expected != chain_id:
        raise CliError(
            f"wrong network: {session.rpc_url} serves chain {chain_id}, but Brownie's config says "
            f"{session.options.network} is chain {expected}; nothing was deployed",
            code="wrong_network",
        )
    return ChainClient(
        session.rpc_url,
        Deployment(session.options.network, chain_id, 0, {}),
        retry=CLI_RETRY,
    )


def _refuse_overwrite(session: Session, client: ChainClient, force: bool) -> None:
    """Keep a deployment file whose contracts still exist on this chain, unless --force."""
    from eth_utils.address import to_checksum_address

    path: Path = session.deployment_file
    if force or not path.exists():
        return
    try:
        existing = Deployment.load(path)
    except DeploymentError:
        return
    if existing.chain_id != client.deployment.chain_id or "MarketToken" not in existing.addresses:
        return
    token = existing.addresses["MarketToken"]
    code = client.rpc("eth_getCode", lambda: client.w3.eth.get_code(to_checksum_address(token)))
    if code:
        raise CliError(
            f"{path} already records a deployment on chain {existing.chain_id} whose contracts "
            "exist; pass --force to replace it",
            code="deployment",
        )
