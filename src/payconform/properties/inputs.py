"""Input properties: odd link ids, header values and bodies, from the contract.

Three properties per provider, meant for the simulator lane (they send junk on purpose):

- ``property.link-ids``: fetch and cancel of ids that were never created (empty, over the
  length limit, unicode, ``/``, ``..``, ``%2F``, very long, percent-encoded or raw on the
  path) never answer 5xx, never succeed, and always answer the contract's error shape;
- ``property.headers``: each header the contract reads, missing, with a value built from the
  contract's stated rule (a known API version, a UUID, an ISO 8601 timestamp, a value made
  from the documented pattern), or with a value that breaks that rule by construction (the
  contract's malformed example, one character over the length limit, empty), its name in
  either case: a conforming value is accepted whatever the case of the name (header names
  are case-insensitive, RFC 9110 section 5.1), a malformed one is refused as the contract
  says, never a 5xx. The oracle never calls the simulator's own header check;
- ``property.bodies``: create and cancel with arbitrary JSON or bytes never answer 5xx, and
  every refusal has the contract's error shape.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from hypothesis import given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from payconform.model.contract import Contract, HeaderSpec
from payconform.model.outcomes import Evidence, Verdict
from payconform.model.schemas import schema_errors
from payconform.properties.harness import Harness, MachineLog, PropertyFailure
from payconform.properties.stateful import MachineResult, judge_search, search_settings
from payconform.reporting import progress
from payconform.rules.client import Exchange
from payconform.rules.engine import is_infrastructure

_EPOCH, _LATEST = datetime(2000, 1, 1), datetime(2099, 12, 31)

__all__ = ["CONFORMING", "MALFORMED", "MISSING", "PROPERTIES", "link_ids", "run_property"]

#: Ids whose handling trips up routers: empty, dot segments, encoded and raw slashes, the
#: simulator's own control prefix, NUL, spaces.
SPECIAL_IDS = ("", ".", "..", "/", "%2F", "a%2Fb", "..%2F..", "%2e%2e", "_simulator",
               "%5Fsimulator", "a b", "%00", "%", "%ZZ", "null", "0", "-1")


#: Characters an id can hold on the wire: any code point that UTF-8 can encode (a lone
#: surrogate such as U+D800 cannot be percent-encoded, so no client could send it).
_SENDABLE = st.characters(exclude_categories=["Cs"])


def link_ids(contract: Contract) -> st.SearchStrategy[tuple[str, bool]]:
    """(id, raw) pairs: raw ids go on the path as they are, the others percent-encoded."""
    limit = contract.create.id_max_length or 64
    encoded = st.one_of(
        st.sampled_from(SPECIAL_IDS),
        st.text(alphabet=_SENDABLE, max_size=limit + 5),
        st.text(alphabet=st.characters(min_codepoint=0x80, exclude_categories=["Cs"]),
                min_size=1, max_size=12),
        st.just("x" * (limit + 1)),
        st.just("y" * 4000),
    ).map(lambda s: (s, False))
    raw = st.sampled_from([s for s in SPECIAL_IDS if s != "/"]).map(lambda s: (s, True))
    return st.one_of(encoded, raw)


def _error_shape(contract: Contract, exchange: Exchange, what: str) -> None:
    source = contract.error.source
    if exchange.status >= 500:
        raise PropertyFailure(f"{what}: no 5xx from the simulator [{source.evidence.value}]\n"
                              f"  Expected: a 2xx or 4xx answer\n  Received: HTTP {exchange.status}: "
                              f"{exchange.text[:200]}")
    if exchange.status >= 400:
        problems = (["not JSON: " + repr(exchange.text[:100])] if exchange.json is None
                    else schema_errors(contract.error.schema_file, exchange.json))
        if problems:
            raise PropertyFailure(
                f"{what}: error body has the contract's shape [{source.evidence.value}]\n"
                f"  Expected: a body valid against {contract.error.schema_file}\n"
                f"  Received: HTTP {exchange.status}: {'; '.join(problems)}\n  Source: {source.citation}")


def _check_link_id(harness: Harness, value: tuple[str, bool]) -> None:
    contract, client = harness.contract, harness.client
    link_id, raw = value
    for operation in ("fetch", "cancel"):
        if operation == "fetch":
            path = contract.fetch.url_path(link_id if raw else quote(link_id, safe=""),
                                           client.version)
            exchange = client._send("fetch", contract.fetch.method, path)
        else:
            exchange = client.cancel(link_id, raw_id=raw, pre_status=None)
        what = f"{operation} of the unknown id {link_id!r}" + (" (raw on the path)" if raw else "")
        _error_shape(contract, exchange, what)
        if 200 <= exchange.status < 300:
            raise PropertyFailure(f"{what}: never a success [{Evidence.DOCUMENTED.value}]\n"
                                  f"  Expected: a refusal\n  Received: HTTP {exchange.status}: "
                                  f"{exchange.text[:200]}")


#: What the property sends for a header: nothing, a value the contract's stated rule accepts,
#: or one it rejects. The label comes from how the value was made, never from a predicate the
#: simulator could share: the oracle must not repeat the code it judges.
MISSING, CONFORMING, MALFORMED = "missing", "conforming", "malformed"
_PRINTABLE = st.characters(min_codepoint=0x21, max_codepoint=0x7E)


def _conforming_values(contract: Contract, header: HeaderSpec) -> st.SearchStrategy[str]:
    """Values the header's stated rule accepts, built from that rule."""
    if header.known_values:
        return st.sampled_from(header.known_values)
    if header.value == "api_version":
        return st.sampled_from([v.name for v in contract.api_versions])
    if header.value == "uuid":
        return st.uuids().map(str)
    if header.value == "timestamp":
        return st.datetimes(min_value=_EPOCH, max_value=_LATEST).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z")
    if header.pattern is not None:
        made = st.from_regex(header.pattern, fullmatch=True, alphabet=_PRINTABLE)
        return made.filter(lambda v: header.max_length is None or 1 <= len(v) <= header.max_length)
    return st.just(header.value)


