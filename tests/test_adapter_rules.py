"""Every adapter rule can fail: a contract-driven adapter passes for every provider, and each
planted bug (``tests/adapter_mutants.py``) is reported by its rule, plus only the outcomes the
bug itself breaks."""

from __future__ import annotations

import pytest

from payconform.adapters.harness import AdapterHarness
from payconform.adapters.judge import ADAPTER_RULES, adapter_cases, outcome_fact
from payconform.adapters.scenarios import plan
from payconform.model.facts import facts_of
from payconform.model.registry import all_contracts, get_contract
from payconform.rules.engine import CaseResult
from tests.adapter_mutants import factory_for


def judge(provider: str, *bugs: str) -> list[CaseResult]:
    """Every adapter rule on every scenario, for the contract adapter with ``bugs``."""
    contract = get_contract(provider)
    harness = AdapterHarness(contract, factory_for(*bugs), "+".join(bugs) or "faithful")
    try:
        return [harness.run(case) for rule_id in ADAPTER_RULES
                for case in adapter_cases(contract, rule_id)]
    finally:
        harness.stop()


def bad(results: list[CaseResult]) -> dict[str, set[str]]:
    """Rule -> scenarios with a FAIL or WARN."""
    out: dict[str, set[str]] = {}
    for result in results:
        if result.verdict.value in ("FAIL", "WARN"):
            out.setdefault(result.rule_id, set()).add(result.case_id)
    return out


@pytest.mark.parametrize("provider", list(all_contracts()))
def test_the_faithful_contract_adapter_passes_for_every_provider(provider: str) -> None:
    """Given an adapter built from the contract alone, no adapter rule FAILs or WARNs."""
    results = judge(provider)
    assert bad(results) == {}, [r.message for r in results if r.verdict.value in ("FAIL", "WARN")]


# bug, provider, the rule it breaks, its scenarios (None: all; a set with only "unknown-id":
# all but that one), rules whose findings the bug may cause
PLANTED = [
    ("wrong-method", "razorpay", "adapter.request.endpoint", None, {"adapter.outcome-mapping"}),
    # every scenario that creates (and so fetches) a link: all but the unknown id
    ("no-auth-on-fetch", "commet", "adapter.request.auth", {"unknown-id"}, {"adapter.outcome-mapping"}),
    ("new-key-per-retry", "commet", "adapter.request.idempotency-key",
     {"fault:429", "fault:503", "fault:timeout", "fault:reset", "fault:html"}, set()),
    ("retry-without-key", "razorpay", "adapter.request.retry-safety",
     {"fault:503", "fault:timeout", "fault:reset", "fault:html"}, {"adapter.outcome-mapping"}),
    ("ignores-retry-after", "pinelabs", "adapter.request.retry-after", {"fault:429"}, set()),
    ("retries-refusal", "commet", "adapter.request.no-second-cancel", {"cancel:succeeded"},
     {"adapter.request.final-refusal"}),
    ("retries-refusal", "razorpay", "adapter.request.final-refusal",
     {"unknown-id", "invalid-credentials", "cancel:partially_paid"},
     {"adapter.request.no-second-cancel"}),
    ("no-token-renewal", "pinelabs", "adapter.request.token-refresh", {"fault:token-expired"},
     set()),
]


@pytest.mark.parametrize(("bug", "provider", "rule", "scenarios", "consequences"), PLANTED,
                         ids=[f"{p[0]}-{p[1]}" for p in PLANTED])
def test_a_planted_bug_is_reported_by_its_rule(bug: str, provider: str, rule: str,
                                               scenarios: set[str] | None,
                                               consequences: set[str]) -> None:
    """Given one planted bug, its rule reports it (in exactly these scenarios, when given) and
    no rule outside its known consequences says anything."""
    found = bad(judge(provider, bug))
    assert rule in found, found
    every = {c.case_id for c in adapter_cases(get_contract(provider), rule)}
    if scenarios is None:
        assert found[rule] == every
    elif scenarios == {"unknown-id"}:
        assert found[rule] == every - scenarios
    else:
        assert found[rule] == scenarios
    assert set(found) <= {rule, *consequences}, found


def test_every_adapter_rule_has_a_planted_bug() -> None:
    """Given the rule registry, each rule is broken by a bug above or by an example adapter."""
    by_examples = {"adapter.outcome-mapping", "adapter.request.headers"}
    assert set(ADAPTER_RULES) == {p[2] for p in PLANTED} | by_examples


def test_a_defect_in_the_judge_is_never_the_adapters_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a judge that raises, the case is an ERROR (payconform's defect), not a FAIL."""
    import payconform.adapters.harness as harness_module

    def broken(*args: object, **kwargs: object) -> CaseResult:
        raise RuntimeError("judge defect")

    monkeypatch.setattr(harness_module, "judge_case", broken)
    contract = get_contract("cashfree")
    harness = AdapterHarness(contract, factory_for(), "faithful")
    try:
        result = harness.run(adapter_cases(contract, "adapter.outcome-mapping")[0])
    finally:
        harness.stop()
    assert result.verdict.value == "ERROR"
    assert "RuntimeError: judge defect" in result.message
    assert "judge defect" in result.traceback


@pytest.mark.parametrize("provider", list(all_contracts()))
def test_every_outcome_check_names_a_fact_of_the_contract(provider: str) -> None:
    """Given any scenario, the outcome check stands on a fact id the contract really has."""
    contract = get_contract(provider)
    facts = {f.id for f in facts_of(contract)}
    for scenario in plan(contract):
        for repeated in (False, True):
            assert outcome_fact(contract, scenario, repeated) in facts, (scenario.id, repeated)
