"""Recorded cassettes: vcrpy glue for the record and replay lanes.

One cassette per provider x scenario (a scenario is one rule case) at
``<root>/<provider>/<scenario>.yaml``, in vcrpy's format with a ``metadata`` block carrying
provenance (:class:`Provenance`). vcrpy does the recording, the record modes and the
playback; payconform adds what vcrpy leaves open:

- scrubbing hooks (``before_record_request`` / ``before_record_response``) that redact
  credentials by name and by value and replace customer PII with stable placeholders;
- matchers that survive per-run randomness: method, path template (link ids normalized),
  body shape, presence of auth and contract headers; repeated identical requests play back
  in recorded order (``allow_playback_repeats=False``);
- an atomic persister that writes the provenance block;
- a loader that turns every bad cassette into one :class:`CassetteError` sentence naming
  the file and what to do.
"""

from __future__ import annotations

import copy
import json
import os
from importlib import resources
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from payconform.model.contract import Contract, Operation
from payconform.rules.engine import Case
from payconform.model.redact import REDACTED, SENSITIVE_FIELDS, Redactor, pii_placeholder
from payconform.simulator.state import CONTROL_PREFIX

__all__ = [
    "CASSETTE_SCHEMA",
    "DEFAULT_MAX_AGE_DAYS",
    "ORIGINS",
    "RECORD_MODES",
    "CassetteError",
    "LoadedCassette",
    "Provenance",
    "Scrubber",
    "cassette_path",
    "default_root",
    "replay_root",
    "shipped_root",
    "load_cassette",
    "matchers_for",
    "operation_of",
    "path_template",
    "record_command",
    "scenario_name",
    "use_cassette",
]

#: Version of payconform's cassette metadata block (vcrpy's own format is ``version: 1``).
CASSETTE_SCHEMA = "payconform.cassette/1"
CASSETTE_SCHEMA_VERSION = 1
VCR_FORMAT_VERSION = 1
ORIGINS = ("sandbox", "simulator", "documented-example")
RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
#: Default maximum age by origin; an older cassette turns a verdict into WARN.
DEFAULT_MAX_AGE_DAYS: dict[str, int] = {"sandbox": 90}
REQUIRED_METADATA = ("schema", "provider", "api_version", "scenario", "recorded_at",
                     "payconform_version", "host", "origin")


class CassetteError(Exception):
    """A cassette cannot be used; the message names the file and says what to do."""


def _version() -> str:
    try:
        return importlib_metadata.version("payconform")
    except importlib_metadata.PackageNotFoundError:
        return "0+unknown"


def default_root(env: Mapping[str, str] | None = None) -> Path:
    """The cassette root recordings go to: ``PAYCONFORM_CASSETTE_DIR`` or ``./cassettes``."""
    return Path((env or os.environ).get("PAYCONFORM_CASSETTE_DIR") or "cassettes")


#: The package the wheel ships the repository's cassettes in.
SHIPPED_PACKAGE = "payconform.shipped_cassettes"


def shipped_root() -> Path | None:
    """The folder of the cassettes shipped with payconform, if this installation has them."""
    try:
        folder = Path(str(resources.files(SHIPPED_PACKAGE)))
    except (ModuleNotFoundError, TypeError, ValueError):
        return None
    return folder if folder.is_dir() else None


def replay_root(env: Mapping[str, str] | None = None) -> Path:
    """The cassette root the replay lane reads: ``PAYCONFORM_CASSETTE_DIR``, else
    ``./cassettes`` when it exists (a checkout, or a team's own recordings), else the
    cassettes shipped with payconform."""
    values = env if env is not None else os.environ
    if values.get("PAYCONFORM_CASSETTE_DIR") or Path("cassettes").is_dir():
        return default_root(values)
    return shipped_root() or default_root(values)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def scenario_name(case: Case) -> str:
    """A file-system-safe scenario name: ``<rule id>--<case id>``."""
    return _UNSAFE.sub("_", f"{case.rule_id}--{case.case_id}").strip("._") or "scenario"


def cassette_path(root: Path | str, provider: str, case: Case) -> Path:
    """Where the cassette of ``provider`` x ``case`` lives under ``root``."""
    return Path(root) / provider / f"{scenario_name(case)}.yaml"


def record_command(provider: str, case: Case | None = None) -> str:
    """The commands that (re)record a provider's cassettes, for SKIPPED and WARN messages."""
    select = f" -k '{case.case_id}'" if case is not None else ""
    return (f"pytest --pyargs payconform.suites --lane record --provider {provider} "
            f"--record-mode rewrite{select} (sandbox credentials), or "
            f"payconform cassettes record-simulator {provider}")


