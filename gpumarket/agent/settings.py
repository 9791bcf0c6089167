"""Agent settings, read from the environment (prefix GPUMARKET_AGENT_)."""

from __future__ import annotations

from pydantic import Field

from gpumarket.runtime.envsettings import SettingsConfigDict
from gpumarket.runtime.settings import ServiceSettings

#: Seconds a command workload may run when nothing else is set (it never outlives the job).
DEFAULT_COMMAND_TIMEOUT = 3_600.0


class AgentSettings(ServiceSettings):
    """`GPUMARKET_AGENT_PRIVATE_KEY`, `GPUMARKET_AGENT_RPC_URL`, `GPUMARKET_AGENT_ALLOWLIST`
    (a JSON list of command lines), and so on."""

    model_config = SettingsConfigDict(env_prefix="GPUMARKET_AGENT_")

    #: Interface the HTTP server listens on.
    host: str = "127.0.0.1"
    #: 0 picks a free port; the agent logs the one it got.
    port: int = Field(default=0, ge=0, le=65_535)
    #: The URL buyers and oracles reach the agent at (the offer's endpoint); default
    #: http://host:port.
    public_endpoint: str | None = None
    #: Exact command lines the provider trusts; a `command:` workload runs only if it is here and
    #: its sha256 is the job's workload hash.
    allowlist: list[str] = Field(default_factory=list)
    #: Upper bound on a command's run time, in seconds (the job's duration bounds it too).
    command_timeout: float = Field(default=DEFAULT_COMMAND_TIMEOUT, gt=0)
    #: Accept jobs posted directly to this provider (Render-style assignment) when their
    #: workload is one the agent runs.
    accept_direct: bool = True
    #: Bid this provider's registered price on open auctions it is eligible for and whose
    #: workload the agent runs (Akash-style bid engine).
    auto_bid: bool = True
    #: Keep every m-th checkpoint on disk; sampled rows in between are recomputed.
    keep_every: int = Field(default=1, ge=1)
    #: numpy, torch-cpu or torch-cuda; default: CUDA when present, else numpy.
    pogemm_backend: str | None = None
    log_level: str = "INFO"

    def endpoint(self, port: int | None = None) -> str:
        """The public base URL, given the port actually bound when `port` was 0."""
        if self.public_endpoint:
            return self.public_endpoint.rstrip("/")
        return f"http://{self.host}:{port if port is not None else self.port}"


class AgentError(RuntimeError):
    """The agent cannot run as configured: no signing key, or a prover (`Agent.make_proof`)
    that answers for other parameters than it was asked."""
