"""Who may call each BenchmarkRegistry function: (function, caller, allowed). Storing the sampling
seed and proving a fraud are open to anyone: they only act on facts the chain can check."""

from types import SimpleNamespace

import brownie
import pytest

from gpumarket.chain.deploy import name32

from .helpers import DEFAULT_ADMIN_ROLE, FORGED_ROW, commitment, err, fraud_args, params_of

JOB_ID = 7

PERMISSIONS = [
    ("open", "opener", True),
    ("open", "governance", False),
    ("open", "verifier", False),
    ("open", "stranger", False),
    ("commit", "provider", True),
    ("commit", "opener", False),
    ("commit", "governance", False),
    ("commit", "stranger", False),
    ("storeSamplingSeed", "stranger", True),
    ("proveFraud", "stranger", True),
    ("recordAttestation", "verifier", True),
    ("recordAttestation", "governance", False),
    ("recordAttestation", "opener", False),
    ("recordAttestation", "provider", False),
    ("setParameter", "governance", True),
    ("setParameter", "opener", False),
    ("setParameter", "verifier", False),
    ("setParameter", "stranger", False),
    ("setAddress", "governance", True),
    ("setAddress", "opener", False),
    ("setAddress", "verifier", False),
    ("setAddress", "stranger", False),
    ("grantRole", "governance", True),
    ("grantRole", "opener", False),
    ("grantRole", "stranger", False),
    ("revokeRole", "governance", True),
    ("revokeRole", "opener", False),
    ("revokeRole", "stranger", False),
]


@pytest.fixture(scope="module")
def setup(benchmark, list_provider, provider):
    """`provider`'s attestations: `forged` committed (a block ago) with a forged X0 row, and
    `pending` open."""
    list_provider(provider)
    opened = benchmark.open(0, provider, 64, 8, 2, {"from": provider})
    forged = commitment(params_of(opened), [FORGED_ROW])
    benchmark.commit(opened.return_value, forged.root, {"from": provider})
    pending = benchmark.open(0, provider, 64, 8, 2, {"from": provider}).return_value
    return SimpleNamespace(forged=opened.return_value, proof=forged, pending=pending)


def _call(function, benchmark, setup, provider, opener, account):
    tx = {"from": account}
    calls = {
        "open": lambda: benchmark.open(JOB_ID, provider, 64, 8, 2, tx),
        "commit": lambda: benchmark.commit(setup.pending, b"\x01" * 32, tx),
        "storeSamplingSeed": lambda: benchmark.storeSamplingSeed(setup.forged, tx),
        "proveFraud": lambda: benchmark.proveFraud(
            setup.forged, *fraud_args(setup.proof, FORGED_ROW), tx
        ),
        "recordAttestation": lambda: benchmark.recordAttestation(setup.pending, False, 1, tx),
        "setParameter": lambda: benchmark.setParameter(name32("finderFeeBps"), 1, tx),
        "setAddress": lambda: benchmark.setAddress(name32("treasury"), provider, tx),
        "grantRole": lambda: benchmark.grantRole(benchmark.OPENER_ROLE(), provider, tx),
        "revokeRole": lambda: benchmark.revokeRole(benchmark.OPENER_ROLE(), opener, tx),
    }
    return calls[function]()


def _denial(function, benchmark, setup, account):
    if function == "commit":
        return err("BenchmarkRegistryNotProvider", setup.pending, account)
    if function == "recordAttestation":
        return err("BenchmarkRegistryNotVerifier", account)
    role = {
        "open": benchmark.OPENER_ROLE(),
        "setParameter": benchmark.GOVERNOR_ROLE(),
    }.get(function, DEFAULT_ADMIN_ROLE)
    return err("AccessControlUnauthorizedAccount", account, role)


@pytest.mark.parametrize(
    "function, caller, allowed",
    PERMISSIONS,
    ids=[f"{f}-{c}-{'allowed' if a else 'denied'}" for f, c, a in PERMISSIONS],
)
def test_permission(benchmark, setup, provider, opener, function, caller, allowed, request):
    account = request.getfixturevalue(caller)

    if allowed:
        tx = _call(function, benchmark, setup, provider, opener, account)
        assert tx.status == 1
    else:
        with brownie.reverts(_denial(function, benchmark, setup, account)):
            _call(function, benchmark, setup, provider, opener, account)
