"""The rule engine: cases, checks, verdicts, and running rules through a lane.

A rule is a small registered function with a stable id (see :mod:`payconform.rules.catalog`). It
drives the provider through a :class:`RuleContext` and records :class:`Check` results, each
at the evidence level of the fact it checks. :func:`decide` folds checks into a verdict:

- a failed ``documented`` or ``observed`` check is a FAIL, a failed ``inferred`` one a WARN;
- ``unverified`` checks never fail: a failed one makes an otherwise good case OBSERVED (what
  happened is a proposal to pin), and a case with only unverified checks is OBSERVED;
- infrastructure trouble is INCONCLUSIVE.
- an exception of payconform's own (a rule, a generator, hypothesis, schemathesis) is an
  ERROR, "payconform could not judge", with its traceback: never the provider's failure.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import httpx

from payconform.model.contract import Contract, Expectation, Source, dotted_get
from payconform.model.facts import fact_id
from payconform.model.outcomes import REFUSALS, Evidence, Outcome, Verdict
from payconform.model.redact import Redactor
from payconform.rules.client import Exchange, ProviderClient, UnusableAnswer

__all__ = [
    "Case",
    "CaseResult",
    "Check",
    "Inconclusive",
    "LinkSource",
    "RuleContext",
    "RuleDef",
    "ServerError",
    "Skip",
    "basis_of",
    "could_not_judge",
    "decide",
    "error_result",
    "execute",
    "is_infrastructure",
    "registrar",
]

_HARD = (Evidence.DOCUMENTED, Evidence.OBSERVED)


class Skip(Exception):
    """The case cannot run here; the message says why and what to do."""


class Inconclusive(Exception):
    """Infrastructure got in the way (timeout, 5xx, rate limit): no contract verdict."""


class ServerError(Inconclusive):
    """A 5xx answered to a call the case judges (not to its setup), after every retry.

    INCONCLUSIVE like any 5xx; a lane that reaches a vendor re-runs such a case at the end of
    the run to tell a persistent provider defect from an outage (see the live lane).
    """

    def __init__(self, operation: str, status: int, outcome: str) -> None:
        super().__init__(f"{operation} returned HTTP {status} ({outcome})")
        self.operation = operation
        self.status = status


def is_infrastructure(exc: BaseException) -> bool:
    """Whether ``exc`` is infrastructure trouble (INCONCLUSIVE), not a finding or a defect.

    Transport errors (refused connections, timeouts, a spent budget, unreadable answers),
    :class:`Inconclusive` (5xx, 429, failed setup) and httpx status errors count. Exception
    groups count when every member does.
    """
    if isinstance(exc, BaseExceptionGroup):
        return all(is_infrastructure(e) for e in exc.exceptions)
    return isinstance(exc, Inconclusive | httpx.TransportError | httpx.HTTPStatusError
                      | UnusableAnswer | json.JSONDecodeError)


def could_not_judge(exc: BaseException) -> tuple[str, str]:
    """The one-line message and the traceback of an exception of payconform's own."""
    summary = traceback.TracebackException.from_exception(exc, limit=0)
    # Without its notes (hypothesis's "Failing test case" and "reproduce with" lines), which
    # would otherwise be the last line; of a multi-line message, its first line.
    summary.__notes__ = None
    tail = list(summary.format_exception_only())[-1].strip().split("\n", 1)[0]
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"payconform could not judge: {tail}", trace


@dataclass(frozen=True)
class Case:
    """One concrete scenario of a rule for one provider."""

    rule_id: str
    case_id: str
    title: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Check:
    """One comparison of expected and received, at the evidence level of its source."""

    name: str
    evidence: Evidence
    passed: bool
    expected: str
    received: str
    citation: str
    #: The contract fact this check judges (see :mod:`payconform.model.facts`).
    fact: str = ""

    def describe(self) -> str:
        """A one-paragraph Expected/Received explanation with the citation."""
        return (
            f"{self.name} [{self.evidence.value}]\n  Expected: {self.expected}\n"
            f"  Received: {self.received}\n  Source: {self.citation}"
        )


