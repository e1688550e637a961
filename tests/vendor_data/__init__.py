"""Per-provider tables of the public vendor bodies in ../shared/vendor-data.

Each module defines ``ROWS``: one :class:`Row` per file, saying which schema the body is
checked against and whether the contract accepts it. A body a contract rejects is only
listed with ``accepted=False`` when the vendor-data README explains why; ``reason`` quotes
that explanation. Such a row is a finding, never a reason to edit the file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One vendor body and what the contract says about it."""

    file: str
    provider: str
    kind: str  # "success" (schema of an API version), "error", or "request" (not a response)
    api_version: str | None = None
    accepted: bool = True
    reason: str = ""
    wire_status: str | None = None  # the status field value the body carries, if any
