"""Pre-release verification of a team's own provider adapter against the simulator.

An adapter is the team's code that talks to a provider, behind a small protocol. payconform
serves the provider's simulator on loopback, hands the adapter its base URL and credentials,
puts links into every status through the control API, and checks that the adapter maps each
answer onto the outcome the contract documents.

``--adapter module:factory`` names a callable ``factory(provider, base_url, credentials)``
returning an object with ``create() -> str`` (a new link id) and ``cancel(link_id) -> str``
(an :class:`~payconform.model.outcomes.Outcome` name), or ``None`` for providers it does not cover.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from payconform.model.contract import Contract, Expectation, Source
from payconform.model.outcomes import Evidence, Outcome, Verdict
from payconform.model.redact import Redactor
from payconform.rules.engine import Case, CaseResult, Check, decide
from payconform.simulator.core import Simulator
from payconform.simulator.server import RunningServer, serve_in_thread

__all__ = ["ADAPTER_RULE", "Adapter", "AdapterError", "AdapterHarness", "adapter_cases", "load_factory"]

ADAPTER_RULE = "adapter.outcome-mapping"


class Adapter(Protocol):
    """What payconform needs from a team's adapter."""

    def create(self) -> str:
        """Create a link at the provider and return its id."""

    def cancel(self, link_id: str) -> str:
        """Cancel a link and return the normalized outcome name (e.g. ``NOT_CANCELLABLE``)."""


AdapterFactory = Callable[[str, str, Mapping[str, str]], Adapter | None]


class AdapterError(Exception):
    """The ``--adapter`` value cannot be used; the message says why."""


def load_factory(spec: str) -> AdapterFactory:
    """Import ``module:factory``; clear errors for every way it can be wrong."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise AdapterError(f"--adapter must look like 'module:factory', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise AdapterError(f"--adapter: cannot import {module_name!r}: {exc}") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise AdapterError(f"--adapter: {module_name!r} has no callable {attr!r}")
    return factory  # type: ignore[no-any-return]


def adapter_cases(contract: Contract) -> list[Case]:
    """One case per cancel scenario the adapter must map: every status, unknown id, bad auth."""
    cases = [Case(ADAPTER_RULE, f"cancel:{s}", f"adapter maps a cancel of a {s} link", {"status": s})
             for s in (*contract.cancel_outcomes, contract.cancelled_status)]
    cases.append(Case(ADAPTER_RULE, "unknown-id", "adapter maps a cancel of an unknown id", {}))
    cases.append(Case(ADAPTER_RULE, "invalid-credentials",
                      "adapter maps a cancel with wrong credentials", {}))
    return cases


@dataclass
class AdapterHarness:
    """A served simulator for one provider and the team's adapter pointed at it."""

    contract: Contract
    factory: AdapterFactory
    server: RunningServer | None = None
    simulator: Simulator | None = None

    def start(self) -> None:
        """Serve the simulator (once)."""
        if self.server is None:
            self.simulator = Simulator(self.contract)
            self.server = serve_in_thread(self.simulator)

    def stop(self) -> None:
        """Stop the simulator."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def _adapter(self, credentials: Mapping[str, str]) -> Adapter | None:
        assert self.server is not None
        return self.factory(self.contract.provider, self.server.base_url, dict(credentials))

    def _expected(self, case: Case) -> tuple[Expectation, set[Outcome]]:
        contract = self.contract
        if case.case_id == "unknown-id":
            exp = contract.unknown_id
        elif case.case_id == "invalid-credentials":
            exp = contract.auth.invalid
        else:
            status = case.params["status"]
            if status == contract.cancelled_status:
                exp = contract.repeat_cancel
                # A refused repeat may be reported either way: the wire cannot tell them apart.
                allowed: set[Outcome] = {exp.played.outcome, Outcome.ALREADY_CANCELLED}
                allowed.discard(Outcome.CANCELLED)
                return exp, allowed
            exp = contract.cancel_outcomes[status]
        played = exp.played.outcome
        if played is Outcome.REJECTED:
            return exp, {Outcome.INVALID_REQUEST, Outcome.NOT_CANCELLABLE, Outcome.NOT_FOUND,
                         Outcome.UNAUTHORIZED}
        return exp, {played}

    def run(self, case: Case) -> CaseResult:
        """Drive the adapter through one scenario and judge its mapping."""
        self.start()
        assert self.simulator is not None
        contract = self.contract
        exp, allowed = self._expected(case)
        creds = contract.auth.simulator_credentials
        message, checks = "", []
        try:
            adapter = self._adapter(creds)
            if adapter is None:
                return self._result(case, Verdict.SKIPPED, exp.source,
                                    f"the adapter does not cover {contract.provider}", [])
            if case.case_id == "unknown-id":
                got = adapter.cancel(contract.unknown_id_example)
            elif case.case_id == "invalid-credentials":
                link_id = adapter.create()
                wrong = self._adapter({k: f"wrong-{v}" for k, v in creds.items()})
                assert wrong is not None
                got = wrong.cancel(link_id)
            else:
                status = case.params["status"]
                link_id = adapter.create()
                if status == contract.cancelled_status:
                    adapter.cancel(link_id)
                elif status != contract.initial_status:
                    self.simulator.force_status(link_id, status)
                got = adapter.cancel(link_id)
        except Exception as exc:  # the adapter's own exception is a mapping failure
            got = f"raised {type(exc).__name__}: {exc}"
        source = exp.source if exp.source.evidence is not Evidence.UNVERIFIED else Source(
            evidence=Evidence.INFERRED, citation=exp.source.citation,
            note="the simulator plays the first candidate of an unverified expectation")
        passed = str(got) in {o.value for o in allowed}
        checks.append(Check("adapter outcome", source.evidence, passed,
                            " or ".join(sorted(o.value for o in allowed)), str(got),
                            source.citation))
        verdict, _ = decide(checks)
        if not passed:
            message = checks[0].describe()
        return self._result(case, verdict, source, message, checks)

    def _result(self, case: Case, verdict: Verdict, source: Source, message: str,
                checks: list[Check]) -> CaseResult:
        redactor = Redactor(self.contract.auth.simulator_credentials.values())
        return CaseResult(self.contract.provider, case.rule_id, case.case_id, case.title, verdict,
                          source.evidence.value, source.citation, redactor.text(message),
                          checks=checks, origin="adapter vs simulator (loopback)")


def describe_factory(factory: Any) -> str:
    """``module:name`` of a factory, for reports."""
    return f"{getattr(factory, '__module__', '?')}:{getattr(factory, '__qualname__', '?')}"
