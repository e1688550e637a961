"""The contract state machine: it passes faithful simulators and catches the mutants."""

from __future__ import annotations

import json

import pytest

from payconform.lanes.base import simulator_session
from payconform.model.outcomes import Verdict
from payconform.model.registry import all_contracts, get_contract
from payconform.properties.harness import Harness
from payconform.properties.profiles import PROFILE_ENV, active_profile, machine_settings
from payconform.properties.stateful import PROPERTY_RULES, detection_settings, run_machine
from payconform.simulator.mutants import mutants_for

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
