"""Prometheus metrics of the services (`prometheus-client`): the figures an operator watches.

Each service has its own registry (so several run in one process, as in the tests), built here;
the agent serves it at ``GET /metrics`` on its HTTP port, the oracle on `metrics_port` when set
(`serve`). Names are ``gpumarket_agent_*`` and ``gpumarket_oracle_*``; counters end in
``_total`` as Prometheus writes them.

| metric | type | what |
|---|---|---|
| `*_blocks_behind` | gauge | the head the last step read, minus the log cursor after it |
| `*_rpc_errors_total` | counter | RPC tries that failed (each is retried with backoff) |
| `*_step_errors_total` | counter | steps that ended in an error (a refused action, an RPC outage) |
| `*_last_step_timestamp_seconds` | gauge | Unix time the last step ended |
| `agent_pending_challenges`, `agent_pending_jobs` | gauge | work the agent has yet to finish |
| `agent_proofs_total`, `agent_proof_seconds_total` | counter | PoGEMM proofs made, and their time |
| `agent_transactions_total{function}` | counter | transactions mined (commit, submitResult, ...) |
| `agent_http_requests_total{route,status}` | counter | requests answered |
| `agent_http_refused_total{reason}` | counter | connections and requests the guard refused or cut |
| `agent_http_connections` | gauge | connections open |
| `agent_http_council_requests_total` | counter | requests signed by a council member |
| `oracle_pending_challenges`, `oracle_judging` | gauge | open challenges; judgements in flight |
| `oracle_unreachable_providers` | gauge | challenges whose provider gave no usable answer last |
| `oracle_votes_sent_total{vote}` | counter | ballots sent (`ok`, `fail`) |
| `oracle_verdicts_total{reason}` | counter | verdicts reached, by reason (`ok`, ...) |
| `oracle_fetch_failures_total` | counter | tries that got no usable answer from a provider |
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
    start_http_server,
)

__all__ = ["CONTENT_TYPE_LATEST", "AgentMetrics", "OracleMetrics", "generate_latest", "serve"]


class _ServiceMetrics:
    """What both services report: how far behind the chain they are, and their errors."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        prefix = f"gpumarket_{service}"
        self.prefix = prefix
        self.blocks_behind = Gauge(
            f"{prefix}_blocks_behind",
            "The chain head the last step read, minus the log cursor after it.",
            registry=self.registry,
        )
        self.rpc_errors = Counter(
            f"{prefix}_rpc_errors",
            "RPC tries that failed (each is retried with backoff).",
            registry=self.registry,
        )
        self.step_errors = Counter(
            f"{prefix}_step_errors",
            "Steps that ended in an error.",
            registry=self.registry,
        )
        self.last_step = Gauge(
            f"{prefix}_last_step_timestamp_seconds",
            "Unix time at which the last step ended.",
            registry=self.registry,
        )

    def rpc_failed(self, what: str, exc: BaseException) -> None:
        """For `ChainClient.on_rpc_failure`."""
        self.rpc_errors.inc()

    def stepped(self, head: int | None, cursor: int | None) -> None:
        if head is not None and cursor is not None:
            self.blocks_behind.set(max(0, head - cursor))
        self.last_step.set(time.time())

    def text(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


class AgentMetrics(_ServiceMetrics):
    def __init__(self) -> None:
        super().__init__("agent")
        p, r = self.prefix, self.registry
        self.pending_challenges = Gauge(
            f"{p}_pending_challenges", "Challenges not yet proved and committed.", registry=r
        )
        self.pending_jobs = Gauge(f"{p}_pending_jobs", "Jobs not yet submitted.", registry=r)
        self.proofs = Counter(f"{p}_proofs", "PoGEMM proofs made.", registry=r)
        self.proof_seconds = Counter(
            f"{p}_proof_seconds", "Seconds spent making PoGEMM proofs.", registry=r
        )
        self.transactions = Counter(
            f"{p}_transactions", "Transactions mined, by function.", ["function"], registry=r
        )
        self.http_requests = Counter(
            f"{p}_http_requests", "HTTP requests answered.", ["route", "status"], registry=r
        )
        self.http_refused = Counter(
            f"{p}_http_refused",
            "Connections and requests the server refused or cut, by reason.",
            ["reason"],
            registry=r,
        )
        self.http_connections = Gauge(f"{p}_http_connections", "Connections open.", registry=r)
        self.council_requests = Counter(
            f"{p}_http_council_requests",
            "Requests signed by a member of the oracle council (served from the reserved room).",
            registry=r,
        )

    def watch_connections(self, count: Callable[[], int]) -> None:
        self.http_connections.set_function(lambda: float(count()))


class OracleMetrics(_ServiceMetrics):
    def __init__(self) -> None:
        super().__init__("oracle")
        p, r = self.prefix, self.registry
        self.pending_challenges = Gauge(
            f"{p}_pending_challenges", "Open challenges this oracle follows.", registry=r
        )
        self.judging = Gauge(f"{p}_judging", "Judgements in flight.", registry=r)
        self.unreachable = Gauge(
            f"{p}_unreachable_providers",
            "Challenges whose provider gave no usable answer at the last try.",
            registry=r,
        )
        self.votes_sent = Counter(f"{p}_votes_sent", "Ballots sent, by vote.", ["vote"], registry=r)
        self.verdicts = Counter(
            f"{p}_verdicts", "Verdicts reached, by reason.", ["reason"], registry=r
        )
        self.fetch_failures = Counter(
            f"{p}_fetch_failures",
            "Tries that got no usable answer from a provider.",
            registry=r,
        )
        self.over_budget = Counter(
            f"{p}_over_budget",
            "Challenges left unjudged: verifying them would cost more than max_verify_ops.",
            registry=r,
        )


def serve(metrics: _ServiceMetrics, host: str, port: int) -> tuple[Callable[[], None], int]:
    """Serve `metrics` at http://host:port/metrics from a daemon thread (prometheus-client's
    own server); returns a function that stops it, and the bound port (`port` 0: a free one)."""
    server, thread = start_http_server(port, addr=host, registry=metrics.registry)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop, int(server.server_address[1])
