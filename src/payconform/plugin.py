"""The pytest plugin: one option group, the ``rule`` marker, the ``conformance`` fixture.

Thin glue over the engine. A suite test marked ``@pytest.mark.rule("cancel.repeat")`` that
asks for ``conformance`` is parametrized over every selected provider's cases of that rule;
``conformance.check()`` runs the case on the chosen lane, records the verdict for the report
and turns it into a pytest outcome. State lives in ``config.stash``.

Precedence: command-line options, then environment (``PAYCONFORM_LANE``), then defaults.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from payconform.adapters.harness import AdapterHarness
from payconform.adapters.judge import ADAPTER_RULES, adapter_cases
from payconform.adapters.protocol import AdapterError, load_factory
from payconform.lanes.base import LaneOptions, LaneRefused, LaneSession, LaneUnavailable, new_run_id
from payconform.lanes.live import record_monitoring
from payconform.model.contract import Contract, ContractError
from payconform.model.outcomes import Verdict
from payconform.model.redact import Redactor
from payconform.model.registry import UnknownProvider, all_contracts, get_contract
from payconform.properties.profiles import (
    REMOTE_LANES,
    active_profile,
    register_profiles,
    select_profile,
    session_seed,
)
from payconform.reporting import progress
from payconform.reporting.report import (
    ERROR_MEANING,
    EXIT_ERROR,
    EXIT_FAIL,
    EXIT_INCONCLUSIVE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    RunReport,
    interrupted_line,
    load_report,
    matrix,
    write_report,
    write_step_summary,
)
from payconform.rules.catalog import cases_for
from payconform.rules.engine import Case, CaseResult, error_result
from payconform.wiring import LANES, check_lane, open_session

__all__ = ["EXIT_ERROR", "EXIT_INCONCLUSIVE", "ConformanceWarning", "RunState", "claim"]

#: pytest's exit status for usage errors (also: the report could not be written).
EXIT_USAGE = 4


class ConformanceWarning(UserWarning):
    """A provider deviates from an inferred (not documented) rule."""


@dataclass
class RunState:
    """Everything the plugin keeps for one pytest session."""

    options: LaneOptions
    providers: list[str]
    report_dir: Path
    results: list[CaseResult] = field(default_factory=list)
    sessions: dict[str, LaneSession | LaneUnavailable] = field(default_factory=dict)
    report_path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    adapter: Any = None
    harnesses: dict[str, AdapterHarness] = field(default_factory=dict)
    #: The hypothesis profile of this run (``live`` on the lanes that reach a vendor).
    profile: str = "dev"
    #: Failed tests that are not payconform's (e.g. a project's own tests in the session).
    foreign_failures: int = 0

    def redactor(self, provider: str) -> Redactor:
        """The redactor of a provider's lane session (its simulator credentials before one opens)."""
        session = self.sessions.get(provider)
        if isinstance(session, LaneSession):
            return session.redactor
        try:
            return Redactor(get_contract(provider).auth.simulator_credentials.values())
        except UnknownProvider:
            return Redactor(())
    monitoring: list[dict[str, Any]] = field(default_factory=list)
    report_error: str = ""
    #: The test running now (None between tests), and how many tests have started: what an
    #: interrupted run reports as cut short and as not run.
    running: pytest.Item | None = None
    started: int = 0
    #: When the session was configured: the report's ``started_at`` (the report itself is
    #: built when the session finishes).
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def harness(self, contract: Contract) -> AdapterHarness:
        """The adapter harness (served simulator + adapter) of a provider."""
        if contract.provider not in self.harnesses:
            self.harnesses[contract.provider] = AdapterHarness(contract, self.adapter,
                                                               self.extra.get("adapter", ""))
        return self.harnesses[contract.provider]

    def session(self, contract: Contract) -> LaneSession:
        """The lane session of a provider, opened on first use (errors are remembered)."""
        cached = self.sessions.get(contract.provider)
        if cached is None:
            try:
                cached = open_session(contract, self.options)
            except LaneUnavailable as exc:
                cached = exc
            else:
                plan = self.extra.get("plan", {}).get(contract.provider)
                if plan is not None:
                    cached.extra["planned_search"] = plan["search"]
            self.sessions[contract.provider] = cached
        if isinstance(cached, LaneUnavailable):
            raise cached
        return cached


