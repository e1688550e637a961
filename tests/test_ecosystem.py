"""payconform among the common pytest plugins: pytest-recording, pytest-base-url, pytest-xdist
and hypothesis's own options (all installed by the dev extra, so every pytest session here
loads them)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SUITES = ("payconform.suites.test_cancel", "payconform.suites.test_auth_and_headers",
          "payconform.suites.test_schemas")


def _run(pytester: pytest.Pytester, *args: str, suites: tuple[str, ...] = SUITES) -> pytest.RunResult:
    return pytester.runpytest_subprocess("--pyargs", *suites, "-p", "no:cacheprovider", *args)


def _doc(report_dir: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((report_dir / "latest" / "conformance.json").read_text())


def test_the_suites_run_with_pytest_recording_base_url_and_xdist_loaded(pytester: pytest.Pytester) -> None:
    """Given the three plugins installed, pytest starts (no option clash), --base-url and
    --record-mode are theirs and still reach payconform, and --hypothesis-profile picks the
    profile even against PAYCONFORM_HYPOTHESIS_PROFILE."""
    pytester._monkeypatch.setenv("PAYCONFORM_HYPOTHESIS_PROFILE", "dev")
    result = _run(pytester, "--provider", "cashfree", "--report-dir", "out", "--hypothesis-profile", "ci",
                  "--base-url", "http://127.0.0.1:9/pg", "--record-mode", "none", "--co")
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["*payconform: lane=simulator*hypothesis-profile=ci seed=*",
                                 "plugins:*", "collected * items"])
    assert all(p in result.stdout.str() for p in ("xdist", "recording", "base-url", "hypothesis"))
    help_text = _run(pytester, "--help").stdout.str()
    for flag in ("--base-url", "--record-mode", "--block-network", "-n", "--hypothesis-profile",
                 "--lane", "--report-dir"):
        assert f" {flag}" in help_text, flag


def test_base_url_of_pytest_base_url_points_the_live_lane(pytester: pytest.Pytester) -> None:
    """pytest-base-url's --base-url is the live lane's base URL: a production host given there
    is refused by the production guard before any request (exit 4, one sentence)."""
    result = _run(pytester, "--provider", "cashfree", "--lane", "live",
                  "--base-url", "https://api.cashfree.com/pg")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*refusing api.cashfree.com, a production host of cashfree*"])
    assert "Traceback" not in result.stderr.str()


def test_xdist_writes_one_merged_report_with_every_case_once_and_one_seed(pytester: pytest.Pytester) -> None:
    """Given -n 2, the controller writes one report holding every case of the run exactly once
    (as many as a single process), one matrix and the one seed every worker used."""
    single = _run(pytester, "--provider", "cashfree", "--report-dir", "one", "-p", "no:xdist",
                  "--hypothesis-seed", "12345")
    assert single.ret == 0
    result = _run(pytester, "--provider", "cashfree", "--report-dir", "many", "-n", "2",
                  "--hypothesis-seed", "12345")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*payconform conformance matrix*", "cancel.repeat*PASS*"])
    one, many = _doc(pytester.path / "one"), _doc(pytester.path / "many")
    keys = sorted((r["provider"], r["rule_id"], r["case_id"]) for r in many["results"])
    assert len(keys) == len(set(keys)) == len(one["results"])
    assert keys == sorted((r["provider"], r["rule_id"], r["case_id"]) for r in one["results"])
    assert many["summary"]["matrix"] == one["summary"]["matrix"]
    assert many["run"]["seed"] == "12345"
    assert [p.name for p in (pytester.path / "many").iterdir() if not p.name.startswith(".")].__len__() == 2


def test_xdist_property_suite_uses_one_seed_drawn_by_the_controller(pytester: pytest.Pytester) -> None:
    """Without --hypothesis-seed, each worker runs the controller's seed (the report's)."""
    pytester._monkeypatch.setenv("PAYCONFORM_HYPOTHESIS_PROFILE", "ci")
    result = _run(pytester, "--provider", "cashfree", "--report-dir", "out", "-n", "2",
                  "-k", "state_machine or ids", suites=("payconform.suites.test_properties",))
    assert result.ret == 0, result.stdout.str()[-2000:]
    doc = _doc(pytester.path / "out")
    assert len(doc["results"]) >= 2
    assert {r["case_id"] for r in doc["results"]} == {f"seed-{doc['run']['seed']}"}


def test_xdist_live_run_without_credentials_exits_6(pytester: pytest.Pytester) -> None:
    """Given -n 2 and no credentials, nothing is checked: exit 6 and the reasons are printed."""
    for var in ("CASHFREE_CLIENT_ID", "CASHFREE_CLIENT_SECRET"):
        pytester._monkeypatch.delenv(var, raising=False)
    result = _run(pytester, "--provider", "cashfree", "--lane", "live", "--report-dir", "out",
                  "-n", "2", suites=("payconform.suites.test_cancel",))
    assert result.ret == 6
    result.stdout.fnmatch_lines(["*nothing was checked*exit status 6*",
                                 "*x no credentials for cashfree: set CASHFREE_CLIENT_ID*"])
    assert _doc(pytester.path / "out")["run"]["nothing_checked"] is True


ROOT = Path(__file__).resolve().parents[1]


def _own_contract(folder: Path) -> None:
    """A contract of one's own, ``acme``: the Cashfree contract under another name, whose
    JSON Schemas (renamed acme-*) live only in ``schemas/`` beside its module."""
    source = (ROOT / "contracts" / "cashfree.py").read_text()
    source = source.replace('build(\n    "cashfree"', 'build(\n    "acme"')
    source = source.replace('schema_file="cashfree-', 'schema_file="acme-')
    assert '"acme"' in source and 'schema_file="acme-' in source
    (folder / "acme_contract.py").write_text(source)
    (folder / "schemas").mkdir()
    for schema in (ROOT / "contracts" / "schemas").glob("cashfree-*.json"):
        (folder / "schemas" / schema.name.replace("cashfree-", "acme-")).write_text(schema.read_text())


def test_a_contract_of_ones_own_finds_its_schemas_beside_its_module(pytester: pytest.Pytester) -> None:
    """Given PAYCONFORM_CONTRACTS=acme_contract with schemas/ beside it, the schema rules run
    against those schemas and pass."""
    _own_contract(pytester.path)
    pytester._monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    pytester._monkeypatch.setenv("PAYCONFORM_CONTRACTS", "acme_contract")
    result = _run(pytester, "--provider", "acme", "--report-dir", "out", "-p", "no:xdist",
                  suites=("payconform.suites.test_schemas",))
    assert result.ret == 0, result.stdout.str()[-3000:]
    doc = _doc(pytester.path / "out")
    assert {r["verdict"] for r in doc["results"]} == {"PASS"} and len(doc["results"]) >= 5


@pytest.mark.parametrize(("module", "expected"), [
    ("json", "*PAYCONFORM_CONTRACTS names 'json', which defines no CONTRACT: add CONTRACT = build(...)*"),
    ("broken_contract", "*PAYCONFORM_CONTRACTS names 'broken_contract', which failed while importing: "
                        "SyntaxError: *"),
])
def test_a_named_module_that_is_no_contract_is_a_one_line_usage_error(
    pytester: pytest.Pytester, module: str, expected: str,
) -> None:
    """A module without CONTRACT, or one that does not import, stops pytest and the CLI with
    exit 4 and one sentence, never a traceback."""
    (pytester.path / "broken_contract.py").write_text("CONTRACT = (\n")
    pytester._monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    pytester._monkeypatch.setenv("PAYCONFORM_CONTRACTS", module)
    result = _run(pytester, "--provider", "cashfree", suites=("payconform.suites.test_cancel",))
    assert result.ret == 4
    result.stderr.fnmatch_lines([expected])
    cli = pytester.run(sys.executable, "-m", "payconform", "providers")
    assert cli.ret == 4
    cli.stderr.fnmatch_lines([expected])
    for output in (result.stderr.str(), cli.stderr.str()):
        assert "Traceback" not in output


def test_replay_without_cassettes_checks_nothing_and_exits_6(pytester: pytest.Pytester) -> None:
    """Given an empty cassette folder (a pip-installed payconform run outside a checkout once
    was), every case is SKIPPED with the command that records it, and the run exits 6."""
    pytester._monkeypatch.setenv("PAYCONFORM_CASSETTE_DIR", str(pytester.path / "none"))
    result = _run(pytester, "--provider", "cashfree", "--lane", "replay", "--report-dir", "out",
                  "-p", "no:xdist", suites=("payconform.suites.test_cancel",))
    assert result.ret == 6
    result.stdout.fnmatch_lines(["*nothing was checked*exit status 6*"])


def test_an_unwritable_report_dir_is_refused_before_the_run(pytester: pytest.Pytester) -> None:
    """--report-dir naming a file stops pytest at start with exit 4 and one sentence."""
    (pytester.path / "taken").write_text("a file")
    result = _run(pytester, "--provider", "cashfree", "--report-dir", "taken/reports",
                  suites=("payconform.suites.test_cancel",))
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--report-dir taken/reports: taken is a file, not a folder*"])
    assert "passed" not in result.stdout.str() and "Traceback" not in result.stderr.str()
