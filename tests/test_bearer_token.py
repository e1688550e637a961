"""Bearer-token auth: the simulator issues and expires tokens, the client caches and renews them.

Every contract whose auth scheme is ``bearer_token`` (client-credentials token endpoint) runs
these scenarios; no provider is named here.
"""

from __future__ import annotations

import time

import pytest

from payconform.lanes.base import LaneSession, simulator_session
from payconform.model.contract import Contract
from payconform.model.outcomes import Outcome
from payconform.model.registry import all_contracts
from payconform.rules.client import interpret

BEARER = [c for c in all_contracts().values() if c.auth.scheme == "bearer_token"]
pytestmark = pytest.mark.parametrize("contract", BEARER, ids=lambda c: c.provider)


def _session(contract: Contract) -> LaneSession:
    return simulator_session(contract)


def _new_link(session: LaneSession) -> str:
    created = session.client.create()
    assert created.status < 300, created.text
    return session.client.link_id_of(created)


def _cancel_with(session: LaneSession, link_id: str, token: str) -> tuple[int, Outcome]:
    """A cancel that presents ``token`` as is (no renewal), with every standard header."""
    contract = session.contract
    headers = session.client._standard_headers()
    headers["Authorization"] = f"Bearer {token}"
    op = contract.cancel
    response = session.client.http.request(op.method, op.url_path(link_id).lstrip("/"),
                                           headers=headers)
    body = response.json() if response.content else None
    outcome, _, _ = interpret(contract, "cancel", response.status_code, body)
    return response.status_code, outcome


def test_a_token_is_fetched_once_and_reused(contract: Contract) -> None:
    """Given several calls, the client asks the token endpoint once and reuses the token."""
    session = _session(contract)
    link_id = _new_link(session)
    session.client.fetch(link_id)
    cancelled = session.client.cancel(link_id)
    assert cancelled.status == contract.cancel_success_status
    assert session.client.token_requests == 1
    assert session.simulator is not None and len(session.simulator.tokens) == 1


def test_the_token_endpoint_refuses_wrong_credentials(contract: Contract) -> None:
    """Given a wrong client secret, the simulator issues no token."""
    session = _session(contract)
    auth = contract.auth
    assert auth.token_endpoint is not None
    body = {name: ("wrong" if not ref.startswith("=") else ref[1:])
            for name, ref in auth.token_request.items()}
    response = session.client.http.request(auth.token_endpoint.method,
                                           auth.token_endpoint.path.lstrip("/"), json=body)
    assert response.status_code >= 400
    assert auth.token_field not in response.json()
    assert session.simulator is not None and session.simulator.tokens == {}


def test_an_expired_token_is_refused_by_the_simulator(contract: Contract) -> None:
    """Given a token the simulator has expired, a cancel presenting it is refused as auth."""
    session = _session(contract)
    link_id = _new_link(session)
    token = session.client.bearer_token()
    assert _cancel_with(session, link_id, "never-issued-token")[1] is Outcome.UNAUTHORIZED
    expired = session.client.http.post(session.client.control_url("tokens/expire"), json={})
    assert expired.status_code == 200 and expired.json() == {"expired": 1}
    status, outcome = _cancel_with(session, link_id, token)
    assert outcome is Outcome.UNAUTHORIZED, status
    assert status == contract.auth.invalid.played.http_status
    entity = session.client.fetch(link_id).entity or {}
    assert entity.get(contract.entity.status_field) == contract.initial_status


def test_the_client_renews_a_token_the_server_expired(contract: Contract) -> None:
    """Given the server expired the cached token early, the client renews it once and retries."""
    session = _session(contract)
    link_id = _new_link(session)
    first = session.client.bearer_token()
    session.client.http.post(session.client.control_url("tokens/expire"), json={})
    cancelled = session.client.cancel(link_id, pre_status=contract.initial_status)
    assert cancelled.status == contract.cancel_success_status, cancelled.text
    assert cancelled.outcome is Outcome.CANCELLED
    assert session.client.token_requests == 2
    assert session.client.bearer_token() != first
    assert session.simulator is not None
    statuses = [r["status"] for r in session.simulator.requests]
    refused = contract.auth.invalid.played.http_status
    assert statuses[-3:] == [refused, 200, contract.cancel_success_status], statuses


def test_the_client_renews_a_token_before_it_lapses(
    contract: Contract, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the token's lifetime has (almost) run out, the client fetches a new one first."""
    session = _session(contract)
    link_id = _new_link(session)
    started = time.monotonic()
    ttl = contract.auth.token_ttl_seconds
    monkeypatch.setattr("payconform.rules.client.time.monotonic", lambda: started + ttl)
    fetched = session.client.fetch(link_id)
    assert fetched.status == 200
    assert session.client.token_requests == 2
    assert session.simulator is not None
    assert all(r["status"] < 400 for r in session.simulator.requests), (
        "the client presented a token it knew had lapsed")


def test_an_invalid_credentials_mode_is_not_renewed(contract: Contract) -> None:
    """Given the suite deliberately sends a bad token, the client does not paper over it."""
    session = _session(contract)
    link_id = _new_link(session)
    before = session.client.token_requests
    refused = session.client.cancel(link_id, auth="invalid")
    assert refused.outcome is Outcome.UNAUTHORIZED
    assert session.client.token_requests == before
