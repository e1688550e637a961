"""JSON Schema validation of provider bodies, each violation with the evidence of its constraint.

A schema constraint (``type``, ``required``, ``enum``, ``const``, ``pattern``, ``format``, ...)
is a documented fact only where a vendor artefact states it. A schema marks the others in the
subschema that holds them::

    "x-inferred": {"format": "why it is only inferred (source)",
                   "required": {"link_status": "why", "...": "..."}}

``required`` takes a reason per property (or one string for all). Every unmarked constraint is
documented, backed by the schema's top-level ``x-source``. :func:`schema_findings` reports each
violation with its keyword, its evidence and that citation, so a rule FAILs only for a broken
documented constraint and WARNs for an inferred one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from payconform.model.contract import load_schema
from payconform.model.outcomes import Evidence

__all__ = ["SchemaFinding", "schema_errors", "schema_findings", "schema_overrides", "validator"]

# RFC 3339 date-time; jsonschema only enforces the format when a checker library is present,
# so payconform brings its own rule to make the check independent of optional extras.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_FORMATS = FormatChecker(formats=())
_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")


def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_RFC3339.match(value))


_FORMATS.checks("date-time")(_date_time)


_OVERRIDES: ContextVar[Mapping[str, dict[str, Any]] | None] = ContextVar("schema_overrides",
                                                                         default=None)


@contextmanager
def schema_overrides(schemas: Mapping[str, dict[str, Any]]) -> Iterator[None]:
    """Within the block, validate against ``schemas`` (by file name) instead of the bundled files.

    Contract mutants change one schema constraint and let the guards judge the result.
    """
    token = _OVERRIDES.set(schemas)
    try:
        yield
    finally:
        _OVERRIDES.reset(token)


@dataclass(frozen=True)
class SchemaFinding:
    """One violated schema constraint, with the evidence behind the constraint."""

    path: str  # where in the body, "/"-joined ("(root)" for the body itself)
    keyword: str  # the JSON Schema keyword that failed (required, enum, type, ...)
    message: str
    evidence: Evidence  # DOCUMENTED or INFERRED
    citation: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.keyword}, {self.evidence.value}: {self.citation}]"


def validator(schema_file: str) -> Draft202012Validator:
    """The validator of a bundled schema file (or of its override, see schema_overrides)."""
    override = (_OVERRIDES.get() or {}).get(schema_file)
    if override is not None:
        return Draft202012Validator(override, format_checker=_FORMATS)
    return _bundled(schema_file)


@cache
def _bundled(schema_file: str) -> Draft202012Validator:
    schema = load_schema(schema_file)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_FORMATS)


@cache
def _bundled_fast(schema_file: str) -> jsonschema_rs.Validator:
    return _fast(load_schema(schema_file))


def _fast(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    # The compiled validator answers only "valid or not"; a body it refuses goes to the
    # Python validator, whose errors carry the schema node (and its x-inferred marks). It
    # checks every format it knows (stricter than the Python side's date-time only), which
    # can only send a body to the slow path, never pass one the Python validator refuses
    # (tests/test_schema_fast_path.py).
    return jsonschema_rs.validator_for(schema, formats={"date-time": _date_time},
                                       validate_formats=True)


def _valid_fast(schema_file: str, body: Any) -> bool:
    override = (_OVERRIDES.get() or {}).get(schema_file)
    if override is None:
        return _bundled_fast(schema_file).is_valid(body)
    try:
        return _fast(override).is_valid(body)
    except jsonschema_rs.ValidationError:
        # A contract mutant may not be a valid schema (a duplicated type); the Python
        # validator, which does not check the schema itself, judges it as before.
        return False


def _inferred_reason(error: ValidationError) -> str | None:
    marks = error.schema.get("x-inferred", {}) if isinstance(error.schema, dict) else {}
    reason = marks.get(error.validator)
    if error.validator == "required" and isinstance(reason, dict):
        match = _REQUIRED.match(error.message)
        return reason.get(match["name"]) if match else None
    return reason if isinstance(reason, str) else None


def schema_findings(schema_file: str, body: Any) -> list[SchemaFinding]:
    """Every violation of ``body`` against ``schema_file``, documented ones first."""
    if _valid_fast(schema_file, body):
        return []
    source = validator(schema_file).schema.get("x-source", schema_file)
    out = []
    for error in validator(schema_file).iter_errors(body):
        reason = _inferred_reason(error)
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        out.append(SchemaFinding(
            path=where,
            keyword=str(error.validator),
            message=error.message,
            evidence=Evidence.INFERRED if reason is not None else Evidence.DOCUMENTED,
            citation=reason if reason is not None else source,
        ))
    order = [Evidence.DOCUMENTED, Evidence.INFERRED]
    return sorted(out, key=lambda f: (order.index(f.evidence), f.path))


def schema_errors(schema_file: str, body: Any, *, limit: int = 5,
                  documented_only: bool = False) -> list[str]:
    """Human-readable violations of ``body`` (empty when it validates).

    Every constraint counts unless ``documented_only``: the simulator renders bodies that meet
    the inferred (strict) constraints too.
    """
    findings = [f for f in schema_findings(schema_file, body)
                if not documented_only or f.evidence is Evidence.DOCUMENTED]
    out = [f"{f.path}: {f.message}" for f in findings[:limit]]
    if len(findings) > limit:
        out.append(f"... and {len(findings) - limit} more")
    return out