@dataclass
class CaseResult:
    """The verdict of one provider x rule x case, with everything behind it."""

    provider: str
    rule_id: str
    case_id: str
    title: str
    verdict: Verdict
    evidence: str
    citation: str
    message: str
    checks: list[Check] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    #: What the provider did where the contract is unverified, machine-readable for
    #: ``payconform learn``: the expectation's path, the matched candidate (index and label,
    #: or None), the answer (outcome, HTTP status, error code) and the exchange's index.
    learned: list[dict[str, Any]] = field(default_factory=list)
    duration_ms: float = 0.0
    origin: str = ""
    api_version: str = ""
    #: For an ERROR: where payconform broke (redacted), for the report.
    traceback: str = ""
    #: For an INCONCLUSIVE on a 5xx of the judged call: "<operation> HTTP <status>".
    server_error: str = ""
    #: What the verdict stands on: "vendor recording", "vendor example" or "simulator only"
    #: (see :func:`basis_of`).
    basis: str = ""
    #: HTTP requests the case sent (setup and cleanup included): what the run spent on it.
    requests: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (checks flattened)."""
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["checks"] = [
            {**asdict(c), "evidence": c.evidence.value} for c in self.checks
        ]
        for optional in ("traceback", "server_error"):
            if not data[optional]:
                del data[optional]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseResult:
        """The inverse of :meth:`to_json` (a report's result, or one sent by a pytest-xdist
        worker); keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["verdict"] = Verdict(data["verdict"])
        check_fields = {f.name for f in fields(Check)}
        values["checks"] = [
            Check(**{**{k: v for k, v in c.items() if k in check_fields},
                     "evidence": Evidence(c["evidence"])})
            for c in data.get("checks", [])
        ]
        return cls(**values)


def decide(checks: list[Check]) -> tuple[Verdict, str]:
    """The verdict and the evidence level it stands on (see module docstring)."""
    failed_hard = [c for c in checks if not c.passed and c.evidence in _HARD]
    if failed_hard:
        return Verdict.FAIL, failed_hard[0].evidence.value
    failed_soft = [c for c in checks if not c.passed and c.evidence is Evidence.INFERRED]
    if failed_soft:
        return Verdict.WARN, Evidence.INFERRED.value
    if any(not c.passed for c in checks):
        # Only unverified facts differ: what happened is a proposal to pin, not a pass.
        return Verdict.OBSERVED, Evidence.UNVERIFIED.value
    judged = [c for c in checks if c.evidence is not Evidence.UNVERIFIED]
    if judged:
        order = [Evidence.DOCUMENTED, Evidence.OBSERVED, Evidence.INFERRED]
        best = min(judged, key=lambda c: order.index(c.evidence))
        return Verdict.PASS, best.evidence.value
    return Verdict.OBSERVED, Evidence.UNVERIFIED.value


# ---- link preparation ------------------------------------------------------------------------


