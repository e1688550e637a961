"""The pytest plugin, exercised through real pytest sessions (pytester)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from payconform.reporting.report import report_schema

pytest_plugins = ["pytester"]


# The rule-catalog suites only: the property suites have their own tests.
SUITES = ("payconform.suites.test_cancel", "payconform.suites.test_auth_and_headers",
          "payconform.suites.test_schemas")


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("--pyargs", *SUITES, "-p", "no:cacheprovider",
                                         "--report-dir", str(pytester.path / "reports"), *args)


def _report(pytester: pytest.Pytester) -> dict:  # type: ignore[type-arg]
    return json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())


def test_faithful_run_passes_writes_a_valid_report_and_prints_the_matrix(
    pytester: pytest.Pytester,
) -> None:
    """Given the simulator lane, the Cashfree suite passes and the report is complete."""
    result = _run(pytester, "--provider", "cashfree", "--junitxml", "junit.xml")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*payconform: lane=simulator*providers=cashfree*",
                                 "*payconform conformance matrix*",
                                 "cancel.repeat*PASS*", "report: *conformance.json"])
    doc = _report(pytester)
    Draft202012Validator(report_schema()).validate(doc)
    assert doc["run"]["lane"] == "simulator"
    matrix = doc["summary"]["matrix"]["cashfree"]
    # Unverified: the answer to an unknown id, and to a missing or malformed x-api-version.
    observed = ("cancel.unknown-id", "headers.required")
    assert {matrix[k] for k in observed} == {"OBSERVED"}
    assert {v for k, v in matrix.items() if k not in observed} == {"PASS"}
    run_dir = pytester.path / "reports" / doc["run"]["id"]
    assert (run_dir / "conformance.md").read_text().count("| `cancel.repeat` | PASS |") == 1
    assert "<table>" in (run_dir / "conformance.html").read_text()
    # What the run spent: every rule case sent requests, and the Markdown says so.
    spent = doc["summary"]["spend"]["rule catalog"]
    assert spent["cases"] == len(doc["results"]) and spent["requests"] >= 2 * spent["cases"]
    assert f"rule catalog {spent['cases']} cases, {spent['requests']:,} requests" in (
        run_dir / "conformance.md").read_text()
    props = {(p.get("name"), p.get("value"))
             for p in ET.parse(pytester.path / "junit.xml").iter("property")}
    assert ("provider", "cashfree") in props and ("rule", "cancel.repeat") in props


def test_the_report_says_when_the_run_started_and_finished(pytester: pytest.Pytester) -> None:
    """Given a run, started_at precedes its first test and finished_at follows its last."""
    # A plugin of the run under test notes the wall clock around its tests (the pytester
    # subprocess has its directory on PYTHONPATH).
    pytester.makepyfile(clock='''
        import json
        from datetime import UTC, datetime

        SEEN = []

        def pytest_runtest_setup(item):
            SEEN.append(datetime.now(UTC).isoformat())

        def pytest_runtest_teardown(item):
            SEEN.append(datetime.now(UTC).isoformat())

        def pytest_unconfigure(config):
            with open("clock.json", "w") as out:
                json.dump([SEEN[0], SEEN[-1]], out)
    ''')
    result = _run(pytester, "--provider", "cashfree", "-p", "clock", "-k", "repeat")
    assert result.ret == 0
    first, last = (datetime.fromisoformat(t)
                   for t in json.loads((pytester.path / "clock.json").read_text()))
    run = _report(pytester)["run"]
    assert datetime.fromisoformat(run["started_at"]) <= first
    assert datetime.fromisoformat(run["finished_at"]) >= last


def test_a_mutant_simulator_fails_exactly_its_rule(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a simulator that answers a repeated cancel with 200, only cancel.repeat fails."""
    monkeypatch.setenv("PAYCONFORM_MUTANT", "repeat-cancel-flipped")
    result = _run(pytester, "--provider", "cashfree")
    assert result.ret == 1
    # skipped: schema.error's repeat case (no error body), and state.reversible and
    # errors.status-message, which have no case for cashfree (pytest skips an empty parameter set).
    result.assert_outcomes(failed=1, passed=18, skipped=3)
    result.stdout.fnmatch_lines(["*cashfree cancel.repeat ?second-cancel?: FAIL*", "*Expected:*"])
    doc = _report(pytester)
    failed = [r for r in doc["results"] if r["verdict"] == "FAIL"]
    assert [(r["provider"], r["rule_id"]) for r in failed] == [("cashfree", "cancel.repeat")]
    assert failed[0]["exchanges"], "a FAIL carries the redacted exchanges behind it"
    # state.reversible and errors.status-message have no case for cashfree: an empty set is a
    # pytest skip with no report row (a row needs a provider).
    assert all(r["provider"] for r in doc["results"])
    assert {"state.reversible", "errors.status-message"}.isdisjoint(r["rule_id"] for r in doc["results"])
    skipped = [r for r in doc["results"] if r["verdict"] == "SKIPPED"]
    assert [r["rule_id"] for r in skipped] == ["schema.error"]
    assert "no error body" in skipped[0]["message"]


def test_unknown_provider_is_a_usage_error_naming_the_known_ones(pytester: pytest.Pytester) -> None:
    """Given --provider nosuch, pytest stops with exit 4 and lists the providers."""
    result = _run(pytester, "--provider", "nosuch")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*unknown provider 'nosuch'; known providers: *cashfree*"])
    assert "Traceback" not in result.stderr.str()


def test_secrets_never_reach_the_report(pytester: pytest.Pytester,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a failing run (exchanges kept), no simulator credential is in any report file."""
    monkeypatch.setenv("PAYCONFORM_MUTANT", "auth-invalid-accepted")
    _run(pytester, "--provider", "cashfree")
    from payconform.model.registry import get_contract

    secrets = get_contract("cashfree").auth.simulator_credentials.values()
    for path in Path(pytester.path / "reports").rglob("conformance.*"):
        text = path.read_text()
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {path}"
