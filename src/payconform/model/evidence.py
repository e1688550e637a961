"""The vendor evidence corpus: public bodies and statements that did not come from the simulator.

Each contract may have a folder ``contracts/evidence/<provider>/`` holding JSON bodies copied
verbatim from vendor artefacts (docs pages, official SDK fixtures and docs, official OpenAPI
examples, captured sandbox answers) and a ``manifest.yaml`` that says, per body, where it comes
from, which operation answered it, its HTTP status when the source states it, its API version
and which contract expectations it is an answer of. ``statements`` record vendor sentences
that fix a status, an error or a refusal without a body.

:func:`judge` compares a contract with its corpus and returns every contradiction. The corpus
is independent of the contract: a contract edit that breaks a vendor fact shows up here even
though the simulator, the rules and the simulator cassettes all follow the contract.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from payconform.model.contract import Contract, ContractError, Expectation, dotted_get
from payconform.model.outcomes import REFUSALS, Evidence, Outcome
from payconform.model.schemas import SchemaFinding, schema_findings

__all__ = [
    "BodyEntry",
    "Contradiction",
    "Corpus",
    "Statement",
    "corpus_for",
    "corpus_providers",
    "expectation_at",
    "expectation_keys",
    "judge",
]

_MISSING = re.compile(r"^'(?P<name>.+)' is a required property$")

Operation = Literal["create", "fetch", "update", "list", "cancel", "error"]
Kind = Literal["documented", "openapi-example", "sdk-docs", "sdk-mock", "captured"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BodyEntry(_Frozen):
    """One vendor body: where it comes from and what it is an answer of."""

    file: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*\.json$")
    kind: Kind
    provenance: str = Field(min_length=10)
    operation: Operation
    http_status: int | None = None
    http_status_provenance: str = ""
    api_version: str | None = None
    # Contract expectations this body answers (``cancel_outcomes.PAID``, ``repeat_cancel``, ...);
    # empty: the body is only checked against the schema of its operation.
    exemplifies: tuple[str, ...] = ()
    # A list body: the dotted path of the array whose items are entities.
    items: str | None = None
    # Properties the schema requires that this body lacks because it copies an older vendor
    # artefact (written before the field existed, or an example the vendor later completed):
    # property -> the public source that shows it. Their absence is a note, not a contradiction.
    predates: dict[str, str] = Field(default_factory=dict)
    note: str = ""

    @field_validator("api_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        # YAML reads an unquoted 2023-08-01 as a date; a version is its text.
        return value if value is None else str(value)


class Statement(_Frozen):
    """A vendor sentence that fixes a status, error fields or a refusal, without a body.

    ``exemplifies`` names expectations; ``applies_to_error`` instead selects every expectation
    (and candidate) whose error fields carry these values (e.g. an error ``type``).
    """

    provenance: str = Field(min_length=10)
    quote: str = Field(min_length=3)
    exemplifies: tuple[str, ...] = ()
    applies_to_error: dict[str, str] = Field(default_factory=dict)
    http_status: int | None = None
    error: dict[str, str] = Field(default_factory=dict)
    refused: bool | None = None


class _Manifest(_Frozen):
    provider: str
    bodies: tuple[BodyEntry, ...] = ()
    statements: tuple[Statement, ...] = ()
    # Set only when the vendor publishes no body at all: where one looked.
    no_published_body: str = ""


@dataclass(frozen=True)
class Corpus:
    """One provider's evidence folder."""

    provider: str
    bodies: tuple[BodyEntry, ...]
    statements: tuple[Statement, ...]
    folder: Traversable
    #: Where one looked, when the vendor publishes no body (then ``bodies`` is empty).
    no_published_body: str = ""

    def read(self, entry: BodyEntry) -> Any:
        """The parsed body of ``entry``; raises ContractError naming the file if it is missing."""
        path = self.folder.joinpath(entry.file)
        if not path.is_file():
            raise ContractError(f"evidence/{self.provider}: {entry.file} is listed in the manifest "
                                "but missing")
        return json.loads(path.read_text("utf-8"))

    def files(self) -> set[str]:
        """Every JSON file in the folder (listed or not)."""
        return {p.name for p in self.folder.iterdir() if p.name.endswith(".json")}


