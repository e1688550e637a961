"""``payconform openapi``: every contract exports a valid, tight OpenAPI 3.1 document that
schemathesis's CLI runs against ``payconform serve`` without finding a failure."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from payconform.model.registry import all_contracts, get_contract
from payconform.properties.openapi import ACTIVATION_ID, OPERATION_IDS, export, validate
from payconform.rules.client import Credentials, ProviderClient

CONTRACTS = all_contracts()
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("provider", list(CONTRACTS))
def test_the_exported_document_validates_and_is_tight(provider: str) -> None:
    """Given a contract, its OpenAPI validates and pins statuses, headers, auth and links."""
    contract = CONTRACTS[provider]
    document = export(contract)
    validate(document)
    assert document["info"]["x-payconform-provider"] == provider
    ops = {op["operationId"]: op for item in document["paths"].values() for op in item.values()}
    activation = {ACTIVATION_ID} if contract.activation else set()
    assert set(ops) == set(OPERATION_IDS.values()) | activation
    cancel_ok = ops["cancelLink"]["responses"][str(contract.cancel_success_status)]
    if contract.cancel_response is not None:  # the answer is not the link: its own schema
        assert cancel_ok["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/CancelResult"}
    elif contract.cancel_no_body:
        assert "content" not in cancel_ok  # a 204: no body to pin
    elif contract.status_keys:
        pinned = cancel_ok["content"][contract.content_type]["schema"]["allOf"][1]
        for part in [p for p in contract.entity.path.split(".") if p]:
            pinned = pinned["properties"][part]
        field = contract.entity.status_field
        shown = ({field: contract.cancelled_status} if field
                 else contract.status(contract.cancelled_status).fields)
        assert {k: pinned["properties"][k] for k in shown} == {k: {"const": v} for k, v in shown.items()}
    assert set(cancel_ok["links"]) == {"fetch"}
    assert set(ops["createLink"]["responses"][str(contract.create.success_status)]["links"]) == {
        "fetch", "cancel"} | ({"activate"} if contract.activation else set())
    refusals = {int(s) for s in ops["cancelLink"]["responses"] if int(s) >= 400}
    for expectation in (contract.auth.invalid, *contract.cancel_outcomes.values()):
        if not expectation.is_success:
            assert (expectation.played.http_status or 400) in refusals
    headers = {p["name"]: p for p in ops["cancelLink"]["parameters"] if p["in"] == "header"}
    for header in contract.required_headers:
        assert headers[header.name]["required"] is True
    assert document["security"] and document["components"]["securitySchemes"]


def _auth_args(provider: str, base_url: str) -> list[str]:
    contract = get_contract(provider)
    creds = contract.auth.simulator_credentials
    client = ProviderClient(contract, httpx.Client(base_url=base_url + "/"), Credentials(dict(creds)))
    headers = client._auth_headers("valid")
    client.http.close()
    if contract.auth.scheme == "basic":
        user, _, password = base64.b64decode(headers["Authorization"][6:]).decode().partition(":")
        return ["--auth", f"{user}:{password}"]
    return [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    """``payconform serve PROVIDER --port 0`` in a subprocess; yields its base URL."""
    process = subprocess.Popen([str(BIN / "payconform"), "serve", request.param, "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("served", list(CONTRACTS), indirect=True)
def test_schemathesis_cli_finds_no_failure_against_payconform_serve(
    served: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Given the served simulator, `schemathesis run` on the exported document passes."""
    provider = request.node.callspec.params["served"]
    document = tmp_path / f"{provider}.json"
    exported = subprocess.run([str(BIN / "payconform"), "openapi", provider], check=True,
                              capture_output=True, text=True)
    document.write_text(exported.stdout)
    assert json.loads(exported.stdout)["openapi"] == "3.1.0"
    result = subprocess.run(
        [str(BIN / "schemathesis"), "run", str(document), "--url", served, "-n", "3", "--seed", "1",
         "--mode", "positive", "--exclude-checks", "positive_data_acceptance,ignored_auth",
         "--no-color", *_auth_args(provider, served)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Stateful" in result.stdout
