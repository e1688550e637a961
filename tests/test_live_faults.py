"""Faults injected through ``/_simulator/faults`` on a served simulator: every one ends
INCONCLUSIVE, or PASS after a retry that was safe to make, and the run completes."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from payconform.lanes.base import LaneSession
from payconform.lanes.live import LivePolicy, LiveTransport
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract
from payconform.rules.catalog import cases_for
from payconform.rules.engine import CaseResult
from payconform.simulator.core import Simulator
from tests.live_support import control, live_env, live_session_for, served

pytest_plugins = ["pytester"]

#: The rule suites (one test per rule); other suites (e.g. property-based) are not this lane's.
RULE_SUITES = ("payconform.suites.test_cancel", "payconform.suites.test_auth_and_headers",
               "payconform.suites.test_schemas")

CASHFREE = get_contract("cashfree")


def _cancel_case(session: LaneSession, waits: list[float]) -> CaseResult:
    """Run 'cancel of an ACTIVE link' with retry waits recorded instead of slept."""
    session.extra["wire"] = wire = session.wire  # type: ignore[attr-defined]
    wire.sleep = waits.append
    case = cases_for(session.contract, ["cancel.cancellable-status"])[0]
    return session.run(case)


def _cancels(simulator: Simulator) -> list[dict[str, Any]]:
    return [r for r in simulator.requests if r["path"].endswith("/cancel")]


ONCE = [
    pytest.param({"kind": "reset"}, id="connection-reset"),
    pytest.param({"kind": "latency", "seconds": 0.5}, id="latency-beyond-timeout"),
    pytest.param({"kind": "status", "status": 500}, id="500"),
    pytest.param({"kind": "status", "status": 502}, id="502"),
    pytest.param({"kind": "status", "status": 503}, id="503"),
    pytest.param({"kind": "html"}, id="html-error-page"),
    pytest.param({"kind": "html", "status": 200}, id="html-page-with-200"),
    pytest.param({"kind": "truncate"}, id="truncated-json"),
    pytest.param({"kind": "timeout", "seconds": 0.5}, id="answer-lost-after-effect"),
    pytest.param({"kind": "status", "status": 429, "retry_after": "0.05"}, id="429-retry-after"),
]


@pytest.mark.parametrize("fault", ONCE)
def test_a_passing_fault_is_retried_with_the_same_idempotency_key(fault: dict[str, Any]) -> None:
    """Given one faulty answer to a Cashfree cancel, the retry (same x-idempotency-key) passes."""
    with served(CASHFREE) as (server, simulator):
        session = live_session_for(CASHFREE, server, live_env(CASHFREE, timeout="0.2"))
        control(server, "POST", "faults", {**fault, "operation": "cancel"})
        result = _cancel_case(session, waits := [])
        session.close()
        deadline = time.monotonic() + 3
        while len(_cancels(simulator)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)  # a slow answer is logged once its delay is over
    assert result.verdict is Verdict.PASS, result.message
    cancels = _cancels(simulator)
    assert len(cancels) == 2 and [c.get("fault") for c in cancels].count(fault["kind"]) == 1
    keys = {c["headers"]["x-idempotency-key"] for c in cancels}
    assert len(keys) == 1, "a retry reuses the idempotency key"
    assert waits, "a retry waits first"
    if "retry_after" in fault:
        assert waits[-1] == pytest.approx(0.05)


ALWAYS = [
    pytest.param({"kind": "reset"}, "RemoteProtocolError", id="connection-reset"),
    pytest.param({"kind": "latency", "seconds": 0.4}, "ReadTimeout", id="latency-beyond-timeout"),
    pytest.param({"kind": "status", "status": 500}, "HTTP 500", id="500"),
    pytest.param({"kind": "status", "status": 502}, "HTTP 502", id="502"),
    pytest.param({"kind": "status", "status": 503}, "HTTP 503", id="503"),
    pytest.param({"kind": "html"}, "HTTP 502", id="html-error-page"),
    pytest.param({"kind": "html", "status": 200}, "HTML page", id="html-page-with-200"),
    pytest.param({"kind": "truncate"}, "not valid JSON", id="truncated-json"),
    pytest.param({"kind": "status", "status": 429}, "HTTP 429", id="429-without-retry-after"),
    pytest.param({"kind": "status", "status": 429, "retry_after": "120"}, "HTTP 429",
                 id="429-retry-after-too-long"),
]


@pytest.mark.parametrize(("fault", "said"), ALWAYS)
def test_a_lasting_fault_is_inconclusive(fault: dict[str, Any], said: str) -> None:
    """Given a cancel that fails every time, the case is INCONCLUSIVE, never PASS or FAIL."""
    with served(CASHFREE) as (server, simulator):
        session = live_session_for(CASHFREE, server, live_env(CASHFREE, timeout="0.15"))
        control(server, "POST", "faults", {**fault, "operation": "cancel", "times": None})
        result = _cancel_case(session, [])
        session.close()
    assert result.verdict is Verdict.INCONCLUSIVE
    assert said in result.message
    attempts = len(_cancels(simulator)) if fault["kind"] != "latency" else 3
    # A 429 that does not say when (or asks too long) is not retried (Commet's rule, for all).
    assert attempts == (1 if fault.get("status") == 429 else 1 + LivePolicy().retries)


def test_cashfree_x_ratelimit_retry_is_honoured() -> None:
    """Given a 429 with x-ratelimit-retry: 1 (and no Retry-After), the client waits 1 s."""
    with served(CASHFREE) as (server, _):
        session = live_session_for(CASHFREE, server, live_env(CASHFREE))
        control(server, "POST", "faults", {"kind": "status", "status": 429, "operation": "cancel",
                                           "headers": {"x-ratelimit-retry": "1"}})
        result = _cancel_case(session, waits := [])
        session.close()
    assert result.verdict is Verdict.PASS
    assert waits == [1.0]


def test_a_write_without_an_idempotency_key_is_not_retried_and_cleanup_still_works() -> None:
    """Given Razorpay (no idempotency key), a dropped or truncated cancel is not repeated:
    the case is INCONCLUSIVE; cleanup then cancels whatever the run left open."""
    contract = get_contract("razorpay")
    assert contract.idempotency_header is None
    for kind in ("reset", "truncate"):
        with served(contract) as (server, simulator):
            session = live_session_for(contract, server, live_env(contract))
            control(server, "POST", "faults", {"kind": kind, "operation": "cancel"})
            result = _cancel_case(session, [])
            assert result.verdict is Verdict.INCONCLUSIVE
            assert len(_cancels(simulator)) == 1
            session.extra["finish"]()  # type: ignore[operator]
            session.close()
            links = control(server, "GET", "links")["links"]
        assert links and all(link["status"] == contract.cancelled_status for link in links)


def test_a_spent_budget_makes_the_rest_inconclusive_but_cleanup_runs() -> None:
    """Given a budget of 3 API calls, later cases are INCONCLUSIVE naming the budget; cleanup
    still cancels every link the run left open."""
    with served(CASHFREE) as (server, simulator):
        session = live_session_for(CASHFREE, server, live_env(CASHFREE, budget="3"))
        results = session.run_all(["cancel.cancellable-status", "state.cancel-persists",
                                   "cancel.repeat"])
        assert [r.verdict for r in results] == [Verdict.PASS] + [Verdict.INCONCLUSIVE] * 2
        assert "request budget of 3 API calls for cashfree is spent" in results[-1].message
        summary = session.extra["finish"]()  # type: ignore[operator]
        session.close()
        links = control(server, "GET", "links")["links"]
    assert summary["cancelled"] and not summary["errors"]
    assert all(link["status"] == "CANCELLED" for link in links)
    assert len(simulator.requests) > 3


def test_the_client_side_rate_limit_spaces_requests() -> None:
    """Given 50 requests per second, five requests at one instant wait 20 ms apart."""
    waits: list[float] = []
    transport = LiveTransport(httpx.MockTransport(lambda r: httpx.Response(200, json={})),
                              CASHFREE, LivePolicy(rate=50), sleep=waits.append, clock=lambda: 0.0)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1/") as client:
        for _ in range(5):
            client.get("x")
    assert waits == pytest.approx([0.02, 0.04, 0.06, 0.08])
    assert transport.calls == 5


def test_a_documented_per_endpoint_limit_spaces_each_endpoint_apart() -> None:
    """Given Xendit's 60 calls a minute per endpoint and no run-wide limit, three expiries at
    one instant wait 1 s apart while a read of another endpoint does not wait for them."""
    xendit = get_contract("xendit")
    waits: list[float] = []
    transport = LiveTransport(httpx.MockTransport(lambda r: httpx.Response(200, json={})),
                              xendit, LivePolicy(rate=0), sleep=waits.append, clock=lambda: 0.0)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1/") as client:
        for link in ("a", "b", "c"):
            client.post(f"invoices/{link}/expire!")
        client.get("v2/invoices/a")
    assert waits == pytest.approx([1.0, 2.0])


def test_vendor_limits_off_leaves_only_the_run_rate() -> None:
    """Given PAYCONFORM_LIVE_VENDOR_LIMITS=0 (a target that is not the vendor), the same
    three expiries do not wait for Xendit's documented limit."""
    xendit = get_contract("xendit")
    waits: list[float] = []
    policy = LivePolicy.from_env("xendit", {"PAYCONFORM_LIVE_RATE": "0",
                                            "PAYCONFORM_LIVE_VENDOR_LIMITS": "0"})
    transport = LiveTransport(httpx.MockTransport(lambda r: httpx.Response(200, json={})),
                              xendit, policy, sleep=waits.append, clock=lambda: 0.0)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1/") as client:
        for link in ("a", "b", "c"):
            client.post(f"invoices/{link}/expire!")
    assert waits == []


