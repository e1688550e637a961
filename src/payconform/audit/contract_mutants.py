"""Contract mutants: change one fact of a contract and see whether independent evidence notices.

The simulator, the rules and the simulator cassettes all follow the contract, so a wrong fact
in a contract is invisible to them. Here each fact of a contract (an HTTP status, an error
field, a refused status, the cancelled status and its timestamp, a header rule) is changed
on its own into a plausible wrong value, and every **guard** (evidence the contract did not
produce: the vendor evidence corpus, vendor OpenAPI documents, official SDK behaviour) judges
the mutated contract. A guard kills a mutant when it finds a contradiction the faithful
contract does not have. A fact no guard kills is **unguarded**: its verdicts rest only on the
contract's citation.

Guards are plain objects in :data:`GUARDS` (``name`` + ``findings(contract)``); other modules
may append to it. A guard that can judge only some facts, and only when something optional is
installed, also says which facts it observes (``observes(contract, fact)``) and why it cannot
judge a contract (``unavailable(contract)``): those facts are then listed as unjudged by it,
with the reason, never passed silently.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from payconform.model.contract import Contract, Expectation, Source, inferred, load_schema
from payconform.model.facts import Fact, fact_id, facts_of
from payconform.model.outcomes import Evidence, Outcome
from payconform.model.schemas import schema_overrides

__all__ = [
    "GUARDS",
    "ContractMutant",
    "Guard",
    "GuardRow",
    "contract_mutants_for",
    "guard_table",
    "unguarded_facts",
]

#: Fact kinds that are engine semantics (a refusal changes nothing, a cancel persists), not
#: contract fields: there is nothing in the contract to change.
ENGINE_KINDS = ("unchanged", "stays-cancelled", "persists", "restores", "cancelled-link")


class Guard(Protocol):
    """Independent evidence that judges a contract: every contradiction it finds, as text."""

    name: str

    def findings(self, contract: Contract) -> set[str]:
        """Contradictions between ``contract`` and this evidence (empty: none)."""


@dataclass(frozen=True)
class ContractMutant:
    """``contract`` with ``fact`` changed as ``description`` says (``schemas``: changed files)."""

    fact: Fact
    description: str
    contract: Contract
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class GuardRow:
    """One fact of one provider: which guards kill its contract mutant (empty: unguarded)."""

    provider: str
    fact: Fact
    mutant: str
    killed_by: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    #: Guards that observe this fact but could not judge it here: ``"<guard>: <reason>"``.
    unjudged: tuple[str, ...] = ()

    @property
    def guarded(self) -> bool:
        """Whether some independent evidence contradicts the mutated fact."""
        return bool(self.killed_by)


# ---- changing one expectation -------------------------------------------------------------------


def replace_expectation(contract: Contract, where: str, new: Expectation) -> Contract:
    """``contract`` with the expectation at scenario ``where`` replaced by ``new``."""
    kind, _, rest = where.partition(":")
    if kind == "cancel":
        return contract.model_copy(update={"cancel_outcomes": {**contract.cancel_outcomes,
                                                               rest: new}})
    if kind == "repeat":
        return contract.model_copy(update={"repeat_cancel": new})
    if kind == "unknown-id":
        return contract.model_copy(update={"unknown_id": new})
    if kind == "auth":
        return contract.model_copy(update={"auth": contract.auth.model_copy(update={rest: new})})
    if kind == "variant":
        variants = tuple(v.model_copy(update={"cancel": new}) if v.name == rest else v
                         for v in contract.variants)
        return contract.model_copy(update={"variants": variants})
    if kind == "header":
        problem, _, name = rest.partition(":")
        slot = "missing" if problem == "missing" else "invalid"
        headers = tuple(h.model_copy(update={slot: new}) if h.name == name else h
                        for h in contract.headers)
        return contract.model_copy(update={"headers": headers})
    raise KeyError(f"{contract.provider}: no scenario {where!r}")


def expectation_at(contract: Contract, where: str) -> Expectation:
    """The expectation at scenario ``where`` (the inverse of :func:`replace_expectation`)."""
    kind, _, rest = where.partition(":")
    if kind == "cancel":
        return contract.cancel_outcomes[rest]
    if kind == "repeat":
        return contract.repeat_cancel
    if kind == "unknown-id":
        return contract.unknown_id
    if kind == "auth":
        exp: Expectation = getattr(contract.auth, rest)
        return exp
    if kind == "variant":
        return contract.variant(rest).cancel
    problem, _, name = rest.partition(":")
    header = next(h for h in contract.headers if h.name == name)
    found = header.missing if problem == "missing" else header.invalid
    if found is None:
        raise KeyError(f"{contract.provider}: no scenario {where!r}")
    return found


#: A plausible wrong HTTP status for each one a contract states.
_OTHER_STATUS = {200: 201, 201: 200, 400: 422, 401: 403, 403: 401, 404: 400, 409: 400, 422: 400}
#: A plausible wrong refusal for each refusal outcome.
_OTHER_REFUSAL = {Outcome.NOT_CANCELLABLE: Outcome.INVALID_REQUEST,
                  Outcome.NOT_FOUND: Outcome.INVALID_REQUEST,
                  Outcome.UNAUTHORIZED: Outcome.INVALID_REQUEST,
                  Outcome.INVALID_REQUEST: Outcome.NOT_CANCELLABLE,
                  Outcome.REJECTED: Outcome.NOT_CANCELLABLE}


def _altered(value: str) -> str:
    return f"{value} (altered)" if " " in value else f"{value}_altered"


def _expectation_mutant(contract: Contract, fact: Fact) -> ContractMutant | None:
    if fact.kind == "replay" and fact.where.partition(":")[2] == contract.create.idempotency_field:
        create = contract.create.model_copy(update={"idempotency_field": None})
        return ContractMutant(fact, f"{fact.where.partition(':')[2]} is not an idempotency key",
                              contract.model_copy(update={"create": create}))
    if fact.kind == "replay":
        name = fact.where.partition(":")[2]
        headers = tuple(h.model_copy(update={"idempotency_key": False}) if h.name == name else h
                        for h in contract.headers)
        return ContractMutant(fact, f"{name} is not an idempotency key",
                              contract.model_copy(update={"headers": headers}))
    if fact.kind == "restores":  # the undo of a cancel is a Reversal, not an expectation
        return None
    if fact.kind == "message":  # an ErrorSpec.status_messages entry
        status = int(fact.where.partition(":")[2])
        value = _altered(contract.error.status_messages[status])
        error = contract.error.model_copy(update={
            "status_messages": {**contract.error.status_messages, status: value}})
        return ContractMutant(fact, f"the HTTP {status} message is {value!r}",
                              contract.model_copy(update={"error": error}))
    exp = expectation_at(contract, fact.where)
    kind = fact.kind
    if kind in ("refused", "outcome") and not exp.is_success and (
            kind == "refused" or exp.outcome_source is None):
        success = Outcome.ALREADY_CANCELLED if fact.where == "repeat" else Outcome.CANCELLED
        new = exp.model_copy(update={"outcome": success, "outcome_source": None,
                                     "http_status": contract.cancel_success_status,
                                     "error": {}, "candidates": ()})
        return ContractMutant(fact, "the contract says the request succeeds",
                              replace_expectation(contract, fact.where, new))
    if kind == "outcome" and exp.is_success:
        new = exp.model_copy(update={"outcome": Outcome.NOT_CANCELLABLE, "http_status": 400,
                                     "noop": False})
        return ContractMutant(fact, "the contract says the cancel is refused",
                              replace_expectation(contract, fact.where, new))
    if kind == "outcome":
        other = _OTHER_REFUSAL[exp.outcome]
        return ContractMutant(fact, f"the contract reads the refusal as {other.value}",
                              replace_expectation(contract, fact.where,
                                                  exp.model_copy(update={"outcome": other})))
    if kind == "http-status":
        stated = int(fact.expected)
        other_status = _OTHER_STATUS.get(stated, 400)
        new = exp.model_copy(update={"http_status": other_status})
        mutated = replace_expectation(contract, fact.where, new)
        if fact.where.startswith("cancel:") and exp.is_success:
            mutated = mutated.model_copy(update={"cancel_success_status": other_status})
        return ContractMutant(fact, f"HTTP {other_status} instead of {stated}", mutated)
    if kind == "error":
        value = _altered(exp.error[fact.key])
        new = exp.model_copy(update={"error": {**exp.error, fact.key: value}})
        return ContractMutant(fact, f"error {fact.key} {value!r}",
                              replace_expectation(contract, fact.where, new))
    if kind == "noop":
        return ContractMutant(fact, "the contract says a repeat cancel may change the link",
                              replace_expectation(contract, fact.where,
                                                  exp.model_copy(update={"noop": False})))
    if kind == "cancelled-status":
        renamed = f"{contract.cancelled_status}_ALTERED"
        statuses = tuple(s.model_copy(update={"name": renamed}) if s.name == contract.cancelled_status
                         else s for s in contract.statuses)
        return ContractMutant(fact, f"the cancelled status is {renamed!r}",
                              contract.model_copy(update={"statuses": statuses,
                                                          "cancelled_status": renamed}))
    if kind == "side-effect":
        effect = contract.side_effect(fact.key)
        value = _altered(effect.values[contract.cancelled_status])
        changed = effect.model_copy(update={"values": {**effect.values,
                                                       contract.cancelled_status: value}})
        effects = tuple(changed if e.name == effect.name else e for e in contract.side_effects)
        return ContractMutant(fact, f"the cancel leaves the {effect.name} {value!r}",
                              contract.model_copy(update={"side_effects": effects}))
    if kind == "cancelled-at" and contract.entity.cancelled_at_field:
        renamed = f"{contract.entity.cancelled_at_field}_altered"
        template = {renamed if k == contract.entity.cancelled_at_field else k: v
                    for k, v in contract.entity.template.items()}
        entity = contract.entity.model_copy(update={"cancelled_at_field": renamed,
                                                    "template": template})
        return ContractMutant(fact, f"the cancel timestamp is {renamed!r}",
                              contract.model_copy(update={"entity": entity}))
    return None


def contract_mutants_for(contract: Contract) -> Iterator[ContractMutant]:
    """One mutant per contract fact a guard can judge, then one per schema constraint."""
    for fact in facts_of(contract):
        if fact.evidence is Evidence.UNVERIFIED or fact.kind in ENGINE_KINDS:
            continue
        if fact.where.startswith("schema:"):
            continue  # schema constraints are mutated one by one below
        mutant = _expectation_mutant(contract, fact)
        if mutant is not None:
            yield mutant
    yield from schema_mutants(contract)


# ---- changing one schema constraint ------------------------------------------------------------

_OTHER_TYPE = {"string": "integer", "integer": "string", "number": "string", "boolean": "string",
               "object": "array", "array": "object", "null": "string"}


def _schema_files(contract: Contract) -> list[tuple[str, str, Source]]:
    """(file, rule, source) of every schema the contract names, each file once."""
    out: dict[str, tuple[str, str, Source]] = {}
    for version in contract.api_versions:
        out.setdefault(version.entity_schema_file,
                       (version.entity_schema_file, "schema.success", version.source))
    out.setdefault(contract.error.schema_file,
                   (contract.error.schema_file, "schema.error", contract.error.source))
    return list(out.values())


def _walk(node: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema (JSON pointer, node) under ``node``."""
    if not isinstance(node, dict):
        return
    yield pointer, node
    for key in ("properties", "patternProperties", "$defs", "definitions"):
        for name, child in (node.get(key) or {}).items():
            yield from _walk(child, f"{pointer}/{key}/{name}")
    for key in ("items", "additionalProperties", "not", "if", "then", "else"):
        if isinstance(node.get(key), dict):
            yield from _walk(node[key], f"{pointer}/{key}")
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for i, child in enumerate(node.get(key) or []):
            yield from _walk(child, f"{pointer}/{key}/{i}")


