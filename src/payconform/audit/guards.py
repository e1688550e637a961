"""Guards: evidence a contract did not produce, judging a (possibly mutated) contract.

- ``openapi``: the vendor's own OpenAPI documents shipped in ``contracts/openapi/`` (response
  codes the vendor declares for the operation, required header parameters and security,
  response examples, response schemas against the simulator's rendering of the contract).
- ``corpus``: the vendor evidence corpus (``contracts/evidence/``), where it exists.
- ``sdk``: the official SDKs driven against the simulator of the contract (``audit/sdks.py``),
  where a probe exists and its SDK is installed (otherwise its facts are listed as unjudged).

Each guard returns contradictions as text; :func:`payconform.audit.contract_mutants.guard_table`
subtracts the faithful contract's findings, so only what a mutation causes kills it.
"""

from __future__ import annotations

import atexit
import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from payconform.audit.contract_mutants import GUARDS, Guard, GuardRow, guard_table
from payconform.audit.guard_cache import cached_rows
from payconform.audit.sdks import Target, probe_for
from payconform.audit.vendor_openapi import SchemaView, VendorDocument, documents_of
from payconform.lanes.base import simulator_session
from payconform.model.contract import Contract, Expectation, dotted_get
from payconform.model.evidence import corpus_for, judge
from payconform.model.facts import Fact, scenarios_of
from payconform.model.outcomes import Evidence, Outcome
from payconform.model.registry import BUNDLED_PACKAGE, contract_module, get_contract
from payconform.model.schemas import schema_errors, validator
from payconform.simulator.core import Simulator
from payconform.simulator.server import RunningServer, serve_in_thread

__all__ = ["CorpusGuard", "OpenApiGuard", "SdkGuard", "guard_rows", "unguarded", "vendor_documents"]

_SUCCESS = (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)


def vendor_documents(contract: Contract) -> dict[str, dict[str, Any]]:
    """The contract's vendor OpenAPI documents (``vendor_openapi``, else by provider) by name."""
    return {doc.name: doc.raw for doc in documents_of(contract)}


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


def _pointer(error: Any) -> str:
    return "/".join(map(str, error.absolute_path)) or "(root)"


