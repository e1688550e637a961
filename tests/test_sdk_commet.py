"""The official Commet Python SDK (PyPI commet-sdk) works against the served simulator.

The SDK builds its own ``httpx.Client`` on the module constant ``commet._http._BASE_URL``
(plus ``/api/v1``) and takes no client or transport, so the test serves the simulator on a
loopback socket and points that constant at it; nothing else of the SDK is touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

commet = pytest.importorskip(
    "commet", reason="the Commet SDK is not installed; install payconform[sdk] for SDK tests"
)
commet_http = pytest.importorskip("commet._http", reason="commet-sdk without commet._http")

CONTRACT = get_contract("commet")
BASE_PATH = urlsplit(CONTRACT.base_urls["sandbox"]).path.rstrip("/")


@pytest.fixture
def simulator() -> Simulator:
    """A fresh Commet simulator."""
    return Simulator(CONTRACT)


@pytest.fixture
def sdk(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Commet SDK client whose requests go to ``simulator`` served on loopback."""
    server = serve_in_thread(simulator, host="127.0.0.1", port=0)
    # The SDK appends /api/v1 itself, so it gets the origin, not the contract's base URL.
    monkeypatch.setattr(commet_http, "_BASE_URL", server.base_url.removesuffix(BASE_PATH))
    # Default retries: the SDK then sends its own Idempotency-Key on every write.
    client = commet.Commet(CONTRACT.auth.simulator_credentials["api_key"], telemetry=False)
    yield client
    client.close()
    server.stop()


def test_sdk_creates_fetches_and_cancels_a_link_and_a_second_cancel_is_a_noop(
    sdk: Any, simulator: Simulator
) -> None:
    """Given the SDK, a link goes pending -> canceled; a repeat cancel returns it unchanged."""
    created = sdk.payments.create(amount=2500, currency="usd", description="sdk check",
                                  metadata={"payconform_run": "sdk"})
    assert (created.kind, created.status, created.object) == ("link", "pending", "payment")
    assert created.id.startswith("pay_")
    assert sdk.payments.get(created.id).status == "pending"

    cancelled = sdk.payments.cancel(created.id)
    assert cancelled.status == "canceled"
    again = sdk.payments.cancel(created.id)
    # The documented no-op: the same payment, updatedAt and every other field unchanged.
    assert again == cancelled
    assert sdk.payments.get(created.id) == cancelled

    sent = [r for r in simulator.requests if r["method"] == "POST"]
    assert {r["headers"].get("commet-version") for r in sent} == {commet_http.API_VERSION}
    assert all(r["headers"].get("idempotency-key") for r in sent)


def test_sdk_sees_payment_not_cancelable_for_a_charge(sdk: Any) -> None:
    """Given a charge, the SDK's cancel raises the contract's conflict error."""
    charge = sdk.payments.charge(customer_id="cus_payconform_simulator", amount=900,
                                 currency="usd", description="sdk charge")
    assert (charge.kind, charge.url) == ("charge", None)
    with pytest.raises(commet.CommetAPIError) as excinfo:
        sdk.payments.cancel(charge.id)
    error = excinfo.value
    assert (error.status_code, error.code, error.type) == (409, "payment_not_cancelable",
                                                           "conflict_error")


def test_sdk_sees_payment_not_found_for_an_unknown_id(sdk: Any) -> None:
    """Given an id that was never created, the SDK's cancel raises payment_not_found."""
    with pytest.raises(commet.CommetAPIError) as excinfo:
        sdk.payments.cancel(CONTRACT.unknown_id_example)
    assert (excinfo.value.status_code, excinfo.value.code) == (404, "payment_not_found")