STATE = pytest.StashKey[RunState]()
#: Why the session was interrupted (set by pytest_keyboard_interrupt, whose hook has no config;
#: sessions in one process run one after another).
_INTERRUPT: list[str] = []
#: The report row of a crash while planning a provider's calls (no rule's case: the run's).
PLAN_RULE = "run.call-plan"
#: The rule id of the ERROR row for a crash of the end-of-run 5xx re-check.
CONFIRM_RULE = "run.server-error-recheck"
#: Per test item: how many results the run had when the item started.
_RESULTS_AT = pytest.StashKey[int]()
#: Per test item: (provider, rule id, case id) it judges, when it said so (see :func:`claim`).
_CLAIM = pytest.StashKey[tuple[str, str, str]]()


@dataclass(frozen=True)
class _Unbuilt:
    """A rule's cases that payconform could not build for a provider (its own crash): the
    test that stands for them raises it, so it lands in the report as ERROR."""

    rule_id: str
    error: BaseException
    case_id: str = "(cases)"


def claim(item: pytest.Item, provider: str, rule_id: str, case_id: str) -> None:
    """Say which report row a suite test produces, so that a crash still lands there as ERROR."""
    item.stash[_CLAIM] = (provider, rule_id, case_id)


def _identity(item: pytest.Item) -> tuple[str, str, str] | None:
    """The (provider, rule, case) a payconform suite test judges; None for other tests."""
    if _CLAIM in item.stash:
        return item.stash[_CLAIM]
    callspec = getattr(item, "callspec", None)
    params: dict[str, Any] = dict(callspec.params) if callspec is not None else {}
    if isinstance(params.get("conformance"), tuple):
        provider, case = params["conformance"]
        return str(provider), case.rule_id, case.case_id
    marker = item.get_closest_marker("rule")
    provider = params.get("provider", "")
    if marker is None or not marker.args or not isinstance(provider, str) or not provider:
        return None  # not payconform's, or an empty parametrization (nothing selected)
    return provider, str(marker.args[0]), item.name


#: Options other pytest plugins also define, with the same meaning: (flag, entry-point name of
#: the plugin). When that plugin is installed its option is used (same ``dest``) and
#: payconform does not register a clashing one.
SHARED_OPTIONS = {"--base-url": "base_url", "--record-mode": "recording"}


def _registered_flags(parser: pytest.Parser) -> set[str]:
    # pytest checks clashes only inside one group; argparse fails across groups later (exit 3).
    groups = [*getattr(parser, "_groups", []), getattr(parser, "_anonymous", None)]
    return {name for group in groups if group is not None
            for option in getattr(group, "options", []) for name in option.names()}


def _plugin_will_register(pluginmanager: pytest.PytestPluginManager, name: str) -> bool:
    """Whether the installed plugin ``name`` is (or is about to be) loaded in this session."""
    if pluginmanager.has_plugin(name):
        return True
    if pluginmanager.is_blocked(name) or os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(entry.name == name for entry in metadata.entry_points(group="pytest11"))


