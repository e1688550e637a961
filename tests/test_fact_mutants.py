"""Every fact can fail: each fact's simulator mutant is reported by a check of that fact.

Generic over the contracts: a new provider's facts are covered with no new test code.
"""

from __future__ import annotations

from functools import cache

import pytest

from payconform.audit.kills import KillRow, simulator_kills
from payconform.lanes.base import simulator_session
from payconform.model.facts import Fact, facts_of
from payconform.model.outcomes import Evidence, Verdict
from payconform.model.registry import all_contracts
from payconform.rules.catalog import cases_for
from payconform.rules.engine import Check, RuleContext
from payconform.simulator.fact_mutants import FactMutant, fact_mutants_for

CONTRACTS = all_contracts()
by_provider = pytest.mark.parametrize("provider", list(CONTRACTS))
_VERDICT = {Evidence.DOCUMENTED: Verdict.FAIL, Evidence.OBSERVED: Verdict.FAIL,
            Evidence.INFERRED: Verdict.WARN, Evidence.UNVERIFIED: Verdict.OBSERVED}


@cache
def kill_table(provider: str) -> tuple[KillRow, ...]:
    """The provider's fact-level kill table (computed once per test session)."""
    return tuple(simulator_kills(CONTRACTS[provider]))


@cache
def faithful_checks(provider: str) -> tuple[Check, ...]:
    """Every check the faithful simulator's run records for the provider."""
    session = simulator_session(CONTRACTS[provider])
    return tuple(c for result in session.run_all() for c in result.checks)


@by_provider
def test_every_fact_has_a_mutant(provider: str) -> None:
    """Given a contract, each of its facts has a generic mutant that breaks it."""
    bare = [item.id for item in fact_mutants_for(CONTRACTS[provider]) if isinstance(item, Fact)]
    assert not bare, bare


@by_provider
def test_every_fact_mutant_is_killed_by_its_fact_at_its_evidence(provider: str) -> None:
    """Given each fact's mutant, the suite reports that fact, at the verdict its evidence sets."""
    survivors = [f"{r.fact.id}: expected {r.expected}, got {r.reported} ({r.detail})"
                 for r in kill_table(provider) if not r.killed]
    assert not survivors, "\n".join(survivors)


@by_provider
def test_expected_verdicts_follow_the_evidence_of_the_broken_facts(provider: str) -> None:
    """Given a mutant, its expected verdict is that of the strongest fact it breaks."""
    facts = {f.id: f for f in facts_of(CONTRACTS[provider])}
    for item in fact_mutants_for(CONTRACTS[provider]):
        assert isinstance(item, FactMutant)
        broken = [item.fact, *(facts[i] for i in item.also)]
        strongest = min((_VERDICT[f.evidence] for f in broken), key=lambda v: v.severity)
        assert item.expected_verdict is strongest, item.fact.id
        if not item.also:
            assert item.expected_verdict is _VERDICT[item.fact.evidence]


@by_provider
def test_every_check_judges_a_fact_of_the_contract(provider: str) -> None:
    """Given the faithful run, each check names a contract fact, so deleting it loses a kill."""
    facts = {f.id for f in facts_of(CONTRACTS[provider])}
    untagged = sorted({f"{c.name} -> {c.fact!r}" for c in faithful_checks(provider)
                       if c.fact not in facts})
    assert not untagged, untagged


@by_provider
def test_every_fact_is_checked_on_the_faithful_run(provider: str) -> None:
    """Given the faithful run, every fact of the contract is judged by at least one check."""
    checked = {c.fact for c in faithful_checks(provider)}
    assert [f.id for f in facts_of(CONTRACTS[provider]) if f.id not in checked] == []


@by_provider
def test_every_rule_with_cases_judges_facts(provider: str) -> None:
    """Given the rule catalog, each rule that has cases owns at least one fact."""
    owners = {f.rule_id for f in facts_of(CONTRACTS[provider])}
    rules = {case.rule_id for case in cases_for(CONTRACTS[provider])}
    assert rules - owners == set()


def test_deleting_the_http_status_check_leaves_its_mutants_alive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given an engine that no longer checks HTTP statuses, every status-only mutant survives."""
    kept = RuleContext.check

    def without_status(self: RuleContext, name: str, *args: object, **kwargs: object) -> bool:
        if name.endswith(": HTTP status"):
            return True  # the planted defect: the check is gone
        return kept(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RuleContext, "check", without_status)
    for provider, contract in CONTRACTS.items():
        rows = simulator_kills(contract, kinds=("http-status",))
        status_only = [r for r in rows if not r.also]
        assert status_only, f"{provider}: no mutant differs from the faithful one by the status alone"
        assert not any(r.killed for r in status_only), [r.fact.id for r in status_only if r.killed]


_ANSWERS_WITH_AMOUNT = [p for p, c in CONTRACTS.items()
                        if any(f.kind == "cancelled-link" and f.key == "amount" for f in facts_of(c))]


@pytest.mark.parametrize("provider", _ANSWERS_WITH_AMOUNT)
def test_a_cancel_answered_with_another_links_amount_fails(provider: str) -> None:
    """Given a simulator that cancels the link but answers with another link's amount, the
    cancellable-status rule FAILs (or WARNs, at inferred evidence) on the amount alone."""
    row, = [r for r in simulator_kills(CONTRACTS[provider], kinds=("cancelled-link",))
            if r.fact.key == "amount"]
    assert row.mutant.endswith("another link's amount"), row
    assert row.killed and not row.also, row
    assert row.reported is _VERDICT[row.fact.evidence], row


def test_the_cancelled_link_check_covers_every_contract_that_answers_with_an_amount() -> None:
    """Given the contracts, every one whose cancel answers the link with an amount is judged on it."""
    assert set(_ANSWERS_WITH_AMOUNT) >= {"cashfree", "razorpay", "razorpay-invoices", "commet",
                                          "pinelabs", "adyen", "stripe-checkout", "xendit",
                                          "mollie-archive"}
