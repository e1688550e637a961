"""A disk cache of guard tables: the table of a contract is the same until something it reads
changes, and computing it (every contract mutant through every guard) costs seconds a run.

The key is a SHA-256 over everything the table depends on: the contract itself, the files of
payconform and of the folders its contracts, schemas and vendor material come from, each
guard's name and whether (and with which SDK version) it can judge, the installed versions of
payconform's own dependencies (validators, schemathesis's converter) and the Python version.
A changed input is a new key, so a stale table is never read. The cache lives in
``PAYCONFORM_CACHE_DIR`` (``off`` disables it), else ``$XDG_CACHE_HOME/payconform``, else
``~/.cache/payconform``, with at most :data:`KEEP` tables a provider. It only saves time: an
unreadable, unwritable or corrupt cache is ignored and the table computed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from payconform.audit.contract_mutants import Guard, GuardRow
from payconform.model.contract import Contract
from payconform.model.facts import Fact
from payconform.model.parts import Source

__all__ = ["CACHE_ENV", "cache_dir", "cached_rows", "table_key"]

CACHE_ENV = "PAYCONFORM_CACHE_DIR"
#: Bumped when the stored shape changes.
_FORMAT = "guard-table/1"


def cache_dir() -> Path | None:
    """Where guard tables are kept, or None when the cache is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "payconform"


@cache
def _digest(source: str) -> str:
    """SHA-256 over a file's bytes, or over the names and bytes of every file below a folder
    (bytecode left out); a source that does not exist digests as such."""
    digest = hashlib.sha256()
    root = Path(source)
    files = sorted(root.rglob("*")) if root.is_dir() else [root] if root.is_file() else []
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(root) if path != root else path.name).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


@cache
def _dependencies() -> str:
    """The installed version of each of payconform's own (not optional) dependencies."""
    try:
        required = metadata.requires("payconform") or []
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "payconform not installed"
    versions = []
    for line in required:
        if "extra ==" in line:
            continue
        name = re.split(r"[\s;<>=!~\[(]", line, maxsplit=1)[0]
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    return ",".join(sorted(versions))


def table_key(contract: Contract, guards: Iterable[Guard], sources: Iterable[Path]) -> str:
    """The cache key of ``contract``'s guard table under ``guards``, reading ``sources`` (files
    or folders; see module docstring)."""
    parts: list[str] = [_FORMAT, sys.version, _dependencies(), contract.model_dump_json()]
    for guard in guards:
        state = getattr(guard, "fingerprint", None)
        parts.append(f"{guard.name}:{state(contract) if state is not None else ''}")
    parts.extend(f"{source}={_digest(str(source))}" for source in sorted(set(sources)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _encode(rows: Iterable[GuardRow]) -> list[dict[str, Any]]:
    return [{"fact": {"id": row.fact.id, "where": row.fact.where, "kind": row.fact.kind,
                      "key": row.fact.key, "rule_id": row.fact.rule_id,
                      "source": row.fact.source.model_dump(mode="json"),
                      "expected": row.fact.expected},
             "mutant": row.mutant, "killed_by": list(row.killed_by),
             "evidence": list(row.evidence), "unjudged": list(row.unjudged)} for row in rows]


def _decode(provider: str, stored: Any) -> tuple[GuardRow, ...] | None:
    """The rows of a stored table, or None when it is not one."""
    try:
        if stored["format"] != _FORMAT:
            return None
        return tuple(GuardRow(provider, Fact(**{**item["fact"],
                                                "source": Source(**item["fact"]["source"])}),
                              str(item["mutant"]), tuple(item["killed_by"]),
                              tuple(item["evidence"]), tuple(item["unjudged"]))
                     for item in stored["rows"])
    except (KeyError, TypeError, ValueError):  # pydantic's ValidationError is a ValueError
        return None


def cached_rows(contract: Contract, guards: list[Guard], sources: Iterable[Path],
                compute: Callable[[], list[GuardRow]]) -> tuple[GuardRow, ...]:
    """``compute()``'s rows, read from the cache when an identical table was stored."""
    where = cache_dir()
    if where is None:
        return tuple(compute())
    key = table_key(contract, guards, sources)
    path = where / "guards" / f"{contract.provider}-{key[:32]}.json"
    try:
        rows = _decode(contract.provider, json.loads(path.read_text()))
        if rows is not None:
            return rows
    except (OSError, ValueError):
        pass  # absent or corrupt: computed below and written again
    rows = tuple(compute())
    _store(path, {"format": _FORMAT, "provider": contract.provider, "rows": _encode(rows)})
    _prune(path.parent, contract.provider)
    return rows


#: Tables kept per provider (several payconform versions or contract revisions side by side).
KEEP = 4


def _prune(folder: Path, provider: str) -> None:
    """Remove all but the :data:`KEEP` newest tables of ``provider``: the cache stays bounded."""
    mine = re.compile(rf"{re.escape(provider)}-[0-9a-f]{{32}}\.json")
    try:
        tables = sorted((p for p in folder.iterdir() if mine.fullmatch(p.name)),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in tables[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another run pruned first, or the folder went away: nothing to keep bounded


def _store(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` whole and rename it into place, so a concurrent run (xdist workers)
    never reads half a file; a read-only home or a full disk costs time, never the run."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as out:
            temporary = out.name
            json.dump(document, out)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