# ---- provenance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a cassette came from; stored as the cassette's ``metadata`` block."""

    provider: str
    api_version: str
    scenario: str
    origin: str
    host: str
    recorded_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    payconform_version: str = field(default_factory=_version)
    link_mode: str = "control"
    rule_id: str = ""
    case_id: str = ""
    schema: str = CASSETTE_SCHEMA
    #: For documented examples: which interactions come from which published body.
    examples: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The metadata block (examples only when present)."""
        data = asdict(self)
        data["examples"] = [dict(e) for e in self.examples]
        if not self.examples:
            del data["examples"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Read a metadata block (unknown keys are ignored)."""
        known = {k: str(data[k]) for k in cls.__dataclass_fields__ if k in data and k != "examples"}
        examples = tuple(dict(e) for e in data.get("examples") or () if isinstance(e, Mapping))
        return cls(**known, examples=examples)

    def recorded(self) -> datetime | None:
        """``recorded_at`` as a datetime, or None when it does not parse."""
        try:
            moment = datetime.fromisoformat(self.recorded_at)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def age_problem(self, max_age_days: Mapping[str, int] | None = None,
                    now: datetime | None = None) -> str | None:
        """Why the cassette is too old, or None."""
        limits = DEFAULT_MAX_AGE_DAYS if max_age_days is None else max_age_days
        limit = limits.get(self.origin)
        moment = self.recorded()
        if limit is None or moment is None:
            return None
        age = (now or datetime.now(UTC)) - moment
        if age <= timedelta(days=limit):
            return None
        return (f"recorded {age.days} days ago ({self.recorded_at}), older than the {limit}-day "
                f"maximum for {self.origin} cassettes")


def max_age_from_env(env: Mapping[str, str] | None = None) -> dict[str, int]:
    """Max ages by origin; ``PAYCONFORM_CASSETTE_MAX_AGE_DAYS`` overrides the sandbox one."""
    limits = dict(DEFAULT_MAX_AGE_DAYS)
    raw = (env or os.environ).get("PAYCONFORM_CASSETTE_MAX_AGE_DAYS")
    if raw:
        with suppress(ValueError):
            limits["sandbox"] = int(raw)
    return limits


# ---- loading -----------------------------------------------------------------------------------


@dataclass
class LoadedCassette:
    """A cassette file that passed structural checks."""

    path: Path
    provenance: Provenance
    interactions: list[dict[str, Any]]
    raw: dict[str, Any]


def _fail(path: Path, problem: str, todo: str) -> CassetteError:
    return CassetteError(f"{path}: {problem}; {todo}")


def _check_interaction(path: Path, index: int, item: Any, rerecord: str) -> None:
    where = f"interaction {index + 1}"
    if not isinstance(item, dict) or not isinstance(item.get("request"), dict) \
            or not isinstance(item.get("response"), dict):
        raise _fail(path, f"{where} is incomplete (truncated cassette?)", rerecord)
    request, response = item["request"], item["response"]
    for key in ("method", "uri"):
        if not isinstance(request.get(key), str):
            raise _fail(path, f"{where}: request has no {key} (truncated cassette?)", rerecord)
    status = response.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("code"), int):
        raise _fail(path, f"{where}: response has no status code (truncated cassette?)", rerecord)
    body = response.get("body")
    if not isinstance(body, dict) or "string" not in body:
        raise _fail(path, f"{where}: response has no body (truncated cassette?)", rerecord)


