"""``payconform drift PROVIDER``: how a fresh recording differs from the committed cassettes.

Interactions are paired per scenario by operation and occurrence (the second cancel with
the second cancel). Reported changes: HTTP status, fields added or removed, type changes,
status values and error codes never seen before, scenarios that appeared or vanished.

A change *breaks a documented rule* when replaying the fresh cassettes turns a case into a
FAIL on documented or observed evidence that the committed cassettes did not fail, or when a
status value appears that the contract does not list. Only such drift makes the exit non-zero.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from payconform.cassettes.store import CassetteError, LoadedCassette, load_cassette, operation_of
from payconform.model.contract import Contract, dotted_get
from payconform.model.outcomes import Verdict

__all__ = ["Change", "DriftReport", "compare", "render_json", "render_markdown"]


@dataclass(frozen=True)
class Change:
    """One difference between the committed and the fresh recording."""

    scenario: str
    interaction: str
    kind: str
    path: str
    before: str
    after: str
    breaking: bool = False
    rule: str = ""


@dataclass
class DriftReport:
    """Every change, the replay verdicts behind the breaking ones, and the inputs."""

    provider: str
    committed: str
    fresh: str
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        """Changes that break a documented rule."""
        return [c for c in self.changes if c.breaking]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready document."""
        return {
            "schema": "payconform.drift/1",
            "provider": self.provider,
            "committed": self.committed,
            "fresh": self.fresh,
            "summary": {"changes": len(self.changes), "breaking": len(self.breaking),
                        "by_kind": dict(Counter(c.kind for c in self.changes))},
            "changes": [asdict(c) for c in self.changes],
            "errors": self.errors,
        }


