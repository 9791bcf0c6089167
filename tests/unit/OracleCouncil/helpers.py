"""Constants, the council's enums and tally as Python values, vote senders and revert reasons for
the OracleCouncil unit tests."""

from __future__ import annotations

from brownie import web3

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import ChallengeState as ChallengeState
from gpumarket.chain.types import JobSpec
from gpumarket.testing.models.council import ATTESTATION_FLAG as ATTESTATION_FLAG
from gpumarket.testing.models.council import MAX_MEMBERS as MAX_MEMBERS
from gpumarket.testing.models.council import UINT64_MAX as UINT64_MAX
from gpumarket.testing.models.council import Tally as Tally
from gpumarket.testing.models.council import Verdict as Verdict
from gpumarket.testing.reverts import custom_error as err
from gpumarket.testing.values import event as event
from gpumarket.testing.values import events as events
from gpumarket.testing.values import plain

GMKT = 10**18
HOUR = 3600
DAY = 24 * HOUR
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO32 = b"\0" * 32
DEFAULT_ADMIN_ROLE = ZERO32

#: Seated council of the unit tests: seven members (oracles 10..16), four make a verdict final.
SEATED = 7
QUORUM = 4
#: OracleCouncil defaults and bounds.
CALLBACK_GAS = 1_000_000
CALLBACK_GAS_BOUNDS = (400_000, 10_000_000)

#: A subject with no job and no attestation behind it: its callback fails harmlessly.
NO_JOB = 1_001
#: An attestation subject whose challenge does not exist: its callback fails harmlessly too, and
#: its OK verdict records the lower median of the quorum's TOPS.
NO_ATTESTATION = ATTESTATION_FLAG | NO_JOB
EVIDENCE = b"\xee" * 32
TOPS = 1_500

#: The market's and registry's defaults that the callback tests depend on.
PROVIDER_STAKE = 5_000 * GMKT
PRICE = 2 * GMKT  # a directly assigned 1-GPU, 1-hour job at 2 GMKT per GPU-hour
COLLATERAL = 10 * GMKT  # collateralPerGpuHour × 1 GPU × 1 hour
DISPUTE_WINDOW = DAY
ATTEST_TIMEOUT = 6 * HOUR
RESULT_HASH = b"\x01" * 32
RESULT_URI = "ipfs://result"
#: A job that needs a PoGEMM proof at the test sizes (n = 64, T = 8, K = 2).
BENCHMARK_SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)


#: The tally of a subject nobody has voted on.
EMPTY_TALLY = Tally(0, 0, 0, 0, Verdict.NONE, False)


def tally_of(council, subject: int) -> Tally:
    return Tally(*plain(council.tallyOf(subject)))


def bits(*indexes: int) -> int:
    """The voter bitmap of the members at these indexes of the current config."""
    return sum(1 << i for i in set(indexes))


def ballot(subject: int, verdict: Verdict = Verdict.OK, tops: int = TOPS, evidence=EVIDENCE):
    """One IOracleCouncil.Ballot."""
    return (subject, verdict, tops, evidence)


def vote(council, member, subject, verdict=Verdict.OK, tops=TOPS, evidence=EVIDENCE, **tx):
    """`member` votes on `subject` under the current config version."""
    version = council.configVersion()
    return council.vote(subject, version, verdict, tops, evidence, {"from": member, **tx})


def vote_all(council, voters, subject, verdict=Verdict.OK, tops=TOPS):
    """Each of `voters` votes `verdict` on `subject`; returns the last transaction."""
    tx = None
    for voter in voters:
        tx = vote(council, voter, subject, verdict, tops)
    return tx


def selector(signature: str) -> bytes:
    """The 4-byte selector of a function or custom error signature."""
    return bytes(web3.keccak(text=signature)[:4])


def revert_data(signature: str, *words: int) -> bytes:
    """ABI-encoded custom error with static word arguments, as a callback's revert reason."""
    return selector(signature) + b"".join(w.to_bytes(32, "big") for w in words)


def out_of_bounds(value: int) -> str:
    return err(
        "OracleCouncilParameterOutOfBounds", name32("callbackGas"), value, *CALLBACK_GAS_BOUNDS
    )


def from_contract(tx, name: str, contract) -> list[dict]:
    """Every `name` event that `contract` emitted in `tx`, as plain dicts."""
    if name not in tx.events:
        return []
    return [plain(dict(e)) for e in tx.events[name] if e.address == contract.address]
