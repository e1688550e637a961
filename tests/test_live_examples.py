"""The example CI workflows: valid GitHub Actions workflows (SchemaStore's schema, shipped in
check-jsonschema), in step with the contracts, and their commands work: a dry run executes
every job's shell steps locally, matrix entry by matrix entry, with artifacts handed from the
matrix jobs to the merge job as GitHub does, against simulators served on loopback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml

from payconform.model.registry import all_contracts, get_contract
from tests.live_support import live_env, seed_fixtures, served

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WORKFLOWS = sorted(EXAMPLES.glob("*.yml"))


def _load(name: str) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text())
    return workflow


def test_the_example_workflows_are_valid_github_actions_workflows() -> None:
    """check-jsonschema's vendored GitHub workflow schema accepts both (no network)."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(WORKFLOWS) == 2


def test_the_nightly_workflow_passes_every_variable_a_contract_reads_from_the_secret_store() -> None:
    """Every credential and fixture variable comes from ``secrets.<same name>``; one matrix job
    per provider, then a merge job."""
    workflow = _load("live-nightly.yml")
    jobs = workflow["jobs"]
    assert sorted(jobs["provider"]["strategy"]["matrix"]["provider"]) == sorted(all_contracts())
    step = next(s for s in jobs["provider"]["steps"] if s.get("id") == "live")
    for contract in all_contracts().values():
        names = [*contract.auth.credentials.values(), *(f.env for f in contract.fixtures),
                 *(v.fixture_env for v in contract.variants if v.fixture_env)]
        for var in names:
            assert step["env"].get(var) == f"${{{{ secrets.{var} }}}}", var
    assert "--lane live" in step["run"]
    assert jobs["merge"]["needs"] == "provider"
    assert "payconform report merge parts" in str(jobs["merge"]["steps"])


def test_the_pull_request_workflow_runs_both_offline_lanes_without_secrets() -> None:
    """The replay example runs on pull requests, one job per offline lane, with no secret."""
    text = (EXAMPLES / "replay-on-pull-request.yml").read_text()
    workflow = yaml.safe_load(text)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key 'on' as True
    assert workflow["jobs"]["lane"]["strategy"]["matrix"]["lane"] == ["simulator", "replay"]
    assert "secrets." not in text


# ---- the dry run ---------------------------------------------------------------------------


class DryRun:
    """Runs a workflow's shell steps in one folder; ``uses:`` steps are emulated where they
    move files (artifacts, cache) and skipped otherwise (checkout, setup-python)."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.artifacts = root / "_artifacts"
        self.summary = root / "_summary.md"
        self.log: list[str] = []

    def expand(self, text: str, context: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1).strip()
            if expression in context:
                return context[expression]
            if expression.startswith("secrets."):
                return self.env.get(expression.removeprefix("secrets."), "")
            if expression.startswith(("github.", "steps.")):
                return "1"
            raise AssertionError(f"unknown expression {expression!r}")
        return re.sub(r"\$\{\{(.*?)\}\}", value, text)

    def job(self, job: dict[str, Any], context: dict[str, str], workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        for step in job["steps"]:
            uses = step.get("uses", "")
            with_ = {k: self.expand(str(v), context) for k, v in (step.get("with") or {}).items()}
            if "upload-artifact" in uses:
                source = workdir / with_["path"].splitlines()[0].rstrip("/")
                if source.exists():
                    shutil.copytree(source, self.artifacts / with_["name"], dirs_exist_ok=True, symlinks=True)
            elif "download-artifact" in uses:
                pattern = with_["pattern"].replace("*", "")
                for artifact in self.artifacts.iterdir():
                    if artifact.name.startswith(pattern):
                        shutil.copytree(artifact, workdir / with_["path"] / artifact.name, symlinks=True)
            elif "run" in step:
                if "pip install" in step["run"]:
                    continue  # payconform is installed in this environment already
                script = self.expand(step["run"], context)
                env = {**os.environ, **self.env,
                       **{k: self.expand(str(v), context) for k, v in (step.get("env") or {}).items()},
                       "GITHUB_STEP_SUMMARY": str(self.summary), "GITHUB_OUTPUT": str(self.root / "_out"),
                       "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
                done = subprocess.run(["bash", "-e", "-c", script], cwd=workdir, env=env,
                                      capture_output=True, text=True, timeout=900)
                self.log.append(f"$ {step.get('name')}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
                if done.returncode != 0:
                    raise StepFailed(step.get("name", "?"), done.returncode, "\n".join(self.log))


class StepFailed(Exception):
    def __init__(self, name: str, status: int, log: str) -> None:
        super().__init__(f"step {name!r} exited {status}\n{log[-6000:]}")
        self.status = status


def test_dry_run_of_the_pull_request_workflow(tmp_path: Path) -> None:
    """Both lane jobs and the merge job run as written (one provider, via PYTEST_ADDOPTS, to
    keep the test short): one merged report holding both lanes' cases, exit 0."""
    run = DryRun(tmp_path, {"PYTEST_ADDOPTS": "--provider cashfree -p no:xdist",
                            "PAYCONFORM_CASSETTE_DIR": str(EXAMPLES.parent / "cassettes")})
    workflow = _load("replay-on-pull-request.yml")
    for lane in workflow["jobs"]["lane"]["strategy"]["matrix"]["lane"]:
        run.job(workflow["jobs"]["lane"], {"matrix.lane": lane}, tmp_path / f"job-{lane}")
    run.job(workflow["jobs"]["merge"], {}, tmp_path / "job-merge")
    merged = tmp_path / "job-merge" / "merged" / "conformance.json"
    doc = yaml.safe_load(merged.read_text())
    assert set(doc["summary"]["matrix"]) == {"cashfree (simulator)", "cashfree (replay)"}
    assert {m["lane"] for m in doc["run"]["merged_from"]} == {"simulator", "replay"}
    assert "cashfree (replay)" in run.summary.read_text()


