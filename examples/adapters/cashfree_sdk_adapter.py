"""A Cashfree Payment Links adapter on the official SDK (PyPI ``cashfree-pg``).

Run: ``PYTHONPATH=examples/adapters pytest suites --provider cashfree --adapter cashfree_sdk_adapter:factory``

The SDK hard-codes the sandbox and production hosts in every call and builds a fresh
``Configuration`` per call; the only way to point it elsewhere (a staging proxy, or the
payconform simulator) is a ``Configuration`` whose host is fixed, installed in the SDK's
module around each call (and removed after it). The adapter passes the SDK's ``x_idempotency_key`` and reuses it on its own retries.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import urllib3
from cashfree_pg import api_client
from cashfree_pg.exceptions import ApiException
from cashfree_pg.models.create_link_request import CreateLinkRequest
from cashfree_pg.models.link_customer_details_entity import LinkCustomerDetailsEntity


@contextmanager
def _pointed_at(base_url: str) -> Iterator[None]:
    """The SDK's calls inside go to ``base_url``; the SDK is left as it was afterwards."""
    original = api_client.Configuration

    class Pointed(original):  # type: ignore[misc, valid-type]
        def __init__(self, host: str | None = None, **kwargs: Any) -> None:
            super().__init__(host=base_url, **kwargs)

    api_client.Configuration = Pointed
    try:
        yield
    finally:
        api_client.Configuration = original


class CashfreeSdkLinks:
    """Create, fetch and cancel links through ``cashfree_pg.api_client.Cashfree``."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.base_url = base_url
        self.sdk = api_client.Cashfree(XEnvironment=api_client.Cashfree.SANDBOX,
                                       XClientId=client_id, XClientSecret=client_secret)

    def create(self) -> str:
        link_id = f"sdk_{uuid.uuid4().hex[:12]}"
        with _pointed_at(self.base_url):
            self._create(link_id)
        return link_id

    def _create(self, link_id: str) -> None:
        self.sdk.PGCreateLink(CreateLinkRequest(
            link_id=link_id, link_amount=100, link_currency="INR", link_purpose="adapter check",
            customer_details=LinkCustomerDetailsEntity(customer_phone="9999999999")),
            _request_timeout=5)

    def fetch(self, link_id: str) -> str:
        with _pointed_at(self.base_url):
            return str(self.sdk.PGFetchLink(link_id, _request_timeout=5).data.link_status)

    def cancel(self, link_id: str) -> str:
        with _pointed_at(self.base_url):
            return self._cancel(link_id)

    def _cancel(self, link_id: str) -> str:
        key = str(uuid.uuid4())  # the SDK's x_idempotency_key, the same on every retry
        for attempt in range(3):
            last = attempt == 2
            try:
                self.sdk.PGCancelLink(link_id, x_idempotency_key=key, _request_timeout=5)
                return "CANCELLED"
            except ApiException as exc:
                status = int(exc.status or 0)
                retry_after = (exc.headers or {}).get("Retry-After")
                if status == 429 and retry_after and not last:
                    time.sleep(float(retry_after))
                    continue
                if status >= 500 and not last:
                    time.sleep(0.2)
                    continue
                return self._refusal(status, exc.body)
            except urllib3.exceptions.HTTPError:  # the answer was lost: retry with the same key
                if last:
                    return "PROVIDER_ERROR"
                time.sleep(0.2)
        return "PROVIDER_ERROR"

    @staticmethod
    def _refusal(status: int, body: Any) -> str:
        if status == 429:
            return "RATE_LIMITED"
        if status >= 500:
            return "PROVIDER_ERROR"
        if status == 401:
            return "UNAUTHORIZED"
        try:
            code = json.loads(body).get("code")
        except (TypeError, ValueError):
            code = None
        if code == "link_not_active":
            return "NOT_CANCELLABLE"
        if code == "link_not_found" or status == 404:
            return "NOT_FOUND"
        return "INVALID_REQUEST"


def factory(provider: str, base_url: str, credentials: Mapping[str, str]) -> CashfreeSdkLinks | None:
    """Cashfree only; None for every other provider."""
    if provider != "cashfree":
        return None
    return CashfreeSdkLinks(base_url, credentials["client_id"], credentials["client_secret"])
