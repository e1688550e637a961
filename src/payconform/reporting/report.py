"""The conformance report: a versioned JSON document, and Markdown / HTML renderings.

``conformance.json`` follows ``report-schema.json`` (shipped in this package, schema id
``payconform.report/1``). The Markdown and HTML files are renderings of the same data: a
provider x rule matrix followed by the details behind every non-PASS verdict.
"""

from __future__ import annotations

import html
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from payconform.model.outcomes import Verdict
from payconform.model.redact import strip_userinfo
from payconform.reporting.history import finite
from payconform.reporting.legend import legend_rows, verdict_color
from payconform.rules.engine import CaseResult

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAIL",
    "EXIT_INCONCLUSIVE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "REPORT_SCHEMA",
    "RunReport",
    "exit_status",
    "interrupted_line",
    "load_report",
    "matrix",
    "render_html",
    "render_markdown",
    "render_step_summary",
    "report_schema",
    "report_version",
    "spend_line",
    "spend_of",
    "write_report",
    "write_step_summary",
]

REPORT_SCHEMA = "payconform.report/1"

#: Exit statuses of a run, from its verdicts (4 is pytest's usage error: bad option, unknown
#: provider, production refused, a budget that cannot cover the selected cases).
EXIT_OK = 0
EXIT_FAIL = 1
#: pytest's own status for a run that stopped before its end (Ctrl-C, SIGTERM, a collection
#: error): whatever the finished cases say, the run is not complete, so it is never green.
EXIT_INTERRUPTED = 2
EXIT_INCONCLUSIVE = 6
EXIT_ERROR = 7

#: Lanes where a run that checked nothing must not look green: those that reach a vendor
#: (secrets missing) and replay (no cassettes found).
_NOTHING_CHECKED_LANES = ("live", "record", "replay")


def exit_status(verdicts: Iterable[Verdict], lane: str) -> int:
    """The exit status a run's verdicts call for; the report stores the same number.

    FAIL wins (a contract failure is the finding), then ERROR (payconform could not judge
    some case: its own defect), then INCONCLUSIVE (infrastructure), then a live, record or
    replay run in which every case was SKIPPED (nothing was checked: no credentials, no
    cassettes) counts as inconclusive; else 0.
    """
    seen = set(verdicts)
    if Verdict.FAIL in seen:
        return EXIT_FAIL
    if Verdict.ERROR in seen:
        return EXIT_ERROR
    if Verdict.INCONCLUSIVE in seen:
        return EXIT_INCONCLUSIVE
    if lane in _NOTHING_CHECKED_LANES and seen == {Verdict.SKIPPED}:
        return EXIT_INCONCLUSIVE
    return EXIT_OK


def interrupted_line(run: dict[str, Any]) -> str:
    """One sentence for a run that stopped before its end (empty for a complete run)."""
    stop = run.get("interrupted")
    if not stop:
        return ""
    not_run = stop.get("not_run")
    counted = f": {not_run} cases not run" if isinstance(not_run, int) else ""
    running = f"; stopped during {stop['running']}" if stop.get("running") else ""
    return (f"interrupted ({stop.get('reason') or 'unknown reason'}){counted}{running}; "
            f"exit status {EXIT_INTERRUPTED}, whatever the finished cases say")


def _foreign_line(run: dict[str, Any]) -> str:
    return (f"{run['foreign_failures']} failed tests of the session are not payconform's (not in "
            "this report): the exit status is pytest's")


def report_version() -> str:
    """The installed payconform version, as reports state it."""
    return _version()


def _version() -> str:
    try:
        return metadata.version("payconform")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass
