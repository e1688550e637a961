"""The scenarios an adapter is driven through, and a simulator that arms them on request.

A scenario is one cancel the adapter performs against the simulator: from every status of
the contract (the repeat included), of an unknown id, with wrong credentials, and under a
fault (429 with ``Retry-After``, 503, a timeout after the cancel took effect, a reset before
it, an HTML error page, an expired bearer token). The plan is derived from the contract only.

:class:`ScenarioSimulator` is the provider simulator plus a scenario API under
``/_simulator/scenarios`` so that a client in any language can run the plan (see README,
"Verifying your own adapter"): ``GET`` the plan (``scenarios``, or ``scenarios.txt`` as
tab-separated lines), ``POST .../{id}/begin`` before the
scenario's first request, ``POST .../{id}/link`` with ``{"link_id": ...}`` once the link
exists (this arms the status, fault or token expiry). ``GET /_simulator/session`` returns the
recording the judge reads: the request log, where each scenario begins, and link statuses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from payconform.model.contract import Contract
from payconform.simulator.core import Simulator
from payconform.simulator.faults import parse_faults
from payconform.simulator.state import CONTROL_PREFIX, SimResponse

__all__ = [
    "SESSION_SCHEMA",
    "TIMEOUT_HOLD_SECONDS",
    "Scenario",
    "ScenarioMark",
    "ScenarioSimulator",
    "Session",
    "plan",
    "wrong_credentials",
]

SESSION_SCHEMA = "payconform.adapter-session/1"

#: How long the simulator holds the answer of a cancel that took effect before it drops the
#: connection (the ``timeout`` scenario): longer than a sensible test timeout, short enough for CI.
TIMEOUT_HOLD_SECONDS = 0.5

#: The ``Retry-After`` of the ``fault:429`` scenario, in seconds.
RETRY_AFTER_SECONDS = 1

Kind = Literal["status", "unknown-id", "invalid-credentials", "fault"]


@dataclass(frozen=True)
class Scenario:
    """One cancel the adapter performs, and how the simulator is set up for it."""

    id: str
    title: str
    kind: Kind
    status: str | None = None
    fault: Mapping[str, Any] | None = None
    expire_tokens: bool = False

    @property
    def creates(self) -> bool:
        """Whether the adapter creates the link it then cancels."""
        return self.kind != "unknown-id"

    @property
    def credentials(self) -> str:
        """``valid`` or ``wrong``: which credentials the cancel is sent with."""
        return "wrong" if self.kind == "invalid-credentials" else "valid"

    def describe(self, contract: Contract) -> dict[str, Any]:
        """What a client needs to run the scenario (the plan served to any language)."""
        return {
            "id": self.id,
            "title": self.title,
            "create": self.creates,
            "cancel_id": None if self.creates else contract.unknown_id_example,
            "credentials": self.credentials,
        }


def plan(contract: Contract) -> list[Scenario]:
    """Every scenario for ``contract``, in the order a client runs them."""
    out = [Scenario(f"cancel:{s}", f"cancel of a {s} link", "status", status=s)
           for s in (*contract.cancel_outcomes, contract.cancelled_status)]
    out.append(Scenario("unknown-id", "cancel of an unknown id", "unknown-id"))
    out.append(Scenario("invalid-credentials", "cancel with wrong credentials", "invalid-credentials"))
    hints = {name: str(RETRY_AFTER_SECONDS) for name in contract.retry_hint_headers}
    faults: list[tuple[str, str, dict[str, Any]]] = [
        ("429", "cancel answered 429 with Retry-After",
         {"kind": "status", "status": 429, "retry_after": RETRY_AFTER_SECONDS, "headers": hints}),
        ("503", "cancel answered 503 (no effect)", {"kind": "status", "status": 503}),
        ("timeout", "cancel took effect, its answer never came",
         {"kind": "timeout", "seconds": TIMEOUT_HOLD_SECONDS}),
        ("reset", "connection reset before the cancel took effect", {"kind": "reset"}),
        ("html", "cancel answered an HTML 502 page from a proxy", {"kind": "html", "status": 502}),
    ]
    out.extend(Scenario(f"fault:{name}", title, "fault", fault=body) for name, title, body in faults)
    if contract.auth.scheme == "bearer_token":
        out.append(Scenario("fault:token-expired", "cancel with a bearer token that expired",
                            "fault", expire_tokens=True))
    return out


def wrong_credentials(credentials: Mapping[str, str]) -> dict[str, str]:
    """Credentials of the same shape that the simulator does not accept.

    The last four characters change within their class (digit, hex letter, letter), so an
    SDK that checks a key's prefix or a UUID's shape still accepts them.
    """

    def shift(char: str) -> str:
        if char.isdigit():
            return str((int(char) + 1) % 10)
        if char in "abcdef":
            return "abcdef"[("abcdef".index(char) + 1) % 6]
        if char in "ABCDEF":
            return "ABCDEF"[("ABCDEF".index(char) + 1) % 6]
        if char.isalpha():
            return "b" if char == "a" else ("B" if char.isupper() else "a")
        return char

    out = {}
    for name, value in credentials.items():
        head, tail = value[:-4], value[-4:]
        changed = "".join(shift(c) for c in tail)
        out[name] = head + (changed if changed != tail else "0000")
    return out


@dataclass
class ScenarioMark:
    """Where a scenario begins in the request log, and the link it armed."""

    scenario: str
    first_request: int
    link_id: str | None = None


@dataclass
class Session:
    """A recording the judge reads: the request log, scenario marks, and link statuses."""

    provider: str
    requests: list[dict[str, Any]]
    marks: list[ScenarioMark]
    links: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The document ``GET /_simulator/session`` and ``serve --judge --record`` write."""
        return {"schema": SESSION_SCHEMA, "provider": self.provider, "requests": self.requests,
                "scenarios": [asdict(m) for m in self.marks], "links": self.links}

    @classmethod
    def from_json(cls, doc: Any) -> Session:
        """Read a recording; ValueError says what is wrong with it."""
        if not isinstance(doc, dict) or doc.get("schema") != SESSION_SCHEMA:
            raise ValueError(f"not a {SESSION_SCHEMA} recording")
        try:
            marks = [ScenarioMark(str(m["scenario"]), int(m["first_request"]), m.get("link_id"))
                     for m in doc["scenarios"]]
            return cls(str(doc["provider"]), list(doc["requests"]), marks,
                       {str(k): str(v) for k, v in dict(doc.get("links") or {}).items()})
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed {SESSION_SCHEMA} recording: {exc}") from None

    def traffic(self, scenario_id: str) -> list[dict[str, Any]] | None:
        """The requests of the last run of a scenario (None when it never began)."""
        for index in range(len(self.marks) - 1, -1, -1):
            mark = self.marks[index]
            if mark.scenario == scenario_id:
                end = (self.marks[index + 1].first_request if index + 1 < len(self.marks)
                       else len(self.requests))
                return self.requests[mark.first_request:end]
        return None

    def mark(self, scenario_id: str) -> ScenarioMark | None:
        """The mark of the last run of a scenario."""
        return next((m for m in reversed(self.marks) if m.scenario == scenario_id), None)


