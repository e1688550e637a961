"""A vendor's OpenAPI document read as JSON Schema, and what its schemas state about a field.

OpenAPI 3.0 schemas are not JSON Schema (``nullable: true``, ``readOnly`` / ``writeOnly``
semantics, boolean ``required`` on a property): they go through schemathesis's own converter
(:func:`schemathesis.specs.openapi.converter.to_json_schema`, the one its response-conformance
check uses), so a document is read here exactly as the schemathesis suite reads it.

:class:`SchemaView` answers "what does the vendor say at this field": the types it admits,
the values it enumerates, the names it requires, following ``$ref``, ``allOf`` (all hold),
``anyOf`` / ``oneOf`` (one holds) and the ``null`` branch a nullable field becomes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.converter import to_json_schema

from payconform.model.contract import Contract, load_vendor_document
from payconform.model.contract import vendor_documents as document_names

__all__ = ["SchemaView", "VendorDocument", "documents_of"]

_COMBINATORS = ("anyOf", "oneOf", "allOf")


def _converted(doc: dict[str, Any], schema: Any) -> Any:
    """``schema`` as JSON Schema (OpenAPI 3.0 converted; 3.1 already is)."""
    if str(doc.get("openapi", "")).startswith("3.0") and isinstance(schema, dict):
        return to_json_schema(schema, "nullable", is_response_schema=True)
    return schema


@dataclass(frozen=True, eq=False)  # one object per document (cached): hashed by identity
class VendorDocument:
    """One vendor OpenAPI document, its schemas converted to JSON Schema once."""

    name: str
    raw: dict[str, Any]
    components: dict[str, Any]

    @classmethod
    def load(cls, name: str) -> VendorDocument:
        """The document ``name`` from ``contracts/openapi``, converted."""
        raw = load_vendor_document(name)
        components = dict(raw.get("components", {}))
        components["schemas"] = {key: _converted(raw, value)
                                 for key, value in components.get("schemas", {}).items()}
        return cls(name, raw, components)

    def operation(self, contract: Contract, method: str, path: str) -> dict[str, Any] | None:
        """The operation matching the contract's ``method path`` (relative to its base URL)."""
        servers = [urlsplit(s.get("url", "")).path.rstrip("/")
                   for s in self.raw.get("servers", [])] or [""]
        bases = {urlsplit(u).path.rstrip("/") for u in contract.base_urls.values()}
        # A versioned path ({version}) is the contract's under any of its API versions.
        paths = {path.replace("{version}", v.name) for v in contract.api_versions}
        wanted = {_normal(b + p) for b in bases for p in paths}
        for vendor_path, item in self.raw.get("paths", {}).items():
            operation = item.get(method.lower()) if isinstance(item, dict) else None
            if operation is None:
                continue
            if any(_normal(server + vendor_path) in wanted for server in servers) or (
                    _normal(vendor_path) == _normal(path)):
                return dict(operation, **{"x-parameters": item.get("parameters", [])})
        return None

    def response(self, operation: dict[str, Any], code: str) -> dict[str, Any] | None:
        """The operation's response object for ``code`` (a ``$ref`` to components followed)."""
        response = operation.get("responses", {}).get(code)
        ref = response.get("$ref") if isinstance(response, dict) else None
        if isinstance(ref, str):
            response = self.components.get("responses", {}).get(ref.rsplit("/", 1)[-1])
        return response if isinstance(response, dict) else None

    def response_for(self, operation: dict[str, Any], status: int) -> tuple[str, dict[str, Any]] | None:
        """The response the document gives for HTTP ``status``: its own, ``4XX``, or ``default``."""
        for code in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            response = self.response(operation, code)
            if response is not None:
                return code, response
        return None

    def schema(self, response: dict[str, Any]) -> dict[str, Any] | None:
        """The JSON body schema of a response (converted), or None when it declares none."""
        for media, content in response.get("content", {}).items():
            if "json" in media and isinstance(content.get("schema"), dict):
                converted: dict[str, Any] = _converted(self.raw, content["schema"])
                return converted
        return None

    def validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        """A validator of ``schema`` whose local ``$ref``s resolve against this document."""
        return _validator(self, json.dumps(schema, sort_keys=True))

    def view(self, schemas: list[dict[str, Any]]) -> SchemaView:
        """What the document states where any of ``schemas`` describes the body."""
        return SchemaView(self, [conj for s in schemas for conj in self._expand(s, 0)])

    # ---- expansion into alternatives of conjunctions -----------------------------------------

    def _resolve(self, node: Any, depth: int = 0) -> Any:
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/schemas/") and depth < 20:
            target = self.components["schemas"].get(ref.rsplit("/", 1)[-1], {})
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return self._resolve({**target, **rest} if rest else target, depth + 1)
        return node

    def _expand(self, node: Any, depth: int) -> list[list[dict[str, Any]]]:
        """``node`` as alternatives (one must hold), each a list of schemas that all hold."""
        node = self._resolve(node)
        if not isinstance(node, dict) or depth > 12:
            return [[]]  # true (or too deep to follow): states nothing
        alternatives: list[list[dict[str, Any]]] = [[{k: v for k, v in node.items()
                                                       if k not in _COMBINATORS}]]
        for key in ("anyOf", "oneOf"):
            if isinstance(node.get(key), list):
                branches = [c for b in node[key] for c in self._expand(b, depth + 1)]
                alternatives = [a + c for a in alternatives for c in branches]
        for part in node.get("allOf") or []:
            alternatives = [a + c for a in alternatives for c in self._expand(part, depth + 1)]
        return alternatives


