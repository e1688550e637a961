"""From OBSERVED results to a proposed contract change (``payconform learn REPORT...``).

A live or record run that meets an unverified expectation records what the provider did in
the result's ``learned`` entries: the expectation's path in the contract, the candidate it
matched (or none), the answer, and its exchange. :func:`gather` reads them from one or more
reports; :func:`propose` rewrites, in the contract module's source, every expectation whose
observations agree into an ``observed`` fact that cites the runs; :func:`patch_text` renders
a unified diff whose preamble carries the evidence (run id, time, target, request and
response). Nothing is written in place: a person reviews the patch and applies it
(``git apply``). The simulator lane is not evidence, so its reports teach nothing.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import json
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from payconform.model.contract import Contract, Expectation
from payconform.model.outcomes import Evidence
from payconform.model.registry import contract_module, get_contract

__all__ = ["Learned", "Proposal", "gather", "patch_text", "propose"]

_EVIDENCE_LANES = ("live", "record")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
_WIDTH = 92


@dataclass(frozen=True)
class Learned:
    """One observation of an unverified expectation in one report."""

    provider: str
    expectation: str
    candidate: int | None
    label: str | None
    outcome: str
    http_status: int
    error_code: str | None
    run_id: str
    started_at: str
    target: str
    rule_id: str
    case_id: str
    exchange: dict[str, Any] | None

    @property
    def behaviour(self) -> tuple[Any, ...]:
        """What must agree across observations before a fact is pinned."""
        if self.candidate is not None:
            return ("candidate", self.candidate)
        return ("answer", self.outcome, self.http_status, self.error_code)


@dataclass
class Proposal:
    """The proposed change to one contract module: new source, what it pins, what it cannot."""

    provider: str
    path: Path
    old: str
    new: str
    pinned: dict[str, list[Learned]] = field(default_factory=dict)
    conflicts: dict[str, list[Learned]] = field(default_factory=dict)
    unplaced: dict[str, str] = field(default_factory=dict)


def _report_file(path: Path) -> Path:
    return path / "conformance.json" if path.is_dir() else path


def gather(reports: Iterable[Path]) -> tuple[list[Learned], list[str]]:
    """Every learned entry of the given reports, and why a report was passed over."""
    found: list[Learned] = []
    skipped: list[str] = []
    for report in reports:
        file = _report_file(Path(report))
        try:
            doc = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{file}: not a readable payconform report ({exc})") from None
        run = doc.get("run", {})
        if run.get("lane") not in _EVIDENCE_LANES:
            skipped.append(f"{file}: a {run.get('lane')!r} run; only live and record runs meet "
                           "the vendor (the simulator is not evidence)")
            continue
        for result in doc.get("results", []):
            if result.get("verdict") != "OBSERVED":
                continue
            exchanges = result.get("exchanges") or []
            for entry in result.get("learned") or []:
                index = entry.get("exchange")
                exchange = exchanges[index] if isinstance(index, int) and index < len(exchanges) else None
                target = run.get("base_url") or (exchange or {}).get("request", {}).get("url", "")
                found.append(Learned(
                    provider=result["provider"], expectation=entry["expectation"],
                    candidate=entry.get("candidate"), label=entry.get("label"),
                    outcome=entry["outcome"], http_status=entry["http_status"],
                    error_code=None if entry.get("error_code") is None else str(entry["error_code"]),
                    run_id=run.get("id", "?"), started_at=run.get("started_at", "?"),
                    target=target, rule_id=result["rule_id"], case_id=result["case_id"],
                    exchange=exchange))
    return found, skipped


# ---- code generation -----------------------------------------------------------------------


def _string(text: str, indent: str) -> str:
    """A Python string literal for ``text``; a long one becomes adjacent literals, one per
    line at ``indent`` (valid as a call argument)."""
    chunks = textwrap.wrap(text, _WIDTH - len(indent), drop_whitespace=False,
                           break_on_hyphens=False) or [""]
    return ("\n" + indent).join(json.dumps(chunk) for chunk in chunks)


def _citation(observations: list[Learned]) -> str:
    runs = []
    for item in observations:
        what = f"HTTP {item.http_status} {item.outcome}" + (
            f" code {item.error_code}" if item.error_code else "")
        runs.append(f"payconform {item.rule_id}/{item.case_id}, run {item.run_id} at "
                    f"{item.started_at} against {item.target}: {what}")
    return "; ".join(dict.fromkeys(runs))


def _pinned(contract: Contract, old: Expectation, observations: list[Learned], indent: str) -> str:
    """Source code of the observed expectation that replaces ``old``."""
    first = observations[0]
    if first.candidate is not None:
        chosen = old.candidates[first.candidate]
        outcome, status, error = chosen.outcome.name, chosen.http_status, dict(chosen.error)
        how = f"matched candidate '{chosen.label}'"
    else:
        outcome, status = first.outcome, first.http_status
        error = {contract.error.code_field: first.error_code} if first.error_code else {}
        how = "matched none of the candidates"
    inner = indent + "    "
    lines = [f"outcome=Outcome.{outcome},",
             "source=observed(",
             f"    {_string(_citation(observations), inner + '    ')},",
             f"    {_string(f'{how}; was unverified: {old.source.citation}', inner + '    ')},",
             "),"]
    if status is not None:
        lines.append(f"http_status={status},")
    if error:
        lines.append("error={" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}"
                                           for k, v in error.items()) + "},")
    return "Expectation(\n" + "\n".join(inner + line for line in lines) + "\n" + indent + ")"


# ---- finding an expectation in the contract's source ----------------------------------------


def _keyword(call: ast.AST, name: str) -> ast.expr | None:
    if isinstance(call, ast.Call):
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value
    return None


def _resolve(node: ast.expr | None, names: dict[str, ast.expr]) -> ast.expr | None:
    """Follow a module-level name to the value it was assigned."""
    seen = 0
    while isinstance(node, ast.Name) and node.id in names and seen < 10:
        node, seen = names[node.id], seen + 1
    return node


def _locate(tree: ast.Module, provider: str, path: str) -> ast.expr | None:
    """The expression node that declares the expectation at ``path`` of ``provider``."""
    names: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            names[stmt.targets[0].id] = stmt.value
    call = next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and n.func.id == "build" and n.args and isinstance(n.args[0], ast.Constant)
                 and n.args[0].value == provider), None)
    if call is None:
        return None
    head, _, rest = path.partition(".")
    node = _resolve(_keyword(call, head), names)
    if head in ("repeat_cancel", "unknown_id", "cancelled_fetch"):
        return _keyword(call, head)
    if head == "auth":
        return _keyword(node, rest) if node is not None else None
    if head == "cancel_outcomes" and isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == rest:
                return value
        return None
    name, _, kind = rest.rpartition(".")
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            element = _resolve(element, names) or element
            label = _keyword(element, "name")
            if isinstance(label, ast.Constant) and label.value == name:
                return _keyword(element, kind)
    return None


def _fix_imports(source: str, needed: set[str]) -> str:
    """Import ``needed`` from payconform.contract and drop names no longer used."""
    tree = ast.parse(source)
    imports = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "payconform.contract"]
    if not imports:
        return "from payconform.contract import " + ", ".join(sorted(needed)) + "\n" + source
    node = imports[0]
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    names = sorted(({a.name for a in node.names} | needed) & (used | needed))
    text = "from payconform.contract import (\n" + "".join(f"    {n},\n" for n in names) + ")"
    lines = source.splitlines(keepends=True)
    start, end = node.lineno - 1, node.end_lineno or node.lineno
    return "".join(lines[:start]) + text + "\n" + "".join(lines[end:])


def _apply(source: str, edits: list[tuple[ast.expr, str]]) -> str:
    """``source`` with each node's text replaced by its code (last first, so offsets hold)."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for text_line in lines:
        offsets.append(offsets[-1] + len(text_line))

    def at(line: int, column: int) -> int:
        # ast columns count UTF-8 bytes
        return offsets[line - 1] + len(lines[line - 1].encode()[:column].decode())

    for node, code in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        start = at(node.lineno, node.col_offset)
        end = at(node.end_lineno or node.lineno, node.end_col_offset or 0)
        source = source[:start] + code + source[end:]
    return source


