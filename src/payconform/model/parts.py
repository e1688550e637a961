"""The parts a contract is declared from: sources with evidence, operations, expectations,
statuses, headers, auth, entity and error shapes, create bodies, versions and variants.

Each part is a frozen pydantic model; :class:`~payconform.model.contract.Contract` assembles
them and checks what spans parts.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from payconform.model.outcomes import REFUSALS, Evidence, Outcome, StatusKind

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
TIMESTAMP_FORMATS = ("unix", "iso8601_z", "iso8601_ms_z", "iso8601_ist")
#: HTTP statuses of errors the suite can provoke on any API (``ErrorSpec.status_messages``).
PROVOKED_STATUSES = frozenset({400})


class ContractError(ValueError):
    """A contract declaration is invalid; the message names the provider and the field."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Frozen):
    """Where a fact comes from and how strongly it is backed."""

    evidence: Evidence
    citation: str = Field(min_length=3)
    note: str = ""


def documented(citation: str, note: str = "") -> Source:
    """A fact a vendor page, spec or docs repository states."""
    return Source(evidence=Evidence.DOCUMENTED, citation=citation, note=note)


def observed(citation: str, note: str = "") -> Source:
    """A fact a recording or a live-sandbox test shows."""
    return Source(evidence=Evidence.OBSERVED, citation=citation, note=note)


def inferred(citation: str, note: str = "") -> Source:
    """A fact derived from indirect evidence."""
    return Source(evidence=Evidence.INFERRED, citation=citation, note=note)


def unverified(citation: str, note: str = "") -> Source:
    """Unknown: the expectation lists candidates and the suite reports OBSERVED."""
    return Source(evidence=Evidence.UNVERIFIED, citation=citation, note=note)


class Operation(Frozen):
    """One HTTP operation; ``path`` is relative to the base URL and may hold ``{id}``.

    ``{version}`` in a path is the API version in use (a provider that versions its paths,
    e.g. ``/v71/paymentLinks``, names its :class:`ApiVersion` ``v71``).
    """

    method: str
    path: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Operation:
        if self.method not in HTTP_METHODS:
            raise ValueError(f"method must be one of {', '.join(HTTP_METHODS)}, not {self.method!r}")
        if not self.path.startswith("/"):
            raise ValueError(f"path must start with '/', got {self.path!r}")
        return self

    def url_path(self, link_id: str = "", version: str = "") -> str:
        """The path with ``{id}`` and ``{version}`` filled in (percent-encoding is the
        client's job)."""
        return self.path.replace("{id}", link_id).replace("{version}", version)


class Candidate(Frozen):
    """One plausible behaviour for an unverified expectation."""

    label: str
    outcome: Outcome
    http_status: int | None = None
    error: dict[str, str] = Field(default_factory=dict)


class Expectation(Frozen):
    """What a request in one scenario should produce, each part with its own evidence.

    ``source`` backs the outcome (accepted or rejected, and which way); ``http_status_source``
    and ``error_source`` back the status code and the error fields when their evidence
    differs. ``error`` maps fields of the error object to exact values; ``{id}`` in a value
    stands for the link id of the request. For unverified expectations, ``candidates`` lists
    what the vendor might do; the simulator plays ``simulate`` (default: the first). A known
    outcome whose HTTP status is unknown (``http_status`` None) lists candidates too: the
    simulator plays the candidate's status and code with the known error fields.
    ``noop`` marks a repeated call that must leave the entity byte-for-byte unchanged.
    ``outcome_source`` splits a refusal in two when telling *which* refusal it is rests on
    weaker evidence than the refusal itself (e.g. one error code for every refusal, told apart
    only by a message whose wording is inferred): ``source`` then backs "refused" and
    ``outcome_source`` backs the specific ``outcome``.
    """

    outcome: Outcome
    source: Source
    outcome_source: Source | None = None
    http_status: int | None = None
    http_status_source: Source | None = None
    error: dict[str, str] = Field(default_factory=dict)
    error_source: Source | None = None
    candidates: tuple[Candidate, ...] = ()
    simulate: int = 0
    noop: bool = False

    @model_validator(mode="after")
    def _check(self) -> Expectation:
        if self.source.evidence is Evidence.UNVERIFIED and not self.candidates:
            raise ValueError("an unverified expectation must list its candidates")
        if self.candidates and not 0 <= self.simulate < len(self.candidates):
            raise ValueError(f"simulate={self.simulate} is not an index into candidates")
        if self.http_status is not None and not 100 <= self.http_status <= 599:
            raise ValueError(f"http_status {self.http_status} is not an HTTP status")
        if self.outcome_source is not None and self.outcome.value not in REFUSALS:
            raise ValueError("outcome_source only applies to a refusal outcome")
        return self

    @property
    def is_success(self) -> bool:
        """Whether the expected (or simulated) behaviour is a 2xx."""
        return self.played.outcome in (Outcome.CANCELLED, Outcome.ALREADY_CANCELLED)

    @property
    def played(self) -> Candidate:
        """The behaviour the faithful simulator plays for this expectation."""
        if self.source.evidence is Evidence.UNVERIFIED:
            return self.candidates[self.simulate]
        if self.candidates and self.http_status is None:
            # The outcome is known but not the status: play a candidate's status and code.
            guess = self.candidates[self.simulate]
            return Candidate(label=guess.label, outcome=self.outcome, http_status=guess.http_status,
                             error={**guess.error, **self.error})
        return Candidate(
            label="expected", outcome=self.outcome, http_status=self.http_status, error=self.error
        )


