"""What the simulator keeps and answers: links, plain responses, and the mutation hooks.

:class:`Mutation` is the faithful behaviour; a mutant (:mod:`payconform.simulator.mutants`)
overrides one hook to break exactly one fact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from payconform.model.contract import Candidate, Contract, HeaderSpec, SideEffect

__all__ = ["CONTROL_PREFIX", "CRASH_HEADER", "CancelAction", "Link", "Mutation", "SimResponse",
           "SimulatorCrashed", "raise_if_crashed"]

CONTROL_PREFIX = "/_simulator"
#: Marks the 500 a served simulator answers when it crashes itself (payconform's defect, never
#: a provider's answer); its value is the exception's type name.
CRASH_HEADER = "x-payconform-simulator-crash"


class SimulatorCrashed(RuntimeError):
    """A served simulator answered a request with its own crash: payconform could not judge
    (ERROR), never a provider's 5xx (INCONCLUSIVE) or a contract failure."""


def raise_if_crashed(headers: Any, what: str) -> None:
    """Raise :class:`SimulatorCrashed` if ``headers`` (any mapping with ``in`` on lower-case
    names) carry :data:`CRASH_HEADER`; ``what`` names the request."""
    if CRASH_HEADER in headers:
        raise SimulatorCrashed(
            f"the simulator crashed answering {what} (its 500 is payconform's defect, not the "
            "provider's answer; its traceback is in Simulator.crashes and the server log)")


@dataclass
class SimResponse:
    """A response as plain values; ``body`` is JSON-serializable or raw bytes."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def content(self) -> bytes:
        """The body bytes as sent on the wire."""
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()


@dataclass
class Link:
    """One link in the simulator's memory."""

    id: str
    seq: int
    status: str
    amount: Any
    currency: Any
    created_at: float
    updated_at: float
    request: dict[str, Any]
    token: str
    api_version: str
    cancelled_at: float | None = None
    expire_at: float = 0.0
    variant: str | None = None
    #: Ids of the resources a cancel changes (contract side effects), by side-effect name.
    related: dict[str, str] = field(default_factory=dict)


CancelAction = Literal["cancel", "reject", "noop"]


class Mutation:
    """Hook points that a mutant overrides; this base class is the faithful behaviour."""

    name = "faithful"

    def cancel_action(self, contract: Contract, link: Link, action: CancelAction) -> CancelAction:
        """What a cancel of ``link`` does: cancel it, reject it, or answer a no-op."""
        return action

    def enforce_header(self, contract: Contract, header: HeaderSpec, problem: str) -> bool:
        """Whether a missing (``problem='missing'``) or malformed header is refused."""
        return True

    def header_answer(
        self, contract: Contract, header: HeaderSpec, problem: str, played: Candidate
    ) -> Candidate:
        """The behaviour for a missing or malformed header (a success candidate accepts it)."""
        return played

    def honour_idempotency_key(self, contract: Contract) -> bool:
        """Whether a write repeated with the same idempotency key replays the first answer."""
        return True

    def enforce_auth(self, contract: Contract, problem: str) -> bool:
        """Whether missing or invalid credentials are refused."""
        return True

    def unknown_id(self, contract: Contract, played: Candidate) -> Candidate | None:
        """The behaviour for an unknown id; ``None`` answers with a fabricated link."""
        return played

    def reverse(self, contract: Contract, link: Link) -> bool:
        """Whether a reversal (``Contract.reversal``) of a cancelled ``link`` takes effect."""
        return True

    def fetch_status(self, contract: Contract, link: Link, status: str) -> str:
        """The status a fetch reports for ``link``."""
        return status

    def side_effect(self, contract: Contract, link: Link, effect: SideEffect, value: str) -> str:
        """The value the related resource of ``effect`` reads for ``link``."""
        return value

    def respond(
        self, contract: Contract, operation: str, pre_status: str | None, response: SimResponse
    ) -> SimResponse:
        """A last look at every API response (not control responses)."""
        return response

    def play(self, contract: Contract, where: str, played: Candidate, operation: str,
               link: Link | None) -> Candidate:
        """The behaviour for the contract scenario ``where`` (see :mod:`payconform.model.facts`).

        ``played`` is what the contract says (a success candidate for a cancel that succeeds);
        returning a success candidate accepts the request, with its HTTP status. ``link`` is
        the link the request names, if it exists.
        """
        return played

    def answered(self, contract: Contract, operation: str, link: Link | None,
                 response: SimResponse) -> SimResponse:
        """A last look at an API response together with the link it is about (after respond)."""
        return response