def _add_shared(group: pytest.OptionGroup, parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager,
                flag: str, **kwargs: Any) -> None:
    if flag in _registered_flags(parser) or _plugin_will_register(pluginmanager, SHARED_OPTIONS[flag]):
        return
    group.addoption(flag, **kwargs)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # Registered here, before any pytest_configure, so hypothesis's own --hypothesis-profile
    # can name dev, ci or live.
    register_profiles()
    group = parser.getgroup("payconform", "payconform conformance suite")
    group.addoption("--provider", action="append", default=None, metavar="NAME",
                    help="provider to check (repeatable; default: every known provider)")
    group.addoption("--lane", choices=LANES, default=None,
                    help="where requests go: simulator (default), replay, record, live")
    _add_shared(group, parser, pluginmanager, "--base-url", default=None, metavar="URL",
                help="base URL for the live/record lanes (default: the contract's sandbox; "
                     "the same option as pytest-base-url's)")
    group.addoption("--allow-production", action="store_true", default=False,
                    help="allow production hosts and live keys (refused by default)")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="where conformance reports are written (default: reports/)")
    group.addoption("--adapter", default=None, metavar="MODULE:FACTORY",
                    help="drive your own adapter (create/fetch/cancel) against the simulator")
    _add_shared(group, parser, pluginmanager, "--record-mode", default=None,
                choices=("none", "once", "new_episodes", "all", "rewrite"),
                help="cassette record mode for --lane record (vcrpy names, plus rewrite; the "
                     "same option as pytest-recording's)")


def check_report_dir(path: Path) -> None:
    """Refuse, before the run, a report dir that cannot be written (UsageError, one line)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if path.exists() and not path.is_dir():
        raise pytest.UsageError(f"--report-dir {path}: is a file, not a folder")
    if not probe.is_dir():
        raise pytest.UsageError(f"--report-dir {path}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise pytest.UsageError(f"--report-dir {path}: {probe} is not writable")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "rule(rule_id): tie a suite test to a payconform rule id; with the 'conformance' "
        "fixture the test is parametrized over every selected provider's cases of that rule; "
        "without it (property searches) the id names the test's report row",
    )
    _INTERRUPT.clear()  # a reason left by an earlier session in this process is not ours
    lane = config.getoption("--lane") or os.environ.get("PAYCONFORM_LANE") or "simulator"
    if lane not in LANES:
        raise pytest.UsageError(f"PAYCONFORM_LANE={lane!r} is not a lane; use one of {LANES}")
    # --hypothesis-profile (hypothesis's own option, any registered profile) wins; else
    # PAYCONFORM_HYPOTHESIS_PROFILE: dev, ci, live; unset: live on the lanes that reach a
    # vendor (every example is a real request), dev elsewhere.
    register_profiles()
    select_profile(config.getoption("hypothesis_profile", None))
    try:
        from hypothesis import settings as hypothesis_settings

        profile = active_profile(lane)
        hypothesis_settings.load_profile(profile)
    except Exception as exc:  # hypothesis's InvalidArgument for an unknown profile, or ours
        raise pytest.UsageError(str(exc).splitlines()[0]) from None
    try:
        names = config.getoption("--provider") or list(all_contracts())
        for name in names:
            get_contract(name)
    except (UnknownProvider, ContractError) as exc:
        raise pytest.UsageError(str(exc.args[0] if exc.args else exc)) from None
    explicit_dir = config.getoption("--report-dir")
    report_dir = Path(explicit_dir or "reports")
    if explicit_dir:  # the default is checked when written: most pytest runs never write it
        check_report_dir(report_dir)
    worker = getattr(config, "workerinput", {})
    if "payconform_seed" in worker:  # a pytest-xdist worker: one seed for the whole run
        session_seed(worker["payconform_seed"])
    options = LaneOptions(
        lane=lane,
        run_id=worker.get("payconform_run_id") or new_run_id(),
        base_url=config.getoption("base_url", None),
        allow_production=config.getoption("--allow-production"),
        record_mode=config.getoption("record_mode", None),
        report_dir=str(report_dir),
    )
    for name in dict.fromkeys(names):
        try:  # e.g. the production guard: refused before any request, as a usage error
            check_lane(get_contract(name), options)
        except LaneRefused as exc:
            raise pytest.UsageError(str(exc)) from None
    state = RunState(options, list(dict.fromkeys(names)), report_dir, profile=profile)
    spec = config.getoption("--adapter")
    if spec:
        if lane != "simulator":
            raise pytest.UsageError("--adapter runs against the simulator; drop --lane or use "
                                    "--lane simulator")
        try:
            state.adapter = load_factory(spec)
        except AdapterError as exc:
            raise pytest.UsageError(str(exc)) from None
        state.extra["adapter"] = spec
    config.stash[STATE] = state
    if lane in ("live", "record"):
        _stop_on_sigterm_like_ctrl_c(config)
    if not worker:  # a worker's terminal is not shown; its controller reports the run
        progress.set_sink(_terminal_sink(config))


def _terminal_sink(config: pytest.Config) -> Callable[[str], None]:
    """Progress lines on pytest's terminal, shown live even while output is captured."""
    def emit(line: str) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if reporter is None:
            print(line, file=sys.stderr, flush=True)
            return
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            reporter.write_line(line)
    return emit