class Status(Frozen):
    """One status of a link and what it means.

    ``fields`` are entity fields that show the status besides the status field (a Checkout
    Session's ``url`` turns null once expired). Where the entity has no status field
    (``EntitySpec.status_field`` is None), they *are* the status: a boolean flag
    (``{"active": False}``) or a set of fields (``{"archived": False, "paidAt": None}``). A
    value that is a placeholder (``"$updated_at"``) renders as such and reads as "any non-null
    value"; any other value must be equal (``None``: null or absent).
    """

    name: str = Field(min_length=1)
    kind: StatusKind
    source: Source
    reachable_by_api: bool = False
    fields: dict[str, Any] = Field(default_factory=dict)

    def shown_by(self, entity: dict[str, Any]) -> bool:
        """Whether ``entity`` carries every field of this status."""
        for name, want in self.fields.items():
            got = dotted_get(entity, name)
            if isinstance(want, str) and want.startswith("$"):
                if got is None:
                    return False
            elif got != want:
                return False
        return True


class HeaderSpec(Frozen):
    """A request header the provider reads on the cancel call.

    ``value`` says what the client sends: ``api_version``, ``uuid``, ``timestamp`` (ISO 8601
    UTC with milliseconds) or a literal. ``pattern`` is the documented format, checked by the
    simulator; ``malformed`` is a value that breaks it. ``missing`` / ``invalid`` are the
    expected responses when the header is absent or malformed. An optional header may carry
    them too: the vendor documents it without saying whether it is enforced, so the suite
    probes it (usually with unverified candidates). ``send_always`` makes the client send an
    optional literal-valued header on every call, as the vendor's own client does.
    """

    name: str = Field(min_length=1)
    required: bool
    value: str
    send_always: bool = False
    pattern: str | None = None
    max_length: int | None = None
    known_values: tuple[str, ...] = ()
    malformed: str | None = None
    missing: Expectation | None = None
    invalid: Expectation | None = None
    # The header that makes a repeated write return the first answer; where ``source`` backs it
    # (not unverified), the live lane retries writes that carry the same value.
    idempotency_key: bool = False
    # The methods the key is documented for (empty: every write). A write of another method
    # carrying it is not retried: a retried PATCH could meet the answer to its own repeat.
    idempotent_methods: tuple[str, ...] = ()
    source: Source

    @model_validator(mode="after")
    def _check(self) -> HeaderSpec:
        if self.required and self.missing is None:
            raise ValueError(f"required header {self.name!r} needs a 'missing' expectation")
        if self.malformed is not None and self.invalid is None:
            raise ValueError(f"header {self.name!r} has 'malformed' but no 'invalid' expectation")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"header {self.name!r} pattern does not compile: {exc}") from exc
        return self


