"""`ChainClient.fees`: EIP-1559 fees where the latest block has a base fee (the tip from
eth_maxPriorityFeePerGas, else eth_gasPrice less the base fee, never below 0; the cap 2 x base
fee + tip), a legacy gas price where it has none. Against a stand-in node that answers what each
test says (a dict, or an HTTP status for a node that refuses the method that way)."""

from __future__ import annotations

import pytest

from gpumarket.chain.client import ChainClient, Fees, RetryPolicy
from gpumarket.chain.deployment import Deployment
from gpumarket.testing.rpcnode import StandInNode

GWEI = 10**9
NO_SUCH_METHOD = {"error": {"code": -32601, "message": "Method not found"}}


@pytest.fixture
def node():
    """node(answers) -> (ChainClient, methods asked) of a stand-in node answering
    `answers[method]`: a JSON-RPC answer (`{"result": ...}` or `{"error": ...}`) or an HTTP
    status."""
    servers = []

    def _start(answers):
        methods: list[str] = []

        def answer(request):
            methods.append(request["method"])
            reply = answers[request["method"]]
            if isinstance(reply, int):
                return reply
            return {"jsonrpc": "2.0", "id": request["id"], **reply}

        server = StandInNode(answer)
        servers.append(server)
        url = server.url
        client = ChainClient(url, Deployment("stand-in", 1337, 0, {}), retry=RetryPolicy(1))
        return client, methods

    yield _start
    for server in servers:
        server.close()


def block(base_fee=None):
    latest = {"number": "0x10", "timestamp": "0x5"}
    if base_fee is not None:
        latest["baseFeePerGas"] = hex(base_fee)
    return {"eth_getBlockByNumber": {"result": latest}}


def test_the_tip_is_the_nodes_and_the_cap_twice_the_base_fee_plus_it(node):
    client, methods = node({**block(7 * GWEI), "eth_maxPriorityFeePerGas": {"result": hex(GWEI)}})

    fees = client.fees()

    assert fees == Fees(base_fee=7 * GWEI, max_fee=15 * GWEI, tip=GWEI)
    assert fees.fields() == {"maxFeePerGas": 15 * GWEI, "maxPriorityFeePerGas": GWEI}
    assert (fees.eip1559, fees.expected) == (True, 8 * GWEI)
    assert methods == ["eth_getBlockByNumber", "eth_maxPriorityFeePerGas"]


def test_a_zero_base_fee_is_a_base_fee(node):
    client, _ = node({**block(0), "eth_maxPriorityFeePerGas": {"result": hex(GWEI)}})

    assert client.fees().fields() == {"maxFeePerGas": GWEI, "maxPriorityFeePerGas": GWEI}


@pytest.mark.parametrize("refusal", [NO_SUCH_METHOD, 405], ids=["json-rpc error", "http 405"])
@pytest.mark.parametrize(("gas_price", "tip"), [(10 * GWEI, 3 * GWEI), (5 * GWEI, 0)])
def test_without_the_method_the_tip_is_the_gas_price_over_the_base_fee(
    node, refusal, gas_price, tip
):
    client, methods = node(
        {
            **block(7 * GWEI),
            "eth_maxPriorityFeePerGas": refusal,
            "eth_gasPrice": {"result": hex(gas_price)},
        }
    )

    assert client.fees() == Fees(base_fee=7 * GWEI, max_fee=14 * GWEI + tip, tip=tip)
    assert methods[-1] == "eth_gasPrice"


def test_without_a_base_fee_it_is_the_legacy_gas_price(node):
    client, methods = node({**block(), "eth_gasPrice": {"result": hex(3 * GWEI)}})

    fees = client.fees()

    assert fees == Fees(base_fee=None, max_fee=3 * GWEI)
    assert (fees.fields(), fees.eip1559, fees.expected) == ({"gasPrice": 3 * GWEI}, False, 3 * GWEI)
    assert methods == ["eth_getBlockByNumber", "eth_gasPrice"]
