"""The live path: a separate anvil, registered as a non-development Brownie network, driven only
through the `gpumarket` CLI with Brownie keystore accounts, from `deploy` to one settled job.

The commands run as a user runs them: separate processes in their own working directory (so
deployments/<network>.json lands there), with HOME pointing at a temporary home whose ~/.brownie
holds the network config and the keystores. No --rpc-url and no GPUMARKET_RPC_URL: the CLI finds
the node through Brownie's network config. Keystores are unlocked with GPUMARKET_ACCOUNT_PASSWORD.
The chain id is Sepolia's, so dev accounts are refused and every sending command waits for
confirmations (2 unless --confirmations says otherwise).

The test itself does only what no command is for: it funds the accounts (ETH from an anvil key;
GMKT from the deployer, as the CLI has no transfer command) and moves the clock past the 24-hour
dispute window (evm_increaseTime), which on a real network would just be waiting.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from eth_account import Account
from web3 import Web3

from gpumarket.agent.settings import AgentSettings
from gpumarket.chain.client import DEFAULT_ABI_DIR
from gpumarket.chain.launcher import free_port
from gpumarket.cli.accounts import DEV_MNEMONIC
from gpumarket.cli.options import brownie_rpc_url
from gpumarket.cli.units import format_time
from gpumarket.runtime.supervisor import REPO, Service, agent_service, wait_until

ANVIL = REPO / "node_modules" / ".bin" / "anvil"
BROWNIE = Path(sys.executable).with_name("brownie")
NETWORK = "gpumarket-live"
#: Sepolia's chain id: not a dev chain (31337, 1337), so the CLI treats it as a live network.
CHAIN_ID = 11_155_111
#: What the CLI waits for on a chain that is not a dev chain when --confirmations is not given.
DEFAULT_CONFIRMATIONS = 2
PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway test keystore's
GMKT = 10**18
ETH = 10**18
SUPPLY = 100_000_000 * GMKT
PROVIDER_GMKT = 2_500 * GMKT
BUYER_GMKT = 100 * GMKT
#: A direct job: 2 GPUs for 30 minutes at 2.5 GMKT per GPU-hour, so 2.5 GMKT escrowed; the
#: market's default fee is 5% (0.125 GMKT) and the collateral 10 GMKT per GPU-hour (10 GMKT).
DEPOSIT = 25 * GMKT // 10
FEE = DEPOSIT * 500 // 10_000
COLLATERAL = 10 * GMKT
DISPUTE_WINDOW = 24 * 3600
CONTRACTS = (
    "MarketToken",
    "Reputation",
    "ProviderRegistry",
    "JobMarket",
    "BenchmarkRegistry",
    "OracleCouncil",
)
#: Deployed before JobMarket, which links them; not recorded in the deployment file.
MARKET_LIBRARIES = ("MarketGovernance", "MarketDisputes")
ERC20_ABI = [
    {
        "name": name,
        "type": "function",
        "stateMutability": mutability,
        "inputs": [{"name": f"a{i}", "type": t} for i, t in enumerate(inputs)],
        "outputs": [{"name": "", "type": out}],
    }
    for name, mutability, inputs, out in (
        ("balanceOf", "view", ["address"], "uint256"),
        ("transfer", "nonpayable", ["address", "uint256"], "bool"),
    )
]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def gmkt(raw: int) -> str:
    """An amount as the CLI's JSON writes it: a plain decimal string of GMKT."""
    return f"{raw // GMKT}.{raw % GMKT:018d}".rstrip("0").rstrip(".")


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a user whose home is `home`: none of ours or the launcher's GPUMARKET_*
    settings, so the RPC URL, the keystores and the deployment come from the defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPUMARKET_")}
    env["HOME"] = str(home)
    return env


def send_all(w3: Web3, account: Any, txs: list[dict[str, Any]]) -> None:
    """Test set-up: sign `txs` from `account` with consecutive nonces, then wait for them all."""
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    hashes = []
    for offset, tx in enumerate(txs):
        tx = {
            "from": account.address,
            "nonce": nonce + offset,
            "gasPrice": w3.eth.gas_price,
            "chainId": CHAIN_ID,
            **tx,
        }
        tx.setdefault("gas", 100_000)
        hashes.append(w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))
    for tx_hash in hashes:
        assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1


# ------------------------------------------------------------------ the chain and Brownie