def _root() -> Traversable:
    return resources.files("payconform.contracts").joinpath("evidence")


def corpus_providers() -> list[str]:
    """Providers with an evidence folder, sorted."""
    root = _root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


@cache
def corpus_for(provider: str) -> Corpus | None:
    """The provider's corpus, or None when it has no evidence folder."""
    folder = _root().joinpath(provider)
    if not folder.is_dir():
        return None
    manifest = folder.joinpath("manifest.yaml")
    if not manifest.is_file():
        raise ContractError(f"evidence/{provider}: the folder has no manifest.yaml")
    try:
        data = _Manifest.model_validate(yaml.safe_load(manifest.read_text("utf-8")))
    except ValidationError as exc:
        raise ContractError(f"evidence/{provider}/manifest.yaml is invalid: {exc}") from None
    if data.provider != provider:
        raise ContractError(f"evidence/{provider}/manifest.yaml names provider {data.provider!r}")
    return Corpus(provider, data.bodies, data.statements, folder, data.no_published_body)


# ---- expectations by key -----------------------------------------------------------------------


def expectation_keys(contract: Contract) -> dict[str, Expectation]:
    """Every expectation of a contract under the key a manifest uses for it."""
    out: dict[str, Expectation] = {f"cancel_outcomes.{s}": e for s, e in contract.cancel_outcomes.items()}
    out["repeat_cancel"] = contract.repeat_cancel
    out["unknown_id"] = contract.unknown_id
    out["auth.missing"] = contract.auth.missing
    out["auth.invalid"] = contract.auth.invalid
    for header in contract.headers:
        for problem in ("missing", "invalid"):
            exp = getattr(header, problem)
            if exp is not None:
                out[f"headers.{header.name}.{problem}"] = exp
    for variant in contract.variants:
        out[f"variants.{variant.name}.cancel"] = variant.cancel
    return out


def expectation_at(contract: Contract, key: str) -> Expectation:
    """The expectation a manifest key names; KeyError listing the valid keys otherwise."""
    keys = expectation_keys(contract)
    if key not in keys:
        raise KeyError(f"{contract.provider}: no expectation {key!r}; one of {sorted(keys)}")
    return keys[key]


# ---- judging a contract against its corpus -----------------------------------------------------


@dataclass(frozen=True)
class Contradiction:
    """A place where the contract is stricter than, or disagrees with, vendor evidence."""

    provider: str
    where: str  # the body file or the statement's provenance
    fact: str  # the contract fact, e.g. "repeat_cancel.http_status" or "schema required"
    message: str

    def __str__(self) -> str:
        return f"{self.provider}: {self.fact}: {self.message} (evidence: {self.where})"


def _is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _error_object(contract: Contract, body: Any) -> dict[str, Any]:
    node = dotted_get(body, contract.error.path) if contract.error.path else body
    return node if isinstance(node, dict) else {}


def _classify(contract: Contract, error: dict[str, Any], status: int | None) -> Outcome | None:
    """The outcome the contract's error mapping gives a vendor error body."""
    spec = contract.error
    message = error.get(spec.message_field)
    if isinstance(message, str) and message in spec.message_outcomes:
        return spec.message_outcomes[message]
    code = error.get(spec.code_field)
    if isinstance(code, str) and code in spec.outcomes:
        return spec.outcomes[code]
    if status is not None and status in spec.http_outcomes:
        return spec.http_outcomes[status]
    return None


