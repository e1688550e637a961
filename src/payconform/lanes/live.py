"""The live lane: a provider's sandbox (or any ``--base-url``) over real HTTP, safely.

:func:`live_session` is the one way into a vendor: the record lane reuses it. It promises:

- **Production guard** (:mod:`payconform.lanes.guard`, run before any request).
- **Credentials** only from the env vars the contract names; missing ones make the provider
  SKIPPED (:class:`~payconform.lanes.base.LaneUnavailable` naming the variables).
- **Own links only**: links are created with the run tag; at session end (and on Ctrl-C in
  a case) every link this run created that is still cancellable is cancelled. Fixture links
  named by the user are used by the cases but never cleaned up.
- **Rate limits and faults** (:class:`LiveTransport`): a request budget and a client-side rate
  limit per provider, ``Retry-After`` and the contract's ``retry_hint_headers`` honoured, bounded
  retries with backoff for requests that are safe to repeat (reads, and writes carrying the
  provider's idempotency key, which a retry reuses). Whatever still fails is a transport
  error or a 5xx/429, which the engine reports as INCONCLUSIVE, never FAIL or PASS.
- **Monitoring**: one line per provider x rule in ``<report dir>/history.jsonl`` and the
  changes since the previous run in the report (:mod:`payconform.reporting.history`).

Settings (environment; ``_<PROVIDER>`` suffixed variants win, e.g.
``PAYCONFORM_LIVE_BUDGET_RAZORPAY_INVOICES``): see :class:`LivePolicy`.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from payconform.lanes.base import (
    LaneOptions,
    LaneRefused,
    LaneSession,
    LaneUnavailable,
    http_session,
)
from payconform.lanes.guard import (
    base_url_for,
    options_env,
    production_hosts,
    production_owner,
    refuse_production,
)
from payconform.model.contract import Contract, dotted_get
from payconform.model.outcomes import Verdict
from payconform.model.redact import strip_userinfo
from payconform.reporting.history import (
    HISTORY_FILE,
    append_history,
    changes_since,
    history_lines,
    load_history,
)
from payconform.rules.catalog import cases_for
from payconform.rules.engine import Case, CaseResult

__all__ = [
    "BudgetExhausted",
    "LivePolicy",
    "LiveSession",
    "LiveTransport",
    "ProductionRefused",
    "UnreadableResponse",
    "base_url_for",
    "live_session",
    "preflight",
    "record_monitoring",
    "run_tag",
]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class BudgetExhausted(httpx.TransportError):
    """The provider's request budget for this run is spent (the case is INCONCLUSIVE)."""


class UnreadableResponse(httpx.TransportError):
    """An answer that is not the provider's API speaking: an HTML page, a truncated JSON body."""


class ProductionRefused(httpx.TransportError):
    """A request to a production host slipped past the pre-flight check (never sent)."""


# ---- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LivePolicy:
    """Per-provider limits of a live run, from ``PAYCONFORM_LIVE_<NAME>[_<PROVIDER>]``.

    ``budget``: API calls per provider per run, retries and cleanup included (the run plans
    its calls before the first request: see :mod:`payconform.lanes.plan`);
    ``rate``: requests per second (0: unlimited); ``retries``: extra attempts per request;
    ``backoff``: first retry delay in seconds, doubled each time; ``max_wait``: the longest
    ``Retry-After`` honoured (longer means give up: INCONCLUSIVE); ``timeout``: seconds per
    request (connect, read, write); ``search_share``: the share of the budget the property
    searches may spend, after the rule catalog (0 to 1).
    """

    budget: int = 400
    rate: float = 4.0
    retries: int = 2
    backoff: float = 0.5
    max_wait: float = 30.0
    timeout: float = 15.0
    #: The share of the budget property searches may spend (their links' cleanup included).
    search_share: float = 0.25
    vendor_limits: int = 1

    @classmethod
    def from_env(cls, provider: str, env: Mapping[str, str]) -> LivePolicy:
        """The policy for ``provider``; LaneRefused names a malformed variable."""
        suffix = "_" + provider.upper().replace("-", "_")
        values: dict[str, Any] = {}
        for spec in fields(cls):
            base = f"PAYCONFORM_LIVE_{spec.name.upper()}"
            for var in (base + suffix, base):
                raw = env.get(var)
                if raw is None or raw == "":
                    continue
                kind = int if spec.type in ("int", int) else float
                try:
                    value = kind(raw)
                except ValueError:
                    value = -1
                if value < 0 or (spec.name == "search_share" and value > 1):
                    limits = "between 0 and 1" if spec.name == "search_share" else "non-negative"
                    raise LaneRefused(f"{var}={raw!r} is not a {limits} {kind.__name__}")
                values[spec.name] = value
                break
        return cls(**values)


# ---- the transport -------------------------------------------------------------------------


