"""The public, stable module contract authors import from.

A contract module (bundled or named in ``PAYCONFORM_CONTRACTS``) needs only this module:
the declarations, the evidence helpers and the outcome vocabulary. The internals live in
:mod:`payconform.model`; this facade keeps the import path stable when they move.
"""

from payconform.model.contract import (
    ApiVersion,
    Auth,
    CancelResponse,
    Candidate,
    Contract,
    ContractError,
    CreateSpec,
    EntitySpec,
    ErrorSpec,
    Expectation,
    FixtureLink,
    HeaderSpec,
    Operation,
    RateLimit,
    SideEffect,
    Source,
    Status,
    Variant,
    build,
    documented,
    dotted_get,
    inferred,
    load_schema,
    observed,
    unverified,
)
from payconform.model.outcomes import Evidence, Outcome, StatusKind

__all__ = [
    "ApiVersion",
    "Auth",
    "CancelResponse",
    "Candidate",
    "Contract",
    "ContractError",
    "CreateSpec",
    "EntitySpec",
    "ErrorSpec",
    "Evidence",
    "Expectation",
    "FixtureLink",
    "HeaderSpec",
    "Operation",
    "Outcome",
    "RateLimit",
    "SideEffect",
    "Source",
    "Status",
    "StatusKind",
    "Variant",
    "build",
    "documented",
    "dotted_get",
    "inferred",
    "load_schema",
    "observed",
    "unverified",
]
