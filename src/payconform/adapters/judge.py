"""Judging an adapter: the outcome it reports and the requests it sent, scenario by scenario.

The judge reads a :class:`~payconform.adapters.scenarios.Session` (the simulator's request
log, where each scenario began, link statuses) and, where known, the outcome the adapter
reported per scenario. Every rule below has a stable id, derives what it expects from the
contract only, and records :class:`~payconform.rules.engine.Check`s at the evidence level of
the fact it relies on, so verdicts follow the same law as the rule catalog (failed
documented -> FAIL, inferred -> WARN, unverified -> OBSERVED).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from payconform.adapters.scenarios import RETRY_AFTER_SECONDS, Scenario, Session, plan
from payconform.model.contract import Contract, Expectation, HeaderSpec, Operation, Source, inferred
from payconform.model.facts import fact_id, facts_of
from payconform.model.outcomes import REFUSALS, Evidence, Outcome, Verdict
from payconform.model.redact import Redactor
from payconform.rules.engine import Case, CaseResult, Check, decide

__all__ = [
    "ADAPTER_RULES",
    "OUTCOME_RULE",
    "AdapterRule",
    "Sent",
    "adapter_cases",
    "judge_case",
    "judge_session",
    "outcome_fact",
]

OUTCOME_RULE = "adapter.outcome-mapping"
RETRY_AFTER_SOURCE = inferred(
    "RFC 9110 section 10.2.3 (Retry-After: how long to wait before a follow-up request); not a "
    "vendor statement"
)
#: Slack for clocks when comparing a retry's delay with Retry-After.
_SLACK = 0.05


@dataclass(frozen=True)
class Sent:
    """One request the adapter sent, as the simulator recorded it."""

    method: str
    path: str
    headers: Mapping[str, str]
    status: int
    at: float
    fault: str | None
    operation: str | None
    link_id: str | None

    @property
    def line(self) -> str:
        """``METHOD path -> status`` for messages."""
        tail = f" ({self.fault} fault)" if self.fault else ""
        answer = "no answer" if self.status == 0 else f"HTTP {self.status}"
        return f"{self.method} {self.path} -> {answer}{tail}"

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        return self.headers.get(name.lower())

    @property
    def refused(self) -> bool:
        """A 4xx the server gave (not a rate limit, not an injected fault)."""
        return 400 <= self.status < 500 and self.status != 429 and not self.fault


@dataclass
class Run:
    """What the judge knows about one scenario run."""

    contract: Contract
    scenario: Scenario
    traffic: list[Sent]
    link_id: str | None
    final_status: str | None
    outcome: str | None
    fetched: str | None = None
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, source: Source, passed: bool, expected: str, received: str, *,
              fact: str = "") -> None:
        """Record one check at ``source``'s evidence level (``fact``: the contract fact it uses)."""
        self.checks.append(Check(name, source.evidence, passed, expected, received, source.citation,
                                 fact=fact))

    @property
    def target(self) -> str | None:
        """The id the scenario's cancel is about."""
        return self.link_id if self.scenario.creates else self.contract.unknown_id_example

    def cancels(self) -> list[Sent]:
        """The adapter's cancel requests of the scenario's link, in order."""
        return [s for s in self.traffic if s.operation == "cancel" and s.link_id == self.target]


# ---- routes --------------------------------------------------------------------------------


def _routes(contract: Contract) -> list[tuple[str, re.Pattern[str], str, Source]]:
    base = urlsplit(contract.base_urls["sandbox"]).path.rstrip("/")
    ops = [("create", contract.create.operation, contract.create.source),
           ("fetch", contract.fetch, contract.fetch_source),
           ("cancel", contract.cancel, contract.cancel_source)]
    if contract.auth.token_endpoint is not None:
        ops.append(("token", contract.auth.token_endpoint, contract.auth.source))
    ops.extend((f"related:{e.name}", e.fetch, e.source) for e in contract.side_effects)
    if contract.activation is not None:
        ops.append(("activate", contract.activation.operation, contract.activation.source))
    ops.extend((f"variant:{v.name}", v.create.operation, v.source) for v in contract.variants)
    ops.extend(_other_operations(contract, {id(op) for _, op, _ in ops}))
    versions = "|".join(re.escape(v.name) for v in contract.api_versions)
    out = []
    for name, op, source in ops:
        pattern = re.escape(base + op.path).replace(re.escape("{id}"), "(?P<id>[^/]*)")
        pattern = pattern.replace(re.escape("{version}"), f"(?:{versions})")
        out.append((name, re.compile(pattern + "/?$"), op.method, source))
    return out


