"""An example Cashfree adapter on httpx, as a team would write one, and four buggy variants.

Run: ``PYTHONPATH=examples/adapters pytest suites --provider cashfree --adapter cashfree_adapter:factory``

The correct adapter sends the documented headers, one ``x-idempotency-key`` per cancel that
it reuses on its own retries, retries only what cannot apply twice (5xx, a lost answer, a
429 after ``Retry-After``), and never retries a refusal. Each ``*_factory`` below plants one
classic bug; payconform reports exactly it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping

import httpx

API_VERSION = "2025-01-01"
RETRIES = 2


class CashfreeLinks:
    """Create, fetch and cancel Cashfree payment links; cancel returns a payconform outcome name."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=5, headers={
            "x-client-id": client_id, "x-client-secret": client_secret,
            "x-api-version": API_VERSION})

    def close(self) -> None:
        self.http.close()

    def create(self) -> str:
        link_id = f"adapter_{uuid.uuid4().hex[:12]}"
        response = self.http.post("links", json={
            "link_id": link_id, "link_amount": 100, "link_currency": "INR",
            "link_purpose": "adapter check", "customer_details": {"customer_phone": "9999999999"}})
        response.raise_for_status()
        return link_id

    def fetch(self, link_id: str) -> str:
        response = self.http.get(f"links/{link_id}")
        response.raise_for_status()
        return str(response.json()["link_status"])

    def cancel(self, link_id: str) -> str:
        key = str(uuid.uuid4())  # one key for every attempt of this cancel
        for attempt in range(RETRIES + 1):
            try:
                response = self.send_cancel(link_id, key)
            except httpx.TransportError:  # timeout or reset: the answer is lost, the key is kept
                if attempt == RETRIES:
                    return "PROVIDER_ERROR"
                time.sleep(0.2)
                continue
            wait = self.retry_wait(response)
            if wait is None or attempt == RETRIES:
                return self.outcome(response)
            time.sleep(wait)
        return "PROVIDER_ERROR"

    def send_cancel(self, link_id: str, key: str) -> httpx.Response:
        return self.http.post(f"links/{link_id}/cancel", headers={"x-idempotency-key": key})

    def retry_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, or None when the answer stands."""
        if response.status_code == 429:
            hint = response.headers.get("retry-after") or response.headers.get("x-ratelimit-retry")
            return float(hint) if hint else None
        if response.status_code >= 500:
            return 0.2
        return None

    def outcome(self, response: httpx.Response) -> str:
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
            code = None
        if code == "link_not_active":
            return self.map_not_active()
        if code == "link_not_found" or status == 404:
            return "NOT_FOUND"
        return "INVALID_REQUEST"

    def map_not_active(self) -> str:
        return "NOT_CANCELLABLE"


class WrongMapping(CashfreeLinks):
    """Bug: reads link_not_active as 'already cancelled'."""

    def map_not_active(self) -> str:
        return "ALREADY_CANCELLED"


class MissingHeader(CashfreeLinks):
    """Bug: the cancel call is built without the x-api-version header."""

    def send_cancel(self, link_id: str, key: str) -> httpx.Response:
        request = self.http.build_request("POST", f"links/{link_id}/cancel",
                                          headers={"x-idempotency-key": key})
        del request.headers["x-api-version"]
        return self.http.send(request)


class RetriesRefusal(CashfreeLinks):
    """Bug: treats a 400 as transient and sends the cancel once more."""

    def retry_wait(self, response: httpx.Response) -> float | None:
        if response.status_code == 400 and not getattr(self, "_retried", False):
            self._retried = True
            return 0.0
        return super().retry_wait(response)


class CancelledOn503(CashfreeLinks):
    """Bug: an optimistic mapping that reports a 503 as cancelled, without retrying."""

    def retry_wait(self, response: httpx.Response) -> float | None:
        return None if response.status_code == 503 else super().retry_wait(response)

    def outcome(self, response: httpx.Response) -> str:
        return "CANCELLED" if response.status_code == 503 else super().outcome(response)


def _make(cls: type[CashfreeLinks], provider: str, base_url: str,
          credentials: Mapping[str, str]) -> CashfreeLinks | None:
    if provider != "cashfree":
        return None  # payconform calls the factory for every provider it checks
    return cls(base_url, credentials["client_id"], credentials["client_secret"])


def factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> CashfreeLinks | None:
    """The correct adapter; None means 'not covered by this adapter'."""
    return _make(CashfreeLinks, provider, base_url, credentials)


def buggy_factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> CashfreeLinks | None:
    """Wrong mapping: link_not_active read as ALREADY_CANCELLED."""
    return _make(WrongMapping, provider, base_url, credentials)


def missing_header_factory(provider: str, base_url: str, credentials: Mapping[str, str]
                           ) -> CashfreeLinks | None:
    """Missing header: no x-api-version on the cancel call."""
    return _make(MissingHeader, provider, base_url, credentials)


def retries_refusal_factory(provider: str, base_url: str, credentials: Mapping[str, str]
                            ) -> CashfreeLinks | None:
    """Retrying a terminal refusal: a refused cancel is sent again."""
    return _make(RetriesRefusal, provider, base_url, credentials)


def cancelled_on_503_factory(provider: str, base_url: str, credentials: Mapping[str, str]
                             ) -> CashfreeLinks | None:
    """CANCELLED on a 503: a 503 is reported as a successful cancel."""
    return _make(CancelledOn503, provider, base_url, credentials)
