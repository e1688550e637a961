"""Verdict integrity: an exception planted in each layer gets its own verdict everywhere.

payconform's own exceptions (a rule, a property, a generator, hypothesis's flaky-data and
health-check errors, schemathesis internals) are ERROR, "payconform could not judge", with
the traceback, exit status 7; infrastructure (refused connections, timeouts) is INCONCLUSIVE,
exit status 6; neither is ever a contract FAIL. Each planted exception is checked in the JSON
report (valid against its schema), the Markdown and HTML renderings, the exit status the
report records and, through real pytest sessions, the terminal matrix and the exit status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.errors import FailedHealthCheck
from jsonschema import Draft202012Validator

import payconform.properties.inputs as inputs
from payconform.lanes.base import simulator_session
from payconform.model.outcomes import Verdict
from payconform.model.registry import all_contracts, get_contract
from payconform.properties.checks import run_schemathesis
from payconform.properties.harness import Harness, Judge
from payconform.properties.inputs import PROPERTIES, InputProperty, run_property
from payconform.properties.openapi import export
from payconform.properties.profiles import machine_settings
from payconform.properties.stateful import run_machine, to_case_result
from payconform.reporting.report import (
    EXIT_ERROR,
    EXIT_FAIL,
    EXIT_INCONCLUSIVE,
    RunReport,
    render_html,
    render_markdown,
    report_schema,
)
from payconform.rules.client import Credentials, ProviderClient
from payconform.rules.engine import CaseResult, RuleContext
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

pytest_plugins = ["pytester"]

PROVIDERS = sorted(all_contracts())
SETTINGS = settings(machine_settings("ci"), max_examples=5)


class Planted(RuntimeError):
    """An exception of payconform's own, planted by a test."""


def _raise(exc: BaseException) -> Callable[..., Any]:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise exc
    return boom


def _everywhere(result: CaseResult, verdict: Verdict, exit_status: int) -> None:
    """The verdict shows in the JSON, Markdown and HTML reports, with the exit status."""
    assert result.verdict is verdict, (result.verdict, result.message)
    doc = RunReport(run_id="planted", lane="simulator", providers=[result.provider],
                    results=[result]).to_json()
    Draft202012Validator(report_schema()).validate(doc)
    assert doc["summary"]["matrix"][result.provider][result.rule_id] == verdict.value
    assert doc["summary"]["exit_status"] == exit_status
    markdown, page = render_markdown(doc), render_html(doc)
    assert f"{verdict.value}" in page and f"Exit status: {exit_status}" in page
    assert f"Exit status: {exit_status}" in markdown
    if verdict is Verdict.ERROR:
        assert "payconform could not judge" in result.message
        assert "Traceback" in result.traceback
        assert "| **ERROR** |" in markdown or "**ERROR** |" in markdown
        assert "Traceback:" in markdown and "payconform could not judge" in page
    else:
        assert not result.traceback


