"""Body templates: an echoed request field is null when absent, an optional echo is left out
(a vendor does not answer ``null`` where its schema says string)."""

from __future__ import annotations

import httpx

from payconform.model.registry import get_contract
from payconform.model.schemas import schema_errors
from payconform.model.templates import fill_template
from payconform.rules.client import Credentials, ProviderClient
from payconform.simulator.core import Simulator
from payconform.simulator.transport import SimulatorTransport


def test_an_echo_is_null_and_an_optional_echo_is_left_out_when_the_request_has_none() -> None:
    """Given a request without ``a.b``, ``$req.a.b`` is null and ``$req?.a.b`` is absent,
    in objects and lists alike; present values are echoed by both."""
    template = {"x": "$req.a.b", "y": "$req?.a.b", "z": ["$req?.a.b", 1]}
    assert fill_template(template, {}, {}) == {"x": None, "z": [1]}
    assert fill_template(template, {}, {"a": {"b": "v"}}) == {"x": "v", "y": "v", "z": ["v", 1]}


def test_a_paypal_invoice_created_without_a_note_has_no_null_note() -> None:
    """Given a PayPal create whose detail has no note (the vendor's schema types note as a
    string), the simulator's 201 leaves note out and still fits the contract's schema (a
    schemathesis run against the vendor document found ``"note": null``)."""
    contract = get_contract("paypal-invoices")
    base = contract.base_urls["sandbox"] + "/"
    client = ProviderClient(contract, httpx.Client(base_url=base,
                                                   transport=SimulatorTransport(Simulator(contract))),
                            Credentials(dict(contract.auth.simulator_credentials)))
    body = {"detail": {"currency_code": "USD"},
            "items": [{"name": "n", "quantity": "1",
                       "unit_amount": {"currency_code": "USD", "value": "1.00"}}]}
    answer = client.http.post("v2/invoicing/invoices", json=body,
                              headers={**client._standard_headers(), **client._auth_headers("valid")})
    assert answer.status_code == 201, answer.text
    assert "note" not in answer.json()["detail"]
    assert schema_errors(contract.api_version().entity_schema_file, answer.json()) == []
