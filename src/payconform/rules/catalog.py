"""The rule catalog: one small function per stable rule id, the same for every provider.

Each rule reads what to expect from the contract; none knows a provider by name.
"""

from __future__ import annotations

import json
from decimal import Decimal

from payconform.model.contract import Contract, Expectation, Source, documented, dotted_get
from payconform.model.facts import fact_id
from payconform.model.outcomes import Evidence, Outcome
from payconform.model.redact import Redactor
from payconform.model.schemas import schema_findings
from payconform.model.templates import new_request_id
from payconform.rules.client import ProviderClient
from payconform.rules.engine import (
    Case,
    CaseResult,
    Inconclusive,
    LinkSource,
    RuleContext,
    RuleDef,
    Skip,
    execute,
    registrar,
    related_ids,
)

__all__ = ["RULES", "cases_for", "rule", "run_case"]

#: Rule id -> definition: the catalog every lane runs, in registration order.
RULES: dict[str, RuleDef] = {}
rule = registrar(RULES)


def cases_for(contract: Contract, rule_ids: list[str] | None = None) -> list[Case]:
    """Every case of the given rules (default: all) for one contract."""
    out: list[Case] = []
    for rule_id, definition in RULES.items():
        if rule_ids is None or rule_id in rule_ids:
            out.extend(definition.cases(contract))
    return out


def run_case(
    contract: Contract,
    case: Case,
    client: ProviderClient,
    links: LinkSource,
    redactor: Redactor,
    *,
    origin: str = "",
) -> CaseResult:
    """Run one catalog case and return its result; never raises for provider behaviour."""
    return execute(RULES[case.rule_id], contract, case, client, links, redactor, origin=origin)


def _case(rule_id: str, case_id: str, title: str, **params: str) -> Case:
    return Case(rule_id, case_id, title, params)


# ---- cancel.cancellable-status ------------------------------------------------------------


@rule(
    "cancel.cancellable-status",
    "A cancel of a link in a cancellable status succeeds and cancels it",
    cases=lambda c: [
        _case("cancel.cancellable-status", s, f"cancel of a {s} link succeeds", status=s)
        for s in c.cancellable_statuses
    ],
    citation=lambda c, case: c.cancel_outcomes[case.params["status"]].source,
)
def cancellable_status_is_cancelled(ctx: RuleContext) -> None:
    contract, status = ctx.contract, ctx.case.params["status"]
    expectation = contract.cancel_outcomes[status]
    link_id = ctx.prepare(status)
    exchange = ctx.cancel(link_id, pre_status=status)
    where = f"cancel:{status}"
    if expectation.source.evidence.value == "unverified":
        ctx.expect(exchange, expectation, f"cancel of {status}", where=where, link_id=link_id)
        return
    what = f"cancel of {status}"
    ctx.check(f"{what}: outcome", expectation.source, exchange.outcome is Outcome.CANCELLED,
              Outcome.CANCELLED.value, f"{exchange.outcome.value} (HTTP {exchange.status})",
              fact=fact_id(where, "outcome"))
    ctx.check(f"{what}: HTTP status", expectation.http_status_source or expectation.source,
              exchange.status == contract.cancel_success_status,
              str(contract.cancel_success_status), str(exchange.status),
              fact=fact_id(where, "http-status"))
    entity = exchange.entity or {}
    # A missing status field (or a body where none belongs) is schema.success's finding; this
    # rule judges the status the body shows.
    if any(k in entity for k in contract.status_keys):
        shown = contract.status_of(entity)
        ctx.check(f"{what}: status after cancel", expectation.source,
                  shown == contract.cancelled_status, repr(contract.cancelled_status), repr(shown),
                  fact=fact_id(where, "cancelled-status"))
    if 200 <= exchange.status < 300 and contract.cancel_response is None and (
            not contract.cancel_no_body):
        _is_the_cancelled_link(ctx, link_id, entity, expectation.source, what, where)
    stamp = contract.entity.cancelled_at_field
    if stamp and 200 <= exchange.status < 300:
        ctx.check(f"{what}: {stamp} is set", contract.entity.cancelled_at_source or expectation.source,
                  bool(entity.get(stamp)), f"{stamp} set", repr(entity.get(stamp)),
                  fact=fact_id(where, "cancelled-at"))


