"""A stateful provider double derived from a contract.

The simulator is one class for every provider: routes, auth, headers, statuses, bodies and
errors all come from the :class:`~payconform.model.contract.Contract`. It is transport-free
(:meth:`Simulator.handle` takes and returns plain values); :mod:`payconform.simulator.transport`
mounts it in httpx and respx, :mod:`payconform.simulator.server` serves it on a loopback socket.

Bodies come from the contract's templates (:mod:`payconform.model.templates`); links, plain
responses and the mutation hooks are in :mod:`payconform.simulator.state`.

Mutants (see :mod:`payconform.simulator.mutants`) change behaviour through :class:`Mutation` hooks.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import secrets
import threading
import time
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from payconform.model.contract import (
    Candidate,
    Contract,
    HeaderSpec,
    SideEffect,
    Variant,
    dotted_get,
    dotted_set,
)
from payconform.model.facts import success_candidate
from payconform.model.outcomes import Outcome, StatusKind
from payconform.model.redact import Redactor
from payconform.model.templates import decode_body, fill_template, random_alnum, render_id, stamp
from payconform.simulator.faults import HTML_ERROR_PAGE, parse_faults, take_fault, truncate
from payconform.simulator.state import (
    CONTROL_PREFIX,
    CRASH_HEADER,
    CancelAction,
    Link,
    Mutation,
    SimResponse,
)

__all__ = ["MAX_CRASHES", "MAX_LINKS", "MAX_REPLAYS", "MAX_TOKENS", "REQUEST_LOG_SIZE",
           "Simulator"]

#: Default bounds of a simulator's memory (``None`` for a bound means unbounded). Past a
#: bound the oldest entry goes first: the request log is a ring buffer, the oldest link and
#: the oldest idempotent answer are forgotten (a forgotten link is an unknown id).
REQUEST_LOG_SIZE = 10_000
MAX_LINKS = 10_000
MAX_REPLAYS = 10_000
MAX_TOKENS = 10_000
#: Tracebacks of the simulator's own crashes kept (the newest).
MAX_CRASHES = 100
#: Control calls that change state must say they are JSON: a web page can send text/plain
#: or form posts (and bodiless posts) to loopback without a CORS pre-flight, never JSON.
_JSON_TYPES = ("application/json",)


@dataclass
class _Pending:
    """An API request between its fault draw and its answer (a latency fault waits between)."""

    method: str
    target: str
    path: str
    headers: dict[str, str]
    body: bytes
    fault: dict[str, Any] | None

    @property
    def delay(self) -> float:
        return float(self.fault["seconds"]) if self.fault and self.fault["kind"] == "latency" else 0.0

    @property
    def hold(self) -> float | None:
        """Seconds a timeout fault holds the answer before dropping it (None: no such fault)."""
        return float(self.fault["seconds"]) if self.fault and self.fault["kind"] == "timeout" else None


def _json(body: bytes, default: Any = None) -> Any:
    """Parsed JSON, or ``default`` for a body that is not JSON or nests deeper than Python can
    recurse (a 1,000-level array is a malformed request, not a crash)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return default


_INVALID = object()

