"""The mutant catalog: simulator variants that each break exactly one rule.

Mutants are generic: each is written against contract concepts (cancellable statuses, the
repeat expectation, required headers, schemas), so every provider gets every mutant that
applies to it. ``expected_verdict`` says which verdict the suite must report for the broken
rule given the evidence behind it: FAIL for documented/observed facts, WARN for inferred
ones, OBSERVED (matching no candidate) for unverified ones.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from payconform.model.contract import (
    Candidate,
    Contract,
    Expectation,
    HeaderSpec,
    SideEffect,
    dotted_get,
    dotted_set,
    load_schema,
)
from payconform.model.outcomes import Evidence, Outcome, Verdict
from payconform.model.templates import fill_template
from payconform.simulator.state import CancelAction, Link, Mutation, SimResponse

__all__ = ["MUTANTS", "Mutant", "mutants_for"]


def _verdict_for(evidence: Evidence) -> Verdict:
    return {
        Evidence.DOCUMENTED: Verdict.FAIL,
        Evidence.OBSERVED: Verdict.FAIL,
        Evidence.INFERRED: Verdict.WARN,
        Evidence.UNVERIFIED: Verdict.OBSERVED,
    }[evidence]


@dataclass(frozen=True)
class Mutant:
    """One way to break one rule for one provider."""

    id: str
    rule_id: str
    description: str
    mutation: Mutation
    expected_verdict: Verdict


def _edited(response: SimResponse, path: str, edit: Callable[[dict[str, Any]], None]) -> SimResponse:
    """A copy of ``response`` whose object at dotted ``path`` of the body went through ``edit``."""
    body = copy.deepcopy(response.body)
    node = dotted_get(body, path)
    if isinstance(node, dict):
        edit(node)
    return SimResponse(response.status, body, response.headers)


# ---- cancel.cancellable-status ---------------------------------------------------------------


class _CancelReportsOldStatus(Mutation):
    """Cancels the link but answers with the status it had before."""

    name = "cancel-reports-old-status"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation == "cancel" and contract.status_keys and (
                pre_status in contract.cancellable_statuses):
            return _edited(response, contract.entity.path,
                           lambda entity: _show_status(contract, entity, pre_status))
        return response


def _show_status(contract: Contract, entity: dict[str, Any], status: str) -> None:
    """Make ``entity`` show ``status`` (its status field, or the status's own fields)."""
    if contract.entity.status_field is not None:
        dotted_set(entity, contract.entity.status_field, status)
    for name, value in contract.status(status).fields.items():
        placeholder = isinstance(value, str) and value.startswith("$")
        dotted_set(entity, name, "2020-01-01T00:00:00Z" if placeholder else value)


class _CancelAnswersOtherSuccess(Mutation):
    """Cancels the link but answers another 2xx status than the documented one."""

    name = "cancel-answers-other-success-status"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation == "cancel" and pre_status in contract.cancellable_statuses:
            other = 200 if response.status != 200 else 201
            return SimResponse(other, response.body, response.headers)
        return response


class _CancelRefused(Mutation):
    """A cancel of a cancellable link is refused (for links whose answer carries no status)."""

    name = "cancel-refused"

    def cancel_action(self, contract: Contract, link: Link, action: CancelAction) -> CancelAction:
        return "reject" if action == "cancel" and link.variant is None else action


class _SideEffectSkipped(Mutation):
    """The cancel leaves another resource as it was (e.g. the order is not cancelled)."""

    def __init__(self, effect: str) -> None:
        self.effect = effect
        self.name = f"cancel-skips-side-effect:{effect}"

    def side_effect(self, contract: Contract, link: Link, effect: SideEffect, value: str) -> str:
        if effect.name == self.effect and link.status == contract.cancelled_status:
            return effect.values.get(contract.initial_status, "")
        return value


class _CancelAnswersAnotherLink(Mutation):
    """Cancels the link but answers with another link's id (``field='id'``) or amount."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.name = f"cancel-answers-another-{field}"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        # Every successful cancel answer (a no-op repeat too, so that only this rule notices).
        if operation != "cancel" or not 200 <= response.status < 300:
            return response
        spec = contract.entity

        def edit(entity: dict[str, Any]) -> None:
            if self.field == "id":
                # Same length and alphabet, so the id still meets every id format.
                old = str(entity.get(spec.id_field))
                entity[spec.id_field] = old[:-1] + ("1" if old.endswith("0") else "0")
                return
            for key, value in spec.template.items():
                if value == "$amount" and isinstance(entity.get(key), int):
                    entity[key] = entity[key] + 1
                elif isinstance(value, dict) and isinstance(entity.get(key), dict):
                    for sub, placeholder in value.items():
                        if placeholder == "$amount" and isinstance(entity[key].get(sub), int):
                            entity[key][sub] += 1

        return _edited(response, spec.path, edit)


# ---- state.cancel-persists ---------------------------------------------------------------------


class _StaleReadAfterCancel(Mutation):
    """The first request after a cancel that reads the link sees its pre-cancel status."""

    name = "stale-read-after-cancel"

    def __init__(self) -> None:
        self.stale: dict[str, str] = {}

    def cancel_action(self, contract: Contract, link: Link, action: CancelAction) -> CancelAction:
        if action == "cancel":
            self.stale[link.id] = link.status
        else:
            self.stale.pop(link.id, None)
        return action

    def fetch_status(self, contract: Contract, link: Link, status: str) -> str:
        return self.stale.pop(link.id, status)


# ---- cancel.not-cancellable ----------------------------------------------------------------------


class _CancelsAnything(Mutation):
    """Cancels links in statuses the contract says are not cancellable."""

    name = "cancels-non-cancellable"

    def __init__(self, statuses: tuple[str, ...]) -> None:
        self.statuses = statuses

    def cancel_action(self, contract: Contract, link: Link, action: CancelAction) -> CancelAction:
        return "cancel" if link.status in self.statuses else action


class _CancelsVariant(Mutation):
    """Cancels links of a variant the contract says cannot be cancelled (e.g. a charge)."""

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self.name = f"cancels-non-cancellable-variant:{variant}"

    def cancel_action(self, contract: Contract, link: Link, action: CancelAction) -> CancelAction:
        return "cancel" if link.variant == self.variant else action


# ---- cancel.repeat -----------------------------------------------------------------------------------


class _RepeatFlipped(Mutation):
    """A repeated cancel does the opposite of the contract (no-op <-> error)."""

    name = "repeat-cancel-flipped"

    def cancel_action(self, contract: Contract, link: Link, action: CancelAction) -> CancelAction:
        if link.status != contract.cancelled_status:
            return action
        return "reject" if action == "noop" else "noop"


class _RepeatTouches(Mutation):
    """A repeated no-op cancel bumps the update timestamp."""

    name = "repeat-cancel-touches-entity"

    def cancel_action(self, contract: Contract, link: Link, action: CancelAction) -> CancelAction:
        if action == "noop":
            link.updated_at += 1
        return action


class _RepeatErrorChanged(Mutation):
    """A repeated cancel answers with a different value in one documented error field."""

    name = "repeat-cancel-error-changed"

    def __init__(self, key: str) -> None:
        self.key = key

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation != "cancel" or pre_status != contract.cancelled_status or response.status < 400:
            return response
        return _edited(response, contract.error.path, lambda error: dotted_set(
            error, self.key, f"{dotted_get(error, self.key)}_changed"))


# ---- cancel.unknown-id ---------------------------------------------------------------------------------


class _UnknownIdSucceeds(Mutation):
    """A cancel of an unknown id answers with a fabricated cancelled link."""

    name = "unknown-id-succeeds"

    def unknown_id(self, contract: Contract, played: Any) -> Any:
        return None


# ---- auth ----------------------------------------------------------------------------------------------


class _AuthIgnored(Mutation):
    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.name = f"auth-{problem}-accepted"

    def enforce_auth(self, contract: Contract, problem: str) -> bool:
        return problem != self.problem


# ---- headers ---------------------------------------------------------------------------------------------


class _HeaderIgnored(Mutation):
    def __init__(self, header: str, problem: str) -> None:
        self.header, self.problem = header, problem
        self.name = f"header-{problem}-accepted:{header}"

    def enforce_header(self, contract: Contract, header: HeaderSpec, problem: str) -> bool:
        return not (header.name == self.header and problem == self.problem)


class _HeaderAnsweredOffContract(Mutation):
    """A missing or malformed header gets a refusal that none of the candidates describes."""

    def __init__(self, header: str, problem: str, answer: Candidate) -> None:
        self.header, self.problem, self.answer = header, problem, answer
        self.name = f"header-{problem}-off-contract:{header}"

    def header_answer(self, contract: Contract, header: HeaderSpec, problem: str,
                      played: Candidate) -> Candidate:
        if header.name == self.header and problem == self.problem:
            return self.answer
        return played


_SUCCESS = (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)


def _off_contract_refusal(contract: Contract, exp: Expectation) -> Candidate | None:
    """A refusal (HTTP status and error code) that no candidate of ``exp`` can match."""
    code = "payconform_off_contract"
    for status in (422, 400, 403, 409):
        outcome = contract.error.http_outcomes.get(status, Outcome.INVALID_REQUEST)
        clash = any(
            c.outcome not in _SUCCESS
            and c.http_status in (None, status)
            and (c.outcome is Outcome.REJECTED or c.outcome is outcome)
            and c.error.get(contract.error.code_field, code) == code
            for c in exp.candidates
        )
        if not clash:
            return Candidate(label="off-contract refusal", outcome=outcome, http_status=status,
                             error={contract.error.code_field: code})
    return None


class _CancelAnsweredOffContract(Mutation):
    """A cancel of a link in one status gets a refusal that none of the candidates describes."""

    def __init__(self, name: str, status: str, answer: Candidate) -> None:
        self.name, self.status, self.answer = name, status, answer

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation != "cancel" or pre_status != self.status:
            return response
        status = self.answer.http_status or 400
        body = fill_template(contract.error.template, {"http_status": status}, {})
        target = dotted_get(body, contract.error.path) if contract.error.path else body
        for key, value in self.answer.error.items():
            dotted_set(target, key, value)
        return SimResponse(status, body, response.headers)


def _unverified_cancel_mutants(contract: Contract) -> Iterator[Mutant]:
    """Unverified cancel scenarios: only an answer outside every candidate is a finding."""
    scenarios = [(contract.cancelled_status, contract.repeat_cancel, "cancel.repeat",
                  "repeat-cancel-off-contract", "a repeated cancel")]
    scenarios += [(status, exp, "cancel.cancellable-status" if exp.is_success
                   else "cancel.not-cancellable", f"cancel-off-contract:{status}",
                   f"a cancel of a {status} link") for status, exp in contract.cancel_outcomes.items()]
    for status, exp, rule_id, mutant_id, what in scenarios:
        if _hard(exp):
            continue
        answer = _off_contract_refusal(contract, exp)
        if answer is not None:
            yield Mutant(mutant_id, rule_id,
                         f"{what} gets HTTP {answer.http_status} with an undocumented code",
                         _CancelAnsweredOffContract(mutant_id, status, answer),
                         _verdict_for(exp.source.evidence))


# ---- schemas ----------------------------------------------------------------------------------------------


class _CancelDropsStatusField(Mutation):
    """Cancel answers without the status field."""

    name = "cancel-body-drops-status-field"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation != "cancel" or response.status >= 300:
            return response
        if contract.cancel_response is not None or not contract.status_keys:
            # The answer is not the link: its id, a string, becomes a number.
            spec = contract.cancel_response
            path = "" if spec is not None else contract.entity.path
            key = spec.id_field if spec is not None else contract.entity.id_field
            return _edited(response, path, lambda body: body.__setitem__(key, 12345))

        def drop(entity: dict[str, Any]) -> None:
            for key in contract.status_keys:
                entity.pop(key, None)

        return _edited(response, contract.entity.path, drop)


class _CancelAnswersABody(Mutation):
    """A cancel documented to answer no body answers one (an empty JSON object)."""

    name = "cancel-answers-a-body"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation != "cancel" or not 200 <= response.status < 300:
            return response
        return SimResponse(response.status, {}, response.headers)


class _CreateAmountMistyped(Mutation):
    """Create answers with the amount as a string (or, where it is one, as a number)."""

    def __init__(self, field: str, as_number: bool) -> None:
        self.field, self.as_number = field, as_number
        self.name = "create-amount-as-number" if as_number else "create-amount-as-string"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation != "create" or response.status >= 300:
            return response
        parent, _, name = self.field.rpartition(".")
        path = ".".join(p for p in (contract.entity.path, parent) if p)

        def stringify(node: dict[str, Any]) -> None:
            if name in node:
                node[name] = 12345.5 if self.as_number else str(node[name])

        return _edited(response, path, stringify)


class _ErrorOptionalFieldMistyped(Mutation):
    """Error bodies carry an optional schema field with the wrong type."""

    name = "error-body-mistyped-field"

    def __init__(self, key: str) -> None:
        self.key = key

    def _mutate(self, contract: Contract, response: SimResponse) -> SimResponse:
        return _edited(response, contract.error.path,
                       lambda error: error.__setitem__(self.key, 12345))

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if response.status < 400 or not isinstance(response.body, dict):
            return response
        return self._mutate(contract, response)


# ---- the catalog ----------------------------------------------------------------------------


class _IdempotencyKeyIgnored(Mutation):
    """A create repeated with the documented idempotency key makes a second link."""

    name = "idempotency-key-ignored"

    def honour_idempotency_key(self, contract: Contract) -> bool:
        return False


class _ReversalIgnored(Mutation):
    """The documented undo of a cancel (``Contract.reversal``) answers 200 but changes nothing."""

    name = "reversal-ignored"

    def reverse(self, contract: Contract, link: Link) -> bool:
        return False


def _hard(exp: Expectation) -> bool:
    return exp.source.evidence is not Evidence.UNVERIFIED


def _optional_string_error_field(contract: Contract) -> str | None:
    # A field some expectation pins would also break that expectation's rule: skip those.
    pinned = {contract.error.code_field, contract.error.message_field}
    for exp in _all_expectations(contract):
        pinned.update(k.split(".")[0] for k in exp.error)
        for candidate in exp.candidates:
            pinned.update(k.split(".")[0] for k in candidate.error)
    schema = load_schema(contract.error.schema_file)
    node: Any = schema
    for part in [p for p in contract.error.path.split(".") if p]:
        node = node.get("items", {}) if part.isdigit() else node.get("properties", {}).get(part, {})
    required = set(node.get("required", ()))
    for name, prop in node.get("properties", {}).items():
        kind = prop.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if name not in required and name not in pinned and "string" in kinds and "integer" not in kinds:
            return str(name)
    # Otherwise any optional typed field: a number breaks it unless it is numeric.
    for name, prop in node.get("properties", {}).items():
        kind = prop.get("type")
        declared = set(kind if isinstance(kind, list) else [kind])
        if (name not in required and name not in pinned and kind is not None
                and not declared & {"integer", "number"}):
            return str(name)
    return None


def _all_expectations(contract: Contract) -> list[Expectation]:
    out = [*contract.cancel_outcomes.values(), contract.repeat_cancel, contract.unknown_id,
           contract.auth.missing, contract.auth.invalid, *(v.cancel for v in contract.variants)]
    out += [e for h in contract.headers for e in (h.missing, h.invalid) if e is not None]
    return out + ([contract.cancelled_fetch] if contract.cancelled_fetch is not None else [])


def _amount_field(contract: Contract) -> str | None:
    template = contract.entity.template
    for name in contract.entity.immutable_fields:
        value = dotted_get(template, name)
        if value == "$amount":
            return name
    for name, value in template.items():
        if value == "$amount":
            return str(name)
    return None


def _amount_is_text(contract: Contract) -> bool:
    """Whether the create request carries the amount as text (``$amount_decimal``)."""
    return bool(dotted_get(contract.create.body, contract.create.amount_path) == "$amount_decimal")


def _weaker(a: Evidence, b: Evidence) -> Evidence:
    return max(a, b, key=lambda e: e.rank)


def _required_evidence(contract: Contract) -> Evidence:
    """The evidence of "the entity has its status field" in the default version's schema."""
    schema = load_schema(contract.api_version().entity_schema_file)
    node: Any = schema
    for part in filter(None, contract.entity.path.split(".")):
        node = node.get("properties", {}).get(part, {})
        ref = node.get("$ref", "")
        if ref.startswith("#/"):
            node = dotted_get(schema, ref[2:].replace("/", "."))
    inferred = node.get("x-inferred", {}).get("required", {}) if isinstance(node, dict) else {}
    marked = inferred if isinstance(inferred, str) else inferred.get(contract.entity.status_field)
    return Evidence.INFERRED if marked else Evidence.DOCUMENTED


MutantFactory = Callable[[Contract], Iterator[Mutant]]


def _catalog(contract: Contract) -> Iterator[Mutant]:
    hard_cancellable = [s for s in contract.cancellable_statuses
                        if _hard(contract.cancel_outcomes[s])]
    if hard_cancellable:
        exp = contract.cancel_outcomes[hard_cancellable[0]]
        if contract.status_keys and contract.cancel_response is None and not contract.cancel_no_body:
            yield Mutant("cancel-reports-old-status", "cancel.cancellable-status",
                         "cancel succeeds but the body reports the status the link had before",
                         _CancelReportsOldStatus(), _verdict_for(exp.source.evidence))
            for field in ("id",) if not contract.cancel_no_body else ():
                yield Mutant(f"cancel-answers-another-{field}", "cancel.cancellable-status",
                             f"cancel succeeds but the body shows another link's {field}",
                             _CancelAnswersAnotherLink(field), _verdict_for(exp.source.evidence))
        else:
            if contract.cancel_no_body:
                yield Mutant("cancel-answers-other-success-status", "cancel.cancellable-status",
                             f"cancel succeeds but answers another 2xx than "
                             f"{contract.cancel_success_status}",
                             _CancelAnswersOtherSuccess(), _verdict_for(exp.source.evidence))
            else:
                yield Mutant("cancel-refused", "cancel.cancellable-status",
                             "a cancel of a cancellable link is refused", _CancelRefused(),
                             _verdict_for(exp.source.evidence))
        persist = contract.cancelled_fetch.source if contract.cancelled_fetch else exp.source
        yield Mutant("stale-read-after-cancel", "state.cancel-persists",
                     "the first fetch after a cancel shows the pre-cancel status",
                     _StaleReadAfterCancel(), _verdict_for(persist.evidence))
        for effect in contract.side_effects:
            yield Mutant(f"cancel-skips-side-effect:{effect.name}", "state.cancel-persists",
                         f"the cancel leaves the {effect.name} as it was",
                         _SideEffectSkipped(effect.name), _verdict_for(effect.source.evidence))
    hard_rejected = tuple(s for s in contract.rejected_statuses
                          if _hard(contract.cancel_outcomes[s]))
    if hard_rejected:
        worst = min((contract.cancel_outcomes[s].source.evidence for s in hard_rejected),
                    key=lambda e: list(Evidence).index(e))
        yield Mutant("cancels-non-cancellable", "cancel.not-cancellable",
                     f"cancels links in {', '.join(hard_rejected)}",
                     _CancelsAnything(hard_rejected), _verdict_for(worst))
    for variant in contract.variants:
        if _hard(variant.cancel):
            yield Mutant(f"cancels-non-cancellable-variant:{variant.name}", "cancel.not-cancellable",
                         f"cancels a {variant.name}, which the contract says cannot be cancelled",
                         _CancelsVariant(variant.name), _verdict_for(variant.cancel.source.evidence))
    repeat = contract.repeat_cancel
    if _hard(repeat):
        yield Mutant("repeat-cancel-flipped", "cancel.repeat",
                     "a repeated cancel answers " + ("an error" if repeat.noop else "a 200 no-op"),
                     _RepeatFlipped(), _verdict_for(repeat.source.evidence))
        if repeat.noop and contract.entity.updated_at_field:
            yield Mutant("repeat-cancel-touches-entity", "cancel.repeat",
                         "a repeated no-op cancel changes the update timestamp",
                         _RepeatTouches(), _verdict_for(repeat.source.evidence))
        if repeat.error:
            key = next(iter(repeat.error))
            source = repeat.error_source or repeat.source
            yield Mutant("repeat-cancel-error-changed", "cancel.repeat",
                         f"a repeated cancel answers a different error {key}",
                         _RepeatErrorChanged(key), _verdict_for(source.evidence))
    yield Mutant("unknown-id-succeeds", "cancel.unknown-id",
                 "a cancel of an unknown id answers 200 with a fabricated link",
                 _UnknownIdSucceeds(), _verdict_for(contract.unknown_id.source.evidence))
    for problem in ("missing", "invalid"):
        auth_exp: Expectation = getattr(contract.auth, problem)
        yield Mutant(f"auth-{problem}-accepted", f"auth.{problem}",
                     f"{problem} credentials are accepted", _AuthIgnored(problem),
                     _verdict_for(auth_exp.source.evidence))
    yield from _unverified_cancel_mutants(contract)
    for header in contract.checked_headers:
        for problem, header_exp in (("missing", header.missing), ("malformed", header.invalid)):
            if header_exp is None or (problem == "malformed" and header.malformed is None):
                continue
            if any(c.outcome in _SUCCESS for c in header_exp.candidates):
                # Acceptance is itself a candidate, so accepting cannot be caught: answer with a
                # refusal no candidate describes instead.
                answer = _off_contract_refusal(contract, header_exp)
                if answer is not None:
                    yield Mutant(f"header-{problem}-off-contract:{header.name}", "headers.required",
                                 f"a {problem} {header.name} gets HTTP {answer.http_status} "
                                 "with an undocumented code",
                                 _HeaderAnsweredOffContract(header.name, problem, answer),
                                 _verdict_for(header_exp.source.evidence))
                continue
            yield Mutant(f"header-{problem}-accepted:{header.name}", "headers.required",
                         f"a {problem} {header.name} is accepted",
                         _HeaderIgnored(header.name, problem),
                         _verdict_for(header_exp.source.evidence))
    version = contract.api_version()
    cancel_answer = contract.cancel_response
    if contract.cancel_no_body:
        yield Mutant("cancel-answers-a-body", "schema.success",
                     "the cancel answers a JSON body where the contract says none",
                     _CancelAnswersABody(), _verdict_for(contract.cancel_source.evidence))
    else:
        yield Mutant("cancel-body-drops-status-field", "schema.success",
                     f"the cancel body lacks {', '.join(contract.status_keys)}" if (
                         cancel_answer is None and contract.status_keys)
                     else "the cancel body's id is a number",
                     _CancelDropsStatusField(), _verdict_for(
                         cancel_answer.source.evidence if cancel_answer is not None else
                         _weaker(version.source.evidence, _required_evidence(contract))))
    amount = _amount_field(contract)
    if amount:
        as_number = _amount_is_text(contract)
        yield Mutant("create-amount-as-number" if as_number else "create-amount-as-string",
                     "schema.success",
                     f"create answers {amount} as a {'number' if as_number else 'string'}",
                     _CreateAmountMistyped(amount, as_number), _verdict_for(version.source.evidence))
    replayed = contract.idempotency_header
    if replayed is not None:
        yield Mutant("idempotency-key-ignored", "idempotency.replay",
                     f"a create repeated with one {replayed.name} makes a second link",
                     _IdempotencyKeyIgnored(), _verdict_for(replayed.source.evidence))
    if contract.reversal is not None:
        yield Mutant("reversal-ignored", "state.reversible",
                     "the undo of a cancel answers 200 but the link stays cancelled",
                     _ReversalIgnored(), _verdict_for(contract.reversal.source.evidence))
    optional = _optional_string_error_field(contract)
    if optional:
        yield Mutant("error-body-mistyped-field", "schema.error",
                     f"error bodies carry {optional} as a number",
                     _ErrorOptionalFieldMistyped(optional),
                     _verdict_for(contract.error.source.evidence))


#: Extra generic factories (other modules may append, e.g. for provider-specific concepts).
MUTANTS: list[MutantFactory] = [_catalog]


def mutants_for(contract: Contract) -> list[Mutant]:
    """Every mutant that applies to ``contract``, fresh (mutants may hold state)."""
    return [m for factory in MUTANTS for m in factory(contract)]
