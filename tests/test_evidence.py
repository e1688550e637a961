"""Contracts agree with the vendor evidence corpus (``contracts/evidence/<provider>/``).

Generic: every test is parametrized over the contracts and their manifests, so a provider
whose folder holds bodies and a manifest is checked with no test code of its own. A missing
folder, a missing file or an unlisted file is a failure, never a skip.
"""

from __future__ import annotations

import pytest

from payconform.model.evidence import (
    BodyEntry,
    Corpus,
    corpus_for,
    corpus_providers,
    expectation_keys,
    judge,
)
from payconform.model.outcomes import Evidence
from payconform.model.registry import all_contracts
from payconform.model.schemas import schema_findings

CONTRACTS = all_contracts()
BODIES = [
    pytest.param(provider, entry, id=f"{provider}:{entry.file}")
    for provider in corpus_providers()
    for entry in corpus_for(provider).bodies  # type: ignore[union-attr]
]


def _corpus(provider: str) -> Corpus:
    corpus = corpus_for(provider)
    assert corpus is not None, (
        f"{provider} has no evidence folder: add contracts/evidence/{provider}/ with the vendor's "
        "public bodies and a manifest.yaml")
    return corpus


@pytest.mark.parametrize("provider", sorted(set(CONTRACTS) | set(corpus_providers())))
def test_every_contract_has_a_corpus_with_bodies(provider: str) -> None:
    """Given any contract, its folder exists and lists vendor bodies.

    The one way out is a manifest that says where one looked (``no_published_body``) for a
    vendor that publishes no body at all; it may then list no body.
    """
    assert provider in CONTRACTS
    corpus = _corpus(provider)
    if corpus.no_published_body:
        assert not corpus.bodies, "a corpus with bodies cannot claim that none is published"
    else:
        assert corpus.bodies, (f"evidence/{provider}/manifest.yaml lists no body: add the vendor's "
                               "bodies, or say where you looked in no_published_body")


@pytest.mark.parametrize("provider", corpus_providers())
def test_every_corpus_folder_belongs_to_a_contract(provider: str) -> None:
    """An evidence folder without a contract would check nothing."""
    assert provider in CONTRACTS


@pytest.mark.parametrize("provider", corpus_providers())
def test_every_file_is_listed_and_every_listed_file_exists(provider: str) -> None:
    """No body is silently left out of the manifest, and none it names is missing."""
    corpus = _corpus(provider)
    listed = [e.file for e in corpus.bodies]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert set(listed) == corpus.files(), {
        "missing": sorted(set(listed) - corpus.files()),
        "unlisted": sorted(corpus.files() - set(listed))}


@pytest.mark.parametrize(("provider", "entry"), BODIES)
def test_vendor_body_meets_every_documented_constraint_and_expectation(
        provider: str, entry: BodyEntry) -> None:
    """Given a vendor body, the contract's schema and expectations agree with it."""
    contract = CONTRACTS[provider]
    corpus = _corpus(provider)
    only = Corpus(provider, (entry,), (), corpus.folder)
    contradictions, _ = judge(contract, only)
    assert not contradictions, "\n".join(map(str, contradictions))
    for key in entry.exemplifies:
        assert key in expectation_keys(contract), key


@pytest.mark.parametrize("provider", corpus_providers())
def test_contract_agrees_with_every_vendor_statement(provider: str) -> None:
    """Given the vendor statements (statuses, refusals, error codes), the contract says the same."""
    corpus = _corpus(provider)
    contradictions, _ = judge(CONTRACTS[provider], Corpus(provider, (), corpus.statements,
                                                         corpus.folder))
    assert not contradictions, "\n".join(map(str, contradictions))


def test_a_constraint_a_vendor_body_breaks_is_marked_inferred() -> None:
    """The split is real: vendor bodies break some constraints, and every such one only WARNs."""
    _, notes = zip(*(judge(CONTRACTS[p], _corpus(p)) for p in corpus_providers()), strict=True)
    broken = [n for provider_notes in notes for n in provider_notes]
    assert any("inferred" in n for n in broken), (
        "no vendor body breaks an inferred constraint: the test would prove nothing")
    assert all("inferred" in n or "the body predates it: " in n for n in broken)


def test_a_field_a_body_predates_is_a_note_and_a_stale_one_a_contradiction() -> None:
    """Given a body written before a required field existed, only the listed field is excused."""
    corpus = _corpus("mollie")
    entry = next(e for e in corpus.bodies if e.file == "payment-link-sdk-mock.json")
    assert set(entry.predates) == {"archived", "reusable", "allowedMethods"}
    found, notes = judge(CONTRACTS["mollie"], Corpus("mollie", (entry,), (), corpus.folder))
    assert found == []
    assert sum("the body predates it: " in n for n in notes) == 3
    # Without the excuse, the documented required list contradicts the body ...
    bare = entry.model_copy(update={"predates": {}})
    found, _ = judge(CONTRACTS["mollie"], Corpus("mollie", (bare,), (), corpus.folder))
    assert {c.fact for c in found} == {"schema required"}
    # ... and an excuse for a field the body has is itself a contradiction.
    stale = entry.model_copy(update={"predates": {**entry.predates, "description": "wrong"}})
    found, _ = judge(CONTRACTS["mollie"], Corpus("mollie", (stale,), (), corpus.folder))
    assert [c.fact for c in found] == ["corpus"]
    assert "'description'" in found[0].message


def test_a_cancel_answer_of_its_own_shape_is_judged_by_its_own_schema() -> None:
    """Given Square's delete answer ({id, cancelled_order_id}), the cancel-response schema judges it."""
    corpus = _corpus("square")
    entry = next(e for e in corpus.bodies if e.file == "delete-openapi.json")
    assert judge(CONTRACTS["square"], Corpus("square", (entry,), (), corpus.folder))[0] == []
    as_fetch = entry.model_copy(update={"operation": "fetch"})
    found, _ = judge(CONTRACTS["square"], Corpus("square", (as_fetch,), (), corpus.folder))
    assert any("payment_link" in c.message for c in found)


def test_documented_and_inferred_constraints_are_told_apart() -> None:
    """Given a body that breaks both kinds, each finding carries its own evidence and source."""
    body = {"link_id": 7, "link_status": "ACTIVE"}  # link_id mistyped; the rest missing
    findings = schema_findings("cashfree-link-entity-2025-01-01.json", body)
    by_kind = {(f.keyword, f.path): f for f in findings}
    mistyped = by_kind[("type", "link_id")]
    assert mistyped.evidence is Evidence.DOCUMENTED
    assert "LinkEntity" in mistyped.citation
    missing = by_kind[("required", "(root)")]
    assert missing.evidence is Evidence.INFERRED
    assert "required" in missing.citation
