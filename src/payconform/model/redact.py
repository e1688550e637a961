"""Redaction of secrets: by header name, by body field name, and by credential value.

Everything that leaves the process (reports, recorded requests, cassettes, terminal output)
goes through a :class:`Redactor`. Value-based redaction catches a credential wherever it
appears: a URL, a header, a body, or base64-encoded inside Basic auth.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["REDACTED", "SENSITIVE_FIELDS", "SENSITIVE_HEADERS", "Redactor", "pii_placeholder"]

REDACTED = "<redacted>"

#: Header names whose values are never kept, for every provider.
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-client-id",
        "x-client-secret",
        "x-partner-apikey",
        "x-client-signature",
    }
)

#: Body fields that hold secrets in any provider's auth flow.
SENSITIVE_FIELDS = frozenset({"client_secret", "access_token", "refresh_token", "client_id"})


def pii_placeholder(field: str) -> str:
    """A stable, schema-friendly stand-in for a customer PII field, chosen by its name."""
    name = field.lower()
    if "email" in name:
        return "customer@example.com"
    if any(word in name for word in ("phone", "contact", "mobile")):
        return "9999999999"
    if "name" in name:
        return "Payconform Customer"
    return "payconform-placeholder"


class Redactor:
    """Removes secrets from headers, bodies and text.

    ``values`` are the credential values in use; each is also redacted in its base64 forms
    (alone and as ``id:secret`` pairs) so that Basic auth never leaks.
    """

    def __init__(
        self,
        values: Iterable[str] = (),
        *,
        headers: Iterable[str] = (),
        fields: Iterable[str] = (),
        placeholders: Mapping[str, str] | None = None,
    ) -> None:
        plain = sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)
        encoded: set[str] = set()
        for value in plain:
            encoded.add(base64.b64encode(value.encode()).decode())
        for first in plain:
            # Equal id and secret are possible (and random test values can collide).
            for second in plain:
                pair = f"{first}:{second}".encode()
                encoded.add(base64.b64encode(pair).decode())
                encoded.add(base64.urlsafe_b64encode(pair).decode())
        self._values = sorted(set(plain) | encoded, key=len, reverse=True)
        self._headers = SENSITIVE_HEADERS | {h.lower() for h in headers}
        self._fields = SENSITIVE_FIELDS | set(fields)
        # PII fields keep a valid value (an email stays an email) instead of REDACTED.
        self._placeholders = dict(placeholders or {})

    def is_sensitive_header(self, name: str) -> bool:
        """Whether a header's value is never kept."""
        return name.lower() in self._headers

    def text(self, value: str) -> str:
        """``value`` with every credential occurrence replaced."""
        for secret in self._values:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """A copy of ``headers`` with sensitive names and credential values redacted."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        out: dict[str, str] = {}
        for name, value in items:
            out[name] = REDACTED if name.lower() in self._headers else self.text(value)
        return out

    def data(self, value: Any) -> Any:
        """A deep copy of JSON-like ``value`` with sensitive fields and values redacted."""
        if isinstance(value, Mapping):
            return {k: self._field(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _field(self, key: str, value: Any) -> Any:
        if key in self._placeholders and isinstance(value, str) and value:
            return self.text(self._placeholders[key])
        if key in self._fields and value not in (None, ""):
            return REDACTED
        return self.data(value)

    def body(self, raw: bytes | str) -> str:
        """A request or response body as redacted text (JSON re-serialized when it parses)."""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not text:
            return ""
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.text(text)
        return json.dumps(self.data(parsed), ensure_ascii=False)
