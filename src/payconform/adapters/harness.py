"""Driving a team's Python adapter through every scenario against the served simulator.

The harness serves a :class:`~payconform.adapters.scenarios.ScenarioSimulator` on loopback
and runs each scenario once, the way a client in any language would: begin, ``create()``,
arm, ``cancel()``, and ``fetch()`` when the adapter has it. Sync and async adapters run the
same way (an async one inside one event loop per scenario). The judge
(:mod:`payconform.adapters.judge`) then reads the simulator's recording.
"""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field
from typing import Any

from payconform.adapters.judge import judge_case
from payconform.adapters.protocol import AdapterFactory
from payconform.adapters.scenarios import Scenario, ScenarioSimulator, plan, wrong_credentials
from payconform.model.contract import Contract
from payconform.model.outcomes import Verdict
from payconform.rules.engine import Case, CaseResult, error_result
from payconform.simulator.server import RunningServer, serve_in_thread
from payconform.simulator.state import SimulatorCrashed

__all__ = ["AdapterHarness", "describe_factory"]


@dataclass
class _Ran:
    outcome: str
    fetched: str | None = None
    covered: bool = True
    #: The traceback of the simulator's own crash during the scenario ("" if none).
    crash: str = ""


@dataclass
class AdapterHarness:
    """A served simulator for one provider and the team's adapter pointed at it."""

    contract: Contract
    factory: AdapterFactory
    name: str = ""
    server: RunningServer | None = None
    simulator: ScenarioSimulator | None = None
    ran: dict[str, _Ran] = field(default_factory=dict)

    def start(self) -> None:
        """Serve the simulator (once)."""
        if self.server is None:
            self.simulator = ScenarioSimulator(self.contract)
            self.server = serve_in_thread(self.simulator)

    def stop(self) -> None:
        """Stop the simulator."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    @property
    def origin(self) -> str:
        """How results name where they come from."""
        return f"adapter {self.name} vs simulator (loopback)" if self.name else \
            "adapter vs simulator (loopback)"

    # ---- running one scenario ----

    def _make(self, credentials: dict[str, str]) -> Any:
        assert self.server is not None
        return self.factory(self.contract.provider, self.server.base_url, dict(credentials))

    def run_scenario(self, scenario: Scenario) -> _Ran:
        """Run a scenario once (later calls return the first run)."""
        if scenario.id in self.ran:
            return self.ran[scenario.id]
        self.start()
        assert self.simulator is not None
        crashes = self.simulator.crash_count
        creds = dict(self.contract.auth.simulator_credentials)
        adapter = self._make(creds)
        if adapter is None:
            ran = _Ran("", covered=False)
        elif inspect.iscoroutinefunction(getattr(adapter, "cancel", None)):
            ran = asyncio.run(self._run_async(scenario, adapter, creds))
        else:
            ran = self._run_sync(scenario, adapter, creds)
        if self.simulator.crash_count > crashes and self.simulator.crashes:
            ran.crash = self.simulator.crashes[-1]
        self.ran[scenario.id] = ran
        return ran

    def _run_sync(self, scenario: Scenario, adapter: Any, creds: dict[str, str]) -> _Ran:
        sim = self.simulator
        assert sim is not None
        wrong = None
        try:
            sim.begin(scenario.id)
            link_id = self.contract.unknown_id_example
            if scenario.creates:
                link_id = str(adapter.create())
                sim.arm(scenario.id, link_id)
            actor = adapter
            if scenario.credentials == "wrong":
                actor = wrong = self._make(wrong_credentials(creds))
            outcome = str(actor.cancel(link_id))
            fetched = None
            if scenario.creates and callable(getattr(adapter, "fetch", None)):
                fetched = str(adapter.fetch(link_id))
            return _Ran(outcome, fetched)
        except Exception as exc:  # the adapter's own exception is its failure to map
            return _Ran(f"raised {type(exc).__name__}: {exc}")
        finally:
            for item in (adapter, wrong):
                close = getattr(item, "close", None)
                if callable(close):
                    close()

    async def _run_async(self, scenario: Scenario, adapter: Any, creds: dict[str, str]) -> _Ran:
        sim = self.simulator
        assert sim is not None
        wrong = None
        try:
            sim.begin(scenario.id)
            link_id = self.contract.unknown_id_example
            if scenario.creates:
                link_id = str(await adapter.create())
                sim.arm(scenario.id, link_id)
            actor = adapter
            if scenario.credentials == "wrong":
                actor = wrong = self._make(wrong_credentials(creds))
            outcome = str(await actor.cancel(link_id))
            fetched = None
            fetch = getattr(adapter, "fetch", None)
            if scenario.creates and callable(fetch):
                fetched = str(await fetch(link_id) if inspect.iscoroutinefunction(fetch)
                              else fetch(link_id))
            return _Ran(outcome, fetched)
        except Exception as exc:
            return _Ran(f"raised {type(exc).__name__}: {exc}")
        finally:
            for item in (adapter, wrong):
                close = getattr(item, "aclose", None) or getattr(item, "close", None)
                if callable(close):
                    done = close()
                    if inspect.isawaitable(done):
                        await done

    # ---- judging one case ----

    def run(self, case: Case) -> CaseResult:
        """Run the case's scenario (once) and judge the case's rule on it."""
        scenario = next(s for s in plan(self.contract) if s.id == case.case_id)
        ran = self.run_scenario(scenario)
        if not ran.covered:
            return CaseResult(self.contract.provider, case.rule_id, case.case_id, case.title,
                              Verdict.SKIPPED, "unverified", "",
                              f"the adapter does not cover {self.contract.provider}",
                              origin=self.origin)
        assert self.simulator is not None
        if ran.crash:
            # The adapter met the simulator's own 500: payconform's defect, not the adapter's.
            result = error_result(
                self.contract.provider, case.rule_id, case.case_id, case.title,
                SimulatorCrashed(f"the simulator crashed during scenario {scenario.id}"),
                origin=self.origin)
            result.traceback = ran.crash
            return result
        try:
            return judge_case(self.contract, case, self.simulator.session(), outcome=ran.outcome,
                              fetched=ran.fetched, origin=self.origin)
        except Exception as exc:  # a defect in payconform's judge is never the adapter's failure
            return error_result(self.contract.provider, case.rule_id, case.case_id, case.title,
                                exc, origin=self.origin)


def describe_factory(factory: Any) -> str:
    """``module:name`` of a factory, for reports."""
    return f"{getattr(factory, '__module__', '?')}:{getattr(factory, '__qualname__', '?')}"
