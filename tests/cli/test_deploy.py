"""`gpumarket deploy` on the test chain: a deployment wired like `deploy_protocol`'s, recorded in a
deployment file that the other commands then use."""

from __future__ import annotations

import json

from brownie import (
    BenchmarkRegistry,
    JobMarket,
    MarketToken,
    MockERC20,
    OracleCouncil,
    ProviderRegistry,
    Reputation,
    accounts,
    chain,
    web3,
)

from gpumarket.chain.deploy import GMKT_DISPUTE_BOND_MIN, GMKT_MIN_CREDITED_VALUE, TOKEN_SUPPLY
from gpumarket.testing.values import plain

from .conftest import GMKT


def test_deploy_writes_a_working_deployment_wired_like_deploy_protocol(cli, tmp_path, rpc_url):
    path = tmp_path / "deployments" / "development.json"
    treasury, arbiter = accounts[1], accounts[2]
    oracles = [a.address for a in accounts[10:13]]
    first_block = chain.height + 1

    result = cli(
        "deploy",
        "--deployment",
        path,
        "--account",
        "dev0",
        "--treasury",
        treasury.address,
        "--arbiter",
        arbiter.address,
        "--oracle",
        oracles[0],
        "--oracle",
        oracles[1],
        "--oracle",
        oracles[2],
        "--quorum",
        "2",
        "--json",
    )

    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    recorded = json.loads(path.read_text())
    assert recorded == {
        "network": "development",
        "chainId": chain.id,
        "deployBlock": first_block,
        "contracts": out["contracts"],
    }
    assert (out["chain_id"], out["deploy_block"], out["deployment"]) == (
        chain.id,
        first_block,
        str(path),
    )
    assert [t["step"] for t in out["transactions"][:8]] == [
        f"deploy {name}"
        for name in (
            "MarketToken",
            "Reputation",
            "ProviderRegistry",
            "MarketGovernance",
            "MarketDisputes",
            "JobMarket",
            "BenchmarkRegistry",
            "OracleCouncil",
        )
    ]
    c = out["contracts"]
    token = MarketToken.at(c["MarketToken"])
    registry = ProviderRegistry.at(c["ProviderRegistry"])
    reputation = Reputation.at(c["Reputation"])
    market = JobMarket.at(c["JobMarket"])
    benchmark = BenchmarkRegistry.at(c["BenchmarkRegistry"])
    council = OracleCouncil.at(c["OracleCouncil"])
    assert token.balanceOf(accounts[0]) == TOKEN_SUPPLY
    assert registry.stakingToken() == token
    assert registry.hasRole(registry.MARKET_ROLE(), market)
    assert registry.hasRole(registry.SLASHER_ROLE(), market)
    assert registry.hasRole(registry.SLASHER_ROLE(), benchmark)
    assert registry.marketWindows() == market
    assert reputation.hasRole(reputation.WRITER_ROLE(), market)
    assert reputation.hasRole(reputation.WRITER_ROLE(), benchmark)
    assert benchmark.hasRole(benchmark.OPENER_ROLE(), market)
    assert benchmark.market() == market
    assert market.benchmarkRegistry() == benchmark
    assert plain(market.tokenConfig(token)) == (True, GMKT_DISPUTE_BOND_MIN)
    assert reputation.minCreditedValue(token) == GMKT_MIN_CREDITED_VALUE
    assert market.hasRole(market.ARBITER_ROLE(), arbiter)
    assert market.treasury() == treasury
    assert market.verifier() == council
    assert benchmark.verifier() == council
    assert (list(council.members()), council.quorum()) == (oracles, 2)
    stablecoin = MockERC20.at(c["TestStablecoin"])
    assert (stablecoin.symbol(), stablecoin.decimals()) == ("USDC", 6)
    assert plain(market.tokenConfig(stablecoin)) == (True, 10 * 10**6)
    assert reputation.minCreditedValue(stablecoin) == 10 * 10**6
    assert [t["step"] for t in out["transactions"][-2:]] == [
        "market: allowlist the test stablecoin (USDC)",
        "reputation: test stablecoin jobs of 10 USDC or more count toward a score",
    ]

    staked = cli("provider", "stake", "1000", "--deployment", path, "--account", "dev0", "--json")

    assert staked.exit_code == 0, staked.output
    assert registry.providerInfo(accounts[0])["stake"] == 1_000 * GMKT


def test_deploy_takes_account_names_for_addresses_and_can_skip_the_stablecoin(cli_json, tmp_path):
    out = cli_json(
        "deploy", "--deployment", tmp_path / "d.json", "--account", "dev0", "--arbiter", "dev2",
        "--oracle", "dev10", "--oracle", "dev11", "--no-test-stablecoin",
    )  # fmt: skip

    market = JobMarket.at(out["contracts"]["JobMarket"])
    council = OracleCouncil.at(out["contracts"]["OracleCouncil"])
    assert market.hasRole(market.ARBITER_ROLE(), accounts[2])
    assert list(council.members()) == [accounts[10], accounts[11]]
    assert "TestStablecoin" not in out["contracts"]


def test_deploy_refuses_to_replace_a_live_deployment(cli, unchanged, deployment_file):
    with unchanged(accounts[0]):
        result = cli("deploy", "--deployment", deployment_file, "--account", "dev0")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {deployment_file} already records a deployment on chain {chain.id} whose "
        "contracts exist; pass --force to replace it\n"
    )


def test_deploy_refuses_a_quorum_that_is_not_a_majority(cli, unchanged, tmp_path):
    with unchanged(accounts[0]):
        result = cli(
            "deploy",
            "--deployment",
            tmp_path / "d.json",
            "--account",
            "dev0",
            "--oracle",
            accounts[10].address,
            "--oracle",
            accounts[11].address,
            "--oracle",
            accounts[12].address,
            "--oracle",
            accounts[13].address,
            "--quorum",
            "2",
        )

    assert result.exit_code == 1
    assert result.stderr == "Error: quorum 2 of 4 oracles must be more than half and at most all\n"
    assert not (tmp_path / "d.json").exists()


def test_deploy_without_oracles_uses_the_council_with_no_members(cli_json, tmp_path):
    path = tmp_path / "d.json"

    out = cli_json("deploy", "--deployment", path, "--account", "dev3")

    council = OracleCouncil.at(out["contracts"]["OracleCouncil"])
    market = JobMarket.at(out["contracts"]["JobMarket"])
    assert list(council.members()) == []
    assert market.verifier() == council
    assert market.treasury() == accounts[3]
    assert web3.eth.get_code(out["contracts"]["MarketToken"]) != b""


def test_deploy_refuses_a_node_on_another_chain_than_brownies_config_says(
    cli, unchanged, tmp_path, rpc_url
):
    home = tmp_path / "home"
    (home / ".brownie").mkdir(parents=True)
    (home / ".brownie" / "network-config.yaml").write_text(
        "live:\n- name: Test\n  networks:\n  - id: sepolia-gm\n    host: "
        f"{rpc_url}\n    chainid: 11155111\n"
    )
    with unchanged(accounts[0]):
        result = cli(
            "deploy",
            "--network",
            "sepolia-gm",
            "--deployment",
            tmp_path / "d.json",
            "--account",
            "dev0",
            env={"HOME": str(home), "GPUMARKET_RPC_URL": None},
        )

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: wrong network: {rpc_url} serves chain {chain.id}, but Brownie's config says "
        "sepolia-gm is chain 11155111; nothing was deployed\n"
    )
    assert not (tmp_path / "d.json").exists()