class LinkSource:
    """Puts links into the statuses a case needs.

    ``control``: create through the API, then force the status through the simulator
    control API. ``fixtures``: create for API-reachable statuses, otherwise read a user-named
    fixture link from the contract's env var (skip with its name when unset).
    """

    def __init__(self, contract: Contract, mode: str, env: Mapping[str, str] | None = None) -> None:
        if mode not in ("control", "fixtures"):
            raise ValueError(f"link source mode must be 'control' or 'fixtures', not {mode!r}")
        self.contract = contract
        self.mode = mode
        self.env = os.environ if env is None else env
        self.created: list[str] = []
        #: What each link this run created was created with (the create request's amount and
        #: currency, before encoding), by link id.
        self.created_with: dict[str, dict[str, Any]] = {}

    def prepare(self, client: ProviderClient, status: str) -> str:
        """A link id in ``status``, created by this run where the API allows it."""
        contract = self.contract
        reachable = status in (contract.initial_status, contract.cancelled_status)
        if self.mode == "fixtures" and not reachable:
            env = contract.fixture_env(status)
            value = self.env.get(env) if env else None
            if not value:
                hint = f"set {env} to a link in {status}" if env else "no fixture variable exists"
                raise Skip(f"{status} cannot be reached through the API; {hint}")
            return value
        link_id = self._create(client)
        if status == contract.initial_status:
            return link_id
        if self.mode == "control":
            client.force_status(link_id, status)
        else:
            cancelled = client.cancel(link_id, pre_status=contract.initial_status)
            if not 200 <= cancelled.status < 300:
                raise Inconclusive(f"setup failed: cancel returned HTTP {cancelled.status}")
        return link_id

    def prepare_variant(self, client: ProviderClient, name: str) -> str:
        """The id of a link of the contract variant ``name`` (e.g. a charge), as it was created."""
        variant = self.contract.variant(name)
        if self.mode == "fixtures" and not variant.reachable_by_api:
            value = self.env.get(variant.fixture_env) if variant.fixture_env else None
            if not value:
                hint = (f"set {variant.fixture_env} to an existing {name}" if variant.fixture_env
                        else "no fixture variable exists")
                raise Skip(f"a {name} cannot be created by this run; {hint}")
            return value
        return self._create(client, variant=name)

    def _create(self, client: ProviderClient, variant: str | None = None) -> str:
        created = client.create(variant=variant)
        if created.status >= 500 or created.status == 429:
            raise Inconclusive(f"create returned HTTP {created.status}")
        if not 200 <= created.status < 300:
            raise Inconclusive(
                f"setup failed: create returned HTTP {created.status}: {created.text[:200]}"
            )
        link_id = client.link_id_of(created)
        self.created.append(link_id)
        activation = created.activation
        if activation is not None and not 200 <= activation.status < 300:
            raise Inconclusive(f"setup failed: {activation.operation} of {link_id} returned HTTP "
                               f"{activation.status}: {activation.text[:200]}")
        if created.created_with is not None:
            self.created_with[link_id] = created.created_with
        return link_id


# ---- rule context --------------------------------------------------------------------------


