"""The live lane end to end, against simulators served on loopback as a user would point it at
a sandbox: faithful runs, own-links-only cleanup (also on Ctrl-C), and monitoring history."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from payconform.model.registry import all_contracts, get_contract
from payconform.reporting.history import HISTORY_FILE
from payconform.reporting.report import report_schema
from payconform.simulator.mutants import mutants_for
from tests.live_support import credentials_env, live_env, live_session_for, seed_fixtures, served

pytest_plugins = ["pytester"]

#: The rule suites (one test per rule); other suites (e.g. property-based) are not this lane's.
RULE_SUITES = ("payconform.suites.test_cancel", "payconform.suites.test_auth_and_headers",
               "payconform.suites.test_schemas")

CONTRACTS = list(all_contracts().values())


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(
        "--pyargs", *RULE_SUITES, "-p", "no:cacheprovider", "--lane", "live",
        "--report-dir", str(pytester.path / "reports"), *args)


def _report(pytester: pytest.Pytester) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (pytester.path / "reports" / "latest" / "conformance.json").read_text())
    return doc


def test_a_second_run_reports_what_changed(pytester: pytest.Pytester,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a faithful run and then a sandbox that answers a repeat cancel with 200, the
    second report says which rule flipped, against which previous run."""
    contract = get_contract("cashfree")
    for var, value in live_env(contract).items():
        monkeypatch.setenv(var, value)
    with served(contract) as (server, simulator):
        first = _run(pytester, "--provider", "cashfree", "--base-url", server.base_url)
        assert first.ret == 0
        first_id = _report(pytester)["run"]["id"]
        assert "changes" not in _report(pytester)["run"]
        simulator.mutation = next(m.mutation for m in mutants_for(contract)
                                  if m.id == "repeat-cancel-flipped")
        second = _run(pytester, "--provider", "cashfree", "--base-url", server.base_url)
    assert second.ret == 1
    doc = _report(pytester)
    Draft202012Validator(report_schema()).validate(doc)
    assert f"cashfree `cancel.repeat`: PASS -> FAIL (previous run {first_id})" in doc["run"]["changes"]
    assert doc["run"]["previous_runs"] == {"cashfree": first_id}
    markdown = (pytester.path / "reports" / doc["run"]["id"] / "conformance.md").read_text()
    assert "## Changes since the previous run" in markdown
    assert "PASS -> FAIL" in markdown
    lines = (pytester.path / "reports" / HISTORY_FILE).read_text().splitlines()
    assert len(lines) == 2 * len(doc["summary"]["matrix"]["cashfree"])


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored and children inherit that; Python then
    # installs no KeyboardInterrupt handler, and Ctrl-C could not stop the run under test.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_leaves_no_link_it_created_cancellable(
        tmp_path: Path, sig: signal.Signals) -> None:
    """Given ``payconform serve`` and a live run stopped with Ctrl-C, or SIGTERM as CI stops
    a job, in the middle of a case, every link the run created ends up non-cancellable, and the
    report and the history are still written: both say the run was interrupted and why, the
    report's exit status is the process's 2, and the case cut short has an INCONCLUSIVE row."""
    contract = get_contract("cashfree")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASHFREE_", "PAYCONFORM_"))}
    env.update(credentials_env(contract))
    serve = subprocess.Popen([sys.executable, "-m", "payconform", "serve", "cashfree", "--port", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert serve.stdout is not None
        base_url = serve.stdout.readline().strip()
        origin = base_url.rsplit("/", 1)[0]
        # The 3rd cancel (the first of cancel.repeat) stalls for 15 s (under the client
        # timeout set below): the signal lands while it is in flight, even on a machine so
        # loaded that polling for the stall takes seconds (a 3 s stall once ended first).
        stall = httpx.post(f"{origin}/_simulator/faults",
                           json={"kind": "latency", "seconds": 15, "operation": "cancel", "after": 2})
        assert stall.status_code == 200
        run_env = {**env, **live_env(contract), "PAYCONFORM_LIVE_TIMEOUT": "30"}
        run = subprocess.Popen(
            [sys.executable, "-m", "pytest", "--pyargs", *RULE_SUITES, "-p", "no:cacheprovider",
             "--lane", "live", "--provider", "cashfree", "--base-url", base_url,
             "--report-dir", str(tmp_path / "reports")],
            cwd=tmp_path, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_default_sigint)
        deadline = time.monotonic() + 60
        while httpx.get(f"{origin}/_simulator/faults").json()["faults"]:
            assert time.monotonic() < deadline and run.poll() is None, "the run never reached the stall"
            time.sleep(0.05)
        run.send_signal(sig)
        out, err = run.communicate(timeout=60)
        assert run.returncode == 2, out[-2000:] + err[-2000:]
        assert "KeyboardInterrupt" in out
        while not any(r.get("fault") for r in httpx.get(f"{origin}/_simulator/requests").json()[
                "requests"]):  # the stalled cancel lands after its delay
            assert time.monotonic() < deadline
            time.sleep(0.05)
        links = httpx.get(f"{origin}/_simulator/links").json()["links"]
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=10)
    assert len(links) >= 2  # the run was stopped half way, with links of its own
    assert [link for link in links if link["status"] == contract.initial_status] == []
    doc = json.loads((tmp_path / "reports" / "latest" / "conformance.json").read_text())
    assert doc["run"]["cleanup"]["cashfree"]["cancelled"], (doc["run"]["cleanup"], out[-3000:])
    # The report exits as the process did, says why, and the stalled case has its row.
    assert doc["summary"]["exit_status"] == run.returncode
    stop = doc["run"]["interrupted"]
    assert stop["reason"] == ("SIGTERM" if sig is signal.SIGTERM else "SIGINT (Ctrl-C)")
    assert stop["not_run"] > 0 and "repeat" in stop["running"]
    cut = [r for r in doc["results"] if r["message"].startswith("interrupted")]
    assert [(r["rule_id"], r["verdict"]) for r in cut] == [("cancel.repeat", "INCONCLUSIVE")]
    assert f"{stop['not_run']} cases not run" in out
    history = (tmp_path / "reports" / "history.jsonl").read_text().splitlines()
    assert history and all(json.loads(line)["run_id"] == doc["run"]["id"] for line in history)
    assert {json.loads(line)["interrupted"] for line in history} == {stop["reason"]}


BEARER = [c for c in CONTRACTS if c.auth.scheme == "bearer_token"]


@pytest.mark.parametrize("contract", BEARER, ids=lambda c: c.provider)
def test_a_bearer_token_is_fetched_once_per_run_and_renewed_before_it_expires(
        contract: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a live run over HTTP, the token endpoint is called once for the whole run (cleanup
    included); a minute before the token expires the next call fetches a new one."""
    import payconform.rules.client

    assert contract.auth.token_endpoint is not None
    token_path = contract.auth.token_endpoint.path
    with served(contract) as (server, simulator):
        env = {**live_env(contract), **seed_fixtures(contract, server)}
        session = live_session_for(contract, server, env)
        before = len(simulator.requests)
        session.run_all()
        session.extra["finish"]()  # type: ignore[operator]
        tokens = [r for r in list(simulator.requests)[before:] if r["path"].endswith(token_path)]
        assert len(tokens) == 1
        link_id = session.links.created[0]
        now = time.monotonic()
        ttl = contract.auth.token_ttl_seconds
        monkeypatch.setattr(payconform.rules.client.time, "monotonic", lambda: now + ttl - 59)
        # A read of a link the cleanup cancelled: a contract whose cancel deletes answers the
        # deleted link's 404 (cancelled_fetch); either way the renewed token was accepted.
        expected = contract.cancelled_fetch.http_status if contract.deletes else 200
        assert session.client.fetch(link_id).status == expected
        session.close()
        tokens = [r for r in list(simulator.requests)[before:] if r["path"].endswith(token_path)]
    assert len(tokens) == 2