@cache
def _validator(doc: VendorDocument, schema: str) -> Draft202012Validator:
    return Draft202012Validator({**json.loads(schema), "components": doc.components})


@dataclass(frozen=True)
class SchemaView:
    """What a vendor schema states at one place: alternatives, each a conjunction of schemas."""

    doc: VendorDocument
    alternatives: list[list[dict[str, Any]]]

    def types(self) -> set[str] | None:
        """The JSON types some alternative admits (None: one admits any)."""
        out: set[str] = set()
        for conj in self.alternatives:
            stated = [_type_set(s["type"]) for s in conj if "type" in s]
            if not stated:
                values = _values(conj)
                if values is None:
                    return None
                stated = [{_json_type(json.loads(v)) for v in values}]
            out |= set.intersection(*stated)
        return out

    def values(self) -> set[str] | None:
        """The values (as JSON text) some alternative enumerates (None: one admits any)."""
        out: set[str] = set()
        for conj in self.alternatives:
            values = _values(conj)
            if values is None:
                return None
            out |= values
        return out

    def required(self) -> set[str]:
        """The names every alternative requires."""
        sets = [{n for s in conj for n in s.get("required") or [] if isinstance(n, str)}
                for conj in self.alternatives]
        return set.intersection(*sets) if sets else set()

    def child(self, keyword: str, name: str = "") -> SchemaView | None:
        """The view of a property (``properties``, name), ``items`` or ``additionalProperties``."""
        out: list[list[dict[str, Any]]] = []
        for conj in self.alternatives:
            parts = []
            for schema in conj:
                node = schema.get(keyword)
                if keyword == "properties":
                    node = node.get(name) if isinstance(node, dict) else None
                if isinstance(node, dict):
                    parts.append(node)
            if not parts:
                continue
            combined: list[list[dict[str, Any]]] = [[]]
            for part in parts:
                combined = [a + c for a in combined for c in self.doc._expand(part, 0)]
            out += combined
        return SchemaView(self.doc, out) if out else None


def _type_set(value: Any) -> set[str]:
    kinds = set(value) if isinstance(value, list) else {value}
    # An integer is a number: a vendor "number" admits the contract's "integer" and back.
    return kinds | ({"integer"} if "number" in kinds else set())


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


def _values(conj: list[dict[str, Any]]) -> set[str] | None:
    """The values a conjunction enumerates (``enum`` / ``const`` / a lone ``null`` type)."""
    sets = []
    for schema in conj:
        if isinstance(schema.get("enum"), list):
            sets.append({json.dumps(v, sort_keys=True) for v in schema["enum"]})
        if "const" in schema:
            sets.append({json.dumps(schema["const"], sort_keys=True)})
        if schema.get("type") == "null":
            sets.append({"null"})
    return set.intersection(*sets) if sets else None


def _normal(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path.rstrip("/"))


@cache
def _load(name: str) -> VendorDocument:
    return VendorDocument.load(name)


def documents_of(contract: Contract) -> Iterator[VendorDocument]:
    """The contract's vendor OpenAPI documents (``vendor_openapi``, else by provider name)."""
    for name in document_names(contract):
        yield _load(name)