def _is_the_cancelled_link(ctx: RuleContext, link_id: str, entity: dict[str, object],
                           source: Source, what: str, where: str) -> None:
    """The answer is about the link that was cancelled: its id, and the amount and currency it
    was created with, where the contract places them in the answer."""
    spec = ctx.contract.entity
    if ctx.basis == "vendor example":
        # A published example is the answer for a link of its own, not the one this run made.
        ctx.observations.append(f"{what}: a vendor example; its id and amount are its own link's")
        return
    ctx.check(f"{what}: answer is about the cancelled link ({spec.id_field})", source,
              entity.get(spec.id_field) == link_id, repr(link_id), repr(entity.get(spec.id_field)),
              fact=fact_id(where, "cancelled-link", "id"))
    asked = ctx.links.created_with.get(link_id)
    for key in ("amount", "currency"):
        paths = spec.paths_of(f"${key}")
        if not paths:
            continue
        wanted = asked.get(key) if asked else None
        if wanted is None:
            ctx.observations.append(f"{what}: the {key} the link was created with is unknown "
                                    "(a link this run did not create)")
            continue
        # A field the answer leaves out is schema.success's finding, not another link's value.
        shown = tuple(dotted_get(entity, p) for p in paths)
        if all(v is None for v in shown):
            continue
        ctx.check(f"{what}: answer is about the cancelled link ({', '.join(paths)})", source,
                  all(_same(key, v, wanted) for v in shown if v is not None), repr(wanted),
                  ", ".join(f"{p}={v!r}" for p, v in zip(paths, shown, strict=True)),
                  fact=fact_id(where, "cancelled-link", key))


def _same(key: str, shown: object, asked: object) -> bool:
    """Whether an answer shows what the create asked for: an amount by its value (``100``,
    ``100.0`` and ``"100"`` are one amount), a currency code in either case."""
    if key == "currency":
        return isinstance(shown, str) and isinstance(asked, str) and shown.upper() == asked.upper()
    try:
        return Decimal(str(shown)) == Decimal(str(asked))
    except ArithmeticError:
        return shown == asked


# ---- state.cancel-persists ------------------------------------------------------------------


@rule(
    "state.cancel-persists",
    "A fetch after a successful cancel shows the cancelled status",
    cases=lambda c: [_case("state.cancel-persists", "fetch-after-cancel",
                           "a fetch after cancel shows the link cancelled")],
    citation=lambda c, case: c.cancel_outcomes[c.initial_status].source,
)
def cancel_persists(ctx: RuleContext) -> None:
    contract = ctx.contract
    link_id = ctx.prepare(contract.initial_status)
    # The resources the cancel changes (side effects) are named by the link: read them first.
    related = related_ids(contract, ctx.fetch(link_id).entity) if contract.side_effects else {}
    cancelled = ctx.cancel(link_id, pre_status=contract.initial_status)
    if not 200 <= cancelled.status < 300:
        raise Inconclusive(
            f"the cancel itself returned HTTP {cancelled.status}; see cancel.cancellable-status"
        )
    ctx.expect_cancelled(link_id, contract.cancel_outcomes[contract.initial_status].source,
                         "fetch after cancel: status",
                         fact=fact_id(f"cancel:{contract.initial_status}", "persists"))
    for effect in contract.side_effects:
        want = effect.values[contract.cancelled_status]
        fact = fact_id(f"cancel:{contract.initial_status}", "side-effect", effect.name)
        if effect.name not in related:
            ctx.check(f"the link names its {effect.name} ({effect.id_field})", effect.source,
                      False, f"{effect.id_field} set", "absent", fact=fact)
            continue
        answer = ctx.record(ctx.client.fetch_related(effect, related[effect.name]))
        got = dotted_get(answer.json, effect.field)
        ctx.check(f"after cancel: {effect.name} {effect.field}", effect.source, got == want,
                  repr(want), f"{got!r} (HTTP {answer.status})", fact=fact)


# ---- cancel.not-cancellable -----------------------------------------------------------------


def _not_cancellable_cases(contract: Contract) -> list[Case]:
    out = [_case("cancel.not-cancellable", s, f"cancel of a {s} link is refused", status=s)
           for s in contract.rejected_statuses]
    # Variants (e.g. charges) are refused whatever their status: one case each.
    out += [_case("cancel.not-cancellable", f"variant:{v.name}", f"cancel of a {v.name} is refused",
                  variant=v.name) for v in contract.variants]
    return out


def _not_cancellable_expectation(contract: Contract, case: Case) -> Expectation:
    if "variant" in case.params:
        return contract.variant(case.params["variant"]).cancel
    return contract.cancel_outcomes[case.params["status"]]