def load_cassette(path: Path | str, *, provider: str | None = None) -> LoadedCassette:
    """Read and check one cassette; :class:`CassetteError` says what is wrong and what to do."""
    path = Path(path)
    rerecord = (f"re-record it ({record_command(provider)})" if provider
                else "re-record it with the record lane or `payconform cassettes record-simulator`")
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise _fail(path, "no such cassette", rerecord) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot be read ({exc.__class__.__name__})", rerecord) from None
    if not text.strip():
        raise _fail(path, "the file is empty", rerecord)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise _fail(path, f"is not valid YAML{where} (corrupt or truncated)", rerecord) from None
    if not isinstance(data, dict) or "interactions" not in data:
        raise _fail(path, "is not a vcrpy cassette (no 'interactions' list; truncated?)", rerecord)
    version = data.get("version")
    if not isinstance(version, int):
        raise _fail(path, "has no cassette format version", rerecord)
    if version > VCR_FORMAT_VERSION:
        raise _fail(path, f"uses cassette format version {version}, newer than this payconform "
                          f"reads ({VCR_FORMAT_VERSION})", "upgrade payconform (pip install -U payconform)")
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        raise _fail(path, "has no payconform metadata (provenance)", rerecord)
    missing = [k for k in REQUIRED_METADATA if not meta.get(k)]
    if missing:
        raise _fail(path, f"metadata lacks {', '.join(missing)}", rerecord)
    schema = str(meta["schema"])
    match = re.fullmatch(r"payconform\.cassette/(\d+)", schema)
    if match is None:
        raise _fail(path, f"metadata schema {schema!r} is not a payconform cassette schema", rerecord)
    if int(match.group(1)) > CASSETTE_SCHEMA_VERSION:
        raise _fail(path, f"was written by a newer payconform ({schema}, this one reads "
                          f"{CASSETTE_SCHEMA})", "upgrade payconform (pip install -U payconform)")
    if meta["origin"] not in ORIGINS:
        raise _fail(path, f"metadata origin {meta['origin']!r} is not one of {', '.join(ORIGINS)}",
                    rerecord)
    if provider is not None and meta["provider"] != provider:
        raise _fail(path, f"belongs to provider {meta['provider']!r}, not {provider!r}",
                    f"move it to cassettes/{meta['provider']}/ or re-record it for {provider}")
    interactions = data["interactions"]
    if not isinstance(interactions, list):
        raise _fail(path, "'interactions' is not a list (truncated?)", rerecord)
    for index, item in enumerate(interactions):
        _check_interaction(path, index, item, rerecord)
    return LoadedCassette(path, Provenance.from_dict(meta), interactions, data)


# ---- scrubbing ---------------------------------------------------------------------------------


class Scrubber:
    """vcrpy hooks that remove credentials and PII before anything is written.

    By name: every auth header of the contract plus the shared sensitive headers, cookies,
    token request/response fields (``client_secret``, ``access_token``...). By value: every
    credential in use, anywhere (URL, header, body), also base64-encoded. PII fields named by
    the contract get stable placeholders that keep the schema valid.
    """

    def __init__(self, contract: Contract, credentials: Mapping[str, str]) -> None:
        self.contract = contract
        fields = set(SENSITIVE_FIELDS) | {contract.auth.token_field}
        # Literal token request fields (``=client_credentials``) are not secrets.
        fields |= {k for k, ref in contract.auth.token_request.items() if not ref.startswith("=")}
        placeholders = {name: pii_placeholder(name) for name in contract.scrub_body_fields}
        self.redactor = Redactor(
            credentials.values(),
            headers=contract.auth.headers.keys(),
            fields=fields,
            placeholders=placeholders,
        )

    def text(self, value: str) -> str:
        """Credential values redacted from free text (terminal output, messages)."""
        return self.redactor.text(value)

    def _body(self, raw: Any) -> Any:
        if raw is None:
            return raw
        if isinstance(raw, bytes | str):
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if not text:
                return raw
            try:
                parsed = json.loads(text)
            except ValueError:
                scrubbed = self.redactor.text(text)
            else:
                scrubbed = json.dumps(self.redactor.data(parsed), ensure_ascii=False)
            return scrubbed.encode("utf-8") if isinstance(raw, bytes) else scrubbed
        return raw

    def request(self, request: Any) -> Any:
        """``before_record_request``: a scrubbed copy of a vcrpy request."""
        scrubbed = copy.deepcopy(request)
        scrubbed.uri = self.redactor.text(request.uri)
        scrubbed.headers = self.redactor.headers(dict(request.headers))
        scrubbed.body = self._body(request.body)
        return scrubbed

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """``before_record_response``: a scrubbed vcrpy response dict."""
        headers = response.get("headers") or {}
        clean: dict[str, list[str]] = {}
        for name, values in headers.items():
            values = values if isinstance(values, list) else [values]
            if self.redactor.is_sensitive_header(name):
                clean[name] = [REDACTED for _ in values]
            else:
                clean[name] = [self.redactor.text(str(v)) for v in values]
        body = response.get("body") or {}
        raw = body.get("string")
        new_body = self._body(raw)
        if isinstance(new_body, bytes | str):
            length = len(new_body.encode() if isinstance(new_body, str) else new_body)
            for name in list(clean):
                if name.lower() == "content-length":
                    clean[name] = [str(length)]
        return {**response, "headers": clean, "body": {**body, "string": new_body}}


# ---- matching ----------------------------------------------------------------------------------


def _template_regex(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path.rstrip("/"))
    pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^(?:.*?)({pattern})/?$")


