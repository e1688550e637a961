"""The contract state machine: it passes faithful simulators and catches the mutants."""

from __future__ import annotations

import json

import pytest
from hypothesis import settings as Settings

from payconform.lanes.base import simulator_session
from payconform.model.contract import Contract
from payconform.model.outcomes import Verdict
from payconform.model.registry import all_contracts, get_contract
from payconform.properties.harness import Harness
from payconform.properties.profiles import PROFILE_ENV, active_profile, machine_settings
from payconform.properties.stateful import PROPERTY_RULES, detection_settings, run_machine
from payconform.simulator.fact_mutants import FactMutant, fact_mutants_for
from payconform.simulator.faults import parse_faults
from payconform.simulator.mutants import mutants_for
from payconform.simulator.state import Mutation, SimResponse

pytest_plugins = ["pytester"]

CONTRACTS = all_contracts()
IN_SCOPE = [
    pytest.param(provider, mutant.id, id=f"{provider}:{mutant.id}")
    for provider, contract in CONTRACTS.items()
    for mutant in mutants_for(contract)
    if mutant.rule_id in PROPERTY_RULES
]


def _harness(provider: str, mutant_id: str | None = None) -> Harness:
    contract = get_contract(provider)
    mutation = None if mutant_id is None else next(
        m.mutation for m in mutants_for(contract) if m.id == mutant_id)
    harness = Harness.from_session(simulator_session(contract, mutation=mutation))
    harness.reset = True
    return harness


@pytest.mark.parametrize(("provider", "mutant_id"), IN_SCOPE)
def test_the_machine_catches_every_transition_repeat_and_schema_mutant(
    provider: str, mutant_id: str
) -> None:
    """Given a mutant of a transition, repeat or schema rule, the machine reports it."""
    mutant = next(m for m in mutants_for(CONTRACTS[provider]) if m.id == mutant_id)
    result = run_machine(_harness(provider, mutant_id), settings=detection_settings("ci"), seed=7)
    assert result.verdict is not Verdict.ERROR, result.message
    assert result.verdict.severity <= mutant.expected_verdict.severity, (
        f"expected {mutant.expected_verdict}, got {result.verdict}: {result.message}")


def test_a_failure_shrinks_to_a_call_sequence_the_report_shows() -> None:
    """Given a stale read after cancel, the message names the fact and the shrunk steps."""
    result = run_machine(_harness("cashfree", "stale-read-after-cancel"),
                         settings=machine_settings("ci"), seed=11, profile="ci")
    assert result.verdict is Verdict.FAIL
    assert "Expected: 'CANCELLED'" in result.message
    assert "Shrunk call sequence:" in result.message and "state = CashfreeMachine()" in result.message
    assert result.steps and len(result.steps) <= 6
    assert "POST /pg/links/" in result.message  # the requests of the shrunk sequence


def test_unverified_expectations_are_observed_never_failed() -> None:
    """Given the faithful Cashfree simulator, the unverified unknown-id case is an observation."""
    result = run_machine(_harness("cashfree"), settings=detection_settings("ci"), seed=5)
    assert result.verdict is Verdict.PASS, result.message
    assert any("matches candidate" in o for o in result.observations)


def test_the_profile_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given PAYCONFORM_HYPOTHESIS_PROFILE, that profile's budget applies; a typo is refused."""
    monkeypatch.setenv(PROFILE_ENV, "live")
    assert active_profile() == "live"
    assert machine_settings().max_examples == 3
    monkeypatch.setenv(PROFILE_ENV, "nightly")
    with pytest.raises(ValueError, match="not a payconform profile; use one of dev, ci, live"):
        active_profile()


def test_the_header_prints_profile_and_seed_and_the_report_keeps_the_machine(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a seed, the header and the report carry it with the machine's verdict."""
    monkeypatch.setenv(PROFILE_ENV, "ci")
    result = pytester.runpytest_subprocess(
        "--pyargs", "payconform.suites.test_properties", "-p", "no:cacheprovider",
        "--provider", "cashfree", "-k", "state_machine", "--hypothesis-seed", "1234",
        "--report-dir", str(pytester.path / "reports"))
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*hypothesis-profile=ci seed=1234*",
                                 "property.state-machine*PASS*"])
    doc = json.loads((pytester.path / "reports" / "latest" / "conformance.json").read_text())
    assert doc["run"]["seed"] == "1234"
    assert [r["case_id"] for r in doc["results"]] == ["seed-1234"]


def test_a_link_id_that_looks_like_the_control_prefix_reaches_the_api() -> None:
    """Given a cancel of the id '_simulator', the provider API answers it, not the control API."""
    harness = _harness("cashfree")
    exchange = harness.client.cancel("_simulator", raw_id=True)
    assert exchange.status == 404 and exchange.error is not None
    assert exchange.error.get("code") == "link_not_found"


# The machine judges every answer it gets, so each fact it checks must be judged at the level
# the contract gives that fact, as the rule catalog does: a fact that can only WARN (inferred)
# or be observed (unverified) must never make the machine FAIL. One example after the tour is
# enough: the tour visits every status, repeat, credential and header scenario once.
SOFT_FACT_MUTANTS = [
    pytest.param(provider, mutant.id, id=f"{provider}:{mutant.id}")
    for provider, contract in CONTRACTS.items()
    for mutant in fact_mutants_for(contract)
    if isinstance(mutant, FactMutant) and mutant.expected_verdict is not Verdict.FAIL
]
_RANK = {Verdict.FAIL: 2, Verdict.WARN: 1}