def propose(observations: list[Learned], *, contract_file: Path | None = None
            ) -> list[Proposal]:
    """One proposal per provider: its contract source with every agreeing observation pinned."""
    by_provider: dict[str, dict[str, list[Learned]]] = {}
    for item in observations:
        by_provider.setdefault(item.provider, {}).setdefault(item.expectation, []).append(item)
    proposals = []
    for provider, groups in by_provider.items():
        contract = get_contract(provider)
        file = contract_file or Path(inspect.getsourcefile(contract_module(provider)) or "")
        old = file.read_text("utf-8")
        proposal = Proposal(provider, file, old, old)
        edits: list[tuple[ast.expr, str]] = []
        tree = ast.parse(old)
        lines = old.splitlines(keepends=True)
        for path, items in sorted(groups.items()):
            if len({i.behaviour for i in items}) > 1:
                proposal.conflicts[path] = items
                continue
            try:
                expectation = contract.expectation_at(path)
            except KeyError:
                proposal.unplaced[path] = "the contract has no such expectation any more"
                continue
            if expectation.source.evidence is not Evidence.UNVERIFIED:
                proposal.unplaced[path] = f"already {expectation.source.evidence.value}"
                continue
            node = _locate(tree, provider, path)
            if node is None:
                indent = ""
                proposal.unplaced[path] = ("not found in the source; pin it by hand:\n"
                                           + _pinned(contract, expectation, items, indent))
                continue
            line = lines[node.lineno - 1]
            indent = line[: len(line) - len(line.lstrip())]
            edits.append((node, _pinned(contract, expectation, items, indent)))
            proposal.pinned[path] = items
        if not edits:
            proposals.append(proposal)
            continue
        new = _apply(old, edits)
        proposal.new = _fix_imports(new, {"Expectation", "Outcome", "observed"})
        proposals.append(proposal)
    return proposals


