"""The facts of a contract: one per thing a verdict can stand on, each with its source.

A fact is one field of one expectation (the outcome of a scenario, its HTTP status, one
error field, "the refusal changes nothing") or one entity rule (a cancel reports the
cancelled status and sets its timestamp, a cancelled link stays cancelled, a no-op touches
nothing, bodies match their schema), with the source that backs it. Ids are stable:
``<scenario>/<kind>`` or ``<scenario>/<kind>:<key>``, where a scenario is where the contract
states an expectation (``cancel:PAID``, ``repeat``, ``unknown-id``, ``auth:missing``,
``header:missing:x-api-version``, ``variant:charge``, ``schema:success:2025-01-01``,
``error-message:400``, ...).

Three things meet on these ids: the rules tag every check with the fact it judges, the
simulator mutants break one fact at a time, and the contract mutants change one fact of the
contract to see whether independent evidence notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from payconform.model.contract import Candidate, Contract, Expectation, Source
from payconform.model.outcomes import Evidence, Outcome

__all__ = ["Fact", "Scenario", "fact_id", "facts_of", "scenarios_of", "success_candidate"]


@dataclass(frozen=True)
class Scenario:
    """Where a contract states an expectation, and the rule that judges it."""

    where: str
    expectation: Expectation
    rule_id: str


@dataclass(frozen=True)
class Fact:
    """One fact of a contract: what is expected where, the rule judging it, and its source."""

    id: str
    where: str
    kind: str
    key: str
    rule_id: str
    source: Source
    expected: str

    @property
    def evidence(self) -> Evidence:
        """The evidence level of the fact's source."""
        return self.source.evidence


def fact_id(where: str, kind: str, key: str = "") -> str:
    """The stable id of the fact ``kind`` (with ``key``, e.g. an error field) at ``where``."""
    return f"{where}/{kind}:{key}" if key else f"{where}/{kind}"


def scenarios_of(contract: Contract) -> list[Scenario]:
    """Every place the contract states what a cancel should produce, in a stable order."""
    out = [Scenario(f"cancel:{status}", exp, "cancel.cancellable-status" if exp.is_success
                    else "cancel.not-cancellable")
           for status, exp in contract.cancel_outcomes.items()]
    out += [Scenario(f"variant:{v.name}", v.cancel, "cancel.not-cancellable")
            for v in contract.variants]
    out.append(Scenario("repeat", contract.repeat_cancel, "cancel.repeat"))
    out.append(Scenario("unknown-id", contract.unknown_id, "cancel.unknown-id"))
    out.append(Scenario("auth:missing", contract.auth.missing, "auth.missing"))
    out.append(Scenario("auth:invalid", contract.auth.invalid, "auth.invalid"))
    for header in contract.checked_headers:
        if header.missing is not None:
            out.append(Scenario(f"header:missing:{header.name}", header.missing, "headers.required"))
        if header.malformed is not None and header.invalid is not None:
            out.append(Scenario(f"header:malformed:{header.name}", header.invalid,
                                "headers.required"))
    return out


def success_candidate(contract: Contract, where: str) -> Candidate:
    """The answer the faithful simulator gives when a cancel at ``where`` succeeds."""
    outcome = Outcome.ALREADY_CANCELLED if where == "repeat" else Outcome.CANCELLED
    return Candidate(label="expected", outcome=outcome, http_status=contract.cancel_success_status)


def _hard(exp: Expectation) -> bool:
    return exp.source.evidence is not Evidence.UNVERIFIED


