"""``payconform drift``: differences with the committed cassettes, and which ones break rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from payconform.cassettes.lanes import record_simulator
from payconform.cli.main import main
from payconform.model.registry import get_contract
from payconform.simulator.mutants import mutants_for

ROOT = Path(__file__).resolve().parents[1] / "cassettes"


def _drift(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["drift", "cashfree", "--committed", str(ROOT), *args])
    return code, capsys.readouterr().out


def test_a_fresh_simulator_recording_has_no_breaking_drift(capsys: pytest.CaptureFixture[str]) -> None:
    """Given a new recording of the faithful simulator, drift reports nothing that breaks a rule."""
    code, out = _drift(capsys, "--simulator")
    assert code == 0, out
    assert out.startswith("# Drift: cashfree")
    assert "0 breaking a documented rule" in out


def test_a_changed_provider_is_drift_that_breaks_the_documented_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Given a fresh set where a repeated cancel succeeds, drift names the HTTP change and the rule."""
    contract = get_contract("cashfree")
    mutant = next(m for m in mutants_for(contract) if m.id == "repeat-cancel-flipped")
    record_simulator(contract, tmp_path, rule_ids=["cancel.repeat"], mutation=mutant.mutation)
    code, out = _drift(capsys, "--against", str(tmp_path), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "payconform.drift/1"
    status = [c for c in doc["changes"] if c["kind"] == "HTTP status"
              and c["scenario"] == "cancel.repeat--second-cancel"]
    assert [(c["before"], c["after"]) for c in status] == [("400", "200")]
    assert "interaction" in status[0] and status[0]["interaction"].startswith("cancel #2")
    broken = [c for c in doc["changes"] if c["breaking"]]
    assert [c["rule"] for c in broken] == ["cancel.repeat"]
    removed = {c["scenario"] for c in doc["changes"] if c["kind"] == "scenario removed"}
    assert "auth.missing--missing-credentials" in removed
    code, markdown = _drift(capsys, "--against", str(tmp_path))
    assert code == 1
    row = ("| cancel.repeat--second-cancel | cancel #2 (POST /links/{id}/cancel) | HTTP status |  "
           "| 400 | 200 |")
    assert row in markdown


def test_drift_without_committed_cassettes_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Given an empty committed root, drift says where it looked and exits 4."""
    assert main(["drift", "cashfree", "--committed", str(tmp_path), "--against", str(ROOT)]) == 4
    assert "no committed cassettes at" in capsys.readouterr().err


# "target", not "base_url": that name is pytest-base-url's session fixture.
@pytest.mark.parametrize(("env", "target", "words"), [
    ({"RAZORPAY_KEY_ID": "rzp_live_AbCdEfGh12345", "RAZORPAY_KEY_SECRET": "s3cret-value-123"},
     None, "live-looking key"),
    ({"RAZORPAY_KEY_ID": "rzp_test_AbCdEfGh12345", "RAZORPAY_KEY_SECRET": "s3cret-value-123"},
     "https://api.cashfree.com/pg", "production host"),
])
def test_drift_from_a_base_url_goes_through_the_lane_preflight(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
    target: str | None, words: str,
) -> None:
    """Given a live key (even towards a served simulator) or a production host, drift refuses
    before any request: one line on stderr, exit 4, the key never printed."""
    from payconform.simulator.core import Simulator
    from payconform.simulator.server import serve_in_thread
    from tests.live_support import NetworkSpy

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    simulator = Simulator(get_contract("razorpay"))
    with serve_in_thread(simulator) as server:
        spy = NetworkSpy(monkeypatch)
        code = main(["drift", "razorpay", "--committed", str(ROOT),
                     "--base-url", target or server.base_url])
        monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 4
    assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err
    assert "AbCdEfGh12345" not in err
    assert simulator.request_count == 0 and spy.attempts == []
