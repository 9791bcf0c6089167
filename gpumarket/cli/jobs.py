"""Jobs as the CLI reads and shows them: one JSON row per job, the jobs table, and why a
provider may not take a job, in words.

A job is read as `gpumarket.chain.views.Job` (`job_of`) and, where its spec matters, as the
`JobSpec` of `specOf` (`spec_of`); the id travels beside them. A listing reads every job's views
in one JSON-RPC batch (`Session.reading`), not one round trip per field per job. Whether a
provider may take a job is the market's answer (`eligibilityOf`); this only reads the facts its
reason's sentence names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gpumarket.chain.types import Ineligibility, JobSpec, JobState
from gpumarket.chain.views import ZERO_ADDRESS, Job, job_spec, offer
from gpumarket.cli.display import address_column, short_address, table
from gpumarket.cli.errors import CliError, explain, wrong_state
from gpumarket.cli.units import format_duration

if TYPE_CHECKING:
    from gpumarket.cli.session import Session


def job_of(session: Session, job_id: int) -> Job:
    """Job `job_id` (`jobOf`), or a clear error when there is none."""
    if job_id <= 0 or job_id >= 2**256:
        raise CliError(f"there is no job {job_id}", code="JobMarketUnknownJob")
    fn = session.contract("JobMarket").functions.jobOf(job_id)
    job = Job.of(fn, session.call(fn))
    if job.state == JobState.NONE:
        raise CliError(f"there is no job {job_id}", code="JobMarketUnknownJob")
    return job


def spec_of(session: Session, job_id: int) -> JobSpec:
    """What job `job_id` asks for (`specOf`)."""
    fn = session.contract("JobMarket").functions.specOf(job_id)
    return job_spec(fn, session.call(fn))


#: The states `finalize` settles from.
FINALIZABLE = (JobState.SUBMITTED, JobState.VERIFIED, JobState.DISPUTED)


def finalize_from(session: Session, job_id: int, job: Job) -> int:
    """When `finalize` may settle job `job_id`: the end of its dispute window (`windowEndOf`), or
    once disputed the arbitration timeout (`arbitrationEndOf`); 0 in a state it does not
    settle from."""
    if job.state not in FINALIZABLE:
        return 0
    market = session.contract("JobMarket").functions
    if job.state == JobState.DISPUTED:
        return int(session.call(market.arbitrationEndOf(job_id)))
    return int(session.call(market.windowEndOf(job_id)))


def require_state(job_id: int, job: Job, *needs: JobState) -> None:
    """Refuse, in words, unless `job` is in one of the states `needs`."""
    if job.state not in needs:
        raise CliError(wrong_state(job_id, job.state, needs), code="JobMarketWrongState")


def job_dict(session: Session, job_id: int, job: Job, spec: JobSpec) -> dict[str, Any]:
    """A job as plain JSON values (amounts as decimal strings of the job's token)."""
    token = session.token(job.token)
    return {
        "job_id": job_id,
        "state": job.state.name,
        "buyer": job.buyer,
        "provider": None if job.provider == ZERO_ADDRESS else job.provider,
        "direct": job.direct,
        "token": token.symbol,
        "token_address": token.address,
        "gpu_model": spec.gpu_model or None,
        "gpus": spec.gpu_count,
        "min_vram_gib": spec.min_vram_gib,
        "region": spec.region or None,
        "duration": spec.duration,
        "max_price_per_gpu_hour": token.plain(job.max_price),
        "price_per_gpu_hour": token.plain(job.price) if job.price else None,
        "deposit": token.plain(job.deposit),
        # What the provider locks (or a match would lock now), as the market computes it.
        "collateral": session.gmkt.plain(
            int(session.call(session.contract("JobMarket").functions.collateralOf(job_id)))
        ),
        "escrow": token.plain(job.escrow),
        "bond": token.plain(job.bond),
        "bidding_ends": job.bidding_ends,
        "started_at": job.started_at or None,
        "submitted_at": job.submitted_at or None,
    }


def row_reads(session: Session, job_ids: list[int]) -> list[Any]:
    """The view calls `job_dict` of each job in `job_ids` makes (`jobOf`, `specOf`,
    `collateralOf`), to read ahead in one batch."""
    market = session.contract("JobMarket").functions
    return [
        fn(job_id)
        for job_id in job_ids
        for fn in (market.jobOf, market.specOf, market.collateralOf)
    ]


def job_rows(session: Session, job_ids: list[int]) -> list[dict[str, Any]]:
    """`job_dict` of each job in `job_ids`, in that order, read in one batch."""
    with session.reading(row_reads(session, job_ids)):
        return [
            job_dict(session, job_id, job_of(session, job_id), spec_of(session, job_id))
            for job_id in job_ids
        ]


def print_jobs(
    session: Session, rows: list[dict[str, Any]], *, other: str = "provider", wide: bool = False
) -> None:
    """`job_dict` rows as one table that fits 80 columns; `other` is the party shown (the
    provider for a buyer's jobs, the buyer for a provider's)."""
    t = table(
        "job",
        "state",
        "GPUs",
        "region",
        "time",
        "max price",
        "price",
        "collateral",
        address_column(other),
    )
    for r in rows:
        t.add_row(
            str(r["job_id"]),
            r["state"],
            f"{r['gpus']} x {r['gpu_model'] or 'any'}",
            r["region"] or "any",
            format_duration(r["duration"]),
            f"{r['max_price_per_gpu_hour']} {r['token']}",
            r["price_per_gpu_hour"] or "-",
            r["collateral"],
            short_address(r[other], wide=wide),
        )
    session.out.print(t)


def eligibility_problem(session: Session, job_id: int, job: Job, provider: str) -> str | None:
    """Why `provider` may not take job `job_id` now, in words; None when it may."""
    market = session.contract("JobMarket").functions
    reason = Ineligibility(int(session.call(market.eligibilityOf(job_id, provider))))
    if reason == Ineligibility.NONE:
        return None
    registry = session.contract("ProviderRegistry").functions
    hints = session.hints()
    j = job_id
    if reason == Ineligibility.IS_BUYER:
        return f"{provider} is the buyer of job {j} and cannot take it"
    if reason == Ineligibility.NOT_REGISTERED:
        return explain(("ProviderRegistryNotRegistered", (provider,)), hints)
    info = session.struct(registry.providerInfo(provider))
    stake, locked = int(info["stake"]), int(info["locked"])
    if reason == Ineligibility.STAKE_BELOW_MINIMUM:
        min_stake = int(session.call(registry.minStake()))
        return explain(("ProviderRegistryInsufficientStake", (provider, stake, min_stake)), hints)
    if reason == Ineligibility.JAILED:
        return explain(("ProviderRegistryJailed", (provider, info["jailedUntil"])), hints)
    if reason == Ineligibility.NO_PRICE_IN_TOKEN:
        symbol = session.token(job.token).symbol
        return (
            f"{provider} has no price in {symbol}; add one with "
            f"`gpumarket provider update --price {symbol}=...`"
        )
    spec = spec_of(session, job_id)
    offer_of = registry.offerOf(provider)
    if reason in (Ineligibility.GPU_MODEL, Ineligibility.REGION, Ineligibility.VRAM):
        offered = offer(offer_of, session.call(offer_of))
        if reason == Ineligibility.GPU_MODEL:
            return f"job {j} needs {spec.gpu_model} GPUs; {provider} offers {offered.gpu_model}"
        if reason == Ineligibility.REGION:
            return f"job {j} must run in {spec.region}; {provider} is in {offered.region}"
        return (
            f"job {j} needs {spec.min_vram_gib} GiB of VRAM per GPU; {provider} has "
            f"{offered.vram_gib}"
        )
    if reason == Ineligibility.FREE_GPUS:
        offered = offer(offer_of, session.call(offer_of))
        free = offered.gpu_count - int(info["gpusInUse"])
        return explain(
            ("ProviderRegistryInsufficientCapacity", (provider, spec.gpu_count, free)), hints
        )
    if reason == Ineligibility.FREE_STAKE:
        collateral = int(session.call(market.collateralOf(j)))
        return explain(
            ("ProviderRegistryInsufficientFreeStake", (provider, collateral, stake - locked)),
            hints,
        )
    reputation = session.contract("Reputation").functions
    if reason == Ineligibility.REPUTATION:
        score = int(session.call(reputation.score(provider)))
        needed = spec.min_reputation_bps
        return f"job {j} needs a reputation of {needed} bps; {provider} has {score}"
    tops = int(session.call(reputation.verifiedTops(provider)))
    asks = f"job {j} needs {spec.min_verified_tops} verified TOPS"
    if tops == 0:
        record = session.struct(reputation.providerRecord(provider))
        if int(record["lastVerifiedTops"]):
            # Recorded but no longer counted: older than Reputation.maxTopsAge.
            age = int(session.call(reputation.maxTopsAge()))
            return (
                f"{asks}; {provider}'s {record['lastVerifiedTops']} TOPS, verified "
                f"{session.when(int(record['topsVerifiedAt']))}, have expired (verified TOPS "
                f"count for {format_duration(age)}): attest again with `gpumarket agent attest`"
            )
    return f"{asks}; {provider} has {tops}"
