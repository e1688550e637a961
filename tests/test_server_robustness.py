"""The served simulator against hostile or clumsy clients: every probe of the server gets an
answer in the provider's error shape or a clean close, never a traceback; the control API is
closed to web pages and, beyond loopback, to anyone without the token."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from benchmarks.workload import capture
from payconform.model.registry import all_contracts, get_contract
from payconform.model.schemas import schema_errors
from payconform.simulator.core import Simulator
from payconform.simulator.server import (
    CONTROL_TOKEN_HEADER,
    RunningServer,
    ServeLimits,
    SimulatorApp,
    serve_in_thread,
)

CASHFREE = get_contract("cashfree")
CREDS = CASHFREE.auth.simulator_credentials
HEADERS = (f"x-client-id: {CREDS['client_id']}\r\nx-client-secret: {CREDS['client_secret']}\r\n"
           "x-api-version: 2025-01-01\r\n")
DEEP = b"[" * 5000 + b"]" * 5000


def _create_body(link_id: str) -> bytes:
    return json.dumps({"link_id": link_id, "link_amount": 10, "link_currency": "INR",
                       "link_purpose": "p", "customer_details": {"customer_phone": "9999999999"}}
                      ).encode()


def _address(server: RunningServer) -> tuple[str, int]:
    host, _, port = server.origin.removeprefix("http://").rpartition(":")
    return host, int(port)


def _kept_alive(out: bytes) -> bool:
    """Whether ``out`` holds one whole answer (by its Content-Length) that keeps the
    connection open, so waiting for a close would only wait out the timeout."""
    head, sep, body = out.partition(b"\r\n\r\n")
    if not sep:
        return False
    fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
    fields = {k.strip().lower(): v.strip().lower() for k, v in fields.items()}
    length = fields.get(b"content-length")
    return (fields.get(b"connection") != b"close" and length is not None
            and length.isdigit() and len(body) >= int(length))


def _raw(server: RunningServer, data: bytes, *, wait: float = 3.0, half_close: bool = False,
         until_close: bool = False) -> bytes:
    """Send raw bytes; everything the server answers until it closes (``<open>`` if it did not:
    nothing more within ``wait``, or, unless ``until_close``, a whole answer that keeps the
    connection)."""
    with socket.create_connection(_address(server)) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        sock.settimeout(wait)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
                if not until_close and _kept_alive(out):
                    return out + b"<open>"
        except TimeoutError:
            return out + b"<open>"
        return out + b"<closed>"


def _request(method: str, path: str, body: bytes = b"", extra: str = "", host: str = "127.0.0.1"
             ) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def _json_body(answer: bytes) -> object:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1].removesuffix(b"<closed>").removesuffix(b"<open>"))


@contextmanager
def served(limits: ServeLimits | None = None, token: str | None = None) -> Iterator[RunningServer]:
    with serve_in_thread(Simulator(CASHFREE), limits=limits, control_token=token) as server:
        yield server


def test_content_length_that_is_not_a_number_is_a_400_and_a_clean_close() -> None:
    """Given ``Content-Length: abc``, the server answers 400 and closes (no traceback)."""
    with served() as server:
        answer = _raw(server, b"POST /pg/links HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and answer.endswith(b"<closed>")


def test_a_huge_content_length_is_refused_in_the_provider_error_shape_without_reading_it() -> None:
    """Given ``Content-Length: 10^11``, the answer is a 413 in Cashfree's error shape, at once."""
    with served() as server:
        started = time.monotonic()
        answer = _raw(server, b"POST /pg/links HTTP/1.1\r\nHost: x\r\nContent-Length: "
                              b"100000000000\r\n\r\n")
    assert time.monotonic() - started < 3
    assert answer.startswith(b"HTTP/1.1 413 ") and answer.endswith(b"<closed>")
    assert schema_errors(CASHFREE.error.schema_file, _json_body(answer)) == []


def test_a_chunked_body_over_the_limit_is_refused() -> None:
    """Given a chunked body that grows past the limit, the answer is a 413, not a hang."""
    with served(ServeLimits(max_body=1000)) as server:
        chunk = b"x" * 800
        data = (b"POST /pg/links HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + (b"%x\r\n%s\r\n" % (len(chunk), chunk)) * 3 + b"0\r\n\r\n")
        answer = _raw(server, data)
    assert answer.startswith(b"HTTP/1.1 413 ")


@pytest.mark.parametrize("provider", sorted(all_contracts()))
def test_json_nested_deeper_than_python_recurses_is_a_400_for_every_provider(provider: str) -> None:
    """Given a create body nested 5,000 levels deep, the provider's 400, not a crash."""
    contract = get_contract(provider)
    with serve_in_thread(Simulator(contract)) as server:
        work = capture(contract, server.base_url)
        request = work.request(work.create, "deep_1")
        path = request.url.removeprefix(server.origin)
        headers = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items()
                          if k.lower() != "content-type")
        answer = _raw(server, _request(request.method, path, DEEP, headers))
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert schema_errors(contract.error.schema_file, _json_body(answer)) == []