@pytest.mark.parametrize(("provider", "fact_id"), SOFT_FACT_MUTANTS)
def test_the_machine_never_judges_a_fact_harder_than_its_evidence(provider: str, fact_id: str) -> None:
    """Given a simulator that breaks one inferred or unverified fact, the machine reports at
    most that fact's verdict (WARN or an observation), never a FAIL of a stronger fact."""
    contract = CONTRACTS[provider]
    mutant = next(m for m in fact_mutants_for(contract)
                  if isinstance(m, FactMutant) and m.id == fact_id)
    harness = Harness.from_session(simulator_session(contract, mutation=mutant.mutation))
    result = run_machine(harness, settings=Settings(detection_settings("ci"), max_examples=1),
                         seed=7)
    assert result.verdict is not Verdict.ERROR, result.message
    assert _RANK.get(result.verdict, 0) <= _RANK.get(mutant.expected_verdict, 0), (
        f"{fact_id} is {mutant.fact.evidence.value}: expected at most "
        f"{mutant.expected_verdict.value}, the machine said {result.verdict.value}\n{result.message}")


def test_the_machine_cancels_the_catalogs_unknown_id() -> None:
    """The machine's unknown-id cancels send the contract's example id, shaped like the
    provider's own ids, so a provider that checks the format first answers it as it answers
    the rule catalog (no id of payconform's own shape)."""
    contract = CONTRACTS["commet"]
    session = simulator_session(contract)
    result = run_machine(Harness.from_session(session), settings=detection_settings("ci"), seed=3)
    assert result.verdict is Verdict.PASS, result.message
    cancelled = {r["path"].split("/")[-2] for r in session.simulator.requests
                 if r["path"].endswith("/cancel")}
    created = {link for link in session.simulator.links}
    assert cancelled - created == {contract.unknown_id_example}


def test_a_create_answered_with_another_2xx_is_not_a_failure() -> None:
    """No fact pins the create's exact status code (the catalog asks a 2xx): a provider that
    answers 201 where the simulator answers 200 passes the machine."""
    contract = CONTRACTS["commet"]
    create = contract.create.model_copy(update={"success_status": 201})
    harness = Harness.from_session(simulator_session(
        contract.model_copy(update={"create": create})))  # the server answers 201
    harness.contract = contract  # the machine judges by the contract, whose simulator says 200
    result = run_machine(harness, settings=detection_settings("ci"), seed=3)
    assert result.verdict is Verdict.PASS, result.message


def test_a_5xx_of_a_side_effect_read_is_inconclusive_against_a_real_server() -> None:
    """Square's order read answering 503 against a server payconform does not control stops
    the search as infrastructure, not a FAIL of the side-effect fact."""
    contract = CONTRACTS["square"]
    session = simulator_session(contract)
    harness = Harness.from_session(session)
    harness.simulated = False
    session.simulator.faults.extend(parse_faults(
        {"kind": "status", "status": 503, "path": "/v2/orders/", "times": None}))
    result = run_machine(harness, settings=detection_settings("ci"), seed=3)
    assert result.verdict is Verdict.INCONCLUSIVE, result.message
    assert "503" in result.message


def test_a_search_past_its_share_of_the_budget_stops_and_says_so() -> None:
    """Given a share of 60 calls, the machine stops before a step could pass it, judges what it
    sent (PASS on the faithful simulator) and its row says the search was trimmed and why."""
    harness = Harness.from_session(simulator_session(CONTRACTS["cashfree"]))
    harness.calls = lambda: harness.client.requests_sent
    harness.max_calls, harness.allowance_note = 60, "60 of the run's calls for property search"
    result = run_machine(harness, settings=detection_settings("dev"), seed=3)
    assert result.verdict is Verdict.PASS, result.message
    assert 0 < result.requests <= 60
    assert "trimmed: 60 of the run's calls for property search" in result.observations


class _MalformedRefusalOfARepeat(Mutation):
    """A repeat deactivate refused with a 400 (one of the contract's candidates) whose body
    breaks the provider's documented error envelope."""

    name = "malformed-refusal-of-a-repeat"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if operation == "cancel" and pre_status == contract.cancelled_status:
            return SimResponse(400, {"unexpected": "envelope"})
        return response


def test_an_answer_another_candidate_allows_is_judged_in_full() -> None:
    """Stripe may refuse a repeat deactivate with a 400 (a candidate of that unverified fact,
    not the one the simulator plays): the 400 breaks no fact, so its body is held to the
    documented error schema, and a malformed one FAILs the machine."""
    contract = CONTRACTS["stripe-payment-links"]
    harness = Harness.from_session(simulator_session(contract, mutation=_MalformedRefusalOfARepeat()))
    result = run_machine(harness, settings=detection_settings("ci"), seed=3)
    assert result.verdict is Verdict.FAIL, result.message
    assert "error body matches" in result.message