def _other_operations(contract: Contract, known: set[int]) -> list[tuple[str, Operation, Source]]:
    """Any further operation the contract declares (e.g. a step that makes a new link
    payable), found by type so the judge needs no list of them: named by its field."""
    out = []
    for name, value in contract:
        op = value if isinstance(value, Operation) else getattr(value, "operation", None)
        if isinstance(op, Operation) and id(op) not in known:
            source = getattr(value, "source", None)
            out.append((name, op, source if isinstance(source, Source) else contract.cancel_source))
    return out


def _shown(rx: re.Pattern[str]) -> str:
    """A route pattern as a readable path (``{id}``, ``{version}``)."""
    text = rx.pattern.removesuffix("/?$").replace("(?P<id>[^/]*)", "{id}")
    return re.sub(r"\(\?:[^)]*\)", "{version}", text).replace("\\", "")


def parse_traffic(contract: Contract, requests: list[dict[str, Any]]) -> list[Sent]:
    """The recorded requests with the contract operation each one is (None: none)."""
    routes = _routes(contract)
    out = []
    for raw in requests:
        method = str(raw.get("method", "")).upper()
        path = urlsplit(str(raw.get("path", ""))).path
        operation, link_id = None, None
        for name, rx, verb, _ in routes:
            match = rx.match(path)
            if match and verb == method:
                operation = name
                found = match.groupdict().get("id")
                link_id = unquote(found) if found is not None else None
                break
        headers = {str(k).lower(): str(v) for k, v in dict(raw.get("headers") or {}).items()}
        out.append(Sent(method, path, headers, int(raw.get("status") or 0),
                        float(raw.get("at") or 0.0), raw.get("fault"), operation, link_id))
    return out


# ---- the rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AdapterRule:
    """A registered adapter rule: id, title, where it applies, its source, and its judge."""

    id: str
    title: str
    applies: Callable[[Contract, Scenario], bool]
    source: Callable[[Contract, Scenario], Source]
    judge: Callable[[Run], None]


ADAPTER_RULES: dict[str, AdapterRule] = {}


def _rule(rule_id: str, title: str, *, applies: Callable[[Contract, Scenario], bool],
          source: Callable[[Contract, Scenario], Source]
          ) -> Callable[[Callable[[Run], None]], Callable[[Run], None]]:
    def register(func: Callable[[Run], None]) -> Callable[[Run], None]:
        ADAPTER_RULES[rule_id] = AdapterRule(rule_id, title, applies, source, func)
        return func

    return register


def _expectation(contract: Contract, scenario: Scenario) -> Expectation:
    """The contract's expectation for a status / unknown-id / credentials scenario."""
    if scenario.kind == "unknown-id":
        return contract.unknown_id
    if scenario.kind == "invalid-credentials":
        return contract.auth.invalid
    status = scenario.status or contract.initial_status
    if status == contract.cancelled_status:
        return contract.repeat_cancel
    return contract.cancel_outcomes[status]


def _judged_source(exp: Expectation) -> Source:
    # The adapter is judged on what the simulator plays; for an unverified expectation that is
    # one candidate among several, so a mismatch is a warning, not a contract failure.
    if exp.source.evidence is not Evidence.UNVERIFIED:
        return exp.source
    return Source(evidence=Evidence.INFERRED, citation=exp.source.citation,
                  note="the simulator plays the first candidate of an unverified expectation")


def _success_source(contract: Contract) -> Source:
    return contract.cancel_outcomes[contract.initial_status].source


