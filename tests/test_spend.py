"""What a run spends: every case counts the HTTP requests it sent, and the report sums cases,
requests and seconds per phase under the run's profile (JSON, Markdown, HTML, merged)."""

from __future__ import annotations

import httpx
import pytest
from jsonschema import Draft202012Validator

from payconform.lanes.base import simulator_session
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract
from payconform.properties.harness import Harness
from payconform.properties.inputs import PROPERTIES, run_property
from payconform.properties.profiles import machine_settings
from payconform.properties.stateful import run_machine, to_case_result
from payconform.reporting.merge import merge_reports
from payconform.reporting.report import (
    RunReport,
    render_html,
    render_markdown,
    report_schema,
    spend_of,
)
from payconform.rules.catalog import cases_for
from payconform.rules.engine import CaseResult
from payconform.simulator.transport import SimulatorTransport


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests the in-process simulator transport handled (API and control calls),
    counted apart from the client's own hook."""
    count = [0]
    original = SimulatorTransport.handle_request

    def counting(self: SimulatorTransport, request: httpx.Request) -> httpx.Response:
        count[0] += 1
        return original(self, request)

    monkeypatch.setattr(SimulatorTransport, "handle_request", counting)
    return count


@pytest.mark.parametrize("provider", ["cashfree", "paypal-invoices", "stripe-checkout"])
def test_each_rule_case_counts_exactly_the_requests_it_sent(provider: str,
                                                            handled: list[int]) -> None:
    """Given the rule catalog on the simulator, each case's request count is what the
    simulator handled during it (token requests, setup, control calls and cleanup included)."""
    session = simulator_session(get_contract(provider))
    for case in cases_for(session.contract):
        before = handled[0]
        result = session.run(case)
        assert result.requests == handled[0] - before > 0, result.case_id


def test_a_property_search_counts_the_requests_it_sent(handled: list[int]) -> None:
    """Given a state machine and an input property, each result's count is the simulator's."""
    session = simulator_session(get_contract("cashfree"))
    harness = Harness.from_session(session)
    before = handled[0]
    machine = run_machine(harness, settings=machine_settings("ci"), seed=3)
    assert machine.verdict is Verdict.PASS and machine.requests == handled[0] - before > 0
    link_ids = next(p for p in PROPERTIES if p.id == "property.link-ids")
    before = handled[0]
    found = run_property(link_ids, harness, settings=machine_settings("ci"), seed=3)
    assert found.requests == handled[0] - before > 0
    assert to_case_result(machine, "property.state-machine", "t", "simulator").requests == (
        machine.requests)


def _result(rule_id: str, requests: int, ms: float) -> CaseResult:
    return CaseResult("cashfree", rule_id, f"{rule_id}-{requests}", "t", Verdict.PASS,
                      "documented", "c", "", duration_ms=ms, requests=requests)


RESULTS = [_result("cancel.repeat", 4, 10.0), _result("auth.missing", 2, 5.0),
           _result("property.state-machine", 300, 1500.0), _result("property.bodies", 60, 400.0),
           _result("schemathesis.exported-openapi", 45, 2250.0)]


def test_the_report_sums_cases_requests_and_seconds_per_phase() -> None:
    """Given results of each phase, the summary's spend adds them up per phase, in phase order,
    validates against the report schema, and Markdown and HTML say it with the profile."""
    doc = RunReport(run_id="r", lane="simulator", providers=["cashfree"], results=RESULTS,
                    seed="1", hypothesis_profile="ci").to_json()
    Draft202012Validator(report_schema()).validate(doc)
    assert doc["summary"]["spend"] == {
        "rule catalog": {"cases": 2, "requests": 6, "seconds": 0.01},
        "property searches": {"cases": 2, "requests": 360, "seconds": 1.9},
        "schemathesis": {"cases": 1, "requests": 45, "seconds": 2.25},
    }
    line = ("spent under profile ci: rule catalog 2 cases, 6 requests, 0.0 s; property searches "
            "2 cases, 360 requests, 1.9 s; schemathesis 1 cases, 45 requests, 2.2 s")
    assert f"- {line}" in render_markdown(doc)
    assert line.removeprefix("spent ") in render_html(doc)


def test_a_merged_report_spends_what_its_parts_spent() -> None:
    """Given two reports of one run split across machines, the merged spend is their sum."""
    parts = [RunReport(run_id=f"r{i}", lane="simulator", providers=["cashfree"], results=half,
                       seed="1", hypothesis_profile="ci").to_json()
             for i, half in enumerate((RESULTS[:3], RESULTS[3:]))]
    merged = merge_reports(parts)
    Draft202012Validator(report_schema()).validate(merged)
    assert merged["summary"]["spend"] == spend_of(r.to_json() for r in RESULTS)
