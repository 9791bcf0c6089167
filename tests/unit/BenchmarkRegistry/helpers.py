"""Constants, revert strings, time control and PoGEMM commitments for BenchmarkRegistry tests."""

from __future__ import annotations

from brownie import chain, web3

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import ChallengeState as ChallengeState
from gpumarket.pogemm import spec
from gpumarket.pogemm.backends import NumpyBackend
from gpumarket.pogemm.prover import Proof, prove
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.seeds import challenge_params as challenge_params
from gpumarket.testing.seeds import challenge_seed_of as challenge_seed_of
from gpumarket.testing.seeds import mine_until as mine_until
from gpumarket.testing.values import event as event
from gpumarket.testing.values import plain as plain
from gpumarket.testing.values import set_next_block_timestamp as set_next_block_timestamp

GMKT = 10**18
HOUR = 3600
DAY = 24 * HOUR
STAKE = 5_000 * GMKT
#: Registry defaults of the deployed protocol.
JAIL_PERIOD = 3 * DAY
#: BenchmarkRegistry defaults.
BENCHMARK_WINDOW = HOUR
ATTESTATION_SLASH = 100 * GMKT
FINDER_FEE_BPS = 5_000
#: What an attestation locks beside its bond at the defaults: finderFeeBps of it, for a prover.
BOUNTY = 50 * GMKT
#: An attestation's whole lock: the bond and the bounty.
ATTESTATION_LOCK = ATTESTATION_SLASH + BOUNTY
MAX_BPS = 10_000
#: The caps on a challenge's sizes, as deployed (DESIGN 5.8).
CAPS = {
    "maxN": 16_384,
    "maxSteps": 2**20,
    "maxInterval": 1_024,
    "maxSampleOps": 2**34,
    "maxProverOps": 2**58,
}
#: BenchmarkRegistry.MAX_PROVER_RATE: multiply-adds per second (a B200's 4,500 int8 TOPS).
MAX_PROVER_RATE = 2_250_000_000_000_000
#: The test sizes of DESIGN section 5: 320 leaves, so every proof has depth 9.
N, STEPS, INTERVAL = 64, 8, 2
DEPTH = 9
#: The checkpoint-0 row the forged commitments change.
FORGED_ROW = 5
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO32 = b"\0" * 32
DEFAULT_ADMIN_ROLE = ZERO32

#: Send a transaction even though it reverts, so it is mined (at a timestamp or block the test
#: chose) instead of failing in gas estimation against the pending block.
MINED = {"gas_limit": 2_000_000, "allow_revert": True}


def assert_bond_slashed_to_treasury(tx, gmkt, registry, treasury, provider, challenge, before):
    """A failed attestation's ending: its bond slashed from the lock to the treasury (whose
    balance was `before`), its bounty free stake again, and the other attestation's lock kept."""
    assert plain(dict(tx.events["StakeSlashed"])) == {
        "provider": provider.address,
        "lockId": challenge,
        "beneficiary": treasury.address,
        "amount": ATTESTATION_SLASH,
        "fromLocked": ATTESTATION_SLASH,
        "fromFree": 0,
        "fromUnbonding": 0,
    }
    assert gmkt.balanceOf(treasury) - before == ATTESTATION_SLASH
    info = registry.providerInfo(provider)
    assert (info["stake"], info["locked"]) == (STAKE - ATTESTATION_SLASH, ATTESTATION_LOCK)


def out_of_bounds(name: str, value: int, low: int, high: int) -> str:
    return err("BenchmarkRegistryParameterOutOfBounds", name32(name), value, low, high)


def not_ready(challenge_id: int, commit_block: int) -> str:
    """The revert of reading a sampling seed before block commitBlock + 2 exists."""
    return err("BenchmarkRegistrySamplingSeedNotReady", challenge_id, commit_block + 2)


def seed_not_ready(challenge_id: int, open_block: int) -> str:
    """The revert of reading a challenge seed before block openBlock + 2 exists."""
    return err("BenchmarkRegistryChallengeSeedNotReady", challenge_id, open_block + 2)


#: More blocks than blockhash reaches back (256).
PAST_BLOCKHASH_WINDOW = 260


def mine_past_blockhash_window() -> None:
    """`chain.mine(PAST_BLOCKHASH_WINDOW)`, in one RPC call on anvil (20 times faster)."""
    if web3.client_version.lower().startswith("anvil"):
        web3.provider.make_request("anvil_mine", [hex(PAST_BLOCKHASH_WINDOW)])
    else:
        chain.mine(PAST_BLOCKHASH_WINDOW)


def block_hash(number: int) -> bytes:
    return bytes(web3.eth.get_block(number)["hash"])


def commitment(params: spec.Params, forged_rows=()) -> Proof:
    """The provider's Merkle commitment over every checkpoint: the prover's own, or, with
    `forged_rows`, one where each of those rows of X0 is replaced by its bitwise complement (still
    in [-8, 7], different in every entry) and the later checkpoints are computed honestly from
    the forged X0, so only checkpoint 0 lies."""
    if not forged_rows:
        return prove(params, NumpyBackend())
    b = spec.b_matrix(params.seed, params.n)
    x = spec.x0(params.seed, params.n).copy()
    for row in forged_rows:
        x[row] = ~x[row]
    rows = range(params.n)
    checkpoints = [x]
    for c in range(params.intervals):
        checkpoints.append(spec.advance(params, checkpoints[-1], rows, c, c + 1, b))
    return Proof.from_checkpoints(params, checkpoints, b)


def fraud_args(proof: Proof, row: int) -> tuple:
    """(row, committed row bytes, Merkle proof) of checkpoint-0 row `row`, for proveFraud."""
    reveal = proof.reveal(0, row)
    return row, reveal.row, list(reveal.proof)
