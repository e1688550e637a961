"""Documented-example cassettes: vendor-published bodies played through the suite's scenarios.

Each :class:`Example` puts one published body (from the evidence corpus,
``contracts/evidence/<provider>/``) in place of one response of a scenario recorded from the simulator over loopback; the setup calls
around it (create, fetch) stay simulator answers, and the cassette's metadata says which
interaction is the vendor's and where it comes from. Nothing in a vendor body is edited: an
example that contradicts the contract shows up as the verdict the suite gives it.

The table is data only; the verdicts the suite gives each example are pinned in
``tests/test_cassettes_documented.py``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from payconform.cassettes.store import Provenance, Scrubber, load_cassette, operation_of, write_atomic
from payconform.model.registry import all_contracts, get_contract

__all__ = ["DEFAULT_ROOT", "EXAMPLES", "Example", "build_documented", "example_body", "vendor_data_dir"]

DEFAULT_ROOT = Path("cassettes") / "documented-examples"


@dataclass(frozen=True)
class Example:
    """One vendor body standing in for the ``occurrence``-th ``operation`` of a scenario."""

    provider: str
    scenario: str
    operation: str
    occurrence: int
    file: str
    http_status: int
    #: Where the body and its HTTP status come from (the corpus manifest's words).
    note: str
    #: Why the published body fails the contract's schema, from the corpus manifest
    #: (lint reports such findings as accepted notes; the verdict is pinned in the tests).
    deviation: str = ""


EXAMPLES: tuple[Example, ...] = (
    Example("cashfree", "cancel.cancellable-status--ACTIVE", "cancel", 1,
            "cancel-success-2022-09-01-openapi.json", 200,
            "documented: speakeasy-sdks/cashfree-go openapi.yaml@bf64db5 LinkCancelledResponse "
            "example, the 200 of POST /links/{link_id}/cancel (x-api-version 2022-09-01)",
            deviation="evidence manifest: its customer_details, link_meta, link_notes and "
            "link_notify are literally {\"$ref\": ...} placeholders in the published example"),
    Example("cashfree", "schema.success--api-version_2022-09-01", "cancel", 1,
            "cancel-success-2022-09-01-openapi.json", 200,
            "documented: same LinkCancelledResponse example, judged against the 2022-09-01 schema",
            deviation="evidence manifest: its customer_details, link_meta, link_notes and "
            "link_notify are literally {\"$ref\": ...} placeholders in the published example"),
    Example("cashfree", "cancel.repeat--second-cancel", "cancel", 2,
            "cancel-link-not-active-sandbox.json", 400,
            "captured: cashfree-pg-sdk-nodejs tests/orders.test.ts@09a6ae4 (fields as asserted); "
            "HTTP status not asserted; 400 per the official Java SDK's docs"),
    Example("cashfree", "schema.error--repeat", "cancel", 2,
            "cancel-link-not-active-sandbox.json", 400,
            "captured: same link_not_active body, judged against the error schema"),
    Example("razorpay", "cancel.cancellable-status--created", "cancel", 1,
            "cancel-success-docs.json", 200,
            "documented: razorpay.com/docs/api/payments/payment-links/cancel-standard Success "
            "example; HTTP status not printed, 200 is the contract's success status"),
    Example("razorpay-invoices", "cancel.cancellable-status--issued", "cancel", 1,
            "cancel-success-docs.json", 200,
            "documented: razorpay/markdown-docs api/payments/invoices/cancel.md@31d8103 Success; "
            "HTTP status not printed, 200 is the contract's success status"),
    Example("razorpay-invoices", "cancel.repeat--second-cancel", "cancel", 2,
            "cancel-failure-docs.json", 400,
            "documented: same file, Failure block (invoice already cancelled); 400 per its Errors "
            "section"),
    Example("commet", "cancel.cancellable-status--pending", "cancel", 1,
            "cancel-success-docs.json", 200,
            "documented (placeholder values): commet.co/docs/api-reference/payments/cancel-payment "
            "first body; HTTP status not printed, 200 is the contract's success status",
            deviation="evidence manifest: the page's bodies are schema-generated placeholders "
            "(status 'pending', amounts -9007199254740991, null metadata values)"),
    Example("commet", "schema.error--not-cancellable", "cancel", 1,
            "cancel-error-docs.json", 409,
            "documented (placeholder values): same page, error body; HTTP status not printed, 409 "
            "is the contract's status for a non-cancellable payment"),
    Example("pinelabs", "cancel.cancellable-status--CREATED", "cancel", 1,
            "cancel-success-openapi.json", 200,
            "documented: developer.pinelabsonline.com/reference/payment-link-cancel OpenAPI 200 "
            "example"),
    Example("pinelabs", "schema.error--not-cancellable", "cancel", 1,
            "cancel-error-500-openapi.json", 500,
            "documented: same page, 500 example (INTERNAL_ERROR)"),
)


def vendor_data_dir() -> Path:
    """The evidence corpus shipped with the contracts: one folder per provider."""
    return Path(str(resources.files("payconform.contracts").joinpath("evidence")))


def example_body(vendor_data: Path, example: Example) -> Any:
    """The vendor body of ``example``, as published."""
    return json.loads((vendor_data / example.provider / example.file).read_text("utf-8"))


def build_documented(vendor_data: Path, root: Path = DEFAULT_ROOT,
                     providers: Iterable[str] | None = None) -> list[Path]:
    """Record the scenarios from the simulator, then swap in the vendor bodies; returns paths."""
    from payconform.cassettes.lanes import record_simulator
    from payconform.rules.catalog import cases_for

    wanted = set(providers) if providers else set(all_contracts())
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="payconform-documented-") as tmp:
        for provider in sorted({e.provider for e in EXAMPLES} & wanted):
            contract = get_contract(provider)
            examples = [e for e in EXAMPLES if e.provider == provider]
            scenarios = {e.scenario for e in examples}
            rules = sorted({c.rule_id for c in cases_for(contract)})
            record_simulator(contract, Path(tmp), rule_ids=rules)
            for scenario in sorted(scenarios):
                chosen = [e for e in examples if e.scenario == scenario]
                written.append(_swap(contract.provider, Path(tmp), root, scenario, chosen,
                                     vendor_data))
    return written


def _swap(provider: str, recorded: Path, root: Path, scenario: str, examples: list[Example],
          vendor_data: Path) -> Path:
    contract = get_contract(provider)
    source = recorded / provider / f"{scenario}.yaml"
    loaded = load_cassette(source, provider=provider)
    data = loaded.raw
    notes = []
    accepted = []
    scrubber = Scrubber(contract, {})
    for example in examples:
        seen = 0
        for index, item in enumerate(data["interactions"], start=1):
            request = item["request"]
            if operation_of(contract, request["method"], request["uri"])[0] != example.operation:
                continue
            seen += 1
            if seen != example.occurrence:
                continue
            body = example_body(vendor_data, example)
            text = json.dumps(body, ensure_ascii=False)
            response = item["response"]
            response["status"] = {"code": example.http_status, "message": ""}
            response["body"] = {"string": text}
            response["headers"] = {"content-type": ["application/json"],
                                   "content-length": [str(len(text.encode()))]}
            # Nothing personal is written, not even a vendor's sample customer.
            item["response"] = scrubber.response(response)
            notes.append({"interaction": index, "file": example.file, "note": example.note,
                          "edits": "customer PII fields replaced by payconform placeholders"})
            if example.deviation:
                accepted.append({"code": "schema", "location": f"interactions[{index}].response.body",
                                 "reason": example.deviation})
            break
        else:
            raise ValueError(f"{source}: no {example.operation} #{example.occurrence} to replace")
    provenance = Provenance.from_dict({**data["metadata"], "origin": "documented-example",
                                       "host": "vendor documentation"})
    meta = Provenance(**{**provenance.__dict__, "examples": tuple(notes)}).to_dict()
    if accepted:
        meta["accepted_findings"] = accepted
    target = root / provider / f"{scenario}.yaml"
    out = {"interactions": data["interactions"], "version": data["version"], "metadata": meta}
    write_atomic(target, yaml.safe_dump(out, sort_keys=True, allow_unicode=True, width=100))
    return target
