"""The simulator in process: as an httpx transport (sync and async) and through respx."""

from __future__ import annotations

import asyncio

import httpx

from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.transport import SimulatorTransport, mock_with_respx

CONTRACT = get_contract("cashfree")
CREDS = CONTRACT.auth.simulator_credentials
HEADERS = {"x-client-id": CREDS["client_id"], "x-client-secret": CREDS["client_secret"],
           "x-api-version": "2023-08-01"}
BODY = {"link_id": "t_1", "link_amount": 5, "link_currency": "INR", "link_purpose": "p",
        "customer_details": {"customer_phone": "9999999999"}}


def test_sync_and_async_clients_share_one_simulator_state() -> None:
    """Given one simulator, a sync create is visible to an async cancel."""
    simulator = Simulator(CONTRACT)
    transport = SimulatorTransport(simulator)
    base = CONTRACT.base_urls["sandbox"] + "/"
    with httpx.Client(base_url=base, transport=transport) as client:
        assert client.post("links", json=BODY, headers=HEADERS).status_code == 200

    async def cancel() -> httpx.Response:
        async with httpx.AsyncClient(base_url=base, transport=transport) as client:
            return await client.post("links/t_1/cancel", headers=HEADERS)

    response = asyncio.run(cancel())
    assert response.json()["link_status"] == "CANCELLED"
    assert simulator.links["t_1"].status == "CANCELLED"


def test_respx_routes_code_that_builds_its_own_client() -> None:
    """Given code that creates its own httpx.Client for the sandbox host, respx sends it to the simulator."""
    simulator = Simulator(CONTRACT)

    def adapter_code() -> int:
        with httpx.Client() as own:
            own.post("https://sandbox.cashfree.com/pg/links", json=BODY, headers=HEADERS)
            return own.post("https://sandbox.cashfree.com/pg/links/t_1/cancel",
                            headers=HEADERS).status_code

    with mock_with_respx(simulator):
        assert adapter_code() == 200
    assert [r["path"] for r in simulator.requests] == ["/pg/links", "/pg/links/t_1/cancel"]
    assert CREDS["client_secret"] not in str(simulator.requests)
