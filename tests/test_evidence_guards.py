"""Wrong contract facts are caught by evidence the simulator did not produce.

The simulator, its cassettes and the rules all follow the contract, so a wrong fact passes them
all. These are the three realistic contract errors of issue #11, planted one at a time: each
must make the vendor evidence corpus (``contracts/evidence/``) report a contradiction naming the
broken fact, while the faithful contract reports none.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payconform.audit.contract_mutants import guard_table
from payconform.audit.guards import CorpusGuard
from payconform.model.contract import Contract, Expectation
from payconform.model.evidence import corpus_for, judge
from payconform.model.registry import all_contracts, get_contract


def _with_expectation(contract: Contract, key: str, change: Callable[[Expectation], Expectation]
                      ) -> Contract:
    """A copy of ``contract`` whose expectation ``key`` went through ``change``."""
    if key.startswith("auth."):
        mode = key.split(".", 1)[1]
        auth = contract.auth.model_copy(update={mode: change(getattr(contract.auth, mode))})
        return contract.model_copy(update={"auth": auth})
    if key.startswith("cancel_outcomes."):
        status = key.split(".", 1)[1]
        outcomes = {**contract.cancel_outcomes, status: change(contract.cancel_outcomes[status])}
        return contract.model_copy(update={"cancel_outcomes": outcomes})
    if key.startswith("variants."):
        name = key.split(".")[1]
        variants = tuple(v.model_copy(update={"cancel": change(v.cancel)}) if v.name == name else v
                         for v in contract.variants)
        return contract.model_copy(update={"variants": variants})
    return contract.model_copy(update={key: change(getattr(contract, key))})


def _status(code: int) -> Callable[[Expectation], Expectation]:
    return lambda exp: exp.model_copy(update={"http_status": code})


def _error(field: str, value: str) -> Callable[[Expectation], Expectation]:
    return lambda exp: exp.model_copy(update={"error": {**exp.error, field: value}})


#: provider, what is planted, [(expectation key, change)], the fact the corpus must name.
PLANTED = [
    pytest.param("cashfree", [("auth.invalid", _status(403))], "auth.invalid.http_status",
                 id="cashfree-invalid-credentials-401-to-403"),
    pytest.param("razorpay-invoices",
                 [("repeat_cancel", _error("description",
                                           "Operation not allowed for Invoice in canceled status."))],
                 "repeat_cancel.error.description", id="razorpay-invoices-documented-message-altered"),
    pytest.param("razorpay",
                 [("cancel_outcomes.paid", _error("description",
                                                  "cannot cancel an already paid link"))],
                 "cancel_outcomes.paid.error.description", id="razorpay-documented-message-altered"),
    pytest.param("commet",
                 [("cancel_outcomes.processing", _status(400)),
                  ("cancel_outcomes.succeeded", _status(400)),
                  ("variants.charge.cancel", _status(400))],
                 "cancel_outcomes.processing.http_status", id="commet-refusal-409-to-400"),
]


@pytest.mark.parametrize(("provider", "changes", "fact"), PLANTED)
def test_a_planted_contract_error_is_caught_by_vendor_evidence(
        provider: str, changes: list[tuple[str, Callable[[Expectation], Expectation]]],
        fact: str) -> None:
    """Given a contract with one wrong fact, the corpus names that fact; the true contract passes."""
    contract = get_contract(provider)
    corpus = corpus_for(provider)
    assert corpus is not None
    assert judge(contract, corpus)[0] == []
    planted = contract
    for key, change in changes:
        planted = _with_expectation(planted, key, change)
    contradictions, _ = judge(planted, corpus)
    assert any(c.fact == fact for c in contradictions), [str(c) for c in contradictions]
    # The evidence is the vendor's, never a payconform file.
    assert all("simulator" not in c.where for c in contradictions)


def test_the_faithful_contracts_agree_with_the_corpus_guard() -> None:
    """Given every contract, the corpus guard of the contract-mutant audit finds nothing."""
    for provider in all_contracts():
        assert CorpusGuard().findings(get_contract(provider)) == set(), provider


@pytest.mark.parametrize(("provider", "fact"), [
    ("cashfree", "auth:invalid/http-status"),
    ("razorpay", "cancel:paid/error:description"),
    ("razorpay-invoices", "repeat/error:description"),
    ("commet", "cancel:processing/http-status"),
])
def test_the_contract_mutant_audit_counts_the_planted_facts_as_guarded_by_the_corpus(
        provider: str, fact: str) -> None:
    """Given the audit's own mutant of each planted fact, the corpus guard kills it."""
    row = next(r for r in guard_table(get_contract(provider), [CorpusGuard()]) if r.fact.id == fact)
    assert row.killed_by == ("corpus",), row
