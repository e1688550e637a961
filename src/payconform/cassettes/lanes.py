"""The ``record`` and ``replay`` lanes: the suites through vcrpy cassettes.

- ``record`` runs the cases against a live base URL (the contract's sandbox, ``--base-url``,
  or a served simulator) and writes one scrubbed cassette per provider x scenario.
- ``replay`` runs the same cases against the cassettes with the network blocked: every
  request is answered by vcrpy (record mode ``none``) or fails the case naming the
  cassette, the closest recorded requests and the matcher that differed.

Both are listed in :data:`payconform.wiring.LANE_FACTORIES`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from payconform.cassettes.store import (
    RECORD_MODES,
    CassetteError,
    Provenance,
    Scrubber,
    cassette_path,
    default_root,
    replay_root,
    load_cassette,
    max_age_from_env,
    record_command,
    scenario_name,
    use_cassette,
)
from payconform.rules.client import Credentials, ProviderClient
from payconform.reporting import progress
from payconform.model.contract import Contract
from payconform.rules.engine import Case, CaseResult, LinkSource
from payconform.rules.catalog import run_case
from payconform.lanes.base import LaneOptions, LaneSession, LaneUnavailable
from payconform.model.outcomes import Verdict
from payconform.simulator.state import Mutation

__all__ = [
    "CassetteSession",
    "ReplayMiss",
    "record_factory",
    "record_session",
    "record_simulator",
    "replay_factory",
    "replay_session",
]

#: Replay talks to no host; ``.invalid`` never resolves, so an escaped request cannot leave.
REPLAY_HOST = "https://replay.payconform.invalid"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ReplayMiss(httpx.TransportError):
    """A request that no recorded interaction answers (the case is failed with details)."""


class _TrapTransport(httpx.HTTPTransport):
    """vcrpy patches ``HTTPTransport.handle_request``; this subclass keeps its refusals."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.misses: list[Exception] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through vcrpy; a refused request is remembered and raised as ReplayMiss."""
        from vcr.errors import CannotOverwriteExistingCassetteException

        try:
            return super().handle_request(request)
        except CannotOverwriteExistingCassetteException as exc:
            self.misses.append(exc)
            raise ReplayMiss(f"{request.method} {request.url.path} matches no recorded "
                             "interaction") from None


def _result(case: Case, contract: Contract, verdict: Verdict, message: str, origin: str,
            evidence: str = "unverified") -> CaseResult:
    return CaseResult(contract.provider, case.rule_id, case.case_id, case.title, verdict,
                      evidence, "", message, origin=origin)


