"""The official Razorpay Python SDK (razorpay) works against the served simulator.

The SDK takes its host from ``razorpay.Client(base_url=...)`` and appends ``/v1/...`` itself;
it speaks ``requests`` over a real socket, so the simulator is served on loopback.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

razorpay = pytest.importorskip(
    "razorpay", reason="the official razorpay SDK is not installed; install payconform[sdk]"
)
from razorpay.errors import BadRequestError  # noqa: E402

LINK_REQUEST = {
    "amount": 1000,
    "currency": "INR",
    "description": "payconform SDK check",
    "customer": {"name": "Gaurav Kumar", "contact": "+919999999999"},
    "notify": {"sms": False, "email": False},
}


def _client(provider: str) -> Iterator[Any]:
    contract = get_contract(provider)
    server = serve_in_thread(Simulator(contract))
    creds = contract.auth.simulator_credentials
    try:
        yield razorpay.Client(auth=(creds["key_id"], creds["key_secret"]),
                              base_url=server.base_url)
    finally:
        server.stop()


@pytest.fixture
def payment_links() -> Iterator[Any]:
    """A Razorpay SDK client talking to a loopback simulator of Payment Links v1."""
    yield from _client("razorpay")


@pytest.fixture
def legacy_links() -> Iterator[Any]:
    """A Razorpay SDK client talking to a loopback simulator of the legacy invoice links."""
    yield from _client("razorpay-invoices")


def test_sdk_creates_fetches_and_cancels_a_link_then_a_second_cancel_is_refused(
    payment_links: Any,
) -> None:
    """Given the SDK, a link goes created -> cancelled and a second cancel is the 400."""
    created = payment_links.payment_link.create(LINK_REQUEST)
    assert created["id"].startswith("plink_")
    assert (created["status"], created["cancelled_at"]) == ("created", 0)
    assert payment_links.payment_link.fetch(created["id"])["status"] == "created"

    cancelled = payment_links.payment_link.cancel(created["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_at"] > 0
    assert payment_links.payment_link.fetch(created["id"])["status"] == "cancelled"

    with pytest.raises(BadRequestError, match=r"^cannot cancel or expire an expired link$"):
        payment_links.payment_link.cancel(created["id"])


def test_sdk_gets_a_bad_request_for_an_unknown_link(payment_links: Any) -> None:
    """Given an id that was never created, the answer is the documented 400, not a 404."""
    with pytest.raises(BadRequestError, match=r"^The id provided does not exist$"):
        payment_links.payment_link.cancel("plink_PcUnknownLink0")
    recorded = payment_links.session.get(
        payment_links.base_url + "/_simulator/requests").json()["requests"]
    assert [r["status"] for r in recorded] == [400]


def test_sdk_sends_basic_auth_that_the_simulator_accepts_and_records_redacted(
    payment_links: Any,
) -> None:
    """Given the SDK's Basic auth, requests succeed and the recorded secret is redacted."""
    payment_links.payment_link.create(LINK_REQUEST)
    creds = get_contract("razorpay").auth.simulator_credentials
    token = base64.b64encode(f"{creds['key_id']}:{creds['key_secret']}".encode()).decode()
    recorded = payment_links.session.get(
        payment_links.base_url + "/_simulator/requests").json()["requests"]
    assert [r["status"] for r in recorded] == [200]
    dumped = json.dumps(recorded)
    assert token not in dumped
    assert creds["key_secret"] not in dumped


def test_sdk_cancels_a_legacy_invoice_link_and_gets_the_documented_repeat_error(
    legacy_links: Any,
) -> None:
    """Given the SDK's invoice resource, an issued link cancels once, then is refused."""
    created = legacy_links.invoice.create({**LINK_REQUEST, "type": "link"})
    assert (created["status"], created["type"]) == ("issued", "link")
    cancelled = legacy_links.invoice.cancel(created["id"])
    assert cancelled["status"] == "cancelled"
    with pytest.raises(BadRequestError,
                       match=r"^Operation not allowed for Invoice in cancelled status\.$"):
        legacy_links.invoice.cancel(created["id"])
