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
    """The create, fetch and cancel templates of one provider on one server."""

    contract: Contract
    origin: str
    create: Template
    fetch: Template
    cancel: Template
    fresh_headers: frozenset[str]
    placeholder: str

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
        link_id = client.link_id_of(client.create(link_id=placeholder))
        client.fetch(link_id)
        client.cancel(link_id)
    finally:
        http.event_hooks["request"].remove(seen.append)
        if own:
            http.close()
    templates = []
    for request in seen[-3:]:  # a bearer-token exchange may come first
        path = request.url.raw_path.decode("ascii").replace(link_id, placeholder)
        body = request.content.replace(link_id.encode(), placeholder.encode())
        headers = tuple((k, v) for k, v in request.headers.items() if k.lower() not in _SKIP)
        templates.append(Template(request.method, path, headers, body))
    url = httpx.URL(base_url)
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    fresh = frozenset(h.name.lower() for h in contract.headers if h.value == "uuid")
    return Workload(contract, origin, templates[0], templates[1], templates[2], fresh, placeholder)
