"""Simulator mutants per fact: each breaks exactly one fact of a contract.

For every fact of :func:`payconform.model.facts.facts_of` there is one mutant, derived from
contract data only: the HTTP status of a refusal answered with another code, one error field
with another value, a refused status accepted, a cancel that does not set ``cancelled_at``, a
no-op that touches the link, a refusal that changes the link anyway, a body off its schema,
an error of a status with one documented message carrying another.
Where a fact cannot be broken alone (an error code is also what tells which refusal it is),
``also`` names the facts that necessarily break with it, and the expected verdict is the one
of the strongest of them.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from payconform.model.contract import (
    Candidate,
    Contract,
    Expectation,
    SideEffect,
    dotted_get,
    dotted_set,
    load_schema,
)
from payconform.model.facts import Fact, facts_of, scenarios_of, success_candidate
from payconform.model.outcomes import REFUSALS, Evidence, Outcome, Verdict
from payconform.model.schemas import schema_errors
from payconform.simulator.mutants import (
    _edited,
    _optional_string_error_field,
    _show_status,
    _verdict_for,
)
from payconform.simulator.state import Link, Mutation, SimResponse

__all__ = ["FactMutant", "FactMutation", "fact_mutants_for"]

_SUCCESS = (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)


@dataclass(frozen=True)
class FactMutant:
    """A simulator that breaks ``fact`` (and, unavoidably, the facts in ``also``)."""

    fact: Fact
    description: str
    mutation: FactMutation
    also: tuple[str, ...] = ()
    also_evidence: tuple[Evidence, ...] = ()

    @property
    def id(self) -> str:
        """The id of the fact it breaks."""
        return self.fact.id

    @property
    def expected_verdict(self) -> Verdict:
        """The verdict the fact's rule must report: from the strongest broken fact."""
        strongest = min((self.fact.evidence, *self.also_evidence), key=lambda e: e.rank)
        return _verdict_for(strongest)


