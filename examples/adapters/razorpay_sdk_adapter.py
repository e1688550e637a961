"""A Razorpay Payment Links adapter on the official SDK (PyPI ``razorpay``).

Run: ``PYTHONPATH=examples/adapters pytest suites --provider razorpay --adapter razorpay_sdk_adapter:factory``

The SDK raises ``BadRequestError`` for every error body whose code is BAD_REQUEST_ERROR,
whatever the HTTP status, so the adapter also notes the status of the last response through
a ``requests`` response hook. Razorpay has no idempotency key for a cancel and a repeated
cancel of a cancelled link is refused, so the adapter never retries a cancel (the SDK's own
``enable_retry`` would, on a lost answer: ``retrying_factory`` shows what payconform says).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError

REFUSALS = {
    "cannot cancel or expire an already paid/partially paid link": "NOT_CANCELLABLE",
    "cannot cancel or expire an expired link": "NOT_CANCELLABLE",
    "The id provided does not exist": "NOT_FOUND",
    "The api key provided is invalid": "UNAUTHORIZED",
    "The api secret provided is invalid": "UNAUTHORIZED",
}


class RazorpayLinks:
    """Create, fetch and cancel payment links through ``razorpay.Client``."""

    def __init__(self, base_url: str, key_id: str, key_secret: str, *, retry: bool = False) -> None:
        self.client = razorpay.Client(auth=(key_id, key_secret), base_url=base_url)
        self.client.enable_retry(retry)
        self.last_status = 0
        self.client.session.hooks["response"].append(self._note)

    def _note(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_status = response.status_code

    def close(self) -> None:
        self.client.session.close()

    def create(self) -> str:
        link = self.client.payment_link.create({
            "amount": 1000, "currency": "INR", "description": "adapter check",
            "customer": {"name": "Adapter Check", "contact": "+919999999999"}})
        return str(link["id"])

    def fetch(self, link_id: str) -> str:
        return str(self.client.payment_link.fetch(link_id)["status"])

    def cancel(self, link_id: str) -> str:
        self.last_status = 0
        try:
            link = self.client.payment_link.cancel(link_id)
        except (BadRequestError, GatewayError, ServerError) as exc:
            if self.last_status == 429:
                return "RATE_LIMITED"
            if self.last_status >= 500:
                return "PROVIDER_ERROR"
            if self.last_status == 401:
                return "UNAUTHORIZED"
            return REFUSALS.get(str(exc), "INVALID_REQUEST")
        except (requests.RequestException, ValueError):  # lost answer, or not JSON (a proxy page)
            return "PROVIDER_ERROR"
        return "CANCELLED" if link.get("status") == "cancelled" else "PROVIDER_ERROR"


def factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> RazorpayLinks | None:
    """Payment Links v1 only; None for every other provider."""
    if provider != "razorpay":
        return None
    return RazorpayLinks(base_url, credentials["key_id"], credentials["key_secret"])


def retrying_factory(provider: str, base_url: str, credentials: Mapping[str, str]
                     ) -> RazorpayLinks | None:
    """Bug: the SDK's retries switched on: a cancel whose answer was lost is sent again."""
    if provider != "razorpay":
        return None
    return RazorpayLinks(base_url, credentials["key_id"], credentials["key_secret"], retry=True)
