"""The served simulator as it was before uvicorn: ``http.server`` threads, unbounded memory.

Kept only as the baseline of ``benchmarks/served_simulator.py`` (same handler code as
payconform 0.1.0's ``server.py``; the simulator keeps every request, idempotent answer and
link, as it did). Usage: ``python benchmarks/baseline_server.py PROVIDER`` prints its base
URL on the first line and serves on a free loopback port until terminated.
"""

from __future__ import annotations

import contextlib
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.simulator.handle(self.command, self.path, dict(self.headers), body)
        if response.raw is None and response.status == 0:
            self.close_connection = True
            return
        content = response.content()
        self.send_response(response.status)
        for name, value in {"Content-Type": "application/json", **response.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, simulator: Simulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.simulator = simulator


def main() -> int:
    contract = get_contract(sys.argv[1])
    simulator = Simulator(contract, request_log_size=None, max_links=None, max_replays=None)
    server = _Server(simulator)
    host, port = server.server_address[:2]
    base_path = urlsplit(contract.base_urls["sandbox"]).path.rstrip("/")
    print(f"http://{host!s}:{port}{base_path}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
