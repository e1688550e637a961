"""Mounting a :class:`~payconform.simulator.core.Simulator` in httpx, in process.

- :class:`SimulatorTransport` is injected into an ``httpx.Client`` / ``AsyncClient``.
- :func:`mock_with_respx` routes a provider's base URLs to the simulator inside a respx
  router, for code that builds its own httpx client.
"""

from __future__ import annotations

from typing import Any

import httpx

from payconform.simulator.core import Simulator
from payconform.simulator.state import SimResponse

__all__ = ["SimulatorTransport", "mock_with_respx", "to_httpx"]


def to_httpx(response: SimResponse, request: httpx.Request) -> httpx.Response:
    """An httpx response for a simulator response (a dropped connection raises, as on a socket)."""
    if response.status == 0 and response.raw is None:
        raise httpx.RemoteProtocolError("simulated fault: connection dropped", request=request)
    headers = httpx.Headers({"content-type": "application/json"})
    headers.update(response.headers)  # case-insensitive: a fault's Content-Type wins
    return httpx.Response(
        response.status, headers=headers, content=response.content(), request=request
    )


def _handle(simulator: Simulator, request: httpx.Request) -> httpx.Response:
    target = request.url.raw_path.decode("ascii")
    return to_httpx(
        simulator.handle(request.method, target, dict(request.headers), request.content), request
    )


class SimulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport answering every request from the simulator (no socket)."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer synchronously."""
        request.read()
        return _handle(self.simulator, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer from an async client."""
        await request.aread()
        return _handle(self.simulator, request)


def mock_with_respx(simulator: Simulator, router: Any | None = None) -> Any:
    """A respx router (new, or ``router``) sending the contract's hosts to ``simulator``.

    Use it as a context manager: ``with mock_with_respx(sim): my_code_using_httpx()``.
    """
    import respx

    mock = router if router is not None else respx.mock(assert_all_called=False)
    for url in simulator.contract.base_urls.values():
        host = httpx.URL(url).host
        mock.route(host=host).mock(side_effect=lambda request: _handle(simulator, request))
    return mock