def _constraint_source(node: dict[str, Any], keyword: str, name: str, default: Source) -> Source:
    """A constraint's source: inferred where the schema marks it (``x-inferred``), else the file's."""
    marks = node.get("x-inferred") or {}
    reason = marks.get(keyword) if isinstance(marks, dict) else None
    if isinstance(reason, dict):
        reason = reason.get(name)
    if isinstance(reason, str) and len(reason) >= 3:
        return inferred(reason)
    return default


def _at(schema: dict[str, Any], pointer: str) -> dict[str, Any]:
    node: Any = schema
    for part in [p for p in pointer.split("/") if p and p != "#"]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    found: dict[str, Any] = node
    return found


def schema_mutants(contract: Contract) -> Iterator[ContractMutant]:
    """One mutant per constraint (type, each enum value, const, pattern, each required name)."""
    for file, rule_id, default in _schema_files(contract):
        original = load_schema(file)
        for pointer, node in _walk(original, "#"):
            changes: list[tuple[str, str, str, Any]] = []  # keyword, key, description, new node
            kind = node.get("type")
            if isinstance(kind, str) and kind in _OTHER_TYPE:
                changes.append(("type", "", f"type {_OTHER_TYPE[kind]}", {"type": _OTHER_TYPE[kind]}))
            elif isinstance(kind, list):
                moved = [_OTHER_TYPE.get(t, t) if t != "null" else t for t in kind]
                changes.append(("type", "", f"type {moved}", {"type": moved}))
            for value in node.get("enum") or []:
                rest = [v for v in node["enum"] if v != value] or [f"{value}_altered"]
                changes.append(("enum", str(value), f"enum without {value!r}", {"enum": rest}))
            if "const" in node:
                changes.append(("const", "", f"const {node['const']!r} altered",
                                {"const": f"{node['const']}_altered"}))
            if isinstance(node.get("pattern"), str):
                changes.append(("pattern", "", "a pattern no value matches", {"pattern": "^(?!)"}))
            for name in node.get("required") or []:
                changes.append(("required", str(name), f"{name!r} not required",
                                {"required": [n for n in node["required"] if n != name]}))
            for keyword, key, description, update in changes:
                where = f"schema:{file}{pointer}"
                fact = Fact(fact_id(where, keyword, key), where, keyword, key, rule_id,
                            _constraint_source(node, keyword, key, default), description)
                mutated = copy.deepcopy(original)
                _at(mutated, pointer).update(update)
                yield ContractMutant(fact, description, contract, {file: mutated})


