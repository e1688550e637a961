"""The replay and record lanes through real pytest sessions (pytester)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1] / "cassettes"


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("--pyargs", "payconform.suites", "-p", "no:cacheprovider",
                                         "--report-dir", str(pytester.path / "reports"), *args)


def test_the_replay_lane_passes_on_the_shipped_cassettes_and_reports_their_origin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given --lane replay and the shipped cassettes, the suite passes and each verdict names its cassette."""
    monkeypatch.setenv("PAYCONFORM_CASSETTE_DIR", str(ROOT))
    result = _run(pytester, "--lane", "replay", "--provider", "cashfree")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*payconform: lane=replay*", "cancel.repeat*PASS*"])
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    # The property searches cannot run from cassettes: their rows are SKIPPED, with the reason.
    # (state.reversible has no case for cashfree, so nothing of it is replayed.)
    replayed = [r for r in doc["results"] if not r["rule_id"].startswith(("property.", "schemathesis."))
                and r["rule_id"] != "state.reversible"]
    assert {r["verdict"] for r in doc["results"] if r not in replayed} == {"SKIPPED"}
    origins = {r["origin"].split(" ")[0] for r in replayed}
    assert origins == {"simulator"}
    assert all("cassettes/cashfree/" in r["origin"] for r in replayed)


def test_the_record_lane_without_credentials_skips_naming_the_variables(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given --lane record and no Cashfree credentials, every case is SKIPPED naming them.

    Nothing was checked, so the run exits 6 rather than looking green.
    """
    monkeypatch.delenv("CASHFREE_CLIENT_ID", raising=False)
    monkeypatch.delenv("CASHFREE_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("PAYCONFORM_CASSETTE_DIR", str(pytester.path / "cassettes"))
    result = _run(pytester, "--lane", "record", "--provider", "cashfree", "-rs")
    assert result.ret == 6
    result.stdout.fnmatch_lines(["*record lane needs sandbox credentials; set CASHFREE_CLIENT_ID, "
                                 "CASHFREE_CLIENT_SECRET*"])
    result.stdout.fnmatch_lines(["nothing was checked: every case was skipped*"])
    assert not (pytester.path / "cassettes").exists()


def test_the_record_lane_records_a_served_simulator_and_replay_reads_it_back(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given `payconform serve`-style loopback, --lane record writes cassettes replay then passes."""
    from payconform.model.registry import get_contract
    from payconform.simulator.core import Simulator
    from payconform.simulator.server import serve_in_thread

    root = pytester.path / "recorded"
    monkeypatch.setenv("PAYCONFORM_CASSETTE_DIR", str(root))
    with serve_in_thread(Simulator(get_contract("cashfree"))) as server:
        result = _run(pytester, "--lane", "record", "--provider", "cashfree",
                      "--base-url", server.base_url, "--record-mode", "rewrite", "-k",
                      "repeat and not idempotency")
    assert result.ret == 0
    written = sorted(p.name for p in (root / "cashfree").glob("*.yaml"))
    assert written == ["cancel.repeat--second-cancel.yaml", "schema.error--repeat.yaml"]
    result = _run(pytester, "--lane", "replay", "--provider", "cashfree", "-k",
                  "repeat and not idempotency")
    assert result.ret == 0
    result.assert_outcomes(passed=2)
