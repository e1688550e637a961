"""Wrong contract facts are caught by evidence the simulator did not produce.

The simulator, its cassettes and the rules all follow the contract, so a wrong fact passes them
all. These are the three realistic contract errors of issue #11, planted one at a time: each
must make the vendor evidence corpus (``contracts/evidence/``) report a contradiction naming the
broken fact, while the faithful contract reports none.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payconform.model.contract import Contract, Expectation
from payconform.model.evidence import corpus_for, judge
from payconform.model.registry import get_contract


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
