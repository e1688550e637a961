"""`payconform serve` answers curl, the way the README shows it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from payconform.model.registry import get_contract

CURL = shutil.which("curl")
CREDS = get_contract("cashfree").auth.simulator_credentials


@pytest.mark.skipif(CURL is None, reason="curl is not installed on this machine")
def test_curl_creates_and_cancels_a_link_against_the_served_simulator() -> None:
    """Given `payconform serve cashfree --port 0`, curl creates, cancels, then gets the 400."""
    assert CURL is not None
    proc = subprocess.Popen([sys.executable, "-m", "payconform", "serve", "cashfree", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        auth = ["-H", f"x-client-id: {CREDS['client_id']}", "-H",
                f"x-client-secret: {CREDS['client_secret']}", "-H", "x-api-version: 2025-01-01"]

        def curl(*args: str) -> tuple[int, dict[str, object]]:
            out = subprocess.run([CURL, "-s", "-w", "\n%{http_code}", *auth, *args],
                                 capture_output=True, text=True, check=True, timeout=10).stdout
            body, _, code = out.rpartition("\n")
            return int(code), json.loads(body)

        body = json.dumps({"link_id": "curl_1", "link_amount": 1, "link_currency": "INR",
                           "link_purpose": "curl", "customer_details": {"customer_phone": "9999999999"}})
        assert curl("-X", "POST", f"{base}/links", "-H", "Content-Type: application/json",
                    "-d", body)[0] == 200
        status, cancelled = curl("-X", "POST", f"{base}/links/curl_1/cancel")
        assert (status, cancelled["link_status"]) == (200, "CANCELLED")
        status, refused = curl("-X", "POST", f"{base}/links/curl_1/cancel")
        assert (status, refused["code"]) == (400, "link_not_active")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