_SIGTERM = pytest.StashKey[Any]()


def _stop_on_sigterm_like_ctrl_c(config: pytest.Config) -> None:
    """SIGTERM (how CI stops a job) ends a run that reaches vendors as Ctrl-C does: the
    current case is interrupted, this run's links are cancelled, and the report and the
    history are written. A second SIGTERM acts as before (the process ends)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)
        print("\npayconform: SIGTERM: stopping as for Ctrl-C (cleanup, report, history)",
              file=sys.stderr)
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, interrupt)
    config.stash[_SIGTERM] = previous


def pytest_unconfigure(config: pytest.Config) -> None:
    progress.set_sink(None)
    if _SIGTERM in config.stash and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, config.stash[_SIGTERM] or signal.SIG_DFL)


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[STATE]
    return [
        f"payconform: lane={state.options.lane} run={state.options.run_id} "
        f"providers={','.join(state.providers)} hypothesis-profile={state.profile} "
        f"seed={session_seed(config.getoption('hypothesis_seed', None))}"
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("rule")
    if marker is None or "conformance" not in metafunc.fixturenames:
        return
    if len(marker.args) != 1:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: use @pytest.mark.rule('<rule id>')")
    rule_id = marker.args[0]
    state = metafunc.config.stash[STATE]
    params = []
    for provider in state.providers:
        contract = get_contract(provider)
        try:
            if rule_id in ADAPTER_RULES:
                cases = adapter_cases(contract, rule_id) if state.adapter is not None else []
            else:
                cases = cases_for(contract, [rule_id])
        except Exception as exc:  # payconform's own defect: ERROR when the test runs, not exit 2
            params.append(pytest.param((provider, _Unbuilt(rule_id, exc)),
                                       id=f"{provider}:could-not-build-cases"))
            continue
        for case in cases:
            params.append(pytest.param((provider, case), id=f"{provider}:{case.case_id}"))
    if rule_id in ADAPTER_RULES and state.adapter is None:
        return
    if not params:
        from payconform.rules.catalog import RULES

        if rule_id not in RULES and rule_id not in ADAPTER_RULES:
            raise pytest.UsageError(f"unknown rule id {rule_id!r}; known: {', '.join(RULES)}")
    metafunc.parametrize("conformance", params, indirect=True)


class CaseRunner:
    """What the ``conformance`` fixture gives a suite test: one provider x case, ready to run."""

    def __init__(self, state: RunState, contract: Contract, case: Case) -> None:
        self.state = state
        self.contract = contract
        self.case = case
        self.result: CaseResult | None = None

    def run(self) -> CaseResult:
        """Run the case on the lane and record the result for the report."""
        if self.case.rule_id in ADAPTER_RULES:
            result = self.state.harness(self.contract).run(self.case)
            self.state.results.append(result)
            return result
        try:
            session = self.state.session(self.contract)
        except LaneUnavailable as exc:
            result = CaseResult(self.contract.provider, self.case.rule_id, self.case.case_id,
                                self.case.title, Verdict.SKIPPED, "unverified", "", str(exc),
                                origin=self.state.options.lane)
        else:
            result = session.run(self.case)
        self.result = result
        self.state.results.append(result)
        return result

    def check(self) -> CaseResult:
        """Run the case and turn its verdict into a pytest outcome (FAIL fails the test)."""
        result = self.run()
        head = f"{result.provider} {result.rule_id} [{result.case_id}]"
        if result.verdict is Verdict.FAIL:
            pytest.fail(f"{head}: FAIL\n{result.message}", pytrace=False)
        if result.verdict is Verdict.ERROR:
            pytest.fail(f"{head}: ERROR\n{result.message}\n{result.traceback}", pytrace=False)
        if result.verdict is Verdict.SKIPPED:
            pytest.skip(f"{head}: {result.message}")
        if result.verdict is Verdict.INCONCLUSIVE:
            pytest.skip(f"INCONCLUSIVE {head}: {result.message}")
        if result.verdict is Verdict.WARN:
            warnings.warn(ConformanceWarning(f"{head}: WARN\n{result.message}"), stacklevel=2)
        return result


@pytest.fixture
def conformance(request: pytest.FixtureRequest) -> CaseRunner:
    """One provider x rule case on the selected lane; call ``.check()`` in the test."""
    provider, case = request.param
    if isinstance(case, _Unbuilt):
        raise case.error
    state = request.config.stash[STATE]
    request.node.user_properties.extend(
        [("provider", provider), ("rule", case.rule_id), ("case", case.case_id),
         ("lane", state.options.lane)]
    )
    if case.rule_id in ADAPTER_RULES:
        request.node.user_properties.extend(
            [("adapter", state.extra.get("adapter", "")), ("scenario", case.case_id)])
    return CaseRunner(state, get_contract(provider), case)


def _is_search(item: pytest.Item) -> bool:
    """A payconform test that searches (properties, schemathesis) rather than runs one case."""
    callspec = getattr(item, "callspec", None)
    return (item.get_closest_marker("rule") is not None
            and not (callspec is not None and "conformance" in callspec.params))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The rule catalog runs first, property searches after it (the budget goes to the cases
    first). Adapter tests run only with --adapter; without it they are deselected, not
    skipped; an adapter rule with no scenario for the selected providers (e.g. token renewal
    where no contract has bearer tokens) is deselected too.
    """
    items.sort(key=_is_search)  # stable: the order within each group is kept
    with_adapter = config.stash[STATE].adapter is not None
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("rule")
        adapter_rule = marker is not None and bool(marker.args) and marker.args[0] in ADAPTER_RULES
        callspec = getattr(item, "callspec", None)
        has_case = callspec is not None and isinstance(callspec.params.get("conformance"), tuple)
        (drop if adapter_rule and not (with_adapter and has_case) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    """On the lanes that reach a vendor, plan each provider's calls before the first request:
    one line per provider; a budget that cannot cover the selected rule cases stops the run
    (exit 4) before anything is sent."""
    state = session.config.stash.get(STATE, None)
    if state is None or state.options.lane not in REMOTE_LANES or session.config.option.collectonly:
        return
    from payconform.lanes.plan import plan_calls

    cases: dict[str, list[Case]] = {}
    searches: set[str] = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params) if callspec is not None else {}
        if isinstance(params.get("conformance"), tuple):
            provider, case = params["conformance"]
            if isinstance(case, Case):
                cases.setdefault(provider, []).append(case)
        elif _is_search(item) and "provider" in params:
            searches.add(str(params["provider"]))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    unplanned: set[str] = set()
    for provider in state.providers:
        if provider not in cases and provider not in searches:
            continue
        try:
            plan = plan_calls(get_contract(provider), state.options, cases.get(provider, []),
                              search=provider in searches and state.options.lane == "live")
        except (LaneUnavailable, LaneRefused):
            continue  # reported by the cases themselves (SKIPPED with what to set)
        except Exception as exc:  # payconform's own defect: ERROR (exit 7), not pytest's exit 3
            state.results.append(error_result(
                provider, PLAN_RULE, "plan", "The run's calls are planned before the first request",
                exc, origin=state.options.lane, redactor=state.redactor(provider),
                context="(while planning the run's calls, before any request)"))
            unplanned.add(provider)
            line = (f"payconform: {provider}: planning the calls crashed (payconform's own "
                    f"error, ERROR in the report): none of its cases is run")
            if reporter is not None:
                reporter.write_line(line, red=True)
            else:
                print(line, file=sys.stderr)
            continue
        if not plan.fits:
            pytest.exit(plan.line(), returncode=pytest.ExitCode.USAGE_ERROR)
        state.extra.setdefault("plan", {})[provider] = plan.to_json()
        if reporter is not None:
            reporter.write_line(f"payconform: {plan.line()}")
    if unplanned:  # nothing unplanned reaches a vendor
        drop = [item for item in session.items if (_identity(item) or ("",))[0] in unplanned]
        session.config.hook.pytest_deselected(items=drop)
        session.items[:] = [item for item in session.items if item not in drop]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Which test runs now: an interrupt leaves it set (the exception skips the reset)."""
    state = item.config.stash.get(STATE, None)
    if state is not None:
        state.running = item
        state.started += 1
    result = yield
    if state is not None:
        state.running = None
    return result


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """Remember why the session stops (Ctrl-C, SIGTERM, pytest's own reason)."""
    value = excinfo.value
    if isinstance(value, pytest.Session.Interrupted):
        reason = str(value) or "pytest stopped the session"
    elif isinstance(value, KeyboardInterrupt):
        reason = "SIGTERM" if str(value) == "SIGTERM" else "SIGINT (Ctrl-C)"
    else:  # pytest.exit(): its message
        reason = f"pytest.exit: {getattr(value, 'msg', value)}"
    _INTERRUPT[:] = [reason]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    state = item.config.stash.get(STATE, None)
    if state is not None:
        item.stash[_RESULTS_AT] = len(state.results)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Every outcome lands in the report: a payconform test that failed without a FAIL or
    ERROR row of its own (it crashed) gets an ERROR row with the traceback; one skipped
    before it wrote a row gets a SKIPPED row with the reason."""
    report = yield
    state = item.config.stash.get(STATE, None)
    if state is None or not (report.failed or report.skipped):
        return report
    identity = _identity(item)
    if identity is None:
        state.foreign_failures += report.failed
        return report
    provider, rule_id, case_id = identity
    mine = [r for r in state.results[item.stash.get(_RESULTS_AT, len(state.results)):]
            if r.provider == provider]
    title = _title(item)
    if report.skipped:
        if not mine and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            state.results.append(CaseResult(provider, rule_id, case_id, title, Verdict.SKIPPED,
                                            "unverified", "", reason, origin=state.options.lane))
        return report
    if any(r.verdict in (Verdict.FAIL, Verdict.ERROR) for r in mine):
        return report
    exc = call.excinfo.value if call.excinfo is not None else RuntimeError(str(report.longrepr))
    state.results.append(error_result(
        provider, rule_id, case_id, title, exc, origin=state.options.lane,
        redactor=state.redactor(provider), context=f"(in the {call.when} of {item.nodeid})"))
    return report


def _title(item: pytest.Item) -> str:
    """A test's report title: its docstring's first line, else its name."""
    doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else item.name


def _note_interruption(session: pytest.Session, state: RunState, reason: str) -> None:
    """An interrupted run says so: the test that was running gets an INCONCLUSIVE row (it
    was not judged), and ``run.interrupted`` holds the reason and the tests not run."""
    item = state.running
    identity = _identity(item) if item is not None else None
    if item is not None and identity is not None:
        provider, rule_id, case_id = identity
        since = item.stash.get(_RESULTS_AT, len(state.results))
        if not any(r.provider == provider for r in state.results[since:]):
            state.results.append(CaseResult(
                provider, rule_id, case_id, _title(item), Verdict.INCONCLUSIVE, "unverified", "",
                f"interrupted ({reason}) while this case ran: not judged",
                origin=state.options.lane))
    total = len(session.items) or session.testscollected
    state.extra["interrupted"] = {
        "reason": reason,
        "not_run": max(0, total - state.started) if total else None,
        "running": item.nodeid if item is not None else None,
    }


def _is_worker(config: pytest.Config) -> bool:
    """Whether this process is a pytest-xdist worker (its controller writes the report)."""
    return hasattr(config, "workerinput")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker runs under the controller's run id and seed."""
    state = node.config.stash.get(STATE, None)
    if state is not None:
        node.workerinput["payconform_run_id"] = state.options.run_id
        node.workerinput["payconform_seed"] = session_seed(
            node.config.getoption("hypothesis_seed", None))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: collect a worker's results, run details and monitoring data."""
    state = node.config.stash.get(STATE, None)
    sent = getattr(node, "workeroutput", {}).get("payconform")
    if state is None or not sent:
        return
    data = json.loads(sent)
    state.results.extend(CaseResult.from_json(r) for r in data["results"])
    for key, value in data["extra"].items():
        if isinstance(value, list):
            state.extra.setdefault(key, []).extend(value)
        else:
            state.extra.setdefault(key, value)
    state.monitoring.extend(data["monitoring"])


def _finish_sessions(state: RunState) -> None:
    """Close every lane session (cleanup first) and keep what the lanes monitored."""
    for lane_session in state.sessions.values():
        if isinstance(lane_session, LaneSession):
            confirm = lane_session.extra.get("confirm")  # persistent 5xx vs outage
            if callable(confirm):
                provider = lane_session.contract.provider
                try:
                    confirm(state.results, interrupted=bool(state.extra.get("interrupted")))
                except Exception as exc:  # payconform's own: ERROR; cleanup and report go on
                    state.results.append(error_result(
                        provider, CONFIRM_RULE, "re-check",
                        "Cases that ended on a 5xx are re-checked at the end of the run", exc,
                        origin=state.options.lane, redactor=state.redactor(provider),
                        context="(while re-checking the run's 5xx at its end: the cases it had "
                                "not judged yet stay INCONCLUSIVE)"))
            finish = lane_session.extra.get("finish")  # e.g. cancel the live links we created
            if callable(finish):
                finish()
            monitoring = lane_session.extra.get("monitoring")  # e.g. live API calls, history
            if callable(monitoring):
                state.monitoring.append(monitoring())
            lane_session.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(STATE, None)
    if state is None:
        return
    reason = _INTERRUPT.pop() if _INTERRUPT else ""
    if exitstatus == EXIT_INTERRUPTED:  # pytest's own status: the report must say the same
        _note_interruption(session, state, reason or "pytest stopped the session")
    for harness in state.harnesses.values():
        harness.stop()
    _finish_sessions(state)
    if _is_worker(config):  # the controller merges every worker's part into one report
        config.workeroutput["payconform"] = json.dumps({  # type: ignore[attr-defined]
            "results": [r.to_json() for r in state.results], "extra": state.extra,
            "monitoring": state.monitoring})
        return
    if not state.results:
        return
    if state.monitoring:
        record_monitoring(state.monitoring, state.results, state.extra)
    verdicts = {r.verdict for r in state.results}
    # A scheduled sandbox run whose secrets went missing skips everything, and so does a
    # replay with no cassettes: that must not look green, because nothing was checked.
    if state.options.lane in ("live", "record", "replay") and verdicts == {Verdict.SKIPPED}:
        state.extra["nothing_checked"] = True
    # Which facts of each contract no independent evidence guards: a verdict on one of them
    # rests only on the contract's citation, and the report says so.
    from payconform.audit.guards import guard_rows, unguarded

    judged = sorted({r.provider for r in state.results} & set(state.providers))
    state.extra["unguarded"] = {p: [f.id for f in unguarded(p)] for p in judged}
    # A guard that could not run (an SDK not installed) is named with its reason.
    unjudged = {p: sorted({u for row in guard_rows(p) if not row.guarded for u in row.unjudged})
                for p in judged}
    if any(unjudged.values()):
        state.extra["unjudged"] = {p: u for p, u in unjudged.items() if u}
    # The report and the exit status say the same thing: every failed payconform test has a
    # FAIL or ERROR row, so the verdicts decide; pytest's own status stands where it decides
    # (tests that are not payconform's failed, interrupted, internal error), and the report
    # stores it. pytest's 5 (no tests) with rows: every test was deselected after a crash of
    # the plan.
    ran_to_its_end = (EXIT_OK, EXIT_FAIL, pytest.ExitCode.NO_TESTS_COLLECTED)
    decided = exitstatus in ran_to_its_end and not state.foreign_failures
    if state.foreign_failures:
        state.extra["foreign_failures"] = state.foreign_failures
    report = RunReport(
        run_id=state.options.run_id,
        lane=state.options.lane,
        providers=sorted({r.provider for r in state.results}),
        results=state.results,
        seed=str(session_seed(config.getoption("hypothesis_seed", None))),
        hypothesis_profile=state.profile,
        base_url=state.options.base_url,
        api_versions={p: get_contract(p).default_api_version for p in state.providers},
        extra=state.extra,
        exit_code=None if decided else int(exitstatus),
        started_at=state.started_at,
    )
    try:
        state.report_path = write_report(report, state.report_dir)
        # In GitHub Actions: the matrix and the failures on the job's summary page.
        write_step_summary(load_report(state.report_path / "conformance.json"))
    except OSError as exc:
        state.report_error = (f"payconform: cannot write the report to {state.report_dir}: "
                              f"{exc.strerror or exc}")
        session.exitstatus = EXIT_USAGE
        return
    session.exitstatus = report.exit_status()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None and state.report_error:
        terminalreporter.write_line(state.report_error, red=True)
    if state is None or not state.results or _is_worker(config):
        return
    cells = matrix(state.results)
    providers = list(cells)
    rules = list(dict.fromkeys(r.rule_id for r in state.results))
    width = max(len(r) for r in rules) + 2
    col = max(12, *(len(p) + 2 for p in providers))
    terminalreporter.section("payconform conformance matrix")
    terminalreporter.write_line("rule".ljust(width) + "".join(p.ljust(col) for p in providers))
    for rule_id in rules:
        row = "".join(cells[p].get(rule_id, Verdict.SKIPPED).value.ljust(col)
                      if rule_id in cells[p] else "n/a".ljust(col) for p in providers)
        terminalreporter.write_line(rule_id.ljust(width) + row)
    if state.extra.get("nothing_checked"):
        # The reasons themselves, not a pointer to -rs: this is the line a CI log shows.
        reasons = Counter(r.message.splitlines()[0] if r.message else "(no reason given)"
                          for r in state.results)
        terminalreporter.write_line("nothing was checked: every case was skipped; exit status 6. "
                                    "Reasons:")
        for reason, count in reasons.most_common(8):
            terminalreporter.write_line(f"  {count} x {reason}")
    errors = [r for r in state.results if r.verdict is Verdict.ERROR]
    if errors:
        terminalreporter.write_line(f"{ERROR_MEANING}: {len(errors)} case(s); exit status "
                                    f"{EXIT_ERROR} unless a case FAILed")
        for result in errors:
            terminalreporter.write_line(f"  {result.provider} {result.rule_id} [{result.case_id}]: "
                                        f"{result.message.splitlines()[0]}")
    if state.extra.get("interrupted"):  # the matrix above is incomplete: say so last
        terminalreporter.write_line(f"payconform: {interrupted_line(state.extra)}", red=True)
    if state.report_path is not None:
        terminalreporter.write_line(f"report: {state.report_path / 'conformance.json'}")