# ---- the guard table ----------------------------------------------------------------------------

#: Every guard that judges contract mutants (see :mod:`payconform.audit.guards`).
GUARDS: list[Guard] = []


def guard_table(contract: Contract, guards: list[Guard] | None = None,
                mutants: Callable[[Contract], Iterator[ContractMutant]] = contract_mutants_for
                ) -> list[GuardRow]:
    """Which guards kill each contract mutant of ``contract`` (baseline findings subtracted)."""
    chosen = GUARDS if guards is None else guards
    missing = {guard.name: _unavailable(guard, contract) for guard in chosen}
    judging = [guard for guard in chosen if missing[guard.name] is None]
    baseline = {guard.name: guard.findings(contract) for guard in judging}
    rows: list[GuardRow] = []
    for mutant in mutants(contract):
        killed: list[str] = []
        evidence: list[str] = []
        for guard in judging:
            if not _observes(guard, contract, mutant.fact):
                continue
            with schema_overrides(mutant.schemas):
                new = sorted(guard.findings(mutant.contract) - baseline[guard.name])
            if new:
                killed.append(guard.name)
                evidence.append(f"{guard.name}: {new[0]}")
        unjudged = tuple(f"{guard.name}: {missing[guard.name]}" for guard in chosen
                         if missing[guard.name] is not None
                         and _observes(guard, contract, mutant.fact))
        rows.append(GuardRow(contract.provider, mutant.fact, mutant.description, tuple(killed),
                             tuple(evidence), unjudged))
    return rows


def _unavailable(guard: Guard, contract: Contract) -> str | None:
    """Why ``guard`` cannot judge ``contract`` (None: it can, or it always can)."""
    check = getattr(guard, "unavailable", None)
    reason: str | None = check(contract) if check is not None else None
    return reason


def _observes(guard: Guard, contract: Contract, fact: Fact) -> bool:
    """Whether ``guard`` can see ``fact`` at all (a guard without the method sees every fact)."""
    check = getattr(guard, "observes", None)
    return bool(check(contract, fact)) if check is not None else True


def unguarded_facts(rows: list[GuardRow]) -> list[Fact]:
    """The facts whose contract mutant no guard kills."""
    return [row.fact for row in rows if not row.guarded]