@dataclass
class FactMutation(Mutation):
    """One generic mutation: at scenario ``where``, play ``swap`` and/or apply ``effect``."""

    fact: Fact
    swap: Candidate | None = None
    effect: str = ""
    _fired: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"fact:{self.fact.id}"

    def play(self, contract: Contract, where: str, played: Candidate, operation: str,
             link: Link | None) -> Candidate:
        if where != self.fact.where:
            if self.effect == "stale":  # another cancel of the link: the next read is fresh
                self._fired.pop("stale", None)
            return played
        effect = self.effect
        if effect == "cancel-anyway" and operation == "cancel" and link is not None:
            now = link.updated_at + 1
            link.status, link.cancelled_at, link.updated_at = contract.cancelled_status, now, now
        elif effect == "touch" and link is not None and played.outcome in _SUCCESS:
            link.updated_at += 1
            if not contract.entity.updated_at_field and link.cancelled_at is not None:
                link.cancelled_at += 1
        elif effect in ("revert", "old-status", "unset-cancelled-at", "stale") and link is not None:
            self._fired[effect] = (link, link.status)
        return self.swap if self.swap is not None else played

    def answered(self, contract: Contract, operation: str, link: Link | None,
                 response: SimResponse) -> SimResponse:
        effect = self.effect
        if effect == "schema-drop-status":
            if link is not None and link.api_version == self.fact.where.split(":", 2)[2] and (
                    operation == "cancel" and 200 <= response.status < 300):
                if contract.cancel_no_body:  # a body where the contract says none
                    return SimResponse(response.status, {}, response.headers)
                answer = contract.cancel_response
                if answer is not None or not contract.status_keys:
                    # The answer is not the link: its id, a string, becomes a number.
                    path = "" if answer is not None else contract.entity.path
                    key = answer.id_field if answer is not None else contract.entity.id_field
                    return _edited(response, path, lambda e: e.__setitem__(key, 12345))
                return _edited(response, contract.entity.path,
                               lambda e: _break_documented_type(contract, e))
            return response
        if effect in ("another-id", "another-amount", "another-currency"):
            # Every successful cancel answer (a no-op repeat too, so only this fact breaks).
            if link is not None and operation == "cancel" and 200 <= response.status < 300:
                schema = contract.api_version(link.api_version).entity_schema_file
                # Each choice in turn, until the answer still meets its schema: only this fact
                # may break (Xendit enumerates its currencies).
                for choice in range(len(_CURRENCIES)):
                    edited = _edited(response, contract.entity.path,
                                     functools.partial(_another_link, contract, effect=effect,
                                                       choice=choice))
                    if not schema_errors(schema, edited.body, limit=1):
                        break
                return edited
            return response
        if effect == "other-status-message":
            # Every error of that status, whatever provoked it, with another message.
            status = int(self.fact.where.partition(":")[2])
            message, field = contract.error.status_messages[status], contract.error.message_field
            if response.status == status and isinstance(response.body, dict):
                return _edited(response, contract.error.path,
                               lambda e: dotted_set(e, field, f"{message} (altered)"))
            return response
        if effect == "schema-error-field":
            if response.status >= 400 and isinstance(response.body, dict):
                key = _optional_string_error_field(contract) or ""
                return _edited(response, contract.error.path, lambda e: e.__setitem__(key, 12345))
            return response
        fired = self._fired.pop(effect, None) if effect != "stale" else None
        if fired is None or operation != "cancel":
            return response
        fired_link, pre_status = fired
        if effect == "revert":
            fired_link.status, fired_link.cancelled_at = contract.initial_status, None
        elif effect == "old-status" and response.status < 300:
            return _edited(response, contract.entity.path,
                           lambda e: _show_status(contract, e, pre_status))
        elif effect == "unset-cancelled-at" and response.status < 300:
            stamp = contract.entity.cancelled_at_field or ""
            unset_zero = (contract.entity.unset_timestamp or (
                "zero" if contract.entity.timestamp_format == "unix" else "null")) == "zero"

            def unset(entity: dict[str, Any]) -> None:
                if stamp in contract.entity.omit_when_null or not unset_zero:
                    entity.pop(stamp, None) if stamp in contract.entity.omit_when_null else (
                        entity.__setitem__(stamp, None))
                else:
                    entity[stamp] = 0

            return _edited(response, contract.entity.path, unset)
        return response

    def honour_idempotency_key(self, contract: Contract) -> bool:
        return self.effect != "no-replay"

    def side_effect(self, contract: Contract, link: Link, effect: SideEffect, value: str) -> str:
        if self.effect == "skip-side-effect" and effect.name == self.fact.key and (
                link.status == contract.cancelled_status):
            return effect.values.get(contract.initial_status, "")
        return value
    def reverse(self, contract: Contract, link: Link) -> bool:
        return self.effect != "no-reversal"

    def fetch_status(self, contract: Contract, link: Link, status: str) -> str:
        fired = self._fired.get("stale")
        if fired is not None and fired[0] is link:
            del self._fired["stale"]
            return str(fired[1])
        return status


# ---- reading an answer as the suite's client would (outcome only) -------------------------------


def _error_object(contract: Contract, played: Candidate) -> dict[str, Any]:
    template = dotted_get(contract.error.template, contract.error.path) if contract.error.path else (
        contract.error.template)
    return {**(template if isinstance(template, dict) else {}), **played.error}


def _read_outcome(contract: Contract, played: Candidate) -> Outcome:
    """The outcome the client reads from an error answer (the simulator renders ``played``)."""
    spec, error = contract.error, _error_object(contract, played)
    code, message = error.get(spec.code_field), error.get(spec.message_field)
    if isinstance(code, str) and code in spec.outcomes:
        return spec.outcomes[code]
    if isinstance(message, str) and message in spec.message_outcomes:
        return spec.message_outcomes[message]
    status = played.http_status or 400
    if status in spec.http_outcomes:
        return spec.http_outcomes[status]
    return {401: Outcome.UNAUTHORIZED, 403: Outcome.UNAUTHORIZED, 404: Outcome.NOT_FOUND}.get(
        status, Outcome.INVALID_REQUEST)


def _same_outcome(expected: Outcome, read: Outcome) -> bool:
    if expected is Outcome.REJECTED:
        return read.value in REFUSALS
    return expected is read


