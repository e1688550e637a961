"""The wheel carries the bundled contracts, their schemas and the suites."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_contracts_schemas_suites_and_plugin_entry_point(tmp_path: Path) -> None:
    """Given a built wheel, a team can pip install it and run the suites from it."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    wheel = next(tmp_path.glob("payconform-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("payconform/contracts/cashfree.py",
                     "payconform/contracts/schemas/cashfree-error.json",
                     "payconform/contracts/evidence/cashfree/manifest.yaml",
                     "payconform/contracts/evidence/cashfree/cancel-link-not-active-sandbox.json",
                     "payconform/suites/test_cancel.py",
                     "payconform/reporting/report-schema.json",
                     "payconform/rules/catalog.py",
                     "payconform/wiring.py",
                     "payconform/plugin.py",
                     # the replay lane of an installed payconform replays these
                     "payconform/shipped_cassettes/cashfree/cancel.repeat--second-cancel.yaml",
                     "payconform/shipped_cassettes/documented-examples/cashfree/"
                     "cancel.repeat--second-cancel.yaml"):
        assert expected in names, expected
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]" in text and "payconform = payconform.plugin" in text
    assert "payconform = payconform.cli.main:main" in text


def test_replay_reads_the_shipped_cassettes_outside_a_checkout(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """In a folder without ./cassettes and without PAYCONFORM_CASSETTE_DIR, the replay lane
    reads the cassettes shipped in the package; ./cassettes or the variable win when present."""
    from payconform.cassettes.store import replay_root, shipped_root

    shipped = shipped_root()
    assert shipped is not None and (shipped / "cashfree").is_dir()
    monkeypatch.chdir(tmp_path)
    assert replay_root({}) == shipped
    (tmp_path / "cassettes").mkdir()
    assert replay_root({}) == Path("cassettes")
    assert replay_root({"PAYCONFORM_CASSETTE_DIR": "elsewhere"}) == Path("elsewhere")
