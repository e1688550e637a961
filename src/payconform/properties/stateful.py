"""One hypothesis state machine for every provider, built from its contract.

:func:`machine_for` returns a ``RuleBasedStateMachine`` whose rules create links, drive
them to any status (through the simulator control API where the lane has one; on other
lanes only the transitions the API allows), cancel, cancel again, fetch, cancel unknown
ids, and call with missing or wrong credentials and headers. Every response is judged
against the contract, each check at the evidence level of its source:

- a documented or observed fact that does not hold fails the machine (hypothesis shrinks
  the run to a short call sequence, which :func:`run_machine` puts in the report);
- an inferred one is recorded as a warning; an unverified one as an observation (which
  candidate matched), so guesses never fail a run.

The invariants: a cancel succeeds exactly from the cancellable statuses; a cancelled link
stays cancelled; a repeated cancel behaves as the contract says (a no-op changes no field,
timestamps included); a refused cancel changes nothing; ids, amounts and currency never
change; every response validates against its schema; the simulator never answers 5xx.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import Phase
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.reporting import with_reporter
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    get_state_machine_test,
    multiple,
    precondition,
    rule,
)

from payconform.model.contract import Expectation, HeaderSpec, Source, dotted_get
from payconform.model.outcomes import Evidence, Verdict
from payconform.properties.harness import Harness, Judge, MachineLog, PropertyFailure
from payconform.reporting import progress
from payconform.rules.client import AuthMode, Exchange, ProviderClient
from payconform.rules.engine import (
    CaseResult,
    Inconclusive,
    basis_of,
    could_not_judge,
    is_infrastructure,
    outcome_matches,
    related_ids,
)

__all__ = [
    "PROPERTY_RULES",
    "Harness",
    "Judge",
    "MachineLog",
    "MachineResult",
    "PropertyFailure",
    "detection_settings",
    "judge_search",
    "machine_for",
    "run_machine",
    "search_settings",
    "to_case_result",
]

_HARD = (Evidence.DOCUMENTED, Evidence.OBSERVED)


@dataclass
class _Link:
    """The machine's model of one link: the status it must have, and what it last read."""

    id: str
    status: str
    source: Source
    created: dict[str, Any]
    entity: dict[str, Any] | None
    variant: str | None = None
    related: dict[str, str] = field(default_factory=dict)
    #: Returned by a step that did not run (the machine had stopped sending): never used.
    placeholder: bool = False


def _common_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    # Fetch and cancel bodies of a real provider may differ in shape; a no-op or a refusal
    # must leave every field both bodies carry unchanged.
    return {k: (before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k]}


