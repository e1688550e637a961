"""``payconform judge``: judge a client in any language from a recorded simulator session.

The session comes from ``payconform serve P --judge`` (``--url``: read the running server's
recording; ``--recording``: a file written by ``--record``). The adapter rules judge the
requests; with ``--outcomes`` (the JSON file the client writes, see README) they also judge
the outcome mapping. The report is written like a suite run's; the exit status follows the
suite's (``reporting.report.exit_status``; 4 for a usage error).
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx

from payconform.adapters.judge import judge_session
from payconform.adapters.scenarios import Session, plan
from payconform.lanes.base import new_run_id
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract
from payconform.reporting.report import RunReport, exit_status, matrix, write_report
from payconform.rules.engine import CaseResult
from payconform.simulator.server import CONTROL_TOKEN_HEADER

__all__ = ["load_outcomes", "register_judge", "write_junit"]

_EXIT_USAGE = 4


class _Usage(Exception):
    """A usage problem: one sentence for stderr, exit 4."""


def register_judge(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``judge`` subcommand."""
    parser = sub.add_parser("judge", help="judge a client's recorded session (serve --judge)")
    parser.add_argument("provider", nargs="?", help="provider (default: the recording's)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="a running 'payconform serve --judge' (its printed URL)")
    source.add_argument("--recording", type=Path, help="a file written by 'serve --judge --record'")
    parser.add_argument("--outcomes", type=Path,
                        help='the client\'s {"outcomes": {"<scenario>": "<OUTCOME>"}} file')
    parser.add_argument("--control-token", default=None, metavar="TOKEN",
                        help="with --url: the token a non-loopback 'serve' printed at start")
    parser.add_argument("--name", default="", help="how the report names the client")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"))
    parser.add_argument("--junitxml", type=Path, help="also write JUnit XML here")
    parser.set_defaults(func=_cmd_judge)


def _session(args: argparse.Namespace) -> Session:
    if args.recording is not None:
        try:
            doc: Any = json.loads(args.recording.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise _Usage(f"cannot read the recording {args.recording}: {exc}") from None
        where = str(args.recording)
    else:
        url = args.url.rstrip("/") + "/_simulator/session"
        try:
            headers = {CONTROL_TOKEN_HEADER: args.control_token} if args.control_token else {}
            response = httpx.get(url, timeout=10, headers=headers)
            doc = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _Usage(f"cannot read the session at {url}: {exc}; is 'payconform serve "
                         "--judge' running there?") from None
        if response.status_code != 200:
            raise _Usage(f"{url} answered HTTP {response.status_code}: start the simulator "
                         "with 'payconform serve PROVIDER --judge'")
        where = url
    try:
        return Session.from_json(doc)
    except ValueError as exc:
        raise _Usage(f"{where}: {exc}") from None


def load_outcomes(path: Path, scenario_ids: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The outcomes (and optional fetched statuses) a client wrote, checked against the plan."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise _Usage(f"cannot read the outcomes file {path}: {exc}") from None
    outcomes = doc.get("outcomes") if isinstance(doc, dict) else None
    fetched = doc.get("fetched", {}) if isinstance(doc, dict) else {}
    if not isinstance(outcomes, dict) or not isinstance(fetched, dict) or not all(
            isinstance(v, str) for v in (*outcomes.values(), *fetched.values())):
        raise _Usage(f'{path}: expected {{"outcomes": {{"<scenario id>": "<OUTCOME>", ...}}}}')
    unknown = sorted((set(outcomes) | set(fetched)) - scenario_ids)
    if unknown:
        raise _Usage(f"{path} names scenarios the plan does not have: {', '.join(unknown)}")
    return dict(outcomes), dict(fetched)


def write_junit(results: list[CaseResult], path: Path, adapter: str) -> None:
    """One ``testcase`` per adapter case, with provider / rule / case / adapter properties."""
    failures = sum(r.verdict is Verdict.FAIL for r in results)
    skipped = sum(r.verdict in (Verdict.SKIPPED, Verdict.INCONCLUSIVE) for r in results)
    errors = sum(r.verdict is Verdict.ERROR for r in results)
    suite = ET.Element("testsuite", name="payconform-judge", tests=str(len(results)),
                       failures=str(failures), errors=str(errors), skipped=str(skipped))
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=f"payconform.judge.{result.provider}",
                             name=f"{result.rule_id}[{result.provider}:{result.case_id}]")
        props = ET.SubElement(case, "properties")
        for name, value in (("provider", result.provider), ("rule", result.rule_id),
                            ("case", result.case_id), ("lane", "simulator"),
                            ("adapter", adapter), ("scenario", result.case_id),
                            ("verdict", result.verdict.value)):
            ET.SubElement(props, "property", name=name, value=value)
        if result.verdict is Verdict.FAIL:
            ET.SubElement(case, "failure", message=result.message.splitlines()[0] if
                          result.message else "FAIL").text = result.message
        elif result.verdict is Verdict.ERROR:
            ET.SubElement(case, "error", message=result.message.splitlines()[0] if
                          result.message else "ERROR").text = result.message
        elif result.verdict in (Verdict.SKIPPED, Verdict.INCONCLUSIVE):
            ET.SubElement(case, "skipped", message=f"{result.verdict.value}: {result.message}")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def _cmd_judge(args: argparse.Namespace) -> int:
    try:
        session = _session(args)
        provider = args.provider or session.provider
        if provider != session.provider:
            raise _Usage(f"the recording is of {session.provider!r}, not {provider!r}")
        contract = get_contract(provider)
        outcomes = fetched = None
        if args.outcomes is not None:
            outcomes, fetched = load_outcomes(args.outcomes, {s.id for s in plan(contract)})
    except _Usage as exc:
        print(f"payconform: {exc}", file=sys.stderr)
        return _EXIT_USAGE
    name = args.name or "client"
    results = judge_session(contract, session, outcomes=outcomes, fetched=fetched,
                            origin=f"adapter {name} (recorded session)")
    run_id = new_run_id()
    report = RunReport(run_id=run_id, lane="simulator", providers=[provider], results=results,
                       api_versions={provider: contract.default_api_version},
                       extra={"adapter": name, "judged": args.url or str(args.recording)})
    run_dir = write_report(report, args.report_dir)
    if args.junitxml is not None:
        write_junit(results, args.junitxml, name)
    for rule_id, verdict in matrix(results).get(provider, {}).items():
        print(f"{rule_id:<36} {verdict.value}")
    for result in results:
        if result.verdict in (Verdict.FAIL, Verdict.WARN, Verdict.ERROR):
            print(f"\n{result.verdict.value} {result.rule_id} [{result.case_id}]\n{result.message}")
    if outcomes is None:
        print("\nno --outcomes: adapter.outcome-mapping was not judged")
    print(f"\nreport: {run_dir / 'conformance.json'}")
    return exit_status((r.verdict for r in results), "simulator")
