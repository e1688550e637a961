"""The simulator against the vendor's own OpenAPI, where a contract ships one.

A vendor document lives beside the contracts in ``contracts/openapi/`` (verbatim; provenance
in ``contracts/openapi/README.md``), named by the contract's ``vendor_openapi`` or after the
provider. It must be a valid OpenAPI document, its cancel operation must join onto the
contract's base URL exactly, and every response the simulator gives for a declared status
must match the vendor's response schema (resolved against the whole document; OpenAPI 3.0
read as JSON Schema by schemathesis's converter, ``nullable`` included).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from payconform.audit.vendor_openapi import VendorDocument
from payconform.lanes.base import simulator_session
from payconform.model.contract import Candidate, Contract, load_vendor_document, vendor_documents
from payconform.model.outcomes import Outcome
from payconform.model.registry import all_contracts
from payconform.model.schemas import schema_errors
from payconform.simulator.state import Mutation

# A contract's named documents, else its valid `<provider>-cancel.json` (Square's subset is
# not valid OpenAPI 3.0, so it is named otherwise and only the schemathesis suite reads it).
PAIRS = [(contract, name) for contract in all_contracts().values()
         for name in (contract.vendor_openapi or [n for n in vendor_documents(contract)
                                                  if n == f"{contract.provider}-cancel.json"])]
DOCS: dict[str, dict[str, Any]] = {name: load_vendor_document(name) for _, name in PAIRS}
by_document = pytest.mark.parametrize(("contract", "name"), PAIRS,
                                      ids=[f"{c.provider}:{n}" for c, n in PAIRS])


def _cancel_operation(contract: Contract, name: str) -> tuple[str, dict[str, Any]]:
    """The vendor path and operation that match the contract's cancel (method and path)."""
    doc = DOCS[name]
    server = urlsplit(doc["servers"][0]["url"]).path.rstrip("/")
    base = urlsplit(contract.base_urls["sandbox"]).path.rstrip("/")
    # A versioned path ({version}) joins under any of the contract's API versions.
    wanted = {base + contract.cancel.url_path("{id}", v.name) for v in contract.api_versions}
    for path, item in doc["paths"].items():
        joined = re.sub(r"\{[^}]+\}", "{id}", server + path)
        operation = item.get(contract.cancel.method.lower())
        if joined in wanted and operation is not None:
            return path, operation
    raise AssertionError(f"no {contract.cancel.method} {wanted} in the vendor OpenAPI "
                         f"(server path {server!r}, paths {list(doc['paths'])})")


