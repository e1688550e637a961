"""Monitoring history: one line per provider x rule, and the changes since the previous run."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

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


def test_a_torn_last_line_does_not_swallow_the_next_runs_first_line(tmp_path: Path) -> None:
    """Given a history whose last line a crash cut short, the next run's lines all load and
    the torn line is reported, not silently merged."""
    path = tmp_path / "history.jsonl"
    append_history(path, history_lines("r1", "live", "t", [_result("a.b", "c", Verdict.PASS)]))
    with path.open("a") as handle:
        handle.write('{"run_id": "r2", "prov')
    append_history(path, history_lines("r3", "live", "t", [_result("a.b", "c", Verdict.FAIL),
                                                           _result("d.e", "f", Verdict.PASS)]))
    skipped: list[str] = []
    assert [line["run_id"] for line in load_history(path, skipped)] == ["r1", "r3", "r3"]
    assert len(skipped) == 1 and ":2: not a history line" in skipped[0]


def test_non_finite_numbers_are_written_as_valid_json(tmp_path: Path) -> None:
    """Given an Infinity and a NaN in a line, the file stays JSON (no bare Infinity/NaN)."""
    path = tmp_path / "history.jsonl"
    append_history(path, [{"run_id": "r1", "amount": float("inf"), "ratio": [float("nan")]}])
    text = path.read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text, parse_constant=lambda name: pytest.fail(name)) == {
        "run_id": "r1", "amount": "inf", "ratio": ["nan"]}
    with path.open("a") as handle:
        handle.write('{"run_id": "r2", "amount": Infinity}\n')
    skipped: list[str] = []
    assert [line["run_id"] for line in load_history(path, skipped)] == ["r1"]
    assert len(skipped) == 1


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    """Given 8 threads appending 3-line runs 40 times each, every line parses."""
    path = tmp_path / "history.jsonl"
    rows = history_lines("r", "live", "t", [_result(f"rule.{n}", "c", Verdict.PASS) for n in range(3)])
    rows = [{**row, "padding": "x" * 5000} for row in rows]  # bigger than a pipe buffer

    def writer(n: int) -> None:
        for _ in range(40):
            append_history(path, [{**row, "run_id": f"w{n}"} for row in rows])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(writer, range(8)))
    skipped: list[str] = []
    assert len(load_history(path, skipped)) == 8 * 40 * 3 and skipped == []


def test_userinfo_in_the_target_is_not_written(tmp_path: Path) -> None:
    """Given a base URL with user:password@, the history line's target has neither."""
    lines = history_lines("r1", "live", "https://me:s3cret-pass@sandbox.example/pg",
                          [_result("a.b", "c", Verdict.PASS)])
    assert lines[0]["target"] == "https://sandbox.example/pg"
