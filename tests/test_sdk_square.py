"""The official Square Python SDK (``squareup``) works against the served simulator.

The SDK takes a ``base_url`` in place of its environment; the test points it at the served
simulator and uses it as a user does: create a quick-pay link, read it, delete it (which
cancels the link's order), read the order, and meet the 404 of a deleted link.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

square = pytest.importorskip("square", reason="install payconform[sdk] for SDK tests")
from square.core.api_error import ApiError  # noqa: E402

CONTRACT = get_contract("square")
CREDS = CONTRACT.auth.simulator_credentials


@pytest.fixture
def client() -> Iterator[Any]:
    """A Square SDK client whose requests go to the Square simulator on loopback."""
    server = serve_in_thread(Simulator(CONTRACT))
    yield square.Square(token=CREDS["access_token"], base_url=server.base_url)
    server.stop()


def test_sdk_deletes_a_payment_link_and_its_order_is_cancelled(client: Any) -> None:
    """Given the SDK, a link is created and read; delete answers its id and the cancelled
    order's id; the order then reads CANCELED, and the deleted link is a 404 NOT_FOUND."""
    created = client.checkout.payment_links.create(
        idempotency_key="sdk-check-1",
        quick_pay={"name": "sdk check", "price_money": {"amount": 100, "currency": "USD"},
                   "location_id": CREDS["location_id"]})
    link = created.payment_link
    assert link is not None and link.id and link.order_id and link.version == 1
    assert client.checkout.payment_links.get(link.id).payment_link.id == link.id
    deleted = client.checkout.payment_links.delete(link.id)
    assert (deleted.id, deleted.cancelled_order_id) == (link.id, link.order_id)
    assert client.orders.get(link.order_id).order.state == "CANCELED"
    with pytest.raises(ApiError) as excinfo:
        client.checkout.payment_links.get(link.id)
    assert excinfo.value.status_code == 404
    assert excinfo.value.body["errors"][0]["code"] == "NOT_FOUND"


def test_sdk_sees_a_wrong_token_refused(client: Any) -> None:
    """Given a wrong access token, the SDK raises ApiError with HTTP 401 UNAUTHORIZED."""
    wrong = square.Square(token="EAAA-not-the-token", base_url=client._client_wrapper._base_url)
    with pytest.raises(ApiError) as excinfo:
        wrong.checkout.payment_links.delete("PCUNKNOWN0000000")
    assert excinfo.value.status_code == 401
    assert excinfo.value.body["errors"][0]["code"] == "UNAUTHORIZED"