def test_json_nested_too_deep_on_the_control_api_is_a_400() -> None:
    """Given a fault posted as 5,000 nested arrays, the control API answers 400."""
    with served() as server:
        answer = _raw(server, _request("POST", "/_simulator/faults", DEEP))
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_a_chunked_request_body_is_read() -> None:
    """Given a create sent with ``Transfer-Encoding: chunked``, the link is created (not a 400)."""
    body = _create_body("chunked_1")
    data = (f"POST /pg/links HTTP/1.1\r\nHost: x\r\n{HEADERS}Content-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    data += b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    with served() as server:
        answer = _raw(server, data)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert _json_body(answer)["link_id"] == "chunked_1"  # type: ignore[index]


def test_a_client_that_half_closes_gets_its_answer() -> None:
    """Given 30 clients that send a request and shut down their writing side, all get a 200."""
    with served() as server:
        answers = [_raw(server, _request("POST", "/pg/links", _create_body(f"half_{n}"), HEADERS),
                        half_close=True) for n in range(30)]
    assert all(a.startswith(b"HTTP/1.1 200 ") for a in answers)


def test_idle_and_trickling_connections_are_closed_after_the_idle_timeout() -> None:
    """Given a connection that sends nothing, and one that sends half a request head, the
    server closes both after ``idle_timeout``; a keep-alive connection is closed too."""
    with served(ServeLimits(idle_timeout=0.5)) as server:
        assert _raw(server, b"", wait=5) == b"<closed>"
        assert _raw(server, b"GET /pg/li", wait=5) == b"<closed>"
        answer = _raw(server, _request("GET", "/_simulator/links"), wait=5, until_close=True)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"<closed>")


def test_a_body_that_never_arrives_is_a_408() -> None:
    """Given a request head announcing 100 bytes and no body, a 408 within the body timeout."""
    with served(ServeLimits(body_timeout=0.5)) as server:
        answer = _raw(server, b"POST /pg/links HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
                      wait=5)
    assert answer.startswith(b"HTTP/1.1 408 ") and answer.endswith(b"<closed>")


def test_a_burst_of_new_connections_beyond_the_old_backlog_is_served() -> None:
    """Given 300 connections opened at once (the old server's backlog was 5), all are answered."""

    async def burst(server: RunningServer) -> list[bytes]:
        host, port = _address(server)

        async def one() -> bytes:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(_request("GET", "/_simulator/links", extra="Connection: close\r\n"))
            data = await asyncio.wait_for(reader.read(), 30)
            writer.close()
            return data

        return list(await asyncio.gather(*(one() for _ in range(300))))

    with served() as server:
        answers = asyncio.run(burst(server))
    assert all(a.startswith(b"HTTP/1.1 200 ") for a in answers)


def test_the_asgi_app_runs_in_process_through_httpx() -> None:
    """Given httpx's ASGITransport, the app creates and cancels a link without a socket."""

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=SimulatorApp(Simulator(CASHFREE)))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1/pg/") as client:
            headers = dict(line.split(": ", 1) for line in HEADERS.strip().split("\r\n"))
            created = await client.post("links", content=_create_body("asgi_1"), headers=headers)
            cancelled = await client.post("links/asgi_1/cancel", headers=headers)
            return [created.status_code, cancelled.status_code]

    assert asyncio.run(run()) == [200, 200]


# ---- the control API -----------------------------------------------------------------------


