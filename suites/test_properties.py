"""Property-based conformance: the contract's state machine and input properties.

Hypothesis searches for the cases the example-based rules did not think of. The profile is
``PAYCONFORM_HYPOTHESIS_PROFILE`` (dev, ci, live; unset: live on the live and record lanes,
dev elsewhere); the seed is printed in the header and stored in the report. A failure
shrinks to a short call sequence shown in the report. Each test claims its report row
first, so that a crash still lands there, as ERROR.
"""

from __future__ import annotations

import warnings

import pytest

from payconform.lanes.base import LaneUnavailable
from payconform.model.contract import Contract
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract
from payconform.plugin import STATE, ConformanceWarning, RunState, claim
from payconform.properties.harness import Harness
from payconform.properties.inputs import PROPERTIES, InputProperty, run_property
from payconform.properties.profiles import machine_settings, session_seed
from payconform.properties.stateful import MachineResult, run_machine, to_case_result


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "provider" in metafunc.fixturenames:
        metafunc.parametrize("provider", metafunc.config.stash[STATE].providers)


def _harness(state: RunState, contract: Contract) -> Harness:
    if state.options.lane in ("replay", "record"):
        pytest.skip(f"{contract.provider}: property tests send random requests, which cassettes "
                    "cannot hold; run them on the simulator or live lane")
    try:
        return Harness.from_session(state.session(contract))
    except LaneUnavailable as exc:
        pytest.skip(f"{contract.provider}: {exc}")


def _conclude(state: RunState, result: MachineResult, rule_id: str, title: str) -> None:
    state.results.append(to_case_result(result, rule_id, title, state.options.lane))
    head = f"{result.provider} {rule_id} [seed {result.seed}]"
    if result.verdict is Verdict.FAIL:
        pytest.fail(f"{head}: FAIL\n{result.message}", pytrace=False)
    if result.verdict is Verdict.ERROR:
        pytest.fail(f"{head}: ERROR\n{result.message}\n{result.traceback}", pytrace=False)
    if result.verdict in (Verdict.SKIPPED, Verdict.INCONCLUSIVE):
        pytest.skip(f"{result.verdict.value} {head}: {result.message}")
    if result.verdict is Verdict.WARN:
        warnings.warn(ConformanceWarning(f"{head}: WARN\n{result.message}"), stacklevel=2)


@pytest.mark.rule("property.state-machine")
def test_the_contract_state_machine_finds_no_counterexample(
    provider: str, request: pytest.FixtureRequest
) -> None:
    """Random sequences of create, drive, cancel, repeat, fetch and broken calls obey the contract."""
    state = request.config.stash[STATE]
    seed = session_seed(request.config.getoption("hypothesis_seed", None))
    claim(request.node, provider, "property.state-machine", f"seed-{seed}")
    harness = _harness(state, get_contract(provider))
    result = run_machine(harness, settings=machine_settings(state.profile), seed=seed,
                         profile=state.profile)
    _conclude(state, result, "property.state-machine",
              "random call sequences obey every transition, repeat and schema rule")


@pytest.mark.rule("property.inputs")
@pytest.mark.parametrize("prop", PROPERTIES, ids=[p.id for p in PROPERTIES])
def test_odd_inputs_are_answered_as_the_contract_says(
    provider: str, prop: InputProperty, request: pytest.FixtureRequest
) -> None:
    """Odd ids, header values and bodies never get a 5xx, a false success or a shapeless error."""
    state = request.config.stash[STATE]
    seed = session_seed(request.config.getoption("hypothesis_seed", None))
    claim(request.node, provider, prop.id, f"seed-{seed}")
    harness = _harness(state, get_contract(provider))
    if not harness.simulated:
        pytest.skip(f"{prop.id} sends junk on purpose; it runs against payconform's simulator only")
    base = machine_settings(state.profile)
    # Input checks cost one or two requests each: they can afford four times the examples.
    settings = type(base)(base, max_examples=base.max_examples * 4)
    result = run_property(prop, harness, settings=settings, seed=seed, profile=state.profile)
    _conclude(state, result, prop.id, prop.title)
