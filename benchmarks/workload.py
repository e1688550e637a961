"""Create / fetch / cancel traffic against a served simulator, for any contract.

payconform's own client sends one create, fetch and cancel to the server; those requests
become templates (the link id a placeholder, uuid-valued headers such as idempotency keys
fresh per request) that many concurrent clients then replay with their own links. Used by
``benchmarks/served_simulator.py`` and the load tests, through aiohttp (one event loop keeps
hundreds of connections busy; httpx's async pool is much slower at that count).
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

import aiohttp
import httpx
from yarl import URL

from payconform.model.contract import Contract, dotted_get
from payconform.rules.client import Credentials, ProviderClient

__all__ = ["Request", "Template", "Workload", "capture", "send"]

_SKIP = frozenset({"content-length", "host", "accept-encoding", "connection"})


@dataclass(frozen=True)
class Template:
    """One captured request, the link id replaced by its workload's placeholder."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Request:
    """A request ready to send: method, absolute URL (already encoded), headers, body."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Workload:
    """The create, fetch and cancel templates of one provider on one server; ``activate`` is
    the request that makes a created draft payable, where the contract has an activation."""

    contract: Contract
    origin: str
    create: Template
    fetch: Template
    cancel: Template
    fresh_headers: frozenset[str]
    placeholder: str
    activate: Template | None = None

    def lifecycle(self) -> tuple[Template, ...]:
        """One link's requests in order: create, activate (if any), fetch, cancel, fetch."""
        made = (self.create,) if self.activate is None else (self.create, self.activate)
        return (*made, self.fetch, self.cancel, self.fetch)

    def request(self, template: Template, link_id: str) -> Request:
        """``template`` for ``link_id`` (a client-chosen id for a create, the real one after)."""
        headers = {k: (str(uuid.uuid4()) if k.lower() in self.fresh_headers else v)
                   for k, v in template.headers}
        body = template.body.replace(self.placeholder.encode(), link_id.encode())
        field_name = self.contract.create.idempotency_field
        if template is self.create and field_name and self.placeholder.encode() not in template.body:
            # A create's idempotency key in the body (Square) is fresh per request too.
            data = json.loads(body)
            node = data
            *parents, last = field_name.split(".")
            for part in parents:
                node = node[part]
            node[last] = str(uuid.uuid4())
            body = json.dumps(data).encode()
        return Request(template.method, self.origin + template.path.replace(self.placeholder, link_id),
                       headers, body)

    def new_id(self, n: int, salt: str = "") -> str:
        """A client-side link id within the contract's limits (used where the client picks ids)."""
        limit = self.contract.create.id_max_length or 50
        return f"pc_{salt}{n:x}"[:limit]

    def created_id(self, body: bytes, sent: str) -> str:
        """The id of the link a create answered with (``sent`` where the client chose it)."""
        if self.contract.create.id_from is not None:
            return sent
        entity = dotted_get(json.loads(body), self.contract.entity.path)
        return str(dotted_get(entity, self.contract.entity.id_field))


async def send(session: aiohttp.ClientSession, request: Request) -> tuple[int, bytes]:
    """Send ``request``; its status and body."""
    async with session.request(request.method, URL(request.url, encoded=True),
                               headers=request.headers, data=request.body or None) as response:
        return response.status, await response.read()


def capture(contract: Contract, base_url: str, http: httpx.Client | None = None) -> Workload:
    """The requests payconform's client sends for one create, fetch and cancel at ``base_url``
    (through ``http`` when given, e.g. an in-process transport)."""
    placeholder = "PCLOAD" + secrets.token_hex(4)
    seen: list[httpx.Request] = []
    own = http is None
    if http is None:
        http = httpx.Client(base_url=base_url.rstrip("/") + "/")
    http.event_hooks["request"].append(seen.append)
    try:
        client = ProviderClient(contract, http, Credentials(dict(contract.auth.simulator_credentials)))
        # The placeholder is the client-chosen id or reference of the create body (fresh per
        # request later); the id the server answers with becomes the placeholder in paths.
        # Each operation's own requests, so a bearer-token exchange before one (or an
        # activation after the create) is never taken for another operation.
        marks = [len(seen)]
        link_id = client.link_id_of(client.create(link_id=placeholder))
        marks.append(len(seen))
        client.fetch(link_id)
        marks.append(len(seen))
        client.cancel(link_id)
        marks.append(len(seen))
    finally:
        http.event_hooks["request"].remove(seen.append)
        if own:
            http.close()
    made = seen[marks[0]:marks[1]]
    chosen = [made[-2] if contract.activation is not None else made[-1],
              seen[marks[2] - 1], seen[marks[3] - 1]]
    if contract.activation is not None:
        chosen.append(made[-1])
    templates = []
    for request in chosen:
        path = request.url.raw_path.decode("ascii").replace(link_id, placeholder)
        body = request.content.replace(link_id.encode(), placeholder.encode())
        headers = tuple((k, v) for k, v in request.headers.items() if k.lower() not in _SKIP)
        templates.append(Template(request.method, path, headers, body))
    url = httpx.URL(base_url)
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    fresh = frozenset(h.name.lower() for h in contract.headers if h.value == "uuid")
    return Workload(contract, origin, templates[0], templates[1], templates[2], fresh, placeholder,
                    templates[3] if len(templates) > 3 else None)