@rule(
    "cancel.not-cancellable",
    "A cancel of a link in any other status, or of a non-cancellable variant, is refused and "
    "changes nothing",
    cases=_not_cancellable_cases,
    citation=lambda c, case: _not_cancellable_expectation(c, case).source,
)
def not_cancellable_is_refused(ctx: RuleContext) -> None:
    expectation = _not_cancellable_expectation(ctx.contract, ctx.case)
    if "variant" in ctx.case.params:
        variant = ctx.contract.variant(ctx.case.params["variant"])
        status, what = variant.initial_status, f"cancel of a {variant.name}"
        where = f"variant:{variant.name}"
        link_id = ctx.prepare_variant(variant.name)
    else:
        status = ctx.case.params["status"]
        what, where = f"cancel of {status}", f"cancel:{status}"
        link_id = ctx.prepare(status)
    before = ctx.fetch(link_id)
    exchange = ctx.cancel(link_id, pre_status=status)
    ctx.expect(exchange, expectation, what, where=where, link_id=link_id)
    ctx.expect_unchanged(link_id, before, expectation.source, f"after refused {what}", where=where)


# ---- cancel.repeat --------------------------------------------------------------------------


@rule(
    "cancel.repeat",
    "A second cancel of a cancelled link behaves as the contract says",
    cases=lambda c: [_case("cancel.repeat", "second-cancel", "a repeated cancel")],
    citation=lambda c, case: c.repeat_cancel.source,
)
def repeat_cancel_matches_contract(ctx: RuleContext) -> None:
    contract = ctx.contract
    expectation = contract.repeat_cancel
    link_id = ctx.prepare(contract.initial_status)
    first = ctx.cancel(link_id, pre_status=contract.initial_status)
    if not 200 <= first.status < 300:
        raise Inconclusive(f"the first cancel returned HTTP {first.status}; see cancel.cancellable-status")
    second = ctx.cancel(link_id, pre_status=contract.cancelled_status)
    ctx.expect(second, expectation, "second cancel", where="repeat", link_id=link_id)
    if expectation.noop and 200 <= second.status < 300:
        # The status value is judged by the outcome and the fetch below (and the first answer's
        # by cancel.cancellable-status); every other field must be exactly as after the first.
        keys = contract.status_keys
        first_rest = {k: v for k, v in (first.entity or {}).items() if k not in keys}
        second_rest = {k: v for k, v in (second.entity or {}).items() if k not in keys}
        ctx.check("second cancel: no-op, every field unchanged", expectation.source,
                  second_rest == first_rest, json.dumps(first_rest, sort_keys=True)[:400],
                  json.dumps(second_rest, sort_keys=True)[:400], fact=fact_id("repeat", "noop"))
    ctx.expect_cancelled(link_id, expectation.source, "after second cancel: still cancelled",
                         fact=fact_id("repeat", "stays-cancelled"))


# ---- state.reversible ------------------------------------------------------------------------


@rule(
    "state.reversible",
    "Where a cancel is an update the contract says can be undone, the undo restores the link",
    cases=lambda c: [_case("state.reversible", "cancel-undo-cancel",
                           "a cancelled link is restored, then cancels again")] if c.reversal else [],
    citation=lambda c, case: c.reversal.source if c.reversal else default_citation(c),
)
def reversal_restores_the_link(ctx: RuleContext) -> None:
    contract = ctx.contract
    assert contract.reversal is not None
    source = contract.reversal.source
    link_id = ctx.prepare(contract.initial_status)
    first = ctx.cancel(link_id, pre_status=contract.initial_status)
    if not 200 <= first.status < 300:
        raise Inconclusive(f"the cancel returned HTTP {first.status}; see cancel.cancellable-status")
    undo = ctx.record(ctx.client.cancel(link_id, body=contract.reversal.body,
                                        pre_status=contract.cancelled_status))
    fact = fact_id("reversal", "restores")
    ctx.check("undo: HTTP status", source, 200 <= undo.status < 300, "HTTP 2xx", str(undo.status),
              fact=fact)
    fetched = ctx.fetch(link_id)
    shown = contract.status_of(fetched.entity)
    ctx.check("fetch after undo: status", source, shown == contract.initial_status,
              repr(contract.initial_status), f"{shown!r} (HTTP {fetched.status})", fact=fact)
    again = ctx.cancel(link_id, pre_status=contract.initial_status)
    # What the answer and a later fetch show is cancel.cancellable-status's and
    # state.cancel-persists's to judge; here, only that the restored link cancels again.
    ctx.check("cancel after undo: HTTP status", source, 200 <= again.status < 300, "HTTP 2xx",
              str(again.status), fact=fact)