@dataclass
class CassetteSession(LaneSession):
    """A lane session that runs every case inside its own cassette.

    ``record_mode`` None means replay (vcrpy ``none``, missing cassette -> SKIPPED).
    """

    root: Path = Path("cassettes")
    record_mode: str | None = None
    record_origin: str = "sandbox"
    host: str = ""
    scrubber: Scrubber | None = None
    trap: _TrapTransport | None = None
    max_age_days: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        # A bearer token issued mid-recording is scrubbed by value from the cassettes too.
        if self.scrubber is not None and self.scrubber.redactor.learn not in self.client.secret_sinks:
            self.client.secret_sinks.append(self.scrubber.redactor.learn)

    @property
    def replaying(self) -> bool:
        """Whether this session only plays back."""
        return self.record_mode in (None, "none")

    def run(self, case: Case) -> CaseResult:
        """Run one case inside its cassette (see the module docstring)."""
        contract = self.contract
        path = cassette_path(self.root, contract.provider, case)
        lane = "replay" if self.record_mode is None else "record"
        provenance: Provenance | None = None
        if self.replaying or (path.exists() and self.record_mode != "rewrite"):
            if not path.exists():
                return _result(case, contract, Verdict.SKIPPED,
                               f"no cassette at {path}; record it with: "
                               f"{record_command(contract.provider, case)}", lane)
            try:
                loaded = load_cassette(path, provider=contract.provider)
            except CassetteError as exc:
                return _result(case, contract, Verdict.INCONCLUSIVE, f"cassette error: {exc}", lane)
            provenance = loaded.provenance
            if provenance.scenario != scenario_name(case):
                return _result(case, contract, Verdict.INCONCLUSIVE,
                               f"cassette error: {path}: holds scenario {provenance.scenario!r}, "
                               f"not {scenario_name(case)!r}; re-record it "
                               f"({record_command(contract.provider, case)})", lane)
        if self.replaying:
            assert provenance is not None
            links = LinkSource(contract, provenance.link_mode, env=_fixture_env(contract))
            origin = f"{provenance.origin} cassette {path.as_posix()}"
        else:
            links = LinkSource(contract, self.links.mode, self.links.env)
            origin = f"{self.record_origin} (recording to {path.as_posix()})"
        new_provenance = Provenance(
            provider=contract.provider,
            api_version=case.params.get("version") or self.client.api_version
            or contract.default_api_version,
            scenario=scenario_name(case),
            origin=self.record_origin,
            host=self.host,
            link_mode=links.mode,
            rule_id=case.rule_id,
            case_id=case.case_id,
        )
        assert self.scrubber is not None and self.trap is not None
        self.trap.misses.clear()
        self.client.forget_token()  # each cassette holds its own token exchange
        mode = "none" if self.record_mode is None else self.record_mode
        with use_cassette(path, contract, self.scrubber, record_mode=mode,
                          provenance=None if self.replaying else new_provenance) as cassette:
            result = run_case(contract, case, self.client, links, self.redactor, origin=origin)
            if not self.replaying and result.verdict in (Verdict.INCONCLUSIVE, Verdict.SKIPPED):
                # Never keep a recording of a run that did not finish its scenario.
                cassette.dirty = False
            unplayed = len(cassette) - len(cassette.play_counts) if self.replaying else 0
        if self.trap.misses:
            detail = self.scrubber.text(str(self.trap.misses[0]))
            result.verdict = Verdict.FAIL
            result.evidence = "unverified"
            result.message = (
                f"cassette mismatch in {path}: the suite sent a request that no recorded "
                f"interaction matches, so this verdict cannot be replayed.\n{detail}\n"
                f"Re-record: {record_command(contract.provider, case)}"
            )
        elif unplayed > 0:
            result.observations.append(f"{unplayed} recorded interaction(s) of {path} were not played")
        if self.replaying and provenance is not None:
            stale = provenance.age_problem(self.max_age_days)
            if stale:
                note = (f"stale cassette {path}: {stale}; refresh it with: "
                        f"{record_command(contract.provider, case)}")
                if result.verdict in (Verdict.PASS, Verdict.OBSERVED):
                    result.verdict = Verdict.WARN
                    result.message = note + ("\n" + result.message if result.message else "")
                else:
                    result.message = (result.message + "\n" if result.message else "") + note
        return result


def _fixture_env(contract: Contract) -> dict[str, str]:
    # Fixture link ids only shape the URL path, which the matcher normalizes.
    return {f.env: f"pc_fixture_{f.status.lower()}" for f in contract.fixtures}


def _cassette_session(
    contract: Contract,
    *,
    base_url: str,
    credentials: Mapping[str, str],
    root: Path,
    record_mode: str | None,
    origin: str,
    link_mode: str,
    env: Mapping[str, str] | None,
    run_tag: str,
) -> CassetteSession:
    creds = Credentials(dict(credentials))
    trap = _TrapTransport()
    http = httpx.Client(base_url=base_url.rstrip("/") + "/", transport=trap, timeout=10.0)
    client = ProviderClient(contract, http, creds, run_tag=run_tag)
    scrubber = Scrubber(contract, creds.values)
    host = urlsplit(base_url).hostname or ""
    return CassetteSession(
        contract, client, LinkSource(contract, link_mode, env), creds.redactor(contract),
        origin="replay" if record_mode is None else origin,
        root=root, record_mode=record_mode, record_origin=origin, host=host,
        scrubber=scrubber, trap=trap, max_age_days=max_age_from_env(env),
    )


def replay_session(contract: Contract, root: Path | str | None = None,
                   env: Mapping[str, str] | None = None, run_tag: str = "payconform") -> CassetteSession:
    """A replay session over the cassettes under ``root`` (network blocked)."""
    base_path = urlsplit(contract.base_urls["sandbox"]).path.rstrip("/")
    return _cassette_session(
        contract, base_url=REPLAY_HOST + base_path,
        credentials=contract.auth.simulator_credentials,
        root=Path(root) if root is not None else default_root(env),
        record_mode=None, origin="replay", link_mode="control", env=env, run_tag=run_tag,
    )