def _retry_hint(response: httpx.Response, extra_headers: tuple[str, ...] = ()) -> float | None:
    """Seconds the server asks us to wait (Retry-After, or the contract's own headers)."""
    waits: list[float] = []
    raw = response.headers.get("retry-after")
    if raw:
        try:
            waits.append(max(0.0, float(raw)))
        except ValueError:
            with contextlib.suppress(TypeError, ValueError):
                waits.append(max(0.0, parsedate_to_datetime(raw).timestamp() - time.time()))
    # A provider's own header (e.g. 0 within the limit, N seconds when breached).
    for name in extra_headers:
        value = response.headers.get(name)
        if value:
            with contextlib.suppress(ValueError):
                if float(value) > 0:
                    waits.append(float(value))
    return max(waits) if waits else None


def _endpoint_key(contract: Contract, method: str, path: str) -> str:
    """The operation a request calls, as its method and path template (``POST
    /links/{id}/cancel``), for per-endpoint limits and per-endpoint health."""
    ops = [contract.create.operation, contract.fetch, contract.cancel,
           *(variant.create.operation for variant in contract.variants),
           *((contract.activation.operation,) if contract.activation is not None else ()),
           *(effect.fetch for effect in contract.side_effects)]
    for op in ops:
        # Every placeholder ({id}, {version}, ...) is one path segment.
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]*", re.escape(op.path))
        if method == op.method and re.search(pattern + "/?$", path):
            return f"{op.method} {op.path}"
    return f"{method} {path}"


def _raw_path(url: httpx.URL) -> str:
    """The path as sent, still percent-encoded (an id holding ``%2F`` stays one segment)."""
    return url.raw_path.split(b"?", 1)[0].decode("ascii", "replace")


#: Answers a gateway gives before the service behind an endpoint is reached (credentials,
#: rate limit): they do not show that the endpoint's service works.
_GATEWAY_STATUSES = frozenset({401, 403, 407, 429})


@dataclass
class EndpointHealth:
    """How one endpoint (method and path template) answered this run, retries aside.

    ``served``: successful answers (2xx: the service behind it processed the call);
    ``refused``: other answers below 500 (a 400 or 422 may come from a gateway or validation
    layer while the service behind it is down), gateway refusals (401, 403, 407, 429) aside;
    ``server_errors``: 5xx answers; ``recovered``: 5xx answers that the same request, retried,
    or the same scenario, run again, got past (the endpoint fails intermittently);
    ``served_cases``: (rule id, case id) of the cases it served, oldest first, so a case can
    be run again to see whether it still serves them.
    """

    served: int = 0
    server_errors: int = 0
    recovered: int = 0
    served_cases: list[tuple[str, str]] = field(default_factory=list)
    refused: int = 0