@dataclass
class RuleContext:
    """What a rule function gets: the contract, a client, a link source, and a check log."""

    contract: Contract
    client: ProviderClient
    links: LinkSource
    case: Case
    basis: str = ""
    checks: list[Check] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    learned: list[dict[str, Any]] = field(default_factory=list)

    # ---- recording ----

    def record(self, exchange: Exchange, *, expect_trouble: bool = False) -> Exchange:
        """Keep an exchange for the report; 5xx / 429 make the case INCONCLUSIVE."""
        self.exchanges.append(exchange)
        if not expect_trouble and exchange.status >= 500:
            raise ServerError(exchange.operation, exchange.status, exchange.outcome.value)
        if not expect_trouble and exchange.status == 429:
            raise Inconclusive(
                f"{exchange.operation} returned HTTP {exchange.status} ({exchange.outcome.value})"
            )
        return exchange

    def check(self, name: str, source: Source, passed: bool, expected: str, received: str, *,
              fact: str = "") -> bool:
        """Record one check of ``fact`` at ``source``'s evidence level; returns ``passed``."""
        self.checks.append(
            Check(name, source.evidence, passed, expected, received, source.citation, fact)
        )
        return passed

    # ---- operations that record ----

    def prepare(self, status: str) -> str:
        """A link in ``status`` (see :class:`LinkSource`)."""
        return self.links.prepare(self.client, status)

    def prepare_variant(self, name: str) -> str:
        """A link of the contract variant ``name`` (see :meth:`LinkSource.prepare_variant`)."""
        return self.links.prepare_variant(self.client, name)

    def cancel(self, link_id: str, **kwargs: Any) -> Exchange:
        """Cancel and record."""
        return self.record(self.client.cancel(link_id, **kwargs))

    def fetch(self, link_id: str, **kwargs: Any) -> Exchange:
        """Fetch and record."""
        return self.record(self.client.fetch(link_id, **kwargs))

    def create(self) -> Exchange:
        """Create and record."""
        return self.record(self.client.create())

    # ---- shared checks ----

    def expect(self, exchange: Exchange, expectation: Expectation, what: str, *,
               where: str, link_id: str = "") -> None:
        """Check an exchange against the expectation at scenario ``where``, part by part.

        Each part is one fact (:mod:`payconform.model.facts`) checked at its own evidence.
        """
        if expectation.source.evidence is Evidence.UNVERIFIED:
            self._observe(exchange, expectation, what, link_id, where=where)
            return
        received = f"{exchange.outcome.value} (HTTP {exchange.status})"
        if expectation.outcome_source is not None:
            # "Refused" and "refused as X" stand on different evidence (see Expectation).
            self.check(f"{what}: refused", expectation.source,
                       outcome_matches(Outcome.REJECTED, exchange.outcome), "a refusal", received,
                       fact=fact_id(where, "refused"))
        self.check(
            f"{what}: outcome",
            expectation.outcome_source or expectation.source,
            outcome_matches(expectation.outcome, exchange.outcome),
            expectation.outcome.value,
            received,
            fact=fact_id(where, "outcome"),
        )
        if expectation.http_status is not None:
            self.check(
                f"{what}: HTTP status",
                expectation.http_status_source or expectation.source,
                exchange.status == expectation.http_status,
                str(expectation.http_status),
                str(exchange.status),
                fact=fact_id(where, "http-status"),
            )
        if expectation.error:
            source = expectation.error_source or expectation.source
            for key, value in expectation.error.items():
                want = value.replace("{id}", link_id)
                got = dotted_get(exchange.error or {}, key)
                self.check(f"{what}: error {key}", source, got == want, repr(want), repr(got),
                           fact=fact_id(where, "error", key))
        if expectation.candidates:
            self._observe(exchange, expectation, what, link_id, where=where, record_check=False)

    def _observe(self, exchange: Exchange, expectation: Expectation, what: str, link_id: str,
                 *, where: str, record_check: bool = True) -> None:
        matched = None
        index = None
        for number, candidate in enumerate(expectation.candidates):
            if not outcome_matches(candidate.outcome, exchange.outcome):
                continue
            if candidate.http_status is not None and candidate.http_status != exchange.status:
                continue
            error = exchange.error or {}
            if any(dotted_get(error, k) != v.replace("{id}", link_id)
                   for k, v in candidate.error.items()):
                continue
            matched, index = candidate.label, number
            break
        code = dotted_get(exchange.error or {}, self.contract.error.code_field)
        path = self.contract.path_of(expectation)
        if record_check and path is not None:
            self.learned.append({
                "expectation": path, "candidate": index, "label": matched,
                "outcome": exchange.outcome.value, "http_status": exchange.status,
                "error_code": code if isinstance(code, str | int) else None,
                "exchange": next((i for i, e in enumerate(self.exchanges) if e is exchange), None),
            })
        seen = f"HTTP {exchange.status}, outcome {exchange.outcome.value}" + (
            f", code {code!r}" if code is not None else "")
        labels = "; ".join(c.label for c in expectation.candidates)
        note = (f"{what}: observed {seen}; matches candidate '{matched}'" if matched
                else f"{what}: observed {seen}; matches none of the candidates ({labels})")
        self.observations.append(note)
        if record_check:
            self.check(f"{what}: behaviour (unverified)", expectation.source, matched is not None,
                       f"one of: {labels}", seen, fact=fact_id(where, "behaviour"))

    def expect_cancelled(self, link_id: str, source: Source, name: str, *, fact: str) -> None:
        """Fetch the link and check that it shows the cancelled status (fact ``fact``), or, where
        the cancel deletes it, that the fetch answers as ``cancelled_fetch`` says."""
        fetched = self.fetch(link_id)
        gone = self.contract.cancelled_fetch
        if gone is not None:
            self.check(name, gone.source, outcome_matches(gone.outcome, fetched.outcome),
                       f"{gone.outcome.value} (the cancel deleted the link)",
                       f"{fetched.outcome.value} (HTTP {fetched.status})", fact=fact)
            return
        got = self.contract.status_of(fetched.entity)
        self.check(name, source, got == self.contract.cancelled_status,
                   repr(self.contract.cancelled_status), f"{got!r} (HTTP {fetched.status})",
                   fact=fact)

    def expect_unchanged(self, link_id: str, before: Exchange, source: Source, what: str, *,
                         where: str) -> None:
        """Fetch again and check the refusal at ``where`` did not change the entity at all."""
        after = self.fetch(link_id)
        self.check(
            f"{what}: link unchanged",
            source,
            after.entity is not None and after.entity == before.entity,
            json.dumps(_summary(self.contract, before.entity)),
            json.dumps(_summary(self.contract, after.entity)) + f" (HTTP {after.status})",
            fact=fact_id(where, "unchanged"),
        )


