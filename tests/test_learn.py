"""The learning loop end to end, on Adyen: a live run meets an unverified fact, records which
candidate the provider played (OBSERVED, with the exchange), ``payconform learn`` turns that
into a reviewable patch of the contract, and after the patch is applied the same run PASSes
at the new evidence level (observed) and can fail again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from payconform.cli.main import main
from payconform.model.registry import get_contract
from payconform.reporting.learn import gather, propose
from tests.live_support import live_env, served

ROOT = Path(__file__).resolve().parents[1]
RULE_SUITES = ("payconform.suites.test_cancel", "payconform.suites.test_auth_and_headers",
               "payconform.suites.test_schemas")


def _live_run(workdir: Path, base_url: str, *, own_contract: str | None = None) -> dict[str, Any]:
    """One live run of the rule suites at ``base_url`` (a fresh process: a fresh registry)."""
    contract = get_contract("adyen")
    env = {**os.environ, **live_env(contract)}
    env.pop("PAYCONFORM_CONTRACTS", None)
    if own_contract:
        env["PAYCONFORM_CONTRACTS"] = own_contract
        env["PYTHONPATH"] = os.pathsep.join([str(workdir), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", *RULE_SUITES,
         "--lane", "live", "--provider", "adyen", "--base-url", base_url,
         "--report-dir", str(workdir / "reports")],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    doc: dict[str, Any] = json.loads((workdir / "reports" / "latest" / "conformance.json").read_text())
    doc["returncode"] = proc.returncode
    return doc


def _result(doc: dict[str, Any], rule_id: str) -> dict[str, Any]:
    result: dict[str, Any] = next(r for r in doc["results"] if r["rule_id"] == rule_id)
    return result


def test_a_live_run_pins_the_candidate_the_vendor_played(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Given Adyen served as if it answered a repeat expiry with its second candidate (a 422),
    a live run reports OBSERVED with that candidate; ``payconform learn`` proposes a patch that
    pins it as observed, citing the run, time, target, request and response; the patch applies
    to a copy of the contract, and the same run with that copy PASSes at 'observed'."""
    adyen = get_contract("adyen")
    shutil.copy(ROOT / "contracts" / "adyen.py", tmp_path / "adyen_trial.py")
    with served(adyen.playing("repeat_cancel", 1)) as (server, _):
        first = _live_run(tmp_path, server.base_url)
        repeat = _result(first, "cancel.repeat")
        assert repeat["verdict"] == "OBSERVED"
        assert repeat["learned"][0]["expectation"] == "repeat_cancel"
        assert repeat["learned"][0]["candidate"] == 1
        assert repeat["exchanges"][repeat["learned"][0]["exchange"]]["response"]["status"] == 422

        monkeypatch.chdir(tmp_path)
        status = main(["learn", "reports/latest", "--contract-file", "adyen_trial.py",
                       "--output", "learn.patch"])
        assert status == 0
        patch = (tmp_path / "learn.patch").read_text()
        assert "repeat_cancel: unverified -> observed (candidate 2 '422 validation" in patch
        assert f"run {first['run']['id']}" in patch and first["run"]["started_at"] in patch
        assert f"target {server.base_url}" in patch
        assert "request: PATCH " + server.base_url + "/v71/paymentLinks/" in patch
        assert "response: HTTP 422" in patch and '"errorType": "validation"' in patch
        assert "x-api-key: <redacted>" in patch
        assert adyen.auth.simulator_credentials["api_key"] not in patch
        assert "+        source=observed(" in patch and "+        http_status=422," in patch

        applied = subprocess.run(["git", "apply", "learn.patch"], cwd=tmp_path,
                                 capture_output=True, text=True, check=False)
        assert applied.returncode == 0, applied.stderr
        lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--line-length",
                               "110", "--select", "E,F,W,I", "adyen_trial.py"], cwd=tmp_path,
                              capture_output=True, text=True, check=False)
        assert lint.returncode == 0, lint.stdout

        second = _live_run(tmp_path, server.base_url, own_contract="adyen_trial")
    repeat = _result(second, "cancel.repeat")
    assert (repeat["verdict"], repeat["evidence"]) == ("PASS", "observed")
    assert first["run"]["id"] in repeat["citation"]
    assert second["returncode"] == 0

    # The pinned fact can fail: a vendor that goes back to the first candidate is a FAIL.
    with served(adyen) as (server, _):
        third = _live_run(tmp_path, server.base_url, own_contract="adyen_trial")
    assert _result(third, "cancel.repeat")["verdict"] == "FAIL"
    assert third["returncode"] == 1
    capsys.readouterr()


def _report(tmp_path: Path, name: str, lane: str, candidate: int | None, status: int) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"run": {"id": name, "lane": lane, "started_at": "t",
                                        "base_url": "https://checkout-test.adyen.com"},
                                "results": [{
                                    "provider": "adyen", "rule_id": "cancel.repeat",
                                    "case_id": "second-cancel", "verdict": "OBSERVED",
                                    "exchanges": [], "learned": [{
                                        "expectation": "repeat_cancel", "candidate": candidate,
                                        "label": None, "outcome": "INVALID_REQUEST",
                                        "http_status": status, "exchange": None}]}]}))
    return path


def test_runs_that_disagree_pin_nothing_and_the_simulator_lane_teaches_nothing(
        tmp_path: Path) -> None:
    """Given two live runs that saw different answers, no fact is pinned (the patch says why);
    given a simulator-lane report, it is passed over: the simulator is not evidence."""
    observations, skipped = gather([_report(tmp_path, "a.json", "live", 1, 422),
                                    _report(tmp_path, "b.json", "live", 2, 400),
                                    _report(tmp_path, "c.json", "simulator", 1, 422)])
    assert len(observations) == 2
    assert skipped and "the simulator is not evidence" in skipped[0]
    [proposal] = propose(observations)
    assert proposal.new == proposal.old
    assert set(proposal.conflicts) == {"repeat_cancel"}


def test_play_rehearses_a_candidate_and_refuses_what_is_not_unverified() -> None:
    """Given ``playing``, the simulator plays the chosen candidate; a documented fact or a
    candidate number out of range is refused with a sentence naming the path."""
    adyen = get_contract("adyen")
    assert adyen.playing("repeat_cancel", 1).repeat_cancel.played.http_status == 422
    with pytest.raises(ValueError, match="not unverified"):
        adyen.playing("cancel_outcomes.active", 0)
    with pytest.raises(ValueError, match="there is no candidate 9"):
        adyen.playing("unknown_id", 8)
    with pytest.raises(KeyError, match="no expectation 'nope'"):
        adyen.playing("nope", 0)
