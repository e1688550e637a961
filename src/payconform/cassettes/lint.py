"""``payconform cassettes lint``: find secrets, invalid bodies and bad provenance in cassettes.

One :class:`Finding` per problem, printed as ``file:location: code: message``. Checks:

- ``secret``: known key prefixes, unredacted Bearer / Basic credentials, unredacted values
  in auth headers and token fields, high-entropy values in auth positions;
- ``schema``: every recorded create / fetch / cancel response validated against the
  contract's schemas (success bodies by API version, error bodies by the error schema);
- ``metadata``, ``provider``, ``stale`` and ``cassette`` (unreadable, truncated, newer).

Documented-example cassettes may list ``accepted_findings`` in their metadata (a finding a
vendor's own example produces, with the reason); those are reported as notes, not failures.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from payconform.cassettes.store import (
    CassetteError,
    LoadedCassette,
    load_cassette,
    max_age_from_env,
    operation_of,
    record_command,
)
from payconform.model.contract import Contract
from payconform.model.redact import REDACTED, SENSITIVE_FIELDS, SENSITIVE_HEADERS
from payconform.model.registry import UnknownProvider, get_contract
from payconform.model.schemas import schema_errors

__all__ = ["Finding", "lint_file", "lint_paths", "schema_findings_of"]

#: Credential shapes that must never appear in a cassette (vendor key prefixes and tokens).
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Razorpay key", re.compile(r"\brzp_(?:live|test)_[A-Za-z0-9]{8,}")),
    ("Cashfree secret key", re.compile(r"\bcfsk_ma_(?:prod|test)_[A-Za-z0-9_]{8,}")),
    ("Stripe-style secret key", re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{8,}")),
    ("Bearer token", re.compile(r"\bBearer\s+(?!<redacted>)[A-Za-z0-9._~+/=-]{8,}")),
    ("Basic credentials", re.compile(r"\bBasic\s+(?!<redacted>)[A-Za-z0-9+/=]{8,}")),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)


@dataclass(frozen=True)
class Finding:
    """One lint finding: where, which check, what is wrong and what to do."""

    path: Path
    location: str
    code: str
    message: str
    accepted: bool = False

    def line(self) -> str:
        """The one-line rendering ``file:location: code: message``."""
        tag = f"{self.code} (accepted)" if self.accepted else self.code
        return f"{self.path}:{self.location}: {tag}: {self.message}"


def _entropy(value: str) -> float:
    counts = {c: value.count(c) for c in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


#: Header and query parameter names that carry credentials whatever the provider calls them.
SECRET_NAME = re.compile(r"secret|token|passw|api[-_]?key|apikey|auth|credential|signature|"
                         r"session|cookie|private", re.IGNORECASE)
#: Names that match :data:`SECRET_NAME` but hold no secret.
NOT_SECRET_NAMES = frozenset({"idempotency-key", "x-idempotency-key", "x-idempotency-replayed",
                              "token_type", "expires_in", "x-request-id", "request-id"})
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@functools.cache
def key_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The generic credential shapes plus every known contract's key patterns (sandbox and
    live), so a new provider's keys are found without touching this module."""
    from payconform.model.registry import all_contracts

    out = list(SECRET_PATTERNS)
    for contract in all_contracts().values():
        for pattern in (*contract.auth.sandbox_key_patterns, *contract.auth.live_key_patterns):
            # A pattern anchored on a whole credential value becomes one found inside text.
            body = pattern.removeprefix("^").removesuffix("$")
            out.append((f"{contract.display_name} key",
                        re.compile(rf"(?<![A-Za-z0-9])(?:{body})[A-Za-z0-9_\-]{{6,}}")))
    return tuple(out)


