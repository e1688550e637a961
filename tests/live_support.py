"""Helpers for the live-lane tests: a provider served on loopback, as a user points a run at it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

import payconform.rules.catalog  # noqa: F401  (loaded once: in-process pytest runs must not re-register rules)
from payconform.lanes.base import LaneOptions, LaneSession
from payconform.model.contract import Contract
from payconform.rules.client import Credentials, ProviderClient
from payconform.simulator.core import Simulator
from payconform.simulator.server import RunningServer, serve_in_thread
from payconform.wiring import open_session


def credentials_env(contract: Contract) -> dict[str, str]:
    """The contract's credential env vars set to the simulator's credentials."""
    return {var: contract.auth.simulator_credentials[name]
            for name, var in contract.auth.credentials.items()}


def live_env(contract: Contract, **settings: str) -> dict[str, str]:
    """Credentials plus live settings fit for loopback tests (no client-side rate limit)."""
    env = credentials_env(contract)
    # A served simulator is not the vendor: its documented rate limits need not be honoured.
    env.update({"PAYCONFORM_LIVE_RATE": "0", "PAYCONFORM_LIVE_BACKOFF": "0.01",
                "PAYCONFORM_LIVE_TIMEOUT": "5", "PAYCONFORM_LIVE_VENDOR_LIMITS": "0"})
    env.update({f"PAYCONFORM_LIVE_{k.upper()}": v for k, v in settings.items()})
    return env


@contextmanager
def served(contract: Contract) -> Iterator[tuple[RunningServer, Simulator]]:
    """The contract's simulator on a loopback socket."""
    simulator = Simulator(contract)
    with serve_in_thread(simulator) as server:
        yield server, simulator


def seed_fixtures(contract: Contract, server: RunningServer) -> dict[str, str]:
    """Fixture links for every status the API cannot reach, made through the API and put in
    their status through the simulator control API; returns the env vars naming them."""
    http = httpx.Client(base_url=server.base_url + "/")
    client = ProviderClient(contract, http, Credentials(dict(contract.auth.simulator_credentials)))
    env: dict[str, str] = {}
    for fixture in contract.fixtures:
        link_id = client.link_id_of(client.create())
        forced = http.post(f"{server.origin}/_simulator/links/{link_id}/status",
                           json={"status": fixture.status})
        assert forced.status_code == 200, forced.text
        env[fixture.env] = link_id
    for variant in getattr(contract, "variants", ()):
        if variant.fixture_env:
            created = client.create(variant=variant.name)
            env[variant.fixture_env] = client.link_id_of(created)
    http.close()
    return env


def live_session_for(contract: Contract, server: RunningServer, env: dict[str, str],
                     run_id: str = "t") -> LaneSession:
    """A live-lane session pointed at ``server``."""
    return open_session(contract, LaneOptions(lane="live", run_id=run_id,
                                              base_url=server.base_url, env=env))


def control(server: RunningServer, method: str, path: str, body: Any = None) -> Any:
    """Call the simulator control API and return its JSON answer."""
    if body is None and method != "GET":
        body = {}  # a control call that changes state must be JSON
    response = httpx.request(method, f"{server.origin}/_simulator/{path}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


class NetworkSpy:
    """Records every attempt to resolve a name or open a socket connection."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[str] = []
        real_connect = socket.socket.connect

        def connect(sock: socket.socket, address: Any) -> Any:
            self.attempts.append(f"connect {address!r}")
            return real_connect(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            self.attempts.append(f"resolve {host!r}")
            raise OSError("network access is blocked in this test")

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket, "create_connection",
                            lambda address, *a, **k: self.attempts.append(f"connect {address!r}"))
