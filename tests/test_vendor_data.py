"""Contracts accept every captured and documented vendor body, except the explained ones."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest

import tests.vendor_data as tables
from payconform.model.registry import get_contract
from payconform.model.schemas import schema_errors
from tests.vendor_data import Row

VENDOR_DATA = Path(__file__).resolve().parents[2] / "shared" / "vendor-data"
ROWS: list[Row] = [
    row
    for info in pkgutil.iter_modules(tables.__path__)
    for row in importlib.import_module(f"tests.vendor_data.{info.name}").ROWS
]


def _schema_file(row: Row) -> str:
    contract = get_contract(row.provider)
    if row.kind == "error":
        return contract.error.schema_file
    return contract.api_version(row.api_version).entity_schema_file


@pytest.mark.skipif(not VENDOR_DATA.is_dir(), reason=f"vendor data not found at {VENDOR_DATA}")
@pytest.mark.parametrize("row", [r for r in ROWS if r.kind != "request"], ids=lambda r: r.file)
def test_vendor_body_is_judged_as_the_table_says(row: Row) -> None:
    """Given a vendor body, the contract's schema accepts it unless the table explains why."""
    body = json.loads((VENDOR_DATA / row.file).read_text("utf-8"))
    problems = schema_errors(_schema_file(row), body)
    if row.accepted:
        assert not problems, problems
    else:
        assert row.reason, "a rejected vendor body needs the README's explanation"
        assert problems, f"{row.file} is listed as rejected but the schema accepts it"


@pytest.mark.skipif(not VENDOR_DATA.is_dir(), reason=f"vendor data not found at {VENDOR_DATA}")
def test_every_vendor_file_is_in_a_table() -> None:
    """No vendor body is silently left out."""
    listed = {row.file for row in ROWS}
    present = {p.name for p in VENDOR_DATA.glob("*.json")}
    assert present - listed == set(), sorted(present - listed)
