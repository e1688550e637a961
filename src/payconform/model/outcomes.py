"""The shared vocabularies: normalized outcomes, evidence levels and verdicts.

Every contract maps its wire statuses and error codes onto :class:`Outcome`; suites,
adapters, the simulator and reports speak only these words.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["REFUSALS", "Evidence", "Outcome", "StatusKind", "Verdict"]


class Outcome(StrEnum):
    """What a provider response means, independent of the provider's wire format."""

    CREATED = "CREATED"
    FETCHED = "FETCHED"
    CANCELLED = "CANCELLED"
    ALREADY_CANCELLED = "ALREADY_CANCELLED"
    NOT_CANCELLABLE = "NOT_CANCELLABLE"
    NOT_FOUND = "NOT_FOUND"
    REJECTED = "REJECTED"
    UNAUTHORIZED = "UNAUTHORIZED"
    INVALID_REQUEST = "INVALID_REQUEST"
    RATE_LIMITED = "RATE_LIMITED"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    UNKNOWN = "UNKNOWN"


#: Outcomes that count as a refusal when an expectation only says ``REJECTED``.
REFUSALS = frozenset({"NOT_CANCELLABLE", "NOT_FOUND", "UNAUTHORIZED", "INVALID_REQUEST", "REJECTED"})


class Evidence(StrEnum):
    """How strongly a vendor fact is backed (see shared provider notes)."""

    DOCUMENTED = "documented"
    OBSERVED = "observed"
    INFERRED = "inferred"
    UNVERIFIED = "unverified"

    @property
    def rank(self) -> int:
        """0 for the strongest evidence (documented), higher for each weaker level."""
        return list(Evidence).index(self)


class Verdict(StrEnum):
    """The result of one rule case; ordered from worst to best by :data:`SEVERITY`."""

    FAIL = "FAIL"
    #: payconform itself (a rule, a property, hypothesis, schemathesis) broke: no judgement.
    ERROR = "ERROR"
    WARN = "WARN"
    INCONCLUSIVE = "INCONCLUSIVE"
    OBSERVED = "OBSERVED"
    PASS = "PASS"
    SKIPPED = "SKIPPED"

    @property
    def severity(self) -> int:
        """Lower is worse; used to fold case verdicts into one matrix cell."""
        return _SEVERITY[self]


_SEVERITY = {
    Verdict.FAIL: 0,
    Verdict.ERROR: 1,
    Verdict.WARN: 2,
    Verdict.INCONCLUSIVE: 3,
    Verdict.OBSERVED: 4,
    Verdict.PASS: 5,
    Verdict.SKIPPED: 6,
}


class StatusKind(StrEnum):
    """What a wire status means for the life of a link (used by simulator and state machine)."""

    OPEN = "open"
    PROCESSING = "processing"
    ACTION_REQUIRED = "action_required"
    FAILED = "failed"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    DRAFT = "draft"
    DELETED = "deleted"
