"""Lanes: where requests go. Each lane yields a :class:`LaneSession` per provider.

- ``simulator``: the provider double in process (an httpx transport, no socket).
- ``http``: any base URL over real HTTP: a served simulator, a proxy, a sandbox. The live,
  record and replay lanes build on it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from payconform.model.contract import Contract
from payconform.model.redact import Redactor
from payconform.rules.catalog import cases_for, run_case
from payconform.rules.client import Credentials, ProviderClient
from payconform.rules.engine import Case, CaseResult, LinkSource
from payconform.simulator.core import Simulator
from payconform.simulator.state import Mutation
from payconform.simulator.transport import SimulatorTransport

__all__ = [
    "LaneFactory",
    "LaneOptions",
    "LaneRefused",
    "LaneSession",
    "LaneUnavailable",
    "http_session",
    "new_run_id",
    "simulator_factory",
    "simulator_session",
]


def new_run_id() -> str:
    """A sortable, unique run id."""
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass
class LaneSession:
    """A ready client, link source and redactor for one provider on one lane."""

    contract: Contract
    client: ProviderClient
    links: LinkSource
    redactor: Redactor
    origin: str
    simulator: Simulator | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A secret the client obtains mid-run (a bearer token) is redacted from reports too.
        if self.redactor.learn not in self.client.secret_sinks:
            self.client.secret_sinks.append(self.redactor.learn)

    def run(self, case: Case) -> CaseResult:
        """Run one case on this lane."""
        return run_case(self.contract, case, self.client, self.links, self.redactor,
                        origin=self.origin)

    def run_all(self, rule_ids: list[str] | None = None) -> list[CaseResult]:
        """Run every case of the given rules (default: all)."""
        return [self.run(case) for case in cases_for(self.contract, rule_ids)]

    def close(self) -> None:
        """Release the HTTP client."""
        self.client.http.close()


def simulator_session(
    contract: Contract,
    *,
    mutation: Mutation | None = None,
    run_tag: str = "payconform",
    api_version: str | None = None,
) -> LaneSession:
    """A session against an in-process simulator of ``contract`` (optionally mutated)."""
    simulator = Simulator(contract, mutation=mutation)
    credentials = Credentials(dict(contract.auth.simulator_credentials))
    http = httpx.Client(base_url=contract.base_urls["sandbox"] + "/",
                        transport=SimulatorTransport(simulator))
    client = ProviderClient(contract, http, credentials, api_version=api_version, run_tag=run_tag)
    origin = "simulator" if mutation is None else f"simulator (mutant {mutation.name})"
    return LaneSession(contract, client, LinkSource(contract, "control"),
                       credentials.redactor(contract), origin, simulator=simulator)


def http_session(
    contract: Contract,
    base_url: str,
    credentials: Mapping[str, str],
    *,
    link_mode: str = "fixtures",
    run_tag: str = "payconform",
    origin: str = "live",
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    env: Mapping[str, str] | None = None,
) -> LaneSession:
    """A session over real HTTP to ``base_url``."""
    creds = Credentials(dict(credentials))
    http = httpx.Client(base_url=base_url.rstrip("/") + "/", transport=transport, timeout=timeout)
    client = ProviderClient(contract, http, creds, run_tag=run_tag)
    return LaneSession(contract, client, LinkSource(contract, link_mode, env),
                       creds.redactor(contract), origin)


class LaneUnavailable(Exception):
    """A provider cannot run on the chosen lane (e.g. missing credentials); says what to set."""


class LaneRefused(Exception):
    """The run must not start as configured (e.g. a production host): a usage error."""


@dataclass(frozen=True)
class LaneOptions:
    """What the user chose for the run (from pytest options or the CLI)."""

    lane: str = "simulator"
    run_id: str = "adhoc"
    base_url: str | None = None
    allow_production: bool = False
    record_mode: str | None = None
    cassette_dir: str | None = None
    env: Mapping[str, str] | None = None
    report_dir: str | None = None


LaneFactory = Callable[[Contract, LaneOptions], LaneSession]


def simulator_factory(contract: Contract, options: LaneOptions) -> LaneSession:
    """The simulator lane: the contract's provider double in process."""
    # PAYCONFORM_MUTANT swaps in a catalog mutant: for payconform's self-tests and for demos
    # of what a FAIL looks like; the report names the mutant as the origin.
    wanted = (options.env or os.environ).get("PAYCONFORM_MUTANT")
    mutation = None
    if wanted:
        from payconform.simulator.mutants import mutants_for

        found = {m.id: m for m in mutants_for(contract)}
        if wanted in found:
            mutation = found[wanted].mutation
    return simulator_session(contract, mutation=mutation, run_tag=f"payconform-{options.run_id}")
