"""Cleanup that cannot lose a link: a create whose answer is lost (a timeout, a dropped
connection) is still found and cancelled where the provider makes that possible, and
``run.cleanup.not_cleaned`` names every link the run could not clean, for every provider."""

from __future__ import annotations

import time

import pytest

from payconform.model.contract import Contract
from payconform.model.registry import all_contracts
from payconform.rules.catalog import cases_for
from tests.live_support import control, live_env, live_session_for, served

CONTRACTS = sorted(all_contracts().values(), key=lambda c: c.provider)


def _recoverable(contract: Contract) -> bool:
    """Whether a lost create can be found again: a client-chosen id, or a create the provider
    lets us repeat safely (an idempotency header or field it documents)."""
    return (contract.create.id_from is not None or contract.idempotency_header is not None
            or contract.create.idempotency_field is not None)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.provider)
def test_a_link_whose_create_answer_was_lost_is_cleaned_or_reported(contract: Contract) -> None:
    """Given a create that takes effect but whose answer never arrives (no retries left),
    cleanup cancels the link it made, or names it in ``not_cleaned`` with the run tag."""
    with served(contract) as (server, simulator):
        session = live_session_for(contract, server, live_env(contract, retries="0", timeout="0.3"),
                                   run_id="lost")
        control(server, "POST", "faults", {"kind": "timeout", "seconds": 0.6, "operation": "create"})
        case = cases_for(contract, ["cancel.cancellable-status"])[0]
        result = session.run(case)
        time.sleep(0.8)  # the held answer is dropped; the link exists on the server
        summary = session.extra["finish"]()  # type: ignore[operator]
        session.close()
        # Still open: not cancelled (a contract whose create also sends the link, e.g. an
        # invoice, leaves it in a status after the initial one).
        left_open = [link for link in simulator.links.values()
                     if link.status != contract.cancelled_status]
    assert result.verdict.value == "INCONCLUSIVE", result.message
    if _recoverable(contract):
        assert left_open == [], summary
        assert summary["not_cleaned"] == [] and summary["cancelled"], summary
    else:
        assert len(left_open) == 1
        assert len(summary["not_cleaned"]) == 1, summary
        assert "payconform-lost" in summary["not_cleaned"][0]  # the tag to search for


@pytest.mark.parametrize("contract", [c for c in CONTRACTS if c.create.id_from is not None],
                         ids=lambda c: c.provider)
def test_a_client_chosen_id_that_is_not_there_yet_is_looked_at_again(contract: Contract) -> None:
    """Given a lost create that lands late (Cashfree's cleanup used to see a 404 first), the
    cleanup looks again and cancels it."""
    with served(contract) as (server, simulator):
        session = live_session_for(contract, server, live_env(contract, retries="0", timeout="0.3"),
                                   run_id="late")
        # The create waits 0.8 s before it takes effect; the client gives up after 0.3 s.
        control(server, "POST", "faults", {"kind": "latency", "seconds": 0.8, "operation": "create"})
        session.run(cases_for(contract, ["cancel.cancellable-status"])[0])
        summary = session.extra["finish"]()  # type: ignore[operator]
        session.close()
        # Still open: not cancelled (a contract whose create also sends the link, e.g. an
        # invoice, leaves it in a status after the initial one).
        left_open = [link for link in simulator.links.values()
                     if link.status != contract.cancelled_status]
    assert left_open == [] and summary["cancelled"], summary
