"""The simulator answers only the documented method on each operation path."""

from __future__ import annotations

import re

import pytest

from payconform.lanes.base import simulator_session
from payconform.model.contract import Contract
from payconform.model.registry import all_contracts
from payconform.model.schemas import schema_errors

CONTRACTS = list(all_contracts().values())


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.provider)
def test_the_wrong_method_on_the_cancel_path_is_refused(contract: Contract) -> None:
    """Given a cancel sent with another method (POST for a PUT API), it is a 405, never a cancel."""
    session = simulator_session(contract)
    link_id = session.client.link_id_of(session.client.create())
    wrong = "POST" if contract.cancel.method != "POST" else "PUT"
    response = session.client.http.request(
        wrong,
        contract.cancel.url_path(link_id, session.client.version).lstrip("/"),
        headers={**session.client._standard_headers(), **session.client._auth_headers("valid")},
    )
    assert response.status_code == 405, response.text
    assert schema_errors(contract.error.schema_file, response.json()) == []
    fetched = session.client.fetch(link_id)
    field = contract.entity.status_field
    if field is None:  # a link without a status field: it still exists, so it is untouched
        assert fetched.status == 200, fetched.text
    else:
        assert (fetched.entity or {}).get(field) == contract.initial_status


@pytest.mark.parametrize(
    "contract", [c for c in CONTRACTS if c.create.id_from is None], ids=lambda c: c.provider
)
def test_server_generated_ids_fit_the_contract(contract: Contract) -> None:
    """Given a create, the simulator generates an id that is a plain path segment, within the
    documented length where a vendor states one (no made-up bound where none does: Stripe's
    session ids are 66 characters), and that fetches the link it names."""
    session = simulator_session(contract)
    link_id = session.client.link_id_of(session.client.create())
    assert link_id and re.fullmatch(r"[A-Za-z0-9_\-]+", link_id), link_id
    if contract.create.id_max_length is not None:
        assert len(link_id) <= contract.create.id_max_length
    fetched = session.client.fetch(link_id)
    assert fetched.status == 200 and session.client.link_id_of(fetched) == link_id