def _malformed_values(header: HeaderSpec) -> list[str]:
    """Values the header's stated rule rejects: the contract's own example, and by construction."""
    out = [header.malformed] if header.malformed is not None else []
    if header.max_length is not None:
        out.append("r" * (header.max_length + 1))
    if header.pattern is not None or header.max_length is not None or header.known_values:
        out.append("")  # every stated rule needs at least one character
    return out


def _header_values(contract: Contract) -> st.SearchStrategy[tuple[str, str | None, bool, str]]:
    """(header, value or None for missing, name sent in another case, label)."""
    if not contract.headers:
        return st.nothing()
    per_header = []
    for header in contract.headers:
        kinds = [st.tuples(st.just(header.name), st.none(), st.booleans(), st.just(MISSING)),
                 st.tuples(st.just(header.name), _conforming_values(contract, header).map(str),
                           st.booleans(), st.just(CONFORMING))]
        malformed = _malformed_values(header)
        if malformed:
            kinds.append(st.tuples(st.just(header.name), st.sampled_from(malformed), st.booleans(),
                                   st.just(MALFORMED)))
        per_header.append(st.one_of(*kinds))
    return st.one_of(*per_header)


def _check_header(harness: Harness, value: tuple[str, str | None, bool, str]) -> None:
    contract, client = harness.contract, harness.client
    name, header_value, recase, label = value
    header = next(h for h in contract.headers if h.name == name)
    created = client.create()
    _error_shape(contract, created, "create")
    link_id = client.link_id_of(created)
    sent = name.swapcase() if recase else name
    if header_value is None:
        exchange = client.cancel(link_id, omit_headers=(name,), pre_status=contract.initial_status)
        expectation = header.missing if header.missing is not None and (
            header.required or name in {h.name for h in contract.checked_headers}) else None
    else:
        # The client sends the header under its contract name; replace it with our spelling.
        overrides = {sent: header_value}
        omit = (name,) if sent != name else ()
        exchange = client.cancel(link_id, omit_headers=omit, header_overrides=overrides,
                                 pre_status=contract.initial_status)
        expectation = header.invalid if label == MALFORMED else None
    what = f"cancel with {name}={header_value!r} ({label})" + (f" sent as {sent!r}" if recase else "")
    _error_shape(contract, exchange, what)
    ok = 200 <= exchange.status < 300
    if label == CONFORMING and not ok:
        # A value the stated rule accepts passes the header check whatever the case of the name.
        raise PropertyFailure(f"{what}: a conforming value is accepted [{header.source.evidence.value}]"
                              f"\n  Expected: HTTP 2xx (the cancel of a fresh link)\n"
                              f"  Received: HTTP {exchange.status}: {exchange.text[:200]}\n"
                              f"  Source: {header.source.citation}")
    if expectation is not None and not expectation.played.outcome.value.startswith(
            ("CANCELLED", "ALREADY")) and ok:
        raise PropertyFailure(f"{what}: refused as the contract says "
                              f"[{expectation.source.evidence.value}]\n"
                              f"  Expected: {expectation.played.label} ({expectation.played.outcome})\n"
                              f"  Received: HTTP {exchange.status}\n  Source: {expectation.source.citation}")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(alphabet=_SENDABLE, max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(alphabet=_SENDABLE, max_size=10), children, max_size=4),
    max_leaves=12,
)


