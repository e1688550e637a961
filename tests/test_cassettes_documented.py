"""Documented-example cassettes: how the suite judges each vendor's published body.

A published example that contradicts the contract is a finding, pinned here with its reason,
never edited away.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from payconform.cassettes.documented import EXAMPLES, vendor_data_dir
from payconform.cassettes.lanes import replay_session
from payconform.cassettes.store import load_cassette
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract

ROOT = Path(__file__).resolve().parents[1] / "cassettes" / "documented-examples"
SHIPPED = sorted(p.name for p in ROOT.iterdir() if p.is_dir())

#: provider, scenario -> the verdict the suite gives, and why when it is not a PASS.
VERDICTS: dict[tuple[str, str], tuple[Verdict, str]] = {
    ("cashfree", "cancel.cancellable-status--ACTIVE"): (Verdict.PASS, ""),
    ("cashfree", "schema.success--api-version_2022-09-01"): (
        Verdict.FAIL, "the LinkCancelledResponse example has {$ref} placeholders for "
        "customer_details (vendor-data README), so customer_phone is missing"),
    ("cashfree", "cancel.repeat--second-cancel"): (Verdict.PASS, ""),
    ("cashfree", "schema.error--repeat"): (Verdict.PASS, ""),
    ("razorpay", "cancel.cancellable-status--created"): (Verdict.PASS, ""),
    ("razorpay-invoices", "cancel.cancellable-status--issued"): (Verdict.PASS, ""),
    ("razorpay-invoices", "cancel.repeat--second-cancel"): (Verdict.PASS, ""),
    ("commet", "cancel.cancellable-status--pending"): (
        Verdict.FAIL, "the docs' success body is a schema-generated placeholder with status "
        "'pending', not 'canceled' (vendor-data README)"),
    ("commet", "schema.error--not-cancellable"): (Verdict.PASS, ""),
    ("pinelabs", "cancel.cancellable-status--CREATED"): (Verdict.PASS, ""),
    ("pinelabs", "schema.error--not-cancellable"): (
        Verdict.INCONCLUSIVE, "a documented HTTP 500 is provider trouble, never a contract verdict"),
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


@pytest.mark.skipif(not vendor_data_dir().is_dir(), reason="vendor data not found")
@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.provider in SHIPPED],
                         ids=lambda e: f"{e.provider}:{e.scenario}")
def test_the_vendor_body_is_in_the_cassette_unedited_but_for_pii(example) -> None:  # type: ignore[no-untyped-def]
    """Given the vendor-data file, the cassette's interaction holds its fields and status."""
    loaded = load_cassette(ROOT / example.provider / f"{example.scenario}.yaml", provider=example.provider)
    note = next(n for n in loaded.provenance.examples if n["file"] == example.file)
    item = loaded.interactions[int(note["interaction"]) - 1]
    assert item["response"]["status"]["code"] == example.http_status
    body = json.loads(item["response"]["body"]["string"])
    vendor = json.loads((vendor_data_dir() / example.file).read_text("utf-8"))
    assert set(body) == set(vendor)
    assert loaded.provenance.origin == "documented-example"
