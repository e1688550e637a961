"""The monitoring page: ``history.jsonl`` as one self-contained HTML document.

One row per provider x rule: a timeline of the rule's verdict in every run (inline SVG, one
square per run, no scripts, styles or fonts from elsewhere), each verdict change (a flip)
outlined and named with its run, and the HTTP statuses and error codes the rule received,
listed per run where they changed. A run that stopped before its end (``interrupted``) is
drawn dashed and named above its provider's table: its missing rules were not checked, and
its finished ones do not make it a green night.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from payconform.reporting.legend import VERDICT_COLORS, verdict_color

__all__ = ["render_history_html"]

_CELL = 14  # px per run in a timeline
_GAP = 2


def _runs(lines: list[dict[str, Any]]) -> list[str]:
    """Run ids in the order of the file (appends are chronological)."""
    return list(dict.fromkeys(str(line.get("run_id", "")) for line in lines))


def _stopped(lines: list[dict[str, Any]]) -> dict[str, str]:
    """Run id -> why it stopped, for the runs that were interrupted."""
    return {str(line.get("run_id", "")): str(line["interrupted"]) for line in lines
            if line.get("interrupted")}


def _svg(provider: str, rule_id: str, runs: list[str], cells: dict[str, dict[str, Any]],
         stopped: dict[str, str]) -> str:
    esc = html.escape
    width = max(1, len(runs)) * (_CELL + _GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{_CELL + 6}" '
             f'viewBox="0 0 {width} {_CELL + 6}" role="img" '
             f'aria-label="{esc(provider)} {esc(rule_id)} verdicts over {len(runs)} runs">']
    previous: str | None = None
    for index, run_id in enumerate(runs):
        x = index * (_CELL + _GAP)
        line = cells.get(run_id)
        cut = f" (run interrupted: {stopped[run_id]})" if run_id in stopped else ""
        dash = ' stroke-dasharray="3 2" class="interrupted"' if cut else ""
        if line is None:  # the rule was not checked in that run
            color = "#000" if cut else "#ccc"
            parts.append(f'<rect x="{x}" y="3" width="{_CELL}" height="{_CELL}" fill="none" '
                         f'stroke="{color}"{dash}><title>{esc(run_id)}: not checked{esc(cut)}'
                         "</title></rect>")
            continue
        verdict = str(line.get("verdict"))
        flipped = previous is not None and verdict != previous
        stroke = ' stroke="#000" stroke-width="2" class="flip"' if flipped else ""
        if cut and not flipped:
            stroke = f' stroke="#000"{dash}'
        title = f"{run_id} {line.get('time', '')}: {verdict}"
        if flipped:
            title += f" (was {previous})"
        title += cut
        parts.append(f'<rect x="{x}" y="3" width="{_CELL}" height="{_CELL}" '
                     f'fill="{verdict_color(verdict)}"{stroke}><title>{esc(title)}</title></rect>')
        previous = verdict
    parts.append("</svg>")
    return "".join(parts)


def _flips(runs: list[str], cells: dict[str, dict[str, Any]]) -> list[str]:
    out, previous = [], None
    for run_id in runs:
        line = cells.get(run_id)
        if line is None:
            continue
        verdict = str(line.get("verdict"))
        if previous is not None and verdict != previous:
            out.append(f"{previous} -> {verdict} in run {run_id} ({line.get('time', '')})")
        previous = verdict
    return out


def _wire(runs: list[str], cells: dict[str, dict[str, Any]]) -> list[str]:
    """One entry per run where the statuses or codes received differ from the run before."""
    out, before = [], None
    for run_id in runs:
        line = cells.get(run_id)
        if line is None:
            continue
        seen = (tuple(line.get("http_statuses", [])), tuple(line.get("error_codes", [])))
        if seen != before:
            statuses = ", ".join(map(str, seen[0])) or "none"
            codes = ", ".join(map(str, seen[1])) or "none"
            out.append(f"{run_id}: HTTP {statuses}; error codes {codes}")
        before = seen
    return out


def render_history_html(lines: Iterable[dict[str, Any]], *, title: str = "payconform monitoring") -> str:
    """The page for ``lines`` (as read by :func:`payconform.reporting.history.load_history`):
    one section per provider and target, one row per rule, no external assets."""
    esc = html.escape
    rows_in = [line for line in lines if line.get("provider") and line.get("rule_id")]
    targets = list(dict.fromkeys((str(line["provider"]), str(line.get("target", ""))) for line in rows_in))
    body: list[str] = []
    flips_total = 0
    for provider, target in targets:
        mine = [line for line in rows_in if line["provider"] == provider
                and str(line.get("target", "")) == target]
        runs = _runs(mine)
        stopped = _stopped(mine)
        body.append(f"<h2>{esc(provider)} <small><code>{esc(target)}</code>, {len(runs)} runs, "
                    f"{esc(runs[0])} .. {esc(runs[-1])}</small></h2>")
        if stopped:
            body.append("<p class='interrupted'><strong>interrupted runs (not green, incomplete): "
                        + "; ".join(f"{esc(r)} ({esc(why)})" for r, why in stopped.items())
                        + "</strong></p>")
        body.append("<table><tr><th>rule</th><th>verdicts (oldest left)</th><th>latest</th>"
                    "<th>flips</th><th>HTTP statuses and error codes over time</th></tr>")
        for rule_id in dict.fromkeys(str(line["rule_id"]) for line in mine):
            cells = {str(line["run_id"]): line for line in mine if line["rule_id"] == rule_id}
            flips = _flips(runs, cells)
            flips_total += len(flips)
            latest = cells[next(r for r in reversed(runs) if r in cells)]
            verdict = str(latest.get("verdict"))
            row_class = ' class="flipped"' if flips else ""
            body.append(
                f"<tr{row_class}><th><code>{esc(rule_id)}</code></th>"
                f"<td>{_svg(provider, rule_id, runs, cells, stopped)}</td>"
                f'<td style="background:{verdict_color(verdict)}">{esc(verdict)}</td>'
                f"<td>{'<br>'.join(esc(f) for f in flips) or '-'}</td>"
                f"<td>{'<br>'.join(esc(w) for w in _wire(runs, cells)) or '-'}</td></tr>")
        body.append("</table>")
    legend = "".join(
        f'<li><svg width="12" height="12" xmlns="http://www.w3.org/2000/svg"><rect width="12" '
        f'height="12" fill="{color}"/></svg> {esc(name)}</li>' for name, color in VERDICT_COLORS.items())
    summary = (f"<p>{len(targets)} provider/target pairs, {len(_runs(rows_in))} runs, "
               f"{flips_total} verdict flips.</p>" if rows_in else
               "<p>The history is empty: run the live lane (it appends one line per provider x rule).</p>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
        "td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}"
        "tr.flipped th{background:#fff3c4}ul.legend{list-style:none;padding:0}"
        "ul.legend li{display:inline-block;margin-right:1em}</style></head><body>"
        f"<h1>{esc(title)}</h1>{summary}"
        "<p>Each square is one run, oldest left; an outlined square is a flip (the verdict "
        "differs from the run before); an empty square is a run that did not check the rule; a "
        "dashed square is a run that was interrupted before its end. "
        "Hover a square for its run id and time.</p>"
        f"<ul class='legend'>{legend}<li>outlined: flip</li></ul>{''.join(body)}</body></html>\n"
    )
