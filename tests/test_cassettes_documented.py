"""Documented-example cassettes: how the suite judges each vendor's published body.

A published example that contradicts the contract is a finding, pinned here with its reason,
never edited away.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from payconform.cassettes.documented import EXAMPLES, Example, example_body, vendor_data_dir
from payconform.cassettes.lanes import replay_session
from payconform.cassettes.store import Scrubber, load_cassette
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract

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
                         ids=lambda e: f"{e.provider}:{e.scenario}")
def test_the_vendor_body_is_in_the_cassette_unedited_but_for_pii(example: Example) -> None:
    """Given the corpus body, the cassette's interaction holds all of it (nested) and its status.

    Only the customer PII the scrubber replaces may differ, so the corpus body goes through the
    same scrubber before the comparison: an edited amount, nested field or status fails here.
    """
    loaded = load_cassette(ROOT / example.provider / f"{example.scenario}.yaml", provider=example.provider)
    note = next(n for n in loaded.provenance.examples if n["file"] == example.file)
    item = loaded.interactions[int(note["interaction"]) - 1]
    assert item["response"]["status"]["code"] == example.http_status
    body = json.loads(item["response"]["body"]["string"])
    assert body == scrubbed_vendor_body(example)
    assert loaded.provenance.origin == "documented-example"


def scrubbed_vendor_body(example: Example) -> object:
    """The corpus body as the cassette must hold it: through the cassette scrubber, nothing else."""
    vendor = example_body(vendor_data_dir(), example)
    text = json.dumps(vendor, ensure_ascii=False)
    scrubbed = Scrubber(get_contract(example.provider), {}).response(
        {"status": {"code": example.http_status, "message": ""}, "headers": {},
         "body": {"string": text}})
    return json.loads(scrubbed["body"]["string"])


def test_an_edited_nested_value_is_caught() -> None:
    """The comparison reaches nested fields: a changed amount inside the body is a difference."""
    example = next(e for e in EXAMPLES if e.provider == "pinelabs" and e.http_status == 200)
    body = scrubbed_vendor_body(example)
    assert isinstance(body, dict)
    edited = json.loads(json.dumps(body))
    edited["amount"]["value"] += 1
    assert edited != body
