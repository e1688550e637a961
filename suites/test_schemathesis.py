"""schemathesis on every exported contract document, with payconform's rules as checks.

Each provider's ``payconform openapi`` document runs through schemathesis (every operation,
then the stateful phase along the document's links) against a loopback-served simulator,
with schemathesis's built-in checks plus payconform's (:mod:`payconform.properties.checks`). A vendor's
own OpenAPI in ``contracts/openapi/<provider>*.json`` runs too, and the report lists, as a
finding, which payconform rules that document cannot express.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import BaseModel

from payconform.model.contract import Contract, load_vendor_document, vendor_documents
from payconform.model.outcomes import Verdict
from payconform.model.parts import HTTP_METHODS, Operation
from payconform.model.registry import get_contract
from payconform.plugin import STATE, RunState, claim
from payconform.properties.checks import inexpressible_rules, run_schemathesis
from payconform.properties.openapi import export
from payconform.properties.profiles import machine_settings, session_seed
from payconform.rules.client import Credentials, ProviderClient
from payconform.rules.engine import CaseResult
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread


def _vendor_documents(provider: str) -> list[str]:
    return vendor_documents(get_contract(provider))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    providers = metafunc.config.stash[STATE].providers
    if "vendor_document" in metafunc.fixturenames:
        params = [pytest.param(p, d, id=f"{p}:{d}") for p in providers for d in _vendor_documents(p)]
        metafunc.parametrize(("provider", "vendor_document"), params)
    elif "provider" in metafunc.fixturenames:
        metafunc.parametrize("provider", providers)


def _run(state: RunState, provider: str, document: dict, rule_id: str,  # type: ignore[type-arg]
         request: pytest.FixtureRequest, suffix: str = "", *, judge_status_codes: bool = True,
         stateful: bool = True) -> tuple[CaseResult, list[str]]:
    seed = session_seed(request.config.getoption("hypothesis_seed", None))
    claim(request.node, provider, rule_id, f"seed-{seed}")
    if state.options.lane != "simulator":
        pytest.skip("schemathesis runs against payconform's served simulator (simulator lane)")
    contract = get_contract(provider)
    base = machine_settings(state.profile)
    # Each schemathesis example is a request or a short chain: a third of the budget suffices.
    settings = type(base)(base, max_examples=max(3, base.max_examples // 3))
    simulator = Simulator(contract)
    with serve_in_thread(simulator) as server:
        client = ProviderClient(contract, httpx.Client(base_url=server.base_url + "/"),
                                Credentials(dict(contract.auth.simulator_credentials)))
        run = run_schemathesis(document, server.base_url + suffix, {}, settings=settings, seed=seed,
                               token=lambda: client._auth_headers("valid"),
                               fresh_state=simulator.forget_links,
                               judge_status_codes=judge_status_codes, stateful=stateful,
                               simulator=simulator)
        client.http.close()
    failures = list(run.failures.values())
    verdict = run.verdict
    message = {Verdict.FAIL: "\n\n".join(failures),
               Verdict.ERROR: "\n".join(run.errors),
               Verdict.INCONCLUSIVE: "\n".join(run.inconclusive)}.get(verdict, "")
    result = CaseResult(
        provider=provider, rule_id=rule_id, case_id=f"seed-{seed}",
        title="schemathesis (built-in checks + payconform checks, stateful phase)",
        verdict=verdict, evidence="documented",
        citation="payconform openapi " + provider, message=message[:8000],
        observations=[f"{run.cases} schemathesis cases in {run.duration_s:.1f}s", *run.notes],
        duration_ms=run.duration_s * 1000, origin="simulator (loopback)", requests=run.cases,
        traceback="\n".join(run.errors.values())[:8000])
    state.results.append(result)
    if verdict is Verdict.ERROR:
        pytest.fail(f"{provider} {rule_id}: ERROR\n{result.message}\n{result.traceback}",
                    pytrace=False)
    if verdict is Verdict.INCONCLUSIVE:
        pytest.skip(f"INCONCLUSIVE {provider} {rule_id}: {result.message}")
    return result, failures


@pytest.mark.rule("schemathesis.exported-openapi")
def test_schemathesis_finds_no_failure_on_the_exported_document(
    provider: str, request: pytest.FixtureRequest
) -> None:
    """The contract's own OpenAPI, fuzzed and walked along its links, finds nothing to report."""
    state = request.config.stash[STATE]
    result, failures = _run(state, provider, export(get_contract(provider)),
                            "schemathesis.exported-openapi", request)
    if result.verdict is Verdict.FAIL:
        pytest.fail(f"{provider}: schemathesis found {len(failures)} failure(s)\n{result.message}",
                    pytrace=False)


