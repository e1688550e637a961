"""A 5xx that one scenario gets on every attempt, while the rest of the run works and the same
endpoint serves other scenarios, is a provider defect at the level of the fact it breaks; an
outage, of the whole API or of one endpoint, stays INCONCLUSIVE (README, "Persistent server
errors")."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from payconform.lanes.live import EndpointHealth, LivePolicy, LiveSession, LiveTransport
from payconform.model.registry import all_contracts
from payconform.plugin import CaseRunner
from tests.live_support import live_env, seed_fixtures, served

pytest_plugins = ["pytester"]

RULE_SUITES = ("payconform.suites.test_cancel",)
#: The refused cancels, and a cancel that succeeds (the cancel endpoint serving other scenarios).
CANCELS = "any_other_status or cancellable_status_cancels_it"
#: Every scenario judged on the cancel call, the auth ones included.
CANCEL_SCENARIOS = f"{CANCELS} or without_credentials or wrong_credentials"
#: Every contract with a fixture status the API cannot reach (a refused cancel to break).
CONTRACTS = [c for c in all_contracts().values()
             if any(f.status not in c.cancellable_statuses for f in c.fixtures)]


def _run(pytester: pytest.Pytester, base_url: str, provider: str, select: str = CANCELS,
         suites: tuple[str, ...] = RULE_SUITES, **options: Any) -> tuple[int, dict[str, Any]]:
    result = pytester.runpytest_inprocess(
        "--pyargs", *suites, "-p", "no:cacheprovider", "--lane", "live",
        "--provider", provider, "--base-url", base_url, "-k", select,
        "--report-dir", str(pytester.path / "reports"), **options)
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    return int(result.ret), doc


def _break_cancel_of(contract: Any, server: Any, monkeypatch: pytest.MonkeyPatch,
                     fixture: Any) -> dict[str, str]:
    """Seed the fixture links, point the live env at them (no retries) and make every cancel
    of ``fixture``'s link answer 500; the fixture variables are returned."""
    fixtures = seed_fixtures(contract, server)
    for var, value in {**live_env(contract, retries="0"), **fixtures}.items():
        monkeypatch.setenv(var, value)
    fault = httpx.post(f"{server.origin}/_simulator/faults", json={
        "kind": "status", "status": 500, "operation": "cancel",
        "path": fixtures[fixture.env], "times": None})
    assert fault.status_code == 200, fault.text
    return fixtures


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.provider)
def test_a_scenario_that_always_answers_5xx_is_a_finding(
        contract: Any, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox whose cancel of one fixture link answers 500 on every attempt while every
    other call works (other links' cancels included), that case is judged at its fact's level
    with "persistent 5xx", naming the endpoint that served the other scenarios."""
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        fixture = next(f for f in contract.fixtures if f.status not in contract.cancellable_statuses)
        broken = fixtures[fixture.env]
        for var, value in {**live_env(contract), **fixtures}.items():
            monkeypatch.setenv(var, value)
        fault = httpx.post(f"{server.origin}/_simulator/faults", json={
            "kind": "status", "status": 500, "operation": "cancel", "path": broken,
            "times": 1000})
        assert fault.status_code == 200, fault.text
        status, doc = _run(pytester, server.base_url, contract.provider)
    row = next(r for r in doc["results"] if r["case_id"] == fixture.status)
    expected = {"documented": "FAIL", "observed": "FAIL", "inferred": "WARN"}.get(
        row["evidence"], "OBSERVED")
    assert row["verdict"] == expected, row
    assert row["message"].startswith("persistent 5xx: cancel HTTP 500")
    endpoint = f"{contract.cancel.method} {contract.cancel.path}"
    assert f"{endpoint} answered other scenarios normally" in row["message"]
    others = {r["verdict"] for r in doc["results"] if r["case_id"] != fixture.status}
    assert "INCONCLUSIVE" not in others and "FAIL" not in others
    assert status == doc["summary"]["exit_status"] == (1 if expected == "FAIL" else 0)


@pytest.mark.parametrize("contract", CONTRACTS[:1], ids=lambda c: c.provider)
def test_an_outage_stays_inconclusive(contract: Any, pytester: pytest.Pytester,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox that answers 503 to every call once the first cancel was sent, every
    affected case stays INCONCLUSIVE (the re-run's other calls fail too) and the run exits 6."""
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract, retries="0"), **fixtures}.items():
            monkeypatch.setenv(var, value)
        httpx.post(f"{server.origin}/_simulator/faults",
                   json={"kind": "status", "status": 503, "after": 1, "times": 100_000})
        status, doc = _run(pytester, server.base_url, contract.provider)
    verdicts = {r["verdict"] for r in doc["results"]}
    assert "FAIL" not in verdicts and "INCONCLUSIVE" in verdicts, doc["results"]
    assert status == doc["summary"]["exit_status"] == 6
    assert any("looks like an outage" in o for r in doc["results"] for o in r["observations"])