def _bodies(contract: Contract) -> st.SearchStrategy[tuple[str, bytes]]:
    payloads = st.one_of(_JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=64))
    return st.tuples(st.sampled_from(("create", "cancel")), payloads)


def _check_body(harness: Harness, value: tuple[str, bytes]) -> None:
    contract, client = harness.contract, harness.client
    operation, payload = value
    if operation == "create":
        op = contract.create.operation
        path = op.url_path(version=client.version)
    else:
        created = client.create()
        op = contract.cancel
        path = op.url_path(quote(client.link_id_of(created), safe=""), client.version)
    headers = client._standard_headers()
    headers.update(client._auth_headers("valid"))
    headers["Content-Type"] = "application/json"
    response = client.http.request(op.method, path.lstrip("/"), content=payload, headers=headers)
    try:
        parsed = response.json() if response.content else None
    except ValueError:
        parsed = None
    from payconform.rules.client import interpret

    outcome, entity, error = interpret(contract, operation, response.status_code, parsed)
    exchange = Exchange(operation, op.method, str(response.request.url), {}, "", response.status_code,
                        dict(response.headers), response.text, parsed, outcome, entity, error)
    _error_shape(contract, exchange, f"{operation} with body {payload[:60]!r}")


@dataclass(frozen=True)
class InputProperty:
    """One input property: its id, what it promises, its strategy and its check."""

    id: str
    title: str
    strategy: Callable[[Contract], st.SearchStrategy[Any]]
    check: Callable[[Harness, Any], None]


PROPERTIES = (
    InputProperty("property.link-ids", "odd link ids never succeed, never 5xx, error shape",
                  link_ids, _check_link_id),
    InputProperty("property.headers", "header values are judged by the contract, never 5xx",
                  _header_values, _check_header),
    InputProperty("property.bodies", "arbitrary bodies never 5xx; refusals have the error shape",
                  _bodies, _check_body),
)


def run_property(prop: InputProperty, harness: Harness, *, settings: Settings, seed: int,
                 profile: str = "") -> MachineResult:
    """Run one input property; the message of a failure holds the shrunk input."""
    strategy = prop.strategy(harness.contract)
    if strategy.is_empty:
        return MachineResult(provider=harness.contract.provider, verdict=Verdict.SKIPPED,
                             evidence="", message=f"{prop.id}: nothing to vary for this contract",
                             steps=[], warnings=[], observations=[], step_count=0, requests=0,
                             duration_s=0.0, seed=seed, profile=profile)
    count = [0]
    log = MachineLog()

    search = progress.phase(f"{harness.contract.provider} {prop.id}", lambda: {"examples": count[0]})

    def body(value: Any) -> None:
        # Infrastructure trouble stops the search (later examples send nothing) instead of
        # ending this example where a server chose: hypothesis sees the same data either way.
        if log.halted:
            return
        count[0] += 1
        ticker.tick()
        try:
            prop.check(harness, value)
        except PropertyFailure as exc:
            log.first_failure = log.first_failure or str(exc)
            raise
        except Exception as exc:
            if not is_infrastructure(exc):
                raise
            log.halted = f"{type(exc).__name__}: {exc}"

    test = hypothesis_seed(seed)(search_settings(settings, harness)(given(strategy)(body)))
    lines: list[object] = []
    started, sent = time.perf_counter(), harness.client.requests_sent
    raised: BaseException | None = None
    with search as ticker, with_reporter(lines.append):
        try:
            test()
        except Exception as exc:  # judged below: a finding, infrastructure, or our own crash
            raised = exc
            lines.extend(getattr(exc, "__notes__", []))
    verdict, message, trace = judge_search(raised, log)
    steps = [line.strip() for text in lines for line in str(text).splitlines()
             if line.strip().startswith(("body(", "value="))]
    if steps and verdict is Verdict.FAIL:
        message += "\n\nShrunk input:\n" + "\n".join(f"  {s}" for s in steps)
    return MachineResult(provider=harness.contract.provider, verdict=verdict,
                         evidence=Evidence.DOCUMENTED.value, message=message, steps=steps,
                         warnings=[], observations=[], step_count=count[0],
                         requests=harness.client.requests_sent - sent,
                         duration_s=time.perf_counter() - started, seed=seed, profile=profile,
                         traceback=trace)
