"""Documented-example cassettes: how the suite judges each vendor's published body.

A published example that contradicts the contract is a finding, pinned here with its reason,
never edited away.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from payconform.cassettes.documented import (
    EXAMPLES,
    Example,
    example_body,
    example_entry,
    example_status,
    vendor_data_dir,
)
from payconform.cassettes.lanes import replay_session
from payconform.cassettes.store import Scrubber, load_cassette
from payconform.model.evidence import corpus_for
from payconform.model.outcomes import Verdict
from payconform.model.registry import all_contracts, get_contract

ROOT = Path(__file__).resolve().parents[1] / "cassettes" / "documented-examples"
SHIPPED = sorted(p.name for p in ROOT.iterdir() if p.is_dir())

#: provider, scenario -> the verdict the suite gives, and why when it is not a PASS.
VERDICTS: dict[tuple[str, str], tuple[Verdict, str]] = {
    ("cashfree", "cancel.cancellable-status--ACTIVE"): (Verdict.PASS, ""),
    ("cashfree", "schema.success--api-version_2022-09-01"): (
        Verdict.WARN, "the LinkCancelledResponse example has {$ref} placeholders for "
        "customer_details, so customer_phone is missing; required there is only inferred"),
    ("cashfree", "cancel.repeat--second-cancel"): (Verdict.PASS, ""),
    ("cashfree", "schema.error--repeat"): (Verdict.PASS, ""),
    ("razorpay", "cancel.cancellable-status--created"): (Verdict.PASS, ""),
    ("razorpay-invoices", "cancel.cancellable-status--issued"): (Verdict.PASS, ""),
    ("razorpay-invoices", "cancel.repeat--second-cancel"): (Verdict.PASS, ""),
    ("commet", "cancel.cancellable-status--pending"): (
        Verdict.FAIL, "the docs' success body is a schema-generated placeholder with status "
        "'pending', not 'canceled' (evidence manifest)"),
    ("commet", "schema.error--not-cancellable"): (Verdict.PASS, ""),
    ("pinelabs", "cancel.cancellable-status--CREATED"): (Verdict.PASS, ""),
    ("pinelabs", "schema.error--not-cancellable"): (
        Verdict.INCONCLUSIVE, "a documented HTTP 500 is provider trouble, never a contract verdict"),
    ("stripe-checkout", "cancel.cancellable-status--open"): (Verdict.PASS, ""),
    ("stripe-checkout", "schema.success--api-version_2026-10-28.endive"): (Verdict.PASS, ""),
    ("stripe-payment-links", "schema.success--api-version_2026-10-28.endive"): (Verdict.PASS, ""),
    ("paypal-invoices", "schema.success--api-version_2.3"): (
        Verdict.INCONCLUSIVE, "the vendor's own 201 example of the create has no id (nor status): "
        "the scenario cannot go on, and a missing id is no contract verdict"),
    ("mollie", "schema.success--api-version_v2"): (
        Verdict.FAIL, "the client's 2021 fixture predates archived, reusable and allowedMethods, "
        "which today's payment-link object requires (evidence manifest predates)"),
    ("mollie", "schema.error--auth-invalid"): (Verdict.PASS, ""),
    ("mollie-archive", "schema.success--api-version_v2"): (
        Verdict.FAIL, "the same 2021 fixture as for mollie: it predates three required fields"),
    ("mollie-archive", "schema.error--auth-invalid"): (Verdict.PASS, ""),
    ("adyen", "cancel.cancellable-status--active"): (Verdict.PASS, ""),
    ("adyen", "schema.success--api-version_v71"): (Verdict.PASS, ""),
    ("adyen", "schema.success--api-version_v72"): (
        Verdict.FAIL, "the library's mocks copy the vendor's pre-2022 examples, which had no id "
        "although PaymentLinkResponse required it (evidence manifest predates)"),
    ("adyen", "schema.error--auth-invalid"): (Verdict.PASS, ""),
    ("paypal-payment-links", "schema.error--unknown-id"): (Verdict.PASS, ""),
    ("square", "cancel.cancellable-status--ACTIVE"): (Verdict.PASS, ""),
    ("square", "schema.success--api-version_2025-08-20"): (Verdict.PASS, ""),
    ("square", "schema.success--api-version_2026-09-16"): (Verdict.PASS, ""),
    ("xendit", "schema.success--api-version_2025-05"): (
        Verdict.FAIL, "the legacy client's 2020 sample predates available_qr_codes, "
        "available_direct_debits and available_paylaters (evidence manifest predates)"),
}


@pytest.mark.parametrize("provider", SHIPPED)
def test_each_documented_example_gets_its_pinned_verdict(provider: str) -> None:
    """Given a provider's documented-example cassettes, replay gives exactly the pinned verdicts."""
    session = replay_session(get_contract(provider), ROOT)
    results = [r for r in session.run_all() if r.verdict is not Verdict.SKIPPED]
    got = {(provider, f"{r.rule_id}--{r.case_id}".replace(":", "_")): r.verdict for r in results}
    want = {k: v for k, (v, _) in VERDICTS.items() if k[0] == provider}
    assert got == want
    assert all(r.origin.startswith("documented-example cassette ") for r in results)


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.provider in SHIPPED],
                         ids=lambda e: f"{e.provider}:{e.scenario}:{e.operation}")
