"""Fixtures for the `gpumarket` CLI against the test chain.

The protocol is deployed with `deploy_protocol` (the Brownie path), a deployment file for it is
written to a temporary directory, and every command runs in-process through click's CliRunner
against the chain's RPC URL. The CLI's dev accounts (`dev0`..) are the chain's accounts: anvil's
default mnemonic, which Brownie's development network funds.
"""

from __future__ import annotations

import json

import pytest
from brownie import accounts, chain, web3
from click.testing import CliRunner

from gpumarket.chain.deploy import deploy_protocol
from gpumarket.chain.types import Offer
from gpumarket.cli.accounts import dev_account
from gpumarket.cli.main import main

GMKT = 10**18
USDC = 10**6
STAKE = 2_000 * GMKT
#: Provider prices per GPU-hour.
GMKT_PRICE = 25 * GMKT // 10
USDC_PRICE = 18 * USDC // 10
#: `provider register` of 8 H100s in DE at 2.5 GMKT per GPU-hour.
REGISTER = (
    "provider", "register", "--gpu", "H100-SXM-80GB", "--gpus", "8", "--vram", "80",
    "--region", "DE", "--endpoint", "http://10.0.0.7:9000", "--price", "GMKT=2.5",
)  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def dev_accounts_are_the_chains():
    """dev0..dev9 must be Brownie's accounts[0..9], or every test below would mean nothing."""
    assert [dev_account(i).address for i in range(10)] == [a.address for a in accounts[:10]]


@pytest.fixture(scope="module")
def deploy_block():
    return chain.height + 1


@pytest.fixture(scope="module")
def protocol(governance, treasury, arbiter, verifier, deploy_block):
    """The market's verdicts come from the plain `verifier` account, so tests can move a job to
    VERIFIED or FAILED in one call."""
    return deploy_protocol(
        governance,
        treasury.address,
        arbiter=arbiter.address,
        verifier=verifier.address,
        silent=True,
    )


@pytest.fixture(scope="module")
def deployment_file(protocol, usdc, deploy_block, tmp_path_factory):
    """deployments/development.json of the module's protocol (USDC allowlisted after it)."""
    path = tmp_path_factory.mktemp("cli") / "deployments" / "development.json"
    protocol.record("development", deploy_block, path)
    return path


@pytest.fixture(scope="session")
def rpc_url():
    return web3.provider.endpoint_uri


@pytest.fixture
def cli(deployment_file, rpc_url, tmp_path):
    """cli(*args, env=None, input=None) -> click Result, with stdout and stderr apart."""

    def _run(*args, env=None, input=None):
        base = {
            "GPUMARKET_RPC_URL": rpc_url,
            "GPUMARKET_DEPLOYMENT": str(deployment_file),
            "GPUMARKET_KEYSTORE_DIR": str(tmp_path / "keystores"),
            "GPUMARKET_PRIVATE_KEY": None,
            "GPUMARKET_ACCOUNT": None,
            "GPUMARKET_ACCOUNT_PASSWORD": None,
            "COLUMNS": "240",
        }
        base.update(env or {})
        return CliRunner(env=base).invoke(
            main, [str(a) for a in args], input=input, catch_exceptions=False
        )

    return _run


