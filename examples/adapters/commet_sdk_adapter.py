"""A Commet payments adapter on the official SDK (PyPI ``commet-sdk``).

Run: ``PYTHONPATH=examples/adapters pytest suites --provider commet --adapter commet_sdk_adapter:factory``

The SDK builds its ``httpx.Client`` on the module constant ``commet._http._BASE_URL`` and
takes no client or base URL, so the adapter sets that constant while it builds the client
(the SDK appends ``/api/v1`` itself). The SDK retries 408/429/5xx and timeouts with one ``Idempotency-Key`` per call;
Commet documents a repeated cancel as a no-op, so its retries are safe.
"""

from __future__ import annotations

from collections.abc import Mapping

import commet
import httpx
from commet import _http as commet_http

API_PATH = "/api/v1"
REFUSALS = {"payment_not_cancelable": "NOT_CANCELLABLE", "payment_not_found": "NOT_FOUND",
            "unauthorized": "UNAUTHORIZED", "rate_limited": "RATE_LIMITED"}


class CommetPayments:
    """Create, fetch and cancel payment links through ``commet.Commet``."""

    def __init__(self, base_url: str, api_key: str) -> None:
        # Read once, when the client is built; the SDK is left as it was afterwards.
        original = commet_http._BASE_URL
        commet_http._BASE_URL = base_url.removesuffix(API_PATH)
        try:
            self.sdk = commet.Commet(api_key, telemetry=False, timeout=5)
        finally:
            commet_http._BASE_URL = original

    def close(self) -> None:
        self.sdk.close()

    def create(self) -> str:
        return str(self.sdk.payments.create(amount=2500, currency="usd",
                                            description="adapter check").id)

    def fetch(self, link_id: str) -> str:
        return str(self.sdk.payments.get(link_id).status)

    def cancel(self, link_id: str) -> str:
        try:
            payment = self.sdk.payments.cancel(link_id)
        except commet.CommetAPIError as exc:
            status = exc.status_code or 0
            if status == 429:
                return "RATE_LIMITED"
            if status >= 500 or exc.code == "INVALID_JSON":
                return "PROVIDER_ERROR"
            if status == 401:
                return "UNAUTHORIZED"
            return REFUSALS.get(exc.code or "", "INVALID_REQUEST")
        except httpx.TransportError:  # the answer was lost after the SDK's own retries
            return "PROVIDER_ERROR"
        return "CANCELLED" if payment.status == "canceled" else "PROVIDER_ERROR"


def factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> CommetPayments | None:
    """Commet only; None for every other provider."""
    if provider != "commet":
        return None
    return CommetPayments(base_url, credentials["api_key"])
