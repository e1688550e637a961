"""The official SDKs as a guard of contract mutants (``audit/sdks.py``, ``SdkGuard``).

Each probe drives an official SDK against the served simulator of a (mutated) contract and
reports where the SDK behaves otherwise than its own code says. Given the faithful contract
nothing is found; given a mutant of a fact only the SDK states, only the SDK guard kills it;
without the SDK installed, the facts it would judge are listed as unjudged by it, with why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from jsonschema import Draft202012Validator

from payconform.audit import guards as guards_module
from payconform.audit.contract_mutants import GUARDS, guard_table
from payconform.audit.guards import SdkGuard, guard_rows
from payconform.audit.sdks import PROBES, Probe
from payconform.cli.main import main
from payconform.lanes.base import simulator_session
from payconform.model.facts import facts_of
from payconform.model.registry import get_contract
from payconform.reporting.report import RunReport, render_html, render_markdown, report_schema

PROBED = [p.provider for p in PROBES]
pytestmark = pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning")


@pytest.fixture(scope="module")
def sdk() -> Iterator[SdkGuard]:
    """One SDK guard (its served simulators) for the module."""
    guard = SdkGuard()
    yield guard
    guard.close()


@pytest.mark.parametrize("provider", PROBED)
def test_the_sdk_finds_nothing_against_the_faithful_contract(sdk: SdkGuard, provider: str) -> None:
    """Given the faithful contract, the official SDK behaves as its own code says."""
    pytest.importorskip(next(p.module for p in PROBES if p.provider == provider))
    assert sdk.findings(get_contract(provider)) == set()


@pytest.mark.parametrize(("provider", "fact", "says"), [
    # xendit-python declares INVOICE_NOT_FOUND_ERROR only in its 404 error model.
    ("xendit", "unknown-id/error:error_code", "InvoiceError404ResponseDefinition"),
    ("xendit", "auth:invalid/error:error_code", "UnauthorizedError"),
    # Its InvoiceStatus enum cannot read a renamed expired status.
    ("xendit", "cancel:PENDING/cancelled-status", "InvoiceStatus names an expired invoice EXPIRED"),
    # stripe raises InvalidRequestError only for HTTP 400 and 404.
    ("stripe-checkout", "repeat/http-status", "not InvalidRequestError"),
    ("stripe-checkout", "cancel:complete/http-status", "not InvalidRequestError"),
    # commet-sdk's payments.cancel docstring: a processing link cannot be canceled.
    ("commet", "cancel:processing/outcome", "started processing can be canceled"),
    ("commet", "variant:charge/outcome", "Charges cannot be canceled"),
])
def test_a_contract_mutant_only_the_sdk_states_is_killed_by_the_sdk_alone(
        provider: str, fact: str, says: str) -> None:
    """Given a planted contract error that neither the vendor OpenAPI nor the corpus states,
    every guard runs and only the SDK guard kills it, with the SDK's own reason."""
    pytest.importorskip(next(p.module for p in PROBES if p.provider == provider))
    row, = [r for r in guard_rows(provider) if r.fact.id == fact]
    assert row.killed_by == ("sdk",), row
    assert says in row.evidence[0], row.evidence


def test_the_sdk_judges_only_the_facts_its_calls_reach(sdk: SdkGuard) -> None:
    """Given a probe, schema constraints and scenarios it never calls are not its facts."""
    contract = get_contract("xendit")
    seen = {f.id for f in facts_of(contract) if sdk.observes(contract, f)}
    assert "unknown-id/error:error_code" in seen and "cancel:PENDING/cancelled-status" in seen
    assert not any(f.startswith("schema:") or f.startswith("cancel:PAID") for f in seen)
    assert not any(sdk.observes(get_contract("cashfree"), f)
                   for f in facts_of(get_contract("cashfree")))


@pytest.fixture
def without_sdks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if payconform[sdk] were not installed (the guard tables are recomputed)."""
    monkeypatch.setattr(Probe, "installed", lambda self: False)
    guard_rows.cache_clear()
    yield
    guard_rows.cache_clear()


def test_without_the_sdk_its_facts_are_listed_as_unjudged_by_it(
        without_sdks: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Given no SDK installed, a fact only the SDK guards is unguarded, and every listing says
    the SDK guard did not judge it and why; nothing passes silently."""
    sdk = next(g for g in GUARDS if g.name == "sdk")
    rows = guard_table(get_contract("xendit"), [sdk])
    reached = [r for r in rows if r.unjudged]
    assert reached and not any(r.guarded for r in rows)
    reason = "sdk: xendit-python is not installed (pip install 'payconform[sdk]')"
    assert all(r.unjudged == (reason,) for r in reached)
    row, = [r for r in guard_rows("xendit") if r.fact.id == "unknown-id/error:error_code"]
    assert not row.guarded and row.unjudged == (reason,)

    assert main(["providers", "--json"]) == 0
    listed = {r["provider"]: r for r in json.loads(capsys.readouterr().out)}
    item, = [u for u in listed["xendit"]["unguarded"] if u["fact"] == row.fact.id]
    assert item["unjudged_by"] == [reason]
    assert main(["providers"]) == 0
    assert f"    {row.fact.id} [{row.fact.evidence.value}]; not judged by {reason}" in (
        capsys.readouterr().out)


def test_the_report_names_the_guard_that_could_not_judge(without_sdks: None) -> None:
    """Given a run whose SDK is missing, the report lists the unguarded facts with the guard that
    did not judge them and why (Markdown and HTML), and validates against its schema."""
    contract = get_contract("xendit")
    results = simulator_session(contract).run_all(["cancel.unknown-id"])
    unguarded = [r.fact.id for r in guard_rows("xendit") if not r.guarded]
    unjudged = sorted({u for r in guard_rows("xendit") if not r.guarded for u in r.unjudged})
    doc = RunReport(run_id="run-sdk", lane="simulator", providers=["xendit"], results=results,
                    seed="1", hypothesis_profile="ci",
                    extra={"unguarded": {"xendit": unguarded},
                           "unjudged": {"xendit": unjudged}}).to_json()
    Draft202012Validator(report_schema()).validate(doc)
    reason = "sdk: xendit-python is not installed (pip install 'payconform[sdk]')"
    assert unjudged == [reason] and "unknown-id/error:error_code" in unguarded
    assert f"; not judged by {reason}" in render_markdown(doc)
    assert "; not judged by sdk: xendit-python is not installed (pip install &#x27;payconform" in (
        render_html(doc))


def test_the_sdk_guard_is_registered() -> None:
    """Given the guard registry, the SDK guard is one of the guards of every table."""
    assert any(isinstance(g, SdkGuard) for g in GUARDS)
    assert guards_module.SdkGuard is SdkGuard