def _schema_valid(contract: Contract, played: Candidate) -> bool:
    """Whether the error body the simulator renders for ``played`` fits the error schema."""
    body = copy.deepcopy(contract.error.template)
    target = dotted_get(body, contract.error.path) if contract.error.path else body
    target.update(played.error)
    return not schema_errors(contract.error.schema_file, body)


def _enum_values(contract: Contract, key: str) -> list[str]:
    """The values the error schema enumerates for field ``key`` (empty when it does not)."""
    node: Any = load_schema(contract.error.schema_file)
    for part in [p for p in contract.error.path.split(".") if p] + [key]:
        node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
    values = node.get("enum", []) if isinstance(node, dict) else []
    return [v for v in values if isinstance(v, str)]


def _variants(contract: Contract, key: str, value: str) -> list[str]:
    """Other values for error field ``key``: schema enum values first, then altered spellings."""
    return [v for v in _enum_values(contract, key) if v != value] + [
        f"{value}_altered", f"{value}_ALTERED", f"{value} (altered)", f"X{value}"]


def _matches(contract: Contract, candidate: Candidate, answer: Candidate) -> bool:
    """Whether the suite would read ``answer`` as the unverified ``candidate`` (engine rules)."""
    error = _error_object(contract, answer)
    return (_same_outcome(candidate.outcome, _read_outcome(contract, answer))
            and candidate.http_status in (None, answer.http_status)
            and all(error.get(k) == v for k, v in candidate.error.items()))


def _off_contract(contract: Contract, exp: Expectation) -> Candidate | None:
    """A refusal no candidate of ``exp`` describes, with an error body the schema accepts."""
    code_field = contract.error.code_field
    fallback = None
    for code in [*_enum_values(contract, code_field), "payconform_off_contract",
                 "PAYCONFORM_OFF_CONTRACT"]:
        for status in (422, 400, 403, 409):
            answer = Candidate(label="off-contract refusal", outcome=Outcome.REJECTED,
                               http_status=status, error={code_field: code})
            answer = answer.model_copy(update={"outcome": _read_outcome(contract, answer)})
            if answer.outcome in _SUCCESS or any(_matches(contract, c, answer)
                                                 for c in exp.candidates):
                continue
            if _schema_valid(contract, answer):
                return answer
            fallback = fallback or answer
    return fallback


# ---- building one mutant per fact -----------------------------------------------------------------


def _refusal_for_success(contract: Contract) -> Candidate:
    """A refusal the contract states elsewhere (what the simulator plays for a refused cancel)."""
    for status in contract.rejected_statuses:
        played = contract.cancel_outcomes[status].played
        if played.outcome not in _SUCCESS:
            return played
    if not contract.repeat_cancel.is_success:
        return contract.repeat_cancel.played
    return Candidate(label="refused", outcome=Outcome.NOT_CANCELLABLE, http_status=409)


def _other_status(contract: Contract, exp: Expectation, played: Candidate) -> tuple[Candidate, bool]:
    """``played`` with another HTTP status, read as the same outcome where one exists."""
    if played.outcome in _SUCCESS:
        status = 202 if played.http_status != 202 else 201
        return played.model_copy(update={"http_status": status}), True
    options = [s for s in (422, 409, 400, 403, 410) if s != played.http_status]
    for status in options:
        moved = played.model_copy(update={"http_status": status})
        if _same_outcome(exp.outcome, _read_outcome(contract, moved)):
            return moved, True
    return played.model_copy(update={"http_status": options[0]}), False


def _other_value(contract: Contract, exp: Expectation, played: Candidate, key: str
                 ) -> tuple[Candidate, bool]:
    """``played`` with another value of error field ``key``, keeping the outcome if possible."""
    spec, value = contract.error, played.error[key]
    alternatives = _variants(contract, key, value)
    if key == spec.code_field:
        alternatives = [c for c, o in spec.outcomes.items() if o is exp.outcome and c != value] + (
            alternatives)
    if key == spec.message_field:
        alternatives = [m for m, o in spec.message_outcomes.items()
                        if o is exp.outcome and m != value] + alternatives
    moves = [played.model_copy(update={"error": {**played.error, key: a}}) for a in alternatives]
    valid = [m for m in moves if _schema_valid(contract, m)] or moves
    for moved in valid:
        if _same_outcome(exp.outcome, _read_outcome(contract, moved)):
            return moved, True
    return valid[0], False