def _is_simulator(base_url: str) -> bool:
    parts = urlsplit(base_url)
    if parts.hostname not in LOOPBACK:
        return False
    try:
        probe = httpx.get(f"{parts.scheme}://{parts.netloc}/_simulator/links", timeout=2.0)
    except httpx.HTTPError:
        return False
    return probe.status_code == 200 and "links" in probe.text


def record_session(
    contract: Contract,
    base_url: str,
    credentials: Mapping[str, str],
    *,
    root: Path | str | None = None,
    record_mode: str = "once",
    origin: str | None = None,
    env: Mapping[str, str] | None = None,
    run_tag: str = "payconform",
) -> CassetteSession:
    """A recording session against ``base_url`` (a served simulator is detected as such)."""
    if record_mode not in RECORD_MODES:
        raise ValueError(f"record mode must be one of {', '.join(RECORD_MODES)}, not {record_mode!r}")
    simulator = _is_simulator(base_url) if origin is None else origin == "simulator"
    return _cassette_session(
        contract, base_url=base_url, credentials=credentials,
        root=Path(root) if root is not None else default_root(env),
        record_mode=record_mode, origin=origin or ("simulator" if simulator else "sandbox"),
        link_mode="control" if simulator else "fixtures", env=env, run_tag=run_tag,
    )


def record_simulator(
    contract: Contract,
    root: Path | str,
    *,
    record_mode: str = "rewrite",
    credentials: Mapping[str, str] | None = None,
    rule_ids: list[str] | None = None,
    mutation: Mutation | None = None,
) -> list[CaseResult]:
    """Serve the contract's simulator (optionally a mutant) on loopback and record from it."""
    from payconform.simulator.server import serve_in_thread
    from payconform.simulator.core import Simulator

    creds = dict(credentials or contract.auth.simulator_credentials)
    with serve_in_thread(Simulator(contract, credentials=creds, mutation=mutation)) as server:
        session = record_session(contract, server.base_url, creds, root=root,
                                 record_mode=record_mode, origin="simulator")
        try:
            return run_with_progress(session, f"{contract.provider} record", rule_ids)
        finally:
            session.close()


def run_with_progress(session: LaneSession, name: str, rule_ids: list[str] | None = None
                      ) -> list[CaseResult]:
    """``session.run_all`` as a progress phase counting scenarios."""
    from payconform.rules.catalog import cases_for

    done: list[CaseResult] = []
    with progress.phase(name, lambda: {"scenarios": len(done)}) as ticker:
        for case in cases_for(session.contract, rule_ids):
            done.append(session.run(case))
            ticker.tick()
    return done


# ---- lane factories ----------------------------------------------------------------------------


def record_factory(contract: Contract, options: LaneOptions) -> LaneSession:
    """A served simulator is recorded as such; anything else goes through the live lane's guard."""
    from payconform.lanes.live import base_url_for, live_session

    env = options.env if options.env is not None else os.environ
    root = Path(options.cassette_dir) if options.cassette_dir else default_root(env)
    mode = options.record_mode or "once"
    base_url = base_url_for(contract, options)
    if _is_simulator(base_url):
        given = {name: env.get(var) or "" for name, var in contract.auth.credentials.items()}
        credentials = given if all(given.values()) else dict(contract.auth.simulator_credentials)
        return record_session(contract, base_url, credentials, root=root, record_mode=mode,
                              origin="simulator", env=env, run_tag=f"payconform-{options.run_id}")
    missing = [var for var in contract.auth.credentials.values() if not env.get(var)]
    if missing:
        raise LaneUnavailable(f"{contract.provider}: the record lane needs sandbox credentials; "
                              f"set {', '.join(missing)}")
    trap = _TrapTransport()
    live = live_session(contract, options, transport=trap, origin="sandbox")
    credentials = dict(live.client.credentials.values)
    session = CassetteSession(
        contract, live.client, live.links, live.redactor, origin=live.origin, root=root,
        record_mode=mode, record_origin="sandbox", host=urlsplit(base_url).hostname or "",
        scrubber=Scrubber(contract, credentials), trap=trap, max_age_days=max_age_from_env(env),
    )
    session.extra.update(live.extra)  # the live lane's cleanup of created links, annotations
    return session


def replay_factory(contract: Contract, options: LaneOptions) -> LaneSession:
    """The replay lane: cassettes under the cassette dir, network blocked."""
    env = options.env if options.env is not None else os.environ
    root = Path(options.cassette_dir) if options.cassette_dir else replay_root(env)
    return replay_session(contract, root, env, run_tag=f"payconform-{options.run_id}")