class Auth(Frozen):
    """How requests authenticate.

    ``scheme``: ``headers`` (each credential in its own header, ``headers`` maps header to
    credential), ``basic`` (``username`` / ``password`` credentials; no ``password`` means the
    vendor documents an empty one, the key being the user name), ``bearer`` (a static
    secret sent as ``Authorization: Bearer <token_credential>``), or ``bearer_token``
    (client-credentials token endpoint; ``token_request`` maps body fields to credentials or
    ``=literal`` values). ``credentials`` maps credential names to the env vars that hold them.
    ``live_key_patterns`` are regexes on credential values that mean production keys;
    ``key_patterns_source`` backs both pattern lists when their evidence differs from
    ``source`` (e.g. a prefix rule relied on by public code but absent from the vendor docs).
    """

    scheme: Literal["headers", "basic", "bearer", "bearer_token"]
    credentials: dict[str, str]
    secret_credentials: tuple[str, ...]
    headers: dict[str, str] = Field(default_factory=dict)
    username: str | None = None
    password: str | None = None
    token_credential: str | None = None
    token_endpoint: Operation | None = None
    token_request: dict[str, str] = Field(default_factory=dict)
    token_auth: Literal["body", "basic"] = "body"
    token_encoding: Literal["json", "form"] = "json"
    token_field: str = "access_token"
    expires_field: str = "expires_in"
    token_ttl_seconds: int = 3600
    simulator_credentials: dict[str, str]
    sandbox_key_patterns: tuple[str, ...] = ()
    live_key_patterns: tuple[str, ...] = ()
    key_patterns_source: Source | None = None
    missing: Expectation
    invalid: Expectation
    source: Source

    @model_validator(mode="after")
    def _check(self) -> Auth:
        names = set(self.credentials)
        if not names:
            raise ValueError("auth needs at least one credential")
        for cred in self.secret_credentials:
            if cred not in names:
                raise ValueError(f"secret_credentials names unknown credential {cred!r}")
        if self.scheme == "headers":
            if not self.headers:
                raise ValueError("scheme 'headers' needs the 'headers' map")
            for header, cred in self.headers.items():
                if cred not in names:
                    raise ValueError(f"header {header!r} uses unknown credential {cred!r}")
        if self.scheme == "basic" and (self.username not in names or (
                self.password is not None and self.password not in names)):
            raise ValueError("scheme 'basic' needs a 'username' credential (and 'password', if set)")
        if self.scheme == "bearer" and self.token_credential not in names:
            raise ValueError("scheme 'bearer' needs 'token_credential' naming a credential")
        if self.scheme == "bearer_token" and self.token_auth == "basic" and (
                self.username not in names or self.password not in names):
            raise ValueError("token_auth 'basic' needs 'username' and 'password' credentials")
        if self.scheme == "bearer_token":
            if self.token_endpoint is None:
                raise ValueError("scheme 'bearer_token' needs 'token_endpoint'")
            for field, ref in self.token_request.items():
                if not ref.startswith("=") and ref not in names:
                    raise ValueError(f"token_request field {field!r} uses unknown credential {ref!r}")
        for pattern in self.live_key_patterns + self.sandbox_key_patterns:
            re.compile(pattern)
        return self


