"""The contract model: frozen, validated declarations of a provider's cancel-link rules.

A contract is data. It names endpoints, auth, headers, statuses, the expected outcome of
every cancel scenario with its citation and evidence level, body templates the simulator
renders, and the JSON Schemas of success and error bodies. Invalid declarations fail at
load time with :class:`ContractError`, naming the provider and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from payconform.model.outcomes import REFUSALS, Evidence, Outcome, StatusKind

__all__ = [
    "ApiVersion",
    "Auth",
    "Candidate",
    "Contract",
    "ContractError",
    "CreateSpec",
    "EntitySpec",
    "ErrorSpec",
    "Expectation",
    "FixtureLink",
    "HeaderSpec",
    "Operation",
    "Source",
    "Status",
    "Variant",
    "build",
    "documented",
    "dotted_get",
    "inferred",
    "load_schema",
    "observed",
    "unverified",
]

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
TIMESTAMP_FORMATS = ("unix", "iso8601_z", "iso8601_ms_z", "iso8601_ist")


class ContractError(ValueError):
    """A contract declaration is invalid; the message names the provider and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
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


class Operation(_Frozen):
    """One HTTP operation; ``path`` is relative to the base URL and may hold ``{id}``."""

    method: str
    path: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Operation:
        if self.method not in HTTP_METHODS:
            raise ValueError(f"method must be one of {', '.join(HTTP_METHODS)}, not {self.method!r}")
        if not self.path.startswith("/"):
            raise ValueError(f"path must start with '/', got {self.path!r}")
        return self

    def url_path(self, link_id: str = "") -> str:
        """The path with ``{id}`` filled in (percent-encoding is the client's job)."""
        return self.path.replace("{id}", link_id)


class Candidate(_Frozen):
    """One plausible behaviour for an unverified expectation."""

    label: str
    outcome: Outcome
    http_status: int | None = None
    error: dict[str, str] = Field(default_factory=dict)