def _outcome_source(contract: Contract, scenario: Scenario) -> Source:
    if scenario.kind == "fault":
        return _success_source(contract)
    return _judged_source(_expectation(contract, scenario))


def _where(contract: Contract, scenario: Scenario) -> str:
    """Where the contract states the scenario's expectation (a fact-id prefix)."""
    if scenario.kind in ("unknown-id", "invalid-credentials"):
        return "unknown-id" if scenario.kind == "unknown-id" else "auth:invalid"
    status = scenario.status or contract.initial_status
    return "repeat" if status == contract.cancelled_status else f"cancel:{status}"


def outcome_fact(contract: Contract, scenario: Scenario, repeated: bool) -> str:
    """The contract fact an outcome check stands on (see :mod:`payconform.model.facts`)."""
    if scenario.kind == "fault":
        if repeated:  # the adapter reports what its repeated cancel was answered
            exp = contract.repeat_cancel
            return fact_id("repeat", "outcome" if exp.source.evidence is not Evidence.UNVERIFIED
                           else "behaviour")
        # "A cancel leaves the link cancelled": as the contract states it (a status, or a fetch
        # after the cancel where the link has no status field).
        where = f"cancel:{contract.initial_status}"
        known = {f.id for f in facts_of(contract)}
        return next((fact_id(where, kind) for kind in ("cancelled-status", "persists")
                     if fact_id(where, kind) in known), fact_id(where, "outcome"))
    exp = _expectation(contract, scenario)
    if exp.source.evidence is Evidence.UNVERIFIED:
        return fact_id(_where(contract, scenario), "behaviour")
    return fact_id(_where(contract, scenario), "outcome")


def _allowed(contract: Contract, scenario: Scenario, final_status: str | None) -> set[str]:
    if scenario.kind == "fault":
        allowed = {Outcome.PROVIDER_ERROR.value, Outcome.RATE_LIMITED.value}
        if final_status == contract.cancelled_status:
            allowed.add(Outcome.CANCELLED.value)
        if scenario.expire_tokens:
            allowed.add(Outcome.UNAUTHORIZED.value)  # not refreshing is token-refresh's finding
        return allowed
    exp = _expectation(contract, scenario)
    played = exp.played.outcome
    allowed = {played.value}
    if played is Outcome.REJECTED:  # any refusal will do
        allowed = {Outcome.INVALID_REQUEST.value, Outcome.NOT_CANCELLABLE.value,
                   Outcome.NOT_FOUND.value, Outcome.UNAUTHORIZED.value}
    if scenario.status == contract.cancelled_status:
        if exp.is_success:
            # A no-op repeat answers like a cancel: the wire cannot tell the two apart.
            return {Outcome.ALREADY_CANCELLED.value, Outcome.CANCELLED.value}
        # A refused repeat may be reported either way: the wire cannot tell them apart.
        return (allowed | {Outcome.ALREADY_CANCELLED.value}) - {Outcome.CANCELLED.value}
    return allowed


@_rule(OUTCOME_RULE, "the adapter reports the outcome the contract documents",
       applies=lambda c, s: True, source=_outcome_source)
def outcome_mapping(run: Run) -> None:
    """The reported outcome is one the contract allows; under a fault, CANCELLED only if it is."""
    contract, scenario = run.contract, run.scenario
    allowed = _allowed(contract, scenario, run.final_status)
    got = run.outcome if run.outcome is not None else "(no outcome)"
    expected = " or ".join(sorted(allowed))
    if scenario.kind == "fault":
        expected += f" (the link is {run.final_status} in the simulator afterwards)"
    received = got
    refused = [s for s in run.traffic if s.refused and s.operation != "token"]
    if got not in allowed and refused and not allowed & REFUSALS:
        # A refusal where none was due: most likely the request broke a request rule.
        received += f" (the simulator refused {refused[0].line}: see the adapter.request rules)"
    source = _outcome_source(contract, scenario)
    if scenario.kind == "fault" and got not in allowed and run.final_status == contract.cancelled_status:
        # The cancel took effect, and the adapter reports what a repeated cancel answered: that
        # answer is the contract's repeat-cancel behaviour, at its evidence level.
        source = _judged_source(contract.repeat_cancel)
    run.check("adapter outcome", source, got in allowed, expected, received,
              fact=outcome_fact(contract, scenario, source is not _outcome_source(contract, scenario)))
    # A fetch names a status only where the link has a status field and, once cancelled, still
    # reads (a contract may delete the link on cancel: cancelled_fetch).
    readable = contract.entity.status_field is not None and not (
        run.final_status == contract.cancelled_status and contract.cancelled_fetch is not None)
    if run.fetched is not None and run.final_status is not None and readable:
        run.check("adapter fetch() status", contract.fetch_source, run.fetched == run.final_status,
                  repr(run.final_status), repr(run.fetched))


