"""--adapter: a team's adapter is driven against the served simulator and judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "adapters"


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> pytest.RunResult:
    monkeypatch.setenv("PYTHONPATH", str(EXAMPLES))
    return pytester.runpytest_subprocess("--pyargs", "payconform.suites", "-p", "no:cacheprovider",
                                         "--provider", "cashfree", "-k", "adapter",
                                         "--report-dir", str(pytester.path / "r"), *args)


def test_a_correct_adapter_passes_every_mapping(pytester: pytest.Pytester,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the example adapter, every cancel scenario maps to the documented outcome."""
    result = _run(pytester, monkeypatch, "--adapter", "cashfree_adapter:factory")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=7)
    doc = json.loads((pytester.path / "r" / "latest" / "conformance.json").read_text())
    assert doc["summary"]["matrix"]["cashfree"] == {"adapter.outcome-mapping": "PASS"}
    assert doc["run"]["adapter"] == "cashfree_adapter:factory"


def test_a_mapping_bug_fails_the_exact_scenarios(pytester: pytest.Pytester,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Given an adapter that reads link_not_active as ALREADY_CANCELLED, refusals fail or warn.

    PAID and EXPIRED refusals are documented (FAIL); PARTIALLY_PAID is inferred (WARN).
    """
    result = _run(pytester, monkeypatch, "--adapter", "cashfree_adapter:buggy_factory")
    assert result.ret == 1
    result.assert_outcomes(passed=5, failed=2, warnings=1)
    result.stdout.fnmatch_lines(["*cancel:PAID*", "*Expected: NOT_CANCELLABLE*",
                                 "*Received: ALREADY_CANCELLED*"])


def test_without_adapter_the_adapter_test_is_deselected(pytester: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Given no --adapter, nothing is skipped: the adapter test is simply not selected."""
    result = _run(pytester, monkeypatch)
    assert result.ret == 5  # -k adapter selects nothing else
    result.stdout.fnmatch_lines(["*deselected*"])


def test_a_bad_adapter_spec_is_a_usage_error(pytester: pytest.Pytester,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Given --adapter nosuchmodule:f, pytest stops with exit 4 and says why."""
    result = _run(pytester, monkeypatch, "--adapter", "nosuchmodule:f")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--adapter: cannot import 'nosuchmodule'*"])
