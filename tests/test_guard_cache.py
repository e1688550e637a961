"""The guard-table cache: a stored table is read back only while everything it read is the same."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from payconform.audit import guard_cache
from payconform.audit.contract_mutants import GuardRow, guard_table
from payconform.audit.guard_cache import CACHE_ENV, cache_dir, cached_rows
from payconform.audit.guards import GUARDS, SdkGuard, _sources, guard_rows
from payconform.audit.sdks import Probe
from payconform.model.registry import get_contract


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    return tmp_path


def _counting(contract_name: str) -> tuple[list[int], Callable[[], list[GuardRow]]]:
    contract = get_contract(contract_name)
    calls = [0]

    def compute() -> list[GuardRow]:
        calls[0] += 1
        return guard_table(contract)

    return calls, compute


def test_a_stored_table_is_read_back_equal_to_the_computed_one(cache: Path) -> None:
    """Given a table computed once, the second lookup reads it from disk, equal row for row."""
    contract = get_contract("stripe-checkout")
    calls, compute = _counting("stripe-checkout")
    sources = _sources("stripe-checkout")
    first = cached_rows(contract, list(GUARDS), sources, compute)
    second = cached_rows(contract, list(GUARDS), sources, compute)
    assert calls == [1]
    assert second == first == tuple(guard_table(contract))
    assert len(list((cache / "guards").glob("stripe-checkout-*.json"))) == 1


def test_a_changed_contract_source_or_sdk_is_a_new_key(cache: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a stored table, a changed contract, a changed file it reads, or an SDK that is no
    longer installed each give another key, so the old table is not read."""
    contract = get_contract("xendit")
    guards = list(GUARDS)
    folder = tmp_path / "material"
    folder.mkdir()
    (folder / "spec.json").write_text("{}")
    key = guard_cache.table_key(contract, guards, [folder])
    changed = contract.model_copy(update={"default_api_version": "changed"})
    assert guard_cache.table_key(changed, guards, [folder]) != key
    guard_cache._digest.cache_clear()
    (folder / "spec.json").write_text('{"changed": true}')
    assert guard_cache.table_key(contract, guards, [folder]) != key
    guard_cache._digest.cache_clear()
    (folder / "spec.json").write_text("{}")
    assert guard_cache.table_key(contract, guards, [folder]) == key
    monkeypatch.setattr(Probe, "installed", lambda self: False)
    assert guard_cache.table_key(contract, guards, [folder]) != key
    assert any(isinstance(g, SdkGuard) for g in guards)


def test_an_upgraded_dependency_is_a_new_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given another installed version of a library the guards use (a validator, schemathesis),
    the key changes: a table judged by the old library is not read."""
    contract = get_contract("cashfree")
    assert "jsonschema==" in guard_cache._dependencies()
    key = guard_cache.table_key(contract, list(GUARDS), [])
    real = guard_cache.metadata.version

    def upgraded(name: str) -> str:
        return "99.0" if name == "jsonschema" else real(name)

    monkeypatch.setattr(guard_cache.metadata, "version", upgraded)
    guard_cache._dependencies.cache_clear()
    try:
        assert guard_cache.table_key(contract, list(GUARDS), []) != key
    finally:
        monkeypatch.undo()
        guard_cache._dependencies.cache_clear()
    assert guard_cache.table_key(contract, list(GUARDS), []) == key


@pytest.mark.parametrize("content", ["not json", "{}", '{"format": "guard-table/1", "rows": [{}]}',
                                     '{"format": "other", "rows": []}'])
def test_a_corrupt_or_foreign_file_is_recomputed_and_replaced(cache: Path, content: str) -> None:
    """Given a cache file that is not a stored table of this format, the table is computed
    anew (never an empty or partial table) and the file rewritten."""
    contract = get_contract("cashfree")
    calls, compute = _counting("cashfree")
    sources = _sources("cashfree")
    cached_rows(contract, list(GUARDS), sources, compute)
    path, = (cache / "guards").glob("cashfree-*.json")
    path.write_text(content)
    rows = cached_rows(contract, list(GUARDS), sources, compute)
    assert calls == [2] and rows == tuple(guard_table(contract))
    assert json.loads(path.read_text())["format"] == "guard-table/1"


def test_an_unwritable_cache_costs_time_not_the_run(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a cache folder that cannot be created (a file is in the way), the table is
    computed each time and nothing fails."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    contract = get_contract("cashfree")
    calls, compute = _counting("cashfree")
    for _ in range(2):
        assert cached_rows(contract, list(GUARDS), _sources("cashfree"),
                           compute) == tuple(guard_table(contract))
    assert calls == [2]


@pytest.mark.parametrize("value", ["off", "", "0"])
def test_the_cache_can_be_turned_off(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given PAYCONFORM_CACHE_DIR=off (or empty), nothing is read or written."""
    monkeypatch.setenv(CACHE_ENV, value)
    assert cache_dir() is None


def test_the_default_is_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Given no PAYCONFORM_CACHE_DIR, tables go to $XDG_CACHE_HOME/payconform."""
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "payconform"


def test_guard_rows_goes_through_the_cache(cache: Path) -> None:
    """Given the report's lookup (guard_rows), its table is stored for the next run."""
    guard_rows.cache_clear()
    try:
        rows = guard_rows("mollie")
    finally:
        guard_rows.cache_clear()
    path, = (cache / "guards").glob("mollie-*.json")
    assert len(json.loads(path.read_text())["rows"]) == len(rows)


def test_the_cache_keeps_a_few_tables_a_provider(cache: Path) -> None:
    """Given more stored tables of a provider than the cache keeps, the oldest are removed and
    another provider whose name starts the same is left alone."""
    folder = cache / "guards"
    folder.mkdir()
    for index in range(guard_cache.KEEP + 2):
        old = folder / f"paypal-invoices-{index:032x}.json"
        old.write_text("{}")
        os.utime(old, (index, index))
    other = folder / f"paypal-invoices-extra-{0:032x}.json"
    other.write_text("{}")
    guard_cache._prune(folder, "paypal-invoices")
    kept = sorted(p.name for p in folder.glob("paypal-invoices-*.json") if p != other)
    assert kept == [f"paypal-invoices-{i:032x}.json"
                    for i in range(2, guard_cache.KEEP + 2)]
    assert other.exists()