def _every(contract: Contract, scenario: Scenario) -> bool:
    return True


@_rule("adapter.request.endpoint", "every request is a documented operation (method and path)",
       applies=_every, source=lambda c, s: c.cancel_source)
def request_endpoint(run: Run) -> None:
    """Each request the adapter sent matches an operation of the contract, method included."""
    routes = _routes(run.contract)
    documented = ", ".join(f"{verb} {_shown(rx)}" for _, rx, verb, _ in routes)
    bad = False
    for sent in run.traffic:
        if sent.operation is not None:
            continue
        bad = True
        same_path = [(verb, source) for _, rx, verb, source in routes if rx.match(sent.path)]
        source = same_path[0][1] if same_path else run.contract.cancel_source
        expected = (f"{' or '.join(v for v, _ in same_path)} on this path" if same_path
                    else f"one of {documented}")
        run.check("request method and path", source, False, expected, sent.line)
    if not bad:
        run.check("request method and path", run.contract.cancel_source, True,
                  "documented operations", f"{len(run.traffic)} requests, all documented")


def _auth_headers(contract: Contract) -> list[str]:
    if contract.auth.scheme == "headers":
        return list(contract.auth.headers)
    return ["Authorization"]


@_rule("adapter.request.auth", "every API request carries the contract's credentials",
       applies=_every, source=lambda c, s: c.auth.source)
def request_auth(run: Run) -> None:
    """Every request but the token call presents the auth headers of the contract's scheme."""
    names = _auth_headers(run.contract)
    missing = [f"{s.line} without {', '.join(n for n in names if s.header(n) is None)}"
               for s in run.traffic
               if s.operation not in (None, "token") and any(s.header(n) is None for n in names)]
    run.check("credentials on every request", run.contract.auth.source, not missing,
              f"{' and '.join(names)} on every API request ({run.contract.auth.scheme})",
              "; ".join(missing) or "present on every API request")


def _checked_headers(contract: Contract) -> list[HeaderSpec]:
    return [h for h in contract.headers if h.required or h.missing is not None]


def _header_source(header: HeaderSpec) -> Source:
    if header.required or header.missing is None:
        return header.source
    return header.missing.source


def _valid(header: HeaderSpec, value: str) -> bool:
    if header.max_length is not None and not 1 <= len(value) <= header.max_length:
        return False
    if header.pattern is not None and not re.fullmatch(header.pattern, value):
        return False
    return not (header.known_values and value not in header.known_values)


@_rule("adapter.request.headers", "every API request carries the required headers, well formed",
       applies=lambda c, s: bool(_checked_headers(c)),
       source=lambda c, s: _header_source(_checked_headers(c)[0]))
def request_headers(run: Run) -> None:
    """Each required (or probed) header is on every API request with a documented format."""
    api = [s for s in run.traffic if s.operation not in (None, "token")]
    for header in _checked_headers(run.contract):
        missing = [s.line for s in api if s.header(header.name) is None]
        malformed = [f"{s.line} with {header.name}: {s.header(header.name)!r}" for s in api
                     if s.header(header.name) is not None
                     and not _valid(header, s.header(header.name) or "")]
        label = "required" if header.required else "documented, enforcement unverified"
        run.check(f"{header.name} present ({label})", _header_source(header), not missing,
                  f"{header.name} on every API request", "missing on " + "; ".join(missing)
                  if missing else "present on every API request")
        if header.pattern or header.max_length or header.known_values:
            fmt = header.pattern or (f"at most {header.max_length} characters" if header.max_length
                                     else ", ".join(header.known_values))
            source = header.invalid.source if header.invalid is not None else header.source
            run.check(f"{header.name} well formed", source, not malformed, f"{header.name} matching "
                      f"{fmt}", "; ".join(malformed) or "well formed on every request")