def machine_for(harness: Harness, log: MachineLog | None = None) -> type[RuleBasedStateMachine]:
    """The state machine of ``harness.contract`` (see module docstring)."""
    contract = harness.contract
    client = harness.client
    log = MachineLog() if log is None else log
    state_log: MachineLog = log
    judge = Judge(contract, state_log, simulated=harness.simulated)
    version = contract.api_version(client.api_version)
    entity_spec = contract.entity
    header_problems = [(h, "missing") for h in contract.checked_headers if h.missing is not None] + [
        (h, "malformed") for h in contract.checked_headers
        if h.malformed is not None and h.invalid is not None]
    forceable = contract.status_names if harness.can_force else ()
    # A variant the API cannot create is only reachable on the simulator.
    variants = tuple(v.name for v in contract.variants if v.reachable_by_api or harness.can_force)

    answer = contract.cancel_response
    gone = contract.cancelled_fetch

    def judged(exchange: Exchange, expectation: Expectation | None = None) -> Exchange:
        """Count, trail and judge the shape of an answer; where it is not the ``expectation``'s
        outcome, its shape is judged no harder than that expectation (see Judge.response)."""
        path = exchange.url.split("//", 1)[-1].partition("/")[2]
        log.trail.append(f"{exchange.method} /{path[:120]} -> {exchange.status} {exchange.outcome.value}")
        cap = None
        # Any outcome the contract allows (for an unverified fact, any of its candidates, not
        # only the one the simulator plays) breaks no fact: its body is judged in full.
        allowed = [expectation.outcome, *(c.outcome for c in expectation.candidates)] if (
            expectation is not None) else []
        if expectation is not None and not any(outcome_matches(o, exchange.outcome) for o in allowed):
            cap = expectation.outcome_source or expectation.source
        if exchange.operation == "cancel" and answer is not None:
            judge.response(exchange, answer.schema_file, answer.source, cap)
        else:
            judge.response(exchange, version.entity_schema_file, version.source, cap)
        return exchange

    persist_source = contract.cancel_outcomes[contract.initial_status].source

    def apply_read(link: _Link, entity: dict[str, Any], what: str) -> None:
        if contract.status_keys:
            got = contract.status_of(entity)
            held = judge.check(f"{what}: status", link.source, got == link.status,
                               repr(link.status), repr(got))
            if not held and got in contract.status_names:
                # A soft fact did not hold: the model follows the provider from here.
                link.status, link.source = got, contract.status(got).source
        immutable(link, entity, what, link.source)
        link.entity = entity
        link.related.update(related_ids(contract, entity))

    def side_effects(link: _Link, what: str) -> None:
        """After a cancel: every resource the contract says it changes reads as cancelled."""
        for effect in contract.side_effects:
            related = link.related.get(effect.name)
            if related is None:
                continue
            reply = client.fetch_related(effect, related)
            # A 5xx or 429 of the related read is infrastructure, as on every other call.
            judge.answered(reply, effect.source)
            got = dotted_get(reply.json, effect.field)
            want = effect.values[contract.cancelled_status]
            judge.check(f"{what}: {effect.name} {effect.field}", effect.source, got == want,
                        repr(want), f"{got!r} (HTTP {reply.status})")

    def fetch_raw(link: _Link, what: str, source: Source | None = None) -> dict[str, Any] | None:
        """Read the link; ``source`` (a refused call's) is the fact a failed read breaks, where
        a refusal that nonetheless removed the link is what the read finds."""
        if gone is not None and link.status == contract.cancelled_status:
            # The cancel deleted the link: a read must say so.
            fetched = judged(client.fetch(link.id, pre_status=link.status))
            judge.expect(fetched, gone, f"{what}: the cancelled link is gone", link.id)
            return None
        fetched = judged(client.fetch(link.id, pre_status=link.status))
        judge.check(f"{what}: fetch succeeds", source or contract.fetch_source,
                    200 <= fetched.status < 300, "HTTP 2xx", f"HTTP {fetched.status}")
        return fetched.entity if 200 <= fetched.status < 300 else None

    def read(link: _Link, what: str) -> dict[str, Any] | None:
        entity = fetch_raw(link, what)
        if entity is not None:
            apply_read(link, entity, what)
        return entity

    def immutable(link: _Link, entity: dict[str, Any], what: str, source: Source) -> None:
        for name in entity_spec.immutable_fields:
            before, after = dotted_get(link.created, name), dotted_get(entity, name)
            if before is not None:
                judge.check(f"{what}: {name} never changes", source, before == after,
                            repr(before), repr(after))

    def unchanged(link: _Link, before: dict[str, Any] | None, source: Source, what: str) -> None:
        """A refused call changed nothing (every field both reads carry)."""
        after = fetch_raw(link, what, source)
        if after is None:
            if gone is None or link.status != contract.cancelled_status:
                # The read failed on a soft fact (the refused call removed the link anyway):
                # the model no longer knows this link, so later steps leave it alone.
                link.placeholder = True
            return
        if before is not None:
            diff = _common_diff(before, after)
            held = judge.check(f"{what}: link unchanged", source, not diff, "every field as before",
                               "; ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in sorted(diff.items())))
            shown = contract.status_of(after)
            if not held and shown is not None:
                # A soft (inferred / unverified) fact did not hold: the model follows the
                # provider so later steps judge what really happened.
                link.status, link.source = shown, persist_source
        apply_read(link, after, what)

    def settle(link: _Link, before: dict[str, Any] | None, exchange: Exchange,
               expectation: Expectation, what: str) -> None:
        """Update the model after a cancel-like call and check what must not have changed."""
        entity = exchange.entity
        ok = 200 <= exchange.status < 300
        # Where the answer is not the link (or carries no status, or no body), the 2xx says it.
        statusless = not contract.status_keys or answer is not None or contract.cancel_no_body
        cancelled_now = ok and (statusless or contract.status_of(entity) == contract.cancelled_status)
        if expectation.is_success and not ok:
            unchanged(link, before, expectation.source, f"after a refused {what}")
        elif not expectation.is_success:
            unchanged(link, before, expectation.source, f"after {what}")
        elif cancelled_now and (entity is not None or statusless):
            changed = link.status != contract.cancelled_status
            link.status, link.source, link.entity = contract.cancelled_status, persist_source, entity
            if changed:
                # A cancelled link stays cancelled: the very next read must already say so.
                read(link, f"fetch after {what}")
                side_effects(link, f"after {what}")
            elif expectation.source.evidence not in _HARD:
                # A repeat whose behaviour is not documented: whether the link is still
                # cancelled after it is that fact's question, read now at its level.
                link.source = expectation.source
                read(link, f"fetch after {what}")
                if link.status == contract.cancelled_status:
                    link.source = persist_source  # still cancelled: it must stay so

    def probe_applies(link: _Link, expectation: Expectation) -> bool:
        # Where the contract lets a broken request through (an "accepted" candidate), what
        # follows is the link's own cancel rule; probe only links that rule lets cancel.
        return not expectation.is_success or (
            link.variant is None and link.status in contract.cancellable_statuses)

    def cancel(link: _Link) -> None:
        pre = link.status
        repeat = pre == contract.cancelled_status
        if link.variant is not None:
            expectation = contract.variant(link.variant).cancel
            what = f"cancel of a {link.variant}"
        elif repeat:
            expectation, what = contract.repeat_cancel, "repeated cancel"
        else:
            expectation, what = contract.cancel_outcomes[pre], f"cancel of a {pre} link"
        before = link.entity if link.entity is not None else read(link, f"before {what}")
        exchange = judged(client.cancel(link.id, pre_status=pre), expectation)
        judge.expect(exchange, expectation, what, link.id)
        entity = exchange.entity
        if 200 <= exchange.status < 300 and entity is not None:
            immutable(link, entity, what, expectation.source)
            if repeat and expectation.noop and before is not None:
                diff = _common_diff(before, entity)
                judge.check(f"{what}: a no-op leaves every field unchanged", expectation.source,
                            not diff, "every field as before",
                            "; ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in sorted(diff.items())))
            stamp = entity_spec.cancelled_at_field
            if stamp and not repeat and expectation.is_success:
                # As in the rule catalog: the stamp's own source where the contract gives one.
                judge.check(f"{what}: {stamp} is set",
                            entity_spec.cancelled_at_source or expectation.source,
                            bool(entity.get(stamp)), f"{stamp} set", repr(entity.get(stamp)))
        settle(link, before, exchange, expectation, what)

    open_statuses = {contract.initial_status, *contract.cancellable_statuses}
    tour_size = (len([s for s in forceable if s != contract.cancelled_status]) + len(variants)
                 + 3 + len(header_problems))
    started_at = harness.calls() if harness.calls is not None else 0
    placeholder = _Link("", contract.initial_status, persist_source, {}, None, placeholder=True)

    def refused_setup(exchange: Exchange, what: str) -> None:
        # Against a server payconform does not control, a refused create is setup trouble
        # (credentials, a proxy, an account setting), as in the rule catalog: no verdict.
        if not harness.simulated and not 200 <= exchange.status < 300:
            raise Inconclusive(f"setup failed: {what} returned HTTP {exchange.status}: "
                               f"{exchange.text[:200]}")

    def over_share() -> bool:
        """Whether the next step could take the search past its share of the budget: what it
        spent, plus a fetch and a cancel for each of its links still open (cleanup), plus the
        most one step can send."""
        if harness.calls is None or harness.max_calls is None:
            return False
        spent = harness.calls() - started_at
        reserve = len(state_log.links) + sum(1 for link in state_log.links if link.status in open_statuses)
        return spent + reserve + _MAX_STEP_CALLS > harness.max_calls

    def guarded(*, returns_links: int = 0) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Run a step unless the machine stopped sending; infrastructure trouble stops it.

        Draws never depend on what a server answered: a step that does not run returns the
        same number of (placeholder) links, so hypothesis sees the same data either way, the
        same seed gives the same calls, and no run ends at a point a server chose.
        """
        def wrap(step: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(step)
            def run(self: Any, *args: Any, **kwargs: Any) -> Any:
                idle = (multiple(*[placeholder] * returns_links) if returns_links > 1
                        else placeholder if returns_links else None)
                if state_log.halted or state_log.trimmed or any(
                        isinstance(a, _Link) and a.placeholder for a in [*args, *kwargs.values()]):
                    return idle
                if over_share():
                    state_log.trimmed = harness.allowance_note or "the search's share of the budget is spent"
                    return idle
                try:
                    return step(self, *args, **kwargs)
                except Exception as exc:
                    if not is_infrastructure(exc):
                        raise
                    state_log.halted = f"{type(exc).__name__}: {exc}"
                    return idle
            return run
        return wrap

    class ContractMachine(RuleBasedStateMachine):
        """Links of one provider, driven through every operation the contract names."""

        links = Bundle("links")

        def __init__(self) -> None:
            super().__init__()
            state_log.trail.clear()  # the trail of the last (on failure: the shrunk) example
            if harness.reset and harness.simulator is not None:
                harness.simulator.reset()
            self.created: set[str] = set()

        @guarded(returns_links=tour_size)
        def tour(self) -> MultipleResults[_Link]:
            """Every status, a repeated cancel, every variant, credential and header problem
            once, so no rule of the contract depends on the luck of the draw.
            :func:`run_machine` runs it once per run, before the search; the rules below then
            explore sequences."""
            toured: list[Any] = []
            for status in (s for s in forceable if s != contract.cancelled_status):
                link = self.create()
                self.drive(link, status)
                self.cancel(link)
                toured.append(link)
            link = self.create()
            self.cancel_twice(link)
            toured.append(link)
            for name in variants:
                link = self.create_variant(name)
                self.cancel(link)
                toured.append(link)
            for mode in ("missing", "invalid"):
                link = self.create()
                self.cancel_without_valid_credentials(link, mode)
                toured.append(link)
            for index in range(len(header_problems)):
                link = self.create()
                self.cancel_with_bad_header(link, index)
                toured.append(link)
            assert len(toured) == tour_size
            return multiple(*toured)

        @rule(target=links)
        @guarded(returns_links=1)
        def create(self) -> _Link:
            state_log.steps += 1
            exchange = judged(client.create())
            refused_setup(exchange, "create")
            # A 2xx, as the rule catalog's setup asks: no fact pins the create's exact code.
            judge.check("create succeeds", contract.create.source, 200 <= exchange.status < 300,
                        "HTTP 2xx", f"HTTP {exchange.status}")
            entity = exchange.entity or {}
            initial = contract.status(contract.initial_status)
            if contract.status_keys:
                shown = contract.status_of(entity)
                judge.check("create: status", initial.source, shown == contract.created_status,
                            repr(contract.created_status), repr(shown))
            link_id = client.link_id_of(exchange)
            self.created.add(link_id)
            if harness.on_create is not None:
                harness.on_create(link_id)
            # After an activation the create body is stale (a draft): the next step reads afresh.
            link = _Link(link_id, contract.initial_status, initial.source, entity,
                         None if contract.activation else entity,
                         related=related_ids(contract, entity))
            state_log.links.append(link)
            return link

        @precondition(lambda self: bool(variants))
        @rule(target=links, name=st.sampled_from(variants or ("-",)))
        @guarded(returns_links=1)
        def create_variant(self, name: str) -> _Link:
            state_log.steps += 1
            variant = contract.variant(name)
            exchange = judged(client.create(variant=name))
            refused_setup(exchange, f"create a {name}")
            judge.check(f"create a {name}", variant.create.source, 200 <= exchange.status < 300,
                        "HTTP 2xx", f"HTTP {exchange.status}")
            link_id = client.link_id_of(exchange)
            self.created.add(link_id)
            if harness.on_create is not None:
                harness.on_create(link_id)
            entity = exchange.entity or {}
            link = _Link(link_id, variant.initial_status, variant.source, entity, entity, name)
            state_log.links.append(link)
            return link

        @rule(link=links)
        @guarded()
        def fetch(self, link: _Link) -> None:
            state_log.steps += 1
            read(link, "fetch")

        @precondition(lambda self: bool(forceable))
        @rule(link=links, status=st.sampled_from(forceable or ("-",)))
        @guarded()
        def drive(self, link: _Link, status: str) -> None:
            # Forcing models vendor-side events (a payment, an expiry, a dashboard cancel);
            # none of them can happen to a link the API has cancelled.
            state_log.steps += 1
            if link.status == contract.cancelled_status or link.variant is not None:
                return
            client.force_status(link.id, status)
            link.status, link.entity = status, None
            link.source = contract.status(status).source

        @precondition(lambda self: bool(forceable))
        @rule(link=links, status=st.sampled_from(forceable or ("-",)))
        @guarded()
        def drive_and_cancel(self, link: _Link, status: str) -> None:
            self.drive(link, status)
            self.cancel(link)

        @rule(link=links)
        @guarded()
        def cancel(self, link: _Link) -> None:
            state_log.steps += 1
            cancel(link)

        @rule(link=links)
        @guarded()
        def cancel_twice(self, link: _Link) -> None:
            state_log.steps += 2
            cancel(link)
            cancel(link)

        @rule()
        @guarded()
        def cancel_unknown(self) -> None:
            # The rule catalog's id: shaped like the provider's ids, so a provider that checks
            # an id's format before looking it up answers the machine as it answers the catalog.
            state_log.steps += 1
            link_id = contract.unknown_id_example
            exchange = judged(client.cancel(link_id, pre_status=None), contract.unknown_id)
            judge.expect(exchange, contract.unknown_id, "cancel of an unknown id", link_id)

        @rule(link=links, mode=st.sampled_from(("missing", "invalid")))
        @guarded()
        def cancel_without_valid_credentials(self, link: _Link, mode: AuthMode) -> None:
            state_log.steps += 1
            expectation: Expectation = getattr(contract.auth, mode)
            if not probe_applies(link, expectation):
                return
            before = link.entity if link.entity is not None else read(link, "before auth")
            exchange = judged(client.cancel(link.id, auth=mode, pre_status=link.status), expectation)
            what = f"cancel with {mode} credentials"
            judge.expect(exchange, expectation, what, link.id)
            settle(link, before, exchange, expectation, what)

        @precondition(lambda self: bool(header_problems))
        @rule(link=links, index=st.integers(min_value=0, max_value=max(len(header_problems) - 1, 0)))
        @guarded()
        def cancel_with_bad_header(self, link: _Link, index: int) -> None:
            state_log.steps += 1
            header, problem = header_problems[index]
            expectation = header.missing if problem == "missing" else header.invalid
            assert expectation is not None
            if not probe_applies(link, expectation):
                return
            before = link.entity if link.entity is not None else read(link, "before header")
            exchange = _bad_header_cancel(client, link, header, problem)
            judged(exchange, expectation)
            what = f"cancel with {problem} {header.name}"
            judge.expect(exchange, expectation, what, link.id)
            settle(link, before, exchange, expectation, what)

    ContractMachine.__name__ = ContractMachine.__qualname__ = (
        "".join(p.capitalize() for p in contract.provider.split("-")) + "Machine")
    return ContractMachine


def _bad_header_cancel(client: ProviderClient, link: _Link, header: HeaderSpec, problem: str
                       ) -> Exchange:
    if problem == "missing":
        return client.cancel(link.id, omit_headers=(header.name,), pre_status=link.status)
    return client.cancel(link.id, header_overrides={header.name: header.malformed or ""},
                         pre_status=link.status)


@dataclass
class MachineResult:
    """The outcome of one machine run: verdict, message (with the shrunk steps), counts."""

    provider: str
    verdict: Verdict
    evidence: str
    message: str
    steps: list[str]
    warnings: list[str]
    observations: list[str]
    step_count: int
    requests: int
    duration_s: float
    seed: int
    profile: str
    traceback: str = ""

    @property
    def steps_per_second(self) -> float:
        """Machine steps (rule calls) per second of wall time."""
        return self.step_count / self.duration_s if self.duration_s else 0.0


#: The most requests one step (not the tour) sends: cancel twice with the reads around it,
#: plus a token renewal.
_MAX_STEP_CALLS = 6


def search_settings(settings: Settings, harness: Harness) -> Settings:
    """``settings`` fit for ``harness``: one failure reported (the first), and against a
    server payconform does not control no example database (earlier runs must not change
    what is drawn) and no shrinking (every replay is a real request)."""
    if harness.simulated:
        return Settings(settings, report_multiple_bugs=False)
    return Settings(settings, report_multiple_bugs=False, database=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


def judge_search(exc: BaseException | None, log: MachineLog) -> tuple[Verdict, str, str]:
    """(verdict, message, traceback) of a property search that raised ``exc`` (or None).

    A documented/observed fact that failed is FAIL, also when hypothesis could not replay it
    (a provider that answers differently the second time still broke the fact once);
    infrastructure is INCONCLUSIVE; anything else (a crash in payconform, hypothesis's
    flaky-data or health-check errors, a generator bug) is ERROR: payconform could not judge.
    """
    if exc is None:
        if log.halted:
            return Verdict.INCONCLUSIVE, f"the search stopped sending: {log.halted}", ""
        return Verdict.PASS, "", ""
    leaves = list(exc.exceptions) if isinstance(exc, BaseExceptionGroup) else [exc]
    failure = next((e for e in leaves if isinstance(e, PropertyFailure)), None)
    if failure is not None:
        return Verdict.FAIL, str(failure), ""
    if is_infrastructure(exc):
        return Verdict.INCONCLUSIVE, f"{type(exc).__name__}: {exc}", ""
    if isinstance(exc, Flaky) and log.first_failure:
        return Verdict.FAIL, (log.first_failure + "\n\nhypothesis could not replay this failure "
                              "(the provider answered differently the second time)"), ""
    message, trace = could_not_judge(exc)
    return Verdict.ERROR, message, trace


def run_machine(harness: Harness, *, settings: Settings, seed: int, profile: str = "") -> MachineResult:
    """Run the contract's machine once under ``settings`` and ``seed``; never raises for
    findings, infrastructure or its own crashes (see :func:`judge_search`)."""
    log = MachineLog()
    machine = machine_for(harness, log)
    lines: list[object] = []
    test: Callable[[], None] = hypothesis_seed(seed)(
        get_state_machine_test(machine, settings=search_settings(settings, harness)))
    started = time.perf_counter()
    raised: BaseException | None = None
    tour_failure: PropertyFailure | None = None
    search = progress.phase(f"{harness.contract.provider} state machine",
                            lambda: {"steps": log.steps, "requests": log.requests})
    sent = harness.client.requests_sent
    with search as ticker, with_reporter(lines.append):
        log.on_request = ticker.tick
        try:
            # The tour once per run, outside the search: it is the same calls every time, so
            # repeating it in each example would only spend requests (half the machine's).
            tour: Any = machine()
            try:
                tour.tour()
            except PropertyFailure as failure:
                # Searched anyway: hypothesis shrinks it to a short call sequence if it can.
                tour_failure = failure
            finally:
                tour.teardown()
            test()
        except Exception as exc:  # judged below: a finding, infrastructure, or our own crash
            raised = exc
            lines.extend(getattr(exc, "__notes__", []))
    if raised is None and tour_failure is not None:
        raised = tour_failure
    verdict, message, trace = judge_search(raised, log)
    if raised is tour_failure and tour_failure is not None and verdict is Verdict.FAIL:
        message += "\n\nFound by the tour (every status, credential and header problem once)."
    evidence = ""
    if verdict is Verdict.FAIL:
        evidence = message.split("[", 1)[1].split("]", 1)[0] if "[" in message else ""
    duration = time.perf_counter() - started
    steps = _shrunk_steps(lines)
    if verdict is Verdict.PASS and log.warnings:
        verdict, evidence = Verdict.WARN, Evidence.INFERRED.value
        message = "\n".join(log.warnings.values())
    elif verdict is Verdict.PASS and any("matches none" in o for o in log.observations.values()):
        verdict, evidence = Verdict.OBSERVED, Evidence.UNVERIFIED.value
        message = "\n".join(o for o in log.observations.values() if "matches none" in o)
    elif verdict is Verdict.PASS:
        evidence = Evidence.DOCUMENTED.value
    if steps and verdict is not Verdict.ERROR:
        message += "\n\nShrunk call sequence:\n" + "\n".join(f"  {s}" for s in steps)
    if verdict is Verdict.FAIL and log.trail and "Requests so far" not in message:
        message += "\n\nRequests of that sequence (last 12):\n" + "\n".join(
            f"  {t}" for t in log.trail[-12:])
    notes = [f"trimmed: {log.trimmed}"] if log.trimmed else []
    return MachineResult(
        provider=harness.contract.provider, verdict=verdict, evidence=evidence, message=message,
        steps=steps, warnings=list(log.warnings.values()),
        observations=[*notes, *log.observations.values()], step_count=log.steps,
        requests=harness.client.requests_sent - sent, duration_s=duration, seed=seed,
        profile=profile, traceback=trace)


def _shrunk_steps(lines: list[object]) -> list[str]:
    """The call sequence hypothesis printed for the minimal failing example."""
    text = "\n".join(str(line) for line in lines)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("state = ", "state.")) or (line.startswith(("links_", "v")) and " = " in line):
            out.append(line)
    return out


def to_case_result(result: MachineResult, rule_id: str, title: str, origin: str) -> CaseResult:
    """A report row for a machine or property run (seed and profile in the case id)."""
    notes = [*result.warnings, *result.observations,
             f"{result.step_count} steps, {result.requests} requests in {result.duration_s:.2f}s "
             f"(seed {result.seed}, profile {result.profile or 'default'})"]
    return CaseResult(
        provider=result.provider, rule_id=rule_id, case_id=f"seed-{result.seed}", title=title,
        verdict=result.verdict, evidence=result.evidence or Evidence.UNVERIFIED.value,
        citation="the contract (every expectation at its own evidence level)",
        message=result.message, observations=notes, duration_ms=result.duration_s * 1000,
        origin=origin, traceback=result.traceback, basis=basis_of(origin),
        requests=result.requests)


#: Rules whose mutants the property suites must catch: those about a state transition, a
#: repeated call or a schema.
PROPERTY_RULES = frozenset({
    "cancel.cancellable-status", "state.cancel-persists", "cancel.not-cancellable", "cancel.repeat",
    "schema.success", "schema.error",
})


def detection_settings(profile: str | None = None) -> Settings:
    """Settings for mutant detection: the profile's budget, no shrinking (only "caught?")."""
    from hypothesis import Phase

    from payconform.properties.profiles import machine_settings

    return Settings(machine_settings(profile), max_examples=5,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])
