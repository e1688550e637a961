"""An example Cashfree adapter, as a team would write one, for ``--adapter``.

Run: ``PYTHONPATH=examples/adapters pytest suites --provider cashfree --adapter cashfree_adapter:factory``
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import httpx


class CashfreeLinks:
    """Create and cancel Cashfree payment links; cancel returns a payconform outcome name."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=10, headers={
            "x-client-id": client_id, "x-client-secret": client_secret,
            "x-api-version": "2025-01-01"})

    def create(self) -> str:
        link_id = f"adapter_{uuid.uuid4().hex[:12]}"
        response = self.http.post("links", json={
            "link_id": link_id, "link_amount": 100, "link_currency": "INR",
            "link_purpose": "adapter check", "customer_details": {"customer_phone": "9999999999"}})
        response.raise_for_status()
        return link_id

    def cancel(self, link_id: str) -> str:
        response = self.http.post(f"links/{link_id}/cancel")
        if response.status_code == 200:
            return "CANCELLED"
        code = response.json().get("code") if response.content else None
        if response.status_code == 401:
            return "UNAUTHORIZED"
        if code == "link_not_active":
            return self.map_not_active()
        if code == "link_not_found" or response.status_code == 404:
            return "NOT_FOUND"
        if response.status_code == 429:
            return "RATE_LIMITED"
        return "PROVIDER_ERROR" if response.status_code >= 500 else "INVALID_REQUEST"

    def map_not_active(self) -> str:
        return "NOT_CANCELLABLE"


class BuggyCashfreeLinks(CashfreeLinks):
    """The same adapter with a classic bug: it reads link_not_active as 'already cancelled'."""

    def map_not_active(self) -> str:
        return "ALREADY_CANCELLED"


def factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> CashfreeLinks | None:
    """payconform calls this once per provider; None means 'not covered by this adapter'."""
    if provider != "cashfree":
        return None
    return CashfreeLinks(base_url, credentials["client_id"], credentials["client_secret"])


def buggy_factory(provider: str, base_url: str, credentials: Mapping[str, str]
                  ) -> CashfreeLinks | None:
    """The buggy variant, to see what a mapping FAIL looks like."""
    if provider != "cashfree":
        return None
    return BuggyCashfreeLinks(base_url, credentials["client_id"], credentials["client_secret"])