def _fault_retry_scenario(scenario: Scenario) -> bool:
    return scenario.kind == "fault" and scenario.fault is not None


def _ambiguous_fault(scenario: Scenario) -> bool:
    """A fault after which the client cannot know whether its cancel took effect."""
    return _fault_retry_scenario(scenario) and scenario.fault is not None and \
        scenario.fault.get("status") != 429


@_rule("adapter.request.idempotency-key",
       "a retried cancel reuses the idempotency key of its first attempt",
       applies=lambda c, s: c.cancel_idempotency_header is not None and _fault_retry_scenario(s),
       source=lambda c, s: (c.cancel_idempotency_header.source if c.cancel_idempotency_header
                            else c.cancel_source))
def request_idempotency_key(run: Run) -> None:
    """Every attempt of one cancel that carries the idempotency header carries the same value."""
    header = run.contract.cancel_idempotency_header
    assert header is not None
    attempts = run.cancels()
    keys = [s.header(header.name) for s in attempts]
    carried = {k for k in keys if k is not None}
    received = "; ".join(f"attempt {i + 1}: {k or '(none)'}" for i, k in enumerate(keys)) or \
        "no cancel sent"
    run.check(f"{header.name} reused across retries", header.source, len(carried) <= 1,
              f"one {header.name} value for every attempt of the cancel", received)


@_rule("adapter.request.retry-safety",
       "a cancel is repeated only where the contract says it cannot apply twice",
       applies=lambda c, s: not c.repeat_cancel.is_success and _ambiguous_fault(s),
       source=lambda c, s: c.repeat_cancel.source)
def request_retry_safety(run: Run) -> None:
    """After an answer that may hide the cancel's effect, a retry must carry the idempotency key
    (one documented for the cancel's method)."""
    contract = run.contract
    header = contract.cancel_idempotency_header
    attempts = run.cancels()
    unsafe = [i for i, s in enumerate(attempts[1:], start=2)
              if header is None or s.header(header.name) is None]
    if header is not None:
        expected = (f"no repeated cancel without {header.name} (a repeated cancel of a cancelled "
                    f"link is refused; {header.name} replays the first answer)")
    else:
        expected = ("no repeated cancel (a repeated cancel of a cancelled link is refused, and the "
                    "contract documents no idempotency key for it)")
    received = (f"{len(attempts)} cancels of {run.target}; attempt(s) "
                f"{', '.join(map(str, unsafe))} without an idempotency key" if unsafe
                else f"{len(attempts)} cancel(s), every retry safe")
    run.check("retry only when it cannot apply twice", contract.repeat_cancel.source, not unsafe,
              expected, received)


@_rule("adapter.request.retry-after", "after a 429 the adapter waits Retry-After before retrying",
       applies=lambda c, s: s.fault is not None and s.fault.get("status") == 429,
       source=lambda c, s: RETRY_AFTER_SOURCE)
def request_retry_after(run: Run) -> None:
    """A retry of the rate-limited request comes no sooner than Retry-After says."""
    limited = [(i, s) for i, s in enumerate(run.traffic) if s.status == 429 and s.fault]
    if not limited:
        run.check("rate-limited request", RETRY_AFTER_SOURCE, True, "a 429", "no request was limited")
        return
    index, first = limited[0]
    retry = next((s for s in run.traffic[index + 1:]
                  if s.method == first.method and s.path == first.path), None)
    if retry is None:
        run.check("wait before retrying", RETRY_AFTER_SOURCE, True,
                  f"a retry no sooner than {RETRY_AFTER_SECONDS} s", "no retry")
        return
    gap = retry.at - first.at
    run.check("wait before retrying", RETRY_AFTER_SOURCE, gap >= RETRY_AFTER_SECONDS - _SLACK,
              f"a retry no sooner than {RETRY_AFTER_SECONDS} s after the 429 "
              f"(Retry-After: {RETRY_AFTER_SECONDS})", f"retried after {gap:.2f} s")


