"""The live lane's safe defaults, measured: a full live run (rule catalog and property search)
against every provider served on loopback passes within its budget, with the README's
defaults and with ``examples/live-nightly.yml``'s settings, and sends exactly the calls the
README's table states (rule catalog and cleanup) and no more than its property-search share.
The same runs show the faithful live lane end to end: every link they create is tagged with
the run id and none is left cancellable, the report counts exactly the requests each server
received, and the history has one line per provider x rule.

A provider added to ``contracts/`` is picked up here with no new code: the README table must
then gain its row (the failure message prints it).
"""

from __future__ import annotations

import functools
import json
import os
import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from payconform.lanes.base import LaneOptions
from payconform.lanes.live import LivePolicy
from payconform.lanes.plan import plan_calls
from payconform.model.contract import dotted_get
from payconform.model.registry import all_contracts, get_contract
from payconform.reporting.history import HISTORY_FILE
from payconform.reporting.report import report_schema
from payconform.rules.catalog import cases_for
from payconform.simulator.core import Simulator
from tests.live_support import live_env, seed_fixtures, served

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = list(all_contracts().values())


def nightly_settings() -> dict[str, str]:
    """The PAYCONFORM_LIVE_* settings of the example nightly workflow."""
    workflow = yaml.safe_load((ROOT / "examples" / "live-nightly.yml").read_text())
    env: dict[str, str] = {}
    for step in (s for job in workflow["jobs"].values() for s in job["steps"]):
        env.update({k: str(v) for k, v in step.get("env", {}).items()
                    if k.startswith("PAYCONFORM_LIVE_")})
    return env


def readme_counts() -> dict[str, dict[str, int]]:
    """The README's table of API calls per provider (rule catalog, cleanup, search shares)."""
    text = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", text, re.M)
    return {p: {"rules": int(a), "cleanup": int(b), "search_default": int(c), "search_nightly": int(d)}
            for p, a, b, c, d in rows}


@functools.cache
def planned(setting: str) -> dict[str, dict[str, int]]:
    """Each provider's call plan for a full live run (every fixture link set) under ``setting``."""
    settings = nightly_settings() if setting == "nightly" else {}
    out = {}
    for contract in CONTRACTS:
        with served(contract) as (server, _):
            env = {**live_env(contract), **seed_fixtures(contract, server), **settings}
            options = LaneOptions(lane="live", run_id="plan", base_url=server.base_url, env=env)
            out[contract.provider] = plan_calls(contract, options, cases_for(contract),
                                                search=True).to_json()
    return out