def test_retry_after_as_an_http_date_is_honoured() -> None:
    """Given Retry-After as an HTTP date a few seconds ahead, the wait follows it."""
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    answers = iter([httpx.Response(429, headers={"Retry-After": format_datetime(
        datetime.now(UTC) + timedelta(seconds=5), usegmt=True)}), httpx.Response(200, json={})])
    waits: list[float] = []
    transport = LiveTransport(httpx.MockTransport(lambda r: next(answers)), CASHFREE,
                              LivePolicy(rate=0), sleep=waits.append)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1/") as client:
        assert client.post("links", json={}).status_code == 200
    assert len(waits) == 1 and 3 < waits[0] <= 5


def test_the_fault_control_api_validates_lists_and_clears() -> None:
    """Faults are checked on the way in, listed, consumed and cleared."""
    simulator = Simulator(CASHFREE)

    def call(method: str, body: Any = None) -> tuple[int, Any]:
        answer = simulator.handle(method, "/_simulator/faults", {"Content-Type": "application/json"},
                                  json.dumps(body).encode() if body is not None else b"")
        return answer.status, answer.body

    assert call("POST", {"kind": "explode"}) == (
        400, {"error": "fault kind must be one of latency, reset, status, html, truncate, timeout, "
                       "not 'explode'"})
    assert call("POST", {"kind": "status"})[0] == 400
    assert call("POST", {"kind": "reset", "operation": "refund"})[0] == 400
    status, body = call("POST", [{"kind": "status", "status": 503, "after": 1},
                                 {"kind": "reset", "times": None, "operation": "fetch"}])
    assert status == 200 and len(body["faults"]) == 2
    assert len(call("GET")[1]["faults"]) == 2
    assert call("DELETE") == (200, {"faults": []})
    assert call("GET")[1]["faults"] == []


