"""Shared fixtures: role-named accounts, the deployed protocol, job and provider factories."""

from __future__ import annotations

import pytest
from brownie import (
    BlacklistToken,
    FeeOnTransferToken,
    MockERC20,
    NoReturnToken,
    ReentrantToken,
    accounts,
    chain,
)

from gpumarket.chain.deploy import deploy_protocol, name32
from gpumarket.chain.types import HOUR, JobSpec, Offer

GMKT = 10**18
USDC = 10**6
MIN_STAKE = 1_000 * GMKT
PROVIDER_STAKE = 5_000 * GMKT
STABLE_BOND_MIN = 10 * USDC
#: The stablecoin's `Reputation.minCreditedValue` in these tests.
STABLE_CREDIT_MIN = 10 * USDC


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Snapshot the chain before each test and revert to it afterwards, so every test starts from
    the same deployed state whatever the previous one did."""


# ---------------------------------------------------------------- accounts by role


@pytest.fixture(scope="session")
def governance():
    return accounts[0]


@pytest.fixture(scope="session")
def treasury():
    return accounts[1]


@pytest.fixture(scope="session")
def arbiter():
    return accounts[2]


@pytest.fixture(scope="session")
def verifier():
    return accounts[3]


@pytest.fixture(scope="session")
def buyer():
    return accounts[4]


@pytest.fixture(scope="session")
def buyer2():
    return accounts[5]


@pytest.fixture(scope="session")
def provider():
    return accounts[6]


@pytest.fixture(scope="session")
def provider2():
    return accounts[7]


@pytest.fixture(scope="session")
def provider3():
    return accounts[8]


@pytest.fixture(scope="session")
def stranger():
    return accounts[9]


# ---------------------------------------------------------------- more accounts, by what they are

# Accounts 10..19 play the roles of single directories. Where two directories never meet, their
# names share an account, so no test may take two names of one account:
#   10  provider4, payee
#   11  buyer3
#   12  opener, market_role, writer, benchmark_stand_in
#   13  slasher, finder, jailed_provider
#   14  beneficiary, sybil
#   15  second_market, spender
#   10..19  oracles
# A role that a name gives is granted where the name is used (a directory's conftest overrides
# the fixture and grants it), never here.


@pytest.fixture(scope="session")
def provider4():
    """A fourth provider (JobMarket's best-bid tests)."""
    return accounts[10]


@pytest.fixture(scope="session")
def payee():
    """An address a blocked account controls and asks its claims to be paid to."""
    return accounts[10]


@pytest.fixture(scope="session")
def buyer3():
    """A third buyer, for a flow whose balances must not mix with the other buyers'."""
    return accounts[11]


@pytest.fixture(scope="session")
def opener():
    """Stands in for the market: the BenchmarkRegistry unit tests grant it OPENER_ROLE."""
    return accounts[12]


@pytest.fixture(scope="session")
def market_role():
    """Stands in for a market: the ProviderRegistry unit tests grant it MARKET_ROLE."""
    return accounts[12]


@pytest.fixture(scope="session")
def writer():
    """Stands in for the market and the benchmark registry: the Reputation unit tests grant it
    WRITER_ROLE."""
    return accounts[12]


@pytest.fixture(scope="session")
def benchmark_stand_in():
    """Stands in for the BenchmarkRegistry contract: the market's benchmark registry that reports
    frauds (adversarial rounding), a slasher beside the market (stateful)."""
    return accounts[12]


@pytest.fixture(scope="session")
def slasher():
    """Holds SLASHER_ROLE and nothing else: the ProviderRegistry unit tests grant it."""
    return accounts[13]


@pytest.fixture(scope="session")
def finder():
    """A third party that proves frauds and collects the finder's fee."""
    return accounts[13]


@pytest.fixture(scope="session")
def jailed_provider():
    """A fourth provider, which the adversarial deadline tests slash so that it is jailed."""
    return accounts[13]


@pytest.fixture(scope="session")
def beneficiary():
    """Who receives slashed stake."""
    return accounts[14]


@pytest.fixture(scope="session")
def sybil():
    """A second account of an attacking provider: what it receives, the provider gets back
    (the adversarial incentive tests)."""
    return accounts[14]


@pytest.fixture(scope="session")
def second_market():
    """Stands in for another market: the ProviderRegistry unit tests grant it MARKET_ROLE, and
    its lock ids live in their own namespace."""
    return accounts[15]


@pytest.fixture(scope="session")
def spender():
    """Spends a MarketToken allowance (the token's unit tests)."""
    return accounts[15]


@pytest.fixture(scope="session")
def oracles():
    """Ten oracle accounts (dev accounts 10..19) for the council's unit tests."""
    return list(accounts[10:20])


# ---------------------------------------------------------------- deployment


@pytest.fixture(scope="session")
def deployed_base(governance, treasury, arbiter, verifier):
    """The protocol as deployed for most modules, deployed once per chain (per xdist worker).

    The chain's reset point (Brownie's `chain.reset()`, which `module_isolation` calls before and
    after every module) is moved to just after this deployment, so a module starts from the
    deployed protocol and nothing a module did, rather than from genesis and a fresh deployment
    of its own: about a second less per module, of some 180. A module that deploys its own
    (a directory's `protocol` fixture) does so on top; nothing here is visible to it but the
    extra contracts and the deployer's nonce.
    """
    chain.reset()
    deployment = deploy_protocol(
        governance, treasury.address, arbiter=arbiter.address, verifier=verifier.address
    )
    chain._reset_id = chain._current_id = chain._take_snapshot()  # noqa: SLF001 - see above
    return deployment


@pytest.fixture(scope="module")
def module_isolation(deployed_base):
    """Brownie's `module_isolation`, resetting to the deployed base (`deployed_base`)."""
    chain.reset()
    yield
    chain.reset()


@pytest.fixture(scope="module")
def protocol(deployed_base):
    return deployed_base


@pytest.fixture(scope="module")
def gmkt(protocol):
    return protocol.token


@pytest.fixture(scope="module")
def registry(protocol):
    return protocol.registry


@pytest.fixture(scope="module")
def market(protocol):
    return protocol.market


@pytest.fixture(scope="module")
def reputation(protocol):
    return protocol.reputation


@pytest.fixture(scope="module")
def benchmark(protocol):
    return protocol.benchmark


@pytest.fixture(scope="module")
def council(protocol):
    return protocol.council


@pytest.fixture(scope="module")
def usdc(governance, market, reputation):
    """A 6-decimal stablecoin, allowlisted; its jobs of 10 USDC or more count toward reputation."""
    token = MockERC20.deploy("USD Coin", "USDC", 6, {"from": governance})
    market.configureToken(token, True, STABLE_BOND_MIN, {"from": governance})
    reputation.setMinCreditedValue(token, STABLE_CREDIT_MIN, {"from": governance})
    return token


@pytest.fixture(scope="module")
def no_return_token(governance, market):
    token = NoReturnToken.deploy({"from": governance})
    market.configureToken(token, True, STABLE_BOND_MIN, {"from": governance})
    return token


@pytest.fixture(scope="module")
def fee_token(governance, market):
    token = FeeOnTransferToken.deploy({"from": governance})
    market.configureToken(token, True, 10 * GMKT, {"from": governance})
    return token


@pytest.fixture(scope="module")
def blacklist_token(governance, market):
    token = BlacklistToken.deploy({"from": governance})
    market.configureToken(token, True, STABLE_BOND_MIN, {"from": governance})
    return token


@pytest.fixture(scope="module")
def reentrant_token(governance, market):
    token = ReentrantToken.deploy({"from": governance})
    market.configureToken(token, True, 10 * GMKT, {"from": governance})
    return token


@pytest.fixture(scope="module")
def payment_tokens(gmkt, usdc, no_return_token, blacklist_token, reentrant_token):
    """Every allowlisted payment token by name."""
    return {
        "gmkt": gmkt,
        "usdc": usdc,
        "no_return": no_return_token,
        "blacklist": blacklist_token,
        "reentrant": reentrant_token,
    }


@pytest.fixture(params=["gmkt", "usdc", "no_return"])
def pay_token(request, payment_tokens):
    """The payment token, parametrised over 18 decimals, 6 decimals and USDT-style no-return."""
    return payment_tokens[request.param]


# ---------------------------------------------------------------- factories


@pytest.fixture(scope="module")
def fund(governance, gmkt):
    """fund(account, token, amount): give `account` tokens (GMKT from governance, mocks minted)."""

    def _fund(account, token, amount):
        if token.address == gmkt.address:
            gmkt.transfer(account, amount, {"from": governance})
        else:
            token.mint(account, amount, {"from": governance})

    return _fund


@pytest.fixture(scope="module")
def make_provider(gmkt, registry, fund, payment_tokens, usdc):
    """make_provider(account, stake=..., offer=Offer(), prices=None): stake and register.

    By default the provider accepts every payment token at 1 unit per GPU-hour of that token.
    """

    def _make(account, stake=PROVIDER_STAKE, offer=None, prices=None):
        fund(account, gmkt, stake)
        gmkt.approve(registry, stake, {"from": account})
        registry.stake(stake, {"from": account})
        if prices is None:
            prices = {t.address: 10 ** _decimals(t) for t in payment_tokens.values()}
        registry.register(
            (offer or Offer()).as_tuple(),
            list(prices.keys()),
            list(prices.values()),
            {"from": account},
        )
        return account

    return _make


def _decimals(token):
    return token.decimals()


@pytest.fixture(scope="module")
def post_job(market, fund):
    """post_job(buyer, token, max_price, spec=JobSpec(), bidding=HOUR, provider=zero): fund,
    approve and post; returns the job id."""

    def _post(buyer, token, max_price, spec=None, bidding=HOUR, provider=None):
        spec = spec or JobSpec()
        deposit = market.costOf(max_price, spec.gpu_count, spec.duration)
        fund(buyer, token, deposit)
        token.approve(market, deposit, {"from": buyer})
        tx = market.postJob(
            spec.as_tuple(),
            token,
            max_price,
            bidding,
            provider or "0x0000000000000000000000000000000000000000",
            {"from": buyer},
        )
        return tx.return_value

    return _post


@pytest.fixture(scope="module")
def param(market, registry, governance):
    """param(contract, name, value): set a governance parameter."""

    def _set(contract, name, value):
        return contract.setParameter(name32(name), value, {"from": governance})

    return _set


# ---------------------------------------------------------------- speed


def _revert_containers_without_code_reads() -> None:
    """Brownie's revert (after every test) asks the node for the code of every contract it
    knows, to drop those the revert undid. A contract deployed by a transaction in a block at or
    below the height reverted to is still there, so only the others need asking: those deployed
    above it are dropped by their block alone, and only contracts Brownie knows by address
    (`.at`, no transaction) need the code read. With the protocol deployed once per chain
    (`deployed_base`), that was a dozen reads per test for modules that never touch it."""
    from brownie.network.contract import ContractContainer

    def _revert(self, height: int) -> None:
        from brownie import web3

        reverted = []
        for contract in self._contracts:
            block = contract.tx.block_number if contract.tx else None
            if block is not None:
                if block > height:
                    reverted.append(contract)
            elif len(web3.eth.get_code(contract.address).hex().removeprefix("0x")) <= 2:
                reverted.append(contract)
        for contract in reverted:
            self.remove(contract)
            contract._reverted = True  # noqa: SLF001 - Brownie's own flag, as its _revert sets it

    ContractContainer._revert = _revert  # noqa: SLF001


_revert_containers_without_code_reads()


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """Under `-n N` each xdist worker runs its own chain (gpumarket.chain.launcher)."""
    from gpumarket.chain.launcher import configure_xdist_worker

    configure_xdist_worker(config)


#: Test files that take a minute or more each (pytest --durations): run first, so that under
#: `-n N` no worker is left with one of them while the others have finished.
SLOW_FIRST = (
    "tests/stateful/",
    "tests/services/oracle/test_oracle_processes.py",
    "tests/unit/OracleCouncil/test_council_model.py",
    "tests/live/",
    "tests/adversarial/test_rounding.py",
    "tests/services/e2e/",
    "tests/bench/",
    "tests/test_demo.py",
)


def _slow_rank(item) -> int:
    for rank, prefix in enumerate(SLOW_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(SLOW_FIRST)


def pytest_collection_finish(session):
    """Freeze everything imported and collected so far out of the garbage collector's view.

    Brownie runs `gc.collect()` on every chain revert, that is after every test, and with
    Brownie, numpy and torch loaded a full collection costs over 0.1 s: more than the test. Frozen
    objects are never freed, which is right for modules and collected tests; objects the tests
    create later are collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()


# ---------------------------------------------------------------- coverage report


#: Under --coverage, tests under these folders send each view call as a traced transaction, so
#: that views count: the unit tests, which assert every view on its own. Elsewhere (integration,
#: stateful, role matrix) calls stay calls, which keeps those runs near their normal speed.
TRACED_CALL_FOLDERS = ("tests/unit/",)


def pytest_collection_modifyitems(config, items):
    """The slowest files first (SLOW_FIRST; a stable sort, so each file's tests stay together
    and in order). Under --coverage, trace the view calls of the unit tests only (Brownie's
    `no_call_coverage` marker on every other test), and keep anvil's clock across traced calls
    (`gpumarket.testing.coverage.keep_clock_across_traced_calls`)."""
    from brownie._config import CONFIG

    items.sort(key=_slow_rank)

    if not CONFIG.argv.get("coverage"):
        return
    from gpumarket.testing.coverage import keep_clock_across_traced_calls

    keep_clock_across_traced_calls()
    for item in items:
        if not item.nodeid.startswith(TRACED_CALL_FOLDERS):
            item.add_marker("no_call_coverage")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """Fixtures make plain calls, also under --coverage.

    Brownie's `no_call_coverage` applies to the test body only: fixtures sent each call as a
    traced transaction and reverted it, and anvil's revert dropped any `chain.sleep` not yet
    mined, so module fixtures that sleep and then read (the reentrant-token `hook`, the
    abandoned dispute) failed under --coverage only. `keep_clock_across_traced_calls` now keeps
    the clock anyway; fixtures' reads are not what coverage measures, and plain calls are faster.
    """
    from brownie._config import CONFIG

    traced = CONFIG.argv["always_transact"]
    CONFIG.argv["always_transact"] = False
    try:
        yield
    finally:
        CONFIG.argv["always_transact"] = traced


def pytest_sessionfinish(session):
    """With --coverage, write reports/coverage-summary.json (gpumarket.testing.coverage)."""
    from pathlib import Path

    from gpumarket.testing.coverage import write_session_report

    lines = write_session_report(Path(session.config.rootpath))
    if lines:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.section("Solidity coverage (contracts/, mocks excluded)")
        for line in lines:
            reporter.write_line(line)
