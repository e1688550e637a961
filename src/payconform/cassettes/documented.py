"""Documented-example cassettes: vendor-published bodies played through the suite's scenarios.

Each :class:`Example` puts one published body (from the evidence corpus,
``contracts/evidence/<provider>/``) in place of one response of a scenario recorded from the
simulator over loopback; the setup calls around it (create, fetch) stay simulator answers, and the cassette's metadata says which
interaction is the vendor's and where it comes from. Nothing in a vendor body is edited: an
example that contradicts the contract shows up as the verdict the suite gives it.

The table says only which body replaces which answer: provenance, HTTP status and the reason a
body deviates come from the corpus manifest. The verdicts the suite gives each example are
pinned in ``tests/test_cassettes_documented.py``.
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

from payconform.cassettes.lint import schema_findings_of as lint_schemas
from payconform.cassettes.store import Provenance, Scrubber, load_cassette, operation_of, write_atomic
from payconform.model.evidence import BodyEntry, corpus_for
from payconform.model.registry import all_contracts, get_contract

__all__ = ["DEFAULT_ROOT", "EXAMPLES", "Example", "build_documented", "example_body", "example_entry",
           "example_status", "vendor_data_dir"]

DEFAULT_ROOT = Path("cassettes") / "documented-examples"


@dataclass(frozen=True)
class Example:
    """One corpus body standing in for the ``occurrence``-th ``operation`` of a scenario.

    Where the body comes from, why it deviates from the contract and (usually) its HTTP status
    are the corpus manifest's words; ``http_status`` is given here only for a body whose source
    states none, and then it is the status the contract gives that answer.
    """

    provider: str
    scenario: str
    operation: str
    occurrence: int
    file: str
    http_status: int | None = None


_OK = 200  # the contract's success status, for a published success body that prints none

EXAMPLES: tuple[Example, ...] = (
    Example("cashfree", "cancel.cancellable-status--ACTIVE", "cancel", 1,
            "cancel-success-2022-09-01-openapi.json"),
    Example("cashfree", "schema.success--api-version_2022-09-01", "cancel", 1,
            "cancel-success-2022-09-01-openapi.json"),
    # The sandbox test asserts no status; 400 is what the official Java SDK's docs give this refusal.
    Example("cashfree", "cancel.repeat--second-cancel", "cancel", 2,
            "cancel-link-not-active-sandbox.json", 400),
    Example("cashfree", "schema.error--repeat", "cancel", 2, "cancel-link-not-active-sandbox.json",
            400),
    Example("razorpay", "cancel.cancellable-status--created", "cancel", 1, "cancel-success-docs.json",
            _OK),
    Example("razorpay-invoices", "cancel.cancellable-status--issued", "cancel", 1,
            "cancel-success-docs.json", _OK),
    Example("razorpay-invoices", "cancel.repeat--second-cancel", "cancel", 2,
            "cancel-failure-docs.json"),
    Example("commet", "cancel.cancellable-status--pending", "cancel", 1, "cancel-success-docs.json",
            _OK),
    # The page prints no status; 409 is the contract's status for a non-cancellable payment.
    Example("commet", "schema.error--not-cancellable", "cancel", 1, "cancel-error-docs.json", 409),
    Example("pinelabs", "cancel.cancellable-status--CREATED", "cancel", 1,
            "cancel-success-openapi.json"),
    Example("pinelabs", "schema.error--not-cancellable", "cancel", 1,
            "cancel-error-500-openapi.json"),
    Example("stripe-checkout", "cancel.cancellable-status--open", "cancel", 1,
            "expire-success-docs.json", _OK),
    Example("stripe-checkout", "schema.success--api-version_2026-10-28.endive", "fetch", 1,
            "session-fixture.json", _OK),
    Example("stripe-checkout", "schema.success--api-version_2026-10-28.endive", "cancel", 1,
            "expire-success-docs.json", _OK),
    Example("stripe-payment-links", "schema.success--api-version_2026-10-28.endive", "fetch", 1,
            "payment-link-fixture.json", _OK),
    Example("paypal-invoices", "schema.success--api-version_2.3", "create", 1,
            "invoice-create-201-openapi.json"),
    # The reference page prints the envelope with no status; 404 is the contract's unknown id.
    Example("paypal-payment-links", "schema.error--unknown-id", "cancel", 1,
            "error-envelope-reference-example.json", 404),
    Example("mollie", "schema.success--api-version_v2", "fetch", 1, "payment-link-sdk-mock.json"),
    Example("mollie", "schema.error--auth-invalid", "cancel", 1, "error-unauthorized-sdk-mock.json"),
    Example("mollie-archive", "schema.success--api-version_v2", "fetch", 1,
            "payment-link-sdk-mock.json"),
    Example("mollie-archive", "schema.error--auth-invalid", "cancel", 1,
            "error-unauthorized-sdk-mock.json"),
    Example("adyen", "cancel.cancellable-status--active", "cancel", 1, "expire-200-openapi.json"),
    Example("adyen", "schema.success--api-version_v71", "fetch", 1, "fetch-200-openapi.json"),
    Example("adyen", "schema.success--api-version_v71", "cancel", 1, "expire-200-openapi.json"),
    Example("adyen", "schema.success--api-version_v72", "fetch", 1, "fetch-sdk-mock.json"),
    Example("adyen", "schema.success--api-version_v72", "cancel", 1, "expire-sdk-mock.json"),
    Example("adyen", "schema.error--auth-invalid", "cancel", 1, "error-401-openapi.json"),
    Example("square", "cancel.cancellable-status--ACTIVE", "cancel", 1, "delete-openapi.json"),
    Example("square", "schema.success--api-version_2025-08-20", "fetch", 1, "fetch-openapi.json"),
    Example("square", "schema.success--api-version_2025-08-20", "cancel", 1, "delete-openapi.json"),
    Example("square", "schema.success--api-version_2026-09-16", "fetch", 1, "fetch-sdk-docs.json",
            _OK),
    Example("square", "schema.success--api-version_2026-09-16", "cancel", 1, "delete-sdk-docs.json",
            _OK),
    Example("xendit", "schema.success--api-version_2025-05", "fetch", 1, "invoice-sdk-mock.json",
            _OK),
)


def vendor_data_dir() -> Path:
    """The evidence corpus shipped with the contracts: one folder per provider."""
    return Path(str(resources.files("payconform.contracts").joinpath("evidence")))


def example_body(vendor_data: Path, example: Example) -> Any:
    """The vendor body of ``example``, as published."""
    return json.loads((vendor_data / example.provider / example.file).read_text("utf-8"))


def example_entry(example: Example) -> BodyEntry:
    """The corpus manifest's entry for the body of ``example``; ValueError if it lists none."""
    corpus = corpus_for(example.provider)
    entry = next((e for e in corpus.bodies if e.file == example.file), None) if corpus else None
    if entry is None:
        raise ValueError(f"{example.provider}: {example.file} is not in its evidence manifest")
    return entry


