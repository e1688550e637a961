"""JSON Schema validation of provider bodies, with strict ``date-time`` checking."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from payconform.model.contract import load_schema

__all__ = ["schema_errors", "schema_overrides", "validator"]

# RFC 3339 date-time; jsonschema only enforces the format when a checker library is present,
# so payconform brings its own rule to make the check independent of optional extras.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_FORMATS = FormatChecker(formats=())


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


def schema_errors(schema_file: str, body: Any, *, limit: int = 5) -> list[str]:
    """Human-readable schema violations of ``body`` (empty when it validates)."""
    errors = sorted(validator(schema_file).iter_errors(body), key=lambda e: list(e.path))
    out = []
    for error in errors[:limit]:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        out.append(f"{where}: {error.message}")
    if len(errors) > limit:
        out.append(f"... and {len(errors) - limit} more")
    return out