class RunReport:
    """One run: metadata plus every case result."""

    run_id: str
    lane: str
    providers: list[str]
    results: list[CaseResult] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished_at: str = ""
    seed: str | None = None
    hypothesis_profile: str | None = None
    base_url: str | None = None
    api_versions: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: The status the process exits with where it is pytest's rather than the verdicts' (a
    #: failed test that is not payconform's, an internal error): the report says the same.
    exit_code: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The document written to ``conformance.json``."""
        cells = matrix(self.results)
        counts: dict[str, int] = {v.value: 0 for v in Verdict}
        for result in self.results:
            counts[result.verdict.value] += 1
        results = [r.to_json() for r in self.results]
        return {
            "schema": REPORT_SCHEMA,
            "run": {
                "id": self.run_id,
                "lane": self.lane,
                "providers": self.providers,
                "api_versions": self.api_versions,
                "started_at": self.started_at,
                "finished_at": self.finished_at or datetime.now(UTC).isoformat(),
                "seed": self.seed,
                "hypothesis_profile": self.hypothesis_profile,
                "base_url": strip_userinfo(self.base_url) if self.base_url else self.base_url,
                "payconform_version": _version(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                **self.extra,
            },
            "summary": {
                "counts": counts,
                "exit_status": self.exit_status(),
                "matrix": {p: {r: v.value for r, v in rules.items()} for p, rules in cells.items()},
                "spend": spend_of(results),
            },
            "results": results,
            **_adapters_part(self.results, str(self.extra.get("adapter") or "adapter")),
        }


    def exit_status(self) -> int:
        """The status the run exits with: 2 when interrupted, pytest's own where it decides
        (``exit_code``), else the verdicts'."""
        if self.extra.get("interrupted"):
            return EXIT_INTERRUPTED
        if self.exit_code is not None:
            return self.exit_code
        return exit_status((r.verdict for r in self.results), self.lane)


def matrix(results: Iterable[CaseResult]) -> dict[str, dict[str, Verdict]]:
    """Provider -> rule -> the worst verdict over that rule's cases."""
    out: dict[str, dict[str, Verdict]] = {}
    for result in results:
        row = out.setdefault(result.provider, {})
        current = row.get(result.rule_id)
        if current is None or result.verdict.severity < current.severity:
            row[result.rule_id] = result.verdict
    return out


def _rules_in_order(doc: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for result in doc["results"]:
        seen.setdefault(result["rule_id"], None)
    return list(seen)


#: What an ERROR means, in every rendering.
ERROR_MEANING = ("ERROR: payconform could not judge (an exception in payconform, hypothesis or "
                 "schemathesis; not the provider's failure)")

_SHOUTED = (Verdict.FAIL.value, Verdict.ERROR.value)


def _icon(verdict: str) -> str:
    # A contract failure and payconform's own defect are shouted; the rest read as their name.
    return f"**{verdict}**" if verdict in _SHOUTED else verdict


def _target(run: dict[str, Any]) -> str:
    if run.get("base_url"):
        return str(run["base_url"])
    defaults = {"simulator": "payconform's simulator, in process", "replay": "recorded cassettes",
                "live": "each contract's sandbox URL", "record": "each contract's sandbox URL"}
    return defaults.get(str(run.get("lane")), "the lane's default")


def _replay_hint(run: dict[str, Any], quote: str) -> str:
    seed = str(run.get("seed") or "")
    if not seed.isdigit():  # no seed, or several (a merged report)
        return ""
    return f" (replay with {quote}--hypothesis-seed={seed}{quote})"


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "no cases"


def _failed_checks(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The checks behind a non-PASS verdict: the failed ones, else the unverified ones."""
    checks = result.get("checks", [])
    failed = [c for c in checks if not c.get("passed")]
    return failed or [c for c in checks if c.get("evidence") == "unverified"]


def _exchange_text(exchange: dict[str, Any]) -> str:
    """One redacted request and its response, as a reader of an HTTP log expects them."""
    request, response = exchange.get("request", {}), exchange.get("response") or {}
    lines = [f"{request.get('method', '?')} {request.get('url', '?')}"]
    lines += [f"{k}: {v}" for k, v in request.get("headers", {}).items()
              if k not in ("accept-encoding", "connection", "user-agent", "content-length", "host")]
    if request.get("body"):
        lines += ["", str(request["body"])]
    lines += ["", f"HTTP {response.get('status', '(no response)')}"
              + (f"  -> {exchange['outcome']}" if exchange.get("outcome") else "")]
    lines += [f"{k}: {v}" for k, v in response.get("headers", {}).items() if k != "content-length"]
    if response.get("body"):
        lines += ["", str(response["body"])]
    return "\n".join(lines)


#: The phases a run spends its requests and time on, by rule id prefix (rules otherwise).
_PHASES = (("property.", "property searches"), ("schemathesis.", "schemathesis"))


def spend_of(results: Iterable[dict[str, Any]]) -> dict[str, dict[str, float | int]]:
    """What a run spent per phase (rule catalog, property searches, schemathesis): cases,
    HTTP requests sent and seconds, from its results (``to_json`` form)."""
    spent: dict[str, dict[str, float | int]] = {}
    for result in results:
        rule_id = str(result.get("rule_id", ""))
        phase = next((name for prefix, name in _PHASES if rule_id.startswith(prefix)),
                     "rule catalog")
        row = spent.setdefault(phase, {"cases": 0, "requests": 0, "seconds": 0.0})
        row["cases"] += 1
        row["requests"] += int(result.get("requests") or 0)
        row["seconds"] += float(result.get("duration_ms") or 0.0) / 1000
    order = ["rule catalog", *(name for _, name in _PHASES)]
    return {name: {**spent[name], "seconds": round(float(spent[name]["seconds"]), 2)}
            for name in order if name in spent}


def spend_line(doc: dict[str, Any]) -> str:
    """One line of what the run spent under its profile (empty for reports without it)."""
    spent = doc["summary"].get("spend") or {}
    if not spent:
        return ""
    parts = [f"{name} {row['cases']} cases, {row['requests']:,} requests, {row['seconds']:.1f} s"
             for name, row in spent.items()]
    return f"spent under profile {doc['run'].get('hypothesis_profile')}: " + "; ".join(parts)


def _changes(run: dict[str, Any]) -> list[str]:
    return [str(c) for c in run.get("changes") or []]


def render_markdown(doc: dict[str, Any], *, exchanges: bool = True, max_details: int | None = None) -> str:
    """The Markdown report: summary, matrix, legend, what changed, then every non-PASS case
    with its source, expected and received, and (``exchanges``) its redacted HTTP exchanges."""
    run = doc["run"]
    providers = list(doc["summary"]["matrix"])
    counts = doc["summary"]["counts"]
    lines = [
        f"# payconform conformance report `{run['id']}`",
        "",
        *([f"**{interrupted_line(run)}**", ""] if run.get("interrupted") else []),
        f"- **{_counts_line(counts)}**",
        f"- lane: `{run['lane']}`; target: {_target(run)}; providers: {', '.join(providers) or '(none)'}",
        f"- seed {run.get('seed')}{_replay_hint(run, '`')}; hypothesis profile "
        f"{run.get('hypothesis_profile')}",
        f"- payconform {run['payconform_version']}, Python {run['python']}; started {run['started_at']}",
    ]
    if spend_line(doc):
        lines.append(f"- {spend_line(doc)}")
    if run.get("merged_from"):
        lines.append(f"- merged from {len(run['merged_from'])} reports: "
                     + ", ".join(f"`{m['id']}` ({m['lane']}: {', '.join(m['providers'])})"
                                 for m in run["merged_from"]))
    if run.get("nothing_checked"):
        lines.append("- **nothing was checked**: every case was skipped (exit status 6)")
    lines += ["", "| rule | " + " | ".join(providers) + " |", "|---|" + "---|" * len(providers)]
    for rule_id in _rules_in_order(doc):
        cells = [_icon(doc["summary"]["matrix"][p][rule_id]) if rule_id in
                 doc["summary"]["matrix"][p] else "n/a" for p in providers]
        lines.append(f"| `{rule_id}` | " + " | ".join(cells) + " |")
    if "exit_status" in doc["summary"]:
        lines += ["", f"Exit status: {doc['summary']['exit_status']}"]
    if run.get("foreign_failures"):
        lines += ["", _foreign_line(run)]
    if doc["summary"]["counts"].get("ERROR"):
        lines += ["", ERROR_MEANING]
    lines += ["", "Legend: " + "; ".join(f"{v} - {meaning}" for v, _, meaning in legend_rows())
              + "; n/a - the rule has no case for that provider.", ""]
    lines += _adapters_markdown(doc)
    lines += ["## Changes since the previous run", ""]
    changes = _changes(run)
    if changes:
        lines += [f"- {c}" for c in changes] + [""]
    else:
        lines += [f"None (compared with run `{run['previous_run']}`)." if run.get("previous_run")
                  else "No previous run of this lane and target to compare with.", ""]
    details = [r for r in doc["results"] if r["verdict"] != Verdict.PASS.value]
    details.sort(key=lambda r: _severity(r["verdict"]))
    shown = details if max_details is None else details[:max_details]
    if details:
        lines += ["## Details", ""]
    for result in shown:
        lines += [
            f"### {result['verdict']} `{result['provider']}` `{result['rule_id']}` `{result['case_id']}`",
            "",
            f"{result['title']} (evidence: {result['evidence']}; origin: {result['origin']}; "
            f"stands on: {result.get('basis') or 'n/a'})",
            "",
            f"Source: {result['citation']}",
            "",
        ]
        for check in _failed_checks(result):
            lines += [f"- {check['name']} [{check['evidence']}]", f"  - Expected: {check['expected']}",
                      f"  - Received: {check['received']}"]
        if _failed_checks(result):
            lines.append("")
        if result["message"]:
            lines += ["```", result["message"], "```", ""]
        if result.get("traceback"):
            lines += ["Traceback:", "", "```", result["traceback"].rstrip(), "```", ""]
        for note in result["observations"]:
            lines.append(f"- observed: {note}")
        if result["observations"]:
            lines.append("")
        bare = _citation_only(doc, result)
        if bare:
            lines += [f"Rests only on the citation (no independent evidence guards "
                      f"{', '.join(f'`{f}`' for f in bare)}).", ""]
        if exchanges and result.get("exchanges"):
            lines += [f"<details><summary>{len(result['exchanges'])} HTTP exchanges (redacted)</summary>",
                      "", "```http"]
            lines += ["\n\n".join(_exchange_text(e) for e in result["exchanges"]), "```", "",
                      "</details>", ""]
    if len(shown) < len(details):
        lines += [f"... and {len(details) - len(shown)} more non-PASS cases in the full report.", ""]
    unguarded = doc["run"].get("unguarded") or {}
    if any(unguarded.values()):
        lines += ["## Facts no independent evidence guards", "",
                  "A verdict on one of these facts rests only on the contract's citation: no "
                  "vendor body, statement, SDK or vendor OpenAPI contradicts the contract when "
                  "the fact is changed (`payconform mutants`).", ""]
        unjudged = doc["run"].get("unjudged") or {}
        for provider, facts in unguarded.items():
            if facts:
                lines.append(f"- `{provider}` ({len(facts)}): " + ", ".join(f"`{f}`" for f in facts)
                             + "".join(f"; not judged by {u}" for u in unjudged.get(provider, ())))
        lines.append("")
    return "\n".join(lines) + "\n"


def _citation_only(doc: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """The unguarded facts among a result's failing checks."""
    unguarded = set((doc["run"].get("unguarded") or {}).get(result["provider"], ()))
    return sorted({c.get("fact", "") for c in result.get("checks", [])
                   if not c.get("passed") and c.get("fact") in unguarded})


def render_step_summary(doc: dict[str, Any]) -> str:
    """A GitHub Actions job summary: the summary, matrix, changes and the first 30 non-PASS
    cases without their HTTP exchanges (job summaries are capped at 1 MiB)."""
    return render_markdown(doc, exchanges=False, max_details=30)


def write_step_summary(doc: dict[str, Any], env: dict[str, str] | None = None) -> Path | None:
    """Append :func:`render_step_summary` to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    target = (env if env is not None else os.environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(render_step_summary(doc))
    return Path(target)


def _severity(verdict: str) -> int:
    try:
        return Verdict(verdict).severity
    except ValueError:  # a verdict this version does not know sorts first: look at it
        return -1


_CSS = (
    "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse}"
    "td,th{border:1px solid #999;padding:4px 8px;text-align:left}"
    "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;word-break:break-all}"
    "section{border-top:1px solid #ccc;margin-top:1em}dl.summary dt{font-weight:bold;float:left;"
    "clear:left;width:11em}dl.summary dd{margin-left:12em}ul.legend{list-style:none;padding:0}"
    ".swatch{display:inline-block;width:1em;height:1em;border:1px solid #999;vertical-align:middle}"
)


def render_html(doc: dict[str, Any]) -> str:
    """A self-contained HTML page: summary, matrix, legend, changes, and every non-PASS case
    with its source, expected and received, and its redacted exchanges (collapsible)."""
    esc = html.escape
    run = doc["run"]
    providers = list(doc["summary"]["matrix"])
    head = "".join(f"<th>{esc(p)}</th>" for p in providers)
    rows = []
    for rule_id in _rules_in_order(doc):
        cells = []
        for provider in providers:
            verdict = doc["summary"]["matrix"][provider].get(rule_id, "n/a")
            cells.append(f'<td style="background:{verdict_color(verdict) if verdict != "n/a" else "#fff"}">'
                         f"{esc(verdict)}</td>")
        rows.append(f"<tr><th><code>{esc(rule_id)}</code></th>{''.join(cells)}</tr>")
    status = ""
    if "exit_status" in doc["summary"]:
        status = f"<p>Exit status: {doc['summary']['exit_status']}</p>"
    if run.get("foreign_failures"):
        status += f"<p>{esc(_foreign_line(run))}</p>"
    if doc["summary"]["counts"].get("ERROR"):
        status += f"<p><strong>{esc(ERROR_MEANING)}</strong></p>"
    summary = [
        ("cases", _counts_line(doc["summary"]["counts"])),
        ("lane", str(run["lane"])),
        ("target", _target(run)),
        ("providers", ", ".join(providers) or "(none)"),
        ("seed", f"{run.get('seed')}{_replay_hint(run, '')}"),
        ("hypothesis profile", str(run.get("hypothesis_profile"))),
        ("started", str(run["started_at"])),
        ("payconform", f"{run['payconform_version']}, Python {run['python']}"),
    ]
    if spend_line(doc):
        summary.append(("spent", spend_line(doc).removeprefix("spent ")))
    if run.get("merged_from"):
        summary.append(("merged from", ", ".join(f"{m['id']} ({m['lane']}: {', '.join(m['providers'])})"
                                                 for m in run["merged_from"])))
    if run.get("nothing_checked"):
        summary.append(("nothing checked", "every case was skipped (exit status 6)"))
    summary_html = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in summary)
    # Before everything else: the matrix below is incomplete.
    banner = (f"<p class='interrupted'><strong>{esc(interrupted_line(run))}</strong></p>"
              if run.get("interrupted") else "")
    legend = "".join(f'<li><span class="swatch" style="background:{color}"></span> '
                     f"<b>{esc(v)}</b>: {esc(meaning)}</li>" for v, color, meaning in legend_rows())
    changes = _changes(run)
    if changes:
        changes_html = "<ul>" + "".join(f"<li>{esc(c)}</li>" for c in changes) + "</ul>"
    elif run.get("previous_run"):
        changes_html = f"<p>None (compared with run <code>{esc(run['previous_run'])}</code>).</p>"
    else:
        changes_html = "<p>No previous run of this lane and target to compare with.</p>"
    details = []
    results = sorted((r for r in doc["results"] if r["verdict"] != Verdict.PASS.value),
                     key=lambda r: _severity(r["verdict"]))
    for result in results:
        notes = "".join(f"<li>{esc(n)}</li>" for n in result["observations"])
        trace = (f"<details open><summary>Traceback</summary><pre>{esc(result['traceback'])}</pre>"
                 "</details>" if result.get("traceback") else "")
        checks = "".join(
            f"<tr><td>{esc(c['name'])} [{esc(c['evidence'])}]</td><td>{esc(c['expected'])}</td>"
            f"<td>{esc(c['received'])}</td></tr>" for c in _failed_checks(result))
        checks_html = (f"<table><tr><th>check</th><th>expected</th><th>received</th></tr>{checks}</table>"
                       if checks else "")
        exchanges = "".join(f"<pre>{esc(_exchange_text(e))}</pre>" for e in result.get("exchanges", []))
        exchanges_html = (f"<details><summary>{len(result.get('exchanges', []))} HTTP exchanges "
                          f"(redacted)</summary>{exchanges}</details>" if exchanges else "")
        color = verdict_color(result["verdict"])
        message_html = f"<pre>{esc(result['message'])}</pre>" if result["message"] else ""
        details.append(
            f'<section><h3><span class="swatch" style="background:{color}"></span> '
            f"{esc(result['verdict'])} {esc(result['provider'])} "
            f"<code>{esc(result['rule_id'])}</code> <code>{esc(result['case_id'])}</code></h3>"
            f"<p>{esc(result['title'])} (evidence: {esc(result['evidence'])}; origin: "
            f"{esc(result['origin'])}; stands on: {esc(result.get('basis') or 'n/a')})</p>"
            f"<p>Source: {esc(result['citation'])}</p>{checks_html}"
            f"{message_html}{trace}"
            f"<ul>{notes}</ul>{exchanges_html}</section>"
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>payconform report {esc(run['id'])}</title><style>{_CSS}</style></head><body>"
        f"<h1>payconform conformance report</h1><p>run <code>{esc(run['id'])}</code></p>"
        f"{banner}<dl class='summary'>{summary_html}</dl>"
        f"<table><tr><th>rule</th>{head}</tr>{''.join(rows)}</table>{status}"
        f"<h2>Legend</h2><ul class='legend'>{legend}<li>n/a: the rule has no case for that "
        "provider</li></ul>"
        f"{_adapters_html(doc)}"
        f"<h2>Changes since the previous run</h2>{changes_html}"
        f"<h2>Details</h2>{''.join(details) or '<p>Every case passed.</p>'}{_unguarded_html(doc)}"
        "</body></html>\n"
    )


def _unguarded_html(doc: dict[str, Any]) -> str:
    unguarded = {p: f for p, f in (doc["run"].get("unguarded") or {}).items() if f}
    if not unguarded:
        return ""
    unjudged = doc["run"].get("unjudged") or {}
    items = "".join(f"<li><code>{html.escape(p)}</code> ({len(f)}): "
                    + ", ".join(f"<code>{html.escape(x)}</code>" for x in f)
                    + "".join(f"; not judged by {html.escape(u)}" for u in unjudged.get(p, ()))
                    + "</li>" for p, f in unguarded.items())
    return ("<h2>Facts no independent evidence guards</h2><p>A verdict on one of these facts "
            "rests only on the contract's citation.</p><ul>" + items + "</ul>")


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def matrix_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Matrix cells that differ between two report documents, one sentence each."""
    old, new = before["summary"]["matrix"], after["summary"]["matrix"]
    out = []
    for provider, rules in new.items():
        for rule_id, verdict in rules.items():
            was = old.get(provider, {}).get(rule_id)
            if was is None and provider in old:
                out.append(f"{provider} `{rule_id}`: first checked in this run ({verdict})")
            elif was is not None and was != verdict:
                out.append(f"{provider} `{rule_id}`: {was} -> {verdict} (previous run {before['run']['id']})")
    for provider, rules in old.items():
        for rule_id in rules:
            if provider in new and rule_id not in new[provider]:
                out.append(f"{provider} `{rule_id}`: not checked in this run (was {rules[rule_id]})")
    return out


def compare_with_previous(doc: dict[str, Any], previous_path: Path) -> None:
    """Fill ``run.changes`` from the previous report of the same lane and target, unless the
    monitoring history (live lane) already did."""
    run = doc["run"]
    if "changes" in run or "previous_runs" in run or not previous_path.is_file():
        return
    try:
        before = load_report(previous_path)
    except (OSError, ValueError):
        return  # an unreadable previous report is no reason to fail this run
    same = (before["run"].get("lane"), before["run"].get("base_url")) == (run["lane"], run.get("base_url"))
    if not same or before["run"].get("id") == run["id"]:
        return
    run["previous_run"] = before["run"]["id"]
    run["changes"] = matrix_changes(before, doc)


def write_report(report: RunReport, report_dir: Path) -> Path:
    """Write ``<report_dir>/<run-id>/conformance.{json,md,html}`` and point ``latest`` at it."""
    run_dir = report_dir / report.run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    doc = report.to_json()
    compare_with_previous(doc, report_dir / "latest" / "conformance.json")
    # finite(): JSON has no Infinity or NaN (a vendor's amount may be one in Python).
    _atomic_write(run_dir / "conformance.json",
                  json.dumps(finite(doc), indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    _atomic_write(run_dir / "conformance.md", render_markdown(doc))
    _atomic_write(run_dir / "conformance.html", render_html(doc))
    latest = report_dir / "latest"
    tmp = report_dir / f".latest-{report.run_id}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(report.run_id, target_is_directory=True)
        if latest.exists() and not latest.is_symlink():
            shutil.rmtree(latest)
        os.replace(tmp, latest)
    except OSError:  # no symlinks on this filesystem: keep a copy instead
        if latest.is_symlink():
            latest.unlink()
        shutil.rmtree(latest, ignore_errors=True)
        shutil.copytree(run_dir, latest)
    return run_dir


def load_report(path: Path) -> dict[str, Any]:
    """Read a ``conformance.json``, checking its schema id."""
    doc: dict[str, Any] = json.loads(path.read_text("utf-8"))
    if doc.get("schema") != REPORT_SCHEMA:
        raise ValueError(f"{path}: not a {REPORT_SCHEMA} report (schema={doc.get('schema')!r})")
    return doc


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``conformance.json``."""
    text = Path(__file__).with_name("report-schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema



# ---- adapter sections ------------------------------------------------------------------------

_ADAPTER_PREFIX = "adapter."


def _adapters_part(results: list[CaseResult], name: str) -> dict[str, Any]:
    """``{"adapters": [...]}``: per provider, the adapter's scenario x rule verdicts (or nothing)."""
    sections: dict[str, dict[str, Any]] = {}
    for result in results:
        if not result.rule_id.startswith(_ADAPTER_PREFIX):
            continue
        section = sections.setdefault(result.provider, {
            "adapter": name, "provider": result.provider, "origin": result.origin,
            "rules": [], "scenarios": {}})
        if result.rule_id not in section["rules"]:
            section["rules"].append(result.rule_id)
        section["scenarios"].setdefault(result.case_id, {})[result.rule_id] = result.verdict.value
    return {"adapters": list(sections.values())} if sections else {}


def _adapter_tables(section: dict[str, Any]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    rules = list(section["rules"])
    rows = [(scenario, [cells.get(rule, "") for rule in rules])
            for scenario, cells in section["scenarios"].items()]
    return [r.removeprefix(_ADAPTER_PREFIX) for r in rules], rows


def _adapters_markdown(doc: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for section in doc.get("adapters", []):
        heads, rows = _adapter_tables(section)
        lines += [f"## Adapter `{section['adapter']}`: {section['provider']}", "",
                  f"Scenario x adapter rule ({section['origin']}).", "",
                  "| scenario | " + " | ".join(f"`{h}`" for h in heads) + " |",
                  "|---|" + "---|" * len(heads)]
        lines += [f"| `{scenario}` | " + " | ".join(_icon(c) for c in cells) + " |"
                  for scenario, cells in rows]
        lines.append("")
    return lines


def _adapters_html(doc: dict[str, Any]) -> str:
    esc = html.escape
    parts = []
    for section in doc.get("adapters", []):
        heads, rows = _adapter_tables(section)
        head = "".join(f"<th><code>{esc(h)}</code></th>" for h in heads)
        body = "".join(
            f"<tr><th><code>{esc(scenario)}</code></th>" + "".join(
                f'<td style="background:{verdict_color(c) if c else "#fff"}">{esc(c)}</td>' for c in cells)
            + "</tr>" for scenario, cells in rows)
        parts.append(f"<h2>Adapter <code>{esc(section['adapter'])}</code>: "
                     f"{esc(section['provider'])}</h2><p>{esc(section['origin'])}</p>"
                     f"<table><tr><th>scenario</th>{head}</tr>{body}</table>")
    return "".join(parts)
