"""Contract body templates and generated values: placeholders, ids, timestamps.

A template string that is exactly ``$name`` is replaced by a typed value; ``${name}`` inside a
longer string is interpolated. Names: ``id``, ``status``, ``amount``, ``currency``,
``amount_paid``, ``amount_due``, ``seq``, ``seq_str``, ``created_at``, ``updated_at``,
``cancelled_at``, ``expire_at``, ``token``, ``livemode``, and ``req.<dotted path>`` for a
value echoed from the create request (``null`` when it has none), or ``req?.<dotted path>``
for an optional field left out of the answer when the request has none.

Form bodies (``Contract.body_encoding = "form"``) nest with brackets, as Stripe's clients
send them: ``line_items[0][price_data][unit_amount]=100``. :func:`encode_form` writes them;
:func:`decode_form` reads them back into mappings and lists, typing ``true`` / ``false`` and
plain integers (the server knows its parameter types; the simulator reads them by look).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import string
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

from payconform.model.contract import dotted_get

__all__ = [
    "decode_body",
    "decode_form",
    "encode_body",
    "encode_form",
    "fill_template",
    "new_request_id",
    "random_alnum",
    "render_id",
    "stamp",
]

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


_ABSENT = object()


def fill_template(template: Any, values: Mapping[str, Any], request: Mapping[str, Any]) -> Any:
    """Resolve ``$name`` / ``${name}`` placeholders in a template (see the module docstring)."""

    def lookup(name: str) -> Any:
        if name.startswith("req?."):  # an optional echo: left out when the request has none
            found = dotted_get(request, name[5:])
            return _ABSENT if found is None else copy.deepcopy(found)
        if name.startswith("req."):
            return copy.deepcopy(dotted_get(request, name[4:]))
        if name not in values:
            raise KeyError(f"unknown template placeholder ${name}")
        return values[name]

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            filled = {k: fill(v) for k, v in node.items()}
            return {k: v for k, v in filled.items() if v is not _ABSENT}
        if isinstance(node, list):
            return [v for v in (fill(item) for item in node) if v is not _ABSENT]
        if isinstance(node, str):
            if node.startswith("$") and not node.startswith("${") and " " not in node:
                return lookup(node[1:])
            return _INTERP.sub(lambda m: str(lookup(m.group(1))), node)
        return node

    out = fill(template)
    return None if out is _ABSENT else out


def new_request_id() -> str:
    """A fresh request id (used by clients for ``uuid``-valued headers)."""
    return str(uuid.uuid4())


def encode_form(data: Mapping[str, Any]) -> str:
    """``data`` as bracket-nested form fields (booleans as ``true`` / ``false``)."""
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}[{key}]" if prefix else str(key), item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{prefix}[{index}]", item)
        elif isinstance(value, bool):
            pairs.append((prefix, "true" if value else "false"))
        elif value is None:
            pairs.append((prefix, ""))
        else:
            pairs.append((prefix, str(value)))

    walk("", data)
    return urlencode(pairs)


_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_MAX_DEPTH = 32
_INT = re.compile(r"^-?(0|[1-9][0-9]{0,17})$")


def _typed(raw: str) -> Any:
    if raw in ("true", "false"):
        return raw == "true"
    return int(raw) if _INT.match(raw) else raw


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node) and sorted(map(int, node)) == list(range(len(node))):
            return [node[str(i)] for i in range(len(node))]
    return node


def decode_form(body: bytes) -> dict[str, Any] | None:
    """Bracket-nested form fields as mappings and lists; None when the body is not a form."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError):
        return None
    out: dict[str, Any] = {}
    for key, raw in pairs:
        match = _KEY.match(key)
        if match is None:
            return None
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        if len(parts) > _MAX_DEPTH:
            return None  # deeper than any real form: malformed, not something to recurse into
        node: Any = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = _typed(raw)
    result: dict[str, Any] = _listify(out)
    return result


def encode_body(data: Any, encoding: str) -> tuple[bytes, str]:
    """A request body and its Content-Type for the contract's ``body_encoding``."""
    if encoding == "form" and isinstance(data, Mapping):
        return encode_form(data).encode(), "application/x-www-form-urlencoded"
    return json.dumps(data).encode(), "application/json"


def decode_body(body: bytes, encoding: str) -> Any:
    """A request body read as the contract encodes it (JSON or form); None if unreadable."""
    if encoding == "form":
        return decode_form(body)
    try:
        return json.loads(body or b"{}")
    except (ValueError, RecursionError):  # a 1,000-level array is malformed, not a crash
        return None
