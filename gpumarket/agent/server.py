"""The agent's HTTP server (aiohttp): reveals for the oracles, result artifacts for buyers; the
routes and their shapes are `gpumarket.agent.api`.

It answers from the persisted state only (the SQLite store and the proof and artifact files), so
it serves the same answers before and after a restart, and while the chain loop is busy proving.
Every connection and request goes through a `Guard` (`gpumarket.agent.guard`): limits per client
address and in all, deadlines for heads, bodies and answers, and room kept for the oracle council.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from gpumarket.agent import api
from gpumarket.agent.api import BadRequest
from gpumarket.agent.guard import CouncilCheck, Guard, Limits, OnRefusal, read_body
from gpumarket.agent.proofs import ProofRecord, load_proof
from gpumarket.agent.store import AgentStore
from gpumarket.pogemm.prover import Proof
from gpumarket.pogemm.reveal import Reveal
from gpumarket.runtime.metrics import CONTENT_TYPE_LATEST, AgentMetrics

log = logging.getLogger(__name__)

#: Bytes of an artifact read and sent at a time.
ARTIFACT_CHUNK = 256 * 1024
#: Proofs kept loaded; each holds its checkpoints, up to T/K + 1 matrices of n² bytes.
CACHED_PROOFS = 2


class ProofCache:
    """The last few proofs loaded from disk, shared by request threads."""

    def __init__(self, size: int = CACHED_PROOFS) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._proofs: OrderedDict[str, Proof] = OrderedDict()

    def get(self, path: str) -> Proof:
        with self._lock:
            proof = self._proofs.get(path)
            if proof is None:
                proof = load_proof(Path(path))
                self._proofs[path] = proof
                while len(self._proofs) > self._size:
                    self._proofs.popitem(last=False)
            self._proofs.move_to_end(path)
            return proof

    def reveals(self, record: ProofRecord, positions: list[tuple[int, int]]) -> list[Reveal]:
        return self.get(record.path).reveal_many(positions)


STORE_KEY = web.AppKey("store", AgentStore)
PROOFS_KEY = web.AppKey("proofs", ProofCache)
PROVIDER_KEY = web.AppKey("provider", str)
GUARD_KEY = web.AppKey("guard", Guard)
METRICS_KEY = web.AppKey("metrics", AgentMetrics)


def check_range(positions: list[tuple[int, int]], intervals: int, n: int) -> None:
    """0 <= c < T/K and 0 <= i < n: a sample reveals checkpoints c and c + 1."""
    for c, i in positions:
        if not (0 <= c < intervals and 0 <= i < n):
            raise BadRequest(f"position ({c}, {i}) out of range: c < {intervals}, i < {n}")


def _error(status: type[web.HTTPException], message: str) -> web.HTTPException:
    return status(text=json.dumps({"error": message}), content_type="application/json")


def _int_param(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise _error(web.HTTPBadRequest, f"{name} must be a non-negative integer")
    return int(raw)


async def health(request: web.Request) -> web.Response:
    jobs, challenges = request.app[STORE_KEY].counts()
    answer: api.Health = {
        "provider": request.app[PROVIDER_KEY],
        "jobs": jobs,
        "challenges": challenges,
    }
    return web.json_response(answer)


async def reveals(request: web.Request) -> web.Response:
    challenge_id = _int_param(request, "challenge_id")
    raw = await read_body(request, request.app[GUARD_KEY].limits)
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _error(web.HTTPBadRequest, "the body must be JSON") from None
    try:
        root, positions = api.parse_reveals_request(body)
    except BadRequest as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from None
    record = request.app[STORE_KEY].proof(challenge_id, root)
    if record is None:
        raise _error(web.HTTPNotFound, f"no proof for challenge {challenge_id} with that root")
    params = record.params
    try:
        check_range(positions, params.intervals, params.n)
    except BadRequest as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from None
    loop = asyncio.get_running_loop()
    # Loading a proof and recomputing rows is numpy work: off the event loop.
    answers = await loop.run_in_executor(None, request.app[PROOFS_KEY].reveals, record, positions)
    log.info(
        "reveals served",
        extra={"challenge": challenge_id, "root": "0x" + root.hex(), "positions": len(positions)},
    )
    return web.json_response(api.reveals_response(answers))


async def result(request: web.Request) -> web.StreamResponse:
    job_id = _int_param(request, "job_id")
    job = request.app[STORE_KEY].job(job_id)
    if job is None or job.artifact_path is None or not Path(job.artifact_path).is_file():
        raise _error(web.HTTPNotFound, f"no result for job {job_id}")
    # Streamed here, not as a FileResponse: the guard sends each answer within the request's
    # deadline, and aiohttp's FileResponse cannot be prepared ahead of its own handling.
    path = Path(job.artifact_path)
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    with path.open("rb") as artifact:
        response.content_length = os.fstat(artifact.fileno()).st_size
        await response.prepare(request)
        while chunk := await asyncio.to_thread(artifact.read, ARTIFACT_CHUNK):
            await response.write(chunk)
    await response.write_eof()
    return response


async def metrics_text(request: web.Request) -> web.Response:
    """The agent's Prometheus metrics (`gpumarket.runtime.metrics`)."""
    body = request.app[METRICS_KEY].text()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def _counted(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Count each answer by route template and status."""
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _count(request, route, exc.status)
        raise
    _count(request, route, response.status)
    return response


def _count(request: web.Request, route: str, status: int) -> None:
    request.app[METRICS_KEY].http_requests.labels(route=route, status=str(status)).inc()


def make_app(
    state_dir: Path,
    provider: str,
    limits: Limits | None = None,
    *,
    is_council: CouncilCheck | None = None,
    on_refusal: OnRefusal | None = None,
    metrics: AgentMetrics | None = None,
) -> web.Application:
    """The agent's application over the state in `state_dir` (its own database connection),
    behind a `Guard` with `limits` (the defaults when None), reporting to `metrics` (served at
    /metrics; a registry of its own when None)."""
    limits = limits if limits is not None else Limits()
    metrics = metrics if metrics is not None else AgentMetrics()

    def refused(reason: str) -> None:
        metrics.http_refused.labels(reason=reason).inc()
        if on_refusal is not None:
            on_refusal(reason)

    def council(request: web.Request) -> bool:
        signed = is_council is not None and is_council(request)
        if signed:
            metrics.council_requests.inc()
        return signed

    guard = Guard(limits, is_council=council, on_refusal=refused)
    metrics.watch_connections(lambda: len(guard.connections))
    app = web.Application(
        middlewares=[_counted, guard.middleware], client_max_size=limits.max_body_bytes
    )
    app[GUARD_KEY] = guard
    app[METRICS_KEY] = metrics
    app[STORE_KEY] = AgentStore.open(state_dir)
    app[PROOFS_KEY] = ProofCache()
    app[PROVIDER_KEY] = provider
    app.router.add_get(api.HEALTH, health)
    app.router.add_post(api.REVEALS, reveals)
    app.router.add_get(api.RESULT, result)
    app.router.add_get(api.METRICS, metrics_text)

    async def close_store(app: web.Application) -> None:
        app[STORE_KEY].close()

    app.on_cleanup.append(close_store)
    return app


class GuardedSite(web.TCPSite):
    """aiohttp's TCP site, each connection behind the application's `Guard`."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, guard: Guard) -> None:
        super().__init__(runner, host, port, backlog=1024)
        self._guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self._guard.protocol_factory(server),
            self._host,
            self._port,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
        )