class EntitySpec(Frozen):
    """Where the link lives in a success body and which of its fields matter.

    ``path`` is the dotted path of the entity inside the body (``""`` for the root, ``data``
    for an envelope). ``template`` is what the simulator renders; string values starting
    with ``$`` are placeholders (see :mod:`payconform.simulator.core`). ``unset_timestamp`` says
    how a timestamp that is not set yet reads (``$cancelled_at`` before a cancel): ``zero``
    or ``null``; by default ``0`` for unix timestamps and ``null`` for ISO 8601 ones.
    ``omit_when_null`` lists top-level fields the simulator leaves out, rather than printing
    ``null``, when they have no value (the vendor omits them). ``status_field`` None: the link
    carries no status field; each status's ``Status.fields`` show it (a boolean flag), or it has
    none and its state shows in whether it exists and in side effects (Square).
    ``cancelled_at_source`` backs "a successful cancel sets ``cancelled_at_field``" when its
    evidence differs from the cancel's.
    """

    path: str = ""
    envelope: dict[str, Any] = Field(default_factory=dict)
    id_field: str
    status_field: str | None
    cancelled_at_field: str | None = None
    cancelled_at_source: Source | None = None
    updated_at_field: str | None = None
    immutable_fields: tuple[str, ...] = ()
    timestamp_format: Literal["unix", "iso8601_z", "iso8601_ms_z", "iso8601_ist"]
    unset_timestamp: Literal["zero", "null"] | None = None
    omit_when_null: tuple[str, ...] = ()
    template: dict[str, Any]

    def paths_of(self, placeholder: str) -> tuple[str, ...]:
        """The dotted paths where the template renders ``placeholder`` (``$amount``,
        ``$currency``): where the link's amount or currency stands in its answers."""
        found: list[str] = []

        def walk(node: Any, prefix: str) -> None:
            if node == placeholder:
                found.append(prefix)
            elif isinstance(node, dict):
                for key, value in node.items():
                    walk(value, f"{prefix}.{key}" if prefix else str(key))
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    walk(value, f"{prefix}.{index}" if prefix else str(index))

        walk(self.template, "")
        return tuple(found)

    @model_validator(mode="after")
    def _check(self) -> EntitySpec:
        for name in (self.id_field, self.status_field or self.id_field, *self.immutable_fields):
            if name.split(".")[0] not in self.template:
                raise ValueError(f"field {name!r} is not in the entity template")
        return self


class CancelResponse(Frozen):
    """The body of a successful cancel when it is not the link (Square answers a delete with
    ``{id, cancelled_order_id}``): what the simulator renders, its schema, and the id field."""

    template: dict[str, Any]
    schema_file: str
    id_field: str = "id"
    source: Source


