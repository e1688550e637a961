"""Bad cassettes: each gives one clear error naming the file and what to do; the run goes on."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from payconform.cassettes.lanes import replay_session
from payconform.cassettes.store import CassetteError, load_cassette, write_atomic
from payconform.model.outcomes import Verdict
from payconform.model.registry import get_contract

ROOT = Path(__file__).resolve().parents[1] / "cassettes"
SCENARIO = "cancel.repeat--second-cancel.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the shipped Cashfree cassettes."""
    shutil.copytree(ROOT / "cashfree", tmp_path / "cashfree")
    return tmp_path / "cashfree" / SCENARIO


def _meta(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    data["metadata"].update(changes)
    path.write_text(yaml.safe_dump(data))


BAD = {
    "corrupt YAML": (lambda p: p.write_text("interactions: [\n  - {request: : :\n"),
                     "is not valid YAML at line", "re-record it"),
    "truncated": (lambda p: p.write_text(p.read_text()[: len(p.read_text()) // 2]),
                  "", "re-record it"),
    "other provider": (lambda p: _meta(p, provider="razorpay"),
                       "belongs to provider 'razorpay', not 'cashfree'", "move it to cassettes/razorpay/"),
    "newer payconform": (lambda p: _meta(p, schema="payconform.cassette/2"),
                         "was written by a newer payconform", "upgrade payconform"),
    "newer vcr format": (lambda p: p.write_text(p.read_text().replace("version: 1", "version: 9")),
                         "uses cassette format version 9", "upgrade payconform"),
    "no metadata": (lambda p: p.write_text(yaml.safe_dump({
        k: v for k, v in yaml.safe_load(p.read_text()).items() if k != "metadata"})),
                    "has no payconform metadata", "re-record it"),
    "empty": (lambda p: p.write_text(""), "the file is empty", "re-record it"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_cassette_gives_one_clear_error_and_the_other_cases_still_run(
    kind: str, copy: Path
) -> None:
    """Given one damaged cassette, its case is INCONCLUSIVE with one sentence; the rest pass."""
    damage, problem, todo = BAD[kind]
    damage(copy)
    with pytest.raises(CassetteError) as info:
        load_cassette(copy, provider="cashfree")
    message = str(info.value)
    assert message.startswith(f"{copy}: ") and problem in message and todo in message
    assert "\n" not in message and "Traceback" not in message
    results = replay_session(get_contract("cashfree"), copy.parent.parent).run_all()
    broken = [r for r in results if r.case_id == "second-cancel" and r.rule_id == "cancel.repeat"]
    assert [r.verdict for r in broken] == [Verdict.INCONCLUSIVE]
    assert broken[0].message == f"cassette error: {message}"
    others = {r.verdict for r in results if r is not broken[0]}
    assert others <= {Verdict.PASS, Verdict.OBSERVED}


def test_a_truncated_cassette_is_recognised_even_when_the_yaml_still_parses(copy: Path) -> None:
    """Given a cassette cut after a request, the error says which interaction is incomplete."""
    data = yaml.safe_load(copy.read_text())
    del data["interactions"][-1]["response"]
    copy.write_text(yaml.safe_dump(data))
    with pytest.raises(CassetteError, match=r"interaction \d+ is incomplete \(truncated cassette\?\)"):
        load_cassette(copy)


def test_a_failed_write_leaves_the_old_cassette_whole(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a crash at the rename, the old cassette is intact and no temp file is left."""
    before = copy.read_text()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(copy, "half")
    assert copy.read_text() == before
    assert not [p for p in copy.parent.iterdir() if p.name.startswith(".")]
