"""Oracle settings, from the environment (prefix GPUMARKET_ORACLE_) or CLI options."""

from __future__ import annotations

from pydantic import Field

from gpumarket.runtime.envsettings import SettingsConfigDict
from gpumarket.runtime.settings import ServiceSettings


class OracleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GPUMARKET_ORACLE_")

    #: Seconds, from this oracle's first try, during which a provider's reveals or result may be
    #: unreachable before it votes FAIL for missing them: the whole wait of an attestation (whose
    #: FAIL slashes nothing), and for a job only the least this oracle must have seen it
    #: unreachable itself. A job's provider is failed as unreachable only by a try that began after
    #: its verdict wait has ended on-chain (`jobOf().windowStart`: the result, plus the
    #: `attestTimeout` of the job's terms), so a flood must last that long (issue 15, attack 8).
    reveal_timeout: float = Field(default=120.0, gt=0)
    #: Seconds before trying again a provider that gave no usable answer; the wait doubles after
    #: each unreachable try, up to `retry_backoff_cap`. When a job's verdict wait ends, the next
    #: step tries at once, whatever the backoff.
    retry_backoff: float = Field(default=5.0, gt=0)
    retry_backoff_cap: float = Field(default=300.0, gt=0)
    #: Seconds to connect to a provider's agent, and between two reads of its answer.
    http_timeout: float = Field(default=10.0, gt=0)
    #: Seconds, from connect to last byte, that all the fetches for one challenge together may
    #: take (its reveals, and a job's artifact): a total deadline, so a peer trickling bytes
    #: under `http_timeout` still ends here, as unreachable (tried again, see `reveal_timeout`).
    judge_timeout: float = Field(default=60.0, gt=0)
    #: Challenges judged at once, each in a worker thread: a slow or hostile provider holds one
    #: worker until its deadline and never delays a verdict on another challenge.
    judge_workers: int = Field(default=8, ge=1, le=64)
    #: Most multiply-adds this oracle spends verifying one challenge (S·K·n², S the registry's
    #: `sampleCount(K)`). A challenge over it is neither fetched nor verified: it gets no vote
    #: from this oracle, and is logged and counted (`over_budget`). Unset: what the chain
    #: admits, `sampleCount(1)` (the most S of any K) times the benchmark registry's
    #: `maxSampleOps`, read when a judgement starts, so that every challenge the caps let open
    #: is judged. Set it lower only on a machine that cannot afford that.
    max_verify_ops: int | None = Field(default=None, ge=1)
    #: Whether endpoints and result URIs named on-chain may point at private, loopback,
    #: link-local or other non-public addresses. Unset: allowed on a dev chain (chain id 1337 or
    #: 31337, where the agents run on 127.0.0.1) and refused on any other. A live oracle should
    #: leave it unset or set it false, so no provider can aim it at its own network.
    allow_private_endpoints: bool | None = None
    #: Most ballots in one voteBatch transaction.
    batch_size: int = Field(default=32, ge=1, le=256)
    #: A hardware attestation passes when its throughput reaches this fraction of the claimed
    #: model's reference int8 TOPS (DESIGN: minBenchmarkFraction).
    min_benchmark_fraction: float = Field(default=0.4, ge=0, le=1)
    #: Largest artifact fetched from an agent.
    max_artifact_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    #: Port of the oracle's Prometheus metrics (http://metrics_host:metrics_port/metrics); unset:
    #: not served (0: a free port, logged).
    metrics_port: int | None = Field(default=None, ge=0, le=65_535)
    metrics_host: str = "127.0.0.1"