@pytest.mark.parametrize("setting", ["default", "nightly"])
def test_a_full_live_run_passes_within_budget_with_the_readme_counts(
        setting: str, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given every provider served on loopback with its fixture links, ``pytest --pyargs
    payconform.suites --lane live`` exits 0, each provider within its budget, the rule catalog
    and its cleanup sending exactly the README's counts and the property search (its own
    cleanup included) no more than its share. The client-side rate only spaces calls out, so
    it is lifted here to keep the test fast."""
    settings = nightly_settings() if setting == "nightly" else {}
    assert setting == "default" or "PAYCONFORM_LIVE_BUDGET" in settings
    for var in [v for v in os.environ if v.startswith("PAYCONFORM_")]:
        monkeypatch.delenv(var)
    servers = {}
    with ExitStack() as stack:
        for contract in CONTRACTS:
            server, simulator = stack.enter_context(served(contract))
            fixtures = seed_fixtures(contract, server)
            servers[contract.provider] = (simulator, set(fixtures.values()), len(simulator.requests))
            env = {**live_env(contract), **fixtures, **settings, "PAYCONFORM_LIVE_RATE": "0"}
            for var, value in env.items():
                monkeypatch.setenv(var, value)
            monkeypatch.setenv(
                "PAYCONFORM_BASE_URL_" + contract.provider.upper().replace("-", "_"), server.base_url)
        result = pytester.runpytest_inprocess(
            "--pyargs", "payconform.suites", "-p", "no:cacheprovider", "--lane", "live",
            "--hypothesis-seed", "1", "--report-dir", str(pytester.path / "reports"))
    assert result.ret == 0, result.stdout.str()[-4000:]
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    assert doc["run"]["hypothesis_profile"] == "live"
    assert {r["verdict"] for r in doc["results"]} <= {"PASS", "OBSERVED", "SKIPPED"}
    machine = [r for r in doc["results"] if r["rule_id"] == "property.state-machine"]
    assert {r["provider"] for r in machine if r["verdict"] != "SKIPPED"} == {
        c.provider for c in CONTRACTS}
    budget = LivePolicy.from_env("any", settings).budget
    plans = planned(setting)
    for contract in CONTRACTS:
        provider = contract.provider
        calls, plan = doc["run"]["api_calls"][provider], doc["run"]["plan"][provider]
        assert plan["budget"] == calls["budget"] == budget
        assert calls["total"] <= budget, (provider, calls)
        assert calls["rules"] == plan["rules"], (provider, calls, plan)
        assert plan == plans[provider], "the run planned as the plan of the README table"
        assert calls["search"] + calls["cleanup"] - plan["cleanup"] <= plan["search"], (provider, calls)
        result.stdout.fnmatch_lines([f"payconform: {provider}: plan {plan['rules']} calls*"])
    _faithful_end_to_end(doc, servers, pytester.path / "reports")


def _faithful_end_to_end(doc: dict[str, Any], servers: dict[str, tuple[Simulator, set[str], int]],
                         reports: Path) -> None:
    """Every link the run created is tagged with its id and left in no open status; each
    server received exactly the calls the report counts, and cleanup met no error; the
    history has one line per provider x rule of this run."""
    Draft202012Validator(report_schema()).validate(doc)
    tag = f"payconform-{doc['run']['id']}"
    for provider, (simulator, fixtures, before) in servers.items():
        contract = get_contract(provider)
        made = [link for link in simulator.links.values() if link.id not in fixtures]
        assert made, provider
        open_statuses = {*contract.cancellable_statuses, contract.initial_status}
        assert [link.id for link in made if link.status in open_statuses] == [], provider
        if contract.create.tag_path:
            tags = {dotted_get(link.request, contract.create.tag_path) for link in made}
            assert tags == {tag}, (provider, tags)
        assert doc["run"]["api_calls"][provider]["total"] == len(simulator.requests) - before
        assert doc["run"]["cleanup"][provider]["errors"] == []
    history = [json.loads(line) for line in (reports / HISTORY_FILE).read_text().splitlines()]
    assert sorted((h["provider"], h["rule_id"]) for h in history) == sorted(
        {(r["provider"], r["rule_id"]) for r in doc["results"]})
    assert {h["run_id"] for h in history} == {doc["run"]["id"]}


def test_the_readme_states_the_planned_call_counts() -> None:
    """Given each provider's plan (which the live runs above are held to), the README's
    table states exactly those numbers."""
    plans = {"default": planned("default"), "nightly": planned("nightly")}
    stated = readme_counts()
    rows = "\n".join(f"| `{p}` | {d['rules']} | {d['cleanup']} | {d['search']} | "
                     f"{plans['nightly'][p]['search']} |" for p, d in plans["default"].items())
    for contract in CONTRACTS:
        default, nightly = plans["default"][contract.provider], plans["nightly"][contract.provider]
        assert stated.get(contract.provider) == {
            "rules": default["rules"], "cleanup": default["cleanup"],
            "search_default": default["search"], "search_nightly": nightly["search"],
        }, f"README.md's live-lane table should read:\n{rows}"


def test_a_budget_that_cannot_cover_the_selected_cases_is_refused_in_one_line(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a budget smaller than the rule catalog and its cleanup, the run stops before any
    request with exit 4 and one line naming both numbers and the variable to raise."""
    contract = CONTRACTS[0]
    with served(contract) as (server, simulator):
        for var, value in {**live_env(contract), "PAYCONFORM_LIVE_BUDGET": "10"}.items():
            monkeypatch.setenv(var, value)
        before = len(simulator.requests)
        result = pytester.runpytest_inprocess(
            "--pyargs", "payconform.suites", "-p", "no:cacheprovider", "--lane", "live",
            "--provider", contract.provider, "--base-url", server.base_url,
            "--report-dir", str(pytester.path / "reports"))
        sent = len(simulator.requests) - before
    assert result.ret == 4
    assert sent == 0
    var = "PAYCONFORM_LIVE_BUDGET_" + contract.provider.upper().replace("-", "_")
    lines = [line for line in result.stdout.lines + result.stderr.lines
             if "cannot cover" in line]
    assert len(lines) == 1 and var in lines[0] and "budget of 10 API calls" in lines[0], lines


def test_the_plan_dry_run_neither_waits_nor_counts_against_the_budget() -> None:
    """Given Xendit's documented per-endpoint limit and the default run rate, the dry run the
    plan makes against an in-process simulator is not spaced out (it would sleep about a
    second per call before the first real request) and has no budget of its own."""
    from payconform.lanes.plan import _dry_env
    from payconform.simulator.core import Simulator

    xendit = get_contract("xendit")
    dry = _dry_env(xendit, live_env(xendit), Simulator(xendit))
    policy = LivePolicy.from_env("xendit", {**dry, "PAYCONFORM_LIVE_RATE": "4",
                                            "PAYCONFORM_LIVE_VENDOR_LIMITS": "1"})
    assert (policy.rate, policy.vendor_limits, policy.budget) == (0, 0, 10**9)
