"""Vendor-published bodies in the shipped vendor OpenAPI documents fit the contract's schemas.

Every success example of the create, fetch and cancel operations of each vendor document of
a contract (``vendor_openapi``, else ``contracts/openapi/<provider>*.json``: response
examples, and the ``example`` of the response schema) must pass the documented constraints
of the schema the contract uses for that operation (an inferred one may only WARN); so must
its error examples against the contract's error schema. The simulator produced none of these
bodies: they are the vendor's own evidence against the contract.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import pytest

from payconform.model.contract import Contract, Operation, vendor_documents
from payconform.model.registry import all_contracts
from payconform.model.schemas import schema_errors

_OPENAPI = resources.files("payconform.contracts").joinpath("openapi")


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    """A local ``$ref`` (``#/components/...``) followed to what it names."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _operation(doc: dict[str, Any], contract: Contract, op: Operation) -> dict[str, Any] | None:
    server = urlsplit((doc.get("servers") or [{}])[0].get("url", "")).path.rstrip("/")
    base = urlsplit(contract.base_urls["sandbox"]).path.rstrip("/")
    wanted = {re.sub(r"\{[^}]+\}", "{id}", base + op.url_path("{id}", v.name))
              for v in contract.api_versions}
    for path, item in doc.get("paths", {}).items():
        if re.sub(r"\{[^}]+\}", "{id}", server + path) in wanted and op.method.lower() in item:
            found: dict[str, Any] = item[op.method.lower()]
            return found
    return None


def _examples(doc: dict[str, Any], response: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for media in response.get("content", {}).values():
        for name, example in media.get("examples", {}).items():
            example = _resolve(doc, example)
            if isinstance(example, dict) and "value" in example:
                value = example["value"]
                out.append((name, json.loads(value) if isinstance(value, str) else value))
        schema = _resolve(doc, media.get("schema"))
        if isinstance(schema, dict) and "example" in schema:
            out.append(("schema example", schema["example"]))
    return out


def _cases() -> list[Any]:
    out = []
    for provider, contract in all_contracts().items():
        for name in vendor_documents(contract):
            doc = json.loads(_OPENAPI.joinpath(name).read_text("utf-8"))
            for label, op in (("create", contract.create.operation), ("fetch", contract.fetch),
                              ("cancel", contract.cancel)):
                operation = _operation(doc, contract, op)
                for status, response in (operation or {}).get("responses", {}).items():
                    for example, body in _examples(doc, _resolve(doc, response)):
                        out.append(pytest.param(contract, label, status, body,
                                                id=f"{provider}:{name}:{label}:{status}:{example}"))
    return out


@pytest.mark.parametrize(("contract", "operation", "status", "body"), _cases())
def test_a_vendor_example_fits_the_contract_schema(contract: Contract, operation: str, status: str,
                                                   body: Any) -> None:
    """Given a body the vendor publishes for an operation, the contract's schema accepts it
    (every documented constraint)."""
    if status.startswith("2"):
        schema = contract.api_version().entity_schema_file
        if operation == "cancel" and contract.cancel_response is not None:
            schema = contract.cancel_response.schema_file
    else:
        schema = contract.error.schema_file
    assert schema_errors(schema, body, documented_only=True) == []
