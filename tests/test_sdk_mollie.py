"""The official Mollie Python SDK (PyPI mollie-api-py) works against the served simulator.

``ClientSDK`` takes ``server_url``: the test serves the ``mollie`` simulator on loopback and
points the SDK at its origin (the SDK adds ``/v2`` itself); nothing else of the SDK is
touched. The SDK reads errors only from ``application/hal+json`` answers, so this also proves
the simulator speaks the contract's content type. The older ``mollie-api-python`` package has
no delete or update for payment links, which is why this SDK is the one tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

mollie = pytest.importorskip("mollie", reason="install payconform[sdk] for SDK tests")

CONTRACT = get_contract("mollie")


@pytest.fixture
def simulator() -> Simulator:
    """A fresh Mollie (delete) simulator."""
    return Simulator(CONTRACT)


@pytest.fixture
def sdk(simulator: Simulator) -> Iterator[Any]:
    """A Mollie SDK client whose requests go to ``simulator`` served on loopback."""
    server = serve_in_thread(simulator)
    origin = server.base_url.removesuffix(urlsplit(CONTRACT.base_urls["sandbox"]).path)
    client = mollie.ClientSDK(security=mollie.Security(
        api_key=CONTRACT.auth.simulator_credentials["api_key"]), server_url=origin)
    yield client
    server.stop()


def _create(sdk: Any) -> Any:
    return sdk.payment_links.create(request_body={
        "description": "sdk check", "amount": {"currency": "EUR", "value": "12.50"}})


def test_sdk_creates_and_deletes_a_link_which_is_then_gone(sdk: Any, simulator: Simulator) -> None:
    """Given the SDK, a new link is deleted (204, the SDK returns None) and a get is a 404."""
    link = _create(sdk)
    assert (link.resource, link.archived, link.paid_at) == ("payment-link", False, None)
    assert link.amount.value == "12.50"
    assert sdk.payment_links.delete(payment_link_id=link.id) is None
    with pytest.raises(mollie.models.ErrorResponse) as excinfo:
        sdk.payment_links.get(payment_link_id=link.id)
    assert excinfo.value.data.status == 404
    # The SDK sends its own idempotency key on every write.
    deletes = [r for r in simulator.requests if r["method"] == "DELETE"]
    assert deletes and all(r["headers"].get("idempotency-key") for r in deletes)


def test_sdk_gets_the_422_for_a_paid_link(sdk: Any, simulator: Simulator) -> None:
    """Given a link with a payment, the delete is the documented 422 and the link stays."""
    link = _create(sdk)
    simulator.force_status(link.id, "paid")
    with pytest.raises(mollie.models.ErrorResponse) as excinfo:
        sdk.payment_links.delete(payment_link_id=link.id)
    error = excinfo.value.data
    assert (error.status, error.title, error.detail) == (
        422, "Unprocessable Entity", "Payment link cannot be deleted.")
    assert sdk.payment_links.get(payment_link_id=link.id).paid_at is not None


def test_sdk_gets_a_404_for_an_unknown_link(sdk: Any) -> None:
    """Given an id that was never created, the delete is a 404."""
    with pytest.raises(mollie.models.ErrorResponse) as excinfo:
        sdk.payment_links.delete(payment_link_id=CONTRACT.unknown_id_example)
    assert (excinfo.value.data.status, excinfo.value.data.title) == (404, "Not Found")
