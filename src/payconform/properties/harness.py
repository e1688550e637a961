"""What a property run drives (:class:`Harness`) and how it judges each exchange (:class:`Judge`).

The judge checks every fact at its evidence level: a documented or observed fact that does
not hold raises :class:`PropertyFailure` (hypothesis shrinks the run); an inferred one is
logged as a warning; an unverified one as an observation naming the candidate it matched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from payconform.model.contract import Contract, Expectation, Source, dotted_get
from payconform.model.outcomes import Evidence, Outcome
from payconform.model.schemas import schema_errors
from payconform.rules.client import Exchange, ProviderClient
from payconform.rules.engine import Inconclusive, outcome_matches
from payconform.simulator.core import Simulator

__all__ = ["Harness", "Judge", "MachineLog", "PropertyFailure", "weaker"]

_HARD = (Evidence.DOCUMENTED, Evidence.OBSERVED)


class PropertyFailure(AssertionError):
    """A documented or observed fact did not hold; the message says Expected / Received."""


@dataclass
class Harness:
    """What a machine drives: a client, and the simulator behind it when it is in process.

    ``can_force`` says whether statuses can be forced through the simulator control API
    (simulator lanes); ``simulated`` whether the other side is payconform's simulator, where
    a 5xx is a bug rather than infrastructure trouble.
    """

    contract: Contract
    client: ProviderClient
    simulator: Simulator | None = None
    can_force: bool = True
    simulated: bool = True
    reset: bool = False
    on_create: Callable[[str], None] | None = None
    #: Requests sent so far on the lane (e.g. a live run's counter), and how many of them a
    #: search may spend (its share of the budget, cleanup of its links included), and why.
    calls: Callable[[], int] | None = None
    max_calls: int | None = None
    allowance_note: str = ""

    @classmethod
    def from_session(cls, session: Any) -> Harness:
        """A harness over a :class:`~payconform.lanes.base.LaneSession`."""
        control = session.links.mode == "control"
        # Links the machine creates join the session's own, so a live run cleans them up.
        harness = cls(session.contract, session.client, session.simulator, can_force=control,
                      simulated=session.simulator is not None or control,
                      on_create=session.links.created.append)
        allowance = session.extra.get("search_allowance")  # lanes with a request budget
        if callable(allowance):
            harness.calls, harness.max_calls, harness.allowance_note = allowance()
        return harness


@dataclass
class MachineLog:
    """Findings that do not stop a run: warnings (inferred facts) and observations."""

    warnings: dict[str, str] = field(default_factory=dict)
    observations: dict[str, str] = field(default_factory=dict)
    steps: int = 0
    requests: int = 0
    trail: list[str] = field(default_factory=list)
    #: Why the machine stopped sending (infrastructure trouble); its later steps are no-ops.
    halted: str = ""
    #: Why the search stopped early on purpose (its share of the request budget was spent).
    trimmed: str = ""
    #: The first documented/observed failure seen (kept in case hypothesis cannot replay it).
    first_failure: str = ""
    #: Every link the machine created, with its modelled status (for the cleanup reserve).
    links: list[Any] = field(default_factory=list)
    #: Called after every request (progress lines of a long search).
    on_request: Callable[[], None] | None = None


def weaker(source: Source, cap: Source | None) -> Source:
    """``source``, or ``cap`` where that is the weaker evidence."""
    if cap is None or cap.evidence.rank <= source.evidence.rank:
        return source
    return cap


class Judge:
    """Records checks at their evidence level; raises :class:`PropertyFailure` for hard ones."""

    def __init__(self, contract: Contract, log: MachineLog, *, simulated: bool) -> None:
        self.contract = contract
        self.log = log
        self.simulated = simulated

    def check(self, name: str, source: Source, passed: bool, expected: str, received: str) -> bool:
        """One comparison; hard failures raise, soft ones are logged; returns ``passed``."""
        if passed:
            return True
        text = f"{name} [{source.evidence.value}]\n  Expected: {expected}\n  Received: {received}\n" \
               f"  Source: {source.citation}"
        if source.evidence in _HARD:
            if not self.log.first_failure:
                self.log.first_failure = text + "\n\nRequests so far (last 12):\n" + "\n".join(
                    f"  {t}" for t in self.log.trail[-12:])
            raise PropertyFailure(text)
        target = self.log.warnings if source.evidence is Evidence.INFERRED else self.log.observations
        target.setdefault(name, text)
        return False

    def answered(self, exchange: Exchange, source: Source) -> None:
        """Count the request; a 5xx or 429 is infrastructure (and, from the simulator, a defect)."""
        self.log.requests += 1
        if self.log.on_request is not None:
            self.log.on_request()
        if exchange.status >= 500 or exchange.status == 429:
            if self.simulated:
                self.check(f"{exchange.operation}: no 5xx from the simulator", source, False,
                           "a 2xx or 4xx answer", f"HTTP {exchange.status}: {exchange.text[:200]}")
            raise Inconclusive(f"{exchange.operation} returned HTTP {exchange.status}")

    def response(self, exchange: Exchange, schema_file: str, schema_source: Source,
                 cap: Source | None = None) -> None:
        """Every response: no 5xx from the simulator, and a body valid against its schema.

        ``cap`` is the source of the scenario's expected outcome when the answer is not that
        outcome (a refusal accepted, a success refused): the body's shape is then judged no
        harder than the fact the answer already broke, so an answer to a call that should
        not have succeeded never fails a run on a stronger fact than its own.
        """
        self.answered(exchange, schema_source)
        contract = self.contract
        if 200 <= exchange.status < 300 and exchange.operation == "cancel" and (
                contract.cancel_no_body):
            self.check("cancel answers no body", weaker(contract.cancel_source, cap),
                       not exchange.text, "an empty body", repr(exchange.text[:200]))
            return
        if 200 <= exchange.status < 300:
            problems = schema_errors(schema_file, exchange.json)
            self.check(f"{exchange.operation} body matches {schema_file}",
                       weaker(schema_source, cap), not problems,
                       "a body valid against the schema", "; ".join(problems))
            return
        if exchange.json is None:
            self.check(f"{exchange.operation} error body is JSON", weaker(contract.error.source, cap),
                       False, "a JSON error body", repr(exchange.text[:200]))
            return
        problems = schema_errors(contract.error.schema_file, exchange.json)
        self.check(f"{exchange.operation} error body matches {contract.error.schema_file}",
                   weaker(contract.error.source, cap), not problems,
                   "a body valid against the error schema", "; ".join(problems))

    def expect(self, exchange: Exchange, expectation: Expectation, what: str, link_id: str) -> None:
        """Judge an exchange against an expectation, part by part (as the rule engine does)."""
        seen = f"{exchange.outcome.value} (HTTP {exchange.status})"
        if expectation.source.evidence is Evidence.UNVERIFIED:
            self.observe(exchange, expectation, what, link_id)
            return
        if expectation.outcome_source is not None:
            self.check(f"{what}: refused", expectation.source,
                       outcome_matches(Outcome.REJECTED, exchange.outcome), "a refusal", seen)
        self.check(f"{what}: outcome", expectation.outcome_source or expectation.source,
                   outcome_matches(expectation.outcome, exchange.outcome), expectation.outcome.value,
                   seen)
        if expectation.http_status is not None:
            self.check(f"{what}: HTTP status", expectation.http_status_source or expectation.source,
                       exchange.status == expectation.http_status, str(expectation.http_status),
                       str(exchange.status))
        for key, value in expectation.error.items():
            want = value.replace("{id}", link_id)
            got = dotted_get(exchange.error or {}, key)
            self.check(f"{what}: error {key}", expectation.error_source or expectation.source,
                       got == want, repr(want), repr(got))

    def observe(self, exchange: Exchange, expectation: Expectation, what: str, link_id: str) -> None:
        """Record which candidate of an unverified expectation the answer matched."""
        matched = None
        for candidate in expectation.candidates:
            error = exchange.error or {}
            if (outcome_matches(candidate.outcome, exchange.outcome)
                    and candidate.http_status in (None, exchange.status)
                    and all(dotted_get(error, k) == v.replace("{id}", link_id)
                            for k, v in candidate.error.items())):
                matched = candidate.label
                break
        seen = f"HTTP {exchange.status}, outcome {exchange.outcome.value}"
        labels = "; ".join(c.label for c in expectation.candidates)
        note = (f"{what}: observed {seen}; matches candidate '{matched}'" if matched
                else f"{what}: observed {seen}; matches none of the candidates ({labels})")
        self.log.observations.setdefault(f"{what}: {matched}", note)
