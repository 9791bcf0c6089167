"""A stand-in for a provider agent's HTTP API, serving reveals from in-memory proofs, so oracle
tests control exactly what a provider answers (the real agent is tested in tests/services/agent)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gpumarket.pogemm.prover import Proof


class FakeAgent:
    def __init__(self) -> None:
        self.proofs: dict[tuple[int, bytes], Proof] = {}
        self.artifacts: dict[int, bytes] = {}
        self.requests = 0
        agent = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                agent.requests += 1
                parts = self.path.strip("/").split("/")
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                proof = agent.proofs.get((int(parts[1]), bytes.fromhex(body["root"][2:])))
                if proof is None:
                    self._send(404, b"{}")
                    return
                reveals = proof.reveal_many([tuple(p) for p in body["positions"]])
                self._send(200, json.dumps({"reveals": [r.to_json() for r in reveals]}).encode())

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                agent.requests += 1
                parts = self.path.strip("/").split("/")
                artifact = agent.artifacts.get(int(parts[1]))
                if artifact is None:
                    self._send(404, b"")
                else:
                    self._send(200, artifact)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
