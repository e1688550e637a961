"""The payconform command line: clear output, clear errors, no tracebacks."""

from __future__ import annotations

import json

import pytest

from payconform.audit.guards import guard_rows
from payconform.cli.main import main
from payconform.model.facts import facts_of
from payconform.model.registry import get_contract


def test_providers_lists_versions_and_evidence_counts(capsys: pytest.CaptureFixture[str]) -> None:
    """Given `payconform providers --json`, every contract appears with its counts."""
    assert main(["providers", "--json"]) == 0
    rows = {row["provider"]: row for row in json.loads(capsys.readouterr().out)}
    cashfree = rows["cashfree"]
    assert cashfree["default_api_version"] == "2025-01-01"
    assert cashfree["evidence"]["unverified"] >= 1
    assert "CASHFREE_CLIENT_SECRET" in cashfree["credentials"]


def test_unknown_provider_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Given serve of an unknown provider, exit 4 with the known providers listed."""
    assert main(["serve", "nosuch"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("payconform: unknown provider 'nosuch'; known providers:")
    assert "Traceback" not in err


def test_report_without_a_run_says_what_to_do(tmp_path: object, capsys: pytest.CaptureFixture[str]
                                               ) -> None:
    """Given no report, `payconform report` says to run the suite first."""
    assert main(["report", "/nonexistent/conformance.json"]) == 4
    assert "run the suite first" in capsys.readouterr().err


def test_mutants_prints_a_kill_table_with_every_mutant_killed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Given `payconform mutants --provider cashfree`, every fact's simulator mutant is killed
    and every judged fact has a contract-mutant row naming its guards or saying unguarded."""
    assert main(["mutants", "--provider", "cashfree"]) == 0
    out = capsys.readouterr().out
    simulator, _, contract = out.partition("## Contract mutants")
    rows = [line for line in simulator.splitlines() if line.startswith("| cashfree")]
    assert rows and all(line.endswith("| yes |") for line in rows)
    assert len(rows) == len(facts_of(get_contract("cashfree")))
    guarded = [line for line in contract.splitlines() if line.startswith("| cashfree")]
    assert len(guarded) == len(guard_rows("cashfree"))
    assert "cashfree: " in contract and "judged facts" in contract
