"""A Stripe Checkout Sessions adapter on the official SDK (PyPI ``stripe``): "cancel" is expire.

Run: ``PYTHONPATH=examples/adapters pytest suites --provider stripe-checkout --adapter stripe_sdk_adapter:factory``

``StripeClient`` takes its API host as ``base_addresses["api"]`` and appends ``/v1`` itself.
The SDK retries network errors and 409/429/5xx on its own, with one ``Idempotency-Key`` per
call, which Stripe documents as replaying the first answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import stripe

LINE_ITEM = {"price_data": {"currency": "usd", "unit_amount": 1500,
                            "product_data": {"name": "adapter check"}}, "quantity": 1}


class StripeSessions:
    """Create, fetch and expire Checkout Sessions through ``stripe.StripeClient``."""

    def __init__(self, base_url: str, secret_key: str) -> None:
        parts = urlsplit(base_url)
        self.client = stripe.StripeClient(secret_key,
                                          base_addresses={"api": f"{parts.scheme}://{parts.netloc}"},
                                          max_network_retries=2)

    def create(self) -> str:
        session = self.client.v1.checkout.sessions.create(params={
            "mode": "payment", "line_items": [LINE_ITEM], "success_url": "https://example.com/ok"})
        return str(session.id)

    def fetch(self, link_id: str) -> str:
        return str(self.client.v1.checkout.sessions.retrieve(link_id).status)

    def cancel(self, link_id: str) -> str:
        try:
            session = self.client.v1.checkout.sessions.expire(link_id)
        except stripe.AuthenticationError:
            return "UNAUTHORIZED"
        except stripe.RateLimitError:
            return "RATE_LIMITED"
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404 or getattr(exc, "code", None) == "resource_missing":
                return "NOT_FOUND"
            return "NOT_CANCELLABLE"
        except stripe.StripeError:  # APIError, APIConnectionError, a proxy's page
            return "PROVIDER_ERROR"
        return "CANCELLED" if session.status == "expired" else "PROVIDER_ERROR"


def factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> StripeSessions | None:
    """Stripe Checkout Sessions only; None for every other provider."""
    if provider != "stripe-checkout":
        return None
    return StripeSessions(base_url, credentials["secret_key"])