@pytest.fixture
def cli_json(cli):
    """cli_json(*args) -> the one JSON object a successful --json command prints."""

    def _run(*args, env=None):
        result = cli(*args, "--json", env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return _run


@pytest.fixture
def unchanged():
    """unchanged(account) -> a context that asserts the chain height and the account's nonce are
    the same after the block as before: no transaction was sent."""

    class _Unchanged:
        def __init__(self, account):
            self.address = account if isinstance(account, str) else account.address

        def __enter__(self):
            self.before = (web3.eth.block_number, web3.eth.get_transaction_count(self.address))
            return self

        def __exit__(self, *exc):
            after = (web3.eth.block_number, web3.eth.get_transaction_count(self.address))
            assert after == self.before, "a transaction was sent"
            return False

    return _Unchanged


@pytest.fixture(scope="module")
def listed(gmkt, registry, governance, usdc):
    """listed(account, offer=Offer(), prices=None): fund, stake 2,000 GMKT and register, pricing
    GMKT at 2.5 and USDC at 1.8 per GPU-hour by default."""

    def _listed(account, offer=None, prices=None, stake=STAKE):
        gmkt.transfer(account, stake, {"from": governance})
        gmkt.approve(registry, stake, {"from": account})
        registry.stake(stake, {"from": account})
        prices = prices or {gmkt.address: GMKT_PRICE, usdc.address: USDC_PRICE}
        registry.register(
            (offer or Offer()).as_tuple(), list(prices), list(prices.values()), {"from": account}
        )
        return account

    return _listed


@pytest.fixture(scope="module")
def funded(gmkt, usdc, governance):
    """funded(account, gmkt=..., usdc=...): give an account tokens, in token units."""

    def _funded(account, gmkt_amount=0, usdc_amount=0):
        if gmkt_amount:
            gmkt.transfer(account, gmkt_amount, {"from": governance})
        if usdc_amount:
            usdc.mint(account, usdc_amount, {"from": governance})
        return account

    return _funded


def dev(account) -> str:
    """The CLI's name of a Brownie account (accounts[k] is devk)."""
    return f"dev{list(accounts).index(account)}"


@pytest.fixture(scope="module")
def stablecoin_deployment(deployment_file, usdc):
    """A deployment file like `gpumarket deploy` writes on a dev chain: the module's protocol with
    the allowlisted 6-decimal `usdc` as its test stablecoin."""
    from gpumarket.chain.deployment import Deployment
    from gpumarket.cli.deploy import TEST_STABLECOIN

    recorded = Deployment.load(deployment_file)
    path = deployment_file.with_name("development-with-stablecoin.json")
    Deployment(
        recorded.network,
        recorded.chain_id,
        recorded.deploy_block,
        {**recorded.addresses, TEST_STABLECOIN: usdc.address},
    ).save(path)
    return path


@pytest.fixture
def live_node():
    """(url, methods) of a stand-in JSON-RPC node of a live chain (Sepolia's id): it answers
    eth_chainId, refuses everything else, and records every method it was asked, so a test can
    assert that a dev-only command asked nothing but the chain id."""
    from gpumarket.testing.rpcnode import StandInNode

    methods: list[str] = []

    def answer(request):
        methods.append(request["method"])
        if request["method"] == "eth_chainId":
            reply = {"result": hex(11155111)}
        else:
            reply = {"error": {"code": -32601, "message": "not on a live chain"}}
        return {"jsonrpc": "2.0", "id": request["id"], **reply}

    node = StandInNode(answer)
    yield node.url, methods
    node.close()


class RpcProxy:
    """A stand-in node in front of the test chain: it forwards every JSON-RPC request (batches
    too, as one request) to `upstream`, and records each HTTP request it took as the list of the
    methods in it (`requests`), so a test can count round trips, and every JSON-RPC request
    itself (`calls`).

    `answers` changes what some methods get: a dict is answered as it is (`{"result": ...}` or
    `{"error": ...}`) without asking the chain; a callable is given the chain's reply and returns
    the one to answer with."""

    def __init__(self, upstream, answers=None):
        from gpumarket.testing.rpcnode import StandInNode

        self.upstream = upstream
        self.answers = answers or {}
        self.requests: list[list[str]] = []
        self.calls: list[dict] = []
        self.node = StandInNode(self.answer)
        self.url = self.node.url

    @property
    def methods(self) -> list[str]:
        """Every method asked, in order, batched or not."""
        return [method for request in self.requests for method in request]

    def answer(self, request):
        batch = request if isinstance(request, list) else [request]
        self.requests.append([r["method"] for r in batch])
        self.calls.extend(batch)
        forwarded = [r for r in batch if not isinstance(self.answers.get(r["method"]), dict)]
        replies = {reply["id"]: reply for reply in self._forward(forwarded)} if forwarded else {}
        out = []
        for r in batch:
            answer = self.answers.get(r["method"])
            if isinstance(answer, dict):
                out.append({"jsonrpc": "2.0", "id": r["id"], **answer})
            elif answer is not None:
                out.append(answer(replies[r["id"]]))
            else:
                out.append(replies[r["id"]])
        return out if isinstance(request, list) else out[0]

    def _forward(self, batch):
        import urllib.request

        forward = urllib.request.Request(
            self.upstream,
            data=json.dumps(batch).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(forward, timeout=30) as answer:
            return json.loads(answer.read())

    def close(self):
        self.node.close()


@pytest.fixture
def rpc_proxy(rpc_url):
    """rpc_proxy(answers=None) -> a started RpcProxy in front of the test chain."""
    started: list[RpcProxy] = []

    def _start(answers=None):
        started.append(RpcProxy(rpc_url, answers))
        return started[-1]

    yield _start
    for proxy in started:
        proxy.close()


#: What the stand-in of `live_proxy` answers itself: Sepolia's chain id, and a refusal of every
#: raw transaction (signed for Sepolia, the test chain could not take it anyway).
LIVE_ANSWERS = {
    "eth_chainId": {"result": hex(11155111)},
    "eth_sendRawTransaction": {"error": {"code": -32000, "message": "stand-in: not broadcast"}},
}


@pytest.fixture
def live_proxy(rpc_proxy, deployment_file, tmp_path):
    """(url, deployment, proxy): the test chain seen as a live chain. A stand-in node (the
    RpcProxy) answers eth_chainId with Sepolia's id, refuses raw transactions, and forwards every
    other request to the test chain, recording each method, beside a copy of the module's
    deployment file recorded on that chain id."""
    from gpumarket.chain.deployment import Deployment

    proxy = rpc_proxy(LIVE_ANSWERS)
    recorded = Deployment.load(deployment_file)
    path = tmp_path / "live.json"
    Deployment("sepolia", 11155111, recorded.deploy_block, recorded.addresses).save(path)
    return proxy.url, path, proxy