def _judge_answer(contract: Contract, key: str, exp: Expectation, where: str, *,
                  http_status: int | None, error: dict[str, Any] | None,
                  refused: bool | None, entity: dict[str, Any] | None,
                  partial: bool = False) -> list[Contradiction]:
    """Contradictions between one expectation and one vendor answer (body or statement).

    A body carries its whole error object; a statement (``partial``) only the fields it quotes.
    """
    found: list[Contradiction] = []

    def bad(fact: str, message: str) -> None:
        found.append(Contradiction(contract.provider, where, f"{key}.{fact}", message))

    if refused is None and http_status is not None:
        refused = not _is_success(http_status)
    if exp.source.evidence is Evidence.UNVERIFIED:
        # The vendor answer must be one of the candidates, and the simulator must play one
        # that agrees with it (otherwise the vendor's own behaviour is refused by the double).
        def agrees(cand_status: int | None, cand_error: dict[str, str], cand_refused: bool) -> bool:
            if refused is not None and cand_refused != refused:
                return False
            if http_status is not None and cand_status is not None and cand_status != http_status:
                return False
            return not (error is not None and any(
                "{id}" not in v and error.get(k) != v for k, v in cand_error.items()
                if not partial or k in error))

        matching = [c for c in exp.candidates
                    if agrees(c.http_status, c.error, c.outcome.value in REFUSALS)]
        if not matching:
            bad("candidates", f"the vendor answer (HTTP {http_status}, refused={refused}, error "
                f"{error}) matches none of the candidates {[c.label for c in exp.candidates]}")
        else:
            played = exp.played
            if not agrees(played.http_status, played.error, played.outcome.value in REFUSALS):
                bad("simulate", f"the simulator plays {played.label!r}, which the vendor answer "
                    f"contradicts; it matches {matching[0].label!r}")
        return found
    expected_refused = exp.outcome.value in REFUSALS
    if refused is not None and refused != expected_refused:
        bad("outcome", f"the contract expects {exp.outcome.value}, the vendor answer is "
            f"{'a refusal' if refused else 'a success'}")
        return found
    if http_status is not None and exp.http_status is not None and http_status != exp.http_status:
        bad("http_status", f"contract {exp.http_status}, vendor {http_status}")
    if error is not None and exp.error:
        for field_name, value in exp.error.items():
            if "{id}" in value or (partial and field_name not in error):
                continue
            got = error.get(field_name)
            if got != value:
                bad(f"error.{field_name}", f"contract {value!r}, vendor {got!r}")
        if expected_refused and exp.outcome not in (Outcome.REJECTED,):
            got_outcome = _classify(contract, error, http_status)
            if got_outcome is not None and got_outcome is not exp.outcome:
                bad("outcome", f"the contract reads the vendor error as {got_outcome.value}, "
                    f"but expects {exp.outcome.value}")
    if entity is not None and not expected_refused and contract.entity.status_field is not None \
            and contract.cancel_response is None:
        status = entity.get(contract.entity.status_field)
        want = contract.cancelled_status
        if status != want:
            bad("entity status", f"a successful cancel shows {want!r}, the vendor body "
                f"{status!r}")
    return found


def _is_error(contract: Contract, entry: BodyEntry) -> bool:
    return entry.operation == "error" or (
        entry.http_status is not None and not _is_success(entry.http_status))


def _schema_file(contract: Contract, entry: BodyEntry) -> str:
    if _is_error(contract, entry):
        return contract.error.schema_file
    if entry.operation == "cancel" and contract.cancel_response is not None:
        # The cancel answers with its own body (e.g. Square's {id, cancelled_order_id}).
        return contract.cancel_response.schema_file
    return contract.api_version(entry.api_version).entity_schema_file


def _missing_property(finding: SchemaFinding) -> str | None:
    match = _MISSING.match(finding.message)
    return match["name"] if finding.keyword == "required" and match else None