class ScenarioSimulator(Simulator):
    """The simulator plus the scenario API (``/_simulator/scenarios``, ``/_simulator/session``)."""

    def __init__(self, contract: Contract, **kwargs: Any) -> None:
        # A session is as long as the plan: keep every request (scenario marks index the log).
        kwargs.setdefault("request_log_size", None)
        super().__init__(contract, **kwargs)
        self.scenarios = {s.id: s for s in plan(contract)}
        self.marks: list[ScenarioMark] = []

    # ---- what the harness calls in process, and the scenario API calls over HTTP ----

    def begin(self, scenario_id: str) -> Scenario:
        """Start a scenario: its traffic is every request from here to the next begin."""
        scenario = self.scenarios[scenario_id]
        with self._lock:
            self.marks.append(ScenarioMark(scenario_id, len(self.requests)))
        return scenario

    def arm(self, scenario_id: str, link_id: str) -> None:
        """Set up the link the adapter created: its status, a fault on its cancel, token expiry."""
        scenario = self.scenarios[scenario_id]
        contract = self.contract
        with self._lock:
            mark = self.marks[-1] if self.marks else None
            if mark is None or mark.scenario != scenario_id:
                raise LookupError(f"scenario {scenario_id!r} has not begun; POST its begin first")
            if link_id not in self.links:
                raise KeyError(f"no link with id {link_id!r}")
            mark.link_id = link_id
            if scenario.status is not None and scenario.status != contract.initial_status:
                self.force_status(link_id, scenario.status)
            if scenario.fault is not None:
                # The fault acts on this link's cancel only, whatever else the adapter sends
                # (after a {version} segment, whichever version the adapter names).
                path = (self.base_path + contract.cancel.url_path(link_id)).split("{version}")[-1]
                self.faults.extend(parse_faults({**scenario.fault, "operation": "cancel",
                                                "path": path, "times": 1}))
            if scenario.expire_tokens:
                self.tokens = dict.fromkeys(self.tokens, 0.0)

    def session(self) -> Session:
        """The recording of everything so far."""
        with self._lock:
            return Session(self.contract.provider, [dict(r) for r in self.requests],
                           [ScenarioMark(m.scenario, m.first_request, m.link_id) for m in self.marks],
                           {link.id: link.status for link in self.links.values()})

    def reset(self) -> None:
        """Forget everything, scenario marks included."""
        super().reset()
        self.marks = []

    # ---- the scenario API ----

    def _control(self, method: str, path: str, headers: Mapping[str, str], body: bytes
                 ) -> SimResponse:
        """The scenario API (``scenarios``, ``scenarios.txt``, ``session``); else the simulator's."""
        rest = path[len(CONTROL_PREFIX):].strip("/")
        if rest.split("/")[0] not in ("scenarios", "scenarios.txt", "session"):
            return super()._control(method, path, headers, body)
        if method not in ("GET", "HEAD"):
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if not (ctype == "application/json" or ctype.endswith("+json")):
                return SimResponse(415, {"error": "control requests that change state must be "
                                                  "JSON (Content-Type: application/json)"})
        return self._scenario_api(method, "/" + rest, body)

    def _scenario_api(self, method: str, path: str, body: bytes) -> SimResponse:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts == ["session"] and method == "GET":
            return SimResponse(200, self.session().to_json())
        described = [s.describe(self.contract) for s in self.scenarios.values()]
        if parts == ["scenarios.txt"] and method == "GET":
            # The plan as tab-separated lines, for clients without a JSON parser (shell).
            lines = "".join(
                f"{d['id']}\t{'create' if d['create'] else 'none'}\t{d['cancel_id'] or '-'}\t"
                f"{d['credentials']}\n" for d in described)
            return SimResponse(200, raw=lines.encode(), headers={"Content-Type": "text/plain"})
        if parts == ["scenarios"] and method == "GET":
            return SimResponse(200, {"provider": self.contract.provider, "scenarios": described})
        if len(parts) == 3 and parts[0] == "scenarios" and method == "POST":
            scenario_id, action = parts[1], parts[2]
            if scenario_id not in self.scenarios:
                return SimResponse(404, {"error": f"unknown scenario {scenario_id!r}; GET "
                                                  f"{CONTROL_PREFIX}/scenarios lists them"})
            if action == "begin":
                return SimResponse(200, self.begin(scenario_id).describe(self.contract))
            if action == "link":
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    payload = None
                link_id = payload.get("link_id") if isinstance(payload, dict) else None
                if not isinstance(link_id, str):
                    return SimResponse(400, {"error": 'body must be {"link_id": "<id>"}'})
                try:
                    self.arm(scenario_id, link_id)
                except LookupError as exc:
                    return SimResponse(409 if not isinstance(exc, KeyError) else 404,
                                       {"error": str(exc.args[0])})
                return SimResponse(200, {"scenario": scenario_id, "link_id": link_id})
        return SimResponse(404, {"error": f"unknown scenario call {method} {path}"})

