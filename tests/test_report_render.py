"""What an engineer reads: the Markdown and HTML reports, their legend, changes since the
previous run, and the GitHub Actions job summary (in process, no pytest session)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from payconform.lanes.base import simulator_session
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract
from payconform.reporting.legend import MEANINGS, legend_rows, verdict_color
from payconform.reporting.report import (
    RunReport,
    render_html,
    render_markdown,
    report_schema,
    write_report,
    write_step_summary,
)
from payconform.rules.engine import CaseResult
from payconform.simulator.mutants import mutants_for


def _results(mutant: str | None = None) -> list[CaseResult]:
    contract = get_contract("cashfree")
    mutation = next(m.mutation for m in mutants_for(contract) if m.id == mutant) if mutant else None
    return simulator_session(contract, mutation=mutation).run_all(["cancel.repeat", "cancel.unknown-id"])


def _doc(results: list[CaseResult], run_id: str = "run-1") -> dict:  # type: ignore[type-arg]
    return RunReport(run_id=run_id, lane="simulator", providers=["cashfree"], results=results,
                     seed="4242", hypothesis_profile="ci").to_json()


class _Balanced(HTMLParser):
    """Fails on a closing tag that does not close the innermost open one."""

    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def test_a_failure_shows_source_expected_received_and_its_redacted_exchanges() -> None:
    """Given a FAIL, both renderings show the source, Expected and Received, and the HTTP
    exchanges with credentials redacted (HTML: in a collapsible <details>)."""
    doc = _doc(_results("repeat-cancel-flipped"))
    Draft202012Validator(report_schema()).validate(doc)
    secret = get_contract("cashfree").auth.simulator_credentials["client_secret"]
    failure = next(r for r in doc["results"] if r["verdict"] == "FAIL")
    check = next(c for c in failure["checks"] if not c["passed"])
    for text in (render_markdown(doc), render_html(doc)):
        assert secret not in text
        assert "x-client-secret: &lt;redacted&gt;" in text or "x-client-secret: <redacted>" in text
        assert "POST https://sandbox.cashfree.com/pg/links/" in text
        assert "HTTP 200" in text  # the mutant's answer to the repeat cancel
        assert "Source: " in text
    markdown = render_markdown(doc)
    assert f"  - Expected: {check['expected']}" in markdown
    assert f"  - Received: {check['received']}" in markdown
    assert "<details><summary>" in markdown
    page = render_html(doc)
    parser = _Balanced()
    parser.feed(page)
    assert parser.stack == ["html"] or parser.stack == []
    assert "details" in parser.tags and "summary" in parser.tags
    assert "<th>expected</th><th>received</th>" in page


def test_the_summary_has_counts_seed_lane_target_and_a_legend_of_every_verdict() -> None:
    """Both renderings carry the counts, seed, lane and target, and a legend naming every
    verdict the model has (generic: a new verdict appears without renderer changes)."""
    doc = _doc(_results())
    markdown, page = render_markdown(doc), render_html(doc)
    for text in (markdown, page):
        assert "OBSERVED 1" in text and "PASS 1" in text
        assert "4242" in text and "--hypothesis-seed=4242" in text
        assert "simulator" in text and "payconform" in text and "simulator, in process" in text
        for verdict in Verdict:
            assert f"{verdict.value}" in text.split("Legend", 1)[1]
    assert [row[0] for row in legend_rows()] == sorted((v.value for v in Verdict),
                                                        key=lambda v: Verdict(v).severity)


@pytest.mark.parametrize("verdict", list(Verdict))
def test_every_verdict_has_a_meaning_and_its_own_colour(verdict: Verdict) -> None:
    """The legend knows each verdict of the model: no verdict renders as an unexplained grey."""
    assert verdict.value in MEANINGS
    others = {verdict_color(v.value) for v in Verdict if v is not verdict}
    assert verdict_color(verdict.value) not in others


def test_changes_since_the_previous_report_of_the_same_lane(tmp_path: Path) -> None:
    """Given a faithful run and then a mutant one in the same report dir, the second report
    says which cell flipped and against which run; the first has nothing to compare with."""
    write_report(RunReport(run_id="r1", lane="simulator", providers=["cashfree"],
                           results=_results()), tmp_path)
    first = json.loads((tmp_path / "r1" / "conformance.json").read_text())
    assert "changes" not in first["run"]
    assert "No previous run" in (tmp_path / "r1" / "conformance.md").read_text()
    write_report(RunReport(run_id="r2", lane="simulator", providers=["cashfree"],
                           results=_results("repeat-cancel-flipped")), tmp_path)
    second = json.loads((tmp_path / "r2" / "conformance.json").read_text())
    Draft202012Validator(report_schema()).validate(second)
    assert second["run"]["previous_run"] == "r1"
    assert second["run"]["changes"] == ["cashfree `cancel.repeat`: PASS -> FAIL (previous run r1)"]
    for name in ("conformance.md", "conformance.html"):
        assert "cancel.repeat`: PASS -&gt; FAIL" in (tmp_path / "r2" / name).read_text().replace(
            "->", "-&gt;")
    write_report(RunReport(run_id="r3", lane="replay", providers=["cashfree"], results=_results()),
                 tmp_path)
    assert "changes" not in json.loads((tmp_path / "r3" / "conformance.json").read_text())["run"]


def test_github_step_summary_gets_the_matrix_and_the_failures(tmp_path: Path) -> None:
    """With GITHUB_STEP_SUMMARY set, the matrix and each failure's Expected/Received are
    appended there (without the HTTP exchanges, which stay in the full report)."""
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n")
    doc = _doc(_results("repeat-cancel-flipped"))
    assert write_step_summary(doc, {}) is None
    assert write_step_summary(doc, {"GITHUB_STEP_SUMMARY": str(target)}) == target
    text = target.read_text()
    assert text.startswith("earlier step\n")
    assert "| `cancel.repeat` | **FAIL** |" in text
    assert "### FAIL `cashfree` `cancel.repeat` `second-cancel`" in text
    assert "  - Expected: " in text and "HTTP exchanges" not in text
