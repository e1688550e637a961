"""Monitoring history: one line per provider x rule, and the changes since the previous run."""

from __future__ import annotations

from pathlib import Path

from payconform.model.outcomes import Verdict
from payconform.reporting.history import append_history, changes_since, history_lines, load_history
from payconform.rules.engine import CaseResult


def _result(rule: str, case: str, verdict: Verdict) -> CaseResult:
    return CaseResult("cashfree", rule, case, "t", verdict, "documented", "c", "why\nmore")


def test_lines_fold_cases_and_changes_name_flips_statuses_and_codes(tmp_path: Path) -> None:
    """Given two runs, the second reports the flipped rule, a new status and a new error code."""
    path = tmp_path / "history.jsonl"
    first = history_lines("r1", "live", "https://sandbox", [
        _result("cancel.repeat", "second-cancel", Verdict.PASS),
        _result("cancel.unknown-id", "never-created", Verdict.OBSERVED)],
        {"cancel.unknown-id": {"http_statuses": [404], "error_codes": ["link_not_found"]}})
    assert changes_since([], first) == ([], {})
    append_history(path, first)
    second = history_lines("r2", "live", "https://sandbox", [
        _result("cancel.repeat", "second-cancel", Verdict.FAIL),
        _result("cancel.unknown-id", "never-created", Verdict.OBSERVED),
        _result("auth.missing", "missing-credentials", Verdict.PASS)],
        {"cancel.unknown-id": {"http_statuses": [404, 422], "error_codes": ["link_not_found", "x"]}})
    changes, previous = changes_since(load_history(path), second)
    assert previous == {"cashfree": "r1"}
    assert changes == [
        "cashfree `cancel.repeat`: PASS -> FAIL (previous run r1)",
        "cashfree `cancel.unknown-id`: new HTTP status 422 observed (before: 404)",
        "cashfree `cancel.unknown-id`: new error code 'x' observed (before: 'link_not_found')",
        "cashfree `auth.missing`: first checked in this run (PASS)",
    ]
    assert second[0]["messages"] == {"second-cancel": "why"}
    other_target = [dict(line, target="http://127.0.0.1:1") for line in second]
    assert changes_since(load_history(path), other_target) == ([], {})


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    """A history cut short by a crash still loads."""
    path = tmp_path / "history.jsonl"
    append_history(path, history_lines("r1", "live", "t", [_result("a.b", "c", Verdict.PASS)]))
    with path.open("a") as handle:
        handle.write('{"run_id": "r2", "prov')
    assert [line["run_id"] for line in load_history(path)] == ["r1"]