def _decoded(text: str) -> list[str]:
    """``text`` as written, percent-decoded and with ``\\u`` escapes resolved."""
    forms = [text]
    if "%" in text:
        forms.append(unquote(text))
    if "\\u" in text:
        forms.append(_UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    return forms


def _scan_text(path: Path, where: str, text: str) -> list[Finding]:
    out = []
    for label, pattern in key_patterns():
        if any(pattern.search(form) for form in _decoded(text)):
            out.append(Finding(path, where, "secret", f"looks like a {label}; scrub it and re-record"))
    return out


def _is_secret_name(name: str, safe: frozenset[str]) -> bool:
    lowered = name.lower()
    return lowered not in safe and bool(SECRET_NAME.search(lowered))


def _unredacted(value: str) -> bool:
    return bool(value) and value != REDACTED and REDACTED not in value


def _json(text: Any) -> Any:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _secret_fields(path: Path, where: str, value: Any, fields: frozenset[str]) -> list[Finding]:
    out: list[Finding] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in fields and isinstance(item, str) and item and item != REDACTED:
                out.append(Finding(path, f"{where}.{key}", "secret",
                                   f"field {key!r} holds an unredacted value"))
            else:
                out.extend(_secret_fields(path, f"{where}.{key}", item, fields))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_secret_fields(path, f"{where}[{index}]", item, fields))
    return out


def _secrets(loaded: LoadedCassette, contract: Contract | None) -> list[Finding]:
    path, out = loaded.path, []
    auth_headers = set(SENSITIVE_HEADERS)
    fields = set(SENSITIVE_FIELDS)
    safe = set(NOT_SECRET_NAMES)
    from payconform.model.registry import all_contracts

    for known in all_contracts().values():  # a secret credential's name is a secret field
        fields |= set(known.auth.secret_credentials) | {known.auth.token_field}
    if contract is not None:
        auth_headers |= {h.lower() for h in contract.auth.headers}
        fields |= {contract.auth.token_field}
        fields |= {k for k, ref in contract.auth.token_request.items() if not ref.startswith("=")}
        safe |= {h.name.lower() for h in contract.headers}  # api version, request id, ...
    safe_names = frozenset(safe)
    for index, item in enumerate(loaded.interactions, start=1):
        for side in ("request", "response"):
            part = item[side]
            where = f"interactions[{index}].{side}"
            for name, values in (part.get("headers") or {}).items():
                values = values if isinstance(values, list) else [values]
                for value in values:
                    text = str(value)
                    out.extend(_scan_text(path, f"{where}.headers.{name}", text))
                    if name.lower() in auth_headers and text != REDACTED:
                        kind = "high-entropy value" if _entropy(text) > 3.0 else "value"
                        out.append(Finding(path, f"{where}.headers.{name}", "secret",
                                           f"auth header holds an unredacted {kind}"))
                    elif name.lower() not in auth_headers and _is_secret_name(name, safe_names) \
                            and _unredacted(text):
                        out.append(Finding(path, f"{where}.headers.{name}", "secret",
                                           f"header {name!r} holds an unredacted value"))
            if side == "request":
                uri = part.get("uri", "")
                out.extend(_scan_text(path, f"{where}.uri", uri))
                for key, value in parse_qsl(urlsplit(uri).query, keep_blank_values=True):
                    if _is_secret_name(key, safe_names) and _unredacted(value):
                        out.append(Finding(path, f"{where}.uri", "secret",
                                           f"query parameter {key!r} holds an unredacted value"))
                body = part.get("body")
            else:
                status = part.get("status") or {}
                out.extend(_scan_text(path, f"{where}.status.message", str(status.get("message", ""))))
                body = (part.get("body") or {}).get("string")
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
            out.extend(_scan_text(path, f"{where}.body", text))
            out.extend(_secret_fields(path, f"{where}.body", _json(text), frozenset(fields)))
    out.extend(_walk_strings(path, "metadata", loaded.raw.get("metadata")))
    return out


def _walk_strings(path: Path, where: str, value: Any) -> list[Finding]:
    """Secret shapes in every string of a YAML block (metadata, anything outside interactions)."""
    out: list[Finding] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            out.extend(_walk_strings(path, f"{where}.{key}", item))
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            out.extend(_walk_strings(path, f"{where}[{index}]", item))
    elif isinstance(value, str):
        out.extend(_scan_text(path, where, value))
    return out


def _raw_lines(path: Path, found: list[Finding]) -> list[Finding]:
    """Secret shapes in the file's own lines that the parsed cassette does not show: YAML
    comments and anything else the loader drops. A label already found is not repeated."""
    seen = {f.message for f in found if f.code == "secret"}
    out: list[Finding] = []
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return out
    for number, line in enumerate(lines, start=1):
        for finding in _scan_text(path, f"line {number}", line):
            if finding.message not in seen:
                seen.add(finding.message)
                out.append(finding)
    return out


