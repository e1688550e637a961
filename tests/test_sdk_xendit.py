"""The official Xendit Python SDK (``xendit-python``) works against the served simulator.

The SDK reads its host from ``xendit.Configuration(host=...)`` and sends the secret key as the
Basic user with an empty password; the test points the host at the served simulator and uses
the SDK's own models, so every body it parses is type-checked by the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread

xendit = pytest.importorskip("xendit", reason="install payconform[sdk] for SDK tests")
from xendit.apis import InvoiceApi  # noqa: E402
from xendit.exceptions import XenditSdkException  # noqa: E402
from xendit.invoice.model.create_invoice_request import CreateInvoiceRequest  # noqa: E402

# The SDK's REST layer calls a urllib3 method that urllib3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning")

CONTRACT = get_contract("xendit")
KEY = CONTRACT.auth.simulator_credentials["secret_key"]


@pytest.fixture
def invoices() -> Iterator[Any]:
    """An InvoiceApi whose requests go to the Xendit simulator on loopback."""
    server = serve_in_thread(Simulator(CONTRACT))
    configuration = xendit.Configuration(host=server.base_url)
    configuration.api_key = KEY
    yield InvoiceApi(xendit.ApiClient(configuration))
    server.stop()


def test_sdk_creates_and_expires_an_invoice_then_a_second_expiry_is_refused(invoices: Any) -> None:
    """Given the SDK, an invoice is created PENDING, expire_invoice (POST .../expire!) answers
    it EXPIRED, a read agrees, and a second expiry raises the SDK's 404 error."""
    created = invoices.create_invoice(CreateInvoiceRequest(external_id="sdk-check", amount=50000.0))
    assert str(created.status) == "PENDING"
    expired = invoices.expire_invoice(created.id)
    assert (expired.id, str(expired.status)) == (created.id, "EXPIRED")
    assert str(invoices.get_invoice_by_id(created.id).status) == "EXPIRED"
    with pytest.raises(XenditSdkException) as excinfo:
        invoices.expire_invoice(created.id)
    assert (str(excinfo.value.status), excinfo.value.errorCode) == ("404", "INVOICE_NOT_FOUND_ERROR")
    assert excinfo.value.errorMessage == f"Could not find and update PENDING invoice {created.id}"