#: The provider the endpoint-outage tests run against (a cancel that is a POST of its own).
OUTAGE_CONTRACT = all_contracts()["cashfree"]


def _cancel_down(contract: Any, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                 after: int) -> tuple[int, dict[str, Any]]:
    """Run every scenario judged on the cancel call against a sandbox whose cancel endpoint
    answers 503 to every call after the first ``after`` ones, while create and fetch work."""
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract), **fixtures}.items():
            monkeypatch.setenv(var, value)
        fault = httpx.post(f"{server.origin}/_simulator/faults", json={
            "kind": "status", "status": 503, "operation": "cancel", "after": after,
            "times": None})
        assert fault.status_code == 200, fault.text
        return _run(pytester, server.base_url, contract.provider, CANCEL_SCENARIOS,
                    (*RULE_SUITES, "payconform.suites.test_auth_and_headers"))


def test_an_outage_of_one_endpoint_stays_inconclusive(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox whose cancel endpoint alone answers 503 to every call (create and fetch
    work), no scenario is a finding: every cancel scenario, the auth ones included, stays
    INCONCLUSIVE saying the endpoint looks down, and the run exits 6."""
    contract = OUTAGE_CONTRACT
    status, doc = _cancel_down(contract, pytester, monkeypatch, after=0)
    rows = doc["results"]
    assert {r["verdict"] for r in rows} == {"INCONCLUSIVE"}, rows
    assert {"cancel.cancellable-status", "cancel.not-cancellable", "auth.missing",
            "auth.invalid"} <= {r["rule_id"] for r in rows}
    outage = (f"every {contract.cancel.method} {contract.cancel.path} of this run answered 5xx: "
              "looks like an outage of that endpoint")
    for row in rows:
        assert row["server_error"] == "cancel HTTP 503", row
        assert any(outage in o for o in row["observations"]), row
    assert status == doc["summary"]["exit_status"] == 6


def test_an_endpoint_that_goes_down_mid_run_stays_inconclusive(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox whose cancel endpoint serves the first cancel (a cancellable link) and
    answers 503 to every later one, the scenarios it failed are not findings: the scenario it
    served, run again at the end, gets a 503 too, so the endpoint is down, not the scenarios."""
    contract = OUTAGE_CONTRACT
    status, doc = _cancel_down(contract, pytester, monkeypatch, after=1)
    rows = doc["results"]
    served = [r for r in rows if r["rule_id"] == "cancel.cancellable-status"]
    assert [r["verdict"] for r in served] == ["PASS"], served
    failed = [r for r in rows if r["verdict"] != "PASS"]
    assert failed and {r["verdict"] for r in failed} == {"INCONCLUSIVE"}, rows
    endpoint = f"{contract.cancel.method} {contract.cancel.path}"
    for row in failed:
        assert any(f"{endpoint} served cancel.cancellable-status" in o and
                   "looks like an outage of that endpoint" in o for o in row["observations"]), row
    assert status == doc["summary"]["exit_status"] == 6


def test_the_wire_counts_what_each_endpoint_served() -> None:
    """Given a cancel endpoint whose service is down behind a gateway that still refuses
    missing credentials (401), rate-limits (429) and refuses a missing version header (400),
    the wire counts none of those as served (400 as refused): only a success (2xx) shows that
    the endpoint's service works. A read
    that a retry got past a 503 counts as recovered (the endpoint fails intermittently)."""
    contract = OUTAGE_CONTRACT
    reads = iter([httpx.Response(503, json={}), httpx.Response(200, json={})])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return next(reads)
        if not request.url.path.endswith("/cancel"):
            return httpx.Response(200, json={})
        if "x-client-secret" not in request.headers:
            return httpx.Response(401, json={})
        if "x-api-version" not in request.headers:
            return httpx.Response(400, json={})  # the validation layer, in front of the service
        return httpx.Response(429 if request.headers.get("x-limit") else 503, json={})

    wire = LiveTransport(httpx.MockTransport(answer), contract,
                         LivePolicy(rate=0, retries=1, backoff=0), sleep=lambda _: None)
    wire.current_case = ("cancel.not-cancellable", "PAID")
    with httpx.Client(transport=wire, base_url="http://127.0.0.1/pg/") as client:
        client.post("links", json={})
        client.get("links/a%2Fb")
        client.post("links/a/cancel")
        version = {"x-client-secret": "s", "x-api-version": "2025-01-01"}
        client.post("links/b/cancel", headers={**version, "x-limit": "1"})
        client.post("links/b/cancel", headers={"x-client-secret": "s"})
        for link in ("a", "b"):
            client.post(f"links/{link}/cancel", headers=version)
    case = [("cancel.not-cancellable", "PAID")]
    assert wire.endpoints == {
        "POST /links": EndpointHealth(served=1, served_cases=case),
        "GET /links/{id}": EndpointHealth(served=1, recovered=1, served_cases=case),
        "POST /links/{id}/cancel": EndpointHealth(server_errors=2, refused=1),
    }


def test_an_endpoint_that_fails_intermittently_is_not_a_finding(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox whose cancel answers 503 to one refused cancel on every attempt and to
    another once, the first is no finding: the second got past its 503 on re-run, so the
    endpoint fails intermittently and twice in a row may be chance. The run exits 6."""
    contract = OUTAGE_CONTRACT
    broken, flaky = [f for f in contract.fixtures
                     if f.status not in contract.cancellable_statuses][:2]
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract, retries="0"), **fixtures}.items():
            monkeypatch.setenv(var, value)
        for fixture, times in ((broken, None), (flaky, 1)):
            fault = httpx.post(f"{server.origin}/_simulator/faults", json={
                "kind": "status", "status": 503, "operation": "cancel",
                "path": fixtures[fixture.env], "times": times})
            assert fault.status_code == 200, fault.text
        status, doc = _run(pytester, server.base_url, contract.provider)
    rows = {r["case_id"]: r for r in doc["results"]}
    endpoint = f"{contract.cancel.method} {contract.cancel.path}"
    assert rows[flaky.status]["verdict"] == "INCONCLUSIVE", rows[flaky.status]
    assert any("the 5xx did not persist" in o for o in rows[flaky.status]["observations"])
    assert rows[broken.status]["verdict"] == "INCONCLUSIVE", rows[broken.status]
    assert any(f"{endpoint} answered 5xx intermittently this run" in o
               for o in rows[broken.status]["observations"]), rows[broken.status]
    assert status == doc["summary"]["exit_status"] == 6


class _CancelBackendDown(httpx.HTTPTransport):
    """A gateway that validates ``x-api-version`` itself (a missing or malformed one gets the
    simulator's 400) in front of a cancel service that answers 503 to every cancel it is
    handed: the simulator's faults cannot select a request by header, this transport can."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        version = request.headers.get("x-api-version", "")
        if (request.method == "POST" and request.url.path.endswith("/cancel")
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", version)):
            return httpx.Response(503, json={"message": "service unavailable"}, request=request)
        return super().handle_request(request)


def test_header_validation_answers_do_not_show_the_endpoint_serving(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a cancel backend that answers 503 to every cancel carrying valid headers while
    a validation layer still answers 400 to a cancel missing (or malforming) x-api-version,
    those 400s do not show the endpoint serving other scenarios: no cancel scenario becomes a
    finding, they stay INCONCLUSIVE naming the endpoint, and the run exits 6."""
    contract = OUTAGE_CONTRACT
    monkeypatch.setattr(httpx, "HTTPTransport", _CancelBackendDown)
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract), **fixtures}.items():
            monkeypatch.setenv(var, value)
        status, doc = _run(pytester, server.base_url, contract.provider,
                           f"{CANCEL_SCENARIOS} or required_header",
                           (*RULE_SUITES, "payconform.suites.test_auth_and_headers"))
    rows = doc["results"]
    headers = [r for r in rows if r["rule_id"] == "headers.required"]
    assert headers and all(r["verdict"] not in ("INCONCLUSIVE", "FAIL") for r in headers), headers
    assert "FAIL" not in {r["verdict"] for r in rows}, rows
    endpoint = f"{contract.cancel.method} {contract.cancel.path}"
    suspects = [r for r in rows if r.get("server_error")]
    assert suspects and {r["verdict"] for r in suspects} == {"INCONCLUSIVE"}
    for row in suspects:
        assert any(f"no {endpoint} of this run succeeded" in o for o in row["observations"]), row
    assert status == doc["summary"]["exit_status"] == 6


def test_an_outage_that_ends_before_the_control_is_not_a_finding(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a cancel endpoint that serves the first cancel, answers 503 to the next ones and
    comes back just before the end-of-run check would run its control case, the refused
    cancels it failed are no findings: the endpoint must serve a control case before the
    suspects are run again (and after), and here it did not. The run exits 6."""
    contract = OUTAGE_CONTRACT
    refused = [f for f in contract.fixtures if f.status not in contract.cancellable_statuses]
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract, retries="0"), **fixtures}.items():
            monkeypatch.setenv(var, value)
        # Down for the refused cancels and for as many cancels again (their re-runs).
        fault = httpx.post(f"{server.origin}/_simulator/faults", json={
            "kind": "status", "status": 503, "operation": "cancel", "after": 1,
            "times": 2 * len(refused)})
        assert fault.status_code == 200, fault.text
        status, doc = _run(pytester, server.base_url, contract.provider)
    rows = doc["results"]
    assert [r["verdict"] for r in rows if r["rule_id"] == "cancel.cancellable-status"] == ["PASS"]
    failed = [r for r in rows if r.get("server_error")]
    assert len(failed) == len(refused), rows
    assert {r["verdict"] for r in failed} == {"INCONCLUSIVE"}, failed
    assert status == doc["summary"]["exit_status"] == 6


def test_a_rerun_that_never_reached_the_judged_call_is_no_recovery(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given two refused cancels that answer 500 on every attempt, where the second one's
    re-run fails earlier (its fetch answers 503), that re-run does not show the cancel getting
    past its 5xx: the first is still a finding, and the second stays INCONCLUSIVE saying it
    could not be checked again (and why), not that its 5xx did not persist."""
    contract = OUTAGE_CONTRACT
    broken, unchecked = [f for f in contract.fixtures
                         if f.status not in contract.cancellable_statuses][:2]
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract, retries="0"), **fixtures}.items():
            monkeypatch.setenv(var, value)
        faults = [{"kind": "status", "status": 500, "operation": "cancel",
                   "path": fixtures[f.env], "times": None} for f in (broken, unchecked)]
        # The case fetches its fixture once before the cancel: every later fetch fails.
        faults.append({"kind": "status", "status": 503, "operation": "fetch",
                       "path": fixtures[unchecked.env], "after": 1, "times": None})
        fault = httpx.post(f"{server.origin}/_simulator/faults", json=faults)
        assert fault.status_code == 200, fault.text
        status, doc = _run(pytester, server.base_url, contract.provider)
    rows = {r["case_id"]: r for r in doc["results"]}
    first = rows[broken.status]
    expected = {"documented": "FAIL", "observed": "FAIL", "inferred": "WARN"}.get(
        first["evidence"], "OBSERVED")
    assert first["verdict"] == expected, first
    assert first["message"].startswith("persistent 5xx: cancel HTTP 500")
    second = rows[unchecked.status]
    assert second["verdict"] == "INCONCLUSIVE", second
    assert not any("did not persist" in o for o in second["observations"]), second
    assert any("could not be checked again" in o and "fetch HTTP 503" in o
               for o in second["observations"]), second
    assert status == doc["summary"]["exit_status"] == (1 if expected == "FAIL" else 0)


def test_an_interrupted_run_sends_no_rerun(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a run interrupted (Ctrl-C) after a case ended on a 5xx, the end-of-run check
    sends nothing: the case stays INCONCLUSIVE saying it was not re-checked, and the report
    says the run was interrupted (exit 2)."""
    contract = OUTAGE_CONTRACT
    broken = next(f for f in contract.fixtures if f.status not in contract.cancellable_statuses)
    original = CaseRunner.run

    def run(self: CaseRunner) -> Any:
        if any(r.case_id == broken.status for r in self.state.results):
            raise KeyboardInterrupt  # Ctrl-C as the next case starts
        return original(self)

    monkeypatch.setattr(CaseRunner, "run", run)
    with served(contract) as (server, simulator):
        fixtures = _break_cancel_of(contract, server, monkeypatch, broken)
        status, doc = _run(pytester, server.base_url, contract.provider, no_reraise_ctrlc=True)
        cancels = [r for r in simulator.requests if r["method"] == "POST"
                   and fixtures[broken.env] in r["path"]]
    row = next(r for r in doc["results"] if r["case_id"] == broken.status)
    assert row["verdict"] == "INCONCLUSIVE", row
    assert "not re-checked: the run was interrupted" in row["observations"], row
    assert len(cancels) == 1, cancels
    assert status == doc["summary"]["exit_status"] == 2


def test_a_crash_of_the_recheck_is_an_error_and_the_run_still_cleans_up(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given payconform's own exception while re-checking a case that ended on a 5xx, the
    report is still written, with an ERROR row for the check (exit 7), never a FAIL; the
    case stays INCONCLUSIVE and the links the run created are still cancelled."""
    contract = OUTAGE_CONTRACT
    broken = next(f for f in contract.fixtures if f.status not in contract.cancellable_statuses)

    def crash(*_: Any) -> None:
        raise RuntimeError("re-check crashed")

    monkeypatch.setattr(LiveSession, "_case", crash)
    with served(contract) as (server, _):
        _break_cancel_of(contract, server, monkeypatch, broken)
        status, doc = _run(pytester, server.base_url, contract.provider,
                           "any_other_status or cancelled_link_is_still")
    rows = doc["results"]
    errors = [r for r in rows if r["verdict"] == "ERROR"]
    assert len(errors) == 1 and "re-check crashed" in errors[0]["message"], rows
    assert next(r for r in rows if r["case_id"] == broken.status)["verdict"] == "INCONCLUSIVE"
    assert "FAIL" not in {r["verdict"] for r in rows}
    cleanup = doc["run"]["cleanup"][contract.provider]
    assert cleanup["not_cleaned"] == [] and cleanup["created"] >= 1, cleanup
    assert status == doc["summary"]["exit_status"] == 7


def test_an_outage_that_begins_during_the_reruns_is_not_a_finding(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given refused cancels that answer 503 on every attempt, and a cancel endpoint that goes
    down right after their re-runs (the control case, run again after them, gets a 503), they
    are no findings: the endpoint did not serve around their re-runs. The run exits 6."""
    contract = OUTAGE_CONTRACT
    refused = [f for f in contract.fixtures if f.status not in contract.cancellable_statuses]
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract, retries="0"), **fixtures}.items():
            monkeypatch.setenv(var, value)
        # Cancels before the outage: the control case, the refused ones, the control again
        # and the refused ones' re-runs; the first fault counts every cancel, so it comes first.
        down = {"kind": "status", "status": 503, "operation": "cancel",
                "after": 2 + 2 * len(refused), "times": None}
        broken = [{"kind": "status", "status": 503, "operation": "cancel",
                   "path": fixtures[f.env], "times": None} for f in refused]
        fault = httpx.post(f"{server.origin}/_simulator/faults", json=[down, *broken])
        assert fault.status_code == 200, fault.text
        status, doc = _run(pytester, server.base_url, contract.provider)
    rows = doc["results"]
    failed = [r for r in rows if r.get("server_error")]
    assert len(failed) == len(refused) and {r["verdict"] for r in failed} == {"INCONCLUSIVE"}
    for row in failed:
        assert any("after the re-runs" in o and "answered 5xx" in o
                   for o in row["observations"]), row
    assert status == doc["summary"]["exit_status"] == 6
