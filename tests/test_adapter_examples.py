"""The example adapters: the ones on official SDKs pass; each buggy one fails with exactly its bug.

Every adapter runs through the whole scenario plan against the served simulator in process
(``AdapterHarness``), and every adapter rule judges the recording, as ``--adapter`` does.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from payconform.adapters.harness import AdapterHarness
from payconform.adapters.judge import ADAPTER_RULES, adapter_cases
from payconform.adapters.protocol import load_factory
from payconform.model.registry import get_contract
from payconform.rules.engine import CaseResult

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "adapters"


def _sdk_globals() -> dict[str, Any]:
    """The SDK module attributes an adapter must point elsewhere only for its own calls."""
    found: dict[str, Any] = {}
    for module, attr in (("cashfree_pg.api_client", "Configuration"), ("commet._http", "_BASE_URL")):
        with contextlib.suppress(ImportError):
            found[f"{module}.{attr}"] = getattr(importlib.import_module(module), attr)
    return found


@pytest.fixture(autouse=True)
def _examples_importable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Examples import from examples/adapters, and leave the SDKs as they found them."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    before = _sdk_globals()
    yield
    for name in [m for m in sys.modules if m.endswith("_adapter")]:
        del sys.modules[name]
    assert _sdk_globals() == before


def judge(provider: str, spec: str) -> list[CaseResult]:
    """Every adapter rule on every scenario for one example adapter."""
    contract = get_contract(provider)
    harness = AdapterHarness(contract, load_factory(spec), spec)
    try:
        return [harness.run(case) for rule_id in ADAPTER_RULES
                for case in adapter_cases(contract, rule_id)]
    finally:
        harness.stop()


def findings(results: list[CaseResult]) -> set[tuple[str, str, str]]:
    """(rule, scenario, verdict) of every FAIL and WARN."""
    return {(r.rule_id, r.case_id, r.verdict.value) for r in results
            if r.verdict.value in ("FAIL", "WARN")}


@pytest.mark.parametrize(("provider", "spec", "sdk"), [
    ("cashfree", "cashfree_adapter:factory", None),
    ("cashfree", "cashfree_async_adapter:factory", None),
    ("cashfree", "cashfree_sdk_adapter:factory", "cashfree_pg"),
    ("razorpay", "razorpay_sdk_adapter:factory", "razorpay"),
    ("commet", "commet_sdk_adapter:factory", "commet"),
    ("stripe-checkout", "stripe_sdk_adapter:factory", "stripe"),
])
def test_a_correct_adapter_passes_every_rule(provider: str, spec: str, sdk: str | None) -> None:
    """Given a correct adapter (httpx sync or async, or an official SDK), nothing FAILs or WARNs,
    the faults included: it retries only what cannot apply twice, or reports PROVIDER_ERROR."""
    if sdk is not None:
        pytest.importorskip(sdk, reason="install payconform[sdk] for the SDK examples")
    results = judge(provider, spec)
    assert findings(results) == set(), [r.message for r in results if r.verdict.value == "FAIL"]
    assert {r.rule_id for r in results} >= {"adapter.outcome-mapping", "adapter.request.endpoint",
                                            "adapter.request.retry-after"}


def test_wrong_mapping_fails_the_refusals_it_misreads() -> None:
    """Given link_not_active read as ALREADY_CANCELLED: every refusal it misreads FAILs
    (the refusal of PAID, EXPIRED and PARTIALLY_PAID is documented);
    each failed check names the contract fact it stands on."""
    results = judge("cashfree", "cashfree_adapter:buggy_factory")
    paid = next(r for r in results if (r.rule_id, r.case_id) == ("adapter.outcome-mapping",
                                                                 "cancel:PAID"))
    assert [c.fact for c in paid.checks if not c.passed] == ["cancel:PAID/outcome"]
    assert findings(results) == {
        ("adapter.outcome-mapping", "cancel:PAID", "FAIL"),
        ("adapter.outcome-mapping", "cancel:EXPIRED", "FAIL"),
        ("adapter.outcome-mapping", "cancel:PARTIALLY_PAID", "FAIL"),
    }


def test_a_missing_header_fails_headers_everywhere_and_the_outcomes_it_broke() -> None:
    """Given a cancel without x-api-version: adapter.request.headers FAILs in every scenario; the
    outcome findings are the refusals that missing header caused, and say so."""
    results = judge("cashfree", "cashfree_adapter:missing_header_factory")
    found = findings(results)
    assert {r for r, _, _ in found} == {"adapter.request.headers", "adapter.outcome-mapping"}
    headers = [r for r in results if r.rule_id == "adapter.request.headers"]
    assert {r.verdict.value for r in headers} == {"FAIL"}
    assert "Expected: x-api-version on every API request" in headers[0].message
    assert "Received: missing on POST /pg/links/" in headers[0].message
    outcomes = {r.case_id: r.message for r in results if r.rule_id == "adapter.outcome-mapping"
                and r.verdict.value != "PASS"}
    assert "invalid-credentials" not in outcomes  # the 401 comes first and still maps right
    # Where a success was due, the finding points at the request rules.
    assert "the simulator refused POST /pg/links/" in outcomes["cancel:ACTIVE"]
    assert "see the adapter.request rules" in outcomes["fault:503"]


def test_retrying_a_terminal_refusal_fails_no_second_cancel() -> None:
    """Given a refused cancel sent once more: terminal statuses FAIL no-second-cancel (PAID,
    EXPIRED, the repeat), the documented PARTIALLY_PAID refusal FAILs final-refusal."""
    results = judge("cashfree", "cashfree_adapter:retries_refusal_factory")
    assert findings(results) == {
        ("adapter.request.no-second-cancel", "cancel:PAID", "FAIL"),
        ("adapter.request.no-second-cancel", "cancel:EXPIRED", "FAIL"),
        ("adapter.request.no-second-cancel", "cancel:CANCELLED", "FAIL"),
        ("adapter.request.final-refusal", "cancel:PARTIALLY_PAID", "FAIL"),
    }
    paid = next(r for r in results if r.case_id == "cancel:PAID"
                and r.rule_id == "adapter.request.no-second-cancel")
    assert "Received: POST /pg/links/" in paid.message
    assert "HTTP 400, then sent again 1 time(s)" in paid.message


def test_cancelled_on_a_503_fails_the_fault_scenario() -> None:
    """Given a 503 reported as CANCELLED: fault:503 FAILs, the link being ACTIVE afterwards."""
    results = judge("cashfree", "cashfree_adapter:cancelled_on_503_factory")
    assert findings(results) == {("adapter.outcome-mapping", "fault:503", "FAIL")}
    failed = next(r for r in results if r.verdict.value == "FAIL")
    assert "Expected: PROVIDER_ERROR or RATE_LIMITED (the link is ACTIVE in the simulator" in \
        failed.message
    assert "Received: CANCELLED" in failed.message


def test_the_razorpay_sdk_with_its_retries_on_repeats_a_cancel_whose_answer_was_lost() -> None:
    """Given razorpay.Client.enable_retry(True): after a lost answer the SDK sends the cancel
    again; Razorpay refuses a repeated cancel, so the adapter reports a refusal for a link it
    cancelled. retry-safety FAILs on the timeout and the reset, the outcome on the timeout."""
    pytest.importorskip("razorpay", reason="install payconform[sdk] for the SDK examples")
    assert findings(judge("razorpay", "razorpay_sdk_adapter:retrying_factory")) == {
        ("adapter.request.retry-safety", "fault:timeout", "FAIL"),
        ("adapter.request.retry-safety", "fault:reset", "FAIL"),
        ("adapter.outcome-mapping", "fault:timeout", "FAIL"),
    }