def _fields(value: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out[path] = type(item).__name__ if not isinstance(item, dict | list) else (
                "object" if isinstance(item, dict) else "array")
            out.update(_fields(item, path))
    elif isinstance(value, list) and value:
        out.update(_fields(value[0], f"{prefix}[]"))
    return out


def _body(interaction: dict[str, Any]) -> Any:
    raw = interaction["response"]["body"].get("string")
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        return json.loads(raw) if isinstance(raw, str) and raw.strip() else None
    except ValueError:
        return None


def _keyed(contract: Contract, loaded: LoadedCassette) -> dict[str, dict[str, Any]]:
    seen: Counter[str] = Counter()
    out: dict[str, dict[str, Any]] = {}
    for item in loaded.interactions:
        operation, template = operation_of(contract, item["request"]["method"], item["request"]["uri"])
        seen[operation] += 1
        out[f"{operation} #{seen[operation]} ({item['request']['method']} {template})"] = item
    return out


def _values(contract: Contract, sets: list[LoadedCassette]) -> tuple[set[str], set[str]]:
    statuses: set[str] = set()
    codes: set[str] = set()
    for loaded in sets:
        for item in loaded.interactions:
            body = _body(item)
            status, code = _status_and_code(contract, body)
            statuses |= {status} if status else set()
            codes |= {code} if code else set()
    return statuses, codes


def _status_and_code(contract: Contract, body: Any) -> tuple[str | None, str | None]:
    if not isinstance(body, dict):
        return None, None
    entity = dotted_get(body, contract.entity.path) if contract.entity.path else body
    status = contract.status_of(entity)
    error = dotted_get(body, contract.error.path) if contract.error.path else body
    code = dotted_get(error, contract.error.code_field) if isinstance(error, dict) else None
    return (status if isinstance(status, str) else None), (code if isinstance(code, str) else None)


def _load_set(contract: Contract, root: Path, errors: list[str]) -> dict[str, LoadedCassette]:
    out: dict[str, LoadedCassette] = {}
    folder = root / contract.provider
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            loaded = load_cassette(path, provider=contract.provider)
        except CassetteError as exc:
            errors.append(str(exc))
            continue
        out[loaded.provenance.scenario] = loaded
    return out


def compare(contract: Contract, committed: Path, fresh: Path) -> DriftReport:
    """Compare two cassette roots for one provider (see the module docstring)."""
    report = DriftReport(contract.provider, str(committed), str(fresh))
    old_set = _load_set(contract, committed, report.errors)
    new_set = _load_set(contract, fresh, report.errors)
    old_statuses, old_codes = _values(contract, list(old_set.values()))
    known_codes = set(contract.error.outcomes) | old_codes
    for scenario in sorted(set(old_set) | set(new_set)):
        if scenario not in new_set:
            report.changes.append(Change(scenario, "-", "scenario removed", "", "recorded", "absent"))
            continue
        if scenario not in old_set:
            report.changes.append(Change(scenario, "-", "scenario added", "", "absent", "recorded"))
            continue
        before, after = _keyed(contract, old_set[scenario]), _keyed(contract, new_set[scenario])
        for key in sorted(set(before) | set(after)):
            if key not in after or key not in before:
                report.changes.append(Change(scenario, key, "interaction " + (
                    "removed" if key not in after else "added"), "", "", ""))
                continue
            report.changes.extend(_compare_pair(contract, scenario, key, before[key], after[key],
                                                old_statuses, known_codes))
    _judge(contract, report, committed, fresh)
    return report


def _compare_pair(contract: Contract, scenario: str, key: str, old: dict[str, Any], new: dict[str, Any],
                  old_statuses: set[str], known_codes: set[str]) -> list[Change]:
    out: list[Change] = []
    s1, s2 = old["response"]["status"]["code"], new["response"]["status"]["code"]
    if s1 != s2:
        out.append(Change(scenario, key, "HTTP status", "", str(s1), str(s2)))
    b1, b2 = _body(old), _body(new)
    f1, f2 = _fields(b1), _fields(b2)
    for path in sorted(set(f1) | set(f2)):
        if path not in f2:
            out.append(Change(scenario, key, "field removed", path, f1[path], ""))
        elif path not in f1:
            out.append(Change(scenario, key, "field added", path, "", f2[path]))
        elif f1[path] != f2[path]:
            out.append(Change(scenario, key, "type changed", path, f1[path], f2[path]))
    status, code = _status_and_code(contract, b2)
    if status and status not in old_statuses:
        undocumented = status not in contract.status_names
        out.append(Change(scenario, key, "status value never seen", ", ".join(contract.status_keys),
                          "", status, breaking=undocumented,
                          rule="contract statuses" if undocumented else ""))
    if code and code not in known_codes:
        out.append(Change(scenario, key, "error code never seen", contract.error.code_field, "", code))
    return out


def _judge(contract: Contract, report: DriftReport, committed: Path, fresh: Path) -> None:
    """Replay both sets; a new hard FAIL in the fresh set breaks a documented rule."""
    from payconform.cassettes.lanes import replay_session

    verdicts = {}
    for label, root in (("committed", committed), ("fresh", fresh)):
        session = replay_session(contract, root)
        try:
            verdicts[label] = {f"{r.rule_id}--{r.case_id}": r for r in session.run_all()}
        finally:
            session.close()
    for key, result in verdicts["fresh"].items():
        before = verdicts["committed"].get(key)
        if result.verdict is not Verdict.FAIL or result.evidence not in ("documented", "observed"):
            continue
        if before is not None and before.verdict is Verdict.FAIL:
            continue
        first = result.message.splitlines()[0] if result.message else ""
        report.changes.append(Change(key, "-", "rule broken", result.rule_id,
                                     before.verdict.value if before else "-", f"FAIL: {first}",
                                     breaking=True, rule=result.rule_id))


def render_json(report: DriftReport) -> str:
    """The report as JSON text."""
    return json.dumps(report.to_json(), indent=2) + "\n"


def render_markdown(report: DriftReport) -> str:
    """The report as Markdown: a summary line and one table row per change."""
    lines = [f"# Drift: {report.provider}", "",
             f"Committed: `{report.committed}`; fresh: `{report.fresh}`.", "",
             f"{len(report.changes)} change(s), {len(report.breaking)} breaking a documented rule.", ""]
    if report.changes:
        lines += ["| scenario | interaction | change | field | before | after | breaks |",
                  "|---|---|---|---|---|---|---|"]
        for c in report.changes:
            cells = [c.scenario, c.interaction, c.kind, c.path, c.before, c.after,
                     c.rule if c.breaking else ""]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    if report.errors:
        lines += ["", "Unreadable cassettes:", ""] + [f"- {e}" for e in report.errors]
    return "\n".join(lines) + "\n"