def _judge_body(contract: Contract, corpus: Corpus, entry: BodyEntry,
                keys: dict[str, Expectation], notes: list[str]) -> list[Contradiction]:
    where = f"evidence/{corpus.provider}/{entry.file}"
    try:
        body = corpus.read(entry)
    except ContractError as exc:
        return [Contradiction(contract.provider, where, "corpus", str(exc))]
    found: list[Contradiction] = []
    is_error = _is_error(contract, entry)
    schema_file = _schema_file(contract, entry)
    # A schema of an API version whose shape is itself only inferred can only WARN.
    soft_version = (not is_error and contract.api_version(entry.api_version).source.evidence
                    not in (Evidence.DOCUMENTED, Evidence.OBSERVED))
    instances: list[tuple[str, Any]] = [(where, body)]
    if entry.items is not None:
        listed = dotted_get(body, entry.items)
        if not isinstance(listed, list):
            return [Contradiction(contract.provider, where, "corpus",
                                  f"items path {entry.items!r} is not a list")]
        instances = [(f"{where} {entry.items}[{i}]", item) for i, item in enumerate(listed)]
    predated: set[str] = set()
    for label, instance in instances:
        for finding in schema_findings(schema_file, instance):
            missing = _missing_property(finding)
            if missing is not None and missing in entry.predates:
                predated.add(missing)
                notes.append(f"{label}: {schema_file} {finding}; the body predates it: "
                             f"{entry.predates[missing]}")
            elif finding.evidence is Evidence.INFERRED or soft_version:
                notes.append(f"{label}: {schema_file} {finding}")
            else:
                found.append(Contradiction(contract.provider, label,
                                           f"schema {finding.keyword}", f"{schema_file} {finding}"))
        if not is_error:
            node = dotted_get(instance, contract.entity.path) if contract.entity.path else instance
            field = contract.entity.status_field
            status = node.get(field) if isinstance(node, dict) and field else None
            if status is not None and status not in contract.status_names:
                found.append(Contradiction(contract.provider, label, "statuses",
                                           f"wire status {status!r} is not one of "
                                           f"{list(contract.status_names)}"))
    for name in sorted(set(entry.predates) - predated):
        found.append(Contradiction(contract.provider, where, "corpus",
                                   f"predates lists {name!r}, but {schema_file} does not miss it "
                                   "in this body"))
    for key in entry.exemplifies:
        if key not in keys:
            found.append(Contradiction(contract.provider, where, key,
                                       f"no such expectation (one of {sorted(keys)})"))
            continue
        entity = None
        if not is_error and entry.operation == "cancel":
            node = dotted_get(body, contract.entity.path) if contract.entity.path else body
            entity = node if isinstance(node, dict) else None
        found += _judge_answer(contract, key, keys[key], where, http_status=entry.http_status,
                               error=_error_object(contract, body) if is_error else None,
                               refused=is_error, entity=entity)
    return found


def _judge_error_claims(contract: Contract, statements: tuple[Statement, ...],
                        keys: dict[str, Expectation]) -> list[Contradiction]:
    """Expectations and candidates carrying a claimed error must use a status a vendor states."""
    claims: dict[tuple[tuple[str, str], ...], list[Statement]] = {}
    for statement in statements:
        if statement.applies_to_error and statement.http_status is not None:
            claims.setdefault(tuple(sorted(statement.applies_to_error.items())), []).append(statement)
    found: list[Contradiction] = []
    for claim, said in claims.items():
        allowed = sorted({s.http_status for s in said if s.http_status is not None})
        wanted = dict(claim)
        for key, exp in keys.items():
            behaviours: list[tuple[str, int | None, dict[str, str]]] = []
            if exp.source.evidence is not Evidence.UNVERIFIED:
                behaviours.append((key, exp.http_status, exp.error))
            behaviours += [(f"{key} candidate {c.label!r}", c.http_status, c.error)
                           for c in exp.candidates]
            for label, status, error in behaviours:
                if any(error.get(k) != v for k, v in wanted.items()):
                    continue
                if status is not None and status not in allowed:
                    found.append(Contradiction(
                        contract.provider, "; ".join(s.provenance for s in said),
                        f"{label}.http_status",
                        f"contract {status}, vendor {allowed} for errors with {wanted}"))
    return found


def judge(contract: Contract, corpus: Corpus) -> tuple[list[Contradiction], list[str]]:
    """Contradictions between a contract and its corpus, and the inferred-constraint notes.

    A contradiction is a missing corpus file, a documented schema constraint a vendor body
    breaks, or an expectation (status, error field, refusal, cancelled status, the candidate
    the simulator plays) a vendor answer disagrees with. A vendor body that breaks an inferred
    schema constraint is a note: such a constraint may only WARN.
    """
    keys = expectation_keys(contract)
    found: list[Contradiction] = []
    notes: list[str] = []
    for entry in corpus.bodies:
        found += _judge_body(contract, corpus, entry, keys, notes)
    for statement in corpus.statements:
        for key in statement.exemplifies:
            if key not in keys:
                found.append(Contradiction(contract.provider, statement.provenance, key,
                                           f"no such expectation (one of {sorted(keys)})"))
                continue
            found += _judge_answer(contract, key, keys[key], statement.provenance,
                                   http_status=statement.http_status,
                                   error=dict(statement.error) or None,
                                   refused=statement.refused, entity=None, partial=True)
    found += _judge_error_claims(contract, corpus.statements, keys)
    return found, notes
