"""Long phases say what they are doing: a line per phase with counts and elapsed time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from payconform.cli.main import main
from payconform.lanes.base import simulator_session
from payconform.model.registry import get_contract
from payconform.properties.harness import Harness
from payconform.properties.inputs import PROPERTIES, run_property
from payconform.properties.profiles import machine_settings
from payconform.properties.stateful import run_machine
from payconform.reporting import progress


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Progress lines, one per tick (interval 0)."""
    monkeypatch.setenv("PAYCONFORM_PROGRESS_INTERVAL", "0")
    seen: list[str] = []
    progress.set_sink(seen.append)
    yield seen
    progress.set_sink(None)


def test_property_searches_report_counts_while_running_and_at_the_end(lines: list[str]) -> None:
    """The state machine and an input property emit running lines and a final one."""
    harness = Harness.from_session(simulator_session(get_contract("cashfree")))
    settings = type(machine_settings("ci"))(machine_settings("ci"), max_examples=3)
    run_machine(harness, settings=settings, seed=1, profile="ci")
    run_property(PROPERTIES[0], harness, settings=settings, seed=1, profile="ci")
    machine = [line for line in lines if "cashfree state machine" in line]
    assert len(machine) > 2 and machine[-1].endswith("s") and machine[0].endswith("s ...")
    assert re.fullmatch(r"payconform: cashfree state machine: \d+ steps, \d+ requests, \d+\.\ds", machine[-1])
    assert any(re.fullmatch(rf"payconform: cashfree {PROPERTIES[0].id}: \d+ examples, \d+\.\ds", line)
               for line in lines)


def test_recording_and_drift_print_progress_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """payconform cassettes record-simulator and drift: scenario counts on stderr, output intact."""
    monkeypatch.setenv("PAYCONFORM_PROGRESS_INTERVAL", "0")
    assert main(["cassettes", "record-simulator", "cashfree", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert re.search(r"^payconform: cashfree record: \d+ scenarios, \d+\.\ds$", out.err, re.M)
    assert "scenarios recorded under" in out.out and "payconform:" not in out.out
    progress.set_sink(None)