def _other_refusal(contract: Contract, exp: Expectation, played: Candidate) -> Candidate | None:
    """``played`` told apart as another refusal (another mapped code or message)."""
    spec = contract.error
    mapped = [(spec.code_field, c, o) for c, o in spec.outcomes.items()]
    mapped += [(spec.message_field, m, o) for m, o in spec.message_outcomes.items()]
    for key, value, outcome in mapped:
        if outcome is not exp.outcome and outcome.value in REFUSALS:
            return played.model_copy(update={"error": {**played.error, key: value}})
    return None


def _created_at_field(contract: Contract) -> str | None:
    """The entity field the contract renders the creation time into, if any."""
    return next((k for k, v in contract.entity.template.items() if v == "$created_at"), None)


def _break_documented_type(contract: Contract, entity: dict[str, Any]) -> None:
    """Give the creation time the wrong JSON type: a type the vendor's schema states (a
    constraint a single example only suggests, like a required field, may only WARN). Without
    a creation time, drop the status field."""
    field = _created_at_field(contract)
    if field is None or field not in entity:
        for key in contract.status_keys:
            entity.pop(key, None)
        return
    entity[field] = "not-a-timestamp" if isinstance(entity[field], int) else 12345


#: Currencies another link may be in, tried in this order (one the schema admits is kept).
_CURRENCIES = ("EUR", "USD", "IDR", "INR", "GBP", "PHP")


def _another_link(contract: Contract, entity: dict[str, Any], *, effect: str, choice: int = 0
                  ) -> None:
    """Make the answer another link's: its id (same length and alphabet), amount or currency
    (a value of the same type and format, at every path the template renders it; ``choice``
    picks among the other currencies)."""
    spec = contract.entity
    if effect == "another-id":
        old = str(entity.get(spec.id_field))
        entity[spec.id_field] = old[:-1] + ("1" if old.endswith("0") else "0")
        return
    key = effect.removeprefix("another-")
    for path in spec.paths_of(f"${key}"):
        value = dotted_get(entity, path)
        if value is not None:
            dotted_set(entity, path, _another_value(value, choice))