class SideEffect(Frozen):
    """Another resource a cancel changes (Square: the link's order becomes CANCELED).

    The link's entity names the resource at ``id_field`` (the simulator makes the id from
    ``id_template``); ``fetch`` reads it (``{id}`` is its id); ``field`` (dotted) of that body
    reads ``values[<link status>]``. The rules and the state machine check, after a successful
    cancel, that it reads the value for the cancelled status. ``template`` is what the
    simulator renders (``$related_id``, ``$value``).
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    fetch: Operation
    id_field: str
    id_template: str
    field: str
    values: dict[str, str]
    template: dict[str, Any]
    source: Source


class ErrorSpec(Frozen):
    """The error body: a template with the error object at ``path``, and how to read it.

    ``outcomes`` maps error codes (the ``code_field`` of the error object) to outcomes;
    ``message_outcomes`` maps exact messages (``message_field``) where one code covers many
    cases. ``http_outcomes`` is the fallback by HTTP status. Field names are dotted paths into
    the error object and may index lists (``details.0.issue``). ``http_status_field`` names a
    field that repeats the HTTP status of the response (the simulator fills it in).
    ``status_messages`` holds the one message a provider documents for every error of an HTTP
    status; the simulator's own refusals of bad input use it instead of describing the problem,
    and rule ``errors.status-message`` checks it (at ``source``'s evidence) on an error the
    suite provokes: only a 400, a create whose body is not an object.
    """

    path: str = ""
    template: dict[str, Any]
    code_field: str = "code"
    message_field: str = "message"
    http_status_field: str | None = None
    outcomes: dict[str, Outcome] = Field(default_factory=dict)
    message_outcomes: dict[str, Outcome] = Field(default_factory=dict)
    http_outcomes: dict[int, Outcome] = Field(default_factory=dict)
    status_messages: dict[int, str] = Field(default_factory=dict)
    schema_file: str
    source: Source

    @model_validator(mode="after")
    def _check(self) -> ErrorSpec:
        unprovoked = sorted(set(self.status_messages) - PROVOKED_STATUSES)
        if unprovoked:
            # A fact no rule can exercise would be a fact no test can fail.
            raise ValueError(f"status_messages: the suite provokes only HTTP "
                             f"{sorted(PROVOKED_STATUSES)} (a create whose body is not an "
                             f"object), not {unprovoked}")
        return self


class CreateSpec(Frozen):
    """How a link is created: the request body template and where the simulator reads it.

    Placeholders in ``body``: ``$new_id`` (a client-chosen id, when ``id_from`` is set),
    ``$amount``, ``$currency`` (a test link's ``amount`` in minor units and ``currency``, one
    the sandbox accepts), ``$amount_decimal`` (the same amount in major units as a string with
    two decimals, e.g. ``"1.00"``), ``$run_tag``, ``$expire_at``, ``$idempotency_key`` (a fresh
    UUID per create; a retry of the same request reuses it), and ``$credential.<name>`` for a
    non-secret credential (an account id the body must name). ``id_from`` names the request
    field holding a client-chosen id; otherwise the simulator generates one with
    ``id_prefix`` and ``id_length`` random characters, or renders ``id_template`` when set
    (``{utc:<strftime format>}`` is the creation time in UTC, ``{alnum:<n>}`` n random
    letters and digits, ``{ALNUM:<n>}`` upper case letters and digits, ``{hex:<n>}`` /
    ``{HEX:<n>}`` n random lower / upper case hex digits). ``id_max_length`` bounds ids.
    ``required_fields`` are dotted request paths the simulator refuses a create without.
    """

    operation: Operation
    body: dict[str, Any]
    amount: int = 100
    currency: str = "INR"
    #: The currency the provider assumes when a create names none (None: it is required).
    default_currency: str | None = None
    success_status: int = 200
    id_from: str | None = None
    id_prefix: str = ""
    id_length: int = 14
    id_max_length: int | None = None
    id_pattern: str | None = None
    id_template: str | None = None
    required_fields: tuple[str, ...] = ()
    amount_path: str
    currency_path: str
    tag_path: str | None = None
    #: A request field the provider documents as the create's idempotency key: a create
    #: repeated with the same value returns the first link instead of a second one.
    idempotency_field: str | None = None
    source: Source


class RateLimit(Frozen):
    """A documented request-rate limit; ``scope`` ``endpoint`` counts each operation (method
    and path) apart, ``account`` counts every call together. The live lane stays under it."""

    scope: Literal["endpoint", "account"]
    requests_per_minute: float = Field(gt=0)
    source: Source


class ApiVersion(Frozen):
    """One API version the contract accepts, with the entity schema it answers with."""

    name: str
    entity_schema_file: str
    template_overrides: dict[str, Any] = Field(default_factory=dict)
    source: Source


class Variant(Frozen):
    """A kind of link made through another endpoint (e.g. a charge), with its own cancel rule.

    The simulator keeps the variant on the link: it starts in ``initial_status``, renders
    ``template_overrides`` over the entity template, and a cancel of it answers ``cancel``
    whatever its status. Where ``reachable_by_api`` is False (the create call needs state a
    run cannot make, e.g. a vaulted card), a live run reads an existing one from
    ``fixture_env``; the simulator always creates it through ``create``.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    create: CreateSpec
    initial_status: str
    template_overrides: dict[str, Any] = Field(default_factory=dict)
    cancel: Expectation
    reachable_by_api: bool = True
    fixture_env: str | None = None
    source: Source


class Activation(Frozen):
    """A call that makes a new link cancellable (PayPal sends a draft invoice).

    Create leaves the link in ``from_status``; ``operation`` (with ``body``) moves it to the
    contract's ``initial_status``. The client makes the call right after every create.
    """

    operation: Operation
    body: dict[str, Any] | None = None
    from_status: str
    success_status: int = 200
    source: Source


class Reversal(Frozen):
    """The update that undoes a cancel (a deactivated link made active again).

    ``body`` sent to the cancel operation brings a cancelled link back to the initial status;
    rule ``state.reversible`` checks it at ``source``'s evidence.
    """

    body: dict[str, Any]
    source: Source


class FixtureLink(Frozen):
    """A user-named link in a status the API cannot reach, read from an env var."""

    status: str
    env: str


def dotted_get(data: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted path (``a.b``, ``details.0.issue``) of nested mappings and lists,
    or ``default``."""
    if not path:
        return data
    node = data
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node


def dotted_set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a dotted path, creating the mappings and lists on the way (a digit
    part indexes a list)."""
    parts = path.split(".")
    node: Any = data
    for part, after in itertools.pairwise(parts):
        fresh: Any = [] if after.isdigit() else {}
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(copy.deepcopy(fresh))
            if not isinstance(node[index], (dict, list)):
                node[index] = fresh
            node = node[index]
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = fresh
            node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value
