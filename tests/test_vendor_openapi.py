"""The simulator against the vendor's own OpenAPI, where a contract ships one.

A vendor document lives beside the contracts as ``contracts/openapi/<provider>-cancel.json``
(verbatim; provenance in ``contracts/openapi/README.md``). It must be a valid OpenAPI
document, its cancel operation must join onto the contract's base URL exactly, and every
response the simulator gives for a declared status must match the vendor's response schema.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from payconform.lanes.base import simulator_session
from payconform.model.contract import Candidate, Contract
from payconform.model.outcomes import Outcome
from payconform.model.registry import all_contracts
from payconform.model.schemas import schema_errors
from payconform.simulator.state import Mutation

_OPENAPI = resources.files("payconform.contracts").joinpath("openapi")
DOCS: dict[str, dict[str, Any]] = {
    name: json.loads(_OPENAPI.joinpath(f"{name}-cancel.json").read_text("utf-8"))
    for name in all_contracts()
    if _OPENAPI.joinpath(f"{name}-cancel.json").is_file()
}
CONTRACTS = [all_contracts()[name] for name in DOCS]
by_provider = pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.provider)


def _cancel_operation(contract: Contract) -> tuple[str, dict[str, Any]]:
    """The vendor path and operation that match the contract's cancel (method and path)."""
    doc = DOCS[contract.provider]
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


def _response_schema(contract: Contract, status: str) -> dict[str, Any]:
    _, operation = _cancel_operation(contract)
    schema: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    # Local $refs (#/components/...) resolve against a root that carries the components.
    return {**schema, "components": DOCS[contract.provider].get("components", {})}


def _declared_statuses() -> list[Any]:
    return [
        pytest.param(contract, status, id=f"{contract.provider}:{status}")
        for contract in CONTRACTS
        for status in _cancel_operation(contract)[1]["responses"]
    ]


class _ProviderErrorOnUnknownId(Mutation):
    """The simulator answers an unknown id with its rendering of a provider error."""

    name = "provider-error"

    def __init__(self, status: int, fields: dict[str, str]) -> None:
        self.status, self.fields = status, fields

    def unknown_id(self, contract: Contract, played: Candidate) -> Candidate:
        return Candidate(label="provider error", outcome=Outcome.PROVIDER_ERROR,
                         http_status=self.status, error=self.fields)


@by_provider
def test_the_vendor_document_is_valid_openapi(contract: Contract) -> None:
    """Given the shipped vendor document, it validates as OpenAPI."""
    validate(DOCS[contract.provider])


@by_provider
def test_the_vendor_cancel_path_joins_the_contract_base_url(contract: Contract) -> None:
    """Given the vendor's server URL and path, they add up to the contract's cancel URL."""
    doc = DOCS[contract.provider]
    assert urlsplit(doc["servers"][0]["url"]).netloc in {
        urlsplit(u).netloc for u in contract.base_urls.values()}
    _cancel_operation(contract)


@by_provider
def test_the_vendor_examples_pass_the_contract_schemas(contract: Contract) -> None:
    """Given the vendor's response examples, the contract's own schemas accept them."""
    _, operation = _cancel_operation(contract)
    for status, response in operation["responses"].items():
        for example in response["content"]["application/json"].get("examples", {}).values():
            if "$ref" in example:  # a shared example under components.examples
                example = DOCS[contract.provider]["components"]["examples"][
                    example["$ref"].rsplit("/", 1)[1]]
            value = example["value"]
            body = json.loads(value) if isinstance(value, str) else value
            schema = (contract.api_version().entity_schema_file if status.startswith("2")
                      else contract.error.schema_file)
            assert schema_errors(schema, body) == [], (status, schema)


@pytest.mark.parametrize(("contract", "status"), _declared_statuses())
def test_simulator_cancel_responses_match_the_vendor_schema(contract: Contract, status: str) -> None:
    """Given a status the vendor declares for cancel, the simulator's body fits its schema."""
    validator = Draft202012Validator(_response_schema(contract, status))
    if status.startswith("2"):
        session = simulator_session(contract)
        link_id = session.client.link_id_of(session.client.create())
        exchange = session.client.cancel(link_id, pre_status=contract.initial_status)
    elif status.startswith("5"):
        code = next((c for c, o in contract.error.outcomes.items()
                     if o is Outcome.PROVIDER_ERROR), None)
        mutation = _ProviderErrorOnUnknownId(int(status), {contract.error.code_field: code}
                                             if code else {})
        session = simulator_session(contract, mutation=mutation)
        exchange = session.client.cancel(contract.unknown_id_example)
    else:
        pytest.skip(f"no simulator scenario is mapped to a declared HTTP {status} yet")
    assert exchange.status == int(status), exchange.text
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(exchange.json)]
    assert problems == [], exchange.text
