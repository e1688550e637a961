"""A contract-driven adapter for every provider, and mutants of it that each plant one bug.

The faithful adapter builds its requests from the contract (through payconform's own
``ProviderClient``), keeps one idempotency key per cancel, retries only what cannot apply
twice, honours ``Retry-After`` and renews an expired bearer token. Each bug in :data:`BUGS`
breaks exactly one adapter rule; ``tests/test_adapter_rules.py`` proves the judge says so.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from payconform.model.contract import Contract
from payconform.model.registry import get_contract
from payconform.rules.client import Credentials, Exchange, ProviderClient

BUGS = ("wrong-method", "no-auth-on-fetch", "new-key-per-retry", "retry-without-key",
        "ignores-retry-after", "retries-refusal", "no-token-renewal")


class ContractAdapter:
    """A correct adapter for any contract, with optional planted bugs."""

    def __init__(self, contract: Contract, base_url: str, credentials: Mapping[str, str],
                 bugs: frozenset[str] = frozenset()) -> None:
        self.contract = contract
        self.bugs = bugs
        self.http = httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=0.5)
        self.client = ProviderClient(contract, self.http, Credentials(dict(credentials)))

    def close(self) -> None:
        self.http.close()

    def create(self) -> str:
        return self.client.link_id_of(self.client.create())

    def fetch(self, link_id: str) -> str:
        path = self.contract.fetch.url_path(quote(link_id, safe=""), self.client.version)
        auth = "missing" if "no-auth-on-fetch" in self.bugs else "valid"
        exchange = self.client._send("fetch", self.contract.fetch.method, path, auth=auth)
        if exchange.entity is None:
            return f"HTTP {exchange.status}"
        return str(exchange.entity.get(self.contract.entity.status_field))

    def _send_cancel(self, link_id: str, overrides: dict[str, str]) -> Exchange:
        op = self.contract.cancel
        method = ("PATCH" if op.method != "PATCH" else "POST") if "wrong-method" in self.bugs \
            else op.method
        omit: tuple[str, ...] = ()
        if "retry-without-key" in self.bugs and self.contract.cancel_idempotency_header is not None:
            omit, overrides = (self.contract.cancel_idempotency_header.name,), {}
        return self.client._send("cancel", method, op.url_path(quote(link_id, safe=""), self.client.version),
                                 body=self.contract.cancel_body, header_overrides=overrides,
                                 omit_headers=omit, renew="no-token-renewal" not in self.bugs)

    def cancel(self, link_id: str) -> str:
        contract = self.contract
        idem = contract.cancel_idempotency_header  # a key documented for the cancel's method
        overrides = {idem.name: str(uuid.uuid4())} if idem is not None else {}
        # A cancel whose answer is lost may be repeated only if it cannot apply twice.
        safe = idem is not None or contract.repeat_cancel.is_success or \
            "retry-without-key" in self.bugs
        refusal_retried = False
        for attempt in range(3):
            last = attempt == 2
            if attempt and "new-key-per-retry" in self.bugs and idem is not None:
                overrides = {idem.name: str(uuid.uuid4())}
            try:
                exchange = self._send_cancel(link_id, overrides)
            except httpx.TransportError:
                if safe and not last:
                    time.sleep(0.1)
                    continue
                return "PROVIDER_ERROR"
            except httpx.HTTPStatusError:  # the token call was refused
                return "UNAUTHORIZED"
            status = exchange.status
            if status == 429 and not last:
                hint = exchange.response_headers.get("retry-after")
                if hint:
                    time.sleep(0.0 if "ignores-retry-after" in self.bugs else float(hint))
                    continue
            if status >= 500 and safe and not last:
                time.sleep(0.1)
                continue
            refused = 400 <= status < 500 and status != 429
            if refused and "retries-refusal" in self.bugs and not refusal_retried:
                refusal_retried = True
                continue
            outcome = exchange.outcome.value
            return "NOT_CANCELLABLE" if outcome == "REJECTED" else outcome
        return "PROVIDER_ERROR"


def factory_for(*bugs: str) -> Callable[[str, str, Mapping[str, str]], Any]:
    """An adapter factory covering every provider, with ``bugs`` planted."""
    planted = frozenset(bugs)
    unknown = planted - set(BUGS)
    if unknown:
        raise ValueError(f"unknown bugs: {sorted(unknown)}")

    def factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> ContractAdapter:
        return ContractAdapter(get_contract(provider), base_url, credentials, planted)

    return factory
