"""Redaction of secrets: by header name, by body field name, and by credential value.

Everything that leaves the process (reports, recorded requests, cassettes, terminal output)
goes through a :class:`Redactor`. Value-based redaction catches a secret wherever it
appears (a URL, a header, a body) and in every form it travels in: base64 (alone and as the
``id:secret`` pair of Basic auth), percent-encoded, JSON-escaped, and a prefix of 8
characters or more followed by a mask (an echo such as ``rzp_test_AbCd****``). Secrets a run obtains
(an issued bearer token) are added with :meth:`Redactor.learn`. URL userinfo
(``https://user:password@host``) is removed from every text.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "MIN_PREFIX",
    "REDACTED",
    "SENSITIVE_FIELDS",
    "SENSITIVE_HEADERS",
    "Redactor",
    "masked_prefixes",
    "pii_placeholder",
    "secret_forms",
    "strip_userinfo",
]

REDACTED = "<redacted>"
#: The shortest prefix of a secret that is redacted on its own (a partially masked echo).
MIN_PREFIX = 8

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
SENSITIVE_FIELDS = frozenset({"client_secret", "access_token", "refresh_token", "client_id",
                              "key_secret", "api_key", "secret_key", "password"})

_USERINFO = re.compile(r"(?<=://)[^/?#@\s\"'<>]+@")


def strip_userinfo(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL in it removed."""
    return _USERINFO.sub("", text)


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


def _b64(raw: bytes) -> set[str]:
    std = base64.b64encode(raw).decode()
    url = base64.urlsafe_b64encode(raw).decode()
    return {std, url, std.rstrip("="), url.rstrip("=")}


#: What follows a secret's prefix when a vendor or a log masks the rest of it.
_MASK = r"(?=\*|•|…|\.\.\.|xxx|XXX|###)"


def secret_forms(value: str) -> set[str]:
    """Every whole form of ``value`` that is redacted: itself, base64, percent-encoded,
    JSON-escaped and ``\\u``-escaped (masked prefixes: :func:`masked_prefixes`)."""
    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)}
    forms |= _b64(value.encode())
    escaped = json.dumps(value)[1:-1]
    forms |= {escaped, escaped.replace("/", "\\/"), "".join(f"\\u{ord(c):04x}" for c in value)}
    return {f for f in forms if f}


def masked_prefixes(value: str) -> set[str]:
    """Prefixes of ``value`` of :data:`MIN_PREFIX` characters or more; each is redacted where
    a mask follows it (``rzp_test_AbCd****``), so that ordinary words a low-entropy secret
    happens to start with stay readable."""
    return {value[:n] for n in range(MIN_PREFIX, len(value))}


class Redactor:
    """Removes secrets from headers, bodies and text.

    ``values`` are the credential values in use; each is redacted in every form of
    :func:`secret_forms`, and every pair of them also as base64 ``id:secret`` (Basic auth).
    Values shorter than 4 characters are ignored (they would blank ordinary text).
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
        forms: set[str] = set()
        prefixes: set[str] = set()
        for value in plain:
            forms |= secret_forms(value)
            prefixes |= masked_prefixes(value)
        for first in plain:
            # Equal id and secret are possible (and random test values can collide).
            for second in plain:
                forms |= _b64(f"{first}:{second}".encode())
        self._forms = forms
        self._prefixes = prefixes
        self._pattern: re.Pattern[str] | None = None
        self._headers = SENSITIVE_HEADERS | {h.lower() for h in headers}
        self._fields = SENSITIVE_FIELDS | set(fields)
        # PII fields keep a valid value (an email stays an email) instead of REDACTED.
        self._placeholders = dict(placeholders or {})

    def learn(self, *values: str) -> None:
        """Also redact ``values`` from now on (secrets obtained during a run: issued tokens)."""
        new: set[str] = set()
        prefixes: set[str] = set()
        for value in values:
            if value and len(value) >= 4:
                new |= secret_forms(value)
                prefixes |= masked_prefixes(value)
        if new - self._forms:
            self._forms |= new
            self._prefixes |= prefixes
            self._pattern = None

    def _regex(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._forms:
            # Longest first: a pair wins over its parts, a whole secret over a masked prefix.
            whole = [re.escape(f) for f in sorted(self._forms, key=len, reverse=True)]
            masked = [re.escape(p) + _MASK
                      for p in sorted(self._prefixes, key=len, reverse=True)]
            self._pattern = re.compile("|".join(whole + masked))
        return self._pattern

    def is_sensitive_header(self, name: str) -> bool:
        """Whether a header's value is never kept."""
        return name.lower() in self._headers

    def text(self, value: str) -> str:
        """``value`` with every secret occurrence (any form) and URL userinfo replaced."""
        pattern = self._regex()
        if pattern is not None:
            value = pattern.sub(REDACTED, value)
        return strip_userinfo(value) if "@" in value else value

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """A copy of ``headers`` with sensitive names and secret values redacted."""
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
            return json.dumps(self.data(json.loads(text)), ensure_ascii=False)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
            return self.text(text)

