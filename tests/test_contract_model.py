"""Contract declarations are validated at load time with messages naming provider and field."""

from __future__ import annotations

from typing import Any

import pytest

from payconform.model.contract import Contract, ContractError, Expectation, build, documented, unverified
from payconform.model.outcomes import Outcome
from payconform.model.registry import UnknownProvider, get_contract

CASHFREE = get_contract("cashfree")


def _fields(**changes: Any) -> dict[str, Any]:
    data = {name: getattr(CASHFREE, name) for name in Contract.model_fields if name != "provider"}
    data.update(changes)
    return data


def test_contracts_are_frozen() -> None:
    """Given a loaded contract, assigning a field raises."""
    with pytest.raises(ValueError, match="frozen"):
        CASHFREE.initial_status = "PAID"  # type: ignore[misc]


def test_unknown_initial_status_names_provider_and_field() -> None:
    """Given an initial status not among the statuses, the error names both."""
    with pytest.raises(ContractError) as excinfo:
        build("acme", **_fields(initial_status="OPEN"))
    message = str(excinfo.value)
    assert "contract 'acme' is invalid" in message
    assert "initial_status: 'OPEN' is not one of the statuses" in message


def test_a_status_without_a_cancel_expectation_is_refused() -> None:
    """Given cancel_outcomes that forget a status, the error lists it."""
    outcomes = dict(CASHFREE.cancel_outcomes)
    del outcomes["EXPIRED"]
    with pytest.raises(ContractError, match=r"cancel_outcomes: no expectation for statuses \['EXPIRED'\]"):
        build("acme", **_fields(cancel_outcomes=outcomes))


def test_unverified_expectation_without_candidates_is_refused() -> None:
    """Given an unverified expectation, candidates are required."""
    with pytest.raises(ValueError, match=r"must list its candidates"):
        Expectation(outcome=Outcome.NOT_FOUND, source=unverified("nobody knows"))


def test_http_base_urls_and_bad_provider_names_are_refused() -> None:
    """Given a plain-http base URL or an upper-case name, build fails clearly."""
    with pytest.raises(ContractError, match="must be an https URL"):
        build("acme", **_fields(base_urls={"sandbox": "http://x", "production": "https://y"}))
    with pytest.raises(ContractError, match="provider"):
        build("Acme", **_fields())


def test_unknown_fields_are_refused() -> None:
    """Given a misspelt field, build names it."""
    with pytest.raises(ContractError, match="cancel_outcome"):
        build("acme", **_fields(cancel_outcome={}))


def test_unknown_provider_lists_the_known_ones() -> None:
    """Given an unknown name, the lookup error lists the providers."""
    with pytest.raises(UnknownProvider, match=r"known providers: .*cashfree"):
        get_contract("nosuch")


def test_cashfree_evidence_levels_follow_the_evidence_policy() -> None:
    """The levels encoded for Cashfree are the ones its vendor artefacts support (README policy)."""
    c = CASHFREE
    level = lambda source: source.evidence.value  # noqa: E731
    assert level(c.cancel_outcomes["ACTIVE"].source) == "documented"
    for status in ("PAID", "EXPIRED", "PARTIALLY_PAID"):
        refusal = c.cancel_outcomes[status]
        assert level(refusal.source) == "documented"  # the official Java SDK: any non-ACTIVE
        assert refusal.error_source is not None and level(refusal.error_source) == "documented"
        assert refusal.http_status_source is not None
        assert level(refusal.http_status_source) == "documented"
    assert c.repeat_cancel.error_source is not None
    assert level(c.repeat_cancel.error_source) == "observed"
    assert level(c.unknown_id.source) == "unverified"
    # Refused at all is documented; refused as 401 is observed (invalid) or inferred (missing).
    assert level(c.auth.invalid.source) == level(c.auth.missing.source) == "documented"
    assert c.auth.invalid.http_status_source is not None
    assert level(c.auth.invalid.http_status_source) == "observed"
    assert c.auth.missing.http_status_source is not None
    assert level(c.auth.missing.http_status_source) == "inferred"
    header = next(h for h in c.headers if h.name == "x-api-version")
    assert header.missing is not None and level(header.missing.source) == "unverified"
    assert level(c.api_version("2023-08-01").source) == "inferred"
    assert [v.name for v in c.api_versions] == ["2022-09-01", "2023-08-01", "2025-01-01", "2026-01-01"]
    assert documented("a vendor page").evidence.value == "documented"