def test_dry_run_of_the_nightly_workflow_against_served_simulators(tmp_path: Path) -> None:
    """The provider jobs (cashfree against its simulator served on loopback with fixture
    links; razorpay without secrets) and the merge job: one merged report, one history page,
    and the merge job passes (missing secrets are a warning, not a failure)."""
    contract = get_contract("cashfree")
    with ExitStack() as stack:
        server, _ = stack.enter_context(served(contract))
        # The workflow's run-wide rate (2 a second) would only space the calls to the
        # loopback server out; the per-provider setting overrides it for this test alone.
        env = {**live_env(contract), **seed_fixtures(contract, server),
               "PAYCONFORM_BASE_URL_CASHFREE": server.base_url, "PYTEST_ADDOPTS": "-p no:xdist",
               "PAYCONFORM_LIVE_RATE_CASHFREE": "0"}
        for var in get_contract("razorpay").auth.credentials.values():
            env.pop(var, None)
        run = DryRun(tmp_path, env)
        workflow = _load("live-nightly.yml")
        for provider in ("cashfree", "razorpay"):
            run.job(workflow["jobs"]["provider"], {"matrix.provider": provider}, tmp_path / f"job-{provider}")
    statuses = {p: (tmp_path / f"job-{p}" / "reports" / p / "exit-status").read_text().strip()
                for p in ("cashfree", "razorpay")}
    assert statuses == {"cashfree": "0", "razorpay": "6"}
    run.job(workflow["jobs"]["merge"], {}, tmp_path / "job-merge")
    merged = tmp_path / "job-merge" / "merged"
    doc = yaml.safe_load((merged / "conformance.json").read_text())
    # A rule with no case for a provider writes no row: no provider column without a name.
    assert set(doc["summary"]["matrix"]) == {"cashfree", "razorpay"}
    assert set(doc["summary"]["matrix"]["razorpay"].values()) == {"SKIPPED"}
    assert "cancel.repeat" in (merged / "history.html").read_text()


@pytest.mark.parametrize("name", [w.name for w in WORKFLOWS])
def test_every_shell_step_is_valid_bash(name: str) -> None:
    """bash -n accepts every run: block (with expressions filled in)."""
    workflow = _load(name)
    run = DryRun(Path("."), {})
    for job in workflow["jobs"].values():
        matrix = {f"matrix.{k}": str(v[0]) for k, v in (job.get("strategy", {}).get("matrix") or {}).items()
                  if isinstance(v, list)}
        for step in job["steps"]:
            if "run" in step:
                script = run.expand(step["run"], matrix)
                assert subprocess.run(["bash", "-n", "-c", script]).returncode == 0, step.get("name")
