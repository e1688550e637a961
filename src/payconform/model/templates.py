"""Contract body templates and generated values: placeholders, ids, timestamps.

A template string that is exactly ``$name`` is replaced by a typed value; ``${name}`` inside a
longer string is interpolated. Names: ``id``, ``status``, ``amount``, ``currency``,
``amount_paid``, ``amount_due``, ``seq``, ``seq_str``, ``created_at``, ``updated_at``,
``cancelled_at``, ``expire_at``, ``token``, ``livemode``, and ``req.<dotted path>`` for a
value echoed from the create request.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from payconform.model.contract import dotted_get

__all__ = ["fill_template", "new_request_id", "random_alnum", "render_id", "stamp"]

_IST = timezone(timedelta(hours=5, minutes=30))
_ALNUM = string.ascii_letters + string.digits

_ID_PART = re.compile(r"\{(utc|alnum|ALNUM|hex|HEX):([^}]*)\}")


def random_alnum(length: int) -> str:
    """``length`` random letters and digits (server-generated id parts)."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def render_id(template: str, epoch: float) -> str:
    """A server-generated id from ``CreateSpec.id_template`` (``{utc:FMT}``, ``{alnum:N}``,
    ``{hex:N}``)."""

    def part(match: re.Match[str]) -> str:
        kind, arg = match.groups()
        if kind == "utc":
            return datetime.fromtimestamp(epoch, UTC).strftime(arg)
        if kind == "ALNUM":
            return "".join(secrets.choice(string.ascii_uppercase + string.digits)
                           for _ in range(int(arg)))
        if kind in ("hex", "HEX"):
            digits = secrets.token_hex((int(arg) + 1) // 2)[: int(arg)]
            return digits.upper() if kind == "HEX" else digits
        return random_alnum(int(arg))

    return _ID_PART.sub(part, template)


def stamp(epoch: float | None, fmt: str) -> Any:
    if epoch is None:
        return None
    if fmt == "unix":
        return int(epoch)
    moment = datetime.fromtimestamp(epoch, UTC)
    if fmt == "iso8601_ist":
        return moment.astimezone(_IST).isoformat(timespec="seconds")
    if fmt == "iso8601_ms_z":
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


_INTERP = re.compile(r"\$\{([a-z_.]+)\}")


def fill_template(template: Any, values: Mapping[str, Any], request: Mapping[str, Any]) -> Any:
    """Resolve ``$name`` / ``${name}`` placeholders in a template (see the module docstring)."""

    def lookup(name: str) -> Any:
        if name.startswith("req."):
            return copy.deepcopy(dotted_get(request, name[4:]))
        if name not in values:
            raise KeyError(f"unknown template placeholder ${name}")
        return values[name]

    if isinstance(template, dict):
        return {k: fill_template(v, values, request) for k, v in template.items()}
    if isinstance(template, list):
        return [fill_template(v, values, request) for v in template]
    if isinstance(template, str):
        if template.startswith("$") and not template.startswith("${") and " " not in template:
            return lookup(template[1:])
        return _INTERP.sub(lambda m: str(lookup(m.group(1))), template)
    return template


def new_request_id() -> str:
    """A fresh request id (used by clients for ``uuid``-valued headers)."""
    return str(uuid.uuid4())
