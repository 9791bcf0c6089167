"""`ChainClient.call_many`: many view calls in JSON-RPC batches (one HTTP request each, at most
`batch_limit` calls), with the values `call` would return; a batch the node refuses is read again
call by call, so a revert is still `call`'s ChainError naming its function, and a node that stays
down is one RpcUnavailable sentence. Against a stand-in node: `collateralOf(j)` is 10·j, and job
13 reverts with JobMarketUnknownJob(13)."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode
from eth_utils import keccak

from gpumarket.chain.client import ChainClient, ChainError, RetryPolicy, RpcUnavailable
from gpumarket.chain.deployment import Deployment
from gpumarket.testing.rpcnode import StandInNode

CHAIN_ID = 1337
MARKET = "0x" + "11" * 20
COLLATERAL_OF = keccak(text="collateralOf(uint256)")[:4]
UNKNOWN_JOB = keccak(text="JobMarketUnknownJob(uint256)")[:4]


class Node:
    """A stand-in JSON-RPC node: eth_chainId, and eth_call of `collateralOf`. `batches=False`
    answers every batch with one JSON-RPC error, as a node without batch support does. Each HTTP
    request is recorded as the list of its methods."""

    def __init__(self, batches: bool = True) -> None:
        self.batches = batches
        self.requests: list[list[str]] = []
        self.node = StandInNode(self.answer)
        self.url = self.node.url

    def answer(self, request):
        if isinstance(request, list):
            self.requests.append([r["method"] for r in request])
            if not self.batches:
                error = {"code": -32600, "message": "batch requests are not supported"}
                return {"jsonrpc": "2.0", "id": None, "error": error}
            return [self.one(r) for r in request]
        self.requests.append([request["method"]])
        return self.one(request)

    def one(self, request):
        reply = {"jsonrpc": "2.0", "id": request["id"]}
        if request["method"] == "eth_chainId":
            return {**reply, "result": hex(CHAIN_ID)}
        data = bytes.fromhex(request["params"][0]["data"][2:])
        assert data[:4] == COLLATERAL_OF
        (job,) = decode(["uint256"], data[4:])
        if job == 13:
            revert = "0x" + (UNKNOWN_JOB + encode(["uint256"], [13])).hex()
            error = {"code": 3, "message": "execution reverted", "data": revert}
            return {**reply, "error": error}
        return {**reply, "result": "0x" + encode(["uint256"], [10 * job]).hex()}

    def close(self) -> None:
        self.node.close()


@pytest.fixture
def node():
    started: list[Node] = []

    def _start(**kwargs):
        started.append(Node(**kwargs))
        return started[-1]

    yield _start
    for n in started:
        n.close()


def client_of(url: str) -> ChainClient:
    deployment = Deployment("stand-in", CHAIN_ID, 0, {"JobMarket": MARKET})
    return ChainClient(url, deployment, retry=RetryPolicy(attempts=2, base=0.01))


def collateral(client: ChainClient, jobs: range | list[int]) -> list:
    return [client["JobMarket"].functions.collateralOf(j) for j in jobs]


def test_many_calls_go_in_one_request_with_the_values_call_returns(node):
    stand_in = node()
    client = client_of(stand_in.url)
    fns = collateral(client, range(1, 11))

    values = client.call_many(fns)

    assert values == [10 * j for j in range(1, 11)]
    assert values == [client.call(fn) for fn in fns]
    # One batch of ten eth_calls, then the ten single calls; the chain id (which web3 checks a
    # call against) is asked once, not again before every eth_call.
    assert stand_in.requests == [["eth_call"] * 10, ["eth_chainId"]] + [["eth_call"]] * 10


def test_batches_hold_at_most_the_batch_limit(node):
    stand_in = node()
    client = client_of(stand_in.url)
    client.batch_limit = 4

    assert client.call_many(collateral(client, range(1, 11))) == [10 * j for j in range(1, 11)]
    assert [len(r) for r in stand_in.requests] == [4, 4, 2]


def test_no_calls_make_no_request(node):
    stand_in = node()

    assert client_of(stand_in.url).call_many([]) == []
    assert stand_in.requests == []


def test_a_node_without_batches_is_asked_call_by_call(node):
    stand_in = node(batches=False)
    client = client_of(stand_in.url)

    assert client.call_many(collateral(client, [1, 2, 3])) == [10, 20, 30]
    assert stand_in.requests == [["eth_call"] * 3, ["eth_chainId"]] + [["eth_call"]] * 3


def test_a_revert_in_a_batch_is_calls_error_naming_its_function(node):
    stand_in = node()
    client = client_of(stand_in.url)

    with pytest.raises(ChainError) as raised:
        client.call_many(collateral(client, [12, 13, 14]))

    assert str(raised.value) == "collateralOf: JobMarketUnknownJob(13)"
    assert raised.value.error == ("JobMarketUnknownJob", (13,))


def test_a_node_that_stays_down_is_one_sentence():
    client = client_of("http://127.0.0.1:9")  # nothing listens on the discard port

    with pytest.raises(RpcUnavailable) as raised:
        client.call_many(collateral(client, [1, 2]))

    assert str(raised.value).startswith("eth_call batch of 2: still failing after 2 tries: ")


def session_of(client: ChainClient):
    from gpumarket.cli.options import Options
    from gpumarket.cli.session import Session

    session = Session(Options("stand-in", None, client.rpc_url, None, False))
    session.use_client(client)
    return session


def test_inside_reading_a_read_ahead_call_asks_the_node_nothing(node):
    stand_in = node()
    client = client_of(stand_in.url)
    session = session_of(client)
    fns = collateral(client, [1, 2, 3])

    with session.reading(fns):
        before = len(stand_in.requests)
        inside = [session.call(fn) for fn in reversed(fns)]
        asked_inside = len(stand_in.requests) - before
    after = session.call(fns[0])

    assert (inside, asked_inside) == ([30, 20, 10], 0)
    assert stand_in.requests[0] == ["eth_call"] * 3
    # After the block the node is asked again.
    assert (after, stand_in.requests[-1]) == (10, ["eth_call"])


def test_a_revert_in_the_read_ahead_leaves_each_call_to_meet_it_itself(node):
    stand_in = node()
    client = client_of(stand_in.url)
    session = session_of(client)
    fns = collateral(client, [12, 13])

    with session.reading(fns):
        assert session.call(fns[0]) == 120
        with pytest.raises(ChainError, match=r"^collateralOf: JobMarketUnknownJob\(13\)$"):
            session.call(fns[1])