def _content(response: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The JSON-ish media types of a response (a ``$ref`` to components/responses followed)."""
    ref = response.get("$ref")
    if isinstance(ref, str):
        response = doc["components"]["responses"][ref.rsplit("/", 1)[-1]]
    return {k: v for k, v in response.get("content", {}).items() if "json" in k}


def _validator(contract: Contract, name: str, status: str) -> Draft202012Validator | None:
    # The document as JSON Schema (OpenAPI 3.0 through schemathesis's converter), the way the
    # contract guard and the schemathesis suite read it.
    doc = VendorDocument.load(name)
    _, operation = _cancel_operation(contract, name)
    response = doc.response(operation, status)
    schema = doc.schema(response) if response is not None else None
    return doc.validator(schema) if schema is not None else None


def _declared_statuses() -> list[Any]:
    return [
        pytest.param(contract, name, status, id=f"{contract.provider}:{name}:{status}")
        for contract, name in PAIRS
        for status in _cancel_operation(contract, name)[1]["responses"]
    ]


class _ProviderErrorOnUnknownId(Mutation):
    """The simulator answers an unknown id with its rendering of a provider error."""

    name = "provider-error"

    def __init__(self, status: int, fields: dict[str, str]) -> None:
        self.status, self.fields = status, fields

    def unknown_id(self, contract: Contract, played: Candidate) -> Candidate:
        return Candidate(label="provider error", outcome=Outcome.PROVIDER_ERROR,
                         http_status=self.status, error=self.fields)


@by_document
def test_the_vendor_document_is_valid_openapi(contract: Contract, name: str) -> None:
    """Given the shipped vendor document, it validates as OpenAPI."""
    validate(DOCS[name])


@by_document
def test_the_vendor_cancel_path_joins_the_contract_base_url(contract: Contract, name: str) -> None:
    """Given the vendor's server URL and path, they add up to the contract's cancel URL."""
    host = urlsplit(DOCS[name]["servers"][0]["url"]).netloc
    assert host in {urlsplit(url).netloc for url in contract.base_urls.values()}
    _cancel_operation(contract, name)


@by_document
def test_the_vendor_examples_pass_the_contract_schemas(contract: Contract, name: str) -> None:
    """Given the vendor's cancel response examples, the contract's own schemas accept them."""
    _, operation = _cancel_operation(contract, name)
    for status, response in operation["responses"].items():
        for media in _content(response, DOCS[name]).values():
            for example in media.get("examples", {}).values():
                if "$ref" in example:  # a shared example under components.examples
                    example = DOCS[name]["components"]["examples"][example["$ref"].rsplit("/", 1)[1]]
                value = example["value"]
                body = json.loads(value) if isinstance(value, str) else value
                schema = (contract.api_version().entity_schema_file if status.startswith("2")
                          else contract.error.schema_file)
                assert schema_errors(schema, body) == [], (status, schema)


def _scenario(contract: Contract, status: str) -> Any:
    """The simulator exchange the contract plays for a declared cancel status, or None."""
    code = int(status) if status.isdigit() else 0
    if status.startswith("2"):
        session = simulator_session(contract)
        link_id = session.client.link_id_of(session.client.create())
        return session.client.cancel(link_id, pre_status=contract.initial_status)
    if status.startswith("5"):
        error = next((c for c, o in contract.error.outcomes.items() if o is Outcome.PROVIDER_ERROR),
                     "provider_error")
        mutation = _ProviderErrorOnUnknownId(code, {contract.error.code_field: error})
        return simulator_session(contract, mutation=mutation).client.cancel(contract.unknown_id_example)
    session = simulator_session(contract)
    if contract.unknown_id.played.http_status == code:
        return session.client.cancel(contract.unknown_id_example)
    refused = [s for s in contract.rejected_statuses
               if contract.cancel_outcomes[s].played.http_status == code]
    if refused:
        link_id = session.client.link_id_of(session.client.create())
        session.client.force_status(link_id, refused[0])
        return session.client.cancel(link_id, pre_status=refused[0])
    return None


@pytest.mark.parametrize(("contract", "name", "status"), _declared_statuses())
def test_simulator_cancel_responses_match_the_vendor_schema(
    contract: Contract, name: str, status: str
) -> None:
    """Given a status the vendor declares for cancel, the simulator's body fits its schema."""
    exchange = _scenario(contract, status)
    if exchange is None:
        pytest.skip(f"no simulator scenario of {contract.provider} answers HTTP {status}")
    assert exchange.status == int(status), exchange.text
    validator = _validator(contract, name, status)
    if validator is None:
        assert exchange.text == "", f"HTTP {status} declares no body"
        return
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(exchange.json)]
    assert problems == [], exchange.text


@by_document
def test_a_header_the_vendor_leaves_optional_is_not_required_by_the_simulator(
        contract: Contract, name: str) -> None:
    """Given the vendor's header parameters, the simulator accepts a request without an optional one.

    Otherwise the vendor's own OpenAPI (which may omit the header) would be refused by the double.
    """
    _, operation = _cancel_operation(contract, name)
    optional = {p["name"].lower() for p in operation.get("parameters", [])
                if p.get("in") == "header" and not p.get("required")}
    for header in contract.headers:
        if header.name.lower() not in optional:
            continue
        assert not header.required, header.name
        played = header.missing.played if header.missing is not None else None
        assert played is None or played.outcome in (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED), (
            f"{header.name}: the simulator plays {played.label!r} for a request without it")


@by_document
def test_what_a_vendor_document_cannot_express_is_said_once(contract: Contract, name: str) -> None:
    """The report's list of rules a vendor document cannot express has no repeated line.

    Stripe's document repeats its payment link schema inline in every expansion; its silent
    status enum is listed once, with how many enums share it.
    """
    from payconform.properties.checks import inexpressible_rules

    lines = inexpressible_rules(DOCS[name], contract)
    assert lines and len(lines) == len(set(lines)), lines
    enums = [line for line in lines if "undocumented values" in line]
    assert len(enums) == len({line.split(" without ")[0] for line in enums}), enums
    if contract.provider == "stripe-payment-links":
        assert any(re.search(r"\(\d\d+ enums of the document\)", line) for line in enums), enums
