"""An OpenAPI 3.1 document derived from a contract: ``payconform openapi PROVIDER``.

The document is tight: create answers the initial status, cancel the cancelled one, fetch
any declared status; bodies are the contract's JSON Schemas; every error status the
contract expects (or, for unverified facts, the candidates) is declared with the error
schema; headers the simulator enforces are required, with their documented format; auth
is a security scheme; links lead from create to fetch and cancel, and from cancel to fetch
(schemathesis's stateful phase follows them). ``info.x-payconform-provider`` names the
contract, so payconform's schemathesis checks know which rules to apply.

What a vendor-neutral OpenAPI cannot say (which statuses may be cancelled, what a repeated
cancel does, that a refusal changes nothing) stays in payconform's checks
(:mod:`payconform.properties.checks`).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from typing import Any

from payconform.model.contract import Contract, CreateSpec, Expectation, load_schema
from payconform.model.outcomes import Outcome, StatusKind

__all__ = ["ACTIVATION_ID", "OPERATION_IDS", "export", "register_openapi", "validate"]

OPERATION_IDS = {"create": "createLink", "fetch": "fetchLink", "cancel": "cancelLink"}
#: The operation that makes a new link cancellable, where the contract has one.
ACTIVATION_ID = "activateLink"
_SUCCESS = (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)


def _lift(schema: dict[str, Any], name: str, components: dict[str, Any]) -> dict[str, Any]:
    """Move a JSON Schema into components, turning its ``$defs`` into sibling components."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node = {**node, "$ref": f"#/components/schemas/{name}_{ref[len('#/$defs/'):]}"}
            return {k: rewrite(v) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    for def_name, def_schema in defs.items():
        components[f"{name}_{def_name}"] = rewrite(def_schema)
    components[name] = rewrite(schema)
    return {"$ref": f"#/components/schemas/{name}"}


def _shows(contract: Contract, name: str) -> dict[str, Any]:
    """A schema for an entity that shows the status ``name`` through its ``Status.fields``."""
    fields = contract.status(name).fields
    props = {k: ({"not": {"type": "null"}} if isinstance(v, str) and v.startswith("$")
                 else {"const": v}) for k, v in fields.items() if "." not in k}
    required = [k for k, v in fields.items() if "." not in k and v is not None]
    return {"properties": props, "required": required}


def _with_status(contract: Contract, base: dict[str, Any], statuses: list[str]) -> dict[str, Any]:
    """``base`` with the entity's status (its status field, or its status fields) restricted to
    ``statuses``."""
    field = contract.entity.status_field
    if field is None and not contract.status_keys:
        return base  # the link carries no status
    if field is None:
        options = [_shows(contract, s) for s in statuses]
        constraint: dict[str, Any] = options[0] if len(options) == 1 else {"anyOf": options}
    else:
        status: dict[str, Any] = {"enum": statuses} if len(statuses) > 1 else {"const": statuses[0]}
        constraint = {"properties": {field: status}, "required": [field]}
    for part in reversed([p for p in contract.entity.path.split(".") if p]):
        constraint = {"properties": {part: constraint}, "required": [part]}
    return {"allOf": [base, constraint]}


def _pointer(contract: Contract, field: str) -> str:
    parts = [p for p in contract.entity.path.split(".") if p] + field.split(".")
    return "#/" + "/".join(parts)


def _expectations(contract: Contract, operation: str) -> list[Expectation]:
    """Expectations whose refusals an operation can answer with."""
    out: list[Expectation] = [contract.auth.missing, contract.auth.invalid]
    for header in contract.headers:
        out.extend(e for e in (header.missing, header.invalid) if e is not None)
    if operation in ("fetch", "cancel"):
        out.append(contract.unknown_id)
    if operation == "fetch" and contract.cancelled_fetch is not None:
        out.append(contract.cancelled_fetch)
    if operation == "cancel":
        out.extend(contract.cancel_outcomes.values())
        out.append(contract.repeat_cancel)
        out.extend(v.cancel for v in contract.variants)
    return out


def _error_statuses(contract: Contract, operation: str) -> dict[int, set[str]]:
    """HTTP status -> the documented error codes an operation may answer with."""
    statuses: dict[int, set[str]] = {}
    for expectation in _expectations(contract, operation):
        behaviours = [*expectation.candidates, expectation.played]
        for behaviour in behaviours:
            if behaviour.outcome in _SUCCESS:
                continue
            code = behaviour.error.get(contract.error.code_field, "")
            statuses.setdefault(behaviour.http_status or 400, set()).add(code)
        if expectation.source.evidence.value != "unverified" and expectation.outcome not in _SUCCESS:
            code = expectation.error.get(contract.error.code_field, "")
            statuses.setdefault(expectation.http_status or 400, set()).add(code)
    if operation == "create":
        # Malformed create requests (missing amount, duplicate client id) are refused.
        statuses.setdefault(400, set())
        if contract.create.id_from is not None:
            statuses.setdefault(409, set())
    return statuses


def _header_parameters(contract: Contract) -> list[dict[str, Any]]:
    params = []
    for header in contract.headers:
        refused_when_missing = header.missing is not None and header.missing.played.outcome not in _SUCCESS
        schema: dict[str, Any] = {"type": "string"}
        if header.invalid is not None:  # only formats the contract says are enforced
            if header.pattern:
                schema["pattern"] = f"^(?:{header.pattern})$"
            if header.max_length:
                schema.update(minLength=1, maxLength=header.max_length)
            if header.known_values:
                schema["enum"] = list(header.known_values)
        if header.value == "api_version":
            schema["examples"] = [contract.default_api_version]
        elif header.value not in ("uuid", "timestamp"):
            schema["enum"] = [header.value]
        params.append({
            "name": header.name, "in": "header", "required": header.required or refused_when_missing,
            "description": f"{header.source.citation} [{header.source.evidence.value}]",
            "schema": schema,
        })
    return params


def _request_schema(contract: Contract, spec: CreateSpec) -> dict[str, Any]:
    """The create body: the template, with placeholders typed and literals fixed."""
    limit = spec.id_max_length or 40

    def typed(node: Any) -> dict[str, Any]:
        if isinstance(node, dict):
            return {"type": "object", "properties": {k: typed(v) for k, v in node.items()},
                    "required": list(node), "additionalProperties": False}
        if isinstance(node, str) and node.startswith("$") and not node.startswith("${"):
            placeholders: dict[str, dict[str, Any]] = {
                "new_id": {"type": "string", "pattern": f"^[A-Za-z0-9_-]{{8,{limit}}}$"},
                "amount": {"type": "integer", "minimum": 100, "maximum": 10_000_000},
                "amount_decimal": {"type": "string", "pattern": "^[1-9][0-9]{0,4}\\.[0-9]{2}$"},
                "currency": {"const": spec.currency},
                "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 64},
                "run_tag": {"type": "string", "pattern": "^payconform[A-Za-z0-9-]{0,20}$"},
                "expire_at": {"type": "integer", "minimum": 4_102_444_800, "maximum": 4_200_000_000},
            }
            return placeholders.get(node[1:], {"type": "string"})
        if isinstance(node, str) and "${" in node:
            return {"type": "string"}
        return {"const": node}

    return typed(spec.body)


def _security(contract: Contract) -> tuple[dict[str, Any], list[dict[str, list[str]]]]:
    auth = contract.auth
    if auth.scheme == "headers":
        schemes: dict[str, Any] = {
            f"header_{h.replace('-', '_')}": {"type": "apiKey", "in": "header", "name": h}
            for h in auth.headers}
        requirement: dict[str, list[str]] = {name: [] for name in schemes}
        return schemes, [requirement]
    if auth.scheme == "basic":
        return {"basic": {"type": "http", "scheme": "basic"}}, [{"basic": []}]
    token = (f"client-credentials token from {auth.token_endpoint.path}" if auth.token_endpoint
             else "a static access token")
    return ({"bearer": {"type": "http", "scheme": "bearer", "description": token}},
            [{"bearer": []}])


def export(contract: Contract, api_version: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``contract`` under one API version (default: the default)."""
    version = contract.api_version(api_version)
    schemas: dict[str, Any] = {}
    entity = _lift(load_schema(version.entity_schema_file), "Link", schemas)
    error = _lift(load_schema(contract.error.schema_file), "Error", schemas)
    security_schemes, security = _security(contract)
    id_param = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "string", "minLength": 1,
                           **({"maxLength": contract.create.id_max_length}
                              if contract.create.id_max_length else {})}}
    id_pointer = _pointer(contract, contract.entity.id_field)
    follow = {name: {"operationId": OPERATION_IDS[name],
                     "parameters": {"id": f"$response.body{id_pointer}"}} for name in ("fetch", "cancel")}
    headers = _header_parameters(contract)

    def errors(operation: str) -> dict[str, Any]:
        return {
            str(status): {
                "description": "refused; documented codes: " + (", ".join(sorted(c for c in codes if c))
                                                                  or "(none named)"),
                "content": {contract.content_type: {"schema": error}},
            }
            for status, codes in sorted(_error_statuses(contract, operation).items())
        }

    def success(description: str, statuses: list[str], links: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"description": description, "content": {
            contract.content_type: {"schema": _with_status(contract, entity, statuses)}}}
        if links:
            body["links"] = links
        return body

    request_type = ("application/x-www-form-urlencoded" if contract.body_encoding == "form"
                    else "application/json")
    # A deleted link is gone (a fetch answers the contract's ``gone``), so no body shows it.
    readable = [s.name for s in contract.statuses if s.kind is not StatusKind.DELETED]
    create = contract.create
    operations: dict[str, dict[str, Any]] = {
        create.operation.url_path(version=version.name): {create.operation.method.lower(): {
            "operationId": OPERATION_IDS["create"],
            "summary": f"create a link ({create.source.citation})",
            "parameters": headers,
            "requestBody": {"required": True, "content": {request_type: {
                "schema": _request_schema(contract, create)}}},
            "responses": {
                str(create.success_status): success(
                    f"created in {contract.created_status}", [contract.created_status],
                    {**follow, **({"activate": {"operationId": ACTIVATION_ID,
                                                "parameters": {"id": f"$response.body{id_pointer}"}}}
                                  if contract.activation else {})}),
                **errors("create")},
        }},
    }
    fetch_path = contract.fetch.url_path("{id}", version.name)
    operations.setdefault(fetch_path, {})[contract.fetch.method.lower()] = {
        "operationId": OPERATION_IDS["fetch"],
        "summary": f"fetch a link ({contract.fetch_source.citation})",
        "parameters": [id_param, *headers],
        "responses": {"200": success("the link", readable, {}), **errors("fetch")},
    }
    cancelled: dict[str, Any] = success(
        f"cancelled: {contract.cancelled_status}", [contract.cancelled_status],
        {"fetch": follow["fetch"]})
    if contract.cancel_no_body:
        cancelled = {"description": f"cancelled: {contract.cancelled_status}, no body",
                     "links": {"fetch": follow["fetch"]}}
    if contract.cancel_response is not None:
        # The answer is not the link: its own schema, and the link id at its own field.
        answer = _lift(load_schema(contract.cancel_response.schema_file), "CancelResult", schemas)
        cancelled = {"description": f"cancelled ({contract.cancel_response.source.citation})",
                     "content": {"application/json": {"schema": answer}},
                     "links": {"fetch": {"operationId": OPERATION_IDS["fetch"], "parameters": {
                         "id": f"$response.body#/{contract.cancel_response.id_field}"}}}}
    if contract.activation is not None:
        activation = contract.activation
        activate_path = activation.operation.url_path("{id}", version.name)
        operations.setdefault(activate_path, {})[activation.operation.method.lower()] = {
            "operationId": ACTIVATION_ID,
            "summary": f"make a new link cancellable ({activation.source.citation})",
            "parameters": [id_param, *headers],
            **({"requestBody": {"required": True, "content": {request_type: {
                "schema": {"const": activation.body}}}}} if activation.body is not None else {}),
            "responses": {str(activation.success_status): {
                "description": f"{activation.from_status} -> {contract.initial_status}",
                "links": {"cancel": {"operationId": OPERATION_IDS["cancel"],
                                     "parameters": {"id": "$request.path.id"}}}},
                **errors("fetch")},
        }
    cancel: dict[str, Any] = {
        "operationId": OPERATION_IDS["cancel"],
        "summary": f"cancel a link ({contract.cancel_source.citation})",
        "description": "Cancellable statuses: " + ", ".join(contract.cancellable_statuses)
                       + f"; a repeated cancel: {contract.repeat_cancel.played.label}"
                       + f" ({contract.repeat_cancel.source.evidence.value}).",
        "parameters": [id_param, *headers],
        "responses": {str(contract.cancel_success_status): cancelled, **errors("cancel")},
    }
    if contract.cancel_body is not None:
        cancel["requestBody"] = {"required": True, "content": {request_type: {
            "schema": {"const": contract.cancel_body}}}}
    cancel_path = contract.cancel.url_path("{id}", version.name)
    operations.setdefault(cancel_path, {})[contract.cancel.method.lower()] = cancel
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{contract.display_name}: payment-link cancel (payconform contract)",
            "version": version.name,
            "description": contract.summary,
            "x-payconform-provider": contract.provider,
        },
        "servers": [{"url": contract.base_urls["sandbox"]}],
        "security": security,
        "paths": operations,
        "components": {"schemas": schemas, "securitySchemes": security_schemes},
    }


def validate(document: dict[str, Any]) -> None:
    """Raise if ``document`` is not a valid OpenAPI 3.1 document (openapi-spec-validator)."""
    from openapi_spec_validator import validate as _validate

    _validate(document)


def register_openapi(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("openapi", help="export a contract as an OpenAPI 3.1 document")
    parser.add_argument("provider")
    parser.add_argument("--api-version", default=None, help="default: the contract's default")
    parser.add_argument("--server", default=None,
                        help="server URL to put in the document (e.g. a served simulator)")
    parser.set_defaults(func=_cmd_openapi)


def _cmd_openapi(args: argparse.Namespace) -> int:
    from payconform.model.registry import get_contract

    contract = get_contract(args.provider)
    versions = [v.name for v in contract.api_versions]
    if args.api_version is not None and args.api_version not in versions:
        print(f"payconform: {contract.provider} has no API version {args.api_version!r}; known: "
              f"{', '.join(versions)}", file=sys.stderr)
        return 4  # usage error, as every payconform command
    document = export(contract, args.api_version)
    if args.server:
        document["servers"] = [{"url": args.server}]
    validate(document)
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