@pytest.fixture
def home(tmp_path):
    """A user's home: Brownie keeps its network config and keystores in ~/.brownie."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def anvil(tmp_path):
    """(url, web3) of an anvil of our own: a free port, a live chain id, a block a second.
    Stopped at the end whatever happens; it never touches the chain Brownie runs the suite on."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "anvil.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - the repository's anvil
            [
                str(ANVIL),
                "--port",
                str(port),
                "--chain-id",
                str(CHAIN_ID),
                "--block-time",
                "1",
                "--mnemonic",
                DEV_MNEMONIC,
                "--accounts",
                "1",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 10}))

        def up() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"anvil exited: {log_path.read_text()}")
            try:
                return w3.eth.chain_id == CHAIN_ID
            except OSError:
                return False

        wait_until(up, 30, "anvil to answer", poll=0.1)
        yield url, w3
    finally:
        # The group: node_modules/.bin/anvil is a node wrapper around the anvil binary.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture
def brownie(home, tmp_path):
    """brownie(*args) -> CompletedProcess: the Brownie CLI of the user whose home is `home`
    (its data folder is ~/.brownie, so the real one is never touched)."""
    cwd = tmp_path / "brownie-cwd"  # no brownie-config.yaml here: no project is loaded
    cwd.mkdir()

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - Brownie of this environment
            [str(BROWNIE), *args],
            cwd=cwd,
            env=clean_env(home),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    return _run


@pytest.fixture
def live_network(anvil, brownie, home):
    """The anvil, registered with `brownie networks add` as a live (non-development) network."""
    url, w3 = anvil

    brownie("networks", "add", "Live anvil", NETWORK, f"host={url}", f"chainid={CHAIN_ID}")

    config_path = home / ".brownie" / "network-config.yaml"
    config = yaml.safe_load(config_path.read_text())
    assert NETWORK not in [n["id"] for n in config["development"]]
    (entry,) = [n for group in config["live"] for n in group["networks"] if n["id"] == NETWORK]
    assert entry == {"id": NETWORK, "name": NETWORK, "host": url, "chainid": CHAIN_ID}
    # What the CLI will resolve `--network gpumarket-live` to.
    assert brownie_rpc_url(NETWORK, config_path) == url
    return url, w3


@pytest.fixture
def keystores(live_network, brownie, home):
    """deployer, provider, buyer: fresh accounts in Brownie keystores (~/.brownie/accounts, scrypt,
    as `brownie accounts new` writes them), each funded with 10 ETH from an anvil account."""
    _, w3 = live_network
    folder = home / ".brownie" / "accounts"
    made = {}
    for name in ("deployer", "provider", "buyer"):
        account = Account.create()
        encrypted = Account.encrypt(account.key, PASSWORD)
        encrypted["address"] = encrypted["address"].lower()
        (folder / f"{name}.json").write_text(json.dumps(encrypted))
        made[name] = account

    listed = ANSI.sub("", brownie("accounts", "list").stdout)

    assert "Found 3 accounts:" in listed
    for name, account in made.items():
        assert f"{name}: {account.address}" in listed
    Account.enable_unaudited_hdwallet_features()
    funder = Account.from_mnemonic(DEV_MNEMONIC, account_path="m/44'/60'/0'/0/0")
    send_all(w3, funder, [{"to": a.address, "value": 10 * ETH} for a in made.values()])
    return made


@pytest.fixture
def cli(live_network, home, tmp_path):
    """cli(*args) -> CompletedProcess of `gpumarket ARGS --network gpumarket-live --json`, run in
    the user's working directory with the keystore password and GPUMARKET_YES in the
    environment."""
    work = tmp_path / "work"
    (work / "deployments").mkdir(parents=True)  # the user's own: deploy records the file there
    # A script on a live network sends without being asked (GPUMARKET_YES is --yes).
    env = {**clean_env(home), "GPUMARKET_ACCOUNT_PASSWORD": PASSWORD, "GPUMARKET_YES": "1"}

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "gpumarket.cli.main", *args, "--network", NETWORK, "--json"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    _run.work = work  # type: ignore[attr-defined]
    return _run


@pytest.fixture
def services():
    started: list[Service] = []
    yield started
    for service in started:
        service.stop()