# ---- the patch ---------------------------------------------------------------------------------


def _exchange_lines(exchange: dict[str, Any] | None) -> list[str]:
    if not exchange:
        return ["(no exchange recorded)"]
    request, response = exchange.get("request", {}), exchange.get("response", {})
    out = [f"request: {request.get('method')} {request.get('url')}"]
    out += [f"  {k}: {v}" for k, v in (request.get("headers") or {}).items()]
    if request.get("body"):
        out.append(f"  body: {str(request['body'])[:2000]}")
    out.append(f"response: HTTP {response.get('status')}")
    out += [f"  {k}: {v}" for k, v in (response.get("headers") or {}).items()]
    if response.get("body"):
        out.append(f"  body: {str(response['body'])[:2000]}")
    return out


def patch_text(proposal: Proposal, *, relative_to: Path | None = None) -> str:
    """The reviewable patch: an evidence preamble (``#`` lines) and a unified diff."""
    try:
        name = str(proposal.path.resolve().relative_to((relative_to or Path.cwd()).resolve()))
    except ValueError:
        name = proposal.path.name
    out = [f"payconform learn: proposed change to the {proposal.provider} contract ({name})", ""]
    for path, items in proposal.pinned.items():
        first = items[0]
        how = (f"candidate {first.candidate + 1} '{first.label}'" if first.candidate is not None
               else f"no candidate: HTTP {first.http_status} {first.outcome}")
        out.append(f"{path}: unverified -> observed ({how}), seen {len(items)} time(s)")
        for item in items:
            out.append(f"  run {item.run_id} at {item.started_at}, target {item.target}, "
                       f"case {item.rule_id}/{item.case_id}")
            if any(host in item.target for host in _LOOPBACK):
                out.append("  NOTE: the target is a loopback host (a rehearsal against a "
                           "served simulator, not the vendor)")
            out += ["    " + line for line in _exchange_lines(item.exchange)]
    for path, items in proposal.conflicts.items():
        seen = sorted({str(i.label or f"HTTP {i.http_status} {i.outcome}") for i in items})
        out.append(f"{path}: NOT pinned, the runs disagree: {'; '.join(seen)}")
    for path, why in proposal.unplaced.items():
        out.append(f"{path}: NOT pinned: {why}")
    preamble = "".join(f"# {line}\n" if line else "#\n" for line in out)
    if proposal.new == proposal.old:
        return preamble
    diff = difflib.unified_diff(proposal.old.splitlines(keepends=True),
                                proposal.new.splitlines(keepends=True),
                                fromfile=f"a/{name}", tofile=f"b/{name}")
    return preamble + "".join(diff)