def example_status(example: Example) -> int:
    """The HTTP status the cassette plays: the manifest's, else the one the example names."""
    stated = example_entry(example).http_status
    if stated is not None and example.http_status is not None and stated != example.http_status:
        raise ValueError(f"{example.provider}: {example.file} is HTTP {stated} in its manifest, "
                         f"not {example.http_status}")
    status = stated if stated is not None else example.http_status
    if status is None:
        raise ValueError(f"{example.provider}: {example.file}: the manifest states no HTTP status; "
                         "name the contract's status for this answer in the example")
    return status


def _note(example: Example) -> str:
    entry = example_entry(example)
    status = example_status(example)
    if entry.http_status is None:
        basis = f"HTTP status not stated; {status} is the contract's status for this answer"
    elif entry.http_status_provenance:
        basis = f"HTTP {status} per {entry.http_status_provenance}"
    else:
        basis = f"HTTP {status} as the source states"
    return f"{entry.kind}: {entry.provenance}; {basis}"


def _deviation(example: Example) -> str:
    """Why a published body breaks the contract's schema: the manifest's note and predates."""
    entry = example_entry(example)
    reasons = [entry.note] if entry.note else []
    by_reason: dict[str, list[str]] = {}
    for name, why in entry.predates.items():
        by_reason.setdefault(why, []).append(name)
    reasons += [f"it predates {', '.join(names)}: {why}" for why, names in by_reason.items()]
    if not reasons:
        raise ValueError(f"{example.provider}: {example.file} breaks the schema, but its manifest "
                         "entry has no note saying why")
    return "evidence manifest: " + "; ".join(reasons)


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
    data = load_cassette(source, provider=provider).raw
    notes = []
    swapped: dict[str, Example] = {}
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
            text = json.dumps(example_body(vendor_data, example), ensure_ascii=False)
            response = item["response"]
            response["status"] = {"code": example_status(example), "message": ""}
            response["body"] = {"string": text}
            response["headers"] = {"content-type": ["application/json"],
                                   "content-length": [str(len(text.encode()))]}
            # Nothing personal is written, not even a vendor's sample customer.
            item["response"] = scrubber.response(response)
            notes.append({"interaction": index, "file": example.file, "note": _note(example),
                          "edits": "customer PII fields replaced by payconform placeholders"})
            swapped[f"interactions[{index}].response.body"] = example
            break
        else:
            raise ValueError(f"{source}: no {example.operation} #{example.occurrence} to replace")
    provenance = Provenance.from_dict({**data["metadata"], "origin": "documented-example",
                                       "host": "vendor documentation"})
    meta = Provenance(**{**provenance.__dict__, "examples": tuple(notes)}).to_dict()
    target = root / provider / f"{scenario}.yaml"
    out = {"interactions": data["interactions"], "version": data["version"], "metadata": meta}
    write_atomic(target, yaml.safe_dump(out, sort_keys=True, allow_unicode=True, width=100))
    # Lint's own schema findings decide which vendor bodies deviate; each is accepted with the
    # manifest's reason, so lint stays quiet about the vendor and loud about anything else.
    deviating = sorted({f.location for f in lint_schemas(load_cassette(target, provider=provider),
                                                         contract) if f.location in swapped})
    if deviating:
        meta["accepted_findings"] = [{"code": "schema", "location": where,
                                      "reason": _deviation(swapped[where])} for where in deviating]
        write_atomic(target, yaml.safe_dump(out, sort_keys=True, allow_unicode=True, width=100))
    return target