def _another_value(value: Any, choice: int = 0) -> Any:
    """A different value that still meets the field's format: an amount one unit more (a
    number, or a decimal string with its decimals kept), another currency code in its case."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    if isinstance(value, int | float):
        return value + 1
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        whole, dot, decimals = value.partition(".")
        return f"{int(whole) + 1}{dot}{decimals}"
    others = [c for c in _CURRENCIES if c != value.upper()]
    other = others[choice % len(others)]
    return other.lower() if value.islower() else other


def _mutant(contract: Contract, fact: Fact, exp: Expectation | None, siblings: list[Fact],
            schema_facts: list[Fact]) -> FactMutant | None:
    where, kind = fact.where, fact.kind
    others = [f for f in siblings if f.id != fact.id]

    def make(description: str, *, swap: Candidate | None = None, effect: str = "",
             also: list[Fact] | None = None) -> FactMutant:
        also = also or []
        return FactMutant(fact, description, FactMutation(fact, swap, effect),
                          tuple(f.id for f in also), tuple(f.evidence for f in also))

    def sibling(*kinds: str) -> list[Fact]:
        return [f for f in others if f.kind in kinds]

    if kind == "replay":
        return make("a repeated key is ignored: the write applies again", effect="no-replay")
    if kind == "valid" and where.startswith("schema:success:"):
        if contract.cancel_no_body:
            broken = "answer a body where the contract says none"
        elif contract.cancel_response is not None or not contract.status_keys:
            field = (contract.cancel_response.id_field if contract.cancel_response is not None
                     else contract.entity.id_field)
            broken = f"carry {field} with the wrong JSON type"
        else:
            field = _created_at_field(contract) or ", ".join(contract.status_keys)
            broken = f"carry {field} with the wrong JSON type"
        return make(f"cancel bodies under {where.split(':', 2)[2]} {broken}",
                    effect="schema-drop-status")
    if kind == "restores":
        return make("the undo of a cancel answers 200 but the link stays cancelled",
                    effect="no-reversal")
    if kind == "message":
        return make(f"HTTP {where.partition(':')[2]} errors carry another message",
                    effect="other-status-message")
    if kind == "valid":
        key = _optional_string_error_field(contract)
        return make(f"error bodies carry {key} as a number", effect="schema-error-field") if (
            key) else None
    assert exp is not None
    played = success_candidate(contract, where) if exp.is_success and kind != "behaviour" else (
        exp.played)
    if kind == "behaviour":
        answer = _off_contract(contract, exp)
        return make(f"gets HTTP {answer.http_status} with an undocumented code",
                    swap=answer) if answer else None
    if kind == "refused" or (kind == "outcome" and not exp.is_success and (
            exp.outcome_source is None or exp.outcome is Outcome.REJECTED)):
        accepted = success_candidate(contract, where)
        # A deleted link stays gone whatever a repeat answers: that fact does not break too.
        gone: tuple[str, ...] = ("stays-cancelled",) if contract.cancelled_fetch is not None else ()
        return make("the request is accepted", swap=accepted,
                    also=[f for f in others if f.kind not in gone])
    if kind == "outcome" and exp.is_success:
        return make("the cancel is refused", swap=_refusal_for_success(contract),
                    also=sibling("http-status"))
    if kind == "outcome":
        other = _other_refusal(contract, exp, played)
        if other is None:
            return None
        changed = [k for k in exp.error if other.error.get(k) != played.error.get(k)]
        return make("refused as another refusal", swap=other,
                    also=[f for f in sibling("error") if f.key in changed])
    if kind == "http-status":
        moved, kept = _other_status(contract, exp, played)
        return make(f"HTTP {moved.http_status} instead of {fact.expected}", swap=moved,
                    also=[] if kept else sibling("outcome"))
    if kind == "error":
        moved, kept = _other_value(contract, exp, played, fact.key)
        return make(f"error {fact.key} {moved.error[fact.key]!r}", swap=moved,
                    also=[] if kept else sibling("outcome"))
    effects = {
        "unchanged": ("the refused cancel still cancels the link", "cancel-anyway"),
        "noop": ("the no-op changes the link's update timestamp", "touch"),
        "stays-cancelled": ("the link is no longer cancelled after a repeat cancel", "revert"),
        "cancelled-status": ("the cancel answers with the status the link had before",
                             "old-status"),
        "cancelled-at": (f"the cancel answer leaves {contract.entity.cancelled_at_field} unset",
                         "unset-cancelled-at"),
        "persists": ("the first fetch after the cancel shows the status before it", "stale"),
        "side-effect": (f"the cancel leaves the {fact.key} as it was", "skip-side-effect"),
    }
    if kind == "cancelled-link":
        return make(f"the cancel answer shows another link's {fact.key}",
                    effect=f"another-{fact.key}")
    if kind in effects:
        description, effect = effects[kind]
        also: list[Fact] = []
        if kind == "cancelled-status":  # the outcome of a cancel is read from that status
            also = sibling("outcome")
        if kind == "cancelled-at" and contract.entity.cancelled_at_field in (
                contract.entity.omit_when_null):  # an unset field is left out, as the schema knows
            also = [f for f in schema_facts if f.where == f"schema:success:"
                    f"{contract.default_api_version}"]
        return make(description, effect=effect, also=also)
    return None


def fact_mutants_for(contract: Contract) -> Iterator[FactMutant | Fact]:
    """One fresh mutant per fact of ``contract``; a fact no mutant can break is yielded bare."""
    expectations = {s.where: s.expectation for s in scenarios_of(contract)}
    facts = facts_of(contract)
    for fact in facts:
        siblings = [f for f in facts if f.where == fact.where]
        schema_facts = [f for f in facts if f.where.startswith("schema:")]
        mutant = _mutant(contract, fact, expectations.get(fact.where), siblings, schema_facts)
        yield mutant if mutant is not None else fact