class Expectation(_Frozen):
    """What a request in one scenario should produce, each part with its own evidence.

    ``source`` backs the outcome (accepted or rejected, and which way); ``http_status_source``
    and ``error_source`` back the status code and the error fields when their evidence
    differs. ``error`` maps fields of the error object to exact values; ``{id}`` in a value
    stands for the link id of the request. For unverified expectations, ``candidates`` lists
    what the vendor might do; the simulator plays ``simulate`` (default: the first).
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
        return Candidate(
            label="expected", outcome=self.outcome, http_status=self.http_status, error=self.error
        )


class Status(_Frozen):
    """One wire status of a link and what it means."""

    name: str = Field(min_length=1)
    kind: StatusKind
    source: Source
    reachable_by_api: bool = False


class HeaderSpec(_Frozen):
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


class Auth(_Frozen):
    """How requests authenticate.

    ``scheme``: ``headers`` (each credential in its own header, ``headers`` maps header to
    credential), ``basic`` (``username`` / ``password`` credentials), or ``bearer_token``
    (client-credentials token endpoint; ``token_request`` maps body fields to credentials or
    ``=literal`` values). ``credentials`` maps credential names to the env vars that hold them.
    ``live_key_patterns`` are regexes on credential values that mean production keys;
    ``key_patterns_source`` backs both pattern lists when their evidence differs from
    ``source`` (e.g. a prefix rule relied on by public code but absent from the vendor docs).
    """

    scheme: Literal["headers", "basic", "bearer_token"]
    credentials: dict[str, str]
    secret_credentials: tuple[str, ...]
    headers: dict[str, str] = Field(default_factory=dict)
    username: str | None = None
    password: str | None = None
    token_endpoint: Operation | None = None
    token_request: dict[str, str] = Field(default_factory=dict)
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
        if self.scheme == "basic" and (self.username not in names or self.password not in names):
            raise ValueError("scheme 'basic' needs 'username' and 'password' credentials")
        if self.scheme == "bearer_token":
            if self.token_endpoint is None:
                raise ValueError("scheme 'bearer_token' needs 'token_endpoint'")
            for field, ref in self.token_request.items():
                if not ref.startswith("=") and ref not in names:
                    raise ValueError(f"token_request field {field!r} uses unknown credential {ref!r}")
        for pattern in self.live_key_patterns + self.sandbox_key_patterns:
            re.compile(pattern)
        return self


class EntitySpec(_Frozen):
    """Where the link lives in a success body and which of its fields matter.

    ``path`` is the dotted path of the entity inside the body (``""`` for the root, ``data``
    for an envelope). ``template`` is what the simulator renders; string values starting
    with ``$`` are placeholders (see :mod:`payconform.simulator.core`). ``unset_timestamp`` says
    how a timestamp that is not set yet reads (``$cancelled_at`` before a cancel): ``zero``
    or ``null``; by default ``0`` for unix timestamps and ``null`` for ISO 8601 ones.
    ``omit_when_null`` lists top-level fields the simulator leaves out, rather than printing
    ``null``, when they have no value (the vendor omits them).
    """

    path: str = ""
    envelope: dict[str, Any] = Field(default_factory=dict)
    id_field: str
    status_field: str
    cancelled_at_field: str | None = None
    updated_at_field: str | None = None
    immutable_fields: tuple[str, ...] = ()
    timestamp_format: Literal["unix", "iso8601_z", "iso8601_ms_z", "iso8601_ist"]
    unset_timestamp: Literal["zero", "null"] | None = None
    omit_when_null: tuple[str, ...] = ()
    template: dict[str, Any]

    @model_validator(mode="after")
    def _check(self) -> EntitySpec:
        for name in (self.id_field, self.status_field, *self.immutable_fields):
            if name.split(".")[0] not in self.template:
                raise ValueError(f"field {name!r} is not in the entity template")
        return self


class ErrorSpec(_Frozen):
    """The error body: a template with the error object at ``path``, and how to read it.

    ``outcomes`` maps error codes (the ``code_field`` of the error object) to outcomes;
    ``message_outcomes`` maps exact messages (``message_field``) where one code covers many
    cases. ``http_outcomes`` is the fallback by HTTP status.
    """

    path: str = ""
    template: dict[str, Any]
    code_field: str = "code"
    message_field: str = "message"
    outcomes: dict[str, Outcome] = Field(default_factory=dict)
    message_outcomes: dict[str, Outcome] = Field(default_factory=dict)
    http_outcomes: dict[int, Outcome] = Field(default_factory=dict)
    schema_file: str
    source: Source


class CreateSpec(_Frozen):
    """How a link is created: the request body template and where the simulator reads it.

    Placeholders in ``body``: ``$new_id`` (a client-chosen id, when ``id_from`` is set),
    ``$amount``, ``$currency``, ``$run_tag``, ``$expire_at``. ``id_from`` names the request
    field holding a client-chosen id; otherwise the simulator generates one with
    ``id_prefix`` and ``id_length`` random characters, or renders ``id_template`` when set
    (``{utc:<strftime format>}`` is the creation time in UTC, ``{alnum:<n>}`` n random
    letters and digits). ``id_max_length`` bounds ids. ``required_fields`` are dotted request
    paths the simulator refuses a create without.
    """

    operation: Operation
    body: dict[str, Any]
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
    source: Source


class ApiVersion(_Frozen):
    """One API version the contract accepts, with the entity schema it answers with."""

    name: str
    entity_schema_file: str
    template_overrides: dict[str, Any] = Field(default_factory=dict)
    source: Source


class Variant(_Frozen):
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


class FixtureLink(_Frozen):
    """A user-named link in a status the API cannot reach, read from an env var."""

    status: str
    env: str


class Contract(_Frozen):
    """Everything payconform knows about one provider's cancel-link API, with sources."""

    provider: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    display_name: str
    summary: str
    base_urls: dict[Literal["sandbox", "production"], str]
    base_url_source: Source
    production_hosts: tuple[str, ...]
    auth: Auth
    headers: tuple[HeaderSpec, ...] = ()
    api_versions: tuple[ApiVersion, ...]
    default_api_version: str
    statuses: tuple[Status, ...]
    initial_status: str
    cancelled_status: str
    create: CreateSpec
    fetch: Operation
    fetch_source: Source
    cancel: Operation
    cancel_source: Source
    cancel_body: dict[str, Any] | None = None
    cancel_success_status: int = 200
    cancel_outcomes: dict[str, Expectation]
    repeat_cancel: Expectation
    variants: tuple[Variant, ...] = ()
    unknown_id: Expectation
    unknown_id_example: str
    entity: EntitySpec
    error: ErrorSpec
    scrub_body_fields: tuple[str, ...] = ()
    #: Response headers besides Retry-After that say how many seconds to wait (0 = no wait).
    retry_hint_headers: tuple[str, ...] = ()
    fixtures: tuple[FixtureLink, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Contract:
        names = [s.name for s in self.statuses]
        if len(set(names)) != len(names):
            raise ValueError("statuses: duplicate status names")
        for label, status in (("initial_status", self.initial_status),
                              ("cancelled_status", self.cancelled_status)):
            if status not in names:
                raise ValueError(f"{label}: {status!r} is not one of the statuses {names}")
        for status in self.cancel_outcomes:
            if status not in names:
                raise ValueError(f"cancel_outcomes: {status!r} is not one of the statuses {names}")
        expected = set(names) - {self.cancelled_status}
        missing = expected - set(self.cancel_outcomes)
        if missing:
            raise ValueError(f"cancel_outcomes: no expectation for statuses {sorted(missing)}")
        if self.cancelled_status in self.cancel_outcomes:
            raise ValueError("cancel_outcomes: the cancelled status is covered by repeat_cancel")
        variant_names = [v.name for v in self.variants]
        if len(set(variant_names)) != len(variant_names):
            raise ValueError("variants: duplicate variant names")
        for variant in self.variants:
            if variant.initial_status not in names:
                raise ValueError(f"variants.{variant.name}.initial_status: {variant.initial_status!r} "
                                 f"is not one of the statuses {names}")
            if variant.cancel.is_success:
                # Only refused variants have a rule (cancel.not-cancellable); say so, never skip.
                raise ValueError(f"variants.{variant.name}.cancel: a cancellable variant has no rule")
        versions = [v.name for v in self.api_versions]
        if self.default_api_version not in versions:
            raise ValueError(f"default_api_version {self.default_api_version!r} not in {versions}")
        for url in self.base_urls.values():
            if not url.startswith("https://"):
                raise ValueError(f"base_urls: {url!r} must be an https URL")
        return self

    # ---- derived views -------------------------------------------------------------

    def status(self, name: str) -> Status:
        """The status called ``name``; raises KeyError naming the provider otherwise."""
        for status in self.statuses:
            if status.name == name:
                return status
        raise KeyError(f"{self.provider}: unknown status {name!r}")

    @property
    def status_names(self) -> tuple[str, ...]:
        """Every wire status, in declaration order."""
        return tuple(s.name for s in self.statuses)

    @property
    def cancellable_statuses(self) -> tuple[str, ...]:
        """Statuses whose cancel is expected (or, if unverified, simulated) to succeed."""
        return tuple(s for s, e in self.cancel_outcomes.items() if e.is_success)

    @property
    def terminal_statuses(self) -> tuple[str, ...]:
        """Statuses a link never leaves (paid, expired, cancelled, deleted), by their kind."""
        final = {StatusKind.PAID, StatusKind.EXPIRED, StatusKind.CANCELLED, StatusKind.DELETED}
        return tuple(s.name for s in self.statuses if s.kind in final)

    @property
    def rejected_statuses(self) -> tuple[str, ...]:
        """Non-cancelled statuses whose cancel is expected (or simulated) to be refused."""
        return tuple(s for s, e in self.cancel_outcomes.items() if not e.is_success)

    def variant(self, name: str) -> Variant:
        """The variant called ``name``; raises KeyError naming the provider otherwise."""
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise KeyError(f"{self.provider}: unknown link variant {name!r}")

    def api_version(self, name: str | None = None) -> ApiVersion:
        """The named API version, or the default."""
        wanted = name or self.default_api_version
        for version in self.api_versions:
            if version.name == wanted:
                return version
        raise KeyError(f"{self.provider}: unknown API version {wanted!r}")

    @property
    def required_headers(self) -> tuple[HeaderSpec, ...]:
        """Headers the provider documents as required (auth headers excluded)."""
        return tuple(h for h in self.headers if h.required)

    @property
    def checked_headers(self) -> tuple[HeaderSpec, ...]:
        """Headers with an expectation for a missing or malformed value (required or probed)."""
        return tuple(h for h in self.headers if h.missing is not None or h.invalid is not None)

    @property
    def idempotency_header(self) -> HeaderSpec | None:
        """The idempotency-key header the provider is known to honour (not unverified), if any."""
        for header in self.headers:
            if header.idempotency_key and header.source.evidence is not Evidence.UNVERIFIED:
                return header
        return None

    def fixture_env(self, status: str) -> str | None:
        """The env var naming a user's fixture link in ``status``, if the contract has one."""
        for fixture in self.fixtures:
            if fixture.status == status:
                return fixture.env
        return None

    def evidence_counts(self) -> dict[str, int]:
        """How many expectations of this contract sit at each evidence level."""
        counts = {e.value: 0 for e in Evidence}
        expectations: list[Expectation] = [*self.cancel_outcomes.values(), self.repeat_cancel,
                                           self.unknown_id, self.auth.missing, self.auth.invalid,
                                           *(v.cancel for v in self.variants)]
        for header in self.headers:
            expectations.extend(e for e in (header.missing, header.invalid) if e is not None)
        for exp in expectations:
            counts[exp.source.evidence.value] += 1
        return counts


def build(provider: str, **fields: Any) -> Contract:
    """Build a contract, turning validation errors into one :class:`ContractError`."""
    try:
        return Contract(provider=provider, **fields)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(contract)"
            problems.append(f"{where}: {err['msg']}")
        raise ContractError(f"contract {provider!r} is invalid: " + "; ".join(problems)) from None


def load_schema(name: str) -> dict[str, Any]:
    """A bundled JSON Schema from ``contracts/schemas`` by file name."""
    try:
        text = resources.files("payconform.contracts").joinpath("schemas", name).read_text("utf-8")
    except FileNotFoundError:
        raise ContractError(f"schema file {name!r} is not in contracts/schemas") from None
    data: dict[str, Any] = json.loads(text)
    return data


def dotted_get(data: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted path (``a.b``) of nested mappings, or ``default``."""
    if not path:
        return data
    node = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node
