"""The suite's own HTTP client for a provider, built from its contract.

It speaks the provider's wire protocol (auth, headers, bodies), can deliberately omit or
break auth and headers, and turns each response into an :class:`Exchange` carrying the
normalized :class:`~payconform.model.outcomes.Outcome`.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx

from payconform.model.contract import Contract, SideEffect, dotted_get
from payconform.model.outcomes import Outcome
from payconform.model.redact import Redactor
from payconform.model.templates import encode_body, fill_template, new_request_id
from payconform.simulator.state import CONTROL_PREFIX, raise_if_crashed

__all__ = [
    "AuthMode", "Credentials", "Exchange", "ProviderClient", "UnusableAnswer", "interpret"]

AuthMode = Literal["valid", "missing", "invalid"]


class UnusableAnswer(ValueError):
    """An answer the next step cannot use (a create without a link id): setup failed, so the
    case is INCONCLUSIVE; the schema rules judge the body itself."""


@dataclass(frozen=True)
class Credentials:
    """Credential values by the contract's credential names."""

    values: Mapping[str, str]

    def redactor(self, contract: Contract) -> Redactor:
        """A redactor for these values and the contract's sensitive headers and fields."""
        return Redactor(
            self.values.values(),
            headers=contract.auth.headers.keys(),
            fields=contract.scrub_body_fields,
        )


@dataclass
class Exchange:
    """One request and its response, with the interpretation the rules use."""

    operation: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    response_headers: dict[str, str]
    text: str
    json: Any
    outcome: Outcome
    entity: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    elapsed_ms: float = 0.0
    #: The activation call a create made (``Contract.activation``), if any.
    activation: Exchange | None = None
    #: What a create asked for, before encoding: ``{"amount": ..., "currency": ...}``.
    created_with: dict[str, Any] | None = None

    def redacted(self, redactor: Redactor) -> dict[str, Any]:
        """A JSON-ready copy with every secret removed (for reports)."""
        return {
            "operation": self.operation,
            "request": {
                "method": self.method,
                "url": redactor.text(self.url),
                "headers": redactor.headers(self.request_headers),
                "body": redactor.body(self.request_body),
            },
            "response": {
                "status": self.status,
                "headers": redactor.headers(self.response_headers),
                "body": redactor.body(self.text[:20000]),
            },
            "outcome": self.outcome.value,
        }


def interpret(
    contract: Contract, operation: str, status: int, body: Any, *, pre_status: str | None = None
) -> tuple[Outcome, dict[str, Any] | None, dict[str, Any] | None]:
    """Normalize a response: its outcome, the entity (on success) and the error object."""
    if 200 <= status < 300:
        entity = dotted_get(body, contract.entity.path) if isinstance(body, dict) else None
        entity = entity if isinstance(entity, dict) else None
        if operation == "create":
            return Outcome.CREATED, entity, None
        if operation != "cancel":
            return Outcome.FETCHED, entity, None
        already = pre_status == contract.cancelled_status
        if contract.cancel_response is not None or not contract.status_keys or (
                contract.cancel_no_body and body in (None, "", b"")):
            # The answer is not the link (or the link shows no status, or there is no body):
            # the 2xx is the outcome; the body's shape is schema.success's to judge.
            return (Outcome.ALREADY_CANCELLED if already else Outcome.CANCELLED), None, None
        wire = contract.status_of(entity) if entity else None
        # A 2xx cancel body without the status field is schema.success's finding; the outcome
        # then rests on the HTTP status, so one defect is not reported by two rules.
        unstated = entity is not None and not any(k in entity for k in contract.status_keys)
        if wire == contract.cancelled_status or unstated:
            return (Outcome.ALREADY_CANCELLED if already else Outcome.CANCELLED), entity, None
        return Outcome.UNKNOWN, entity, None
    spec = contract.error
    error = dotted_get(body, spec.path) if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else None
    if error is not None:
        code = dotted_get(error, spec.code_field)
        if isinstance(code, str) and code in spec.outcomes:
            return spec.outcomes[code], None, error
        message = dotted_get(error, spec.message_field)
        if isinstance(message, str) and message in spec.message_outcomes:
            return spec.message_outcomes[message], None, error
    if status in spec.http_outcomes:
        return spec.http_outcomes[status], None, error
    if status in (401, 403):
        return Outcome.UNAUTHORIZED, None, error
    if status == 404:
        return Outcome.NOT_FOUND, None, error
    if status == 429:
        return Outcome.RATE_LIMITED, None, error
    if status >= 500:
        return Outcome.PROVIDER_ERROR, None, error
    return Outcome.INVALID_REQUEST, None, error


