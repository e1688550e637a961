"""The call plan of a run that reaches a vendor, made before its first request.

A live or record run spends a per-provider request budget (``PAYCONFORM_LIVE_BUDGET``). Before
anything is sent, :func:`plan_calls` runs the selected rule cases against an in-process
simulator of the contract, through the same live session (guard, transport, link source,
fixtures, cleanup), and counts what they send. The plan then reads:

- **rule catalog** first: the calls its cases send (measured, not guessed);
- **cleanup** reserved: the calls the session-end cleanup of the catalog's links sends;
- **property search**: at most ``search_share`` of the budget, and never more than what the
  catalog and its cleanup leave (the search stops itself at that point, cleanup of its own
  links included, and says so in the report).

When the catalog and its cleanup alone exceed the budget the run is refused before any
request (a usage error naming both numbers and the variable to raise). Against a vendor the
count can differ from the plan only where the vendor answers differently from its contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import httpx

from payconform.lanes.base import LaneOptions
from payconform.lanes.guard import options_env
from payconform.lanes.live import LivePolicy, live_session
from payconform.model.contract import Contract
from payconform.rules.catalog import cases_for
from payconform.rules.client import Credentials, ProviderClient
from payconform.rules.engine import Case
from payconform.simulator.core import Simulator
from payconform.simulator.transport import SimulatorTransport

__all__ = ["CallPlan", "full_run_calls", "plan_calls"]


@dataclass(frozen=True)
class CallPlan:
    """How one provider's budget is split: rule catalog, its cleanup, property search."""

    provider: str
    budget: int
    cases: int
    rules: int
    cleanup: int
    search: int

    @property
    def fits(self) -> bool:
        """Whether the catalog and its cleanup fit in the budget."""
        return self.rules + self.cleanup <= self.budget

    @property
    def total(self) -> int:
        """The most this plan lets the run send."""
        return self.rules + self.cleanup + self.search

    def line(self) -> str:
        """The one line the run prints before its first request."""
        if not self.fits:
            var = "PAYCONFORM_LIVE_BUDGET_" + self.provider.upper().replace("-", "_")
            return (f"{self.provider}: the budget of {self.budget} API calls cannot cover the "
                    f"{self.cases} selected rule cases ({self.rules} calls plus {self.cleanup} for "
                    f"cleanup); no request was sent. Raise {var} (or PAYCONFORM_LIVE_BUDGET), or "
                    "select fewer cases (-k, --provider).")
        return (f"{self.provider}: plan {self.rules} calls for {self.cases} rule cases, "
                f"{self.cleanup} for cleanup, at most {self.search} for property search; "
                f"budget {self.budget}")

    def to_json(self) -> dict[str, int]:
        """The plan for the report (``run.plan``)."""
        return {"budget": self.budget, "cases": self.cases, "rules": self.rules,
                "cleanup": self.cleanup, "search": self.search}


def _dry_env(contract: Contract, env: Mapping[str, str], simulator: Simulator) -> dict[str, str]:
    """``env`` with unlimited budget and rate, and every fixture link the user named replaced
    by a simulator link in the same status (call counts do not depend on the id)."""
    out = dict(env)
    suffix = "_" + contract.provider.upper().replace("-", "_")
    # The dry run talks to an in-process simulator: no budget, no spacing of calls.
    out.update({f"PAYCONFORM_LIVE_BUDGET{suffix}": str(10**9), f"PAYCONFORM_LIVE_RATE{suffix}": "0",
                f"PAYCONFORM_LIVE_VENDOR_LIMITS{suffix}": "0"})
    http = ProviderClient(contract, httpx.Client(base_url=contract.base_urls["sandbox"] + "/",
                                                 transport=SimulatorTransport(simulator)),
                          Credentials(dict(simulator.credentials)))
    for fixture in contract.fixtures:
        if env.get(fixture.env):
            link_id = http.link_id_of(http.create())
            simulator.force_status(link_id, fixture.status)
            out[fixture.env] = link_id
    for variant in contract.variants:
        if variant.fixture_env and env.get(variant.fixture_env):
            out[variant.fixture_env] = http.link_id_of(http.create(variant=variant.name))
    http.http.close()
    return out


def plan_calls(contract: Contract, options: LaneOptions, cases: Iterable[Case], *,
               search: bool) -> CallPlan:
    """The call plan of ``cases`` (and a property search when ``search``) for ``contract``.

    Raises what :func:`~payconform.lanes.live.live_session` raises (LaneRefused,
    LaneUnavailable) when the provider cannot run at all.
    """
    env = options_env(options)
    policy = LivePolicy.from_env(contract.provider, env)
    selected = list(cases)
    live_session(contract, options).close()  # refused or unavailable exactly as the run would be
    names = contract.auth.credentials
    simulator = Simulator(contract, credentials={name: env[var] for name, var in names.items()})
    dry = replace(options, env=_dry_env(contract, env, simulator),
                  base_url=contract.base_urls["sandbox"])
    session = live_session(contract, dry, transport=SimulatorTransport(simulator))
    try:
        for case in selected:
            session.run(case)
        assert session.wire is not None
        rules = session.wire.calls
        session.cleanup()
        cleanup = session.wire.calls - rules
    finally:
        session.close()
    room = policy.budget - rules - cleanup
    share = int(policy.budget * policy.search_share) if search else 0
    return CallPlan(contract.provider, policy.budget, len(selected), rules, cleanup,
                    max(0, min(share, room)))


def full_run_calls(contract: Contract) -> int:
    """API calls a live run of the whole rule catalog makes at ``contract``'s provider with
    every fixture variable set, cleanup and token requests included: the plan of that run
    (measured in process against the provider's simulator, so it follows the contract)."""
    credentials = contract.auth.simulator_credentials
    env = {var: credentials[name] for name, var in contract.auth.credentials.items()}
    # Any value: the plan replaces each named fixture link with a simulator link.
    env.update({fixture.env: "planned" for fixture in contract.fixtures})
    env.update({v.fixture_env: "planned" for v in contract.variants if v.fixture_env})
    plan = plan_calls(contract, LaneOptions(lane="live", run_id="count", env=env),
                      cases_for(contract), search=False)
    return plan.rules + plan.cleanup
