"""Serving a :class:`~payconform.simulator.core.Simulator` over HTTP.

:class:`SimulatorApp` is the simulator as an ASGI 3 application; uvicorn (with the httptools
parser) serves it, so HTTP framing, chunked bodies, keep-alive, the listen backlog and
connection limits are the server library's job. The app adds what is the simulator's own:

- a body limit (``Content-Length`` over it, or a chunked body that grows past it, gets a 413
  in the provider's error shape) and a deadline for the body to arrive (408);
- a malformed request never reaches a traceback: an unreadable body is the provider's 400,
  a request line or header the parser refuses is uvicorn's plain 400 and a closed connection;
- the control API's exposure rules (:class:`ControlGuard`): a token whenever one is set (it
  is always set when the server listens beyond loopback), and on loopback without a token
  only requests whose ``Host`` names this machine (a web page cannot reach it by DNS
  rebinding); the simulator itself refuses control writes that are not JSON.

The app also runs in process through ``httpx.ASGITransport``; the suite's in-process lane
uses :class:`~payconform.simulator.transport.SimulatorTransport`, which skips ASGI and is
faster (``benchmarks/served_simulator.py``).

:func:`serve_in_thread` is for tests, SDK interop and the adapter harness;
:func:`serve_forever` backs ``payconform serve`` and stops cleanly on SIGINT / SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from payconform.simulator.core import Simulator
from payconform.simulator.state import SimResponse

__all__ = [
    "CONTROL_TOKEN_HEADER",
    "ControlGuard",
    "RunningServer",
    "ServeLimits",
    "SimulatorApp",
    "bind",
    "is_loopback_host",
    "serve_forever",
    "serve_in_thread",
]

#: The header that carries the control API token.
CONTROL_TOKEN_HEADER = "x-simulator-token"
#: An ASGI scope extension: a callable that drops the connection without an answer.
_DROP = "payconform.drop_connection"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class ServeLimits:
    """What one served simulator accepts.

    ``max_body``: request body bytes (larger: 413); ``body_timeout``: seconds for a body to
    arrive once the request head is in (slower: 408); ``idle_timeout``: seconds a connection
    may wait for its next request head, from connect or from the previous answer (then it is
    closed); ``max_connections``: concurrent connections and requests (more: 503);
    ``backlog``: the listen queue for connections not accepted yet.
    """

    max_body: int = 1 << 20
    body_timeout: float = 10.0
    idle_timeout: float = 5.0
    max_connections: int = 2048
    backlog: int = 2048


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an address, optionally ``[v6]``) names this machine."""
    host = host.lower().strip("[]").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(header: str) -> str:
    """The host part of a ``Host`` header (``name:port``, ``[v6]:port``)."""
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


@dataclass(frozen=True)
class ControlGuard:
    """Who may call the control API: a token holder, or (no token set) a loopback client."""

    token: str | None = None

    def refusal(self, headers: dict[str, str]) -> str | None:
        """Why a control request is refused, or None."""
        if self.token is not None:
            given = headers.get(CONTROL_TOKEN_HEADER, "")
            if secrets.compare_digest(given.encode(), self.token.encode()):
                return None
            return (f"the control API needs the token printed at start, in the "
                    f"{CONTROL_TOKEN_HEADER} header")
        if not is_loopback_host(_host_of(headers.get("host", ""))):
            return "the control API answers only requests addressed to a loopback host"
        return None


