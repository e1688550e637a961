"""Redaction by header name, body field and credential value (including base64)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from payconform.model.redact import REDACTED, Redactor, strip_userinfo
from payconform.reporting.report import RunReport, write_report


def test_values_are_redacted_everywhere_including_basic_auth() -> None:
    """Given credential values, they vanish from text, headers and bodies, base64 included."""
    redactor = Redactor(["rzp_test_abcdef", "s3cr3t-value"])
    basic = base64.b64encode(b"rzp_test_abcdef:s3cr3t-value").decode()
    headers = redactor.headers({"X-Trace": f"k=rzp_test_abcdef&{basic}", "Authorization": "x"})
    assert headers == {"X-Trace": f"k={REDACTED}&{REDACTED}", "Authorization": REDACTED}
    body = redactor.body(json.dumps({"note": "s3cr3t-value", "client_secret": "other"}))
    assert json.loads(body) == {"note": REDACTED, "client_secret": REDACTED}
    assert redactor.text("GET /x?key=rzp_test_abcdef") == f"GET /x?key={REDACTED}"


def test_a_secret_is_redacted_in_every_form_it_travels_in() -> None:
    """Given a secret, its base64 (padded or not, URL-safe), percent-encoded, JSON-escaped,
    \\u-escaped forms and its masked prefixes (8+ characters) are all redacted."""
    secret = "s3cr3t/value+with=odd&chars\"x"
    redactor = Redactor([secret])
    raw = secret.encode()
    forms = [
        base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("="),
        quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
        "".join(f"\\u{ord(c):04x}" for c in secret), secret[:8] + "****", secret[:12] + "...",
    ]
    for form in forms:
        assert "s3cr3t/v" not in redactor.text(f"a {form} b").replace(REDACTED, ""), form
        assert redactor.text(f"a {form} b").startswith(f"a {REDACTED}"), form


def test_secrets_learned_during_a_run_are_redacted_from_then_on() -> None:
    """Given a bearer token issued mid-run, ``learn`` makes every later text lose it."""
    redactor = Redactor(["client-secret-1"])
    token = "tok_9f8e7d6c5b4a39281716"
    assert token in redactor.text(f"echo {token}")
    redactor.learn(token)
    assert redactor.text(f"echo {token} {quote(token)}") == f"echo {REDACTED} {REDACTED}"
    assert token not in redactor.body(json.dumps({"note": f"Bearer {token}"}))


def test_userinfo_is_stripped_from_every_url() -> None:
    """Given URLs with user:password@, neither reaches text, a report or history."""
    assert strip_userinfo("GET https://me:pw@host.example/pg and http://u@h/x") == (
        "GET https://host.example/pg and http://h/x")
    assert Redactor().text("base https://me:pw@host.example/pg") == "base https://host.example/pg"


def test_a_body_nested_deeper_than_python_recurses_is_redacted_as_text() -> None:
    """Given 5,000 nested arrays around a secret, redaction does not crash."""
    redactor = Redactor(["deep-secret-value"])
    body = "[" * 5000 + '"deep-secret-value"' + "]" * 5000
    assert "deep-secret-value" not in redactor.body(body)


def test_the_report_has_no_userinfo_and_no_non_finite_numbers(tmp_path: Path) -> None:
    """Given a run against https://me:pw@host with an infinite number, conformance.json is
    valid JSON without the userinfo."""
    report = RunReport(run_id="r", lane="live", providers=[], results=[],
                       base_url="https://me:pw@host.example/pg", extra={"ratio": float("inf")})
    text = (write_report(report, tmp_path) / "conformance.json").read_text()
    doc = json.loads(text, parse_constant=lambda name: pytest.fail(name))
    assert doc["run"]["base_url"] == "https://host.example/pg" and "me:pw" not in text


def test_a_low_entropy_secret_does_not_blank_the_words_it_starts_with() -> None:
    """Given the public simulator secret 'payconform-sim-secret', 'payconform' stays readable
    while a masked echo of the secret is still redacted."""
    redactor = Redactor(["payconform-sim-secret"])
    assert redactor.text("run payconform-20261130 tag") == "run payconform-20261130 tag"
    assert redactor.text("key payconform-sim-se****") == f"key {REDACTED}****"
