"""A 5xx that one scenario gets on every attempt, while the rest of the run works, is a provider
defect at the level of the fact it breaks; an outage stays INCONCLUSIVE (README, "Persistent
server errors")."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from payconform.model.registry import all_contracts
from tests.live_support import live_env, seed_fixtures, served

pytest_plugins = ["pytester"]

RULE_SUITES = ("payconform.suites.test_cancel",)
#: Every contract with a fixture status the API cannot reach (a refused cancel to break).
CONTRACTS = [c for c in all_contracts().values()
             if any(f.status not in c.cancellable_statuses for f in c.fixtures)]


def _run(pytester: pytest.Pytester, base_url: str, provider: str) -> tuple[int, dict[str, Any]]:
    result = pytester.runpytest_inprocess(
        "--pyargs", *RULE_SUITES, "-p", "no:cacheprovider", "--lane", "live",
        "--provider", provider, "--base-url", base_url, "-k", "any_other_status",
        "--report-dir", str(pytester.path / "reports"))
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    return int(result.ret), doc


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.provider)
def test_a_scenario_that_always_answers_5xx_is_a_finding(
        contract: Any, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox whose cancel of one fixture link answers 500 on every attempt while every
    other call works, that case is judged at its fact's level with "persistent 5xx"."""
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        fixture = next(f for f in contract.fixtures if f.status not in contract.cancellable_statuses)
        broken = fixtures[fixture.env]
        for var, value in {**live_env(contract), **fixtures}.items():
            monkeypatch.setenv(var, value)
        fault = httpx.post(f"{server.origin}/_simulator/faults", json={
            "kind": "status", "status": 500, "operation": "cancel", "path": broken,
            "times": 1000})
        assert fault.status_code == 200, fault.text
        status, doc = _run(pytester, server.base_url, contract.provider)
    row = next(r for r in doc["results"] if r["case_id"] == fixture.status)
    expected = {"documented": "FAIL", "observed": "FAIL", "inferred": "WARN"}.get(
        row["evidence"], "OBSERVED")
    assert row["verdict"] == expected, row
    assert row["message"].startswith("persistent 5xx: cancel HTTP 500")
    others = {r["verdict"] for r in doc["results"] if r["case_id"] != fixture.status}
    assert "INCONCLUSIVE" not in others and "FAIL" not in others
    assert status == doc["summary"]["exit_status"] == (1 if expected == "FAIL" else 0)


@pytest.mark.parametrize("contract", CONTRACTS[:1], ids=lambda c: c.provider)
def test_an_outage_stays_inconclusive(contract: Any, pytester: pytest.Pytester,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a sandbox that answers 503 to every call once the first cancel was sent, every
    affected case stays INCONCLUSIVE (the re-run's other calls fail too) and the run exits 6."""
    with served(contract) as (server, _):
        fixtures = seed_fixtures(contract, server)
        for var, value in {**live_env(contract, retries="0"), **fixtures}.items():
            monkeypatch.setenv(var, value)
        httpx.post(f"{server.origin}/_simulator/faults",
                   json={"kind": "status", "status": 503, "after": 1, "times": 100_000})
        status, doc = _run(pytester, server.base_url, contract.provider)
    verdicts = {r["verdict"] for r in doc["results"]}
    assert "FAIL" not in verdicts and "INCONCLUSIVE" in verdicts, doc["results"]
    assert status == doc["summary"]["exit_status"] == 6
    assert any("looks like an outage" in o for r in doc["results"] for o in r["observations"])