def _operations(contract: Contract) -> list[tuple[str, Operation]]:
    ops = [("cancel", contract.cancel), ("fetch", contract.fetch),
           ("create", contract.create.operation)]
    if contract.auth.token_endpoint is not None:
        ops.append(("token", contract.auth.token_endpoint))
    ops.append(("control", Operation(method="POST", path=CONTROL_PREFIX + "/links/{id}/status")))
    return ops


def operation_of(contract: Contract, method: str, uri: str) -> tuple[str, str]:
    """The operation name and path template of a request (``("other", path)`` if unknown)."""
    path = urlsplit(uri).path
    for name, op in _operations(contract):
        if op.method == method.upper() and _template_regex(op.path).match(path):
            return name, op.path
    for name, op in _operations(contract):
        if _template_regex(op.path).match(path):
            return name, op.path
    return "other", path


def path_template(contract: Contract, uri: str, method: str = "") -> str:
    """The request path with link ids and the base path normalized away."""
    return operation_of(contract, method, uri)[1]


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "string"


def body_shape(body: Any) -> Any:
    """The JSON shape of a request body (keys and value types; values ignored)."""
    if body is None or body == b"" or body == "":
        return None
    if hasattr(body, "read"):
        body = body.read()
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        return _shape(json.loads(text))
    except ValueError:
        return "non-JSON body"


def matchers_for(contract: Contract) -> list[Callable[[Any, Any], None]]:
    """vcrpy matchers (plain functions raising AssertionError with both values)."""
    watched = sorted({h.lower() for h in contract.auth.headers} | {"authorization"}
                     | {h.name.lower() for h in contract.headers if h.required})

    def method(r1: Any, r2: Any) -> None:
        if r1.method.upper() != r2.method.upper():
            raise AssertionError(f"{r1.method} != {r2.method}")

    def path_template(r1: Any, r2: Any) -> None:
        t1 = operation_of(contract, r1.method, r1.uri)[1]
        t2 = operation_of(contract, r2.method, r2.uri)[1]
        if t1 != t2:
            raise AssertionError(f"{t1} != {t2}")

    def body_shape(r1: Any, r2: Any) -> None:
        s1, s2 = _body_shape(r1.body), _body_shape(r2.body)
        if s1 != s2:
            raise AssertionError(f"{json.dumps(s1)} != {json.dumps(s2)}")

    def header_presence(r1: Any, r2: Any) -> None:
        p1 = [h for h in watched if h in {k.lower() for k in r1.headers}]
        p2 = [h for h in watched if h in {k.lower() for k in r2.headers}]
        if p1 != p2:
            raise AssertionError(f"headers present {p1} != {p2}")

    return [method, path_template, body_shape, header_presence]


_body_shape = body_shape


# ---- vcrpy glue --------------------------------------------------------------------------------


class AtomicPersister:
    """vcrpy persister writing the provenance block, atomically (temp file + rename)."""

    def __init__(self, provenance: Provenance | None, target: Path | None = None) -> None:
        self.provenance = provenance
        self.target = target

    def load_cassette(self, cassette_path: str | Path, serializer: Any) -> Any:
        """Delegate to vcrpy's filesystem persister."""
        from vcr.persisters.filesystem import FilesystemPersister

        return FilesystemPersister.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: str | Path, cassette_dict: dict[str, Any],
                      serializer: Any) -> None:
        """Serialize with vcrpy, then replace the file in one rename."""
        from vcr.serialize import serialize

        if self.provenance is not None:
            cassette_dict = {**cassette_dict, "metadata": self.provenance.to_dict()}
        data = serialize(cassette_dict, serializer)
        write_atomic(self.target or Path(cassette_path), data)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def use_cassette(
    path: Path,
    contract: Contract,
    scrubber: Scrubber,
    *,
    record_mode: str,
    provenance: Provenance | None,
) -> Iterator[Any]:
    """vcrpy's ``use_cassette`` with payconform's matchers, hooks and persister.

    ``rewrite`` is vcrpy's ``all`` starting from nothing: vcrpy records into a path that does
    not exist and the persister replaces the cassette whole, in one rename, on save.
    """
    import vcr

    mode = "all" if record_mode == "rewrite" else record_mode
    source = path.with_name(f".{path.name}.rewrite") if record_mode == "rewrite" else path
    matchers = matchers_for(contract)
    recorder = vcr.VCR(decode_compressed_response=True, record_on_exception=False)
    for matcher in matchers:
        recorder.register_matcher(matcher.__name__, matcher)
    with recorder.use_cassette(
        str(source),
        record_mode=mode,
        match_on=[m.__name__ for m in matchers],
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        allow_playback_repeats=False,
        drop_unused_requests=record_mode == "rewrite",
        persister=AtomicPersister(provenance, target=path),
    ) as cassette:
        yield cassette
