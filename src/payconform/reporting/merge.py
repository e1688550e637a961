"""Merging conformance reports: the jobs of a CI matrix (one per provider or per lane) as one.

The merged document is a ``payconform.report/1`` report like any other: every case once, one
matrix, the counts recomputed. When the parts ran different lanes, a matrix column is
``provider (lane)``, so a provider checked on two lanes keeps both verdicts. The parts' run
ids, lanes, providers, seeds and targets are kept under ``run.merged_from``; their changes
since the previous run are kept too. A part that was interrupted makes the merged run
interrupted (``run.interrupted``, exit status 2): a night cut short by its timeout is never
green.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from payconform.model.outcomes import Verdict
from payconform.reporting.report import (
    EXIT_FAIL,
    EXIT_INTERRUPTED,
    REPORT_SCHEMA,
    exit_status,
    report_version,
    spend_of,
)

__all__ = ["MergeError", "merge_exit_status", "merge_reports"]


class MergeError(ValueError):
    """The reports cannot be merged (none given); says why."""


def _severity(verdict: str) -> int:
    try:
        return Verdict(verdict).severity
    except ValueError:
        return -1  # a verdict this version does not know: keep it, it is worth a look


def _joined(values: Sequence[Any]) -> Any:
    distinct = list(dict.fromkeys(str(v) for v in values if v not in (None, "")))
    if not distinct:
        return None
    return distinct[0] if len(distinct) == 1 else ", ".join(distinct)


def merge_reports(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One report from ``docs`` (loaded ``conformance.json`` documents), in the order given.

    A case present in several parts with the same lane (a job re-run) appears once, with its
    worst verdict.
    """
    if not docs:
        raise MergeError("nothing to merge: name at least one report")
    lanes = list(dict.fromkeys(str(d["run"]["lane"]) for d in docs))
    several_lanes = len(lanes) > 1
    kept: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    for doc in docs:
        lane = str(doc["run"]["lane"])
        for result in doc["results"]:
            column = f"{result['provider']} ({lane})" if several_lanes else str(result["provider"])
            key = (column, str(result["rule_id"]), str(result["case_id"]))
            before = kept.get(key)
            if before is None or _severity(result["verdict"]) < _severity(before[1]["verdict"]):
                kept[key] = (column, result)
    counts: dict[str, int] = {v.value: 0 for v in Verdict}
    cells: dict[str, dict[str, str]] = {}
    for column, result in kept.values():
        counts[result["verdict"]] = counts.get(result["verdict"], 0) + 1
        row = cells.setdefault(column, {})
        current = row.get(result["rule_id"])
        if current is None or _severity(result["verdict"]) < _severity(current):
            row[result["rule_id"]] = result["verdict"]
    runs = [d["run"] for d in docs]
    results = [result for _, result in kept.values()]
    run: dict[str, Any] = {
        "id": "merged-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "lane": "+".join(lanes),
        "providers": sorted({p for r in runs for p in r.get("providers", [])}),
        "api_versions": {k: v for r in runs for k, v in (r.get("api_versions") or {}).items()},
        "started_at": min(str(r["started_at"]) for r in runs),
        "finished_at": max(str(r.get("finished_at") or r["started_at"]) for r in runs),
        "seed": _joined([r.get("seed") for r in runs]),
        "hypothesis_profile": _joined([r.get("hypothesis_profile") for r in runs]),
        "base_url": _joined([r.get("base_url") for r in runs]),
        "payconform_version": report_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "merged_from": [{"id": str(r["id"]), "lane": str(r["lane"]),
                         "providers": list(r.get("providers", [])), "seed": r.get("seed"),
                         "base_url": r.get("base_url"),
                         "exit_status": int(d.get("summary", {}).get("exit_status") or 0),
                         **({"interrupted": r["interrupted"]} if r.get("interrupted") else {})}
                        for r, d in zip(runs, docs, strict=True)],
    }
    stopped = [r for r in runs if r.get("interrupted")]
    if stopped:
        counts_known = [r["interrupted"].get("not_run") for r in stopped]
        run["interrupted"] = {
            "reason": "; ".join(f"{r['id']}: {r['interrupted'].get('reason')}" for r in stopped),
            "not_run": (sum(counts_known) if all(isinstance(n, int) for n in counts_known)
                        else None),
            "runs": [str(r["id"]) for r in stopped],
        }
    foreign = sum(int(r.get("foreign_failures") or 0) for r in runs)
    if foreign:
        run["foreign_failures"] = foreign
    changes = [str(c) for r in runs for c in r.get("changes") or []]
    if changes or any("changes" in r for r in runs):
        run["changes"] = changes
    if results and all(r["verdict"] == Verdict.SKIPPED.value for r in results) and (
            {"live", "record", "replay"} & set(lanes)):
        run["nothing_checked"] = True
    merged: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "run": run,
        "summary": {"counts": counts, "matrix": cells, "spend": spend_of(results)},
        "results": results,
    }
    adapters = [a for d in docs for a in d.get("adapters", [])]
    if adapters:
        merged["adapters"] = adapters
    merged["summary"]["exit_status"] = merge_exit_status(merged)
    return merged


def merge_exit_status(doc: dict[str, Any]) -> int:
    """The exit status the merged run would have had as one run (see README): 2 when a part
    was interrupted, 1 when a part had failed tests that are not payconform's, else the
    verdicts', and never 0 when a part stored another status."""
    if doc["run"].get("interrupted"):
        return EXIT_INTERRUPTED
    if doc["run"].get("foreign_failures"):
        return EXIT_FAIL
    status = _verdicts_status(doc)
    # A part that did not exit green for a reason its rows do not show (pytest's own status,
    # e.g. an internal error of another plugin) never merges into a green run.
    parts = [int(p.get("exit_status") or 0) for p in doc["run"].get("merged_from", [])]
    return status or next((p for p in parts if p), 0)


def _verdicts_status(doc: dict[str, Any]) -> int:
    verdicts = []
    for result in doc["results"]:
        try:
            verdicts.append(Verdict(result["verdict"]))
        except ValueError:
            verdicts.append(Verdict.ERROR)  # a verdict this version cannot read: not a pass
    lanes = str(doc["run"]["lane"]).split("+")
    # Nothing checked across every part counts as on the strictest lane among them.
    lane = next((name for name in ("live", "record", "replay") if name in lanes), lanes[0])
    return exit_status(verdicts, lane)