@pytest.mark.rule("schemathesis.vendor-openapi")
def test_the_vendor_openapi_is_run_and_its_blind_spots_are_reported(
    provider: str, vendor_document: str, request: pytest.FixtureRequest
) -> None:
    """The vendor's own OpenAPI, run against the contract's simulator, finds nothing to report.

    A request the vendor's document calls valid that the simulator refuses, or an answer that
    breaks the vendor's response schema, means the contract is stricter than (or contradicts)
    the vendor's own artefact: a FAIL. What the document cannot express is a finding.
    """
    state = request.config.stash[STATE]
    contract = get_contract(provider)
    document = load_vendor_document(vendor_document)
    # A vendor server may name more of the path than the contract's base URL (Adyen's /v71).
    served = urlsplit((document.get("servers") or [{}])[0].get("url", "")).path.rstrip("/")
    base = urlsplit(contract.base_urls["sandbox"]).path.rstrip("/")
    suffix = served[len(base):] if served.startswith(base) else ""
    blind = inexpressible_rules(document, contract)
    document = _operations_the_contract_models(document, contract, suffix, base)
    # A status the vendor document does not declare (it declares no 4xx) is one of its blind
    # spots, listed below; the contract's own rules judge those answers.
    # The stateful phase walks the document's links; a document without any has none to walk.
    has_links = any("links" in response for item in document.get("paths", {}).values()
                    for operation in item.values() if isinstance(operation, dict)
                    for response in operation.get("responses", {}).values())
    result, _ = _run(state, provider, document, "schemathesis.vendor-openapi", request, suffix,
                     judge_status_codes=False, stateful=has_links)
    result.observations.extend(f"{vendor_document} cannot express: {b}" for b in blind)
    finding = (f"{provider}, {vendor_document}: payconform rules this document cannot express:\n"
               + "\n".join(f"  - {b}" for b in blind))
    state.extra.setdefault("findings", []).append(finding)  # type: ignore[union-attr]
    request.node.user_properties.append(("finding", finding))
    print(finding)
    assert blind, "a vendor OpenAPI should leave at least the state rules to payconform"
    if result.verdict is Verdict.FAIL:
        pytest.fail(f"{provider}: the vendor's {vendor_document} disagrees with the contract's "
                    f"simulator\n{result.message}", pytrace=False)


def _contract_operations(value: Any) -> list[Operation]:
    """Every :class:`Operation` a contract declares, found by walking its fields."""
    if isinstance(value, Operation):
        return [value]
    if isinstance(value, BaseModel):
        return [op for name in type(value).model_fields for op in _contract_operations(getattr(value, name))]
    if isinstance(value, dict):
        return [op for item in value.values() for op in _contract_operations(item)]
    if isinstance(value, (list, tuple)):
        return [op for item in value for op in _contract_operations(item)]
    return []


def _operations_the_contract_models(document: dict, contract: Contract,  # type: ignore[type-arg]
                                    suffix: str, base: str) -> dict:  # type: ignore[type-arg]
    """The vendor document without the operations the contract does not model (a vendor's
    delete-draft or list call): the simulator answers those 405, which says nothing about the
    contract's facts."""
    patterns = {(op.method, re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(op.path)) + "$"))
                for op in _contract_operations(contract)}
    paths: dict[str, Any] = {}
    for path, item in document.get("paths", {}).items():
        concrete = suffix + re.sub(r"\{[^}]*\}", "x", path)
        # A vendor path may also carry the contract's base path (Stripe's /v1).
        forms = [concrete, concrete[len(base):]] if base and concrete.startswith(base + "/") else [concrete]
        kept = {key: value for key, value in item.items()
                if key.upper() not in HTTP_METHODS or any(
                    method == key.upper() and pattern.match(form)
                    for method, pattern in patterns for form in forms)}
        if any(key.upper() in HTTP_METHODS for key in kept):
            paths[path] = kept
    # Nothing matched: a path convention this filter does not know; judge the whole document.
    return {**document, "paths": paths} if paths else document
