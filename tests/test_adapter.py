"""--adapter: a team's adapter is driven against the served simulator and judged in the suite run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "adapters"


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> pytest.RunResult:
    monkeypatch.setenv("PYTHONPATH", str(EXAMPLES))
    return pytester.runpytest_subprocess("--pyargs", "payconform.suites", "-p", "no:cacheprovider",
                                         "--provider", "cashfree", "-k", "adapter",
                                         "--report-dir", str(pytester.path / "r"), *args)


def _doc(pytester: pytest.Pytester) -> dict[str, object]:
    doc: dict[str, object] = json.loads(
        (pytester.path / "r" / "latest" / "conformance.json").read_text())
    return doc


def test_a_correct_adapter_passes_every_rule_and_the_report_has_its_section(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the example httpx adapter, every adapter rule passes (the unverified unknown-id
    refusal is OBSERVED), and JSON, Markdown, HTML and JUnit carry the adapter's results."""
    junit = pytester.path / "junit.xml"
    result = _run(pytester, monkeypatch, "--adapter", "cashfree_adapter:factory",
                  f"--junitxml={junit}")
    assert result.ret == 0, result.stdout.str()
    doc = _doc(pytester)
    matrix = doc["summary"]["matrix"]["cashfree"]  # type: ignore[index]
    assert set(matrix.values()) <= {"PASS", "OBSERVED"}, matrix
    assert matrix["adapter.outcome-mapping"] == "PASS"
    assert "adapter.request.token-refresh" not in matrix  # no bearer tokens at Cashfree
    assert doc["run"]["adapter"] == "cashfree_adapter:factory"  # type: ignore[index]
    section = doc["adapters"][0]  # type: ignore[index]
    assert (section["adapter"], section["provider"]) == ("cashfree_adapter:factory", "cashfree")
    assert section["scenarios"]["fault:503"]["adapter.request.idempotency-key"] == "PASS"
    markdown = (pytester.path / "r" / "latest" / "conformance.md").read_text()
    assert "## Adapter `cashfree_adapter:factory`: cashfree" in markdown
    assert "| `fault:timeout` | PASS |" in markdown
    assert "<h2>Adapter <code>cashfree_adapter:factory</code>" in (
        pytester.path / "r" / "latest" / "conformance.html").read_text()
    props = [{p.get("name"): p.get("value") for p in case.iter("property")}
             for case in ET.parse(junit).iter("testcase")]
    assert {"provider": "cashfree", "rule": "adapter.request.retry-after", "case": "fault:429",
            "lane": "simulator", "adapter": "cashfree_adapter:factory",
            "scenario": "fault:429"} in props


def test_a_mapping_bug_fails_the_exact_scenarios(pytester: pytest.Pytester,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Given an adapter that reads link_not_active as ALREADY_CANCELLED, the refusals FAIL.

    The refusal of PAID, EXPIRED and PARTIALLY_PAID is documented (only ACTIVE cancels; the
    official Java SDK: '400 | Cannot cancel Payment Link if status is not ACTIVE').
    """
    result = _run(pytester, monkeypatch, "--adapter", "cashfree_adapter:buggy_factory")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*cashfree adapter.outcome-mapping ?cancel:PAID?: FAIL*",
                                 "*Expected: NOT_CANCELLABLE*", "*Received: ALREADY_CANCELLED*"])
    failed = {(r["rule_id"], r["case_id"], r["verdict"]) for r in _doc(pytester)["results"]  # type: ignore[attr-defined]
              if r["verdict"] in ("FAIL", "WARN")}
    assert failed == {("adapter.outcome-mapping", "cancel:PAID", "FAIL"),
                      ("adapter.outcome-mapping", "cancel:EXPIRED", "FAIL"),
                      ("adapter.outcome-mapping", "cancel:PARTIALLY_PAID", "FAIL")}


def test_without_adapter_the_adapter_tests_are_deselected(pytester: pytest.Pytester,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Given no --adapter, nothing is skipped: the adapter tests are simply not selected."""
    result = _run(pytester, monkeypatch)
    assert result.ret == 5  # -k adapter selects nothing else
    result.stdout.fnmatch_lines(["*deselected*"])
    assert "skipped" not in result.stdout.str()


def test_a_bad_adapter_spec_is_a_usage_error(pytester: pytest.Pytester,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Given --adapter nosuchmodule:f, pytest stops with exit 4 and says why."""
    result = _run(pytester, monkeypatch, "--adapter", "nosuchmodule:f")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--adapter: cannot import 'nosuchmodule'*"])
