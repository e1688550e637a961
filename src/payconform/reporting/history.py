"""Sandbox monitoring: one JSON line per provider x rule per run, and what changed since the last.

``reports/history.jsonl`` is append-only and cannot tear: each run's lines go out in one
``write`` under an exclusive lock, after a newline that ends any line a crashed writer left
unfinished; the reader skips (and reports) a line that does not parse. Numbers are finite
(JSON has no ``Infinity`` or ``NaN``: such a value is written as its string). Each line
holds the run id, the time, the lane, the target (base URL, without userinfo), the rule's
verdict (the worst over its cases) and the evidence behind it: the evidence level, every
case's verdict, and the HTTP statuses and error codes the rule's requests received; the lines
of a run that stopped before its end say why (``interrupted``).
:func:`changes_since` compares a run with the previous run of the same provider against the
same target: a rule that flipped, a new HTTP status, a new error code.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from payconform.model.outcomes import Verdict
from payconform.model.redact import strip_userinfo
from payconform.rules.engine import CaseResult

__all__ = ["HISTORY_FILE", "append_history", "changes_since", "finite", "history_lines",
           "load_history"]

HISTORY_FILE = "history.jsonl"


def history_lines(
    run_id: str,
    lane: str,
    target: str,
    results: Iterable[CaseResult],
    observed: Mapping[str, Mapping[str, Iterable[Any]]] | None = None,
    interrupted: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One line per provider x rule of ``results``; ``observed`` maps rule id to its
    ``http_statuses`` and ``error_codes``; ``interrupted`` (the report's ``run.interrupted``)
    marks every line of a run that stopped before its end with the reason."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        row = rows.setdefault((result.provider, result.rule_id), {
            "run_id": run_id, "time": now, "lane": lane, "target": strip_userinfo(target),
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
        if interrupted:
            row["interrupted"] = str(interrupted.get("reason") or "interrupted")
        seen = (observed or {}).get(rule_id, {})
        row["http_statuses"] = sorted({int(s) for s in seen.get("http_statuses", ())})
        row["error_codes"] = sorted({str(c) for c in seen.get("error_codes", ())})
    return list(rows.values())


def load_history(path: Path, skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """Every readable line of a history file; each line that does not parse (torn by a crash,
    edited by hand, ``NaN``) is left out and described in ``skipped``."""
    if not path.is_file():
        return []
    lines = []
    for number, text in enumerate(path.read_text("utf-8", errors="replace").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            line = None
        if isinstance(line, dict):
            lines.append(line)
        elif skipped is not None:
            skipped.append(f"{path}:{number}: not a history line (torn or edited), skipped: "
                           f"{text[:60]!r}")
    return lines


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (inf, -inf, nan) replaced by its string."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


@contextlib.contextmanager
def _locked(fd: int) -> Iterator[None]:
    """An exclusive lock on ``fd`` where the platform has one (concurrent runs, one file)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: appends stay single writes
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def append_history(path: Path, lines: list[dict[str, Any]]) -> None:
    """Append ``lines`` so that no line can tear or swallow another (see the module doc)."""
    if not lines:
        return
    payload = "".join(json.dumps(finite(line), sort_keys=True, allow_nan=False) + "\n"
                      for line in lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        with _locked(fd):
            size = os.fstat(fd).st_size
            if size:
                with open(path, "rb") as reader:
                    reader.seek(size - 1)
                    if reader.read(1) != b"\n":
                        payload = b"\n" + payload  # end a line a crashed writer left open
            written = 0
            while written < len(payload):
                written += os.write(fd, payload[written:])
            os.fsync(fd)
    finally:
        os.close(fd)


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