def test_the_vendor_body_is_in_the_cassette_unedited_but_for_pii(example: Example) -> None:
    """Given the corpus body, the cassette's interaction holds all of it (nested) and its status.

    Only the customer PII the scrubber replaces may differ, so the corpus body goes through the
    same scrubber before the comparison: an edited amount, nested field or status fails here.
    """
    loaded = load_cassette(ROOT / example.provider / f"{example.scenario}.yaml", provider=example.provider)
    note = next(n for n in loaded.provenance.examples if n["file"] == example.file)
    item = loaded.interactions[int(note["interaction"]) - 1]
    assert item["response"]["status"]["code"] == example_status(example)
    body = json.loads(item["response"]["body"]["string"])
    assert body == scrubbed_vendor_body(example)
    assert loaded.provenance.origin == "documented-example"


def scrubbed_vendor_body(example: Example) -> object:
    """The corpus body as the cassette must hold it: through the cassette scrubber, nothing else."""
    vendor = example_body(vendor_data_dir(), example)
    text = json.dumps(vendor, ensure_ascii=False)
    scrubbed = Scrubber(get_contract(example.provider), {}).response(
        {"status": {"code": example_status(example), "message": ""}, "headers": {},
         "body": {"string": text}})
    return json.loads(scrubbed["body"]["string"])


def test_an_edited_nested_value_is_caught() -> None:
    """The comparison reaches nested fields: a changed amount inside the body is a difference."""
    example = next(e for e in EXAMPLES if e.provider == "pinelabs" and example_status(e) == 200)
    body = scrubbed_vendor_body(example)
    assert isinstance(body, dict)
    edited = json.loads(json.dumps(body))
    edited["amount"]["value"] += 1
    assert edited != body


@pytest.mark.parametrize("provider", sorted(all_contracts()))
def test_every_contract_with_vendor_bodies_has_documented_example_cassettes(provider: str) -> None:
    """Every contract whose corpus holds a body plays at least one of them through the suite."""
    corpus = corpus_for(provider)
    if corpus is not None and not corpus.bodies:
        assert provider not in SHIPPED
        return
    assert any(e.provider == provider for e in EXAMPLES), (
        f"{provider}: add an Example for one of its corpus bodies to EXAMPLES in "
        f"payconform/cassettes/documented.py, then run: payconform cassettes build-documented "
        f"--provider {provider}")
    assert provider in SHIPPED, f"run: payconform cassettes build-documented --provider {provider}"


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.provider in SHIPPED],
                         ids=lambda e: f"{e.provider}:{e.scenario}:{e.operation}")
def test_provenance_and_accepted_findings_quote_the_evidence_manifest(example: Example) -> None:
    """Given an example, its cassette note is the manifest's provenance, and a schema finding
    at its interaction is accepted only with the manifest's own reason."""
    entry = example_entry(example)
    loaded = load_cassette(ROOT / example.provider / f"{example.scenario}.yaml",
                           provider=example.provider)
    note = next(n for n in loaded.provenance.examples if n["file"] == example.file)
    assert note["note"].startswith(f"{entry.kind}: {entry.provenance}")
    where = f"interactions[{note['interaction']}].response.body"
    accepted = [a for a in loaded.raw["metadata"].get("accepted_findings", [])
                if a["location"] == where]
    for item in accepted:
        assert item["reason"].startswith("evidence manifest: ")
        assert all(name in item["reason"] for name in entry.predates)


def test_a_status_the_manifest_states_cannot_be_overridden() -> None:
    """An example may name a status only where its source states none."""
    stated = next(e for e in EXAMPLES if example_entry(e).http_status is not None)
    wrong = Example(stated.provider, stated.scenario, stated.operation, stated.occurrence,
                    stated.file, http_status=example_status(stated) + 1)
    with pytest.raises(ValueError, match="in its manifest"):
        example_status(wrong)
    silent = next(e for e in EXAMPLES if example_entry(e).http_status is None)
    with pytest.raises(ValueError, match="states no HTTP status"):
        example_status(Example(silent.provider, silent.scenario, silent.operation,
                               silent.occurrence, silent.file))
