"""The wheel carries the bundled contracts, their schemas and the suites."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

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
                     "payconform/suites/test_cancel.py",
                     "payconform/reporting/report-schema.json",
                     "payconform/rules/catalog.py",
                     "payconform/wiring.py",
                     "payconform/plugin.py"):
        assert expected in names, expected
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]" in text and "payconform = payconform.plugin" in text
    assert "payconform = payconform.cli.main:main" in text