# ---- cancel.unknown-id ----------------------------------------------------------------------


@rule(
    "cancel.unknown-id",
    "A cancel of an id that does not exist is refused as the contract says",
    cases=lambda c: [_case("cancel.unknown-id", "never-created", "cancel of an unknown id")],
    citation=lambda c, case: c.unknown_id.source,
)
def unknown_id_is_refused(ctx: RuleContext) -> None:
    link_id = ctx.contract.unknown_id_example
    exchange = ctx.cancel(link_id, pre_status=None)
    ctx.expect(exchange, ctx.contract.unknown_id, "cancel of unknown id", where="unknown-id",
               link_id=link_id)


# ---- auth.missing / auth.invalid ---------------------------------------------------------------


def _auth_rule(mode: str) -> None:
    @rule(
        f"auth.{mode}",
        f"A cancel with {mode} credentials is refused and changes nothing",
        cases=lambda c: [_case(f"auth.{mode}", f"{mode}-credentials", f"cancel with {mode} credentials")],
        citation=lambda c, case: getattr(c.auth, mode).source,
    )
    def auth_is_enforced(ctx: RuleContext) -> None:
        contract = ctx.contract
        expectation = getattr(contract.auth, mode)
        link_id = ctx.prepare(contract.initial_status)
        before = ctx.fetch(link_id)
        exchange = ctx.cancel(link_id, auth=mode, pre_status=contract.initial_status)
        where = f"auth:{mode}"
        ctx.expect(exchange, expectation, f"cancel with {mode} credentials", where=where,
                   link_id=link_id)
        ctx.expect_unchanged(link_id, before, expectation.source,
                             f"after {mode}-credentials cancel", where=where)


_auth_rule("missing")
_auth_rule("invalid")


# ---- headers.required ---------------------------------------------------------------------------


def _header_cases(contract: Contract) -> list[Case]:
    out = []
    for header in contract.checked_headers:
        if header.missing is not None:
            out.append(_case("headers.required", f"missing:{header.name}",
                             f"cancel without {header.name}", header=header.name,
                             problem="missing"))
        if header.malformed is not None and header.invalid is not None:
            out.append(_case("headers.required", f"malformed:{header.name}",
                             f"cancel with a malformed {header.name}", header=header.name,
                             problem="malformed"))
    return out


def _header_source(contract: Contract, case: Case) -> Source:
    header = next(h for h in contract.headers if h.name == case.params["header"])
    exp = header.missing if case.params["problem"] == "missing" else header.invalid
    return exp.source if exp is not None else header.source


@rule(
    "headers.required",
    "A cancel missing a required header, or with a malformed one, is refused",
    cases=_header_cases,
    citation=_header_source,
)
def required_headers_are_enforced(ctx: RuleContext) -> None:
    contract = ctx.contract
    name, problem = ctx.case.params["header"], ctx.case.params["problem"]
    header = next(h for h in contract.headers if h.name == name)
    expectation = header.missing if problem == "missing" else header.invalid
    assert expectation is not None
    link_id = ctx.prepare(contract.initial_status)
    before = ctx.fetch(link_id)
    if problem == "missing":
        exchange = ctx.cancel(link_id, omit_headers=(name,), pre_status=contract.initial_status)
    else:
        exchange = ctx.cancel(link_id, header_overrides={name: header.malformed or ""},
                              pre_status=contract.initial_status)
    where = f"header:{problem}:{name}"
    ctx.expect(exchange, expectation, f"cancel with {problem} {name}", where=where, link_id=link_id)
    # An accepted request is judged by the outcome check above (acceptance may itself be an
    # unverified candidate); "changes nothing" only applies to a refusal.
    if not 200 <= exchange.status < 300:
        ctx.expect_unchanged(link_id, before, expectation.source,
                             f"after cancel with {problem} {name}", where=where)


# ---- idempotency.replay -----------------------------------------------------------------------


def _idempotency_cases(contract: Contract) -> list[Case]:
    out = []
    header = contract.idempotency_header
    if header is not None:
        out.append(_case("idempotency.replay", f"same-key:{header.name}",
                         f"a create sent twice with one {header.name} makes one link",
                         header=header.name))
    field = contract.create.idempotency_field
    if field is not None:
        out.append(_case("idempotency.replay", f"same-key:{field}",
                         f"a create sent twice with one {field} in its body makes one link",
                         field=field))
    return out