def test_control_writes_that_are_not_json_are_refused_and_change_nothing() -> None:
    """Given a text/plain or bodiless POST (what a web page can send), 415 and no reset."""
    with served() as server:
        created = _raw(server, _request("POST", "/pg/links", _create_body("keep_1"), HEADERS))
        assert created.startswith(b"HTTP/1.1 200 ")
        plain = _raw(server, b"POST /_simulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}")
        form = _raw(server, b"POST /_simulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                            b"application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b")
        bodiless = _raw(server, b"POST /_simulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                b"Content-Length: 0\r\n\r\n")
        fault = _raw(server, b"POST /_simulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                             b"text/plain\r\nContent-Length: 17\r\n\r\n{\"kind\": \"reset\"}")
        links = httpx.get(f"{server.origin}/_simulator/links").json()["links"]
    for answer in (plain, form, bodiless, fault):
        assert answer.startswith(b"HTTP/1.1 415 "), answer[:100]
    assert [link["id"] for link in links] == ["keep_1"]


def test_on_loopback_without_a_token_the_control_api_answers_only_loopback_hosts() -> None:
    """Given a request whose Host is another name (DNS rebinding), the control API says 403."""
    with served() as server:
        rebound = httpx.post(f"{server.origin}/_simulator/reset", json={},
                             headers={"Host": "attacker.example:80"})
        local = httpx.post(f"{server.origin}/_simulator/reset", json={},
                           headers={"Host": "localhost"})
    assert rebound.status_code == 403 and "loopback" in rebound.json()["error"]
    assert local.status_code == 200


def test_with_a_token_the_control_api_requires_it_and_the_provider_api_does_not() -> None:
    """Given a control token, control calls without it (or with a wrong one) get 403."""
    token = "t0ken-for-the-control-api"
    with served(token=token) as server:
        missing = httpx.get(f"{server.origin}/_simulator/links")
        wrong = httpx.get(f"{server.origin}/_simulator/links", headers={CONTROL_TOKEN_HEADER: "x"})
        right = httpx.get(f"{server.origin}/_simulator/links", headers={CONTROL_TOKEN_HEADER: token})
        api = _raw(server, _request("POST", "/pg/links", _create_body("tok_1"), HEADERS))
    assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert CONTROL_TOKEN_HEADER in missing.json()["error"]
    assert api.startswith(b"HTTP/1.1 200 ")


def test_the_request_log_links_and_idempotent_answers_are_bounded() -> None:
    """Given bounds of 5 logged requests, 3 links and 2 idempotent answers, 10 creates keep
    the newest of each; the oldest link is then an unknown id."""
    simulator = Simulator(CASHFREE, request_log_size=5, max_links=3, max_replays=2)
    headers = {k: v for k, v in (line.split(": ", 1) for line in HEADERS.strip().split("\r\n"))}
    for n in range(10):
        answer = simulator.handle("POST", "/pg/links", {**headers, "x-idempotency-key": f"k{n}"},
                                  _create_body(f"b_{n}"))
        assert answer.status == 200
    assert len(simulator.requests) == 5 and simulator.request_count == 10
    assert list(simulator.links) == ["b_7", "b_8", "b_9"]
    assert len(simulator._replays) == 2
    assert simulator.handle("GET", "/pg/links/b_0", headers).status == 404


# ---- the command line --------------------------------------------------------------------


def _serve(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHFREE_")}
    return subprocess.Popen([sys.executable, "-m", "payconform", "serve", "cashfree", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_serve_survives_every_malformed_request_without_a_traceback() -> None:
    """Given the probes above against ``payconform serve``, stderr holds no traceback."""
    proc = _serve("--port", "0")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        host, _, port = url.removeprefix("http://").partition("/")[0].rpartition(":")
        for data in (b"POST /pg/links HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                     b"POST /pg/links HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n",
                     _request("POST", "/pg/links", DEEP, HEADERS),
                     _request("POST", "/_simulator/faults", DEEP),
                     b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n"):
            with socket.create_connection((host, int(port))) as sock:
                sock.sendall(data)
                sock.settimeout(3)
                with_answer = sock.recv(100)
            assert with_answer.startswith(b"HTTP/1.1 4"), with_answer
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err, err


def test_serve_refuses_a_non_loopback_host_without_allow_remote() -> None:
    """Given ``--host 0.0.0.0``, serve exits 4 with one line naming --allow-remote."""
    proc = _serve("--host", "0.0.0.0", "--port", "0")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 4 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--allow-remote" in err


def test_serve_with_allow_remote_prints_a_control_token_and_requires_it() -> None:
    """Given ``--host 0.0.0.0 --allow-remote``, a token is printed and the control API needs it."""
    proc = _serve("--host", "0.0.0.0", "--allow-remote", "--port", "0")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        proc.stdout.readline()
        token_line = proc.stdout.readline()
        token = token_line.split()[2]
        port = url.rsplit(":", 1)[1].split("/")[0]
        control = f"http://127.0.0.1:{port}/_simulator/links"
        assert httpx.get(control).status_code == 403
        assert httpx.get(control, headers={CONTROL_TOKEN_HEADER: token}).status_code == 200
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0


def test_serve_on_a_port_in_use_is_one_line_and_exit_4() -> None:
    """Given a port another socket holds, serve exits 4 with one line, no traceback."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = _serve("--port", str(port))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 4 and out == ""
    assert err.strip().splitlines() == [f"payconform: cannot listen on 127.0.0.1:{port}: "
                                        "address already in use"]


def test_connections_beyond_the_limit_get_a_503_not_a_hang() -> None:
    """Given a limit of 5 connections held open by idle clients, a new request gets a 503."""
    with served(ServeLimits(max_connections=5, idle_timeout=30)) as server:
        held = [socket.create_connection(_address(server)) for _ in range(5)]
        try:
            time.sleep(0.3)  # the server has accepted them
            answer = _raw(server, _request("GET", "/_simulator/links"))
        finally:
            for sock in held:
                sock.close()
        after = _raw(server, _request("GET", "/_simulator/links", extra="Connection: close\r\n"))
    assert answer.startswith(b"HTTP/1.1 503 ")
    assert after.startswith(b"HTTP/1.1 200 ")
