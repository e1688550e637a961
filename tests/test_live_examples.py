"""The example CI workflows stay in step with the contracts and the lanes."""

from __future__ import annotations

from pathlib import Path

import yaml

from payconform.model.registry import all_contracts

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_the_nightly_workflow_passes_every_credential_from_the_secret_store() -> None:
    """Every contract's credential variable comes from ``secrets.<same name>``."""
    workflow = yaml.safe_load((EXAMPLES / "live-nightly.yml").read_text())
    step = next(s for s in workflow["jobs"]["live"]["steps"] if s.get("id") == "live")
    for contract in all_contracts().values():
        for var in contract.auth.credentials.values():
            assert step["env"].get(var) == f"${{{{ secrets.{var} }}}}", var
    assert "--lane live" in step["run"]
    assert any("upload-artifact" in s.get("uses", "") for s in workflow["jobs"]["live"]["steps"])


def test_the_pull_request_workflow_runs_the_replay_lane_without_secrets() -> None:
    """The replay example runs on pull requests, with no secret at all."""
    text = (EXAMPLES / "replay-on-pull-request.yml").read_text()
    workflow = yaml.safe_load(text)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key 'on' as True
    assert "--lane replay" in text and "secrets." not in text
