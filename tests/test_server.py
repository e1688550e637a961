"""The simulator served on a real loopback socket: curl-like use, concurrency, clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

CONTRACT = get_contract("cashfree")
CREDS = CONTRACT.auth.simulator_credentials
HEADERS = {"x-client-id": CREDS["client_id"], "x-client-secret": CREDS["client_secret"],
           "x-api-version": "2025-01-01"}


def _create(client: httpx.Client, link_id: str) -> httpx.Response:
    body = {"link_id": link_id, "link_amount": 10, "link_currency": "INR", "link_purpose": "p",
            "customer_details": {"customer_phone": "9999999999"}}
    return client.post("links", json=body, headers=HEADERS)


def test_control_api_forces_status_lists_requests_and_resets() -> None:
    """Given a served simulator, the control API forces statuses, lists requests, resets."""
    with serve_in_thread(Simulator(CONTRACT)) as server, \
            httpx.Client(base_url=server.base_url + "/") as client:
        assert _create(client, "ctl_1").status_code == 200
        forced = client.post(f"{server.origin}/_simulator/links/ctl_1/status", json={"status": "PAID"})
        assert forced.json() == {"id": "ctl_1", "status": "PAID"}
        refused = client.post("links/ctl_1/cancel", headers=HEADERS)
        assert refused.status_code == 400 and refused.json()["code"] == "link_not_active"
        bad = client.post(f"{server.origin}/_simulator/links/ctl_1/status", json={"status": "GONE"})
        assert bad.status_code == 400
        assert "unknown status 'GONE'" in bad.json()["error"]
        assert "ACTIVE, PAID" in bad.json()["error"]
        listed = client.get(f"{server.origin}/_simulator/requests").json()["requests"]
        assert [r["path"] for r in listed] == ["/pg/links", "/pg/links/ctl_1/cancel"]
        assert CREDS["client_secret"] not in json.dumps(listed)
        assert client.post(f"{server.origin}/_simulator/reset", json={}).status_code == 200
        assert client.get("links/ctl_1", headers=HEADERS).status_code == 404


def test_create_refuses_a_link_id_outside_the_documented_format() -> None:
    """Given link_id 'a/b' (Cashfree allows alphanumerics, - and _), create answers 400."""
    with serve_in_thread(Simulator(CONTRACT)) as server, \
            httpx.Client(base_url=server.base_url + "/") as client:
        response = _create(client, "a/b")
        assert response.status_code == 400
        assert "link_id must match" in response.json()["message"]


def test_concurrent_cancels_of_one_link_succeed_exactly_once() -> None:
    """Given 16 parallel cancels of one ACTIVE link, one succeeds and 15 get link_not_active."""
    with serve_in_thread(Simulator(CONTRACT)) as server, \
            httpx.Client(base_url=server.base_url + "/") as client:
        assert _create(client, "race_1").status_code == 200
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(
                lambda _: httpx.post(server.base_url + "/links/race_1/cancel", headers=HEADERS)
                .status_code, range(16)))
    assert sorted(statuses) == [200] + [400] * 15


def test_cli_serve_prints_url_first_and_stops_on_sigterm_and_sigint() -> None:
    """``payconform serve cashfree --port 0`` prints its base URL first and exits 0 on signals."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen(
            [sys.executable, "-m", "payconform", "serve", "cashfree", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("CASHFREE_")},
        )
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:") and url.endswith("/pg")
            response = _create(httpx.Client(base_url=url + "/"), "cli_1")
            assert response.status_code == 200, response.text
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=10)
        finally:
            proc.kill()
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert "simulator stopped" in out
