"""Fault injection for the simulator: what ``/_simulator/faults`` accepts and how a fault acts.

A fault is a plain dict (JSON in, JSON out) that matches API requests by ``operation``
(``create``, ``fetch``, ``cancel``, ``token``), ``method`` and ``path`` (a substring), skips the
first ``after`` matches and then acts on the next ``times`` ones (``null``: every one):

- ``latency``: wait ``seconds`` before answering normally (the request then takes effect);
- ``reset``: drop the connection without an answer (the request has no effect);
- ``status``: answer HTTP ``status`` (e.g. 429, 500, 502, 503) with the provider's error body
  and no effect; ``retry_after`` sets ``Retry-After``, ``headers`` adds any other header
  (e.g. Cashfree's ``x-ratelimit-retry``);
- ``html``: answer an HTML error page (``status``, default 502) with no effect, as a proxy does;
- ``truncate``: let the request take effect, then cut the JSON body in half;
- ``timeout``: let the request take effect, hold the answer ``seconds`` (default 1), then drop
  the connection: the client never learns that it took effect.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

__all__ = ["FAULT_KINDS", "HTML_ERROR_PAGE", "parse_faults", "take_fault", "truncate"]

FAULT_KINDS = ("latency", "reset", "status", "html", "truncate", "timeout")
OPERATIONS = ("create", "fetch", "cancel", "token")

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
)

_ids = itertools.count(1)


def _number(payload: Mapping[str, Any], name: str, default: float | None) -> float | None:
    value = payload.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"fault field {name!r} must be a non-negative number, not {value!r}")
    return float(value)


def _one(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        raise ValueError("a fault must be a JSON object")
    unknown = set(payload) - {"kind", "status", "seconds", "retry_after", "headers", "times",
                              "after", "operation", "method", "path"}
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    kind = payload.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
    status = payload.get("status", 502 if kind == "html" else None)
    if kind in ("status", "html") and (not isinstance(status, int) or not 100 <= status <= 599):
        raise ValueError(f"a {kind!r} fault needs an HTTP 'status', not {status!r}")
    seconds = _number(payload, "seconds", 1.0 if kind in ("latency", "timeout") else None)
    times = payload.get("times", 1)
    if times is not None and (not isinstance(times, int) or times < 1):
        raise ValueError(f"'times' must be a positive integer or null (every time), not {times!r}")
    after = payload.get("after", 0)
    if not isinstance(after, int) or after < 0:
        raise ValueError(f"'after' must be a non-negative integer, not {after!r}")
    operation = payload.get("operation")
    if operation is not None and operation not in OPERATIONS:
        raise ValueError(f"'operation' must be one of {', '.join(OPERATIONS)}, not {operation!r}")
    headers = payload.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise ValueError("'headers' must map header names to string values")
    headers = dict(headers)
    retry_after = payload.get("retry_after")
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    method = payload.get("method")
    return {
        "id": next(_ids),
        "kind": kind,
        "status": status,
        "seconds": seconds,
        "headers": headers,
        "times": times,
        "after": after,
        "operation": operation,
        "method": method.upper() if isinstance(method, str) else None,
        "path": payload.get("path"),
        "hits": 0,
    }


def parse_faults(payload: Any) -> list[dict[str, Any]]:
    """Validated faults from a control request body (one object or a list); ValueError says why."""
    items = payload if isinstance(payload, list) else [payload]
    return [_one(item) for item in items]


def take_fault(faults: list[dict[str, Any]], operation: str | None, method: str, path: str
               ) -> dict[str, Any] | None:
    """The first fault that acts on this request, consuming one of its uses (caller holds a lock)."""
    for fault in list(faults):
        if fault["operation"] is not None and fault["operation"] != operation:
            continue
        if fault["method"] is not None and fault["method"] != method:
            continue
        if fault["path"] is not None and fault["path"] not in path:
            continue
        if fault["after"] > 0:
            fault["after"] -= 1
            continue
        fault["hits"] += 1
        if fault["times"] is not None:
            fault["times"] -= 1
            if fault["times"] == 0:
                faults.remove(fault)
        return fault
    return None


def truncate(content: bytes) -> bytes:
    """A body cut in half, as a connection that died mid-body leaves it."""
    return content[: max(1, len(content) // 2)]
