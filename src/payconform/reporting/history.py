"""Sandbox monitoring: one JSON line per provider x rule per run, and what changed since the last.

``reports/history.jsonl`` is append-only. Each line holds the run id, the time, the lane, the
target (base URL), the rule's verdict (the worst over its cases) and the evidence behind it:
the evidence level, every case's verdict, and the HTTP statuses and error codes the rule's
requests received. :func:`changes_since` compares a run with the previous run of the same
provider against the same target: a rule that flipped, a new HTTP status, a new error code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from payconform.model.outcomes import Verdict
from payconform.rules.engine import CaseResult

__all__ = ["HISTORY_FILE", "append_history", "changes_since", "history_lines", "load_history"]

HISTORY_FILE = "history.jsonl"


def history_lines(
    run_id: str,
    lane: str,
    target: str,
    results: Iterable[CaseResult],
    observed: Mapping[str, Mapping[str, Iterable[Any]]] | None = None,
) -> list[dict[str, Any]]:
    """One line per provider x rule of ``results``; ``observed`` maps rule id to its
    ``http_statuses`` and ``error_codes``."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        row = rows.setdefault((result.provider, result.rule_id), {
            "run_id": run_id, "time": now, "lane": lane, "target": target,
            "provider": result.provider, "rule_id": result.rule_id, "verdict": None,
            "evidence": result.evidence, "cases": {}, "http_statuses": [], "error_codes": [],
            "messages": {},
        })
        row["cases"][result.case_id] = result.verdict.value
        current = Verdict(row["verdict"]) if row["verdict"] else None
        if current is None or result.verdict.severity < current.severity:
            row["verdict"], row["evidence"] = result.verdict.value, result.evidence
        if result.verdict in (Verdict.FAIL, Verdict.WARN, Verdict.INCONCLUSIVE, Verdict.SKIPPED):
            row["messages"][result.case_id] = result.message.splitlines()[0][:300] if (
                result.message) else ""
    for (_, rule_id), row in rows.items():
        seen = (observed or {}).get(rule_id, {})
        row["http_statuses"] = sorted({int(s) for s in seen.get("http_statuses", ())})
        row["error_codes"] = sorted({str(c) for c in seen.get("error_codes", ())})
    return list(rows.values())


def load_history(path: Path) -> list[dict[str, Any]]:
    """Every readable line of a history file (a torn last line is ignored)."""
    if not path.is_file():
        return []
    lines = []
    for text in path.read_text("utf-8").splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if isinstance(line, dict):
            lines.append(line)
    return lines


def append_history(path: Path, lines: list[dict[str, Any]]) -> None:
    """Append ``lines`` in one write (so concurrent runs do not interleave within a run)."""
    if not lines:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))


def changes_since(history: list[dict[str, Any]], current: list[dict[str, Any]]
                  ) -> tuple[list[str], dict[str, str]]:
    """What changed per provider x rule since the previous run of the same provider and target.

    Returns the change sentences and, per provider, the id of the run compared with.
    """
    changes: list[str] = []
    previous_runs: dict[str, str] = {}
    for line in current:
        before = [h for h in history if h.get("provider") == line["provider"]
                  and h.get("target") == line["target"] and h.get("run_id") != line["run_id"]]
        if not before:
            continue
        last_run = before[-1]["run_id"]
        previous_runs[line["provider"]] = last_run
        prev = next((h for h in reversed(before)
                     if h.get("run_id") == last_run and h.get("rule_id") == line["rule_id"]), None)
        head = f"{line['provider']} `{line['rule_id']}`"
        if prev is None:
            changes.append(f"{head}: first checked in this run ({line['verdict']})")
            continue
        if prev.get("verdict") != line["verdict"]:
            changes.append(f"{head}: {prev.get('verdict')} -> {line['verdict']} "
                           f"(previous run {last_run})")
        new_statuses = sorted(set(line["http_statuses"]) - set(prev.get("http_statuses", [])))
        if new_statuses:
            changes.append(f"{head}: new HTTP status {', '.join(map(str, new_statuses))} observed "
                           f"(before: {', '.join(map(str, prev.get('http_statuses', []))) or 'none'})")
        new_codes = sorted(set(line["error_codes"]) - set(prev.get("error_codes", [])))
        if new_codes:
            changes.append(f"{head}: new error code {', '.join(repr(c) for c in new_codes)} observed "
                           f"(before: {', '.join(repr(c) for c in prev.get('error_codes', [])) or 'none'})")
    return changes, previous_runs