def ok(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON object a command that must succeed printed."""
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout)


def assert_confirmed(
    w3: Web3, out: dict[str, Any], sender: str, confirmations: int, *, each: bool = True
) -> None:
    """Every transaction of a command's JSON is mined, successful and signed by `sender`, and the
    command waited: its last transaction had `confirmations` blocks on top when it returned and,
    with `each`, every later one was sent only once the one before had its confirmations."""
    head = w3.eth.block_number
    txs = out["transactions"]
    assert txs
    for tx in txs:
        receipt = w3.eth.get_transaction_receipt(tx["hash"])
        assert (receipt["status"], receipt["blockNumber"], receipt["from"]) == (
            1,
            tx["block"],
            sender,
        )
    assert head >= txs[-1]["block"] + confirmations
    for earlier, later in zip(txs, txs[1:], strict=False):
        assert later["block"] >= earlier["block"] + (confirmations + 1 if each else 1)


# ------------------------------------------------------------------ the path


def test_a_job_goes_from_deploy_to_settlement_on_a_live_network_through_the_cli(
    live_network, keystores, cli, services, tmp_path
):
    url, w3 = live_network
    deployer, provider, buyer = (keystores[n] for n in ("deployer", "provider", "buyer"))
    started = time.monotonic()

    # -- deploy: the deployer is also treasury, arbiter and the admin of every contract.
    deployed = ok(cli("deploy", "--account", "deployer", "--arbiter", deployer.address))

    assert_confirmed(w3, deployed, deployer.address, DEFAULT_CONFIRMATIONS, each=False)
    path = cli.work / "deployments" / f"{NETWORK}.json"
    first_block = deployed["transactions"][0]["block"]
    order = [*CONTRACTS[:3], *MARKET_LIBRARIES, *CONTRACTS[3:]]
    assert [t["step"] for t in deployed["transactions"][:8]] == [f"deploy {c}" for c in order]
    assert deployed["transactions"][-1]["step"] == "benchmark registry: verifier"
    assert {k: v for k, v in deployed.items() if k not in ("contracts", "transactions")} == {
        "network": NETWORK,
        "chain_id": CHAIN_ID,
        "deploy_block": first_block,
        "deployment": str(path),
        "admin": deployer.address,
        "treasury": deployer.address,
        "supply": "100000000",
    }
    assert json.loads(path.read_text()) == {
        "network": NETWORK,
        "chainId": CHAIN_ID,
        "deployBlock": first_block,
        "contracts": deployed["contracts"],
    }
    assert sorted(deployed["contracts"]) == sorted(CONTRACTS)
    contracts = deployed["contracts"]
    token = w3.eth.contract(address=contracts["MarketToken"], abi=ERC20_ABI)
    market_abi = json.loads((DEFAULT_ABI_DIR / "JobMarket.json").read_text())["abi"]
    market = w3.eth.contract(address=contracts["JobMarket"], abi=market_abi)
    assert market.functions.disputeWindow().call() == DISPUTE_WINDOW
    assert market.functions.protocolFeeBps().call() == 500
    roles = market.functions
    for role in (roles.DEFAULT_ADMIN_ROLE().call(), roles.ARBITER_ROLE().call()):
        assert roles.hasRole(role, deployer.address).call()
    assert roles.treasury().call() == deployer.address

    # -- set-up, not the CLI (it has no transfer command): GMKT from the deployer's supply.
    send_all(
        w3,
        deployer,
        [
            {
                "to": contracts["MarketToken"],
                "data": token.encode_abi("transfer", [who.address, amount]),
            }
            for who, amount in ((provider, PROVIDER_GMKT), (buyer, BUYER_GMKT))
        ],
    )

    # -- the provider stakes (approve, then stake: each waits for its confirmation) and lists
    # the agent's URL as its endpoint.
    staked = ok(cli("provider", "stake", "2000", "--account", "provider", "--confirmations", "1"))

    assert_confirmed(w3, staked, provider.address, 1)
    assert len(staked["transactions"]) == 2
    assert {k: v for k, v in staked.items() if k != "transactions"} == {
        "provider": provider.address,
        "staked": "2000",
        "stake": "2000",
        "approval": "approve",
    }

    agent_port = free_port()
    endpoint = f"http://127.0.0.1:{agent_port}"
    registered = ok(
        cli(
            "provider", "register", "--account", "provider", "--gpu", "H100-SXM-80GB",
            "--gpus", "8", "--vram", "80", "--region", "DE", "--endpoint", endpoint,
            "--price", "GMKT=2.5",
        )
    )  # fmt: skip

    assert_confirmed(w3, registered, provider.address, DEFAULT_CONFIRMATIONS)
    assert registered["offer"] == {
        "gpu_model": "H100-SXM-80GB",
        "gpus": 8,
        "vram_gib": 80,
        "region": "DE",
        "bandwidth_mbps": 1000,
        "endpoint": endpoint,
        "prices": {"GMKT": "2.5"},
    }

    # -- the provider agent holds the provider's keystore and accepts jobs assigned to it.
    agent = agent_service(
        AgentSettings(
            rpc_url=url,
            deployment=path,
            keystore=tmp_path / "home" / ".brownie" / "accounts" / "provider.json",
            keystore_password=PASSWORD,
            state_dir=tmp_path / "agent",
            port=agent_port,
            confirmations=1,
            poll_interval=0.5,
            pogemm_backend="numpy",
            auto_bid=False,
        ),
        tmp_path / "agent.log",
    ).start()
    services.append(agent)

    # -- the buyer posts a job directly to the provider, paying by permit in one transaction.
    posted = ok(
        cli(
            "buyer", "post", "--account", "buyer", "--provider", provider.address,
            "--gpu", "H100-SXM-80GB", "--gpus", "2", "--region", "DE", "--duration", "30m",
            "--max-price", "2.5", "--workload", "builtin:POGEMM", "--confirmations", "1",
        )
    )  # fmt: skip

    assert_confirmed(w3, posted, buyer.address, 1)
    job_id = posted["job_id"]
    assert {k: v for k, v in posted.items() if k != "transactions"} == {
        "job_id": job_id,
        "buyer": buyer.address,
        "token": "GMKT",
        "token_address": contracts["MarketToken"],
        "deposit": gmkt(DEPOSIT),
        "max_price_per_gpu_hour": "2.5",
        "collateral": "10",  # 2 GPUs x 0.5 h at the market's floor of 10 GMKT per GPU-hour
        "provider": provider.address,
        "approval": "permit",
    }
    assert len(posted["transactions"]) == 1

    # -- the agent accepts, runs PoGEMM and submits its result.
    def submitted() -> dict[str, Any] | None:
        view = ok(cli("buyer", "status", str(job_id)))
        return view if view["state"] == "SUBMITTED" else None

    try:
        job = wait_until(submitted, 60, f"job {job_id} SUBMITTED", poll=0.5)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; agent log:\n{agent.log()[-4000:]}") from None
    assert agent.alive
    assert "the offer's endpoint is not this agent's" not in agent.log()
    assert (job["provider"], job["price_per_gpu_hour"], job["escrow"], job["workload"]) == (
        provider.address,
        "2.5",
        gmkt(DEPOSIT),
        "builtin:POGEMM",
    )
    result_hash = bytes(market.functions.jobOf(job_id).call()[15])
    with urllib.request.urlopen(f"{endpoint}/jobs/{job_id}/result", timeout=10) as response:  # noqa: S310
        assert hashlib.sha256(response.read()).digest() == result_hash
    busy = ok(cli("provider", "status", "--account", "provider"))
    # The work is done: its GPUs are free again, its collateral stays locked until it settles.
    assert (busy["locked"], busy["active_jobs"], busy["gpus_in_use"]) == (gmkt(COLLATERAL), 1, 0)

    # -- finalizing inside the dispute window is refused, and nothing is sent.
    ready_at = job["submitted_at"] + DISPUTE_WINDOW
    nonce = w3.eth.get_transaction_count(buyer.address)

    early = cli("buyer", "finalize", str(job_id), "--account", "buyer")

    # Under --json the refusal is JSON too: the sentence, and the custom error's name as the code.
    assert early.returncode == 1
    assert json.loads(early.stdout) == {
        "error": f"job {job_id} cannot be settled before {format_time(ready_at)}",
        "code": "JobMarketDeadlineNotReached",
    }
    assert w3.eth.get_transaction_count(buyer.address) == nonce

    # -- test harness: skip the 24-hour dispute window instead of waiting it out.
    w3.provider.make_request("evm_increaseTime", [DISPUTE_WINDOW])
    w3.provider.make_request("evm_mine", [])

    settled = ok(cli("buyer", "finalize", str(job_id), "--account", "buyer"))

    assert_confirmed(w3, settled, buyer.address, DEFAULT_CONFIRMATIONS)
    assert {k: v for k, v in settled.items() if k != "transactions"} == {
        "job_id": job_id,
        "provider": provider.address,
        "payout": gmkt(DEPOSIT - FEE),
        "fee": gmkt(FEE),
    }
    final = ok(cli("buyer", "status", str(job_id)))
    assert (final["state"], final["escrow"]) == ("SETTLED", "0")
    paid = ok(cli("provider", "status", "--account", "provider"))
    assert {k: paid[k] for k in ("stake", "locked", "active_jobs", "gpus_in_use", "balance")} == {
        "stake": "2000",
        "locked": "0",
        "active_jobs": 0,
        "gpus_in_use": 0,
        "balance": gmkt(PROVIDER_GMKT - 2_000 * GMKT + DEPOSIT - FEE),
    }
    assert paid["reputation"]["completed"] == 1
    balances = [token.functions.balanceOf(a).call() for a in (deployer.address, buyer.address)]
    assert balances == [SUPPLY - PROVIDER_GMKT - BUYER_GMKT + FEE, BUYER_GMKT - DEPOSIT]
    assert token.functions.balanceOf(contracts["JobMarket"]).call() == 0
    print(f"live path: deploy to settlement in {time.monotonic() - started:.1f}s")
