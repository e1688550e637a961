"""``payconform report [PATH | merge DIR...]`` and ``payconform history``: reports and the
monitoring page, rendered from the JSON files a run leaves."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["EXIT_USAGE", "find_reports", "register_history", "register_report"]

EXIT_USAGE = 4


def _fail(message: str) -> int:
    print(f"payconform: {message}", file=sys.stderr)
    return EXIT_USAGE


def register_report(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``payconform report``."""
    parser = sub.add_parser(
        "report", help="render a conformance.json, or merge several (report merge DIR...)",
        description="payconform report [PATH] renders one report; payconform report merge DIR... "
                    "combines the reports found under each DIR (CI matrix jobs) into one: every "
                    "case once, one matrix; it exits as the combined run would (0, 1 or 6).")
    parser.add_argument("path", nargs="*", default=[],
                        help="a report (default reports/latest/conformance.json), or 'merge' "
                             "followed by report files or folders")
    parser.add_argument("--format", choices=("md", "html", "json"), default="md")
    parser.add_argument("--output", default=None, metavar="DIR",
                        help="merge: write conformance.{json,md,html} into DIR instead of printing")
    parser.set_defaults(func=_cmd_report)


def _renderers() -> dict[str, Callable[[dict[str, Any]], str]]:
    from payconform.reporting.report import render_html, render_markdown

    return {"md": render_markdown, "html": render_html,
            "json": lambda d: json.dumps(d, indent=2, ensure_ascii=False) + "\n"}


def _started(path: Path) -> str:
    try:
        return str(json.loads(path.read_text("utf-8"))["run"]["started_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""  # load_report names the problem later


def find_reports(path: Path) -> list[Path]:
    """The reports at or under ``path``: a ``conformance.json`` itself, else the newest run
    of every report dir found below (a report dir keeps old runs beside ``latest``; a CI
    artifact holds one run)."""
    if path.is_file():
        return [path]
    newest: dict[Path, Path] = {}
    for candidate in sorted(path.rglob("conformance.json")):
        if "latest" in candidate.relative_to(path).parts:
            continue  # a link or copy of one of the runs beside it
        report_dir = candidate.parent.parent
        if candidate.parent == path:
            report_dir = path
        before = newest.get(report_dir)
        if before is None or _started(candidate) > _started(before):
            newest[report_dir] = candidate
    return sorted(newest.values())


def _cmd_report(args: argparse.Namespace) -> int:
    from payconform.reporting.report import load_report

    if args.path[:1] == ["merge"]:
        return _merge([Path(p) for p in args.path[1:]], args.format, args.output)
    if len(args.path) > 1:
        return _fail("report renders one report; to combine several use: payconform report merge DIR...")
    path = Path(args.path[0] if args.path else "reports/latest/conformance.json")
    if path.is_dir():  # a run dir, or a report dir (its latest run)
        path = path / "conformance.json" if (path / "conformance.json").is_file() else (
            path / "latest" / "conformance.json")
    if not path.is_file():
        return _fail(f"no report at {path}; run the suite first (make conformance)")
    try:
        doc = load_report(path)
    except ValueError as exc:
        return _fail(str(exc))
    sys.stdout.write(_renderers()[args.format](doc))
    return 0


def _merge(paths: list[Path], fmt: str, output: str | None) -> int:
    from payconform.reporting.merge import merge_exit_status, merge_reports
    from payconform.reporting.report import load_report, write_step_summary

    if not paths:
        return _fail("report merge needs at least one report file or folder")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return _fail(f"no such file or folder: {', '.join(missing)}")
    files = [f for p in paths for f in find_reports(p)]
    if not files:
        return _fail(f"no conformance.json under {', '.join(map(str, paths))}")
    docs = []
    for file in files:
        try:
            docs.append(load_report(file))
        except ValueError as exc:  # also: not JSON
            return _fail(str(exc))
    merged = merge_reports(docs)
    if output:
        folder = Path(output)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, render in (("conformance.json", "json"), ("conformance.md", "md"),
                                 ("conformance.html", "html")):
                (folder / name).write_text(_renderers()[render](merged), "utf-8")
        except OSError as exc:
            return _fail(f"cannot write the merged report to {folder}: {exc.strerror or exc}")
        print(f"merged {len(docs)} reports ({len(merged['results'])} cases) into {folder}",
              file=sys.stderr)
    else:
        sys.stdout.write(_renderers()[fmt](merged))
    write_step_summary(merged)
    return merge_exit_status(merged)


def register_history(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``payconform history``."""
    parser = sub.add_parser("history", help="render the live lane's history.jsonl as one HTML page")
    parser.add_argument("path", nargs="?", default="reports/history.jsonl",
                        help="history.jsonl or the report dir holding it (default reports/)")
    parser.add_argument("--format", choices=("html", "json"), default="html",
                        help="html: one self-contained page; json: the readable lines")
    parser.add_argument("--output", default=None, metavar="FILE", help="write here, not to stdout")
    parser.set_defaults(func=_cmd_history)


def _cmd_history(args: argparse.Namespace) -> int:
    from payconform.reporting.history import HISTORY_FILE, load_history
    from payconform.reporting.history_page import render_history_html

    path = Path(args.path)
    if path.is_dir():
        path = path / HISTORY_FILE
    if not path.is_file():
        return _fail(f"no history at {path}; the live lane appends to <report dir>/{HISTORY_FILE}")
    skipped: list[str] = []
    lines = load_history(path, skipped)
    for problem in skipped:
        print(f"payconform: {problem}", file=sys.stderr)
    text = (render_history_html(lines, title=f"payconform monitoring: {path}") if args.format == "html"
            else json.dumps(lines, indent=2, ensure_ascii=False) + "\n")
    if args.output:
        try:
            Path(args.output).write_text(text, "utf-8")
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
    return 0
