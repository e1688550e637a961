"""Scrubbing: no credential or customer PII reaches a cassette, a report or the terminal."""

from __future__ import annotations

import base64
import itertools
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payconform.cassettes.lanes import record_simulator, replay_session
from payconform.cassettes.lint import lint_paths
from payconform.model.contract import Contract
from payconform.model.registry import all_contracts, get_contract
from payconform.reporting.report import RunReport, render_markdown, write_report
from payconform.simulator.state import Mutation, SimResponse

#: Rules whose cassettes carry every auth form: valid and invalid credentials, token flows.
RULES = ["auth.invalid", "cancel.repeat"]
#: Random credentials. The fixed head keeps a draw from being a word the recordings hold
#: anyway (``expired_``, ``payments``): a leak is the credential, never a field name.
SECRET = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                 min_size=8, max_size=36).map(lambda tail: "Zq7" + tail)


def _forms(values: list[str]) -> set[str]:
    forms = set(values)
    for value in values:
        forms.add(base64.b64encode(value.encode()).decode())
    for a, b in itertools.permutations(values, 2):
        forms.add(base64.b64encode(f"{a}:{b}".encode()).decode())
    return forms


def _leaks(text: str, forms: set[str]) -> list[str]:
    return [form for form in forms if form in text]


@pytest.mark.parametrize("provider", sorted(all_contracts()))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_credential_value_leaks_into_cassettes_reports_or_output(
    provider: str, data: st.DataObject, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given random credentials, nothing written or printed holds them, in any encoding."""
    contract = get_contract(provider)
    names = sorted(contract.auth.credentials)
    credentials = {name: data.draw(SECRET, label=name) for name in names}
    forms = _forms(list(credentials.values()))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cassettes"
        results = record_simulator(contract, root, credentials=credentials, rule_ids=RULES)
        results += replay_session(contract, root).run_all(RULES)
        report = RunReport(run_id="scrub", lane="record", providers=[provider], results=results)
        write_report(report, Path(tmp) / "reports")
        for result in results:
            print(result.verdict, result.message, *result.observations)
        print(render_markdown(report.to_json()))
        captured = capsys.readouterr()
        files = [p for p in Path(tmp).rglob("*") if p.is_file()]
        assert any(p.suffix == ".yaml" for p in files)
        for path in files:
            text = path.read_text("utf-8")
            assert not _leaks(text, forms), f"credential leaked into {path}"
            if path.suffix == ".yaml":
                assert not _leaks(repr(yaml.safe_load(text)), forms), f"leak in parsed {path}"
        assert not _leaks(captured.out + captured.err, forms)


def test_customer_pii_is_replaced_by_stable_schema_valid_placeholders(tmp_path: Path) -> None:
    """Given recordings of every provider, PII fields hold placeholders and bodies stay valid."""
    for provider, contract in all_contracts().items():
        record_simulator(contract, tmp_path, rule_ids=["schema.success"])
        text = "\n".join(p.read_text() for p in (tmp_path / provider).glob("*.yaml"))
        assert "Payconform Test" not in text and "test@example.com" not in text
        if contract.scrub_body_fields:
            assert "customer@example.com" in text or "Payconform Customer" in text, provider
    assert not [f for f in lint_paths([tmp_path]) if f.code in ("schema", "secret")]


TOKEN = "Tok3n-Issued-By-The-Vendor-0123456789abcdef"


class _EchoesTheToken(Mutation):
    """A vendor that echoes the bearer token in its answers (headers and bodies)."""

    name = "echoes-the-token"

    def respond(self, contract: Contract, operation: str, pre_status: str | None,
                response: SimResponse) -> SimResponse:
        if isinstance(response.body, dict):
            response.body = {**response.body, "debug": f"served for Bearer {TOKEN}",
                             "masked": TOKEN[:10] + "****", "link": f"https://x.test/?t={quote(TOKEN)}"}
        response.headers["X-Debug-Session"] = TOKEN
        return response


@pytest.mark.parametrize("provider", [c.provider for c in all_contracts().values()
                                      if c.auth.scheme == "bearer_token"])
def test_an_issued_bearer_token_echoed_anywhere_reaches_no_cassette_or_report(
    provider: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Given a vendor that echoes the token it issued (plain, masked, percent-encoded) in
    bodies and odd headers, the token is scrubbed by value from cassettes, reports and output."""
    import payconform.simulator.core

    monkeypatch.setattr(payconform.simulator.core.secrets, "token_urlsafe", lambda n=None: TOKEN)
    contract = get_contract(provider)
    root = tmp_path / "cassettes"
    results = record_simulator(contract, root, rule_ids=RULES, mutation=_EchoesTheToken())
    report = RunReport(run_id="scrub", lane="record", providers=[provider], results=results)
    write_report(report, tmp_path / "reports")
    for result in results:
        print(result.verdict, result.message, *result.observations)
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and TOKEN[:10] in p.read_text("utf-8")]
    assert leaked == []
    assert TOKEN[:10] not in capsys.readouterr().out
    assert [f for f in lint_paths([root]) if f.code == "secret"] == []
