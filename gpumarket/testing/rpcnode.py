"""A JSON-RPC node on loopback, for tests that stand in for another chain or sit in front of the
test chain (to rewrite answers, or to count round trips)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Given a POST's decoded JSON body (one request or a batch), the JSON to answer with status
#: 200, or an int: that HTTP status, with no body.
Answer = Callable[[Any], Any]


class StandInNode:
    """Serves JSON-RPC over HTTP POST on 127.0.0.1 (a free port: `url`) with `answer`."""

    def __init__(self, answer: Answer) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                reply = answer(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                status = reply if isinstance(reply, int) else 200
                body = b"" if isinstance(reply, int) else json.dumps(reply).encode()
                self.send_response(status)
                if body:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
