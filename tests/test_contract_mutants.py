"""Contract mutants: each judged fact is changed alone, and independent evidence judges it.

Generic over the contracts: a new provider's facts are covered with no new test code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import pytest

from payconform.audit.contract_mutants import (
    ENGINE_KINDS,
    GuardRow,
    contract_mutants_for,
    expectation_at,
    guard_table,
)
from payconform.audit.guards import GUARDS, OpenApiGuard, guard_rows, vendor_documents
from payconform.audit.vendor_openapi import documents_of
from payconform.cli.main import main
from payconform.model.contract import Contract
from payconform.model.facts import facts_of, scenarios_of
from payconform.model.outcomes import Evidence
from payconform.model.registry import all_contracts
from payconform.model.schemas import validator

CONTRACTS = all_contracts()
by_provider = pytest.mark.parametrize("provider", list(CONTRACTS))


@dataclass
class _EveryChange:
    """A guard that notices any change at all: it must kill every mutant."""

    name: str = "every-change"

    def findings(self, contract: Contract) -> set[str]:
        files = sorted({v.entity_schema_file for v in contract.api_versions}
                       | {contract.error.schema_file})
        schemas = [json.dumps(validator(f).schema, sort_keys=True) for f in files]
        return {contract.model_dump_json() + "".join(schemas)}


@dataclass
class _Silent:
    """A guard with no evidence: it can kill nothing."""

    name: str = "silent"

    def findings(self, contract: Contract) -> set[str]:
        return set()


@by_provider
def test_every_judged_contract_fact_has_a_contract_mutant(provider: str) -> None:
    """Given a contract, each judged fact that is contract data gets a mutant of its own."""
    contract = CONTRACTS[provider]
    mutated = [m.fact.id for m in contract_mutants_for(contract)
               if not m.fact.where.startswith("schema:")]
    wanted = [f.id for f in facts_of(contract) if f.evidence is not Evidence.UNVERIFIED
              and f.kind not in ENGINE_KINDS and not f.where.startswith("schema:")]
    assert mutated == wanted


@by_provider
def test_each_contract_mutant_changes_its_fact_and_only_that_scenario(provider: str) -> None:
    """Given a mutant, the contract differs, and no other scenario's expectation moved."""
    contract = CONTRACTS[provider]
    rows = guard_table(contract, [_EveryChange()])
    assert all(r.killed_by == ("every-change",) for r in rows), [r.fact.id for r in rows
                                                                 if not r.guarded]
    scenarios = {s.where for s in scenarios_of(contract)}
    for mutant in contract_mutants_for(contract):
        moved = {w for w in scenarios
                 if expectation_at(mutant.contract, w) != expectation_at(contract, w)}
        assert moved <= {mutant.fact.where}, (mutant.fact.id, moved)


@by_provider
def test_every_schema_constraint_has_a_mutant_that_changes_only_its_file(provider: str) -> None:
    """Given the contract's schemas, each constraint's mutant changes one file, nothing else."""
    contract = CONTRACTS[provider]
    schema_rows = [m for m in contract_mutants_for(contract) if m.fact.where.startswith("schema:")]
    assert schema_rows
    for mutant in schema_rows:
        assert mutant.contract is contract and len(mutant.schemas) == 1, mutant.fact.id
        (name, changed), = mutant.schemas.items()
        assert changed != validator(name).schema, mutant.fact.id
        assert mutant.fact.id.startswith(f"schema:{name}#"), mutant.fact.id


@by_provider
def test_a_guard_without_evidence_guards_nothing(provider: str) -> None:
    """Given a guard that never finds anything, every fact is unguarded."""
    assert not any(r.guarded for r in guard_table(CONTRACTS[provider], [_Silent()]))


@by_provider
def test_the_faithful_contract_agrees_with_its_vendor_openapi(provider: str) -> None:
    """Given the shipped vendor OpenAPI documents, the contract contradicts none of them."""
    assert OpenApiGuard().findings(CONTRACTS[provider]) == set()


def test_the_vendor_openapi_guards_facts_where_a_document_ships() -> None:
    """Given a provider with a vendor OpenAPI document, that document guards some fact."""
    with_docs = [p for p in CONTRACTS if vendor_documents(CONTRACTS[p])]
    assert {"stripe-checkout", "stripe-payment-links", "paypal-invoices"} <= set(with_docs)
    for provider in with_docs:
        rows = guard_table(CONTRACTS[provider], [OpenApiGuard()])
        assert any(r.guarded for r in rows), provider


@cache
def _openapi_rows(provider: str) -> dict[str, GuardRow]:
    return {r.fact.id: r for r in guard_table(CONTRACTS[provider], [OpenApiGuard()])}