def _idempotency_source(contract: Contract, case: Case) -> Source:
    if "field" in case.params:
        return contract.create.source
    return next(h for h in contract.headers if h.name == case.params["header"]).source


@rule(
    "idempotency.replay",
    "A write repeated with the same idempotency key answers as the first and applies once",
    cases=_idempotency_cases,
    citation=_idempotency_source,
)
def idempotency_key_replays_the_first_answer(ctx: RuleContext) -> None:
    contract = ctx.contract
    name = ctx.case.params.get("header") or ctx.case.params["field"]
    source = _idempotency_source(contract, ctx.case)
    value = new_request_id()
    key = {name: value} if "header" in ctx.case.params else {}
    body_key = value if "field" in ctx.case.params else None
    first = ctx.record(ctx.client.create(header_overrides=key, idempotency_key=body_key))
    if not 200 <= first.status < 300:
        raise Inconclusive(f"create returned HTTP {first.status}")
    first_id = ctx.client.link_id_of(first)
    ctx.links.created.append(first_id)
    # The second create carries another body (a fresh link id where the client picks it): only
    # the key says it is the same write.
    second = ctx.record(ctx.client.create(header_overrides=key, idempotency_key=body_key))
    second_id = ctx.client.link_id_of(second) if 200 <= second.status < 300 else None
    if second_id is not None and second_id != first_id:
        ctx.links.created.append(second_id)
    ctx.check(f"create repeated with one {name}: the first answer again", source,
              second.status == first.status and second_id == first_id,
              f"HTTP {first.status}, link {first_id!r}", f"HTTP {second.status}, link {second_id!r}",
              fact=fact_id(f"idempotency:{name}", "replay"))


# ---- schema.success --------------------------------------------------------------------------------


@rule(
    "schema.success",
    "Create, fetch and cancel success bodies match the schema of the API version",
    cases=lambda c: [
        _case("schema.success", f"api-version:{v.name}", f"success bodies under API version {v.name}",
              version=v.name)
        for v in c.api_versions
    ],
    citation=lambda c, case: c.api_version(case.params["version"]).source,
)
def success_bodies_match_schema(ctx: RuleContext) -> None:
    contract = ctx.contract
    version = contract.api_version(ctx.case.params["version"])
    client = ctx.client.for_version(version.name)
    created = ctx.record(client.create())
    if not 200 <= created.status < 300:
        raise Inconclusive(f"create returned HTTP {created.status}")
    link_id = client.link_id_of(created)
    ctx.links.created.append(link_id)
    bodies = [("create", created), ("fetch", ctx.record(client.fetch(link_id)))]
    cancelled = ctx.record(client.cancel(link_id, pre_status=contract.initial_status))
    if 200 <= cancelled.status < 300 and contract.cancel_no_body:
        ctx.check("cancel answers no body", contract.cancel_source, not cancelled.text,
                  "an empty body", repr(cancelled.text[:200]),
                  fact=fact_id(f"schema:success:{version.name}", "valid"))
    elif 200 <= cancelled.status < 300:
        bodies.append(("cancel", cancelled))
    else:
        ctx.observations.append(f"cancel returned HTTP {cancelled.status}; its body was not checked")
    for label, exchange in bodies:
        if not 200 <= exchange.status < 300:
            raise Inconclusive(f"{label} returned HTTP {exchange.status}")
        schema, source = version.entity_schema_file, version.source
        if label == "cancel" and contract.cancel_response is not None:
            schema, source = contract.cancel_response.schema_file, contract.cancel_response.source
        _check_schema(ctx, f"{label} body", schema, exchange.json, source,
                      fact_id(f"schema:success:{version.name}", "valid"))


# ---- schema.error ------------------------------------------------------------------------------------

_ERROR_SCENARIOS = {
    "not-cancellable": "the refused cancel of a non-cancellable link",
    "repeat": "the answer to a repeated cancel",
    "unknown-id": "the answer to a cancel of an unknown id",
    "auth-invalid": "the answer to invalid credentials",
}


def _error_cases(contract: Contract) -> list[Case]:
    out = []
    for key, title in _ERROR_SCENARIOS.items():
        if key == "not-cancellable" and not contract.rejected_statuses:
            continue
        if key == "repeat" and contract.repeat_cancel.is_success:
            continue
        out.append(_case("schema.error", key, f"error body of {title}", scenario=key))
    return out