class Simulator:
    """The in-memory provider double for one contract.

    ``credentials`` are the values it accepts (default: the contract's simulator
    credentials). ``clock`` returns epoch seconds and can be replaced in tests. Memory is
    bounded: ``request_log_size`` recorded requests (a ring buffer; 0 keeps none),
    ``max_links`` links and ``max_replays`` idempotent answers, oldest forgotten first
    (``None``: unbounded). Thread-safe.
    """

    def __init__(
        self,
        contract: Contract,
        *,
        mutation: Mutation | None = None,
        credentials: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        request_log_size: int | None = REQUEST_LOG_SIZE,
        max_links: int | None = MAX_LINKS,
        max_replays: int | None = MAX_REPLAYS,
    ) -> None:
        self.contract = contract
        self.request_log_size = request_log_size
        self.max_links = max_links
        self.max_replays = max_replays
        self.mutation = mutation or Mutation()
        self.credentials = dict(credentials or contract.auth.simulator_credentials)
        self.clock = clock
        self.base_path = urlsplit(contract.base_urls["sandbox"]).path.rstrip("/")
        self._lock = threading.RLock()
        self._redactor = Redactor(self.credentials.values())
        self._routes = self._compile_routes()
        self.faults: list[dict[str, Any]] = []
        #: Tracebacks of the simulator's own exceptions while answering (newest last, the
        #: last MAX_CRASHES); a reset keeps them: a crash is a defect to report, not state.
        self.crashes: deque[str] = deque(maxlen=MAX_CRASHES)
        #: How many crashes since the simulator was made (``crashes`` may hold fewer).
        self.crash_count = 0
        self.reset()

    # ---- state -----------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every link, token, fault and recorded request."""
        with self._lock:
            self.links: dict[str, Link] = {}
            self.tokens: dict[str, float] = {}
            #: Recorded requests, oldest first (a ring buffer of ``request_log_size``).
            self.requests: deque[dict[str, Any]] = deque(maxlen=self.request_log_size)
            #: Requests answered since the last reset (the log may hold fewer).
            self.request_count = 0
            self.faults.clear()
            self._replays: OrderedDict[tuple[str, str, str], SimResponse] = OrderedDict()
            self._seq = 1996567

    def forget_links(self) -> None:
        """Forget every link (and the idempotent answers about them); keep tokens and the log."""
        with self._lock:
            self.links.clear()
            self._replays.clear()

    def force_status(self, link_id: str, status: str) -> Link:
        """Put a link into ``status`` (what the control API does); KeyError/ValueError otherwise."""
        with self._lock:
            if status not in self.contract.status_names:
                raise ValueError(
                    f"unknown status {status!r} for {self.contract.provider}; "
                    f"expected one of {', '.join(self.contract.status_names)}"
                )
            link = self.links[link_id]
            link.status = status
            link.updated_at = self.clock()
            if status == self.contract.cancelled_status and link.cancelled_at is None:
                link.cancelled_at = link.updated_at
            return link

    # ---- entry point -------------------------------------------------------------------

    def is_control(self, target: str) -> bool:
        """Whether ``target`` addresses the control API rather than the provider API."""
        return self._control_offset(urlsplit(target).path) is not None

    def _control_offset(self, path: str) -> int | None:
        # Only a path that starts with the control prefix (at the origin or under the base
        # path) is a control call: a link id like "_simulator" must reach the API.
        return next((len(p) - len(CONTROL_PREFIX) for p in (CONTROL_PREFIX,
                     self.base_path + CONTROL_PREFIX) if path == p or path.startswith(p + "/")),
                    None)

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes = b""
    ) -> SimResponse:
        """Answer one HTTP request; ``target`` is the raw path with its query string."""
        pending = self._receive(method, target, headers, body)
        if isinstance(pending, SimResponse):
            return pending
        if pending.delay:
            time.sleep(pending.delay)  # outside the lock: other requests keep flowing
        response = self._answer(pending)
        if pending.hold is not None:
            # The request took effect (and is logged); its answer is held, then lost.
            time.sleep(pending.hold)
            return SimResponse(0)
        return response

    async def handle_async(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes = b""
    ) -> SimResponse:
        """:meth:`handle` for an event loop: a latency fault waits without blocking the loop."""
        pending = self._receive(method, target, headers, body)
        if isinstance(pending, SimResponse):
            return pending
        if pending.delay:
            await asyncio.sleep(pending.delay)
        response = self._answer(pending)
        if pending.hold is not None:
            await asyncio.sleep(pending.hold)
            return SimResponse(0)
        return response

    def error_response(self, status: int, message: str) -> SimResponse:
        """An error in the provider's error shape (for a request the server refuses itself)."""
        return self._plain_error(status, message)

    def crashed(self, exc: BaseException) -> SimResponse:
        """Record ``exc``, the simulator's own exception while answering, with its traceback
        (credentials redacted) in :attr:`crashes`, and answer the 500 a server sends for it,
        marked with :data:`~payconform.simulator.state.CRASH_HEADER`: a client of a served
        simulator can tell payconform's defect from a provider's 5xx."""
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        with self._lock:
            self.crashes.append(self._redactor.text(trace))
            self.crash_count += 1
        response = self._plain_error(500, f"simulator error: {type(exc).__name__}")
        response.headers[CRASH_HEADER] = type(exc).__name__
        return response

    def _receive(self, method: str, target: str, headers: Mapping[str, str], body: bytes
                 ) -> SimResponse | _Pending:
        """A control call's answer, or an API request with the fault it drew."""
        method = method.upper()
        path = urlsplit(target).path
        lower = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            control = self._control_offset(path)
            if control is not None:
                return self._control(method, path[control:], lower, body)
            fault = take_fault(self.faults, self._operation_of(method, path), method, path)
        return _Pending(method, target, path, lower, body, fault)

    def _answer(self, pending: _Pending) -> SimResponse:
        method, path, fault = pending.method, pending.path, pending.fault
        with self._lock:
            if fault is None or fault["kind"] in ("latency", "truncate", "timeout"):
                response = self._api_once(method, path, pending.headers, pending.body)
            else:
                response = self._fault_response(fault)
            if fault is not None and fault["kind"] == "truncate":
                response = SimResponse(response.status, headers=dict(response.headers),
                                       raw=truncate(response.content()))
            self.request_count += 1
            if self.request_log_size != 0:
                self.requests.append(
                    {
                        "method": method,
                        "path": self._redactor.text(pending.target),
                        "headers": self._redactor.headers(pending.headers),
                        "body": self._redactor.body(pending.body),
                        "status": response.status,
                        "at": self.clock(),
                        **({"fault": fault["kind"]} if fault is not None else {}),
                    }
                )
            return response

    def _operation_of(self, method: str, path: str) -> str | None:
        return next((n for n, rx, verb in self._routes if verb == method and rx.match(path)), None)

    def _api_once(self, method: str, path: str, headers: dict[str, str], body: bytes
                  ) -> SimResponse:
        """The API answer, replayed for a reused idempotency key (as the provider documents)."""
        spec = self.contract.idempotency_header
        key = headers.get(spec.name.lower()) if spec is not None else None
        if spec is not None and spec.idempotent_methods and method not in spec.idempotent_methods:
            key = None
        field_name = self.contract.create.idempotency_field
        if key is None and field_name is not None and self._operation_of(method, path) == "create":
            # A create whose documented idempotency field repeats returns the first link.
            value = dotted_get(_json(body or b"{}"), field_name)
            key = f"{field_name}={value}" if isinstance(value, str | int) else None
        if key is None or method not in ("POST", "PUT", "PATCH", "DELETE") or not (
                self.mutation.honour_idempotency_key(self.contract)):
            return self._api(method, path, headers, body)
        replay = (key, method, path)
        stored = self._replays.get(replay)
        if stored is None:
            first = self._api(method, path, headers, body)
            # Kept as the bytes that went out: a replay is byte-for-byte the first answer.
            self._replays[replay] = SimResponse(first.status, headers=dict(first.headers),
                                                raw=first.content())
            while self.max_replays is not None and len(self._replays) > self.max_replays:
                self._replays.popitem(last=False)
            return first
        return SimResponse(stored.status, headers=dict(stored.headers), raw=stored.raw)

    def _fault_response(self, fault: dict[str, Any]) -> SimResponse:
        if fault["kind"] == "reset":
            return SimResponse(0)  # the server drops the connection
        if fault["kind"] == "html":
            return SimResponse(fault["status"], raw=HTML_ERROR_PAGE,
                               headers={"Content-Type": "text/html", **fault["headers"]})
        response = self._plain_error(fault["status"], f"simulated fault: HTTP {fault['status']}")
        response.headers.update(fault["headers"])
        return response

    # ---- routing -------------------------------------------------------------------------

    def _compile_routes(self) -> list[tuple[str, re.Pattern[str], str]]:
        contract = self.contract
        ops = [
            ("create", contract.create.operation),
            ("fetch", contract.fetch),
            ("cancel", contract.cancel),
        ]
        if contract.auth.token_endpoint is not None:
            ops.append(("token", contract.auth.token_endpoint))
        ops.extend((f"related:{e.name}", e.fetch) for e in contract.side_effects)
        if contract.activation is not None:
            ops.append(("activate", contract.activation.operation))
        ops.extend((f"variant:{v.name}", v.create.operation) for v in contract.variants)
        routes = []
        versions = "|".join(re.escape(v.name) for v in contract.api_versions)
        for name, op in ops:
            pattern = re.escape(self.base_path + op.path).replace(re.escape("{id}"), "(?P<id>[^/]*)")
            pattern = pattern.replace(re.escape("{version}"), f"(?P<version>{versions})")
            routes.append((name, re.compile(pattern + "/?$"), op.method))
        return routes

    def _api(self, method: str, path: str, headers: dict[str, str], body: bytes) -> SimResponse:
        response = self._route(method, path, headers, body)
        if self.contract.content_type != "application/json" and response.raw is None:
            response.headers.setdefault("Content-Type", self.contract.content_type)
        return response

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> SimResponse:
        path_matches = [(n, m) for n, rx, _ in self._routes if (m := rx.match(path))]
        route = next(
            ((n, m) for n, rx, verb in self._routes if verb == method and (m := rx.match(path))),
            None,
        )
        if route is None:
            status = 405 if path_matches else 404
            message = "method not allowed" if path_matches else "no such endpoint"
            return self._plain_error(status, f"{message}: {method} {path}")
        name, match = route
        if name == "token":
            return self._token(headers, body)
        link_id = unquote(match.groupdict().get("id") or "")
        operation = "create" if name.startswith("variant:") else name
        refusal = (self._check_auth(headers, operation, self.links.get(link_id))
                   or self._check_headers(headers, operation, self.links.get(link_id)))
        if refusal is not None:
            return refusal
        version = match.groupdict().get("version")
        pre_status = self.links[link_id].status if link_id in self.links else None
        if name == "create":
            response = self._create(headers, body, version=version)
        elif name.startswith("variant:"):
            response = self._create(headers, body, self.contract.variant(name[len("variant:"):]),
                                    version=version)
        elif name == "fetch":
            response = self._fetch(link_id)
        elif name.startswith("related:"):
            response = self._related(self.contract.side_effect(name[len("related:"):]), link_id)
        elif name == "activate":
            response = self._activate(link_id)
        elif (update := self._update(link_id, body)) is not None:
            # The cancel call of an update-style cancel, without the cancelling fields.
            operation, response = "update", update
        else:
            response = self._cancel(link_id)
        response = self.mutation.respond(self.contract, operation, pre_status, response)
        if operation == "create":
            link = next(reversed(self.links.values())) if response.status < 300 and self.links else None
        else:
            link = self.links.get(link_id)
        return self.mutation.answered(self.contract, operation, link, response)

    # ---- auth and headers ----------------------------------------------------------------

    def _check_auth(self, headers: dict[str, str], operation: str, link: Link | None
                    ) -> SimResponse | None:
        auth = self.contract.auth
        presented = self._presented_credentials(headers)
        if presented is None:
            problem, expectation = "missing", auth.missing
        elif not presented:
            problem, expectation = "invalid", auth.invalid
        else:
            return None
        if not self.mutation.enforce_auth(self.contract, problem):
            return None
        played = self.mutation.play(self.contract, f"auth:{problem}", expectation.played,
                                      operation, link)
        return self._error(played, "") if _refuses(played) else None

    def _presented_credentials(self, headers: dict[str, str]) -> bool | None:
        """None when no credentials were sent, else whether they are valid."""
        auth = self.contract.auth
        if auth.scheme == "headers":
            sent = {cred: headers.get(h.lower()) for h, cred in auth.headers.items()}
            if all(v is None for v in sent.values()):
                return None
            return all(sent[c] == self.credentials.get(c) for c in sent)
        value = headers.get("authorization")
        if value is None:
            return None
        if auth.scheme == "basic":
            return self._basic_valid(value)
        if not value.startswith("Bearer "):
            return False
        if auth.scheme == "bearer":
            return value[7:] == self.credentials.get(auth.token_credential or "")
        expiry = self.tokens.get(value[7:])
        return expiry is not None and expiry > self.clock()

    def _basic_valid(self, value: str) -> bool:
        import base64

        auth = self.contract.auth
        if not value.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        except ValueError:
            return False
        return (user, password) == (
            self.credentials.get(auth.username or ""),
            self.credentials.get(auth.password, "") if auth.password else "",
        )

    def _check_headers(self, headers: dict[str, str], operation: str, link: Link | None
                       ) -> SimResponse | None:
        for header in self.contract.headers:
            value = headers.get(header.name.lower())
            if value is None:
                if header.missing is None:
                    continue
                problem, expectation = "missing", header.missing
            elif header.invalid is not None and not _header_valid(header, value):
                problem, expectation = "malformed", header.invalid
            else:
                continue
            # An optional header being probed may be accepted (a success candidate).
            played = self.mutation.header_answer(self.contract, header, problem, expectation.played)
            played = self.mutation.play(self.contract, f"header:{problem}:{header.name}", played,
                                          operation, link)
            if _refuses(played) and self.mutation.enforce_header(self.contract, header, problem):
                return self._error(played, "")
        return None

    def _token(self, headers: dict[str, str], body: bytes) -> SimResponse:
        auth = self.contract.auth
        payload = decode_body(body, auth.token_encoding)
        if not isinstance(payload, dict):
            return self._error(auth.invalid.played, "")
        if auth.token_auth == "basic" and not self._basic_valid(headers.get("authorization", "")):
            return self._error(auth.invalid.played, "")
        for field_name, ref in auth.token_request.items():
            expected = ref[1:] if ref.startswith("=") else self.credentials.get(ref)
            if payload.get(field_name) != expected:
                return self._error(auth.invalid.played, "")
        token = secrets.token_urlsafe(24)
        now = self.clock()
        if len(self.tokens) >= MAX_TOKENS:  # expired ones first, then the oldest
            self.tokens = {t: e for t, e in self.tokens.items() if e > now}
            while len(self.tokens) >= MAX_TOKENS:
                del self.tokens[next(iter(self.tokens))]
        # Tokens are not learned by the log's redactor: the log keeps no response bodies and
        # redacts the Authorization header by name, and learning thousands of tokens (an SDK
        # that fetches one per call) would make every later redaction slower.
        self.tokens[token] = now + auth.token_ttl_seconds
        return SimResponse(200, {auth.token_field: token, auth.expires_field: auth.token_ttl_seconds})

    # ---- operations ----------------------------------------------------------------------

    def _create(self, headers: dict[str, str], body: bytes, variant: Variant | None = None,
                *, version: str | None = None) -> SimResponse:
        spec = self.contract.create if variant is None else variant.create
        request = decode_body(body, self.contract.body_encoding)
        if not isinstance(request, dict):
            return self._plain_error(400, f"request body must be a {self.contract.body_encoding} object")
        amount = dotted_get(request, spec.amount_path)
        currency = dotted_get(request, spec.currency_path, spec.default_currency)
        decimal = dotted_get(spec.body, spec.amount_path) == "$amount_decimal"
        if decimal and not (isinstance(amount, str) and _DECIMAL.match(amount)):
            return self._plain_error(400, f"{spec.amount_path} must be a decimal string like 10.00")
        if amount is None or currency is None:
            return self._plain_error(
                400, f"{spec.amount_path} and {spec.currency_path} are required"
            )
        for required in spec.required_fields:
            if dotted_get(request, required) in (None, ""):
                return self._plain_error(400, f"{required} is required")
        if spec.id_from is not None:
            link_id = dotted_get(request, spec.id_from)
            if not isinstance(link_id, str) or not link_id:
                return self._plain_error(400, f"{spec.id_from} is required")
            if spec.id_max_length is not None and len(link_id) > spec.id_max_length:
                return self._plain_error(400, f"{spec.id_from} is longer than {spec.id_max_length}")
            if spec.id_pattern is not None and not re.fullmatch(spec.id_pattern, link_id):
                return self._plain_error(400, f"{spec.id_from} must match {spec.id_pattern}")
            if link_id in self.links:
                return self._plain_error(409, f"a link with id {link_id} already exists")
        elif spec.id_template is not None:
            link_id = render_id(spec.id_template, self.clock())
        else:
            link_id = spec.id_prefix + random_alnum(spec.id_length)
        now = self.clock()
        self._seq += 1
        # A versioned path names the version; otherwise the version header (or the default).
        version = version or headers.get(self._version_header() or "",
                                         self.contract.default_api_version)
        while self.max_links is not None and self.links and len(self.links) >= self.max_links:
            del self.links[next(iter(self.links))]  # the oldest link is forgotten
        self.links[link_id] = Link(
            id=link_id,
            seq=self._seq,
            status=self.contract.created_status if variant is None else variant.initial_status,
            amount=amount,
            currency=currency,
            created_at=now,
            updated_at=now,
            request=request,
            token=secrets.token_hex(6),
            api_version=version,
            expire_at=now + 30 * 86400,
            variant=None if variant is None else variant.name,
            related={e.name: render_id(e.id_template, now) for e in self.contract.side_effects},
        )
        return SimResponse(spec.success_status, self._render(self.links[link_id]))

    def _fetch(self, link_id: str) -> SimResponse:
        link = self.links.get(link_id)
        if link is None:
            played = self.mutation.unknown_id(self.contract, self.contract.unknown_id.played)
            if played is None:
                return SimResponse(200, self._render(self._phantom(link_id)))
            return self._error(played, link_id)
        status = self.mutation.fetch_status(self.contract, link, link.status)
        gone = self.contract.cancelled_fetch
        if gone is not None and status == self.contract.cancelled_status:
            return self._error(gone.played, link_id)  # the cancel deleted it
        return SimResponse(200, self._render(link, status=status))

    def _related(self, effect: SideEffect, related_id: str) -> SimResponse:
        link = next((x for x in self.links.values() if x.related.get(effect.name) == related_id),
                    None)
        if link is None:
            return self._plain_error(404, f"no {effect.name} with id {related_id}")
        value = effect.values.get(link.status, effect.values.get(self.contract.initial_status, ""))
        value = self.mutation.side_effect(self.contract, link, effect, value)
        return SimResponse(200, fill_template(effect.template, {"related_id": related_id,
                                                                "value": value}, link.request))

    def _activate(self, link_id: str) -> SimResponse:
        """The call that makes a new link cancellable (see ``Contract.activation``)."""
        activation = self.contract.activation
        assert activation is not None
        link = self.links.get(link_id)
        if link is None:
            return self._error(self.contract.unknown_id.played, link_id)
        if link.status != activation.from_status:
            return self._plain_error(422, f"the link is {link.status}, not {activation.from_status}")
        link.status, link.updated_at = self.contract.initial_status, self.clock()
        return SimResponse(activation.success_status, {"rel": "self", "method": "GET", "href": link.id})

    def _cancelled_answer(self, link: Link, status: int | None = None) -> SimResponse:
        body = None if self.contract.cancel_no_body else self._cancelled_body(link)
        return SimResponse(status or self.contract.cancel_success_status, body)

    def _cancelled_body(self, link: Link) -> Any:
        """The body of a successful cancel: the link, or the contract's own cancel answer."""
        answer = self.contract.cancel_response
        if answer is None:
            return self._render(link)
        return fill_template(answer.template, self._values(link, link.status), link.request)

    def _update(self, link_id: str, body: bytes) -> SimResponse | None:
        """For an update-style cancel of a known link: None when ``body`` cancels, else the
        answer to the update (a reversal, or a plain update that changes no status)."""
        contract = self.contract
        link = self.links.get(link_id)
        if not contract.cancel_by_body or link is None:
            return None
        request = decode_body(body, contract.body_encoding)
        if not isinstance(request, dict):
            return self._plain_error(400, f"request body must be a {contract.body_encoding} object")
        if _carries(request, contract.cancel_body or {}):
            return None
        if contract.reversal is not None and _carries(request, contract.reversal.body):
            if link.status == contract.cancelled_status and self.mutation.reverse(contract, link):
                link.status, link.cancelled_at, link.updated_at = (
                    contract.initial_status, None, self.clock())
            return SimResponse(200, self._render(link))
        if not request:
            return self._plain_error(422, "At least one body parameter must be provided")
        return SimResponse(200, self._render(link))  # a plain update: no status changes

    def _cancel(self, link_id: str) -> SimResponse:
        contract = self.contract
        link = self.links.get(link_id)
        if link is None:
            played = self.mutation.unknown_id(contract, contract.unknown_id.played)
            if played is not None:
                played = self.mutation.play(contract, "unknown-id", played, "cancel", None)
            if played is None or not _refuses(played):
                return self._cancelled_answer(self._phantom(link_id))
            return self._error(played, link_id)
        if link.variant is not None:
            # A variant's cancel rule holds whatever its status (e.g. "charges cannot be canceled").
            where, expectation = f"variant:{link.variant}", contract.variant(link.variant).cancel
            action: CancelAction = "cancel" if expectation.is_success else "reject"
        elif link.status == contract.cancelled_status:
            where, expectation = "repeat", contract.repeat_cancel
            action = "noop" if expectation.is_success else "reject"
        else:
            where, expectation = f"cancel:{link.status}", contract.cancel_outcomes[link.status]
            action = "cancel" if expectation.is_success else "reject"
        action = self.mutation.cancel_action(contract, link, action)
        if action == "reject":
            played = expectation.played
            if not _refuses(played):
                played = contract.cancel_outcomes[contract.rejected_statuses[0]].played if (
                    contract.rejected_statuses) else contract.repeat_cancel.played
        else:
            played = success_candidate(contract, where)
        played = self.mutation.play(contract, where, played, "cancel", link)
        if _refuses(played):
            return self._error(played, link_id)
        if action == "reject":  # a mutant accepts what the contract refuses
            action = "noop" if link.status == contract.cancelled_status else "cancel"
        if action == "cancel":
            now = self.clock()
            link.status = contract.cancelled_status
            link.cancelled_at = now
            link.updated_at = now
        return self._cancelled_answer(link, played.http_status)

    def _phantom(self, link_id: str) -> Link:
        now = self.clock()
        return Link(link_id, 0, self.contract.cancelled_status, 100, "INR", now, now, {}, "x",
                    self.contract.default_api_version, now,
                    related={e.name: render_id(e.id_template, now)
                             for e in self.contract.side_effects})

    # ---- rendering -----------------------------------------------------------------------

    def _version_header(self) -> str | None:
        for header in self.contract.headers:
            if header.value == "api_version":
                return header.name.lower()
        return None

    def _render(self, link: Link, *, status: str | None = None) -> Any:
        contract = self.contract
        template: dict[str, Any] = dict(contract.entity.template)
        try:
            version = contract.api_version(link.api_version)
        except KeyError:
            version = contract.api_version()
        template.update(version.template_overrides)
        if link.variant is not None:
            template.update(contract.variant(link.variant).template_overrides)
        shown = status or link.status
        values = self._values(link, shown)
        entity = fill_template(template, values, link.request)
        for name, value in contract.status(shown).fields.items():
            dotted_set(entity, name, fill_template(value, values, link.request))
        for name in contract.entity.omit_when_null:
            if entity.get(name, "") is None:
                del entity[name]
        if not contract.entity.path:
            return entity
        envelope = copy.deepcopy(contract.entity.envelope)
        envelope[contract.entity.path] = entity
        return envelope

    def _values(self, link: Link, status: str) -> dict[str, Any]:
        kind = self.contract.status(status).kind
        paid = {StatusKind.PAID: link.amount, StatusKind.PARTIALLY_PAID: _half(link.amount)}.get(
            kind, 0
        )
        fmt = self.contract.entity.timestamp_format
        unset_style = self.contract.entity.unset_timestamp or ("zero" if fmt == "unix" else "null")
        unset = 0 if unset_style == "zero" else None
        return {
            "id": link.id,
            "status": status,
            "amount": link.amount,
            "currency": link.currency,
            "amount_paid": paid,
            "amount_due": link.amount - paid if isinstance(link.amount, int | float) else 0,
            "seq": link.seq,
            "seq_str": str(link.seq),
            "created_at": stamp(link.created_at, fmt),
            "updated_at": stamp(link.updated_at, fmt),
            "cancelled_at": stamp(link.cancelled_at, fmt) if link.cancelled_at else unset,
            "expire_at": stamp(link.expire_at, fmt),
            "token": link.token,
            "livemode": False,
            **{f"related.{name}": value for name, value in link.related.items()},
        }

    def refusal(self, played: Candidate, link_id: str) -> SimResponse:
        """The answer this simulator gives when it plays the refusal ``played`` for ``link_id``
        (the contract's error template with the candidate's fields and HTTP status)."""
        return self._error(played, link_id)

    def _error(self, played: Candidate, link_id: str) -> SimResponse:
        return self._error_body(played.http_status or 400, {
            key: value.replace("{id}", link_id) for key, value in played.error.items()})

    def _plain_error(self, status: int, message: str) -> SimResponse:
        message = self.contract.error.status_messages.get(status, message)
        return self._error_body(status, {self.contract.error.message_field: message})

    def _error_body(self, status: int, fields: Mapping[str, Any]) -> SimResponse:
        """The contract's error template with ``fields`` (dotted paths) filled in."""
        spec = self.contract.error
        body = _error_body(self.contract, status)
        target = dotted_get(body, spec.path) if spec.path else body
        if spec.http_status_field is not None:
            dotted_set(target, spec.http_status_field, status)
        for key, value in fields.items():
            dotted_set(target, key, value)
        return SimResponse(status, body)

    # ---- control API -----------------------------------------------------------------------

    def _control(self, method: str, path: str, headers: Mapping[str, str], body: bytes
                 ) -> SimResponse:
        rest = path[len(CONTROL_PREFIX):].strip("/")
        parts = [unquote(p) for p in rest.split("/")] if rest else []
        if method not in ("GET", "HEAD"):
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype not in _JSON_TYPES:
                return SimResponse(415, {"error": "control requests that change state must be "
                                                  "JSON (Content-Type: application/json)"})
        payload = _json(body, _INVALID) if body else {}
        if payload is _INVALID:
            return SimResponse(400, {"error": "control request body must be JSON"})
        if method == "POST" and parts == ["reset"]:
            self.reset()
            return SimResponse(200, {"reset": True})
        if method == "GET" and parts == ["requests"]:
            return SimResponse(200, {"requests": list(self.requests)})
        if method == "GET" and parts == ["links"]:
            return SimResponse(200, {"links": [
                {"id": link.id, "status": link.status} for link in self.links.values()]})
        if len(parts) == 3 and parts[0] == "links" and parts[2] == "status" and method == "POST":
            status = payload.get("status") if isinstance(payload, dict) else None
            if not isinstance(status, str):
                return SimResponse(400, {"error": 'body must be {"status": "<wire status>"}'})
            try:
                link = self.force_status(parts[1], status)
            except KeyError:
                return SimResponse(404, {"error": f"no link with id {parts[1]!r}"})
            except ValueError as exc:
                return SimResponse(400, {"error": str(exc)})
            return SimResponse(200, {"id": link.id, "status": link.status})
        if parts == ["play"] and method == "POST":
            # {"<expectation path>": <candidate number, 1-based>}: rehearse a vendor behaviour.
            if not isinstance(payload, dict) or not payload:
                return SimResponse(400, {"error": 'body must be {"<expectation path>": <n>}'})
            contract = self.contract
            try:
                for path, number in payload.items():
                    if not isinstance(number, int) or isinstance(number, bool):
                        raise ValueError(f"{path}: the candidate number must be an integer")
                    contract = contract.playing(path, number - 1)
            except (KeyError, ValueError) as exc:
                return SimResponse(400, {"error": exc.args[0] if exc.args else str(exc)})
            self.contract = contract
            return SimResponse(200, {"playing": {
                path: contract.expectation_at(path).played.label for path in payload}})
        if parts == ["faults"]:
            if method == "POST":
                try:
                    added = parse_faults(payload)
                except ValueError as exc:
                    return SimResponse(400, {"error": str(exc)})
                self.faults.extend(added)
                return SimResponse(200, {"faults": added})
            if method == "DELETE":
                self.faults.clear()
                return SimResponse(200, {"faults": []})
            if method == "GET":
                return SimResponse(200, {"faults": list(self.faults)})
        if parts == ["tokens", "expire"] and method == "POST":
            self.tokens = dict.fromkeys(self.tokens, 0.0)
            return SimResponse(200, {"expired": len(self.tokens)})
        return SimResponse(404, {"error": f"unknown control endpoint {method} {path}"})


def _error_body(contract: Contract, status: int) -> Any:
    """A fresh error body from the contract's template (``$http_status`` is the status)."""
    return fill_template(contract.error.template, {"http_status": status}, {})
def _carries(request: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether a request body holds every field of ``wanted`` with its value."""
    return bool(wanted) and all(dotted_get(request, k, _ABSENT) == v for k, v in wanted.items())


_ABSENT = object()
_DECIMAL = re.compile(r"^[0-9]+\.[0-9]{2}$")


def _refuses(played: Candidate) -> bool:
    """Whether a played behaviour refuses the request (an unverified one may accept it)."""
    return played.outcome not in (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)


def _header_valid(header: HeaderSpec, value: str) -> bool:
    if header.max_length is not None and not 1 <= len(value) <= header.max_length:
        return False
    if header.pattern is not None and not re.fullmatch(header.pattern, value):
        return False
    return not (header.known_values and value not in header.known_values)


def _half(amount: Any) -> Any:
    if isinstance(amount, int):
        return amount // 2
    if isinstance(amount, float):
        return amount / 2
    return 0