@dataclass
class OpenApiGuard:
    """The vendor's OpenAPI documents: the cancel operation's declared statuses, credentials,
    headers and examples; the response schema of each status the contract states, against the
    contract's rendering of that answer (the one message of a status too); and the vendor's
    schemas of the link and of its errors, against the contract's JSON Schemas (types,
    enumerated values, required names)."""

    name: str = "openapi"

    def findings(self, contract: Contract) -> set[str]:
        """Contradictions between the contract and the vendor's OpenAPI documents."""
        out: set[str] = set()
        for doc in documents_of(contract):
            cancel = doc.operation(contract, contract.cancel.method, contract.cancel.path)
            found = self._schemas(doc, contract, cancel) | self._status_messages(doc, contract)
            if cancel is not None:
                found |= self._cancel(doc, cancel, contract)
            out |= {f"{doc.name}: {f}" for f in found}
        return out

    def _cancel(self, doc: VendorDocument, operation: dict[str, Any], contract: Contract
                ) -> set[str]:
        out: set[str] = set()
        responses: dict[str, Any] = operation.get("responses", {})
        declared = {int(code) for code in responses if code.isdigit()}
        wildcard = {code[0] for code in responses if code.upper().endswith("XX")}
        # A vendor that lists its success statuses answers any other one with ``default``.
        successes = {c for c in declared if 200 <= c < 300}
        for scenario in scenarios_of(contract):
            exp = scenario.expectation
            if exp.source.evidence is Evidence.UNVERIFIED:
                continue
            success = exp.outcome in _SUCCESS
            status = contract.cancel_success_status if success and scenario.where.startswith(
                "cancel:") else exp.http_status
            if status is None:
                continue
            if success and successes and "2" not in wildcard and status not in successes:
                out.add(f"{scenario.where}: the vendor's cancel succeeds with HTTP "
                        f"{sorted(successes)}, not {status}")
            if "default" in responses or str(status)[0] in wildcard:
                pass
            elif {c for c in declared if str(c)[0] == str(status)[0]} and status not in declared:
                out.add(f"{scenario.where}: the vendor declares no HTTP {status} for the cancel "
                        f"operation (it declares {sorted(declared)})")
            if not success:
                out |= self._refusal(doc, operation, contract, scenario.where, exp)
        params = [*operation.get("x-parameters", []), *operation.get("parameters", [])]
        required = {p.get("name", "").lower() for p in params
                    if isinstance(p, dict) and p.get("in") == "header" and p.get("required")}
        secured = bool(operation.get("security", doc.raw.get("security")))
        auth_headers = {h.lower() for h in contract.auth.headers} or {"authorization"}
        if (secured or required & auth_headers) and contract.auth.missing.outcome in _SUCCESS:
            out.add("auth:missing: the vendor requires credentials on the cancel operation")
        for header in contract.headers:
            probe = header.missing
            if header.name.lower() in required and probe is not None and (
                    probe.source.evidence is not Evidence.UNVERIFIED and probe.outcome in _SUCCESS):
                out.add(f"header:missing:{header.name}: the vendor marks it required")
        for code in responses:
            response = doc.response(operation, code)
            for example in _examples(response or {}):
                out |= self._example(contract, code, example)
        if not contract.cancel_no_body:
            out |= self._rendered(doc, operation, contract)
        return out

    def _refusal(self, doc: VendorDocument, operation: dict[str, Any], contract: Contract,
                 where: str, exp: Expectation) -> set[str]:
        """The contract's refusal body at ``where`` against the vendor's schema for its status."""
        # Without error fields the body is the template's filler, which states nothing.
        if exp.http_status is None or not exp.error or any(
                s is not None and s.evidence is Evidence.UNVERIFIED
                for s in (exp.http_status_source, exp.error_source)):
            return set()
        answer = doc.response_for(operation, exp.http_status)
        schema = doc.schema(answer[1]) if answer is not None else None
        if answer is None or schema is None:
            return set()
        body = Simulator(contract).refusal(exp.played, "payconform-guard-id").body
        return {f"{where}: the contract's HTTP {exp.http_status} body breaks the vendor's "
                f"{answer[0]} response schema at {_pointer(e)}: {e.message}"
                for e in doc.validator(schema).iter_errors(body)}

    def _status_messages(self, doc: VendorDocument, contract: Contract) -> set[str]:
        """The simulator's own refusal of each status with one documented message (a malformed
        create, ``ErrorSpec.status_messages``) against the vendor's schema for that status."""
        op = contract.create.operation
        create = doc.operation(contract, op.method, op.path)
        out: set[str] = set()
        for status in sorted(contract.error.status_messages):
            answer = doc.response_for(create, status) if create is not None else None
            schema = doc.schema(answer[1]) if answer is not None else None
            if answer is None or schema is None:
                continue
            body = Simulator(contract).error_response(status, "payconform guard").body
            out |= {f"error-message:{status}: the contract's HTTP {status} body breaks the "
                    f"vendor's {answer[0]} response schema at {_pointer(e)}: {e.message}"
                    for e in doc.validator(schema).iter_errors(body)}
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

    def _rendered(self, doc: VendorDocument, operation: dict[str, Any], contract: Contract
                  ) -> set[str]:
        """The simulator's answer to a cancel of a new link (rendered from the contract), when
        it is a success, against the vendor's response schema for its status."""
        session = simulator_session(contract)
        try:
            link_id = session.client.link_id_of(session.client.create())
            answer = session.client.cancel(link_id, pre_status=contract.initial_status)
        finally:
            session.close()
        # A refused cancel is judged by the scenario's own refusal check, not by a 2xx schema.
        response = doc.response_for(operation, answer.status) if (
            200 <= answer.status < 300) else None
        schema = doc.schema(response[1]) if response is not None else None
        if response is None or schema is None:
            return set()
        return {f"the contract's cancel body breaks the vendor's {response[0]} response schema "
                f"at {_pointer(e)}: {e.message}"
                for e in doc.validator(schema).iter_errors(answer.json)}

    def _schemas(self, doc: VendorDocument, contract: Contract,
                 cancel: dict[str, Any] | None) -> set[str]:
        """The contract's schemas against the vendor's: the link (every 2xx answer of create,
        fetch and cancel) and the error (every other answer of the cancel)."""
        def answers(operation: dict[str, Any] | None, success: bool) -> list[dict[str, Any]]:
            out = []
            for code in (operation or {}).get("responses", {}):
                response = doc.response(operation or {}, code)
                schema = doc.schema(response) if response is not None else None
                if schema is not None and code.startswith("2") == success:
                    out.append(schema)
            return out

        # A cancel that answers something other than the link is judged by its own schema.
        answered = (contract.create.operation, contract.fetch) if (
            contract.cancel_response is not None) else (
            contract.create.operation, contract.fetch, contract.cancel)
        link = [s for op in answered
                for s in answers(doc.operation(contract, op.method, op.path), True)]
        pairs = [(v.entity_schema_file, link) for v in contract.api_versions]
        if contract.cancel_response is not None:
            pairs.append((contract.cancel_response.schema_file, answers(cancel, True)))
        pairs.append((contract.error.schema_file, answers(cancel, False)))
        out: set[str] = set()
        for file, vendor in dict(pairs).items():
            if vendor:
                out |= {f"{file}{p}: {m}" for p, m in
                        _compare(validator(file).schema, doc.view(vendor), "#")}
        return out


