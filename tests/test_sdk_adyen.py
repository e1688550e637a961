"""The official Adyen Python SDK (``Adyen``) works against the served simulator.

The SDK's PaymentLinksApi builds every URL from its ``baseUrl`` (``.../v72``, the version it
calls by default), so the test points that attribute at the served simulator; the client is
the SDK's own, with an API key, as a user configures it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

Adyen = pytest.importorskip("Adyen", reason="install payconform[sdk] for SDK tests")
from Adyen.exceptions import AdyenAPIAuthenticationError  # noqa: E402
from Adyen.services.checkout.payment_links_api import PaymentLinksApi  # noqa: E402

CONTRACT = get_contract("adyen")
CREDS = CONTRACT.auth.simulator_credentials


def _links(base_url: str, api_key: str) -> Any:
    client = Adyen.AdyenClient(xapikey=api_key, platform="test")
    api = PaymentLinksApi(client)
    api.baseUrl = f"{base_url}/v72"
    return api


@pytest.fixture
def served() -> Iterator[str]:
    """The Adyen simulator on loopback; yields its base URL."""
    server = serve_in_thread(Simulator(CONTRACT))
    yield server.base_url
    server.stop()


def test_sdk_creates_a_link_and_updates_it_to_expired(served: str) -> None:
    """Given the SDK, a link is created (201, active), read, and expired with
    update_payment_link({"status": "expired"}); a read then shows it expired."""
    api = _links(served, CREDS["api_key"])
    created = api.payment_links({"amount": {"value": 1250, "currency": "EUR"},
                                 "merchantAccount": CREDS["merchant_account"],
                                 "reference": "sdk-check"})
    assert created.status_code == 201
    link = created.message
    assert link["status"] == "active" and link["merchantAccount"] == CREDS["merchant_account"]
    assert api.get_payment_link(link["id"]).message["status"] == "active"
    expired = api.update_payment_link({"status": "expired"}, link["id"])
    assert expired.status_code == 200
    assert (expired.message["id"], expired.message["status"]) == (link["id"], "expired")
    assert api.get_payment_link(link["id"]).message["status"] == "expired"


def test_sdk_reports_a_wrong_key_as_an_authentication_error(served: str) -> None:
    """Given a wrong API key, the SDK raises its authentication error (HTTP 401)."""
    api = _links(served, "not-the-key")
    with pytest.raises(AdyenAPIAuthenticationError):
        api.update_payment_link({"status": "expired"}, "PL0000000000PC0000")