def _repeated_after_refusal(run: Run, only_cancels: bool) -> list[str]:
    """Requests re-sent after a final refusal of the same method and path."""
    traffic = run.traffic
    bearer = run.contract.auth.scheme == "bearer_token"
    found = []
    for i, sent in enumerate(traffic):
        if not sent.refused or (only_cancels and sent not in run.cancels()):
            continue
        later = traffic[i + 1:]
        again = [j for j, s in enumerate(later) if s.method == sent.method and s.path == sent.path]
        if not again:
            continue
        renewed = any(s.operation == "token" and 200 <= s.status < 300 for s in later[:again[0]])
        if bearer and sent.status == 401 and sent.operation != "token" and renewed:
            again = again[1:]  # one retry with a fresh token is how bearer auth works
        if again:
            found.append(f"{sent.line}, then sent again {len(again)} time(s)")
    return found


def _terminal_refusal(contract: Contract, scenario: Scenario) -> bool:
    return (scenario.kind == "status" and scenario.status in contract.terminal_statuses
            and not _expectation(contract, scenario).is_success)


@_rule("adapter.request.no-second-cancel",
       "no second cancel after the contract's final refusal of a terminal link",
       applies=_terminal_refusal, source=lambda c, s: _expectation(c, s).source)
def request_no_second_cancel(run: Run) -> None:
    """Once the cancel of a paid, expired or cancelled link is refused, it is not sent again."""
    source = _expectation(run.contract, run.scenario).source
    repeated = _repeated_after_refusal(run, only_cancels=True)
    run.check("no second cancel", source, not repeated,
              "one cancel: the refusal of a link in a terminal status is final",
              "; ".join(repeated) or "not repeated")


def _final_refusal(contract: Contract, scenario: Scenario) -> bool:
    if scenario.kind in ("unknown-id", "invalid-credentials"):
        return not _expectation(contract, scenario).is_success
    return (scenario.kind == "status" and not _terminal_refusal(contract, scenario)
            and not _expectation(contract, scenario).is_success)


@_rule("adapter.request.final-refusal", "no retry of a 4xx the contract says is final",
       applies=_final_refusal, source=lambda c, s: _expectation(c, s).source)
def request_final_refusal(run: Run) -> None:
    """A request refused with a final 4xx (not 429) is not re-sent unchanged."""
    source = _expectation(run.contract, run.scenario).source
    repeated = _repeated_after_refusal(run, only_cancels=False)
    run.check("no retry of a final refusal", source, not repeated,
              "no request re-sent after its final 4xx", "; ".join(repeated) or "not repeated")


@_rule("adapter.request.token-refresh", "after a 401 on an expired token, a new token is fetched",
       applies=lambda c, s: s.expire_tokens, source=lambda c, s: c.auth.source)
def request_token_refresh(run: Run) -> None:
    """The cancel refused for an expired token is sent again with a token fetched after it."""
    contract = run.contract
    token = contract.auth.token_endpoint
    assert token is not None
    traffic = run.traffic
    first = next((i for i, s in enumerate(traffic)
                  if s.operation == "cancel" and s.status == 401 and not s.fault), None)
    if first is None:
        run.check("token renewed", contract.auth.source, True, "a new token after the 401",
                  "no request was refused for the expired token")
        return
    later = traffic[first + 1:]
    renewed = next((j for j, s in enumerate(later)
                    if s.operation == "token" and 200 <= s.status < 300), None)
    resent = renewed is not None and any(s.operation == "cancel" for s in later[renewed + 1:])
    run.check("token renewed", contract.auth.source, resent,
              f"{token.method} {token.path} for a new token, then the cancel again",
              "; ".join(s.line for s in later) or f"nothing after {traffic[first].line}")