def _compare(node: Any, vendor: SchemaView, pointer: str) -> Iterator[tuple[str, str]]:
    """Where the contract schema ``node`` contradicts what the vendor states at the same place:
    a type the vendor never gives, a value the vendor lists that it does not admit, a field it
    describes but leaves optional that the vendor requires."""
    if not isinstance(node, dict):
        return
    kinds = vendor.types()
    if "type" in node and kinds:
        mine = {node["type"]} if isinstance(node["type"], str) else set(node["type"])
        mine |= {"integer"} if "number" in mine else set()
        if mine - {"null"} and kinds - {"null"} and not (mine - {"null"}) & kinds:
            yield pointer, (f"type {sorted(mine)}, where the vendor gives {sorted(kinds)}")
    values = vendor.values()
    admitted = ({json.dumps(v, sort_keys=True) for v in node["enum"]} if "enum" in node
                else {json.dumps(node["const"], sort_keys=True)} if "const" in node else None)
    if values is not None and admitted is not None:
        for value in sorted(values - admitted):
            yield pointer, f"the vendor lists {value}, which the contract does not admit"
    described = set(node.get("properties") or {})
    for name in sorted((vendor.required() & described) - set(node.get("required") or [])):
        yield pointer, f"the vendor requires {name!r}, which the contract leaves optional"
    for name, child in (node.get("properties") or {}).items():
        view = vendor.child("properties", name)
        if view is not None:
            yield from _compare(child, view, f"{pointer}/properties/{name}")
    for keyword in ("items", "additionalProperties"):
        view = vendor.child(keyword) if isinstance(node.get(keyword), dict) else None
        if view is not None:
            yield from _compare(node[keyword], view, f"{pointer}/{keyword}")


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


@dataclass
class SdkGuard:
    """The official SDKs' behaviour against the simulator of the contract (``audit/sdks.py``).

    One simulator is served per provider for the whole table; each contract (mutant) gets a
    fresh simulator on that socket. Only the facts a probe's scenarios reach are judged, and a
    contract whose answers are unchanged (a schema mutant) reuses the findings.
    """

    name: str = "sdk"
    _servers: dict[str, RunningServer] = field(default_factory=dict)
    _seen: dict[str, set[str]] = field(default_factory=dict)

    def observes(self, contract: Contract, fact: Fact) -> bool:
        """Whether a probe of this contract reaches the fact's scenario, of a kind it sees."""
        probe = probe_for(contract.provider)
        return probe is not None and probe.observes(fact.where, fact.kind)

    def unavailable(self, contract: Contract) -> str | None:
        """Why the SDK cannot judge (its package is not installed), or None."""
        probe = probe_for(contract.provider)
        if probe is None or probe.installed():
            return None
        return f"{probe.package} is not installed (pip install 'payconform[sdk]')"

    def fingerprint(self, contract: Contract) -> str:
        """What the guard's judgement depends on besides the contract: the SDK's version."""
        probe = probe_for(contract.provider)
        if probe is None or not probe.installed():
            return "none"
        try:
            return f"{probe.package}=={metadata.version(probe.package)}"
        except metadata.PackageNotFoundError:  # importable but not installed as a distribution
            return f"{probe.package} (unversioned)"

    def findings(self, contract: Contract) -> set[str]:
        """Where the SDK behaves otherwise than its own code says, against this contract."""
        probe = probe_for(contract.provider)
        if probe is None or not probe.installed():
            return set()
        key = contract.model_dump_json()
        if key not in self._seen:
            server = self._servers.get(contract.provider)
            if server is None:
                server = self._servers[contract.provider] = serve_in_thread(Simulator(contract))
            assert server.app is not None
            server.app.simulator = Simulator(contract)
            self._seen[key] = set(probe.run(Target(contract, server.origin, server.base_url)))
        return self._seen[key]

    def close(self) -> None:
        """Stop every served simulator."""
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


def _register(guard: Guard) -> None:
    if all(g.name != guard.name for g in GUARDS):
        GUARDS.append(guard)


_register(OpenApiGuard())
_register(CorpusGuard())
_SDK = SdkGuard()
_register(_SDK)
atexit.register(_SDK.close)


@cache
def guard_rows(provider: str) -> tuple[GuardRow, ...]:
    """The guard table of a registered provider, computed once per process and kept on disk
    until anything it reads changes (:mod:`payconform.audit.guard_cache`)."""
    contract = get_contract(provider)
    return cached_rows(contract, list(GUARDS), _sources(provider),
                       lambda: guard_table(contract))


def _sources(provider: str) -> list[Path]:
    """What a provider's guard table reads besides the contract object: payconform's own code,
    the bundled contracts with their schemas and vendor material, and for a contract of one's
    own its module with the schemas beside it."""
    import payconform

    bundled = importlib.import_module(BUNDLED_PACKAGE)
    sources = [Path(payconform.__file__).parent, *map(Path, bundled.__path__)]
    origin = getattr(contract_module(provider), "__file__", None)
    if origin:
        module = Path(origin).resolve()
        sources += [module, module.parent / "schemas", *sorted(module.parent.glob("*.json"))]
    return sources


def unguarded(provider: str) -> list[Fact]:
    """The provider's judged facts that no independent evidence guards."""
    return [row.fact for row in guard_rows(provider) if not row.guarded]