def related_ids(contract: Contract, entity: dict[str, Any] | None) -> dict[str, str]:
    """The ids of the resources a cancel changes (side effects), read from the link."""
    out = {}
    for effect in contract.side_effects:
        value = dotted_get(entity or {}, effect.id_field)
        if isinstance(value, str) and value:
            out[effect.name] = value
    return out


def outcome_matches(expected: Outcome, received: Outcome) -> bool:
    """Whether ``received`` satisfies ``expected`` (``REJECTED`` accepts any refusal)."""
    if expected is Outcome.REJECTED:
        return received.value in REFUSALS
    return expected is received


def _summary(contract: Contract, entity: dict[str, Any] | None) -> Any:
    if entity is None:
        return None
    keep = (contract.entity.id_field, *contract.status_keys,
            contract.entity.updated_at_field or "", contract.entity.cancelled_at_field or "")
    return {k: entity.get(k) for k in keep if k}


# ---- the rule registry ---------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDef:
    """A registered rule: id, one-line title, its cases for a contract, and its function."""

    id: str
    title: str
    cases: Callable[[Contract], list[Case]]
    run: Callable[[RuleContext], None]
    citation_of: Callable[[Contract, Case], Source]


def registrar(
    registry: dict[str, RuleDef],
) -> Callable[..., Callable[[Callable[[RuleContext], None]], Callable[[RuleContext], None]]]:
    """A ``@rule(id, title, cases=..., citation=...)`` decorator that fills ``registry``.

    The registry belongs to the catalog that uses the decorator (see
    :mod:`payconform.rules.catalog`), so the engine never imports the rules it runs.
    """

    def rule(
        rule_id: str,
        title: str,
        *,
        cases: Callable[[Contract], list[Case]],
        citation: Callable[[Contract, Case], Source],
    ) -> Callable[[Callable[[RuleContext], None]], Callable[[RuleContext], None]]:
        def register(func: Callable[[RuleContext], None]) -> Callable[[RuleContext], None]:
            if rule_id in registry:
                raise ValueError(f"rule {rule_id!r} registered twice")
            registry[rule_id] = RuleDef(rule_id, title, cases, func, citation)
            return func

        return register

    return rule


@contextmanager
def _timer() -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    yield lambda: (time.perf_counter() - started) * 1000