# ---- running the judge ---------------------------------------------------------------------


def adapter_cases(contract: Contract, rule_id: str) -> list[Case]:
    """One case per scenario the rule applies to, for ``contract``."""
    definition = ADAPTER_RULES[rule_id]
    return [Case(rule_id, s.id, f"{definition.title}: {s.title}", {"scenario": s.id})
            for s in plan(contract) if definition.applies(contract, s)]


def judge_case(contract: Contract, case: Case, session: Session, *, outcome: str | None,
               fetched: str | None = None, origin: str = "", redactor: Redactor | None = None,
               outcome_known: bool = True) -> CaseResult:
    """The verdict of one adapter rule on one scenario of a recorded session."""
    definition = ADAPTER_RULES[case.rule_id]
    scenario = next(s for s in plan(contract) if s.id == case.case_id)
    source = definition.source(contract, scenario)
    redactor = redactor or Redactor(contract.auth.simulator_credentials.values())

    def result(verdict: Verdict, message: str, checks: list[Check], traffic: list[Sent]
               ) -> CaseResult:
        shown = verdict in (Verdict.FAIL, Verdict.WARN, Verdict.OBSERVED)
        return CaseResult(contract.provider, case.rule_id, case.case_id, case.title, verdict,
                          source.evidence.value, source.citation, redactor.text(message),
                          checks=[Check(c.name, c.evidence, c.passed, redactor.text(c.expected),
                                        redactor.text(c.received), c.citation, fact=c.fact)
                                  for c in checks],
                          exchanges=[_exchange(s, redactor) for s in traffic] if shown else [],
                          origin=origin)

    raw = session.traffic(scenario.id)
    if raw is None:
        return result(Verdict.SKIPPED, f"the client did not run scenario {scenario.id!r} (no "
                      f"begin for it in the recording)", [], [])
    if case.rule_id == OUTCOME_RULE and not outcome_known:
        return result(Verdict.SKIPPED, f"no outcome was stated for scenario {scenario.id!r}", [], [])
    mark = session.mark(scenario.id)
    link_id = mark.link_id if mark is not None else None
    run = Run(contract, scenario, parse_traffic(contract, raw), link_id,
              session.links.get(link_id) if link_id else None, outcome, fetched)
    definition.judge(run)
    verdict, _ = decide(run.checks)
    failing = [c for c in run.checks if not c.passed and c.evidence is not Evidence.UNVERIFIED]
    observed = [c for c in run.checks if c.evidence is Evidence.UNVERIFIED]
    message = "\n".join(c.describe() for c in failing) or "; ".join(
        f"{c.name} (unverified): {c.received}" for c in observed)
    return result(verdict, message, run.checks, run.traffic)


def _exchange(sent: Sent, redactor: Redactor) -> dict[str, Any]:
    """A report exchange for a recorded request (the log keeps no response body)."""
    return {"operation": sent.operation or "undocumented",
            "request": {"method": sent.method, "url": redactor.text(sent.path),
                        "headers": redactor.headers(sent.headers)},
            "response": {"status": sent.status, "fault": sent.fault},
            "outcome": ""}


def judge_session(contract: Contract, session: Session, *, outcomes: Mapping[str, str] | None,
                  fetched: Mapping[str, str] | None = None, origin: str = "") -> list[CaseResult]:
    """Every adapter rule on every scenario of a recording (outcomes: scenario -> outcome name).

    Without ``outcomes`` only the request rules are judged.
    """
    results = []
    for rule_id in ADAPTER_RULES:
        if rule_id == OUTCOME_RULE and outcomes is None:
            continue
        for case in adapter_cases(contract, rule_id):
            outcome = (outcomes or {}).get(case.case_id)
            results.append(judge_case(
                contract, case, session, outcome=outcome, origin=origin,
                fetched=(fetched or {}).get(case.case_id),
                outcome_known=outcomes is not None and case.case_id in outcomes))
    return results
