"""Run the Brownie CLI with local chains on a free port.

Brownie's `development` (anvil) and `ganache-cli` networks listen on 8545 and attach to whatever
already listens there. This entry point gives them the port in GPUMARKET_CHAIN_PORT, or one the OS
reports free, before Brownie starts, so a stray process on 8545 is never mistaken for our chain.
Usage: `python -m gpumarket.chain.launcher test ...` takes the same arguments as `brownie`.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import warnings

LOCAL_NETWORKS = ("development", "ganache-cli")
LOCAL_CHAIN_SETTINGS = {"accounts": 20, "gas_limit": 30_000_000}
GANACHE_SETTINGS = {"evm_version": "shanghai"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free at the moment of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configure_local_chains(port: int, steps_tracing: bool = False) -> None:
    """Point Brownie's local networks at `port`, with enough funded accounts for every role.

    `steps_tracing` makes anvil record opcode steps, which `debug_traceTransaction` (and so
    Brownie's coverage) needs: without it anvil returns empty traces and the coverage report is
    empty. It slows every transaction, so only coverage runs ask for it.
    """
    from brownie._config import CONFIG

    for network_id in LOCAL_NETWORKS:
        settings = CONFIG.networks[network_id].setdefault("cmd_settings", {})
        settings.update(LOCAL_CHAIN_SETTINGS)
        settings["port"] = port
    CONFIG.networks["development"]["cmd_settings"]["steps_tracing"] = steps_tracing
    # Also in brownie-config.yaml; repeated here because `project.load()` outside `brownie test`
    # does not apply the project's cmd_settings, and ganache defaults to istanbul.
    CONFIG.networks["ganache-cli"]["cmd_settings"].update(GANACHE_SETTINGS)


def quiet_brownie_deprecations() -> None:
    """Brownie's own chain.sleep()/snapshot() call its deprecated rpc.* methods; not ours to fix."""
    warnings.filterwarnings(
        "ignore", message=r"rpc\..* should not be called directly", category=FutureWarning
    )


def _strip_solidity_metadata(code: str) -> str:
    """Bytecode (hex, no 0x) without the CBOR metadata whose length its last 2 bytes give."""
    if len(code) < 4:
        return code
    return code[: -(int(code[-4:], 16) + 2) * 2]


#: A linked library's placeholder in Brownie's bytecode: "__" and the name, padded to 40 with "_".
_LINK_PLACEHOLDER = re.compile(r"__[A-Za-z0-9_$]{38}")


def bytecode_matches(actual: str, expected: str) -> bool:
    """Whether on-chain runtime code is the compiled runtime code, immutables and linked
    libraries allowed for.

    solc leaves every immutable as 32 zero bytes in the runtime bytecode and the constructor
    writes the value there, so the two may differ only where the compiled code has zeros. A
    linked library's address stands where the build has its placeholder (JobMarket links
    MarketGovernance and MarketDisputes). Metadata is ignored, as Brownie does.
    """
    actual = _strip_solidity_metadata(actual.removeprefix("0x").lower())
    expected = _LINK_PLACEHOLDER.sub("?" * 40, expected.removeprefix("0x"))
    expected = _strip_solidity_metadata(expected.lower())
    if len(actual) != len(expected):
        return False
    return all(a == e or e in "0?" for a, e in zip(actual, expected, strict=True))


def patch_brownie_immutables() -> None:
    """Let Brownie keep the program-counter map of contracts that have immutables.

    Brownie 1.22 compares deployed code with the compiled code byte for byte and, on any
    difference, drops the contract's pcMap: coverage, tracebacks and dev revert strings then
    silently vanish for every contract with an `immutable` (ours, OpenZeppelin's EIP712). This is
    why `brownie test --coverage` wrote an empty report. The replacement compares as Brownie does
    but accepts immutable slots and linked library addresses.
    """
    import brownie.network.contract as contract_module

    original = contract_module._verify_deployed_code

    def verify(address, expected_bytecode, language):  # type: ignore[no-untyped-def]
        if language != "Solidity":
            return original(address, expected_bytecode, language)
        from brownie.network.web3 import web3

        return bytecode_matches(web3.eth.get_code(address).hex(), expected_bytecode)

    contract_module._verify_deployed_code = verify


def unwrap_brownie_rpc_warnings() -> None:
    """Call Brownie's Rpc.snapshot/revert/sleep/mine directly, without its `internal` wrapper.

    The wrapper only warns when user code calls those methods directly, and finds out by calling
    `inspect.stack()`: about 13 ms a call, twice per test under per-test isolation, which was
    about 40% of a short chain test. `chain` is the only caller in this project.
    """
    from brownie.network.rpc import Rpc

    for name in ("snapshot", "revert", "sleep", "mine"):
        method = getattr(Rpc, name)
        cells = [c.cell_contents for c in (method.__closure__ or ())]
        originals = [c for c in cells if callable(c) and getattr(c, "__name__", "") == name]
        if getattr(method, "__name__", "") == "wrapped" and len(originals) == 1:
            setattr(Rpc, name, originals[0])


#: How long a mined transaction may stay unknown to eth_getTransactionByHash before Brownie may
#: call it dropped.
TX_LOOKUP_PATIENCE_S = 5.0


def patch_brownie_tx_lookup() -> None:
    """Make Brownie wait for a transaction's receipt before it may call the transaction dropped.

    Brownie's `TransactionReceipt._await_confirmation` reads the sender's nonce, then asks for the
    receipt once, and reports "Tx dropped without known replacement" when the nonce has moved on
    but the receipt is not there. Under CPU load anvil can count the nonce before it serves the
    receipt, and a test then fails on a transaction that was mined. This polls for the receipt for
    up to TX_LOOKUP_PATIENCE_S first; a transaction that is really gone is still reported.
    """
    import time

    from brownie.network import transaction
    from hexbytes import HexBytes
    from web3.exceptions import TransactionNotFound

    original = transaction.TransactionReceipt._await_confirmation
    if getattr(original, "_gpumarket_patched", False):
        return

    def await_confirmation(self, block_number=None, required_confs=1):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + TX_LOOKUP_PATIENCE_S
        while True:
            try:
                receipt = transaction.web3.eth.get_transaction_receipt(HexBytes(self.txid))
            except TransactionNotFound:
                receipt = None
            if (receipt is not None and receipt["blockHash"] is not None) or (
                time.monotonic() > deadline
            ):
                break
            time.sleep(0.02)
        if receipt is None or receipt["blockHash"] is None or required_confs > 1:
            return original(self, block_number, required_confs)
        # Mined, and one confirmation asked for: what Brownie does once it has the receipt (its
        # nonce read and second receipt read, two requests a transaction, add nothing here).
        finish_confirmed(self, receipt, required_confs)  # type: ignore[no-untyped-call]
        return None

    def finish_confirmed(tx, receipt, required_confs):  # type: ignore[no-untyped-def]
        # Brownie 1.22's TransactionReceipt._await_confirmation after its receipt loop, for
        # required_confs <= 1 (its loop for more confirmations does not run then).
        history = transaction.state.TxHistory()
        others = history.filter(sender=tx.sender, nonce=tx.nonce, key=lambda k: k != tx)
        for dropped_tx in others:
            dropped_tx._silent = True
        tx._set_from_receipt(receipt)
        try:
            if (
                transaction.CONFIG.argv["coverage"]
                and not transaction.coverage._check_cached(tx.coverage_hash)
                and tx.trace
            ):
                tx._expand_trace()
            if not tx._silent and required_confs > 0:
                print(tx._confirm_output())
        finally:
            tx._confirmed.set()
            for dropped_tx in history.filter(
                sender=tx.sender, nonce=tx.nonce, key=lambda k: k != tx
            ):
                dropped_tx.status = transaction.Status(-2)
                dropped_tx._confirmed.set()

    await_confirmation._gpumarket_patched = True  # type: ignore[attr-defined]
    transaction.TransactionReceipt._await_confirmation = await_confirmation


def _is_loopback(uri: str) -> bool:
    from urllib.parse import urlparse

    return (urlparse(uri).hostname or "") in ("127.0.0.1", "localhost", "::1")


def patch_brownie_local_rpc() -> None:
    """Make Brownie's requests to a chain on this machine cheaper; nothing else changes.

    Two costs that a local chain does not need, about 15% of a unit test's time:
    - web3 asks for `eth_chainId` on every transaction and every call it validates, about three
      times a transaction; a chain's id does not change, so the provider caches that one answer.
    - `requests` reads every proxy variable of the environment on every request (a walk over
      `os.environ`); a loopback address is never proxied, so the local sessions do not look.
    Other endpoints (a live network through a proxy) keep web3's behaviour.
    """
    import requests
    from brownie.network.web3 import Web3
    from web3 import HTTPProvider
    from web3._utils.http_session_manager import HTTPSessionManager
    from web3.types import RPCEndpoint

    original = Web3.connect
    if getattr(original, "_gpumarket_patched", False):
        return

    class LocalSessions(HTTPSessionManager):
        def cache_and_return_session(self, endpoint_uri, session=None, request_timeout=None):  # type: ignore[no-untyped-def]
            if session is None:
                session = requests.Session()
                session.trust_env = False
            return super().cache_and_return_session(endpoint_uri, session, request_timeout)

    def connect(self, uri, timeout=30):  # type: ignore[no-untyped-def]
        original(self, uri, timeout)
        provider = self.provider
        if isinstance(provider, HTTPProvider) and _is_loopback(str(provider.endpoint_uri)):
            provider._request_session_manager = LocalSessions()
            provider.cacheable_requests = {RPCEndpoint("eth_chainId")}
            provider.cache_allowed_requests = True

    connect._gpumarket_patched = True  # type: ignore[attr-defined]
    Web3.connect = connect


def patch_brownie_return_value() -> None:
    """Read a transaction's return value and revert data from a one-frame trace.

    Brownie's `tx.return_value` and `tx.revert_msg` ask the node for the whole opcode trace with
    memory (megabytes for a job's posting) and walk it in Python. Anvil's `callTracer` with
    `onlyTopCall` gives the same return or revert data in a few hundred bytes. A node without
    that tracer (ganache), or a transaction whose data it does not give, takes Brownie's path;
    so does everything else that needs the full trace (subcalls, tracebacks, coverage).
    """
    from brownie.network import transaction
    from brownie.network.web3 import web3

    receipt_class = transaction.TransactionReceipt
    if getattr(receipt_class, "_gpumarket_light_trace", False):
        return
    full_return_value = receipt_class.return_value
    full_revert_msg = receipt_class.revert_msg

    def top_call_output(tx) -> str | None:  # type: ignore[no-untyped-def]
        if tx._raw_trace is not None or tx.contract_address:
            return None
        try:
            answer = web3.provider.make_request(
                "debug_traceTransaction",
                (tx.txid, {"tracer": "callTracer", "tracerConfig": {"onlyTopCall": True}}),
            )
        except Exception:  # noqa: BLE001 - any failure here means: take Brownie's path
            return None
        result = answer.get("result") if isinstance(answer, dict) else None
        output = result.get("output") if isinstance(result, dict) else None
        return output if isinstance(output, str) and output not in ("", "0x") else None

    def return_value(self):  # type: ignore[no-untyped-def]
        if self.status == 1 and self._return_value is None and not getattr(self, "_gm_top", False):
            self._gm_top = True
            output = top_call_output(self)
            if output is not None:
                self._confirmed_return_value(output)
        return full_return_value.fget(self)

    def revert_msg(self):  # type: ignore[no-untyped-def]
        if self.status == 0 and self._revert_msg is None and not getattr(self, "_gm_top", False):
            self._gm_top = True
            output = top_call_output(self)
            if output is not None:
                self._reverted_return_value(output)
        return full_revert_msg.fget(self)

    full_raise_if_reverted = receipt_class._raise_if_reverted

    def raise_if_reverted(self, exc):  # type: ignore[no-untyped-def]
        # Brownie walks the full trace here for the reverting line of source, which goes into
        # the error's text; with the revert data known, the error is raised without it.
        # `brownie test --revert-tb` still gets the source and the traceback.
        from brownie._config import CONFIG

        if self.status == 0 and not CONFIG.argv.get("revert") and self._dev_revert_msg is None:
            if revert_msg(self) is not None:  # type: ignore[no-untyped-call]
                raise exc._with_attr(source="", revert_msg=self._revert_msg, dev_revert_msg=None)
        return full_raise_if_reverted(self, exc)

    receipt_class.return_value = property(return_value)
    receipt_class.revert_msg = property(revert_msg)
    receipt_class._raise_if_reverted = raise_if_reverted
    receipt_class._gpumarket_light_trace = True


def patch_brownie_test_hashes() -> None:
    """Hash a test module's bytes, not its syntax tree, for Brownie's `--update` records.

    Brownie parses and dumps the syntax tree of every test module it has a record of, in every
    process, to find which ones changed since `build/tests.json` was written: seconds of each
    worker's start. A byte hash is cheaper and only stricter (a changed comment counts as a
    change). `main` also drops the old records unless `--update` asks for them.
    """
    from hashlib import sha1
    from pathlib import Path

    from brownie.test.managers import base

    def byte_hash(path):  # type: ignore[no-untyped-def]
        return sha1(Path(path).read_bytes(), usedforsecurity=False).hexdigest()

    base._get_ast_hash = byte_hash


#: Set by `main` for the processes it starts: whether local chains record opcode steps.
STEPS_TRACING_ENV = "GPUMARKET_CHAIN_STEPS_TRACING"


def prepare_brownie() -> None:
    """The fixes every process that drives Brownie applies before it sends anything."""
    quiet_brownie_deprecations()
    patch_brownie_immutables()
    unwrap_brownie_rpc_warnings()
    patch_brownie_tx_lookup()
    patch_brownie_local_rpc()
    patch_brownie_return_value()
    patch_brownie_test_hashes()


def configure_xdist_worker(config: object) -> None:
    """Give a pytest-xdist worker (`brownie test -n N`) its own chain on a port the OS reports
    free, and the same Brownie fixes as the launcher's own process.

    xdist starts each worker as a fresh interpreter, so the launcher's settings do not reach it,
    and Brownie would point worker k at the master's port + k, which nothing checked was free.
    Called from the suite's `pytest_configure` after Brownie's own (it connects later, when
    collection finishes). A no-op outside a worker.
    """
    if not hasattr(config, "workerinput"):
        return
    prepare_brownie()
    configure_local_chains(free_port(), steps_tracing=os.environ.get(STEPS_TRACING_ENV) == "1")


def main() -> None:
    prepare_brownie()
    port = int(os.environ.get("GPUMARKET_CHAIN_PORT") or free_port())
    tracing = "--coverage" in sys.argv or "-C" in sys.argv
    os.environ[STEPS_TRACING_ENV] = "1" if tracing else "0"
    configure_local_chains(port, steps_tracing=tracing)
    if sys.argv[1:2] == ["test"] and "--update" not in sys.argv:
        # Records of earlier runs are only read by `--update`; without it every process would
        # hash every module they name (patch_brownie_test_hashes).
        from pathlib import Path

        Path("build/tests.json").unlink(missing_ok=True)
    from brownie._cli.__main__ import main as brownie_main

    sys.argv[0] = "brownie"
    brownie_main()


if __name__ == "__main__":
    main()
