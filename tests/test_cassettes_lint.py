"""``payconform cassettes lint``: planted secrets, bad bodies and bad provenance are found."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from payconform.cli.main import main

ROOT = Path(__file__).resolve().parents[1] / "cassettes"
SCENARIO = "cancel.repeat--second-cancel.yaml"


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    """A private copy of one shipped Cashfree cassette."""
    target = tmp_path / "cashfree" / SCENARIO
    target.parent.mkdir()
    shutil.copy(ROOT / "cashfree" / SCENARIO, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def _lint(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str]]:
    code = main(["cassettes", "lint", *map(str, paths)])
    return code, capsys.readouterr().out.splitlines()


def test_the_shipped_cassettes_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """Given the committed cassettes, lint exits 0 (documented deviations are accepted notes)."""
    code, lines = _lint(capsys, ROOT)
    assert code == 0, "\n".join(lines)
    assert all("(accepted)" in line for line in lines)


@pytest.mark.parametrize(("plant", "location", "words"), [
    (lambda d: d["interactions"][0]["request"]["headers"].update(
        {"x-client-secret": ["cfsk_ma_test_0a1b2c3d4e5f6a7b8c9d"]}),
     "interactions[1].request.headers.x-client-secret", "Cashfree secret key"),
    (lambda d: d["interactions"][1]["request"]["headers"].update(
        {"Authorization": ["Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlMTIz"]}),
     "interactions[2].request.headers.Authorization", "Bearer token"),
    (lambda d: d["interactions"][1]["request"]["headers"].update(
        {"Authorization": ["Basic cnpwX3Rlc3RfYWJjZGVmZ2g6c2VjcmV0"]}),
     "interactions[2].request.headers.Authorization", "Basic credentials"),
    (lambda d: d["interactions"][0]["response"].update(
        {"body": {"string": '{"access_token": "k3J9xQ2mZ7pL0vB4"}'}}),
     "interactions[1].response.body.access_token", "unredacted value"),
    (lambda d: d["interactions"][0].__setitem__("request", {
        **d["interactions"][0]["request"], "uri": "https://x.test/pg/links?key=rzp_live_AbCdEfGh1234"}),
     "interactions[1].request.uri", "Razorpay key"),
])
def test_a_planted_secret_is_found_with_file_and_location(
    cassette: Path, capsys: pytest.CaptureFixture[str], plant, location: str, words: str  # type: ignore[no-untyped-def]
) -> None:
    """Given a secret planted in a cassette, lint exits 1 with one line naming file and place."""
    _edit(cassette, plant)
    code, lines = _lint(capsys, cassette.parent)
    assert code == 1
    hits = [line for line in lines if line.startswith(f"{cassette}:{location}: secret: ")]
    assert hits and any(words in line for line in hits), lines


def test_bad_bodies_provenance_and_age_are_each_one_finding(
    cassette: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Given a broken error body, a stale date and a misfiled cassette, each gets its own line."""
    old = (datetime.now(UTC) - timedelta(days=200)).isoformat(timespec="seconds")

    def damage(data: dict) -> None:  # type: ignore[type-arg]
        data["metadata"].update(origin="sandbox", recorded_at=old)
        data["interactions"][2]["response"]["body"]["string"] = '{"message": 7}'

    _edit(cassette, damage)
    misfiled = tmp_path / "razorpay" / "x.yaml"
    misfiled.parent.mkdir()
    shutil.copy(ROOT / "cashfree" / SCENARIO, misfiled)
    no_meta = tmp_path / "cashfree" / "no-meta.yaml"
    no_meta.write_text(yaml.safe_dump({"version": 1, "interactions": []}))
    corrupt = tmp_path / "cashfree" / "corrupt.yaml"
    corrupt.write_text("interactions: [")
    code, lines = _lint(capsys, tmp_path)
    assert code == 1
    text = "\n".join(lines)
    assert f"{cassette}:interactions[3].response.body: schema: cancel HTTP 400 body does not match " \
           "cashfree-error.json" in text
    assert f"{cassette}:metadata.recorded_at: stale: recorded 200 days ago" in text
    assert "--lane record --provider cashfree" in text
    assert f"{misfiled}:metadata.provider: provider: cassette of 'cashfree' filed under 'razorpay'" in text
    assert f"{no_meta}:file: metadata: has no payconform metadata" in text
    assert f"{corrupt}:file: cassette: is not valid YAML" in text