def _dotted_set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted path of nested mappings, creating them as needed."""
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class _RequestCounter:
    """An httpx request hook counting what one HTTP client sends."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: httpx.Request) -> None:
        self.count += 1


def requests_sent(http: httpx.Client) -> int:
    """How many requests ``http`` has sent since counting began (the first call starts it)."""
    hooks = http.event_hooks["request"]
    for hook in hooks:
        if isinstance(hook, _RequestCounter):
            return hook.count
    http.event_hooks = {**http.event_hooks, "request": [*hooks, _RequestCounter()]}
    return 0


@dataclass
class ProviderClient:
    """Calls one provider's create / fetch / cancel endpoints through ``http``.

    ``http`` must have its ``base_url`` set to the provider's base URL (sandbox, simulator
    or ``--base-url``). ``run_tag`` marks every created link so the run can find its own.
    """

    contract: Contract
    http: httpx.Client
    credentials: Credentials
    api_version: str | None = None
    run_tag: str = "payconform"
    _token: tuple[str, float] | None = field(default=None, init=False, repr=False)
    #: Called with every secret the client obtains (an issued bearer token).
    secret_sinks: list[Callable[[str], None]] = field(default_factory=list, repr=False)
    token_requests: int = field(default=0, init=False)

    # ---- wire helpers --------------------------------------------------------------------

    def _auth_headers(self, mode: AuthMode) -> dict[str, str]:
        auth = self.contract.auth
        if mode == "missing":
            return {}
        values = dict(self.credentials.values)
        if mode == "invalid":
            values = {k: f"invalid-{k}-{secrets.token_hex(4)}" for k in values}
        if auth.scheme == "headers":
            return {header: values[cred] for header, cred in auth.headers.items()}
        if auth.scheme == "basic":
            return {"Authorization": _basic(values[auth.username or ""],
                                            values[auth.password] if auth.password else "")}
        if auth.scheme == "bearer":
            return {"Authorization": f"Bearer {values[auth.token_credential or '']}"}
        if mode == "invalid":
            return {"Authorization": f"Bearer invalid-{secrets.token_hex(8)}"}
        return {"Authorization": f"Bearer {self.bearer_token()}"}

    def bearer_token(self) -> str:
        """A cached client-credentials token, renewed a minute before it expires."""
        if self._token is not None and self._token[1] - 60 > time.monotonic():
            return self._token[0]
        auth = self.contract.auth
        assert auth.token_endpoint is not None
        body = {
            name: ref[1:] if ref.startswith("=") else self.credentials.values[ref]
            for name, ref in auth.token_request.items()
        }
        self.token_requests += 1
        content, content_type = encode_body(body, auth.token_encoding)
        headers = {**self._standard_headers(), "Content-Type": content_type}
        if auth.token_auth == "basic":
            values = self.credentials.values
            headers["Authorization"] = _basic(values[auth.username or ""], values[auth.password or ""])
        response = self.http.request(
            auth.token_endpoint.method,
            auth.token_endpoint.path.lstrip("/"),
            content=content,
            headers=headers,
        )
        raise_if_crashed(response.headers, "the token request")
        payload = response.json() if response.content else {}
        token = payload.get(auth.token_field) if isinstance(payload, dict) else None
        if response.status_code != 200 or not isinstance(token, str):
            raise httpx.HTTPStatusError(
                f"token request failed with HTTP {response.status_code}",
                request=response.request,
                response=response,
            )
        ttl = payload.get(auth.expires_field, auth.token_ttl_seconds)
        self._token = (token, time.monotonic() + float(ttl))
        for learn in self.secret_sinks:  # reports and cassettes redact it from now on
            learn(token)
        return token

    @property
    def requests_sent(self) -> int:
        """Requests sent through this client's HTTP client so far (shared with its twins)."""
        return requests_sent(self.http)

    @property
    def version(self) -> str:
        """The API version this client speaks (its own, else the contract's default)."""
        return self.api_version or self.contract.default_api_version

    def for_version(self, api_version: str) -> ProviderClient:
        """A client for another API version sharing this one's HTTP client and token cache."""
        twin = dataclasses.replace(self, api_version=api_version)
        twin._token = self._token
        return twin

    def forget_token(self) -> None:
        """Drop the cached token (the next call fetches a new one)."""
        self._token = None

    def _standard_headers(self, omit: tuple[str, ...] = (), override: Mapping[str, str] = {}
                          ) -> dict[str, str]:
        headers: dict[str, str] = {"Accept": "application/json"}
        for spec in self.contract.headers:
            if spec.name in omit or not (spec.required or spec.send_always
                                         or spec.value in ("uuid", "timestamp")):
                continue
            if spec.value == "api_version":
                headers[spec.name] = self.api_version or self.contract.default_api_version
            elif spec.value == "uuid":
                headers[spec.name] = new_request_id()
            elif spec.value == "timestamp":
                now = datetime.now(UTC).isoformat(timespec="milliseconds")
                headers[spec.name] = now.replace("+00:00", "Z")
            else:
                headers[spec.name] = spec.value
        headers.update(override)
        return headers

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        auth: AuthMode = "valid",
        omit_headers: tuple[str, ...] = (),
        header_overrides: Mapping[str, str] = {},
        pre_status: str | None = None,
        renew: bool = True,
    ) -> Exchange:
        headers = self._standard_headers(omit_headers, header_overrides)
        headers.update(self._auth_headers(auth))
        content = b""
        if body is not None:
            content, headers["Content-Type"] = encode_body(body, self.contract.body_encoding)
        started = time.perf_counter()
        response = self.http.request(method, path.lstrip("/"), content=content, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        # A served simulator's own crash is payconform's defect (ERROR), not a provider's 5xx.
        raise_if_crashed(response.headers, f"{operation}: {method} {path}")
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        outcome, entity, error = interpret(
            self.contract, operation, response.status_code, parsed, pre_status=pre_status
        )
        if (renew and auth == "valid" and outcome is Outcome.UNAUTHORIZED
                and self.contract.auth.scheme == "bearer_token"):
            # The server dropped a token we still trusted (expired early, revoked): renew it
            # once and retry; a second refusal stands.
            self.forget_token()
            return self._send(operation, method, path, body=body, auth=auth,
                              omit_headers=omit_headers, header_overrides=header_overrides,
                              pre_status=pre_status, renew=False)
        return Exchange(
            operation=operation,
            method=method,
            url=str(response.request.url),
            request_headers=dict(response.request.headers),
            request_body=content.decode("utf-8", "replace"),
            status=response.status_code,
            response_headers=dict(response.headers),
            text=response.text,
            json=parsed,
            outcome=outcome,
            entity=entity,
            error=error,
            elapsed_ms=elapsed,
        )

    # ---- operations ----------------------------------------------------------------------

    def new_link_id(self) -> str:
        """A fresh client-side link id within the contract's limits."""
        limit = self.contract.create.id_max_length or 50
        return f"pc_{secrets.token_hex(8)}"[:limit]

    def create(self, *, amount: Any = None, currency: str | None = None,
               link_id: str | None = None, variant: str | None = None,
               header_overrides: Mapping[str, str] = {}, idempotency_key: str | None = None
               ) -> Exchange:
        """Create a link (or a contract variant of one, e.g. a charge) tagged with the run tag;
        amount and currency default to the contract's test values.

        Where the contract has an activation (a draft made payable), it follows a successful
        create of a link; the create exchange carries it in ``activation``.
        """
        spec = self.contract.create if variant is None else self.contract.variant(variant).create
        amount = spec.amount if amount is None else amount
        values = {
            "new_id": link_id or self.new_link_id(),
            "amount": amount,
            "amount_decimal": f"{amount / 100:.2f}" if isinstance(amount, int | float) else amount,
            "currency": currency or spec.currency,
            "idempotency_key": idempotency_key or new_request_id(),
            "run_tag": self.run_tag,
            "expire_at": int(time.time()) + 7 * 86400,
            # Non-secret credentials (an account id a body must name, e.g. a merchant account).
            **{f"credential.{name}": value for name, value in self.credentials.values.items()
               if name not in self.contract.auth.secret_credentials},
        }
        body = fill_template(spec.body, values, {})
        if idempotency_key is not None and spec.idempotency_field:
            # The documented key field carries this very key, whatever its template says.
            _dotted_set(body, spec.idempotency_field, idempotency_key)
        created = self._send("create", spec.operation.method,
                             spec.operation.url_path(version=self.version), body=body,
                             header_overrides=header_overrides)
        created.created_with = {"amount": dotted_get(body, spec.amount_path),
                                "currency": dotted_get(body, spec.currency_path)}
        activation = self.contract.activation
        if activation is not None and variant is None and 200 <= created.status < 300:
            link_id = self.link_id_of(created)
            op = activation.operation
            created.activation = self._send("activate", op.method,
                                            op.url_path(quote(link_id, safe=""), self.version),
                                            body=activation.body)
        return created

    def send_create(self, body: Any) -> Exchange:
        """The create call with ``body`` sent as it is (e.g. one that is not an object)."""
        op = self.contract.create.operation
        return self._send("create", op.method, op.url_path(version=self.version), body=body)

    def fetch(self, link_id: str, *, pre_status: str | None = None) -> Exchange:
        """Fetch one link."""
        op = self.contract.fetch
        return self._send("fetch", op.method, op.url_path(quote(link_id, safe=""), self.version),
                          pre_status=pre_status)

    def cancel(
        self,
        link_id: str,
        *,
        auth: AuthMode = "valid",
        omit_headers: tuple[str, ...] = (),
        header_overrides: Mapping[str, str] = {},
        pre_status: str | None = None,
        raw_id: bool = False,
        body: dict[str, Any] | None = None,
    ) -> Exchange:
        """Cancel one link; ``auth`` / ``omit_headers`` / ``header_overrides`` break the call.

        ``body`` replaces the contract's cancel body (e.g. its reversal, on the same call).
        """
        op = self.contract.cancel
        path = op.url_path(link_id if raw_id else quote(link_id, safe=""), self.version)
        return self._send(
            "cancel",
            op.method,
            path,
            body=self.contract.cancel_body if body is None else body,
            auth=auth,
            omit_headers=omit_headers,
            header_overrides=header_overrides,
            pre_status=pre_status,
        )

    def fetch_related(self, effect: SideEffect, related_id: str) -> Exchange:
        """Read the resource a cancel changes (a contract side effect), e.g. the link's order."""
        op = effect.fetch
        return self._send(f"related:{effect.name}", op.method,
                          op.url_path(quote(related_id, safe=""), self.version))

    def link_id_of(self, exchange: Exchange) -> str:
        """The id of the link a create exchange made."""
        if exchange.entity is None:
            raise UnusableAnswer(f"create returned HTTP {exchange.status} without an entity")
        value = dotted_get(exchange.entity, self.contract.entity.id_field)
        if not isinstance(value, str):
            raise UnusableAnswer(f"create response has no string {self.contract.entity.id_field!r}")
        return value

    # ---- simulator control ---------------------------------------------------------------

    def control_url(self, path: str) -> str:
        """The absolute URL of a simulator control endpoint on this client's host."""
        base = self.http.base_url
        return str(base.copy_with(path=CONTROL_PREFIX + "/" + path.lstrip("/"), query=None))

    def force_status(self, link_id: str, status: str) -> None:
        """Force a link's status through the simulator control API."""
        response = self.http.post(
            self.control_url(f"links/{quote(link_id, safe='')}/status"), json={"status": status}
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"simulator refused to set {link_id} to {status}: HTTP {response.status_code} "
                f"{response.text[:200]}"
            )
