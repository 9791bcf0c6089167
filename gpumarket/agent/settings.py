"""Agent settings, read from the environment (prefix GPUMARKET_AGENT_)."""

from __future__ import annotations

from pydantic import Field

from gpumarket.agent.guard import Limits
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
    #: A seed must be stored within 256 blocks, or the challenge fails. Of those, the blocks the
    #: agent leaves to others before it stores a seed itself: the sampling seed of its commitment
    #: when no oracle has, and the challenge seed before proving when the commitment (which
    #: stores it) may come later than that.
    seed_guard_blocks: int = Field(default=128, ge=1, le=250)
    #: The prover's operations per second assumed for the first proof when predicting its time
    #: (later ones take the last proof's measured rate).
    assumed_ops_per_second: float = Field(default=1e12, gt=0)
    log_level: str = "INFO"

    # The HTTP server's limits against hostile clients (`gpumarket.agent.guard`).
    #: Connections at once, in all and from one client address.
    max_connections: int = Field(default=Limits.max_connections, ge=2)
    max_connections_per_ip: int = Field(default=Limits.max_connections_per_ip, ge=1)
    #: Requests in progress at once, in all and for one client address.
    max_requests: int = Field(default=Limits.max_requests, ge=1)
    max_requests_per_ip: int = Field(default=Limits.max_requests_per_ip, ge=1)
    #: Of `max_requests`, those kept for requests signed by a member of the oracle council.
    council_reserved: int = Field(default=Limits.council_reserved, ge=0)
    #: Seconds for a connection to deliver a complete request head (from its opening, and from
    #: the end of each answer), for a request's body, and for a whole request and its answer.
    header_timeout: float = Field(default=Limits.header_timeout, gt=0)
    body_timeout: float = Field(default=Limits.body_timeout, gt=0)
    request_timeout: float = Field(default=Limits.request_timeout, gt=0)
    #: Largest request body read (a reveals request for 4,096 positions is under 64 KiB).
    max_body_bytes: int = Field(default=Limits.max_body_bytes, ge=1_024)
    #: Requests one kept-alive connection may carry, and its idle seconds between them.
    max_requests_per_connection: int = Field(default=Limits.max_requests_per_connection, ge=1)
    keepalive_timeout: float = Field(default=Limits.keepalive_timeout, gt=0)
    #: Seconds between two reads of the council's members (who gets the reserved room).
    council_refresh: float = Field(default=60.0, gt=0)

    def limits(self) -> Limits:
        """The server's `Limits` from these settings (ValueError if they contradict)."""
        return Limits(
            max_connections=self.max_connections,
            max_connections_per_ip=self.max_connections_per_ip,
            max_requests=self.max_requests,
            max_requests_per_ip=self.max_requests_per_ip,
            council_reserved=self.council_reserved,
            header_timeout=self.header_timeout,
            body_timeout=self.body_timeout,
            request_timeout=self.request_timeout,
            max_body_bytes=self.max_body_bytes,
            max_requests_per_connection=self.max_requests_per_connection,
            keepalive_timeout=self.keepalive_timeout,
        )

    def endpoint(self, port: int | None = None) -> str:
        """The public base URL, given the port actually bound when `port` was 0."""
        if self.public_endpoint:
            return self.public_endpoint.rstrip("/")
        return f"http://{self.host}:{port if port is not None else self.port}"


class AgentError(RuntimeError):
    """The agent cannot run as configured: no signing key, or a prover (`Agent.make_proof`)
    that answers for other parameters than it was asked."""
