"""Serving a :class:`~payconform.simulator.core.Simulator` over real HTTP on loopback.

A threading HTTP server: every connection gets its own thread, the simulator serializes
state changes with its lock. :func:`serve_in_thread` is for tests and SDK interop;
:func:`serve_forever` backs ``payconform serve`` and stops cleanly on SIGINT / SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any
from urllib.parse import urlsplit

from payconform.simulator.core import Simulator

__all__ = ["RunningServer", "make_server", "serve_forever", "serve_in_thread"]


class _Handler(BaseHTTPRequestHandler):
    server: _SimulatorHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs add ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.simulator.handle(self.command, self.path, dict(self.headers), body)
        if response.raw is None and response.status == 0:
            # A fault that drops the connection without an answer.
            self.close_connection = True
            return
        content = response.content()
        self.send_response(response.status)
        headers = {"Content-Type": "application/json", **response.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines are recorded (redacted) by the simulator, not printed."""


class _SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        super().__init__(address, _Handler)
        self.simulator = simulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (e.g. timed out on a latency fault) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class RunningServer:
    """A simulator served in a background thread."""

    server: _SimulatorHTTPServer
    thread: threading.Thread
    base_url: str
    origin: str

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def make_server(simulator: Simulator, host: str = "127.0.0.1", port: int = 0
                ) -> tuple[_SimulatorHTTPServer, str, str]:
    """Bind a server; returns it with its origin and the provider base URL it serves."""
    server = _SimulatorHTTPServer((host, port), simulator)
    bound_host, bound_port = server.server_address[:2]
    host_text = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
    shown = f"[{host_text}]" if ":" in host_text else host_text
    origin = f"http://{shown}:{bound_port}"
    base_path = urlsplit(simulator.contract.base_urls["sandbox"]).path.rstrip("/")
    return server, origin, origin + base_path


def serve_in_thread(simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``simulator`` in a daemon thread until ``stop()``."""
    server, origin, base_url = make_server(simulator, host, port)
    # A short poll interval makes stop() quick (tests start and stop many servers).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="payconform-simulator", daemon=True)
    thread.start()
    return RunningServer(server, thread, base_url, origin)


def serve_forever(simulator: Simulator, host: str, port: int, out: IO[str] = sys.stdout) -> int:
    """Serve until SIGINT or SIGTERM; prints the base URL on the first line. Returns 0."""
    server, origin, base_url = make_server(simulator, host, port)
    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(base_url, file=out, flush=True)
    print(f"control API: {origin}/_simulator/  (Ctrl-C to stop)", file=out, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    print("simulator stopped", file=out, flush=True)
    return 0
