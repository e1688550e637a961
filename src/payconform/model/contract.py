"""The contract model: frozen, validated declarations of a provider's cancel-link rules.

A contract is data. It names endpoints, auth, headers, statuses, the expected outcome of
every cancel scenario with its citation and evidence level, body templates the simulator
renders, and the JSON Schemas of success and error bodies. Invalid declarations fail at
load time with :class:`ContractError`, naming the provider and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from payconform.model.outcomes import Evidence, StatusKind
from payconform.model.parts import (
    Activation,
    ApiVersion,
    Auth,
    CancelResponse,
    Candidate,
    ContractError,
    CreateSpec,
    EntitySpec,
    ErrorSpec,
    Expectation,
    FixtureLink,
    Frozen,
    HeaderSpec,
    Operation,
    RateLimit,
    Reversal,
    SideEffect,
    Source,
    Status,
    Variant,
    documented,
    dotted_get,
    dotted_set,
    inferred,
    observed,
    unverified,
)

__all__ = [
    "Activation",
    "ApiVersion",
    "Auth",
    "CancelResponse",
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
    "RateLimit",
    "Reversal",
    "SideEffect",
    "Source",
    "Status",
    "Variant",
    "build",
    "documented",
    "dotted_get",
    "dotted_set",
    "inferred",
    "load_schema",
    "load_vendor_document",
    "observed",
    "unverified",
    "vendor_documents",
]


class Contract(Frozen):
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
    #: How request bodies (create, cancel, activation) are encoded: JSON, or form fields
    #: with bracketed nesting (``line_items[0][quantity]=1``).
    body_encoding: Literal["json", "form"] = "json"
    #: The media type of every answer (``application/hal+json``).
    content_type: str = "application/json"
    cancel_body: dict[str, Any] | None = None
    #: The cancel is an update of the link: only a request carrying ``cancel_body`` cancels;
    #: the same call with other fields is a plain update that changes no status.
    cancel_by_body: bool = False
    cancel_success_status: int = 200
    cancel_response: CancelResponse | None = None
    #: A successful cancel answers no body at all (a 204).
    cancel_no_body: bool = False
    #: What a fetch of a cancelled link answers when the cancel deletes it (None: the link
    #: stays readable and shows the cancelled status).
    cancelled_fetch: Expectation | None = None
    side_effects: tuple[SideEffect, ...] = ()
    activation: Activation | None = None
    reversal: Reversal | None = None
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
    rate_limits: tuple[RateLimit, ...] = ()
    fixtures: tuple[FixtureLink, ...] = ()
    #: The vendor's own OpenAPI documents for this API, file names in ``contracts/openapi``
    #: (default: any file there named after the provider).
    vendor_openapi: tuple[str, ...] = ()
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
        for effect in self.side_effects:
            unknown = set(effect.values) - set(names)
            if unknown or self.cancelled_status not in effect.values:
                raise ValueError(f"side_effects.{effect.name}.values: keys must be statuses and "
                                 f"include {self.cancelled_status!r} (unknown: {sorted(unknown)})")
        shown_by_fields = any(s.fields for s in self.statuses)
        if self.entity.status_field is None and self.cancelled_fetch is None and not shown_by_fields:
            raise ValueError("a link without a status field needs 'cancelled_fetch' or statuses "
                             "with 'fields': how else would a read show that it was cancelled?")
        deleted = self.status(self.cancelled_status).kind is StatusKind.DELETED
        if deleted and self.cancelled_fetch is None:
            raise ValueError("cancelled_fetch: a deleted cancelled status needs the answer to a "
                             "fetch of it")
        if deleted and not self.cancel_no_body and self.cancel_response is None:
            raise ValueError("a delete cannot answer the link it deleted: set cancel_no_body or "
                             "cancel_response")
        if self.cancel_by_body and self.cancel_body is None:
            raise ValueError("cancel_by_body needs cancel_body")
        if self.reversal is not None and self.cancel_body is None:
            raise ValueError("reversal: only an update-style cancel (cancel_body) can be reversed")
        if self.activation is not None and self.activation.from_status not in names:
            raise ValueError(f"activation.from_status: {self.activation.from_status!r} is not one "
                             f"of the statuses {names}")
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

    def status_of(self, entity: Any) -> str | None:
        """The status an entity shows: its status field's value, or the first status whose
        ``fields`` it carries; None when it shows none."""
        if not isinstance(entity, Mapping):
            return None
        field = self.entity.status_field
        if field is not None:
            value = dotted_get(entity, field)
            return value if isinstance(value, str) else None
        for status in self.statuses:
            if status.fields and status.shown_by(dict(entity)):
                return status.name
        return None

    @property
    def status_keys(self) -> tuple[str, ...]:
        """The entity fields that tell the status (the status field, or every status's fields)."""
        if self.entity.status_field is not None:
            return (self.entity.status_field,)
        return tuple(dict.fromkeys(k for s in self.statuses for k in s.fields))

    @property
    def created_status(self) -> str:
        """The status a create answers (before any activation)."""
        return self.activation.from_status if self.activation else self.initial_status

    @property
    def deletes(self) -> bool:
        """Whether a cancel deletes the link (a fetch afterwards answers ``cancelled_fetch``)."""
        return self.cancelled_fetch is not None

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

    @property
    def cancel_idempotency_header(self) -> HeaderSpec | None:
        """The idempotency header when it also covers the cancel's method (``idempotent_methods``
        empty or naming it): only then may a cancel whose answer was lost be sent again."""
        header = self.idempotency_header
        if header is None or (header.idempotent_methods
                              and self.cancel.method not in header.idempotent_methods):
            return None
        return header

    def side_effect(self, name: str) -> SideEffect:
        """The side effect called ``name``; KeyError names the provider otherwise."""
        for effect in self.side_effects:
            if effect.name == name:
                return effect
        raise KeyError(f"{self.provider}: unknown side effect {name!r}")

    def fixture_env(self, status: str) -> str | None:
        """The env var naming a user's fixture link in ``status``, if the contract has one."""
        for fixture in self.fixtures:
            if fixture.status == status:
                return fixture.env
        return None

    def evidence_counts(self) -> dict[str, int]:
        """How many expectations of this contract sit at each evidence level."""
        counts = {e.value: 0 for e in Evidence}
        for _, exp in self.expectations():
            counts[exp.source.evidence.value] += 1
        return counts

    # ---- expectations by path ---------------------------------------------------------

    def expectations(self) -> list[tuple[str, Expectation]]:
        """Every expectation with its path: ``cancel_outcomes.<status>``, ``repeat_cancel``,
        ``unknown_id``, ``auth.missing``, ``auth.invalid``, ``variants.<name>.cancel``,
        ``headers.<name>.missing`` / ``headers.<name>.invalid``."""
        out: list[tuple[str, Expectation]] = [
            *((f"cancel_outcomes.{s}", e) for s, e in self.cancel_outcomes.items()),
            ("repeat_cancel", self.repeat_cancel), ("unknown_id", self.unknown_id),
            *((("cancelled_fetch", self.cancelled_fetch),) if self.cancelled_fetch else ()),
            ("auth.missing", self.auth.missing), ("auth.invalid", self.auth.invalid),
            *((f"variants.{v.name}.cancel", v.cancel) for v in self.variants)]
        for header in self.headers:
            out.extend((f"headers.{header.name}.{kind}", e) for kind, e in
                       (("missing", header.missing), ("invalid", header.invalid)) if e is not None)
        return out

    def expectation_at(self, path: str) -> Expectation:
        """The expectation at ``path`` (see :meth:`expectations`); KeyError names the paths."""
        for name, exp in self.expectations():
            if name == path:
                return exp
        known = ", ".join(name for name, _ in self.expectations())
        raise KeyError(f"{self.provider}: no expectation {path!r}; known: {known}")

    def path_of(self, expectation: Expectation) -> str | None:
        """The path of this very expectation object in the contract, if it is one of its own."""
        return next((name for name, exp in self.expectations() if exp is expectation), None)

    def with_expectation(self, path: str, new: Expectation) -> Contract:
        """A copy of the contract with the expectation at ``path`` replaced."""
        self.expectation_at(path)  # raises for an unknown path
        head, _, rest = path.partition(".")
        if head == "cancel_outcomes":
            return self.model_copy(update={"cancel_outcomes": {**self.cancel_outcomes, rest: new}})
        if head in ("repeat_cancel", "unknown_id", "cancelled_fetch"):
            return self.model_copy(update={head: new})
        if head == "auth":
            return self.model_copy(update={"auth": self.auth.model_copy(update={rest: new})})
        name, _, kind = rest.rpartition(".")
        if head == "variants":
            return self.model_copy(update={"variants": tuple(
                v.model_copy(update={"cancel": new}) if v.name == name else v
                for v in self.variants)})
        return self.model_copy(update={"headers": tuple(
            h.model_copy(update={kind: new}) if h.name == name else h for h in self.headers)})

    def playing(self, path: str, candidate: int) -> Contract:
        """A copy whose simulator plays candidate number ``candidate`` (0-based) of the
        unverified expectation at ``path``: a rehearsal of what the vendor might do."""
        exp = self.expectation_at(path)
        if exp.source.evidence is not Evidence.UNVERIFIED:
            raise ValueError(f"{self.provider}: {path} is {exp.source.evidence.value}, not "
                             "unverified: it has no candidates to choose from")
        if not 0 <= candidate < len(exp.candidates):
            raise ValueError(f"{self.provider}: {path} has {len(exp.candidates)} candidates; "
                             f"there is no candidate {candidate + 1}")
        return self.with_expectation(path, exp.model_copy(update={"simulate": candidate}))


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


#: Folders searched before the bundled ``contracts/schemas``: those beside the modules of
#: contracts of one's own (filled by the registry), so a team's revision of a bundled
#: contract can bring revised schemas under the same names.
_SCHEMA_DIRS: list[Path] = []


def add_schema_dir(folder: Path) -> None:
    """Search ``folder`` for schema files before the bundled ones (idempotent)."""
    if folder not in _SCHEMA_DIRS:
        _SCHEMA_DIRS.append(folder)


def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema by file name: from the folders beside contract modules of one's own,
    else from the bundled ``contracts/schemas``."""
    for folder in _SCHEMA_DIRS:
        if (folder / name).is_file():
            text = (folder / name).read_text("utf-8")
            break
    else:
        try:
            text = resources.files("payconform.contracts").joinpath("schemas", name).read_text("utf-8")
        except FileNotFoundError:
            places = ", ".join([*map(str, _SCHEMA_DIRS), "contracts/schemas"])
            raise ContractError(f"schema file {name!r} is in none of: {places}") from None
    try:
        data: dict[str, Any] = json.loads(text)
    except ValueError as exc:
        raise ContractError(f"schema file {name!r} is not JSON: {exc}") from None
    return data


def vendor_documents(contract: Contract) -> list[str]:
    """The vendor OpenAPI files of ``contract`` in ``contracts/openapi``: those it names in
    ``vendor_openapi``, else every ``.json`` file there whose name starts with the provider."""
    folder = resources.files("payconform.contracts").joinpath("openapi")
    if contract.vendor_openapi:
        return list(contract.vendor_openapi)
    if not folder.is_dir():
        return []
    return sorted(f.name for f in folder.iterdir()
                  if f.name.startswith(contract.provider) and f.name.endswith(".json"))


def load_vendor_document(name: str) -> dict[str, Any]:
    """A vendor OpenAPI document from ``contracts/openapi`` by file name."""
    path = resources.files("payconform.contracts").joinpath("openapi", name)
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ContractError(f"vendor OpenAPI {name!r} is not in contracts/openapi") from None
    return data
