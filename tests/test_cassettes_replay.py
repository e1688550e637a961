"""The replay and record lanes: shipped cassettes replay offline; record-then-replay is faithful."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from payconform.cassettes.lanes import record_simulator, replay_session
from payconform.cassettes.store import cassette_path, load_cassette
from payconform.lanes.base import simulator_session
from payconform.model.outcomes import Verdict
from payconform.model.registry import all_contracts, get_contract
from payconform.rules.catalog import cases_for

ROOT = Path(__file__).resolve().parents[1] / "cassettes"
SHIPPED = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name in all_contracts())


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket connection fails the test: replay must never leave the process."""

    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"replay tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _verdicts(results: list) -> dict[str, Verdict]:  # type: ignore[type-arg]
    return {f"{r.rule_id}:{r.case_id}": r.verdict for r in results}


def test_every_registered_provider_with_a_contract_ships_cassettes() -> None:
    """Given the committed contracts, cashfree at least ships simulator cassettes."""
    assert "cashfree" in SHIPPED


@pytest.mark.parametrize("provider", SHIPPED)
def test_shipped_cassettes_replay_offline_with_the_simulator_verdicts(
    provider: str, no_network: None
) -> None:
    """Given the shipped cassettes and no network, replay gives the simulator lane's verdicts."""
    contract = get_contract(provider)
    session = replay_session(contract, ROOT)
    replayed = session.run_all()
    session.close()
    assert _verdicts(replayed) == _verdicts(simulator_session(contract).run_all())
    assert all(r.origin.startswith("simulator cassette ") for r in replayed)


@pytest.mark.parametrize("provider", sorted(all_contracts()))
def test_recording_a_served_simulator_then_replaying_gives_the_same_verdicts(
    provider: str, tmp_path: Path
) -> None:
    """Given a recording over loopback, replay agrees with the simulator lane case by case."""
    contract = get_contract(provider)
    recorded = record_simulator(contract, tmp_path)
    expected = _verdicts(simulator_session(contract).run_all())
    assert _verdicts(recorded) == expected
    replayed = replay_session(contract, tmp_path).run_all()
    assert _verdicts(replayed) == expected
    for case in cases_for(contract):
        meta = load_cassette(cassette_path(tmp_path, provider, case), provider=provider).provenance
        assert (meta.provider, meta.origin, meta.host) == (provider, "simulator", "127.0.0.1")
        assert meta.api_version and meta.payconform_version and meta.recorded_at


def _one(tmp_path: Path, rule: str) -> tuple[Path, object]:
    contract = get_contract("cashfree")
    record_simulator(contract, tmp_path, rule_ids=[rule])
    case = cases_for(contract, [rule])[0]
    return cassette_path(tmp_path, "cashfree", case), case


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_repeated_identical_requests_replay_in_recorded_order(tmp_path: Path) -> None:
    """Given the two identical cancels of cancel.repeat swapped, replay no longer passes."""
    path, _ = _one(tmp_path, "cancel.repeat")
    contract = get_contract("cashfree")
    assert replay_session(contract, tmp_path).run_all(["cancel.repeat"])[0].verdict is Verdict.PASS

    def swap(data: dict) -> None:  # type: ignore[type-arg]
        items = data["interactions"]
        cancels = [i for i, x in enumerate(items) if x["request"]["uri"].endswith("/cancel")]
        a, b = cancels
        items[a]["response"], items[b]["response"] = items[b]["response"], items[a]["response"]

    _edit(path, swap)
    result = replay_session(contract, tmp_path).run_all(["cancel.repeat"])[0]
    assert result.verdict is Verdict.INCONCLUSIVE
    assert "the first cancel returned HTTP 400" in result.message


def test_an_unmatched_request_fails_naming_cassette_nearest_request_and_matcher(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Given a cassette whose cancel path was recorded differently, the case FAILs and says why."""
    path, _ = _one(tmp_path, "cancel.cancellable-status")
    request.getfixturevalue("no_network")

    def move(data: dict) -> None:  # type: ignore[type-arg]
        for item in data["interactions"]:
            item["request"]["uri"] = item["request"]["uri"].replace("/cancel", "/void")

    _edit(path, move)
    result = replay_session(get_contract("cashfree"), tmp_path).run_all(
        ["cancel.cancellable-status"])[0]
    assert result.verdict is Verdict.FAIL
    assert f"cassette mismatch in {path}" in result.message
    assert "Closest recorded requests" in result.message
    assert "path_template differs: /links/{id}/cancel != /pg/links/" in result.message
    assert "match_on: method, path_template, body_shape, header_presence" in result.message
    assert "Re-record: pytest --pyargs payconform.suites --lane record" in result.message


def test_a_missing_cassette_is_skipped_with_the_command_that_records_it(tmp_path: Path) -> None:
    """Given an empty cassette root, every case is SKIPPED and no request is sent."""
    results = replay_session(get_contract("cashfree"), tmp_path).run_all(["cancel.repeat"])
    assert [r.verdict for r in results] == [Verdict.SKIPPED]
    assert "no cassette at" in results[0].message
    assert "payconform cassettes record-simulator cashfree" in results[0].message
    assert "--lane record --provider cashfree" in results[0].message


def test_a_sandbox_cassette_older_than_the_maximum_age_warns_with_the_refresh_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a 100-day-old sandbox cassette, a PASS becomes a WARN naming the refresh command."""
    path, _ = _one(tmp_path, "cancel.repeat")
    old = (datetime.now(UTC) - timedelta(days=100)).isoformat(timespec="seconds")

    def age(data: dict) -> None:  # type: ignore[type-arg]
        data["metadata"].update(origin="sandbox", recorded_at=old)

    _edit(path, age)
    contract = get_contract("cashfree")
    result = replay_session(contract, tmp_path).run_all(["cancel.repeat"])[0]
    assert result.verdict is Verdict.WARN
    assert "stale cassette" in result.message and "100 days ago" in result.message
    assert "--lane record --provider cashfree" in result.message
    monkeypatch.setenv("PAYCONFORM_CASSETTE_MAX_AGE_DAYS", "365")
    result = replay_session(contract, tmp_path).run_all(["cancel.repeat"])[0]
    assert result.verdict is Verdict.PASS


def test_record_mode_once_keeps_an_existing_cassette_and_rewrite_replaces_it(tmp_path: Path) -> None:
    """Given a recorded cassette, 'once' replays it untouched; 'rewrite' records it anew."""
    path, _ = _one(tmp_path, "cancel.repeat")
    contract = get_contract("cashfree")
    before = path.read_text()
    record_simulator(contract, tmp_path, record_mode="once", rule_ids=["cancel.repeat"])
    assert path.read_text() == before
    record_simulator(contract, tmp_path, record_mode="rewrite", rule_ids=["cancel.repeat"])
    after = path.read_text()
    assert after != before
    assert len(yaml.safe_load(after)["interactions"]) == len(yaml.safe_load(before)["interactions"])
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")], "no temp files left"