async def start_site(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve `app` (from `make_app`) on host:port (0: a free port); returns the runner and the
    bound port."""
    limits = app[GUARD_KEY].limits
    runner = web.AppRunner(
        app, access_log=None, keepalive_timeout=limits.keepalive_timeout, lingering_time=1.0
    )
    await runner.setup()
    site = GuardedSite(runner, host, port, app[GUARD_KEY])
    await site.start()
    bound = port
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            bound = int(address[1])
            break
    return runner, bound


@contextmanager
def serve_in_thread(
    state_dir: Path, provider: str, host: str, port: int, **app_options: Any
) -> Iterator[int]:
    """Serve the agent's state from a background thread with its own event loop, for as long as
    the block runs; yields the bound port. For scripts and tests that drive `Agent.step()`;
    `app_options` go to `make_app` (limits, is_council, on_refusal)."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []
    holder: dict[str, Any] = {}

    async def main() -> None:
        try:
            app = make_app(state_dir, provider, **app_options)
            runner, bound = await start_site(app, host, port)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failure.append(exc)
            started.set()
            return
        holder["runner"], holder["port"] = runner, bound
        holder["stop"] = asyncio.Event()
        started.set()
        await holder["stop"].wait()
        await runner.cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started.wait()
    if failure:
        thread.join()
        loop.close()
        raise failure[0]
    try:
        yield int(holder["port"])
    finally:
        loop.call_soon_threadsafe(holder["stop"].set)
        thread.join()
        loop.close()