def test_an_all_inconclusive_run_exits_6_and_writes_its_report(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox that drops every connection, pytest exits 6 (not 1) with a report."""
    for var, value in live_env(CASHFREE).items():
        monkeypatch.setenv(var, value)
    with served(CASHFREE) as (server, _):
        control(server, "POST", "faults", {"kind": "reset", "times": None})
        result = pytester.runpytest_inprocess(
            "--pyargs", *RULE_SUITES, "-p", "no:cacheprovider", "--lane", "live",
            "--provider", "cashfree", "--base-url", server.base_url,
            "--report-dir", str(pytester.path / "reports"))
    assert result.ret == 6
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    judged = {r["verdict"] for r in doc["results"] if r["verdict"] != "SKIPPED"}
    assert judged == {"INCONCLUSIVE"}
    # Only the cases that need a user-named fixture link are skipped, naming its variable.
    assert all("_LINK_ID" in r["message"] for r in doc["results"] if r["verdict"] == "SKIPPED")
    assert "FAIL" not in result.stdout.str()


def test_a_timeout_fault_takes_effect_then_loses_the_answer() -> None:
    """Given a timeout fault on a cancel: the link is cancelled, the request is logged with its
    real status, and the client gets no answer (the connection drops after the hold)."""
    with served(CASHFREE) as (server, simulator):
        headers = {"x-client-id": "TEST-payconform-sim-app-id",
                   "x-client-secret": "TEST-payconform-sim-secret", "x-api-version": "2025-01-01"}
        body = {"link_id": "lost_1", "link_amount": 1, "link_currency": "INR", "link_purpose": "t",
                "customer_details": {"customer_phone": "9999999999"}}
        assert httpx.post(f"{server.base_url}/links", json=body, headers=headers).status_code == 200
        control(server, "POST", "faults", {"kind": "timeout", "seconds": 0.2, "operation": "cancel"})
        with pytest.raises(httpx.TransportError):
            httpx.post(f"{server.base_url}/links/lost_1/cancel", headers=headers, timeout=5)
        assert simulator.links["lost_1"].status == "CANCELLED"
        assert _cancels(simulator)[-1] | {"at": 0} == _cancels(simulator)[-1] | {
            "at": 0, "status": 200, "fault": "timeout"}



@pytest.mark.parametrize("profile", ["live", "ci", "dev"])
@pytest.mark.parametrize("fault", [{"kind": "reset", "times": None},
                                   {"kind": "status", "status": 503, "times": None}],
                         ids=["unreachable", "failing"])
def test_every_suite_against_an_unreachable_or_failing_target_exits_6_whatever_the_profile(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, profile: str,
        fault: dict[str, Any]) -> None:
    """Given a sandbox that drops every connection, or answers 503 to everything, every suite
    (rule catalog, property searches, schemathesis) on each hypothesis profile ends
    INCONCLUSIVE or SKIPPED with its reason: never FAIL or ERROR, and the run exits 6."""
    for var, value in live_env(CASHFREE).items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("PAYCONFORM_HYPOTHESIS_PROFILE", profile)
    with served(CASHFREE) as (server, _):
        control(server, "POST", "faults", fault)
        result = pytester.runpytest_inprocess(
            "--pyargs", "payconform.suites", "-p", "no:cacheprovider", "--lane", "live",
            "--provider", "cashfree", "--base-url", server.base_url,
            "--report-dir", str(pytester.path / "reports"))
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    verdicts = {r["rule_id"]: r["verdict"] for r in doc["results"]}
    assert result.ret == doc["summary"]["exit_status"] == 6, (verdicts, result.stdout.str()[-3000:])
    assert set(verdicts.values()) <= {"INCONCLUSIVE", "SKIPPED"}, verdicts
    assert "property.state-machine" in verdicts and verdicts["cancel.cancellable-status"] == "INCONCLUSIVE"