# ---- the rule layer --------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("exc", "verdict", "status"), [
    (Planted("planted in a rule"), Verdict.ERROR, EXIT_ERROR),
    (KeyError("planted"), Verdict.ERROR, EXIT_ERROR),
    (httpx.ConnectError("connection refused"), Verdict.INCONCLUSIVE, EXIT_INCONCLUSIVE),
    (httpx.ReadTimeout("timed out"), Verdict.INCONCLUSIVE, EXIT_INCONCLUSIVE),
], ids=["crash", "keyerror", "connect", "timeout"])
def test_an_exception_in_a_rule(provider: str, exc: BaseException, verdict: Verdict, status: int,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a rule whose check raises, its case is ERROR (ours) or INCONCLUSIVE (network)."""
    monkeypatch.setattr(RuleContext, "check", _raise(exc))
    results = simulator_session(get_contract(provider)).run_all(["cancel.cancellable-status"])
    assert results
    for result in results:
        _everywhere(result, verdict, status)


# ---- the state machine -------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("target", "exc", "verdict", "status"), [
    ((Judge, "response"), Planted("planted in the machine"), Verdict.ERROR, EXIT_ERROR),
    ((ProviderClient, "create"), httpx.ConnectError("refused"), Verdict.INCONCLUSIVE,
     EXIT_INCONCLUSIVE),
    ((ProviderClient, "cancel"), httpx.ReadTimeout("timed out"), Verdict.INCONCLUSIVE,
     EXIT_INCONCLUSIVE),
], ids=["crash", "connect", "timeout"])
def test_an_exception_in_the_state_machine(provider: str, target: tuple[type, str],
                                           exc: BaseException, verdict: Verdict, status: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a machine step that raises, the machine is ERROR (ours) or INCONCLUSIVE."""
    harness = Harness.from_session(simulator_session(get_contract(provider)))
    monkeypatch.setattr(*target, _raise(exc))
    result = run_machine(harness, settings=SETTINGS, seed=3, profile="ci")
    _everywhere(to_case_result(result, "property.state-machine", "t", "simulator"), verdict, status)


# ---- input properties and their generators -----------------------------------------------------


def _property(provider: str, prop: InputProperty, seed: int = 3) -> CaseResult:
    harness = Harness.from_session(simulator_session(get_contract(provider)))
    result = run_property(prop, harness, settings=SETTINGS, seed=seed, profile="ci")
    return to_case_result(result, prop.id, prop.title, "simulator")


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("exc", "verdict", "status"), [
    (Planted("planted in a property"), Verdict.ERROR, EXIT_ERROR),
    (httpx.ConnectError("refused"), Verdict.INCONCLUSIVE, EXIT_INCONCLUSIVE),
], ids=["crash", "connect"])
def test_an_exception_in_an_input_property(provider: str, exc: BaseException, verdict: Verdict,
                                           status: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a property check that raises, the property is ERROR or INCONCLUSIVE."""
    monkeypatch.setattr(inputs, "_error_shape", _raise(exc))
    for prop in PROPERTIES:
        result = _property(provider, prop)
        if result.verdict is not Verdict.SKIPPED:  # nothing to vary for this contract
            _everywhere(result, verdict, status)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_exception_in_a_generator(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a strategy that raises while drawing, property.link-ids is ERROR."""
    monkeypatch.setattr(inputs, "_SENDABLE", st.characters().map(lambda c: 1 // 0))
    monkeypatch.setattr(inputs, "SPECIAL_IDS", ("x",))
    prop = next(p for p in PROPERTIES if p.id == "property.link-ids")
    _everywhere(_property(provider, prop, seed=1), Verdict.ERROR, EXIT_ERROR)


def _flaky_strategy(_: object) -> st.SearchStrategy[st.DataObject]:
    return st.data()


def _flaky_check(counter: list[int]) -> Callable[[Harness, st.DataObject], None]:
    def check(harness: Harness, data: st.DataObject) -> None:
        counter[0] += 1
        data.draw(st.integers(0, 3))
        if counter[0] % 2:  # external state decides whether one more value is drawn
            data.draw(st.integers(0, 3))
        if counter[0] > 3:
            raise Planted("fails once the counter is high")
    return check


@pytest.mark.parametrize(("name", "strategy", "check"), [
    ("flaky-data", _flaky_strategy, _flaky_check([0])),
    # Raised directly: whether hypothesis runs its own health checks depends on what ran before
    # in the process, and the verdict must not.
    ("health-check", lambda _: st.integers(), _raise(FailedHealthCheck("planted health check"))),
    ("unsatisfiable", lambda _: st.integers().filter(lambda _: False), lambda h, v: None),
], ids=["FlakyStrategyDefinition", "FailedHealthCheck", "Unsatisfiable"])
def test_hypothesis_s_own_errors_are_errors(name: str, strategy: Any, check: Any) -> None:
    """Given hypothesis's flaky-data, health-check or unsatisfiable errors, the property is
    ERROR (payconform could not judge), never FAIL."""
    prop = InputProperty(f"property.{name}", name, strategy, check)
    result = _property("cashfree", prop)
    _everywhere(result, Verdict.ERROR, EXIT_ERROR)
    assert "hypothesis" in result.traceback


# ---- schemathesis --------------------------------------------------------------------------


@pytest.mark.parametrize(("exc", "verdict", "status"), [
    (Planted("planted in schemathesis"), Verdict.ERROR, EXIT_ERROR),
    (ConnectionError("refused"), Verdict.INCONCLUSIVE, EXIT_INCONCLUSIVE),
], ids=["crash", "connect"])
def test_an_exception_inside_schemathesis(exc: BaseException, verdict: Verdict, status: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Given schemathesis failing to send a case, the run is ERROR or INCONCLUSIVE, not FAIL."""
    import schemathesis

    contract = get_contract("cashfree")
    monkeypatch.setattr(schemathesis.Case, "call", _raise(exc))
    with serve_in_thread(Simulator(contract)) as server:
        run = run_schemathesis(export(contract), server.base_url, {}, settings=SETTINGS, seed=1,
                               stateful=False)
    assert not run.failures
    result = CaseResult("cashfree", "schemathesis.exported-openapi", "seed-1", "t", run.verdict,
                        "documented", "c", "\n".join([*run.errors, *run.inconclusive]),
                        traceback="\n".join(run.errors.values()))
    _everywhere(result, verdict, status)


def _schemathesis_result(run: Any) -> CaseResult:
    return CaseResult("cashfree", "schemathesis.exported-openapi", "seed-1", "t", run.verdict,
                      "documented", "c", "\n".join([*run.errors, *run.inconclusive]),
                      traceback="\n".join(run.errors.values()))


def test_a_crash_of_the_served_simulator_is_error_not_the_provider_s_5xx(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the served simulator crashing while it answers a fetch (its 500 is payconform's
    defect, not a provider's answer), the schemathesis run is ERROR with the simulator's
    traceback, in the unit and the stateful phases, and no check reports a failure."""
    contract = get_contract("cashfree")
    monkeypatch.setattr(Simulator, "_fetch", _raise(Planted("planted in the simulator")))
    simulator = Simulator(contract)
    credentials = Credentials(dict(contract.auth.simulator_credentials))
    headers = ProviderClient(contract, httpx.Client(), credentials)._auth_headers("valid")
    with serve_in_thread(simulator) as server:
        run = run_schemathesis(export(contract), server.base_url, headers, settings=SETTINGS,
                               seed=1, fresh_state=simulator.forget_links, simulator=simulator)
    assert not run.failures, run.failures
    traces = "\n".join(run.errors.values())
    assert "Planted: planted in the simulator" in traces and "_fetch" in traces
    assert any(key.startswith("stateful") for key in run.errors), list(run.errors)
    assert simulator.crashes and "planted in the simulator" in simulator.crashes[-1]
    _everywhere(_schemathesis_result(run), Verdict.ERROR, EXIT_ERROR)


def test_a_crash_of_the_served_simulator_is_error_for_the_rules_and_the_adapter_harness(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the served simulator crashing on every create, the rule catalog recording from
    it and an adapter driven against it get ERROR rows with the simulator's traceback, never
    the INCONCLUSIVE of a provider's 5xx or the adapter's FAIL."""
    from payconform.adapters.harness import AdapterHarness
    from payconform.adapters.judge import adapter_cases
    from payconform.cassettes.lanes import record_simulator
    from tests.adapter_mutants import factory_for

    contract = get_contract("cashfree")
    monkeypatch.setattr(Simulator, "_create", _raise(Planted("planted in the simulator")))
    results = record_simulator(contract, tmp_path, rule_ids=["cancel.cancellable-status"])
    assert results
    for result in results:
        _everywhere(result, Verdict.ERROR, EXIT_ERROR)
        assert "SimulatorCrashed" in result.message
    harness = AdapterHarness(contract, factory_for(), "faithful")
    try:
        result = harness.run(adapter_cases(contract, "adapter.outcome-mapping")[0])
    finally:
        harness.stop()
    _everywhere(result, Verdict.ERROR, EXIT_ERROR)
    assert "planted in the simulator" in result.traceback


def _planted_assert(*args: Any, **kwargs: Any) -> Any:
    assert False, "planted internal assert"  # noqa: B011, PT015  (a bare assert, as in src/)


@pytest.mark.parametrize("where", ["check", "fresh-state"])
def test_an_internal_assert_of_payconform_is_error_not_a_check_failure(
        where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a bare ``assert`` of payconform's own failing during a schemathesis run (inside
    a payconform check, or in the hook that empties the simulator before each stateful
    scenario), the run is ERROR with its traceback: only a check's verdict (schemathesis's
    failures, payconform's ContractViolation) is a failure."""
    import payconform.properties.checks as checks

    contract = get_contract("cashfree")
    if where == "check":
        monkeypatch.setattr(checks, "interpret", _planted_assert)
    else:
        monkeypatch.setattr(Simulator, "forget_links", _planted_assert)
    simulator = Simulator(contract)
    with serve_in_thread(simulator) as server:
        run = run_schemathesis(export(contract), server.base_url, {}, settings=SETTINGS, seed=1,
                               stateful=where != "check", fresh_state=simulator.forget_links)
    assert not run.failures, run.failures
    traces = "\n".join(run.errors.values())
    assert "AssertionError: planted internal assert" in traces and "_planted_assert" in traces
    _everywhere(_schemathesis_result(run), Verdict.ERROR, EXIT_ERROR)


def test_a_crash_of_the_served_simulator_is_an_error_row_and_exit_7(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the served simulator crashing under the schemathesis suite, the report row is
    ERROR with the simulator's traceback (never FAIL) and the run exits 7."""
    monkeypatch.setenv("PAYCONFORM_HYPOTHESIS_PROFILE", "ci")
    monkeypatch.setattr(Simulator, "_fetch", _raise(Planted("planted in the simulator")))
    result = pytester.runpytest_inprocess(
        "--pyargs", "payconform.suites.test_schemathesis", "-p", "no:cacheprovider",
        "--provider", "cashfree", "-k", "exported", "--report-dir", str(pytester.path / "reports"))
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    assert result.ret == EXIT_ERROR, result.stdout.str()[-3000:]
    assert doc["summary"]["exit_status"] == EXIT_ERROR
    row = next(r for r in doc["results"] if r["rule_id"] == "schemathesis.exported-openapi")
    assert row["verdict"] == "ERROR"
    assert "planted in the simulator" in row["traceback"]
    _files_say(pytester, doc, "ERROR", "planted in the simulator", "Exit status: 7")


# ---- through pytest: terminal matrix, report files, exit status -------------------------------------

SUITES = ("payconform.suites.test_cancel", "payconform.suites.test_properties")


def _session(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    result = pytester.runpytest_inprocess(
        "--pyargs", *SUITES, "-p", "no:cacheprovider", "--provider", "cashfree",
        "--report-dir", str(pytester.path / "reports"), *args)
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    return result, doc


def _files_say(pytester: pytest.Pytester, doc: dict[str, Any], *words: str) -> None:
    run_dir = pytester.path / "reports" / doc["run"]["id"]
    markdown = (run_dir / "conformance.md").read_text()
    page = (run_dir / "conformance.html").read_text()
    for word in words:
        assert word in markdown and word in page, word


def test_a_crash_in_a_property_test_still_has_its_row(pytester: pytest.Pytester,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a property test that crashes before its search (outside any verdict logic), the
    report has its row as ERROR with the traceback, the matrix says ERROR, the run exits 7."""
    monkeypatch.setenv("PAYCONFORM_HYPOTHESIS_PROFILE", "ci")
    monkeypatch.setattr(Harness, "from_session", classmethod(_raise(Planted("planted crash"))))
    result, doc = _session(pytester, "-k", "state_machine or cancellable")
    assert result.ret == EXIT_ERROR, result.stdout.str()[-3000:]
    assert doc["summary"]["exit_status"] == EXIT_ERROR
    rows = {r["rule_id"]: r for r in doc["results"]}
    assert rows["property.state-machine"]["verdict"] == "ERROR"
    assert "planted crash" in rows["property.state-machine"]["traceback"]
    assert rows["cancel.cancellable-status"]["verdict"] == "PASS"
    result.stdout.fnmatch_lines(["property.state-machine*ERROR*",
                                 "ERROR: payconform could not judge*exit status 7*"])
    _files_say(pytester, doc, "ERROR", "planted crash", "Exit status: 7")


def test_a_crash_in_a_rule_is_error_and_a_contract_failure_still_wins(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a rule that crashes, its row is ERROR (exit 7); with a mutant that breaks another
    rule too, the FAIL decides the exit status (1) and the ERROR stays in the report."""
    from payconform.rules import catalog

    planted = catalog.RULES["cancel.unknown-id"]
    monkeypatch.setitem(catalog.RULES, "cancel.unknown-id",
                        type(planted)(planted.id, planted.title, planted.cases,
                                      _raise(Planted("planted in a rule")), planted.citation_of))
    result, doc = _session(pytester, "-k", "unknown or repeat")
    assert result.ret == EXIT_ERROR, result.stdout.str()[-3000:]
    cells = doc["summary"]["matrix"]["cashfree"]
    assert (cells["cancel.repeat"], cells["cancel.unknown-id"]) == ("PASS", "ERROR")
    result.stdout.fnmatch_lines(["cancel.unknown-id*ERROR*"])
    monkeypatch.setenv("PAYCONFORM_MUTANT", "repeat-cancel-flipped")
    result, doc = _session(pytester, "-k", "unknown or repeat")
    assert result.ret == EXIT_FAIL
    assert doc["summary"]["exit_status"] == EXIT_FAIL
    cells = doc["summary"]["matrix"]["cashfree"]
    assert (cells["cancel.repeat"], cells["cancel.unknown-id"]) == ("FAIL", "ERROR")


def test_an_unreachable_target_is_inconclusive_on_every_profile(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Given a base URL where nothing listens, every profile's live run exits 6, never 1."""
    import socket

    from tests.live_support import live_env

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for var, value in live_env(get_contract("cashfree"), retries="0").items():
        monkeypatch.setenv(var, value)
    for profile in ("dev", "ci", "live"):
        monkeypatch.setenv("PAYCONFORM_HYPOTHESIS_PROFILE", profile)
        result, doc = _session(pytester, "--lane", "live", "--base-url",
                               f"http://127.0.0.1:{port}/pg", "-k", "state_machine or cancellable")
        assert result.ret == EXIT_INCONCLUSIVE, (profile, result.stdout.str()[-3000:])
        verdicts = {r["rule_id"]: r["verdict"] for r in doc["results"]}
        assert verdicts == {"cancel.cancellable-status": "INCONCLUSIVE",
                            "property.state-machine": "INCONCLUSIVE"}, profile


def test_an_interrupted_run_says_so_and_its_report_exits_as_it_does(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given Ctrl-C in the middle of a case, pytest exits 2 and the report says 2 too (not the
    0 its finished rows call for): ``run.interrupted`` with the reason and the cases not run,
    an INCONCLUSIVE row for the case that was running, the line first in Markdown and HTML
    and last on the terminal."""
    from payconform.rules import catalog

    planted = catalog.RULES["cancel.repeat"]
    monkeypatch.setitem(catalog.RULES, "cancel.repeat",
                        type(planted)(planted.id, planted.title, planted.cases,
                                      _raise(KeyboardInterrupt()), planted.citation_of))
    result = pytester.runpytest_inprocess(
        "--pyargs", *SUITES, "-p", "no:cacheprovider", "--provider", "cashfree",
        "--report-dir", str(pytester.path / "reports"), "-k", "cancellable or repeat or unknown",
        no_reraise_ctrlc=True)
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    Draft202012Validator(report_schema()).validate(doc)
    assert result.ret == doc["summary"]["exit_status"] == 2, result.stdout.str()[-3000:]
    verdicts = {r["rule_id"]: r["verdict"] for r in doc["results"]}
    assert verdicts == {"cancel.cancellable-status": "PASS", "cancel.repeat": "INCONCLUSIVE"}
    stop = doc["run"]["interrupted"]
    assert stop["reason"] == "SIGINT (Ctrl-C)" and "repeat" in stop["running"]
    unknown = len(catalog.cases_for(get_contract("cashfree"), ["cancel.unknown-id"]))
    assert stop["not_run"] >= unknown >= 1  # the unknown-id cases never started
    line = f"interrupted (SIGINT (Ctrl-C)): {stop['not_run']} cases not run"
    _files_say(pytester, doc, line, "Exit status: 2")
    result.stdout.fnmatch_lines([f"payconform: {line}*", "report: *"])


def test_a_crash_while_building_a_rule_s_cases_is_an_error_row(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given payconform's own crash while collection builds one rule's cases (pytest would end
    with a collection error, exit 2, no report), that rule has an ERROR row with the traceback,
    the other rules still run, and the run exits 7 as its report says."""
    import payconform.plugin
    from payconform.rules import catalog

    def cases_for(contract: Any, rule_ids: list[str]) -> Any:
        if rule_ids == ["cancel.unknown-id"]:
            raise Planted("planted while building cases")
        return catalog.cases_for(contract, rule_ids)

    monkeypatch.setattr(payconform.plugin, "cases_for", cases_for)
    result, doc = _session(pytester, "-k", "unknown or repeat")
    assert result.ret == doc["summary"]["exit_status"] == EXIT_ERROR, result.stdout.str()[-3000:]
    rows = {r["rule_id"]: r for r in doc["results"]}
    assert rows["cancel.repeat"]["verdict"] == "PASS"
    assert rows["cancel.unknown-id"]["verdict"] == "ERROR"
    assert "planted while building cases" in rows["cancel.unknown-id"]["traceback"]
    result.stdout.fnmatch_lines(["cancel.unknown-id*ERROR*",
                                 "ERROR: payconform could not judge*exit status 7*"])


def test_a_crash_while_planning_a_live_run_is_an_error_row(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given payconform's own crash while it plans a live run's calls (pytest would end with
    an internal error, exit 3, no report), the report has an ERROR row with the traceback,
    nothing is sent for that provider, one line says so, and the run exits 7."""
    import payconform.lanes.plan
    from tests.live_support import live_env

    for var, value in live_env(get_contract("cashfree")).items():
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(payconform.lanes.plan, "plan_calls", _raise(Planted("planted in the plan")))
    # Nothing listens on port 1: a request sent anyway would show as INCONCLUSIVE.
    result, doc = _session(pytester, "--lane", "live", "--base-url", "http://127.0.0.1:1/pg",
                           "-k", "cancellable or state_machine")
    assert result.ret == doc["summary"]["exit_status"] == EXIT_ERROR, result.stdout.str()[-3000:]
    assert [(r["rule_id"], r["verdict"]) for r in doc["results"]] == [("run.call-plan", "ERROR")]
    assert "planted in the plan" in doc["results"][0]["traceback"]
    result.stdout.fnmatch_lines(["payconform: cashfree: planning the calls crashed*",
                                 "ERROR: payconform could not judge*exit status 7*"])


def test_a_failed_test_that_is_not_payconform_s_keeps_pytest_s_status_in_the_report(
        pytester: pytest.Pytester) -> None:
    """Given a project's own failing test in the same session as passing suites, pytest's 1
    stands and the report stores that 1 too (not the 0 of its rows), saying why."""
    pytester.makepyfile(test_own="def test_own():\n    assert False\n")
    result, doc = _session(pytester, "-k", "repeat or test_own", "test_own.py")
    Draft202012Validator(report_schema()).validate(doc)
    assert {r["verdict"] for r in doc["results"]} == {"PASS"}
    assert result.ret == doc["summary"]["exit_status"] == EXIT_FAIL, result.stdout.str()[-3000:]
    assert doc["run"]["foreign_failures"] == 1
    _files_say(pytester, doc, "1 failed tests of the session are not payconform")
