"""The official Cashfree Python SDK (cashfree-pg) works against the served simulator.

The SDK hard-codes its hosts (sandbox / production) in every operation and builds a fresh
``Configuration`` per call, so the test points it at the simulator by subclassing that
``Configuration`` with our base URL; nothing else of the SDK is touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

cf_api = pytest.importorskip("cashfree_pg.api_client", reason="install payconform[sdk] for SDK tests")
from cashfree_pg.exceptions import BadRequestException  # noqa: E402
from cashfree_pg.models.create_link_request import CreateLinkRequest  # noqa: E402
from cashfree_pg.models.link_customer_details_entity import LinkCustomerDetailsEntity  # noqa: E402

CONTRACT = get_contract("cashfree")


@pytest.fixture
def cashfree(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Cashfree SDK client whose requests go to a simulator on loopback."""
    server = serve_in_thread(Simulator(CONTRACT))
    original = cf_api.Configuration

    class PointedConfiguration(original):  # type: ignore[misc, valid-type]
        def __init__(self, host: str | None = None, **kwargs: Any) -> None:
            super().__init__(host=server.base_url, **kwargs)

    monkeypatch.setattr(cf_api, "Configuration", PointedConfiguration)
    creds = CONTRACT.auth.simulator_credentials
    client = cf_api.Cashfree(XEnvironment=cf_api.Cashfree.SANDBOX, XClientId=creds["client_id"],
                             XClientSecret=creds["client_secret"])
    yield client
    server.stop()


def test_sdk_creates_fetches_and_cancels_a_link_then_gets_link_not_active(cashfree: Any) -> None:
    """Given the SDK, a link goes ACTIVE -> CANCELLED and a second cancel is the 400."""
    request = CreateLinkRequest(
        link_id="sdk_link_1", link_amount=100, link_currency="INR", link_purpose="sdk check",
        customer_details=LinkCustomerDetailsEntity(customer_phone="9999999999"),
    )
    created = cashfree.PGCreateLink(request)
    assert (created.status_code, created.data.link_status) == (200, "ACTIVE")
    assert cashfree.PGFetchLink("sdk_link_1").data.link_status == "ACTIVE"
    cancelled = cashfree.PGCancelLink("sdk_link_1")
    assert (cancelled.status_code, cancelled.data.link_status) == (200, "CANCELLED")
    with pytest.raises(BadRequestException) as excinfo:
        cashfree.PGCancelLink("sdk_link_1")
    assert excinfo.value.status == 400
    assert '"code": "link_not_active"' in excinfo.value.body
    assert "Only link in ACTIVE state can be cancelled" in excinfo.value.body
