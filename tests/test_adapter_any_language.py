"""Any language: a POSIX sh + curl adapter runs the scenario plan against `payconform serve
--judge`, and `payconform judge` judges its requests and the outcomes it wrote."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from payconform.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "adapters"
SCRIPT = EXAMPLES / "shell" / "cashfree_adapter.sh"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(shutil.which("curl") is None or shutil.which("sh") is None,
                                reason="the shell example needs sh and curl")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    """`payconform serve cashfree --judge --record FILE` on a free port: (base URL, process, file)."""
    record = tmp_path / "session.json"
    proc = subprocess.Popen([sys.executable, "-m", "payconform", "serve", "cashfree",
                             "--port", "0", "--judge", "--record", str(record)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    yield base, proc, record
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def _adapter(base: str, out: Path, **env: str) -> None:
    subprocess.run(["sh", str(SCRIPT), base, str(out)], check=True, timeout=120,
                   env={**os.environ, **env})


def test_a_shell_adapter_is_judged_from_the_running_server_and_from_the_recording(
        served: tuple[str, subprocess.Popen[str], Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Given the correct shell adapter, the judge passes every rule both ways, writes the report
    with the adapter's section and a JUnit file; the recording is written on SIGTERM."""
    base, proc, record = served
    outcomes = tmp_path / "outcomes.json"
    _adapter(base, outcomes)
    assert json.loads(outcomes.read_text())["outcomes"]["fault:timeout"] == "CANCELLED"
    junit = tmp_path / "judge.xml"
    status = main(["judge", "--url", base, "--outcomes", str(outcomes), "--name", "sh-adapter",
                   "--report-dir", str(tmp_path / "r"), "--junitxml", str(junit)])
    out = capsys.readouterr().out
    assert status == 0, out
    doc = json.loads((tmp_path / "r" / "latest" / "conformance.json").read_text())
    cells = doc["summary"]["matrix"]["cashfree"]
    assert cells["adapter.outcome-mapping"] == "PASS"
    assert set(cells.values()) <= {"PASS", "OBSERVED"}
    assert doc["adapters"][0]["adapter"] == "sh-adapter"
    assert len(doc["adapters"][0]["scenarios"]) == 12
    cases = list(ET.parse(junit).iter("testcase"))
    assert len(cases) == len(doc["results"]) and not list(ET.parse(junit).iter("failure"))

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    assert main(["judge", "cashfree", "--recording", str(record), "--outcomes", str(outcomes),
                 "--report-dir", str(tmp_path / "r2")]) == 0


def test_a_planted_bug_in_the_shell_adapter_fails_the_header_rule(
        served: tuple[str, subprocess.Popen[str], Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Given the shell adapter without x-api-version on its cancel, the judge exits 1 naming
    adapter.request.headers with Expected and Received; without --outcomes only requests."""
    base, _, _ = served
    outcomes = tmp_path / "outcomes.json"
    _adapter(base, outcomes, PAYCONFORM_EXAMPLE_BUG="no-api-version")
    assert main(["judge", "--url", base, "--report-dir", str(tmp_path / "r")]) == 1
    out = capsys.readouterr().out
    assert "adapter.request.headers              FAIL" in out
    assert "Expected: x-api-version on every API request" in out
    assert "no --outcomes: adapter.outcome-mapping was not judged" in out


def test_the_scenario_api_guides_a_client_and_refuses_misuse(
        served: tuple[str, subprocess.Popen[str], Path], tmp_path: Path) -> None:
    """Given the served plan: JSON and line forms list the same scenarios; arming before begin
    is a 409, an unknown scenario a 404; a judge of an unknown scenario id is a usage error."""
    base, _, _ = served
    plan = httpx.get(f"{base}/_simulator/scenarios").json()["scenarios"]
    lines = httpx.get(f"{base}/_simulator/scenarios.txt").text.splitlines()
    assert [p["id"] for p in plan] == [line.split("\t")[0] for line in lines]
    assert {"id": "unknown-id", "title": "cancel of an unknown id", "create": False,
            "cancel_id": "pc_unknown_link_0000", "credentials": "valid"} in plan
    armed = httpx.post(f"{base}/_simulator/scenarios/fault:503/link", json={"link_id": "x"})
    assert armed.status_code == 409
    assert httpx.post(f"{base}/_simulator/scenarios/nope/begin", json={}).status_code == 404
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"outcomes": {"cancel:NOPE": "CANCELLED"}}))
    assert main(["judge", "--url", base, "--outcomes", str(bad)]) == 4


@pytest.mark.skipif(NODE is None, reason="node is not installed on this machine")
def test_a_node_adapter_runs_the_plan_and_passes(
        served: tuple[str, subprocess.Popen[str], Path], tmp_path: Path) -> None:
    """Given the Node example (standard library only), the judge passes every rule."""
    assert NODE is not None
    base, _, _ = served
    outcomes = tmp_path / "outcomes.json"
    subprocess.run([NODE, str(EXAMPLES / "node" / "cashfree_adapter.mjs"), base, str(outcomes)],
                   check=True, timeout=120)
    assert main(["judge", "--url", base, "--outcomes", str(outcomes), "--name", "node",
                 "--report-dir", str(tmp_path / "r")]) == 0
    doc = json.loads((tmp_path / "r" / "latest" / "conformance.json").read_text())
    assert set(doc["summary"]["matrix"]["cashfree"].values()) <= {"PASS", "OBSERVED"}