@rule(
    "schema.error",
    "Error bodies match the provider's error schema",
    cases=_error_cases,
    citation=lambda c, case: c.error.source,
)
def error_bodies_match_schema(ctx: RuleContext) -> None:
    contract = ctx.contract
    scenario = ctx.case.params["scenario"]
    if scenario == "unknown-id":
        exchange = ctx.cancel(contract.unknown_id_example)
    elif scenario == "not-cancellable":
        status = contract.rejected_statuses[0]
        exchange = ctx.cancel(ctx.prepare(status), pre_status=status)
    elif scenario == "repeat":
        link_id = ctx.prepare(contract.initial_status)
        ctx.cancel(link_id, pre_status=contract.initial_status)
        exchange = ctx.cancel(link_id, pre_status=contract.cancelled_status)
    else:
        link_id = ctx.prepare(contract.initial_status)
        exchange = ctx.cancel(link_id, auth="invalid", pre_status=contract.initial_status)
    if 200 <= exchange.status < 300:
        raise Skip(f"the scenario answered HTTP {exchange.status}, so there is no error body to "
                   "check (the behavioural rule for this scenario judges that)")
    if exchange.json is None:
        ctx.check("error body is JSON", contract.error.source, False, "a JSON error body",
                  repr(exchange.text[:200]), fact=fact_id("schema:error", "valid"))
        return
    _check_schema(ctx, "error body", contract.error.schema_file, exchange.json,
                  contract.error.source, fact_id("schema:error", "valid"))


# ---- errors.status-message ---------------------------------------------------------------------------


@rule(
    "errors.status-message",
    "An error of a status the provider gives one message carries that message",
    cases=lambda c: [
        _case("errors.status-message", f"http-{status}",
              f"the message of an HTTP {status} error (a create whose body is not an object)",
              status=str(status))
        for status in sorted(c.error.status_messages)
    ],
    citation=lambda c, case: c.error.source,
)
def status_message_is_the_documented_one(ctx: RuleContext) -> None:
    contract = ctx.contract
    status = int(ctx.case.params["status"])
    wanted = contract.error.status_messages[status]
    # A JSON array where the create takes an object: malformed for any API, so a 400.
    exchange = ctx.record(ctx.client.send_create([]))
    if 200 <= exchange.status < 300:
        ctx.links.created.append(ctx.client.link_id_of(exchange))
    if exchange.status != status:
        raise Skip(f"a create whose body is not an object answered HTTP {exchange.status}, not "
                   f"{status}, so the documented {status} message was not exercised")
    path = ".".join(p for p in (contract.error.path, contract.error.message_field) if p)
    got = dotted_get(exchange.json, path) if exchange.json is not None else None
    ctx.check(f"HTTP {status} error message", contract.error.source, got == wanted, repr(wanted),
              repr(got), fact=fact_id(f"error-message:{status}", "message"))


#: At most this many violated constraints are reported per body (the first ones, documented first).
_SCHEMA_FINDINGS_SHOWN = 8


def _check_schema(ctx: RuleContext, what: str, schema_file: str, body: object,
                  source: Source, fact: str) -> None:
    """One check per violated constraint, at the constraint's evidence, naming it and its source.

    A documented constraint FAILs, an inferred one WARNs; a schema whose whole shape is only
    inferred (``source``) makes every constraint at most inferred.
    """
    findings = schema_findings(schema_file, body)
    if not findings:
        ctx.check(f"{what} matches {schema_file}", source, True, "a body valid against the schema",
                  "valid", fact=fact)
        return
    weak = source.evidence in (Evidence.INFERRED, Evidence.UNVERIFIED)
    for finding in findings[:_SCHEMA_FINDINGS_SHOWN]:
        evidence = source.evidence if weak else finding.evidence
        citation = finding.citation if not weak else f"{finding.citation}; {source.citation}"
        ctx.check(f"{what}: {schema_file} {finding.keyword} at {finding.path}",
                  Source(evidence=evidence, citation=citation), False,
                  f"the {finding.keyword} constraint ({finding.evidence.value})", finding.message,
                  fact=fact)
    if len(findings) > _SCHEMA_FINDINGS_SHOWN:
        ctx.observations.append(f"{what}: {len(findings) - _SCHEMA_FINDINGS_SHOWN} more schema "
                                "findings not shown")


def default_citation(contract: Contract) -> Source:
    """The fallback source for rules that have no more specific one."""
    return documented(contract.cancel_source.citation)
