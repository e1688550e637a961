"""Guards: evidence a contract did not produce, judging a (possibly mutated) contract.

- ``openapi``: the vendor's own OpenAPI documents shipped in ``contracts/openapi/`` (response
  codes the vendor declares for the operation, required header parameters and security,
  response examples, response schemas against the simulator's rendering of the contract).
- ``corpus``: the vendor evidence corpus (``contracts/evidence/``), where it exists.

Each guard returns contradictions as text; :func:`payconform.audit.contract_mutants.guard_table`
subtracts the faithful contract's findings, so only what a mutation causes kills it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from payconform.audit.contract_mutants import GUARDS, Guard, GuardRow, guard_table
from payconform.lanes.base import simulator_session
from payconform.model.contract import Contract, dotted_get
from payconform.model.evidence import corpus_for, judge
from payconform.model.facts import Fact, scenarios_of
from payconform.model.outcomes import Evidence, Outcome
from payconform.model.registry import get_contract
from payconform.model.schemas import schema_errors

__all__ = ["CorpusGuard", "OpenApiGuard", "guard_rows", "unguarded", "vendor_documents"]

_SUCCESS = (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)


def vendor_documents(provider: str) -> dict[str, dict[str, Any]]:
    """The provider's vendor OpenAPI documents (``contracts/openapi/<provider>*.json``) by name."""
    folder = resources.files("payconform.contracts").joinpath("openapi")
    if not folder.is_dir():
        return {}
    out: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        stem = entry.name.removesuffix(".json")
        if entry.name.endswith(".json") and (stem == provider or stem.startswith(f"{provider}-")):
            out[entry.name] = json.loads(entry.read_text("utf-8"))
    return out


def _normal(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path.rstrip("/"))


def _operation(doc: dict[str, Any], contract: Contract, method: str, path: str
               ) -> dict[str, Any] | None:
    """The vendor operation matching the contract's ``method path`` (relative to its base URL)."""
    servers = [urlsplit(s.get("url", "")).path.rstrip("/") for s in doc.get("servers", [])] or [""]
    bases = {urlsplit(u).path.rstrip("/") for u in contract.base_urls.values()}
    # A versioned path ({version}) is the contract's under any of its API versions.
    paths = {path.replace("{version}", v.name) for v in contract.api_versions}
    wanted = {_normal(b + p) for b in bases for p in paths}
    for vendor_path, item in doc.get("paths", {}).items():
        operation = item.get(method.lower()) if isinstance(item, dict) else None
        if operation is None:
            continue
        if any(_normal(server + vendor_path) in wanted for server in servers) or (
                _normal(vendor_path) == _normal(path)):
            return dict(operation, **{"x-parameters": item.get("parameters", [])})
    return None


def _examples(response: dict[str, Any]) -> list[Any]:
    out = []
    for media in response.get("content", {}).values():
        if "example" in media:
            out.append(media["example"])
        for example in media.get("examples", {}).values():
            if isinstance(example, dict) and "value" in example:
                out.append(example["value"])
    parsed = []
    for value in out:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        parsed.append(value)
    return parsed


def _response_schema(doc: dict[str, Any], response: dict[str, Any]) -> dict[str, Any] | None:
    for media in response.get("content", {}).values():
        schema = media.get("schema")
        if isinstance(schema, dict):
            # Local $refs (#/components/...) resolve against a root that carries the components.
            return {**schema, "components": doc.get("components", {})}
    return None