# Facts the OpenAPI 3.0 documents of Stripe (2023-08-16) and PayPal (Invoicing v2) state: a
# response field's type, nullability or enumeration, a required field, the status of an answer.
_STATED = [
    ("stripe-checkout", "schema:stripe-checkout-session.json#/properties/amount_total/type"),
    ("stripe-checkout", "schema:stripe-checkout-session.json#/properties/status/enum:None"),
    ("stripe-checkout", "schema:stripe-checkout-session.json#/required:id"),
    ("stripe-checkout", "schema:stripe-error.json#/properties/error/required:type"),
    ("stripe-checkout", "cancel:open/http-status"),
    ("stripe-checkout", "cancel:open/cancelled-status"),
    ("stripe-checkout", "repeat/error:type"),
    ("stripe-payment-links", "schema:stripe-payment-link.json#/properties/active/type"),
    ("stripe-payment-links", "schema:stripe-payment-link.json#/required:url"),
    ("stripe-payment-links", "cancel:active/http-status"),
    ("paypal-invoices", "schema:paypal-invoice.json#/properties/id/type"),
    ("paypal-invoices", "schema:paypal-invoice.json#/required:detail"),
    ("paypal-invoices", "schema:paypal-invoice.json#/properties/status/enum:SENT"),
    ("paypal-invoices", "schema:paypal-error.json#/properties/details/items/required:issue"),
    ("paypal-invoices", "cancel:SENT/http-status"),
    ("paypal-invoices", "cancel:DRAFT/http-status"),
    ("paypal-invoices", "cancel:DRAFT/error:details.0.issue"),
    ("paypal-invoices", "unknown-id/error:message"),
    # error_400.message is a one-value enum: the message of every 400 (ErrorSpec.status_messages).
    ("paypal-invoices", "error-message:400/message"),
]


@pytest.mark.parametrize(("provider", "fact"), _STATED, ids=[f"{p}:{f}" for p, f in _STATED])
def test_a_fact_the_vendor_openapi_states_is_guarded_by_it(provider: str, fact: str) -> None:
    """Given a contract mutant of a fact Stripe's or PayPal's OpenAPI 3.0 document states,
    the OpenAPI guard kills it, naming the document."""
    row = _openapi_rows(provider)[fact]
    assert row.killed_by == ("openapi",), row
    assert row.evidence[0].startswith(f"openapi: {CONTRACTS[provider].vendor_openapi[0]}: "), row


@pytest.mark.parametrize(("provider", "fact"), [
    # The 2023-08-16 document neither requires a session's status nor says which Payment Link
    # error code an unknown id gets: those facts rest on other sources.
    ("stripe-checkout", "schema:stripe-checkout-session.json#/required:status"),
    ("stripe-payment-links", "unknown-id/error:code"),
    # PayPal's document names no invoice status the contract takes from another page.
    ("paypal-invoices", "schema:paypal-invoice.json#/properties/status/enum:AUTO_CANCELLED"),
])
def test_a_fact_the_vendor_openapi_does_not_state_stays_unguarded_by_it(provider: str,
                                                                        fact: str) -> None:
    """Given a fact the document says nothing about, the OpenAPI guard does not claim it."""
    assert _openapi_rows(provider)[fact].killed_by == ()


def test_openapi_3_0_nullable_reads_as_json_schema_null() -> None:
    """Given Stripe's ``nullable: true`` fields, the guard's reading admits null there (and the
    faithful contract, whose schema admits null, contradicts nothing)."""
    doc, = documents_of(CONTRACTS["stripe-checkout"])
    session = doc.view([doc.components["schemas"]["checkout.session"]])
    url = session.child("properties", "url")
    status = session.child("properties", "status")
    assert url is not None and url.types() == {"string", "null"}
    assert status is not None and status.values() == {'"open"', '"complete"', '"expired"', "null"}


def test_every_guard_is_registered_once() -> None:
    """Given the guard registry, names are unique."""
    names = [g.name for g in GUARDS]
    assert len(names) == len(set(names)) and "openapi" in names


def test_providers_lists_the_unguarded_facts(capsys: pytest.CaptureFixture[str]) -> None:
    """Given `payconform providers --json`, each provider lists exactly its unguarded facts."""
    assert main(["providers", "--json"]) == 0
    listed = {row["provider"]: [u["fact"] for u in row["unguarded"]]
              for row in json.loads(capsys.readouterr().out)}
    for provider in CONTRACTS:
        rows = guard_rows(provider)
        assert listed[provider] == [r.fact.id for r in rows if not r.guarded]
    assert main(["providers"]) == 0
    human = capsys.readouterr().out
    for facts in listed.values():
        for fact in facts:
            if fact.startswith("schema:"):
                name, _, constraint = fact[len("schema:"):].partition("#")
                assert f"    schema {name} (" in human and constraint in human, fact
            else:
                assert f"    {fact} [" in human, fact