def execute(
    definition: RuleDef,
    contract: Contract,
    case: Case,
    client: ProviderClient,
    links: LinkSource,
    redactor: Redactor,
    *,
    origin: str = "",
) -> CaseResult:
    """Run one case of ``definition`` and return its result; never raises for provider behaviour."""
    sent_before = client.requests_sent
    ctx = RuleContext(contract=contract, client=client, links=links, case=case,
                      basis=basis_of(origin))
    source = definition.citation_of(contract, case)
    message = trace = server_error = ""
    with _timer() as elapsed:
        try:
            definition.run(ctx)
            verdict, evidence = decide(ctx.checks)
            if verdict is Verdict.PASS:
                # A PASS stands on the case's primary source, not its strongest side-check.
                evidence = source.evidence.value
            failing = [c for c in ctx.checks if not c.passed and (
                c.evidence is not Evidence.UNVERIFIED or verdict is Verdict.OBSERVED)]
            message = "\n".join(c.describe() for c in failing) or "; ".join(ctx.observations)
        except Skip as exc:
            verdict, evidence, message = Verdict.SKIPPED, source.evidence.value, str(exc)
        except ServerError as exc:
            verdict, evidence, message = Verdict.INCONCLUSIVE, source.evidence.value, str(exc)
            server_error = f"{exc.operation} HTTP {exc.status}"
        except Inconclusive as exc:
            verdict, evidence, message = Verdict.INCONCLUSIVE, source.evidence.value, str(exc)
        except httpx.TransportError as exc:
            verdict, evidence = Verdict.INCONCLUSIVE, source.evidence.value
            message = f"{type(exc).__name__}: {exc}"
        except httpx.HTTPStatusError as exc:
            verdict, evidence = Verdict.INCONCLUSIVE, source.evidence.value
            message = f"setup failed: {exc}"
        except (json.JSONDecodeError, UnusableAnswer) as exc:  # not the API speaking, or no id
            verdict, evidence = Verdict.INCONCLUSIVE, source.evidence.value
            message = f"setup failed: unusable answer: {exc}"
        except Exception as exc:  # a defect in payconform: never the provider's failure
            verdict, evidence = Verdict.ERROR, source.evidence.value
            message, trace = could_not_judge(exc)
        duration = elapsed()
    return CaseResult(
        provider=contract.provider,
        rule_id=case.rule_id,
        case_id=case.case_id,
        title=case.title,
        verdict=verdict,
        evidence=evidence,
        citation=source.citation,
        message=redactor.text(message),
        checks=[
            Check(c.name, c.evidence, c.passed, redactor.text(c.expected),
                  redactor.text(c.received), c.citation, c.fact)
            for c in ctx.checks
        ],
        observations=[redactor.text(o) for o in ctx.observations],
        exchanges=[e.redacted(redactor) for e in ctx.exchanges]
        if verdict in (Verdict.FAIL, Verdict.WARN, Verdict.OBSERVED, Verdict.INCONCLUSIVE,
                       Verdict.ERROR)
        else [],
        learned=[{k: redactor.text(v) if isinstance(v, str) else v for k, v in entry.items()}
                 for entry in ctx.learned] if verdict is Verdict.OBSERVED else [],
        duration_ms=round(duration, 3),
        origin=origin,
        api_version=client.api_version or contract.default_api_version,
        traceback=redactor.text(trace),
        server_error=server_error,
        basis=ctx.basis,
        requests=client.requests_sent - sent_before,
    )


def basis_of(origin: str) -> str:
    """What a verdict from ``origin`` stands on.

    Answers from a vendor (a live run, a sandbox cassette) are a "vendor recording"; a vendor's
    published body played in a recorded scenario is a "vendor example"; the simulator and its
    cassettes (generated from the contract itself) check consistency only: "simulator only".
    """
    if origin.startswith("documented-example"):
        return "vendor example"
    if origin.startswith(("sandbox", "live")):
        return "vendor recording"
    return "simulator only"


def error_result(provider: str, rule_id: str, case_id: str, title: str, exc: BaseException, *,
                 origin: str = "", redactor: Redactor | None = None, context: str = "") -> CaseResult:
    """An ERROR row for an exception of payconform's own: what broke and its traceback."""
    message, trace = could_not_judge(exc)
    if context:
        message = f"{message}\n{context}"
    if redactor is not None:
        message, trace = redactor.text(message), redactor.text(trace)
    return CaseResult(provider=provider, rule_id=rule_id, case_id=case_id, title=title,
                      verdict=Verdict.ERROR, evidence="unverified",
                      citation="payconform itself (no provider fact was judged)",
                      message=message, traceback=trace, origin=origin)
