"""An asynchronous Cashfree adapter on ``httpx.AsyncClient``.

Run: ``PYTHONPATH=examples/adapters pytest suites --provider cashfree --adapter cashfree_async_adapter:factory``

payconform sees coroutine methods and runs each scenario in one event loop; ``aclose`` is
called after each scenario.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping

import httpx

OUTCOMES = {"link_not_active": "NOT_CANCELLABLE", "link_not_found": "NOT_FOUND"}


class AsyncCashfreeLinks:
    """Create, fetch and cancel Cashfree payment links without blocking."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/") + "/", timeout=5, headers={
            "x-client-id": client_id, "x-client-secret": client_secret,
            "x-api-version": "2025-01-01"})

    async def aclose(self) -> None:
        await self.http.aclose()

    async def create(self) -> str:
        link_id = f"async_{uuid.uuid4().hex[:12]}"
        response = await self.http.post("links", json={
            "link_id": link_id, "link_amount": 100, "link_currency": "INR",
            "link_purpose": "adapter check", "customer_details": {"customer_phone": "9999999999"}})
        response.raise_for_status()
        return link_id

    async def fetch(self, link_id: str) -> str:
        response = await self.http.get(f"links/{link_id}")
        response.raise_for_status()
        return str(response.json()["link_status"])

    async def cancel(self, link_id: str) -> str:
        headers = {"x-idempotency-key": str(uuid.uuid4())}  # reused by every retry below
        for attempt in range(3):
            last = attempt == 2
            try:
                response = await self.http.post(f"links/{link_id}/cancel", headers=headers)
            except httpx.TransportError:
                if last:
                    return "PROVIDER_ERROR"
                await asyncio.sleep(0.2)
                continue
            status = response.status_code
            if status == 429 and not last and response.headers.get("retry-after"):
                await asyncio.sleep(float(response.headers["retry-after"]))
                continue
            if status >= 500 and not last:
                await asyncio.sleep(0.2)
                continue
            return self._outcome(response)
        return "PROVIDER_ERROR"

    @staticmethod
    def _outcome(response: httpx.Response) -> str:
        status = response.status_code
        if status == 200:
            return "CANCELLED"
        if status == 429:
            return "RATE_LIMITED"
        if status >= 500:
            return "PROVIDER_ERROR"
        if status == 401:
            return "UNAUTHORIZED"
        try:
            code = response.json().get("code")
        except ValueError:
            return "PROVIDER_ERROR"
        return OUTCOMES.get(code, "NOT_FOUND" if status == 404 else "INVALID_REQUEST")


def factory(provider: str, base_url: str, credentials: Mapping[str, str]
            ) -> AsyncCashfreeLinks | None:
    """payconform calls this for each scenario; None means 'not covered by this adapter'."""
    if provider != "cashfree":
        return None
    return AsyncCashfreeLinks(base_url, credentials["client_id"], credentials["client_secret"])