def schema_findings_of(loaded: LoadedCassette, contract: Contract) -> list[Finding]:
    """Schema findings of every create, fetch and cancel answer of a cassette (by interaction)."""
    out: list[Finding] = []
    version_header = next((h.name.lower() for h in contract.headers if h.value == "api_version"), None)
    for index, item in enumerate(loaded.interactions, start=1):
        request, response = item["request"], item["response"]
        operation, _ = operation_of(contract, request["method"], request["uri"])
        if operation not in ("create", "fetch", "cancel"):
            continue
        body = _json(response["body"].get("string"))
        status = response["status"]["code"]
        where = f"interactions[{index}].response.body"
        if 200 <= status < 300 and operation == "cancel" and contract.cancel_no_body:
            if response["body"].get("string"):
                out.append(Finding(loaded.path, where, "schema",
                                   f"cancel HTTP {status} has a body; the contract says none"))
            continue
        if 200 <= status < 300:
            headers = {k.lower(): v for k, v in (request.get("headers") or {}).items()}
            wanted = headers.get(version_header) if version_header else None
            name = (wanted[0] if isinstance(wanted, list) and wanted else wanted) or None
            try:
                version = contract.api_version(str(name) if name else None)
            except KeyError:
                version = contract.api_version()
            schema = version.entity_schema_file
            if operation == "cancel" and contract.cancel_response is not None:
                schema = contract.cancel_response.schema_file  # the answer is not the link
            problems = schema_errors(schema, body)
        elif body is not None and status not in (429,) and status < 600:
            problems = schema_errors(contract.error.schema_file, body)
            schema = contract.error.schema_file
        else:
            continue
        for problem in problems:
            out.append(Finding(loaded.path, where, "schema",
                               f"{operation} HTTP {status} body does not match {schema}: {problem}"))
    return out


def lint_file(path: Path, *, max_age_days: Mapping[str, int] | None = None) -> list[Finding]:
    """Every finding of one cassette file."""
    expected = path.parent.name
    try:
        loaded = load_cassette(path)
    except CassetteError as exc:
        text = str(exc)
        code = "metadata" if "metadata" in text else "cassette"
        return [Finding(path, "file", code, text.removeprefix(f"{path}: "))]
    provenance = loaded.provenance
    out: list[Finding] = []
    contract: Contract | None
    try:
        contract = get_contract(provenance.provider)
    except UnknownProvider as exc:
        contract = None
        out.append(Finding(path, "metadata.provider", "provider", str(exc)))
    if provenance.provider != expected:
        out.append(Finding(path, "metadata.provider", "provider",
                           f"cassette of {provenance.provider!r} filed under {expected!r}; move it "
                           f"to {provenance.provider}/ or re-record it"))
    out.extend(_secrets(loaded, contract))
    out.extend(_raw_lines(path, out))
    if contract is not None:
        out.extend(schema_findings_of(loaded, contract))
    stale = provenance.age_problem(max_age_days if max_age_days is not None else max_age_from_env())
    if stale:
        out.append(Finding(path, "metadata.recorded_at", "stale",
                           f"{stale}; refresh it: {record_command(provenance.provider)}"))
    accepted = loaded.raw.get("metadata", {}).get("accepted_findings") or []
    return [_accept(f, accepted) for f in out]


def _accept(finding: Finding, accepted: Iterable[Any]) -> Finding:
    for entry in accepted:
        if not isinstance(entry, dict) or not entry.get("reason"):
            continue
        if entry.get("code") == finding.code and entry.get("location") == finding.location:
            return Finding(finding.path, finding.location, finding.code,
                           f"{finding.message} [accepted: {entry['reason']}]", accepted=True)
    return finding


def cassette_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml`` / ``*.yml`` file under ``paths`` (files are taken as given)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")
                              and not p.name.startswith(".")))
        else:
            out.append(path)
    return out


def lint_paths(paths: Iterable[Path], *, max_age_days: Mapping[str, int] | None = None
               ) -> list[Finding]:
    """Every finding in every cassette under ``paths``."""
    findings: list[Finding] = []
    for path in cassette_files(paths):
        findings.extend(lint_file(path, max_age_days=max_age_days))
    return findings