class LiveTransport(httpx.BaseTransport):
    """Budget, rate limit, retries and response sanity around a real transport.

    Counts every request that leaves (``calls``), notes per rule the HTTP statuses and
    error codes received (``observed``) for the monitoring history, and per endpoint how it
    answered (``endpoints``), to tell a scenario's persistent 5xx from an outage.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        contract: Contract,
        policy: LivePolicy,
        *,
        allow_production: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.contract = contract
        self.policy = policy
        self.allow_production = allow_production
        self.sleep = sleep
        self.clock = clock
        self.calls = 0
        self.retries = 0
        self.cleanup_calls = 0
        self.rule_calls = 0
        #: Answers below 500 (the API working), to tell a persistent 5xx from an outage.
        self.answered = 0
        self.unbudgeted = False
        self.current_rule: str | None = None
        #: (rule id, case id) of the case being run, if any.
        self.current_case: tuple[str, str] | None = None
        #: Per endpoint ("METHOD /path/{id}"), how it answered this run.
        self.endpoints: dict[str, EndpointHealth] = {}
        self.observed: dict[str, dict[str, set[Any]]] = {}
        self.attempted_ids: list[str] = []
        #: Creates that were sent and never answered (timeout, dropped connection).
        self.lost_creates: list[httpx.Request] = []
        self._next_slot = 0.0
        self._endpoint_slots: dict[str, float] = {}
        self._lock = threading.Lock()
        self._production = production_hosts([contract])
        idem = contract.idempotency_header
        self._idempotency_header = idem.name.lower() if idem is not None else None
        self._idempotent_methods = frozenset(idem.idempotent_methods) if idem is not None else frozenset()

    # ---- policy pieces ----

    def _safe(self, request: httpx.Request) -> bool:
        """Whether repeating the request cannot apply it twice: a read, a write carrying the
        provider's idempotency header, or a create carrying its documented idempotency field."""
        if request.method in _SAFE_METHODS:
            return True
        if (self._idempotency_header is not None and self._idempotency_header in request.headers
                and (not self._idempotent_methods or request.method in self._idempotent_methods)):
            return True
        field_name = self.contract.create.idempotency_field
        if field_name is not None and self._is_create(request):
            with contextlib.suppress(ValueError, RecursionError):
                return dotted_get(json.loads(request.content or b"{}"), field_name) is not None
        return False

    def _is_create(self, request: httpx.Request) -> bool:
        spec = self.contract.create.operation
        # Path placeholders such as {version} match one segment.
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(spec.path.rstrip("/")))
        return request.method == spec.method and re.search(
            pattern + "$", request.url.path.rstrip("/")) is not None

    def _throttle(self, request: httpx.Request) -> None:
        """Wait for the run's rate (``rate``) and for every documented limit that counts this
        request (per endpoint: its method and path template; per account: every call)."""
        intervals: list[tuple[str, float]] = []
        if self.policy.rate > 0:
            intervals.append(("", 1.0 / self.policy.rate))
        for limit in self.contract.rate_limits if self.policy.vendor_limits else ():
            key = (_endpoint_key(self.contract, request.method, _raw_path(request.url))
                   if limit.scope == "endpoint" else "*")
            intervals.append((key, 60.0 / limit.requests_per_minute))
        if not intervals:
            return
        with self._lock:
            now = self.clock()
            start = max([now, *(self._next_slot if key == "" else self._endpoint_slots.get(key, 0.0)
                                for key, _ in intervals)])
            for key, interval in intervals:
                if key == "":
                    self._next_slot = start + interval
                else:
                    self._endpoint_slots[key] = start + interval
        if start > now:
            self.sleep(start - now)

    def _backoff(self, attempt: int) -> float:
        return float(min(self.policy.max_wait, self.policy.backoff * 2 ** (attempt - 1)))

    def _retry_wait(self, request: httpx.Request, response: httpx.Response, attempt: int
                    ) -> float | None:
        """Seconds to wait before a retry, or None when the answer stands."""
        status = response.status_code
        hint = _retry_hint(response, self.contract.retry_hint_headers)
        if status == 429:
            # Not processed, so any request may be repeated, but only when the server says
            # when (Commet: "Do not automatically retry a 429 response that omits Retry-After").
            return hint if hint is not None and hint <= self.policy.max_wait else None
        if status in (500, 502, 503, 504) and self._safe(request):
            wait = hint if hint is not None else self._backoff(attempt)
            return wait if wait <= self.policy.max_wait else None
        return None

    def _unreadable(self, response: httpx.Response) -> str | None:
        ctype = response.headers.get("content-type", "").lower()
        status = response.status_code
        if "text/html" in ctype:
            return f"HTTP {status} answered an HTML page, not the provider's API (a proxy error page?)"
        if not response.content:
            return None
        if "json" in ctype or 200 <= status < 300:
            try:
                json.loads(response.content)
            except ValueError:
                return (f"HTTP {status} answered a body that is not valid JSON "
                        f"({len(response.content)} bytes; truncated?)")
        return None

    def _note(self, response: httpx.Response) -> None:
        if self.current_rule is None:
            return
        seen = self.observed.setdefault(self.current_rule,
                                        {"http_statuses": set(), "error_codes": set()})
        seen["http_statuses"].add(response.status_code)
        if response.status_code >= 300:
            try:
                body = json.loads(response.content)
            except ValueError:
                return
            error = dotted_get(body, self.contract.error.path) if isinstance(body, dict) else None
            code = error.get(self.contract.error.code_field) if isinstance(error, dict) else None
            if isinstance(code, str | int):
                seen["error_codes"].add(str(code))

    # ---- the request loop ----

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` within budget and rate, retrying what is safe to retry."""
        host = (request.url.host or "").lower().rstrip(".")
        owner = production_owner(host, self._production)
        if owner is not None and not self.allow_production:
            raise ProductionRefused(f"refusing {host}, a production host of {owner} "
                                    "(--allow-production allows it)", request=request)
        attempt = 0
        server_error = False  # an attempt of this request answered 5xx
        while True:
            if not self.unbudgeted and self.calls >= self.policy.budget:
                raise BudgetExhausted(
                    f"the request budget of {self.policy.budget} API calls for "
                    f"{self.contract.provider} is spent; raise PAYCONFORM_LIVE_BUDGET to go on",
                    request=request)
            self._throttle(request)
            self.calls += 1
            self.cleanup_calls += self.unbudgeted
            self.rule_calls += self.current_rule is not None
            if attempt == 0:
                self._note_attempt(request)
            try:
                response = self.inner.handle_request(request)
                response.read()
            except httpx.TransportError as exc:
                if attempt < self.policy.retries and (isinstance(exc, _NOT_SENT) or self._safe(request)):
                    attempt += 1
                    self.retries += 1
                    self.sleep(self._backoff(attempt))
                    continue
                if self._is_create(request) and not isinstance(exc, _NOT_SENT):
                    self.lost_creates.append(request)  # it may have landed: cleanup looks
                raise
            wait = self._retry_wait(request, response, attempt + 1)
            problem = self._unreadable(response)
            if wait is None and problem and response.status_code < 500 and self._safe(request):
                wait = self._backoff(attempt + 1)
            if wait is not None and attempt < self.policy.retries:
                server_error = server_error or response.status_code >= 500
                response.close()
                attempt += 1
                self.retries += 1
                self.sleep(wait)
                continue
            self._note(response)
            if problem and response.status_code < 500:
                raise UnreadableResponse(problem, request=request)
            self.answered += response.status_code < 500
            self._note_health(request, response.status_code, recovered=server_error)
            return response

    def _note_health(self, request: httpx.Request, status: int, *, recovered: bool) -> None:
        """Count a final answer against its endpoint (see :class:`EndpointHealth`)."""
        key = _endpoint_key(self.contract, request.method, _raw_path(request.url))
        with self._lock:
            health = self.endpoints.setdefault(key, EndpointHealth())
            # A retry that a gateway refused did not get past the 5xx: the service was not reached.
            health.recovered += int(recovered and status < 500 and status not in _GATEWAY_STATUSES)
            if status >= 500:
                health.server_errors += 1
            elif 200 <= status < 300:
                health.served += 1
                case = self.current_case
                if case is not None and case not in health.served_cases:
                    health.served_cases.append(case)
            elif status not in _GATEWAY_STATUSES:
                health.refused += 1

    def _note_attempt(self, request: httpx.Request) -> None:
        """Remember a client-chosen link id before the create is sent (cleanup finds it even
        when the answer is lost)."""
        spec = self.contract.create
        if spec.id_from is None or request.method != spec.operation.method or not any(
                request.url.path.endswith(spec.operation.url_path(version=v.name))
                for v in self.contract.api_versions):
            return
        try:
            link_id = dotted_get(json.loads(request.content or b"{}"), spec.id_from)
        except ValueError:
            return
        if isinstance(link_id, str) and link_id not in self.attempted_ids:
            self.attempted_ids.append(link_id)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


def preflight(contract: Contract, options: LaneOptions) -> None:
    """Refuse a run that could touch production, or whose live settings are invalid, before any request."""
    refuse_production(contract, options)
    LivePolicy.from_env(contract.provider, options_env(options))


def _judged_endpoint(contract: Contract, result: CaseResult) -> str | None:
    """The endpoint ("METHOD /path/{id}") of the call whose 5xx ended ``result``: its last
    exchange of that operation with that status (the engine stops the case right after it)."""
    operation, _, status = result.server_error.rpartition(" HTTP ")
    for exchange in reversed(result.exchanges):
        request, response = exchange.get("request") or {}, exchange.get("response") or {}
        if (exchange.get("operation") == operation and str(response.get("status")) == status
                and request.get("method") and request.get("url")):
            return _endpoint_key(contract, str(request["method"]),
                                 _raw_path(httpx.URL(str(request["url"]))))
    return None


#: Cases the end-of-run check runs, at most, to find one an endpoint still serves.
_CONTROL_TRIES = 3

#: Verdicts of a case that ran to its end: every call it sent was answered below 500, not 429.
_JUDGED = frozenset({Verdict.PASS, Verdict.FAIL, Verdict.WARN, Verdict.OBSERVED})


def _recheck(result: CaseResult, again: CaseResult) -> str:
    """What the re-run ``again`` shows about the 5xx that ended ``result``: "same" (the same
    5xx again), "recovered" (it reached the judged call, the n-th call of that operation, and
    that call got an answer below 500, not a 429), else why it could not check it."""
    if again.server_error == result.server_error:
        return "same"
    if again.verdict in _JUDGED:
        return "recovered"
    operation, _, status = result.server_error.rpartition(" HTTP ")
    calls = [e for e in result.exchanges if e.get("operation") == operation]
    judged = max((i for i, e in enumerate(calls)
                  if str((e.get("response") or {}).get("status")) == status), default=None)
    reached = [e for e in again.exchanges if e.get("operation") == operation]
    if judged is not None and len(reached) > judged:
        answer = (reached[judged].get("response") or {}).get("status")
        if isinstance(answer, int) and answer < 500 and answer != 429:
            return "recovered"
        if isinstance(answer, int) and answer >= 500:
            return f"its {operation} answered HTTP {answer} this time (another 5xx)"
        why = f"its {operation} answered HTTP {answer}"
    else:
        why = (f"it ended on {again.server_error} before reaching its {operation}"
               if again.server_error else f"it did not reach its {operation}")
    return why


# ---- the session ---------------------------------------------------------------------------


def run_tag(run_id: str) -> str:
    """The tag every link created by run ``run_id`` carries."""
    return f"payconform-{run_id}"


@dataclass
class LiveSession(LaneSession):
    """A lane session on a real base URL, with cleanup and monitoring at the end."""

    wire: LiveTransport | None = None
    base_url: str = ""
    run_id: str = ""
    lane: str = "live"
    report_dir: str | None = None
    cleanup_summary: dict[str, Any] = field(default_factory=dict)
    _cleaned: set[str] = field(default_factory=set)

    def run(self, case: Case) -> CaseResult:
        """Run one case; on Ctrl-C clean up first, then let the interrupt through."""
        assert self.wire is not None
        self.wire.current_rule = case.rule_id
        self.wire.current_case = (case.rule_id, case.case_id)
        try:
            return super().run(case)
        except KeyboardInterrupt:
            print(f"\npayconform: interrupted; cancelling the links this run created at "
                  f"{self.contract.provider} (Ctrl-C again to abandon them)", file=sys.stderr)
            self.cleanup()
            raise
        finally:
            self.wire.current_rule = self.wire.current_case = None

    def confirm_server_errors(self, results: list[CaseResult], *, interrupted: bool = False
                              ) -> None:
        """Re-run each of this provider's cases that ended on a 5xx of the call it judges. A
        5xx again is a persistent provider defect, judged at the level of the case's fact, only
        when it is specific to the scenario: the re-run's other calls are answered, the same
        endpoint served another scenario (2xx) just before and just after the re-runs and never
        got past a 5xx this run. Otherwise it is an outage (of the API or of that endpoint), an
        intermittent one, or a re-run that could not check it, and the case stays INCONCLUSIVE
        (see README, "Persistent server errors"). An interrupted run sends nothing more."""
        suspects = [r for r in results if r.provider == self.contract.provider
                    and r.server_error and r.verdict is Verdict.INCONCLUSIVE]
        if interrupted:
            for result in suspects:
                result.observations.append("not re-checked: the run was interrupted")
            return
        suspect_keys = {(r.rule_id, r.case_id) for r in suspects}
        by_endpoint: dict[str | None, list[CaseResult]] = {}
        for result in suspects:
            by_endpoint.setdefault(_judged_endpoint(self.contract, result), []).append(result)
        for endpoint, group in by_endpoint.items():
            if endpoint is None:
                for result in group:
                    result.observations.append(
                        "not re-run: the call it judges is not known: cannot tell a defect of "
                        "this scenario from an outage")
                continue
            self._confirm_endpoint(endpoint, group, suspect_keys)

    def _confirm_endpoint(self, endpoint: str, group: list[CaseResult],
                          suspect_keys: set[tuple[str, str]]) -> None:
        """The end-of-run check of the cases whose judged call, at ``endpoint``, answered 5xx:
        a control case that endpoint served, run before the re-runs and after them, brackets
        them (an outage that begins or ends in between leaves them INCONCLUSIVE)."""
        level = {"documented": Verdict.FAIL, "observed": Verdict.FAIL, "inferred": Verdict.WARN}
        assert self.wire is not None
        wire = self.wire
        health = wire.endpoints.setdefault(endpoint, EndpointHealth())
        down: str | None = None
        control: Case | None = None
        if health.served == 0:
            down = (f"every {endpoint} of this run answered 5xx" if not health.refused else
                    f"no {endpoint} of this run succeeded (its {health.refused} answer(s) below "
                    "500 were refusals, which a gateway or validation layer can give while the "
                    "service behind it is down)") + ": looks like an outage of that endpoint"
        else:
            control, down = self._control(endpoint, health, suspect_keys)
        if down is not None or control is None:
            # Re-running could not make a finding: send nothing more to that endpoint.
            for result in group:
                result.observations.append(f"not re-run at the end of the run: {down}")
            return
        reruns: list[tuple[CaseResult, CaseResult, bool, str]] = []
        for result in group:
            case = self._case(result.rule_id, result.case_id)
            if case is None:
                result.observations.append(
                    "not re-run at the end of the run: the case is no longer in the catalog")
                continue
            answered = wire.answered
            again = self.run(case)
            if again.server_error and wire.answered == answered and self.links.created:
                # The re-run sent nothing else: probe the API with a read of one of our links.
                with contextlib.suppress(httpx.HTTPError):
                    self.client.fetch(self.links.created[-1])
            outcome = _recheck(result, again)
            health.recovered += outcome == "recovered"
            reruns.append((result, again, wire.answered > answered, outcome))
        # Only a case that could still be a finding needs the control after its re-run.
        pending = any(outcome == "same" and api_up for _, _, api_up, outcome in reruns)
        after = self._serves(endpoint, control) if pending and not health.recovered else None
        for result, again, api_up, outcome in reruns:
            said = f"re-run at the end of the run: {again.verdict.value} ({again.message[:200]})"
            if outcome == "recovered":
                result.observations.append(f"{said}; the 5xx did not persist")
                continue
            if outcome != "same":
                result.observations.append(
                    f"{said}: could not be checked again, {outcome}: cannot tell a defect of "
                    "this scenario from an outage")
                continue
            if not api_up:
                result.observations.append(
                    f"re-run at the end of the run: {again.server_error} again, and no other call "
                    "of the re-run was answered: looks like an outage")
                continue
            if health.recovered:
                result.observations.append(
                    f"re-run at the end of the run: {again.server_error} again, but {endpoint} "
                    f"answered 5xx intermittently this run ({health.recovered} time(s) a retry or "
                    "a re-run got past one): twice in a row may be chance, not a defect of this "
                    "scenario")
                continue
            if after is not None:
                result.observations.append(
                    f"re-run at the end of the run: {again.server_error} again, but after the "
                    f"re-runs {after}: it may have gone down during them")
                continue
            name = f"{control.rule_id} [{control.case_id}]"
            result.verdict = level.get(result.evidence, Verdict.OBSERVED)
            result.message = (
                f"persistent 5xx: {result.server_error} after every retry, and again when "
                "the case was re-run at the end of the run, while the provider answered the "
                f"re-run's other calls and {endpoint} answered other scenarios normally ({name} "
                "succeeded just before and just after the re-runs): a provider defect in this "
                f"scenario, not an outage.\n{result.message}")
            result.exchanges = again.exchanges or result.exchanges

    def _case(self, rule_id: str, case_id: str) -> Case | None:
        return next((c for c in cases_for(self.contract, [rule_id]) if c.case_id == case_id), None)

    def _control(self, endpoint: str, health: EndpointHealth,
                 suspect_keys: set[tuple[str, str]]) -> tuple[Case | None, str | None]:
        """A case ``endpoint`` served earlier (2xx) that it serves again now, and None; else
        why none does. Cases that make their own link come first, the latest first (one that
        used a fixture link may have changed it); at most :data:`_CONTROL_TRIES` are run, and
        the first 5xx stops the search (the endpoint looks down)."""
        keys = [key for key in reversed(health.served_cases) if key not in suspect_keys]
        cases = [c for key in keys if (c := self._case(*key)) is not None]
        cases.sort(key=lambda c: self.contract.fixture_env(str(c.params.get("status"))) is not None)
        if not cases:
            return None, (f"{endpoint} succeeded for no other scenario of this run that can be "
                          "run again: cannot tell a defect of this scenario from an outage of "
                          "that endpoint")
        assert self.wire is not None
        down: str | None = None
        for control in cases[:_CONTROL_TRIES]:
            errors = health.server_errors
            down = self._serves(endpoint, control)
            if down is None:
                return control, None
            if health.server_errors > errors:
                break
        return None, down

    def _serves(self, endpoint: str, control: Case) -> str | None:
        """None when ``endpoint`` serves ``control`` (a case it served earlier in the run, run
        again: a 2xx of that endpoint); else why it does not look served now."""
        assert self.wire is not None
        health = self.wire.endpoints.setdefault(endpoint, EndpointHealth())
        served, errors = health.served, health.server_errors
        # Its verdict stands; only whether the endpoint serves it now counts.
        again = self.run(control)
        if health.served > served:
            return None
        name = f"{control.rule_id} [{control.case_id}]"
        if health.server_errors > errors:
            return (f"{endpoint} served {name} earlier in the run but answered 5xx when that case "
                    "was run again now: looks like an outage of that endpoint")
        return (f"{endpoint} could not be checked again ({name} run again: "
                f"{again.verdict.value}, {again.message[:200]}): cannot tell a defect of this "
                "scenario from an outage of that endpoint")

    def search_allowance(self) -> tuple[Callable[[], int], int, str]:
        """(calls so far, calls a property search may spend, why): the search's share of the
        budget, less what the rule catalog's cleanup still needs (a fetch and a cancel per
        link it created); the search reserves its own links' cleanup inside its share."""
        assert self.wire is not None
        wire, policy = self.wire, self.wire.policy
        share = int(policy.budget * policy.search_share)
        left = policy.budget - wire.calls - 2 * len(self.links.created)
        planned = self.extra.get("planned_search")
        allowed = max(0, min(share, left, planned if isinstance(planned, int) else share))
        note = (f"the property search may spend {allowed} of the {policy.budget} API calls of "
                f"{self.contract.provider} ({policy.search_share:.0%} of the budget, after the "
                "rule catalog and its cleanup)")
        return (lambda: wire.calls), allowed, note

    def cleanup(self) -> dict[str, Any]:
        """Cancel every link this run created that is still cancellable; returns a summary
        whose ``not_cleaned`` names every link (or lost create) it could not clean."""
        assert self.wire is not None
        contract = self.contract
        wire = self.wire
        wire.unbudgeted, wire.current_rule = True, None
        summary = self.cleanup_summary or {"created": 0, "cancelled": [], "final": 0,
                                           "not_ours": [], "errors": [], "not_cleaned": []}
        summary.setdefault("not_cleaned", [])
        recovered = self._recover_lost_creates(summary)
        lost_ids = self._lost_client_ids()
        ids = [i for i in dict.fromkeys([*self.links.created, *wire.attempted_ids, *recovered])
               if i not in self._cleaned]
        summary["created"] = len(set(self.links.created) | set(wire.attempted_ids) | set(recovered))
        open_statuses = {*contract.cancellable_statuses, contract.initial_status}
        tag = run_tag(self.run_id)
        for link_id in ids:
            try:
                fetched = self.client.fetch(link_id)
                checks = 1
                # A create whose answer was lost may land after it: look again before
                # concluding that it never took effect.
                while fetched.status == 404 and link_id in lost_ids and checks < 3:
                    wire.sleep(max(0.5, wire.policy.backoff) * checks)
                    fetched = self.client.fetch(link_id)
                    checks += 1
                if fetched.status == 404 and link_id not in self.links.created:
                    if link_id in lost_ids:
                        summary["not_cleaned"].append(
                            f"{link_id}: its create was sent but never answered and the provider "
                            f"does not know it after {checks} looks; check it by its id")
                    self._cleaned.add(link_id)  # a create whose request never took effect
                    continue
                if contract.deletes and fetched.status == 404:
                    summary["final"] += 1  # deleted: nothing left to cancel
                    self._cleaned.add(link_id)
                    continue
                entity = fetched.entity or {}
                # A link without a status field (or status fields) is open while it can be read.
                status = contract.status_of(entity) if contract.status_keys else (
                    contract.initial_status if 200 <= fetched.status < 300 else None)
                if status is None and contract.cancelled_fetch is not None and \
                        fetched.status == contract.cancelled_fetch.played.http_status:
                    summary["final"] += 1  # the cancel deleted it
                    self._cleaned.add(link_id)
                    continue
                if status is None:
                    summary["errors"].append(f"{link_id}: fetch answered HTTP {fetched.status}")
                    summary["not_cleaned"].append(f"{link_id}: fetch answered HTTP {fetched.status}")
                    continue
                tagged = dotted_get(entity, contract.create.tag_path or "") if (
                    contract.create.tag_path) else None
                if tagged is not None and tagged != tag:
                    summary["not_ours"].append(link_id)  # never touch a link of another run
                    self._cleaned.add(link_id)
                    continue
                if status not in open_statuses:
                    summary["final"] += 1
                    self._cleaned.add(link_id)
                    continue
                cancelled = self.client.cancel(link_id, pre_status=status)
                if 200 <= cancelled.status < 300:
                    summary["cancelled"].append(link_id)
                    self._cleaned.add(link_id)
                else:
                    summary["errors"].append(f"{link_id}: cancel answered HTTP {cancelled.status}")
                    summary["not_cleaned"].append(
                        f"{link_id}: cancel answered HTTP {cancelled.status}")
            except (httpx.HTTPError, ValueError) as exc:
                problem = f"{link_id}: {type(exc).__name__}: {self.redactor.text(str(exc))}"
                summary["errors"].append(problem)
                summary["not_cleaned"].append(problem)
        summary["not_cleaned"] = list(dict.fromkeys(summary["not_cleaned"]))
        if summary["not_cleaned"]:
            print(f"payconform: {contract.provider}: {len(summary['not_cleaned'])} link(s) this run "
                  "could not clean up (run.cleanup.not_cleaned in the report):", file=sys.stderr)
            for line in summary["not_cleaned"]:
                print(f"  {line}", file=sys.stderr)
        self.cleanup_summary = summary
        return summary

    def _lost_client_ids(self) -> set[str]:
        """Client-chosen ids of creates that were sent and never answered."""
        field_name = self.contract.create.id_from
        out: set[str] = set()
        for request in self.wire.lost_creates if self.wire is not None else ():
            with contextlib.suppress(ValueError, RecursionError):
                value = dotted_get(json.loads(request.content or b"{}"), field_name or "")
                if field_name and isinstance(value, str):
                    out.add(value)
        return out

    def _recover_lost_creates(self, summary: dict[str, Any]) -> list[str]:
        """Ids of links whose create answer was lost, learned by sending the same create again
        where that is safe (an idempotency key or field the provider documents: it answers
        with the first link). A lost create that cannot be repeated safely, and has no
        client-chosen id, is reported in ``not_cleaned`` with the run tag to search for."""
        assert self.wire is not None
        wire, contract = self.wire, self.contract
        found: list[str] = []
        pending, wire.lost_creates = wire.lost_creates, []
        for request in pending:
            if contract.create.id_from is not None:
                wire.lost_creates.append(request)  # its id is known: the fetch loop looks
                continue
            if not wire._safe(request):
                where = (f" ({contract.create.tag_path} = {run_tag(self.run_id)})"
                         if contract.create.tag_path else "")
                summary["not_cleaned"].append(
                    f"a create sent at {self.redactor.text(str(request.url))} was never answered and "
                    f"{contract.provider} documents no idempotency key for it: if it took effect, "
                    f"its link carries this run's tag{where}; cancel it by hand")
                continue
            try:
                response = wire.handle_request(request)
                body = json.loads(response.content or b"{}")
            except (httpx.HTTPError, ValueError) as exc:
                summary["not_cleaned"].append(
                    f"a create whose answer was lost could not be repeated to learn its link: "
                    f"{type(exc).__name__}: {self.redactor.text(str(exc))}")
                wire.lost_creates.append(request)
                continue
            entity = dotted_get(body, contract.entity.path) if isinstance(body, dict) else None
            link_id = dotted_get(entity, contract.entity.id_field) if isinstance(entity, dict) else None
            if 200 <= response.status_code < 300 and isinstance(link_id, str):
                found.append(link_id)
            else:
                summary["not_cleaned"].append(
                    f"a create whose answer was lost, repeated with the same idempotency key, "
                    f"answered HTTP {response.status_code} without a link id")
        return found

    def monitoring(self) -> dict[str, Any]:
        """What this session saw, as JSON (so a pytest-xdist worker can send it to the
        controller): API calls, cleanup, and the HTTP statuses and error codes per rule."""
        assert self.wire is not None
        return {
            "provider": self.contract.provider, "run_id": self.run_id, "lane": self.lane,
            "base_url": self.base_url, "report_dir": self.report_dir,
            "api_calls": {"total": self.wire.calls, "retries": self.wire.retries,
                          "cleanup": self.wire.cleanup_calls, "budget": self.wire.policy.budget,
                          "rules": self.wire.rule_calls,
                          "search": self.wire.calls - self.wire.rule_calls - self.wire.cleanup_calls},
            "cleanup": dict(self.cleanup_summary),
            "observed": {rule: {k: sorted(v) for k, v in seen.items()}
                         for rule, seen in self.wire.observed.items()},
        }

    def annotate(self, results: list[CaseResult], run_extra: dict[str, Any]) -> None:
        """Add this provider's API calls, cleanup and changes to the run; append the history."""
        record_monitoring([self.monitoring()], results, run_extra)


def _merge_monitoring(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """One provider's entries from several processes (pytest-xdist workers) as one."""
    merged: dict[str, Any] = {**entries[0], "api_calls": {}, "cleanup": {}, "observed": {}}
    for entry in entries:
        for key, value in entry["api_calls"].items():
            merged["api_calls"][key] = value if key == "budget" else merged["api_calls"].get(key, 0) + value
        for key, value in entry["cleanup"].items():
            before = merged["cleanup"].get(key)
            merged["cleanup"][key] = value if before is None else before + value
        for rule, seen in entry["observed"].items():
            into = merged["observed"].setdefault(rule, {})
            for key, values in seen.items():
                into[key] = sorted({*into.get(key, []), *values})
    return merged


def record_monitoring(entries: list[dict[str, Any]], results: list[CaseResult],
                      run_extra: dict[str, Any]) -> None:
    """Put the API calls, cleanup and changes since the previous run of every provider in
    ``entries`` (from :meth:`LiveSession.monitoring`, one or more per provider) into the run,
    and append one history line per provider x rule."""
    by_provider: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_provider.setdefault(entry["provider"], []).append(entry)
    for provider, mine_entries in by_provider.items():
        data = _merge_monitoring(mine_entries)
        run_extra.setdefault("api_calls", {})[provider] = data["api_calls"]
        run_extra.setdefault("cleanup", {})[provider] = data["cleanup"]
        mine = [r for r in results if r.provider == provider]
        if data["report_dir"] is None or not mine:
            continue
        lines = history_lines(data["run_id"], data["lane"], data["base_url"], mine, data["observed"],
                              run_extra.get("interrupted"))
        path = Path(data["report_dir"]) / HISTORY_FILE
        skipped: list[str] = []
        changes, previous = changes_since(load_history(path, skipped), lines)
        if skipped:
            run_extra.setdefault("history_skipped", []).extend(skipped)
            for problem in skipped:
                print(f"payconform: {problem}", file=sys.stderr)
        append_history(path, lines)
        if changes or provider in previous:  # absent: nothing to compare with yet
            run_extra.setdefault("changes", []).extend(changes)
        if provider in previous:
            run_extra.setdefault("previous_runs", {})[provider] = previous[provider]


def live_session(
    contract: Contract,
    options: LaneOptions,
    *,
    transport: httpx.BaseTransport | None = None,
    origin: str = "live",
) -> LiveSession:
    """A guarded session for ``contract`` on the base URL ``options`` select (see module doc).

    Raises LaneRefused (production, bad settings) or LaneUnavailable (missing credentials)
    before any request. ``transport`` replaces the real HTTP transport under the guard (the
    record lane passes its recorder).
    """
    preflight(contract, options)
    env = options_env(options)
    missing = [var for var in contract.auth.credentials.values() if not env.get(var)]
    if missing:
        raise LaneUnavailable(
            f"no credentials for {contract.provider}: set {', '.join(missing)} (read from the "
            "environment only) to run it on the live lane"
        )
    credentials = {name: env[var] for name, var in contract.auth.credentials.items()}
    policy = LivePolicy.from_env(contract.provider, env)
    base_url = base_url_for(contract, options)
    wire = LiveTransport(transport or httpx.HTTPTransport(), contract, policy,
                         allow_production=options.allow_production)
    base = http_session(contract, base_url, credentials, link_mode="fixtures",
                        run_tag=run_tag(options.run_id), origin=f"{origin} {strip_userinfo(base_url)}",
                        transport=wire, timeout=policy.timeout, env=env)
    session = LiveSession(
        contract=base.contract, client=base.client, links=base.links, redactor=base.redactor,
        origin=base.origin, wire=wire, base_url=base_url, run_id=options.run_id,
        lane=options.lane, report_dir=options.report_dir,
    )
    session.extra["finish"] = session.cleanup
    session.extra["annotate"] = session.annotate
    session.extra["search_allowance"] = session.search_allowance
    session.extra["confirm"] = session.confirm_server_errors
    session.extra["monitoring"] = session.monitoring
    return session
