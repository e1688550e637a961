"""Every rule can fail: each mutant is caught by exactly the rule it breaks, per provider."""

from __future__ import annotations

import pytest

from payconform.lanes.base import simulator_session
from payconform.model.outcomes import Verdict
from payconform.model.registry import all_contracts
from payconform.rules.catalog import cases_for
from payconform.rules.engine import CaseResult
from payconform.simulator.fact_mutants import FactMutant, fact_mutants_for
from payconform.simulator.mutants import mutants_for

CONTRACTS = all_contracts()
CASES = [
    pytest.param(provider, mutant.id, id=f"{provider}:{mutant.id}")
    for provider, contract in CONTRACTS.items()
    for mutant in mutants_for(contract)
]
BAD = (Verdict.FAIL, Verdict.WARN)


def fold(results: list[CaseResult]) -> dict[str, Verdict]:
    """The worst verdict per rule."""
    out: dict[str, Verdict] = {}
    for result in results:
        current = out.get(result.rule_id)
        if current is None or result.verdict.severity < current.severity:
            out[result.rule_id] = result.verdict
    return out


@pytest.fixture(scope="module")
def baselines() -> dict[str, dict[str, Verdict]]:
    """Folded verdicts of every faithful simulator."""
    return {name: fold(simulator_session(c).run_all()) for name, c in CONTRACTS.items()}


@pytest.mark.parametrize("provider", list(CONTRACTS))
def test_faithful_simulator_passes_every_judged_rule(provider: str) -> None:
    """Given the faithful simulator, no rule FAILs, WARNs or is INCONCLUSIVE."""
    results = simulator_session(CONTRACTS[provider]).run_all()
    bad = [f"{r.rule_id}/{r.case_id}: {r.verdict} {r.message}" for r in results
           if r.verdict in (*BAD, Verdict.INCONCLUSIVE, Verdict.SKIPPED)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(("provider", "mutant_id"), CASES)
def test_mutant_is_caught_by_exactly_its_rule(
    provider: str, mutant_id: str, baselines: dict[str, dict[str, Verdict]]
) -> None:
    """Given a mutant, its rule reports the expected verdict and no other rule degrades."""
    contract = CONTRACTS[provider]
    mutant = next(m for m in mutants_for(contract) if m.id == mutant_id)
    results = simulator_session(contract, mutation=mutant.mutation).run_all()
    verdicts = fold(results)
    assert verdicts[mutant.rule_id] is mutant.expected_verdict, [
        (r.case_id, r.verdict.value, r.message) for r in results if r.rule_id == mutant.rule_id
    ]
    if mutant.expected_verdict is Verdict.OBSERVED:
        notes = [o for r in results if r.rule_id == mutant.rule_id for o in r.observations]
        assert any("matches none of the candidates" in n for n in notes), notes
    collateral = {rule: v.value for rule, v in verdicts.items()
                  if rule != mutant.rule_id and v in BAD}
    assert not collateral, f"{mutant.id} also broke {collateral}"


def test_every_rule_of_every_provider_has_a_mutant() -> None:
    """Each rule with at least one case has at least one mutant aimed at it (per rule or per
    fact: the fact catalog, tests/test_fact_mutants.py, covers rules the per-rule one does not)."""
    missing = []
    for provider, contract in CONTRACTS.items():
        targeted = {m.rule_id for m in mutants_for(contract)} | {
            m.fact.rule_id for m in fact_mutants_for(contract) if isinstance(m, FactMutant)}
        rules = {case.rule_id for case in cases_for(contract)}
        missing += [f"{provider}:{rule}" for rule in sorted(rules - targeted)]
    assert not missing, missing
