"""The fact-level kill table: every fact's simulator mutant, and whether the suite catches it.

A mutant is killed when its fact's rule reports the verdict the fact's evidence calls for
(FAIL documented/observed, WARN inferred, OBSERVED unverified; from the strongest fact in
``also`` where a fact cannot break alone), through a failing check tagged with that very
fact, and no check of any other fact fails. A case is only run for a mutant when the
faithful run shows the case reaching the mutant's scenario: elsewhere the mutant does not
act, so the faithful verdict stands (this keeps the table fast).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from payconform.lanes.base import simulator_session
from payconform.model.contract import Candidate, Contract
from payconform.model.facts import Fact
from payconform.model.outcomes import Evidence, Verdict
from payconform.rules.catalog import cases_for
from payconform.rules.engine import Case, CaseResult
from payconform.simulator.fact_mutants import FactMutant, fact_mutants_for
from payconform.simulator.state import Link, Mutation

__all__ = ["KillRow", "simulator_kills", "touched_scenarios"]


@dataclass(frozen=True)
class KillRow:
    """One fact of one provider: its mutant, the expected and reported verdicts, the kill."""

    provider: str
    fact: Fact
    mutant: str
    expected: Verdict | None
    reported: Verdict | None
    killed: bool
    detail: str = ""
    also: tuple[str, ...] = ()


class _Tracer(Mutation):
    """The faithful simulator, noting which contract scenarios each request reaches."""

    name = "tracer"

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def play(self, contract: Contract, where: str, played: Candidate, operation: str,
             link: Link | None) -> Candidate:
        self.seen.add(where)
        return played


def touched_scenarios(contract: Contract) -> dict[str, set[str]]:
    """Case key (``rule/case``) -> the scenarios its requests reach on the faithful simulator."""
    tracer = _Tracer()
    session = simulator_session(contract, mutation=tracer)
    out: dict[str, set[str]] = {}
    try:
        for case in cases_for(contract):
            tracer.seen = set()
            session.run(case)
            out[_key(case)] = set(tracer.seen)
    finally:
        session.close()
    return out


def _key(case: Case) -> str:
    return f"{case.rule_id}/{case.case_id}"


def _worst(results: list[CaseResult]) -> Verdict | None:
    verdicts = [r.verdict for r in results]
    return min(verdicts, key=lambda v: v.severity) if verdicts else None


def _judge(mutant: FactMutant, results: list[CaseResult]) -> tuple[Verdict | None, bool, str]:
    fact = mutant.fact
    own = [r for r in results if r.rule_id == fact.rule_id]
    reported = _worst(own)
    failing = {c.fact for r in results for c in r.checks if not c.passed}
    if fact.id not in failing:
        return reported, False, "no failing check of this fact"
    # A stray unverified check only adds an observation (an accepted-header probe is itself a
    # cancel): it is noted, and only judged facts must stay intact.
    loose = {c.fact for r in results for c in r.checks
             if not c.passed and c.evidence is Evidence.UNVERIFIED and r.rule_id != fact.rule_id}
    stray = sorted(failing - {fact.id, *mutant.also} - loose)
    if stray:
        return reported, False, "also broke " + ", ".join(stray)
    crashed = sorted({f"{r.rule_id}/{r.case_id}" for r in results
                      if r.verdict is Verdict.ERROR or r.message.startswith("internal error")})
    if crashed:
        return reported, False, "internal error in " + ", ".join(crashed)
    if reported is not mutant.expected_verdict:
        return reported, False, f"{fact.rule_id} reported {reported}"
    return reported, True, ""


def simulator_kills(contract: Contract, kinds: Collection[str] | None = None) -> list[KillRow]:
    """The kill table of ``contract``: one row per fact (of the given ``kinds``), in order."""
    touched = touched_scenarios(contract)
    cases = cases_for(contract)
    rows: list[KillRow] = []
    for item in fact_mutants_for(contract):
        if kinds is not None and (item if isinstance(item, Fact) else item.fact).kind not in kinds:
            continue
        if isinstance(item, Fact):
            rows.append(KillRow(contract.provider, item, "", None, None, False,
                                "no generic mutant can break this fact"))
            continue
        fact = item.fact
        wanted = [c for c in cases if fact.where.startswith("schema:") or c.rule_id == fact.rule_id
                  or fact.where in touched[_key(c)]]
        session = simulator_session(contract, mutation=item.mutation)
        try:
            results = [session.run(case) for case in wanted]
        finally:
            session.close()
        reported, killed, detail = _judge(item, results)
        rows.append(KillRow(contract.provider, fact, item.description, item.expected_verdict,
                            reported, killed, detail, item.also))
    return rows