def _expectation_facts(contract: Contract, scenario: Scenario) -> list[Fact]:
    where, exp, rule_id = scenario.where, scenario.expectation, scenario.rule_id

    def fact(kind: str, source: Source, expected: str, key: str = "", rule: str = rule_id) -> Fact:
        return Fact(fact_id(where, kind, key), where, kind, key, rule, source, expected)

    refusal = exp.played.outcome not in (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)
    if not _hard(exp):
        labels = "; ".join(c.label for c in exp.candidates)
        out = [fact("behaviour", exp.source, f"one of: {labels}")]
        # Where the simulator plays a refusal, the rules still check it changed nothing.
        if refusal and where not in ("repeat", "unknown-id"):
            out.append(fact("unchanged", exp.source, "the refused call changes nothing"))
        if where == "repeat":
            out.append(fact("stays-cancelled", exp.source, f"still {contract.cancelled_status!r}"))
        return out
    out = []
    if exp.outcome_source is not None:
        out.append(fact("refused", exp.source, "a refusal"))
    out.append(fact("outcome", exp.outcome_source or exp.source, exp.outcome.value))
    status_source = exp.http_status_source or exp.source
    if where.startswith("cancel:") and not refusal:
        # The cancellable-status rule judges the contract's success status, stated or not.
        out.append(fact("http-status", status_source, str(contract.cancel_success_status)))
    elif exp.http_status is not None:
        out.append(fact("http-status", status_source, str(exp.http_status)))
    for key, value in exp.error.items():
        out.append(fact("error", exp.error_source or exp.source, repr(value), key))
    entity = contract.entity
    if refusal and where != "repeat" and where != "unknown-id":
        out.append(fact("unchanged", exp.source, "the refused call changes nothing"))
    # Where a cancel deletes the link, "cancelled" reads as the fetch cancelled_fetch states.
    gone = contract.cancelled_fetch
    shows = f"{contract.cancelled_status!r}" if gone is None else f"{gone.outcome.value} (gone)"
    if where.startswith("cancel:") and not refusal:
        shown = entity.status_field is not None or any(s.fields for s in contract.statuses)
        if shown and contract.cancel_response is None and not contract.cancel_no_body:
            out.append(fact("cancelled-status", exp.source, repr(contract.cancelled_status)))
        if contract.cancel_response is None and not contract.cancel_no_body:
            # The answer is about the link that was cancelled (rules/catalog.py).
            out.append(fact("cancelled-link", exp.source, f"the cancelled link's {entity.id_field}",
                            "id"))
            # Where the answer carries the link's amount and currency, they are the link's too.
            for key in ("amount", "currency"):
                paths = entity.paths_of(f"${key}")
                if paths:
                    out.append(fact("cancelled-link", exp.source,
                                    f"the cancelled link's {', '.join(paths)}", key))
        if entity.cancelled_at_field:
            out.append(fact("cancelled-at", entity.cancelled_at_source or exp.source,
                            f"{entity.cancelled_at_field} set"))
        if where == f"cancel:{contract.initial_status}":
            out.append(fact("persists", gone.source if gone else exp.source,
                            f"a fetch after the cancel shows {shows}", rule="state.cancel-persists"))
            for effect in contract.side_effects:
                out.append(fact("side-effect", effect.source,
                                f"{effect.field} {effect.values[contract.cancelled_status]!r}",
                                effect.name, rule="state.cancel-persists"))
    if where == "repeat":
        if exp.noop and not refusal:
            out.append(fact("noop", exp.source, "every field as after the first cancel"))
        out.append(fact("stays-cancelled", gone.source if gone else exp.source, f"still {shows}"))
    return out


def facts_of(contract: Contract) -> list[Fact]:
    """Every fact of ``contract``, in a stable order (scenarios, then schemas)."""
    out: list[Fact] = []
    for scenario in scenarios_of(contract):
        out.extend(_expectation_facts(contract, scenario))
    for version in contract.api_versions:
        where = f"schema:success:{version.name}"
        out.append(Fact(fact_id(where, "valid"), where, "valid", "", "schema.success",
                        version.source, f"bodies valid against {version.entity_schema_file}"))
    header = contract.idempotency_header
    if header is not None:
        where = f"idempotency:{header.name}"
        out.append(Fact(fact_id(where, "replay"), where, "replay", "", "idempotency.replay",
                        header.source, "a write repeated with the same key answers as the first"))
    field = contract.create.idempotency_field
    if field is not None:  # a key in the create body (Square's idempotency_key)
        where = f"idempotency:{field}"
        out.append(Fact(fact_id(where, "replay"), where, "replay", "", "idempotency.replay",
                        contract.create.source, "a create repeated with the same key answers as "
                        "the first"))
    if contract.reversal is not None:
        out.append(Fact(fact_id("reversal", "restores"), "reversal", "restores", "",
                        "state.reversible", contract.reversal.source,
                        f"the undo brings the link back to {contract.initial_status!r} and it "
                        "cancels again"))
    where = "schema:error"
    out.append(Fact(fact_id(where, "valid"), where, "valid", "", "schema.error",
                    contract.error.source, f"error bodies valid against {contract.error.schema_file}"))
    for status, message in sorted(contract.error.status_messages.items()):
        where = f"error-message:{status}"
        out.append(Fact(fact_id(where, "message"), where, "message", "", "errors.status-message",
                        contract.error.source, repr(message)))
    return out