def test_the_pre_commit_hook_definition_runs_lint_on_cassettes() -> None:
    """Given .pre-commit-hooks.yaml, its hook runs ``payconform cassettes lint`` on YAML files."""
    hooks = yaml.safe_load((ROOT.parent / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "payconform-cassettes-lint")
    assert hook["entry"] == "payconform cassettes lint"
    assert hook["files"].startswith("^cassettes/")


def _plant_raw(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _header(side: str, name: str, value: str):  # type: ignore[no-untyped-def]
    return lambda d: d["interactions"][0][side]["headers"].update({name: [value]})


COMMET_KEY = "ck_sandbox_0a1b2c3d4e5f6a7b8c9d"


@pytest.mark.parametrize(("plant", "location", "words"), [
    (_header("request", "x-api-key-backup", COMMET_KEY),
     "interactions[1].request.headers.x-api-key-backup", "Commet"),
    (lambda d: d["interactions"][0]["response"].update(
        {"body": {"string": '{"key_id": "k", "key_secret": "Zx8Qw2Lm5Np7Rt9V"}'}}),
     "interactions[1].response.body.key_secret", "unredacted value"),
    (lambda d: d["interactions"][0]["request"].update(
        {"uri": d["interactions"][0]["request"]["uri"] + "?client_secret=Zx8Qw2Lm5Np7Rt9V"}),
     "interactions[1].request.uri", "query parameter 'client_secret'"),
    (_header("response", "X-Debug-Session-Token", "Zx8Qw2Lm5Np7Rt9V"),
     "interactions[1].response.headers.X-Debug-Session-Token", "unredacted value"),
    (lambda d: d["interactions"][0]["request"].update(
        {"uri": d["interactions"][0]["request"]["uri"] + "?k=rzp%5Flive%5FAbCdEfGh1234"}),
     "interactions[1].request.uri", "Razorpay key"),
    (lambda d: d["interactions"][0]["response"].update(
        {"body": {"string": '{"note": "\\u0063\\u006b_sandbox_0a1b2c3d4e5f6a7b"}'}}),
     "interactions[1].response.body", "Commet"),
    (lambda d: d["interactions"][0]["response"].update(
        {"status": {"code": 200, "message": f"OK {COMMET_KEY}"}}),
     "interactions[1].response.status.message", "Commet"),
    (lambda d: d["metadata"].update({"note": f"recorded with {COMMET_KEY}"}),
     "metadata.note", "Commet"),
])
def test_every_place_and_every_providers_keys_are_linted(
    cassette: Path, capsys: pytest.CaptureFixture[str], plant, location: str, words: str  # type: ignore[no-untyped-def]
) -> None:
    """Given a secret in an odd header, a query, a status message, the metadata, percent- or
    \\u-escaped, or a secret field of any provider, lint exits 1 naming the place."""
    _edit(cassette, plant)
    code, lines = _lint(capsys, cassette.parent)
    assert code == 1, lines
    hits = [line for line in lines if line.startswith(f"{cassette}:{location}: secret: ")]
    assert hits and any(words in line for line in hits), lines


def test_a_key_in_a_yaml_comment_is_found(cassette: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Given a key in a YAML comment (invisible once parsed), lint finds it by line."""
    _plant_raw(cassette, f"# debug: {COMMET_KEY}\n")
    code, lines = _lint(capsys, cassette.parent)
    last = len(cassette.read_text().splitlines())
    assert code == 1
    assert any(line.startswith(f"{cassette}:line {last}: secret: ") and "Commet" in line
               for line in lines), lines


def test_a_new_providers_key_pattern_is_linted_without_code_changes(
    cassette: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a contract whose keys start with 'zz_live_', a planted one is found."""
    from payconform.cassettes import lint
    from payconform.model import registry

    real = registry.all_contracts()
    cashfree = real["cashfree"]
    auth = cashfree.auth.model_copy(update={"live_key_patterns": (r"^zz_live_",)})
    fake = {**real, "zz": cashfree.model_copy(update={"provider": "zz", "display_name": "Zz Pay",
                                                      "auth": auth})}
    monkeypatch.setattr(registry, "all_contracts", lambda: fake)
    lint.key_patterns.cache_clear()
    try:
        _edit(cassette, lambda d: d["metadata"].update({"x": "zz_live_Qw3Er5Ty7Ui9"}))
        code, lines = _lint(capsys, cassette.parent)
    finally:
        lint.key_patterns.cache_clear()
    assert code == 1 and any("Zz Pay key" in line for line in lines), lines
