"""Redaction by header name, body field and credential value (including base64)."""

from __future__ import annotations

import base64
import json

from payconform.model.redact import REDACTED, Redactor


def test_values_are_redacted_everywhere_including_basic_auth() -> None:
    """Given credential values, they vanish from text, headers and bodies, base64 included."""
    redactor = Redactor(["rzp_test_abcdef", "s3cr3t-value"])
    basic = base64.b64encode(b"rzp_test_abcdef:s3cr3t-value").decode()
    headers = redactor.headers({"X-Trace": f"k=rzp_test_abcdef&{basic}", "Authorization": "x"})
    assert headers == {"X-Trace": f"k={REDACTED}&{REDACTED}", "Authorization": REDACTED}
    body = redactor.body(json.dumps({"note": "s3cr3t-value", "client_secret": "other"}))
    assert json.loads(body) == {"note": REDACTED, "client_secret": REDACTED}
    assert redactor.text("GET /x?key=rzp_test_abcdef") == f"GET /x?key={REDACTED}"