class SimulatorApp:
    """The simulator as an ASGI 3 application (see the module docstring)."""

    def __init__(self, simulator: Simulator, *, limits: ServeLimits | None = None,
                 guard: ControlGuard | None = None) -> None:
        self.simulator = simulator
        self.limits = limits or ServeLimits()
        self.guard = guard or ControlGuard()
        self._log = logging.getLogger("payconform.serve")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        target = scope.get("raw_path") or scope["path"].encode()
        text_target = target.decode("latin-1")
        if scope.get("query_string"):
            text_target += "?" + scope["query_string"].decode("latin-1")
        simulator = self.simulator
        try:
            body = await self._body(headers, receive)
        except _Refused as refused:
            await _reply(send, simulator.error_response(refused.status, refused.message),
                         close=True)
            return
        try:
            if simulator.is_control(text_target):
                why = self.guard.refusal(headers)
                if why is not None:
                    await _reply(send, SimResponse(403, {"error": why}))
                    return
            response = await simulator.handle_async(scope["method"], text_target, headers, body)
        except Exception as exc:
            # A simulator defect is a 500 marked as the simulator's own crash (so a run tells it
            # from a provider's 5xx), its traceback kept on the simulator, one log line here.
            self._log.error("simulator error on %s %s: %s: %s", scope["method"],
                            scope["path"], type(exc).__name__, exc)
            await _reply(send, simulator.crashed(exc), close=True)
            return
        if response.status == 0 and response.raw is None:
            await _drop(scope)
            return
        await _reply(send, response, head=scope["method"] == "HEAD")

    async def _body(self, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.limits.max_body
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _Refused(413, f"request body of {declared} bytes is over the limit of {limit}")
        chunks: list[bytes] = []
        size = 0
        more = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.body_timeout
        while more:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _Refused(408, f"request body did not arrive within "
                                    f"{self.limits.body_timeout:g} s") from None
            if message["type"] == "http.disconnect":
                raise _Refused(400, "client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _Refused(413, f"request body is over the limit of {limit} bytes")
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _reply(send: Send, response: SimResponse, *, head: bool = False, close: bool = False
                 ) -> None:
    content = response.content()
    headers = {"content-type": "application/json"}
    headers.update({k.lower(): v for k, v in response.headers.items()})
    headers["content-length"] = str(len(content))
    if close:
        headers["connection"] = "close"
    await send({"type": "http.response.start", "status": response.status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]})
    await send({"type": "http.response.body", "body": b"" if head else content})


async def _drop(scope: Scope) -> None:
    """Close the connection without an answer (the ``reset`` fault)."""
    drop = scope.get("extensions", {}).get(_DROP)
    if drop is None:  # another ASGI server, or httpx.ASGITransport in process
        raise ConnectionResetError("simulated fault: connection dropped")
    drop()
    # Let the server see the connection go before the app returns, so it does not log a
    # response that was never started.
    for _ in range(3):
        await asyncio.sleep(0)


class _Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for every request head and a way to drop
    a connection.

    uvicorn arms its keep-alive timer only after an answer, so a client that connects and
    sends nothing (or a request head one byte at a time) would hold a connection forever;
    here a connection must deliver each request head within ``timeout_keep_alive`` seconds
    of connecting or of its previous answer.
    """

    _head_timer: asyncio.TimerHandle | None = None

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.timeout_keep_alive, self._head_timeout)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timeout(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        extensions: dict[str, Any] = {_DROP: self.transport.abort}
        self.scope["extensions"] = extensions

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()


def bind(host: str, port: int, backlog: int) -> socket.socket:
    """A listening TCP socket (OSError says why not: address in use, not available...)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=backlog)


def _urls(sock: socket.socket, simulator: Simulator) -> tuple[str, str]:
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    origin = f"http://{shown}:{bound_port}"
    base_path = urlsplit(simulator.contract.base_urls["sandbox"]).path.rstrip("/")
    return origin, origin + base_path


def _uvicorn(app: SimulatorApp, limits: ServeLimits, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        app, http=_Protocol, interface="asgi3", lifespan="off", proxy_headers=False,
        log_config=None, log_level=log_level,
        access_log=False, server_header=False, timeout_keep_alive=int(max(1, limits.idle_timeout)),
        limit_concurrency=limits.max_connections, backlog=limits.backlog,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


@dataclass
class RunningServer:
    """A simulator served in a background thread."""

    server: uvicorn.Server
    thread: threading.Thread
    base_url: str
    origin: str
    control_token: str | None = None
    #: The served app: setting ``app.simulator`` serves another simulator on the same socket.
    app: SimulatorApp | None = None

    def stop(self) -> None:
        """Stop serving, close the socket and every connection."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(simulator: Simulator, host: str = "127.0.0.1", port: int = 0, *,
                    limits: ServeLimits | None = None, control_token: str | None = None,
                    log_level: str = "error") -> RunningServer:
    """Serve ``simulator`` in a daemon thread until ``stop()``; it accepts connections on return."""
    limits = limits or ServeLimits()
    sock = bind(host, port, limits.backlog)
    origin, base_url = _urls(sock, simulator)
    app = SimulatorApp(simulator, limits=limits, guard=ControlGuard(control_token))
    server = _uvicorn(app, limits, log_level)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="payconform-simulator", daemon=True)
    thread.start()
    # The socket already listens (connections queue in its backlog); wait for the loop anyway
    # so that a failure to start shows here, not as a client timeout.
    for _ in range(500):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.01)
    if not server.started:
        sock.close()
        raise RuntimeError("the simulator server did not start")
    return RunningServer(server, thread, base_url, origin, control_token, app)


def serve_forever(simulator: Simulator, host: str, port: int, *, control_token: str | None = None,
                  limits: ServeLimits | None = None, out: IO[str] = sys.stdout) -> int:
    """Serve until SIGINT or SIGTERM; prints the base URL on the first line. Returns 0.

    OSError (address in use...) comes from binding, before anything is printed.
    """
    limits = limits or ServeLimits()
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        running = serve_in_thread(simulator, host, port, limits=limits,
                                  control_token=control_token, log_level="warning")
        print(running.base_url, file=out, flush=True)
        print(f"control API: {running.origin}/_simulator/  (Ctrl-C to stop)", file=out, flush=True)
        if control_token is not None:
            print(f"control token: {control_token}  (send it in the {CONTROL_TOKEN_HEADER} header)",
                  file=out, flush=True)
        while not stop.wait(0.5) and running.thread.is_alive():
            pass
        running.stop()
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, handler)
    print("simulator stopped", file=out, flush=True)
    return 0
