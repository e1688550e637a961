"""The official Stripe Python SDK (PyPI stripe) works against the served simulator.

``StripeClient`` takes its API host as ``base_addresses["api"]``: the test points it at the
simulator served on loopback (the SDK adds ``/v1`` itself) and touches nothing else of the
SDK. Both Stripe contracts are served: Checkout Sessions (expire) and Payment Links
(deactivate, reversible).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

stripe = pytest.importorskip("stripe", reason="install payconform[sdk] for SDK tests")

CHECKOUT = get_contract("stripe-checkout")
LINKS = get_contract("stripe-payment-links")
LINE_ITEM = {"price_data": {"currency": "usd", "unit_amount": 1500,
                            "product_data": {"name": "sdk check"}}, "quantity": 1}


def _serve(contract: Any, simulator: Simulator) -> Iterator[Any]:
    server = serve_in_thread(simulator)
    base_path = urlsplit(contract.base_urls["sandbox"]).path
    # The SDK appends /v1 itself, so it gets the origin, not the contract's base URL.
    client = stripe.StripeClient(contract.auth.simulator_credentials["secret_key"],
                                 base_addresses={"api": server.base_url.removesuffix(base_path)})
    yield client
    server.stop()


@pytest.fixture
def checkout_simulator() -> Simulator:
    """A fresh Checkout Sessions simulator."""
    return Simulator(CHECKOUT)


@pytest.fixture
def checkout(checkout_simulator: Simulator) -> Iterator[Any]:
    """A StripeClient whose requests go to the Checkout Sessions simulator."""
    yield from _serve(CHECKOUT, checkout_simulator)


@pytest.fixture
def links() -> Iterator[Any]:
    """A StripeClient whose requests go to the Payment Links simulator."""
    yield from _serve(LINKS, Simulator(LINKS))


def test_sdk_creates_and_expires_a_session_and_a_repeat_expire_is_the_documented_error(
    checkout: Any, checkout_simulator: Simulator
) -> None:
    """Given the SDK, a session goes open -> expired (url gone); a second expire is a 400
    invalid_request_error, which the SDK raises as InvalidRequestError."""
    session = checkout.v1.checkout.sessions.create(params={
        "mode": "payment", "line_items": [LINE_ITEM], "success_url": "https://example.com/ok",
        "metadata": {"payconform_run": "sdk"}})
    assert (session.object, session.status, session.amount_total) == ("checkout.session", "open", 1500)
    assert session.metadata["payconform_run"] == "sdk"

    expired = checkout.v1.checkout.sessions.expire(session.id)
    assert (expired.status, expired.url) == ("expired", None)
    assert checkout.v1.checkout.sessions.retrieve(session.id).status == "expired"

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        checkout.v1.checkout.sessions.expire(session.id)
    assert excinfo.value.http_status == 400
    assert excinfo.value.error.type == "invalid_request_error"

    posts = [r for r in checkout_simulator.requests if r["method"] == "POST"]
    assert all(r["headers"]["content-type"] == "application/x-www-form-urlencoded" for r in posts)
    assert {r["headers"]["stripe-version"] for r in posts} == {stripe.api_version}


def test_sdk_sees_resource_missing_for_an_unknown_session(checkout: Any) -> None:
    """Given an id that was never created, expire raises a 404 resource_missing."""
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        checkout.v1.checkout.sessions.expire(CHECKOUT.unknown_id_example)
    assert (excinfo.value.http_status, excinfo.value.code) == (404, "resource_missing")


def test_sdk_deactivates_a_payment_link_and_reactivates_it(links: Any) -> None:
    """Given the SDK, a payment link is deactivated with active=false, stays inactive when
    read, and active=true brings it back."""
    link = links.v1.payment_links.create(params={"line_items": [LINE_ITEM],
                                                 "metadata": {"payconform_run": "sdk"}})
    assert (link.object, link.active) == ("payment_link", True)

    deactivated = links.v1.payment_links.update(link.id, params={"active": False})
    assert deactivated.active is False
    assert links.v1.payment_links.retrieve(link.id).active is False

    again = links.v1.payment_links.update(link.id, params={"active": True})
    assert again.active is True
    assert links.v1.payment_links.retrieve(link.id).active is True