@dataclass
class OpenApiGuard:
    """The vendor's OpenAPI documents for the contract's cancel operation."""

    name: str = "openapi"

    def findings(self, contract: Contract) -> set[str]:
        """Contradictions between the contract and the vendor's OpenAPI documents."""
        out: set[str] = set()
        for label, doc in vendor_documents(contract.provider).items():
            operation = _operation(doc, contract, contract.cancel.method, contract.cancel.path)
            if operation is not None:
                out |= {f"{label}: {f}" for f in self._cancel(doc, operation, contract)}
        return out

    def _cancel(self, doc: dict[str, Any], operation: dict[str, Any], contract: Contract
                ) -> set[str]:
        out: set[str] = set()
        responses: dict[str, Any] = operation.get("responses", {})
        declared = {int(code) for code in responses if code.isdigit()}
        wildcard = {code[0] for code in responses if code.upper().endswith("XX")}
        for scenario in scenarios_of(contract):
            exp = scenario.expectation
            if exp.source.evidence is Evidence.UNVERIFIED:
                continue
            success = exp.outcome in _SUCCESS
            status = contract.cancel_success_status if success and scenario.where.startswith(
                "cancel:") else exp.http_status
            if status is None or "default" in responses or str(status)[0] in wildcard:
                continue
            same_class = {c for c in declared if str(c)[0] == str(status)[0]}
            if same_class and status not in declared:
                out.add(f"{scenario.where}: the vendor declares no HTTP {status} for the cancel "
                        f"operation (it declares {sorted(declared)})")
        params = [*operation.get("x-parameters", []), *operation.get("parameters", [])]
        required = {p.get("name", "").lower() for p in params
                    if isinstance(p, dict) and p.get("in") == "header" and p.get("required")}
        secured = bool(operation.get("security", doc.get("security")))
        auth_headers = {h.lower() for h in contract.auth.headers} or {"authorization"}
        if (secured or required & auth_headers) and contract.auth.missing.outcome in _SUCCESS:
            out.add("auth:missing: the vendor requires credentials on the cancel operation")
        for header in contract.headers:
            probe = header.missing
            if header.name.lower() in required and probe is not None and (
                    probe.source.evidence is not Evidence.UNVERIFIED and probe.outcome in _SUCCESS):
                out.add(f"header:missing:{header.name}: the vendor marks it required")
        for code, response in responses.items():
            if not isinstance(response, dict):
                continue
            for example in _examples(response):
                out |= self._example(contract, code, example)
        ok = next((r for c, r in responses.items() if c.startswith("2") and isinstance(r, dict)),
                  None)
        schema = _response_schema(doc, ok) if ok is not None else None
        if schema is not None:
            out |= self._rendered(contract, schema)
        return out

    def _example(self, contract: Contract, code: str, example: Any) -> set[str]:
        out: set[str] = set()
        if code.startswith("2"):
            schema_file = contract.api_version().entity_schema_file
            entity = dotted_get(example, contract.entity.path) if contract.entity.path else example
            status = entity.get(contract.entity.status_field) if isinstance(entity, dict) else None
            if status is not None and status != contract.cancelled_status:
                out.add(f"the vendor's {code} cancel example shows status {status!r}, the contract "
                        f"{contract.cancelled_status!r}")
        else:
            schema_file = contract.error.schema_file
        out |= {f"the vendor's {code} example breaks {schema_file}: {e}"
                for e in schema_errors(schema_file, example, limit=50)}
        return out

    def _rendered(self, contract: Contract, schema: dict[str, Any]) -> set[str]:
        """The simulator's cancel body (rendered from the contract) against the vendor schema."""
        session = simulator_session(contract)
        try:
            link_id = session.client.link_id_of(session.client.create())
            body = session.client.cancel(link_id, pre_status=contract.initial_status).json
        finally:
            session.close()
        validator = Draft202012Validator(schema)
        return {f"the contract's cancel body breaks the vendor's response schema at "
                f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in validator.iter_errors(body)}


@dataclass
class CorpusGuard:
    """The vendor evidence corpus: published bodies and statements (``contracts/evidence/``)."""

    name: str = "corpus"

    def findings(self, contract: Contract) -> set[str]:
        """Contradictions between the contract and its provider's corpus (none without one)."""
        corpus = corpus_for(contract.provider)
        if corpus is None:
            return set()
        contradictions, _ = judge(contract, corpus)
        return {str(c) for c in contradictions}


def _register(guard: Guard) -> None:
    if all(g.name != guard.name for g in GUARDS):
        GUARDS.append(guard)


_register(OpenApiGuard())
_register(CorpusGuard())


@cache
def guard_rows(provider: str) -> tuple[GuardRow, ...]:
    """The guard table of a registered provider, computed once per process."""
    return tuple(guard_table(get_contract(provider)))


def unguarded(provider: str) -> list[Fact]:
    """The provider's judged facts that no independent evidence guards."""
    return [row.fact for row in guard_rows(provider) if not row.guarded]
