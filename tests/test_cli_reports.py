"""The command line a CI pipeline and a monitoring team use: --version, one --format flag,
report merge, the history page, providers --json and one-line errors with their statuses."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from payconform import __version__
from payconform.cli.main import main
from payconform.lanes.base import simulator_session
from payconform.model.outcomes import Verdict
from payconform.model.registry import all_contracts, get_contract
from payconform.reporting.history import history_lines
from payconform.reporting.history_page import render_history_html
from payconform.reporting.merge import merge_exit_status, merge_reports
from payconform.reporting.report import (
    RunReport,
    exit_status,
    render_html,
    render_markdown,
    report_schema,
    write_report,
)
from payconform.rules.engine import CaseResult
from payconform.simulator.mutants import mutants_for


def _results(provider: str, mutant: str | None = None) -> list[CaseResult]:
    contract = get_contract(provider)
    mutation = next(m.mutation for m in mutants_for(contract) if m.id == mutant) if mutant else None
    return simulator_session(contract, mutation=mutation).run_all(["cancel.repeat", "auth.missing"])


def _write(root: Path, run_id: str, lane: str, results: list[CaseResult]) -> Path:
    return write_report(RunReport(run_id=run_id, lane=lane, providers=sorted({r.provider for r in results}),
                                  results=results, seed="7"), root)


def test_version_and_one_format_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """payconform --version prints the version; providers takes --format like the others
    (--json stays as its alias)."""
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"payconform {__version__}"
    assert main(["providers", "--format", "json"]) == 0
    as_format = json.loads(capsys.readouterr().out)
    assert main(["providers", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == as_format


def test_providers_json_lists_what_a_team_sets_up_for_monitoring(capsys: pytest.CaptureFixture[str]) -> None:
    """Credentials, fixture variables with the status each stands for, the production guard,
    the idempotency header and the API calls of a full live run, from the contracts."""
    assert main(["providers", "--format", "json"]) == 0
    rows = {row["provider"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(rows) == set(all_contracts())
    for name, row in rows.items():
        contract = get_contract(name)
        assert row["credentials"] == list(contract.auth.credentials.values())
        declared = {(f.env, f.status) for f in contract.fixtures}
        assert {(f["env"], f["status"]) for f in row["fixtures"]} >= declared
        assert row["live_run_calls"] > 0
        assert row["production_guard"]["live_key_patterns"] == list(contract.auth.live_key_patterns)
    cashfree = rows["cashfree"]
    assert {"env": "CASHFREE_PAID_LINK_ID", "status": "PAID", "kind": "status"} in cashfree["fixtures"]
    assert "api.cashfree.com" in cashfree["production_guard"]["hosts"]
    assert cashfree["idempotency_header"] == "x-idempotency-key"
    assert rows["razorpay"]["idempotency_header"] is None
    assert any("rzp_live_" in p for p in rows["razorpay"]["production_guard"]["live_key_patterns"])


@pytest.mark.parametrize("provider", ["cashfree", "pinelabs"])
def test_the_live_call_count_is_what_a_live_run_over_http_sends(provider: str) -> None:
    """live_run_calls (measured in process) equals the requests a live-lane session over real
    HTTP sends to the served simulator for every rule case plus cleanup (Pine Labs: tokens too)."""
    from payconform.lanes.plan import full_run_calls
    from tests.live_support import live_env, live_session_for, seed_fixtures, served

    contract = get_contract(provider)
    with served(contract) as (server, simulator):
        env = {**live_env(contract), **seed_fixtures(contract, server)}
        before = len(simulator.requests)
        session = live_session_for(contract, server, env)
        session.run_all()
        session.extra["finish"]()  # type: ignore[operator]
        session.close()
        sent = len(simulator.requests) - before
    assert full_run_calls(contract) == sent


def test_report_merge_combines_matrix_jobs_into_one_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given one artifact per provider job (a report dir each), merge writes one report with
    every case once and one matrix, exits 1 when a part failed, and fills the job summary."""
    _write(tmp_path / "artifacts" / "cashfree", "a1", "simulator", _results("cashfree"))
    _write(tmp_path / "artifacts" / "commet", "b1", "simulator", _results("commet", "repeat-cancel-flipped"))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    status = main(["report", "merge", str(tmp_path / "artifacts"), "--output", str(tmp_path / "merged")])
    assert status == 1
    doc = json.loads((tmp_path / "merged" / "conformance.json").read_text())
    Draft202012Validator(report_schema()).validate(doc)
    keys = [(r["provider"], r["rule_id"], r["case_id"]) for r in doc["results"]]
    assert len(keys) == len(set(keys)) == len(_results("cashfree")) + len(_results("commet"))
    assert doc["summary"]["matrix"]["commet"]["cancel.repeat"] == "FAIL"
    assert doc["summary"]["matrix"]["cashfree"]["cancel.repeat"] == "PASS"
    assert [m["id"] for m in doc["run"]["merged_from"]] == ["a1", "b1"]
    assert "| `cancel.repeat` | PASS | **FAIL** |" in summary.read_text()
    assert "<table>" in (tmp_path / "merged" / "conformance.html").read_text()
    assert main(["report", "merge", str(tmp_path / "artifacts" / "cashfree"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["run"]["merged_from"][0]["id"] == "a1"


def test_merge_keeps_lanes_apart_and_says_when_nothing_was_checked() -> None:
    """Two lanes of one provider become two columns; a merge of skipped-only parts exits 6."""
    simulator = RunReport(run_id="s", lane="simulator", providers=["cashfree"],
                          results=_results("cashfree")).to_json()
    replay = RunReport(run_id="r", lane="replay", providers=["cashfree"],
                       results=_results("cashfree")).to_json()
    merged = merge_reports([simulator, replay])
    assert set(merged["summary"]["matrix"]) == {"cashfree (simulator)", "cashfree (replay)"}
    assert len(merged["results"]) == 2 * len(simulator["results"])
    assert merge_exit_status(merged) == 0
    skipped = [CaseResult("cashfree", "cancel.repeat", "x", "t", Verdict.SKIPPED, "unverified", "",
                          "no creds")]
    live = RunReport(run_id="l", lane="live", providers=["cashfree"], results=skipped).to_json()
    nothing = merge_reports([live])
    assert nothing["run"]["nothing_checked"] is True and merge_exit_status(nothing) == 6
    Draft202012Validator(report_schema()).validate(nothing)


@pytest.mark.parametrize(("argv", "message"), [
    (["report", "merge"], "report merge needs at least one report file or folder"),
    (["report", "merge", "/nonexistent/x"], "no such file or folder: /nonexistent/x"),
    (["report", "/nonexistent/x"], "no report at /nonexistent/x*"),
    (["history", "/nonexistent/x"], "no history at /nonexistent/x*"),
    (["openapi", "cashfree", "--api-version", "1999"], "cashfree has no API version '1999'; known: *"),
    (["providers", "--format", "json", "--provider-typo"], None),
])
def test_bad_input_is_one_line_and_exit_4(argv: list[str], message: str | None,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Every bad input above: exit 4 (argparse's own errors: 2) and one line, no traceback."""
    if message is None:
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        return
    assert main(argv) == 4
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert re.fullmatch(re.escape(f"payconform: {message}").replace(r"\*", ".*"), err.strip())


def test_a_closed_output_pipe_ends_quietly_with_141(tmp_path: Path) -> None:
    """`payconform ... | head` closing early: exit 141 (as SIGPIPE), nothing on stderr."""
    _write(tmp_path, "p1", "simulator", _results("cashfree"))
    proc = subprocess.Popen([sys.executable, "-m", "payconform", "report", str(tmp_path), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes anything: its first write meets EPIPE
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.svgs: list[str] = []
        self.external: list[str] = []
        self._svg: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            remote = (value or "").startswith(("http:", "https:", "//")) and name != "xmlns"
            if name in ("src", "href") or remote:
                self.external.append(f"{tag} {name}={value}")
        if tag in ("script", "link", "img", "iframe"):
            self.external.append(tag)
        if tag == "svg":
            self._svg = []
        if self._svg is not None:
            rendered = "".join(f' {k}="{v}"' for k, v in attrs)
            self._svg.append(f"<{tag}{rendered}>")
        if tag not in ("meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if self._svg is not None:
            self._svg.append(f"</{tag}>")
            if tag == "svg":
                self.svgs.append("".join(self._svg))
                self._svg = None

    def handle_data(self, data: str) -> None:
        if self._svg is not None:
            self._svg.append(data.replace("&", "&amp;").replace("<", "&lt;"))


def _history(tmp_path: Path) -> Path:
    """Three live runs of cashfree: faithful, then cancel.repeat flips to FAIL with a new
    status, then back."""
    path = tmp_path / "history.jsonl"
    lines: list[dict] = []  # type: ignore[type-arg]
    for run_id, mutant, statuses in (("run-1", None, [400]), ("run-2", "repeat-cancel-flipped", [200]),
                                     ("run-3", None, [400])):
        observed = {"cancel.repeat": {"http_statuses": statuses, "error_codes": ["link_not_active"]}}
        results = _results("cashfree", mutant)
        lines += history_lines(run_id, "live", "http://127.0.0.1:9/pg", results, observed)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_history_page_is_one_self_contained_page_with_timelines_and_flips(tmp_path: Path) -> None:
    """payconform history renders one page: a well-formed inline SVG timeline per provider x
    rule, no external assets, both flips named with their run, statuses over time."""
    out = tmp_path / "history.html"
    assert main(["history", str(_history(tmp_path)), "--output", str(out)]) == 0
    page = out.read_text()
    parser = _Page()
    parser.feed(page)
    assert parser.stack == []
    assert parser.external == [], parser.external
    timelines = [svg for svg in parser.svgs if 'role="img"' in svg]
    assert len(timelines) == 2  # cancel.repeat and auth.missing
    for svg in parser.svgs:
        ET.fromstring(svg)  # every SVG (timelines and legend swatches) is well-formed XML
    for svg in timelines:
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 3  # one per run
    assert "PASS -&gt; FAIL in run run-2" in page and "FAIL -&gt; PASS in run run-3" in page
    assert page.count('class="flip"') == 2
    assert "run-2: HTTP 200; error codes link_not_active" in page
    assert "run-3: HTTP 400; error codes link_not_active" in page


def test_an_interrupted_part_is_never_green_merged_or_in_the_history(tmp_path: Path) -> None:
    """Given a passing report and one whose run was interrupted (its finished cases all good),
    the merged report is interrupted and exits 2 with the reason, Markdown and HTML say so
    first, and the history marks the run's lines and draws it dashed and named."""
    green = RunReport(run_id="a1", lane="live", providers=["cashfree"],
                      results=_results("cashfree")).to_json()
    stop = {"reason": "SIGTERM", "not_run": 5, "running": "suites/test_cancel.py::t[x]"}
    cut = RunReport(run_id="b1", lane="live", providers=["pinelabs"], results=_results("pinelabs"),
                    extra={"interrupted": stop}).to_json()
    assert exit_status((Verdict(r["verdict"]) for r in cut["results"]), "live") == 0  # green
    assert cut["summary"]["exit_status"] == 2
    merged = merge_reports([green, cut])
    Draft202012Validator(report_schema()).validate(merged)
    assert merged["run"]["interrupted"] == {"reason": "b1: SIGTERM", "not_run": 5, "runs": ["b1"]}
    assert merge_exit_status(merged) == merged["summary"]["exit_status"] == 2
    assert merge_exit_status(merge_reports([green])) == 0
    shown = "interrupted (b1: SIGTERM): 5 cases not run"
    assert shown in render_markdown(merged).split("- **")[0]  # before the counts
    page = render_html(merged)
    assert page.index(shown) < page.index("<dl class='summary'>")
    lines = (history_lines("n1", "live", "http://127.0.0.1:9/pg", _results("cashfree"))
             + history_lines("n2", "live", "http://127.0.0.1:9/pg", _results("cashfree"),
                             interrupted=stop))
    assert [line.get("interrupted") for line in lines] == [None] * 2 + ["SIGTERM"] * 2
    history = render_history_html(lines)
    assert "interrupted runs (not green, incomplete): n2 (SIGTERM)" in history
    assert history.count('class="interrupted"') == 2  # n2's square in both rules' timelines


def test_history_page_of_an_empty_history_says_how_to_fill_it() -> None:
    """No lines: the page says the live lane appends them."""
    assert "run the live lane" in render_history_html([])


def test_a_part_that_did_not_exit_green_never_merges_green(tmp_path: Path) -> None:
    """Given a passing report, one whose session had a failing test that is not payconform's
    (stored 1, every row PASS) and one that stored pytest's internal error (3), each merge
    exits with that part's status, never 0; the merged run counts the foreign failures."""
    green = RunReport(run_id="a1", lane="simulator", providers=["cashfree"],
                      results=_results("cashfree")).to_json()
    foreign = RunReport(run_id="b1", lane="simulator", providers=["pinelabs"],
                        results=_results("pinelabs"), extra={"foreign_failures": 2},
                        exit_code=1).to_json()  # as the plugin stores pytest's 1
    assert foreign["summary"]["exit_status"] == 1
    merged = merge_reports([green, foreign])
    Draft202012Validator(report_schema()).validate(merged)
    assert merged["run"]["foreign_failures"] == 2
    assert merge_exit_status(merged) == merged["summary"]["exit_status"] == 1
    internal = dict(green, summary=dict(green["summary"], exit_status=3),
                    run=dict(green["run"], id="c1"))
    merged = merge_reports([internal, foreign | {"run": dict(foreign["run"], foreign_failures=None)}])
    assert merge_exit_status(merged) == merged["summary"]["exit_status"] == 3
    assert merge_exit_status(merge_reports([green])) == 0
