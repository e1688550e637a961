"""Cashfree Payments, PG "Payment Links" API: cancel a payment link.

Sources are cited per fact, at the levels of the README's evidence policy; the vendor bodies
and statements that guard these facts are in ``contracts/evidence/cashfree/``.
"""

from payconform.contract import (
    ApiVersion,
    Auth,
    Candidate,
    CreateSpec,
    EntitySpec,
    ErrorSpec,
    Expectation,
    FixtureLink,
    HeaderSpec,
    Operation,
    Outcome,
    Status,
    StatusKind,
    build,
    documented,
    inferred,
    observed,
    unverified,
)

SPEC = "cashfree/cashfree-pg api/openapi.yaml@d02bb8049256014aff2949a40395b0ec459ba1c5"
SDK_DOCS = "cashfree/cashfree-pg docs/PaymentLinksAPI.md@a600a39dd1c1f5836b939fac02603d29a0bd3a36"
LIFECYCLE = "http://docs.cashfree.com/docs/payment-links-lifecycle"
NODE_TEST = (
    "cashfree/cashfree-pg-sdk-nodejs tests/orders.test.ts@09a6ae4cd2e323628676aac580f04e202d338a9b"
    " (live sandbox, x-api-version 2023-08-01)"
)
SPEAKEASY_400 = (
    "speakeasy-sdks/python-sdk-full src/pg_latest/payment_links.py@78bc18b50c71a384a598e05efc618c53"
    "ded8a8ad (400 -> LinkCancelledError)"
)
GO_TEST = (
    "cashfree/cashfree-pg links_test.go@a600a39dd1c1f5836b939fac02603d29a0bd3a36 lines 509-519 "
    "(sandbox integration test: x-client-id 'unauthorised' -> 401)"
)
# The official Java SDK's docs of the 2022-01-01 API: the 400 of cancel is the refusal of a link
# in any status but ACTIVE.
JAVA_SDK_400 = (
    "cashfree/cashfree-pg-sdk-java docs/PaymentLinksApi.md@98f17a8b9fdf56128d052620cb632f52411f3aa9"
    " line 80: '400 | Cannot cancel Payment Link if status is not ACTIVE'"
)
SDK_ERROR_DOCS = (
    "speakeasy-sdks/typescript-sdk-full docs/sdk/models/operations/cancelpaymentlinkresponse.md"
    "@48f7e5ac0283cbf6c27a15426d6a733bc6cab5a2 (Cashfree SDK generated from the vendor spec): "
    "linkCancelledError 'Cannot cancel Payment Link if status is not ACTIVE', example "
    "{message: 'Only link in ACTIVE state can be cancelled', code: link_not_active, "
    "type: invalid_request_error}"
)
SECURITY = f"{SPEC} PGCancelLink security: x-client-id with x-client-secret (or another documented pair)"
ERRORS_PAGE = "https://www.cashfree.com/docs/api-reference/payments/errors.md"

NOT_ACTIVE = {
    "message": "Only link in ACTIVE state can be cancelled",
    "code": "link_not_active",
    "type": "invalid_request_error",
}
STATUS_400 = documented(f"{JAVA_SDK_400}; {SPEAKEASY_400}")
ONLY_ACTIVE = documented(
    f"{SPEC} operation PGCancelLink: 'Only a link in ACTIVE status can be cancelled.'"
)


def _rejected(*, error_evidence: str) -> Expectation:
    """A cancel of a link in any status but ACTIVE: refused with 400 link_not_active."""
    error_source = (
        observed(NODE_TEST, "captured body; the cancelled link was reused across runs")
        if error_evidence == "observed"
        else documented(SDK_ERROR_DOCS)
    )
    return Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=documented(f"{ONLY_ACTIVE.citation}; {JAVA_SDK_400}"),
        http_status=400,
        http_status_source=STATUS_400,
        error=NOT_ACTIVE,
        error_source=error_source,
    )


# The spec marks x-api-version required but gives it a default (2025-01-01), and the Go SDK
# refuses a missing one client-side (links_test.go "api version missing"): what the server answers
# to a missing or malformed value is not stated anywhere.
_HEADER_CANDIDATES = (
    Candidate(label="400 invalid_request_error", outcome=Outcome.INVALID_REQUEST, http_status=400,
              error={"type": "invalid_request_error"}),
    Candidate(label="401 authentication_error", outcome=Outcome.UNAUTHORIZED, http_status=401),
    Candidate(label="accepted: the spec's default version (2025-01-01) applies",
              outcome=Outcome.CANCELLED, http_status=200),
)
_HEADER_MISSING = Expectation(
    outcome=Outcome.REJECTED,
    source=unverified(
        f"{SPEC} cancel parameters: x-api-version required: true with schema default 2025-01-01; "
        "the server's answer to a request without it is not stated (the Go SDK refuses "
        "client-side, cashfree/cashfree-pg links_test.go 'api version missing')"
    ),
    candidates=_HEADER_CANDIDATES,
)

CONTRACT = build(
    "cashfree",
    display_name="Cashfree Payments (PG Payment Links)",
    summary="POST /links/{link_id}/cancel; only ACTIVE links; repeat cancel is a 400 link_not_active.",
    base_urls={
        "sandbox": "https://sandbox.cashfree.com/pg",
        "production": "https://api.cashfree.com/pg",
    },
    base_url_source=documented(f"{SPEC} servers; cashfree/cashfree-pg configuration.go@HEAD l.202-206"),
    production_hosts=("api.cashfree.com",),
    auth=Auth(
        scheme="headers",
        credentials={"client_id": "CASHFREE_CLIENT_ID", "client_secret": "CASHFREE_CLIENT_SECRET"},
        secret_credentials=("client_id", "client_secret"),
        headers={"x-client-id": "client_id", "x-client-secret": "client_secret"},
        simulator_credentials={
            "client_id": "TEST-payconform-sim-app-id",
            "client_secret": "TEST-payconform-sim-secret",
        },
        # Refused at all: documented (the operation's security requires credentials). Refused
        # as what, with which status: the evidence of each part.
        missing=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=documented(SECURITY),
            outcome_source=inferred(
                f"{SPEC} cancel responses declare 401 AuthenticationError; the missing-credentials"
                " case itself is not described"
            ),
            http_status=401,
            http_status_source=inferred(f"{SPEC} cancel responses declare 401 AuthenticationError"),
            error={"type": "authentication_error"},
            error_source=inferred(f"{SPEC} AuthenticationError example (type authentication_error)"),
        ),
        invalid=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=documented(SECURITY),
            outcome_source=observed(GO_TEST),
            http_status=401,
            http_status_source=observed(f"{GO_TEST}; {SPEC} declares 401 AuthenticationError"),
            error={"type": "authentication_error"},
            error_source=documented(f"{SPEC} AuthenticationError example"),
        ),
        source=documented("https://www.cashfree.com/docs/api-reference/authentication.md"),
    ),
    headers=(
        HeaderSpec(
            name="x-api-version",
            required=True,
            value="api_version",
            pattern=r"\d{4}-\d{2}-\d{2}",
            malformed="01-09-2022",
            missing=_HEADER_MISSING,
            invalid=_HEADER_MISSING.model_copy(update={"source": unverified(
                f"{SPEC}: x-api-version 'Format is in YYYY-MM-DD' (SDK docs); the server's answer "
                "to another format is not stated"
            )}),
            source=documented(f"{SPEC} cancel op parameters"),
        ),
        HeaderSpec(
            name="x-request-id",
            required=False,
            value="uuid",
            source=documented(f"{SPEC} cancel op parameters (optional)"),
        ),
        HeaderSpec(
            name="x-idempotency-key",
            required=False,
            value="uuid",
            # Replays the first answer for a reused key (speakeasy-sdks/cashfree-go
            # openapi.yaml@bf64db5 xIdempotencyKeyHeader).
            idempotency_key=True,
            source=documented(f"{SPEC} cancel op parameters (optional, format UUID)"),
        ),
    ),
    api_versions=(
        ApiVersion(
            name="2022-09-01",
            entity_schema_file="cashfree-link-entity-2022-09-01.json",
            template_overrides={"cf_link_id": "$seq"},
            source=documented("speakeasy-sdks/cashfree-go openapi.yaml@bf64db5 (cf_link_id integer)"),
        ),
        ApiVersion(
            name="2023-08-01",
            entity_schema_file="cashfree-link-entity-2025-01-01.json",
            # The version exists (docs pages, SDK defaults), but no published schema or example
            # gives its body shape: the 2025-01-01 LinkEntity is assumed.
            source=inferred(
                "https://cashfree.com/docs/api-reference/payments/previous/v2023-08-01/payment-links/"
                "cancel; cashfree/cashfree-pg-sdk-java docs/PaymentLinksApi.md (default 2023-08-01)",
                "no source gives the 2023-08-01 body shape; the 2025-01-01 LinkEntity is assumed",
            ),
        ),
        ApiVersion(
            name="2025-01-01",
            entity_schema_file="cashfree-link-entity-2025-01-01.json",
            source=documented(f"{SPEC} info.version (cf_link_id string)"),
        ),
        ApiVersion(
            name="2026-01-01",
            entity_schema_file="cashfree-link-entity-2025-01-01.json",
            source=documented("cashfree/cashfree-pg configuration.go@HEAD XApiVersion"),
        ),
    ),
    default_api_version="2025-01-01",
    statuses=(
        Status(name="ACTIVE", kind=StatusKind.OPEN, source=documented(LIFECYCLE), reachable_by_api=True),
        Status(name="PAID", kind=StatusKind.PAID, source=documented(LIFECYCLE)),
        Status(name="PARTIALLY_PAID", kind=StatusKind.PARTIALLY_PAID, source=documented(LIFECYCLE)),
        Status(name="EXPIRED", kind=StatusKind.EXPIRED, source=documented(LIFECYCLE)),
        Status(name="CANCELLED", kind=StatusKind.CANCELLED, source=documented(LIFECYCLE),
               reachable_by_api=True),
    ),
    initial_status="ACTIVE",
    cancelled_status="CANCELLED",
    create=CreateSpec(
        operation=Operation(method="POST", path="/links"),
        body={
            "link_id": "$new_id",
            "link_amount": "$amount",
            "link_currency": "$currency",
            "link_purpose": "payconform conformance check",
            "customer_details": {
                "customer_phone": "9999999999",
                "customer_name": "Payconform Test",
                "customer_email": "test@example.com",
            },
            "link_partial_payments": False,
            "link_notify": {"send_sms": False, "send_email": False},
            "link_auto_reminders": False,
            "link_notes": {"payconform_run": "$run_tag"},
            "link_meta": {"upi_intent": "false"},
        },
        id_from="link_id",
        id_max_length=50,
        id_pattern=r"[A-Za-z0-9_-]+",
        amount_path="link_amount",
        currency_path="link_currency",
        tag_path="link_notes.payconform_run",
        source=documented(f"{SPEC} CreateLinkRequest (link_id merchant-provided, 'Alphanumeric and "
                          "only - and _ allowed (50 character limit)', maxLength 50)"),
    ),
    fetch=Operation(method="GET", path="/links/{id}"),
    fetch_source=documented(SDK_DOCS),
    cancel=Operation(method="POST", path="/links/{id}/cancel"),
    cancel_source=documented(f"{SDK_DOCS}; {SPEC} operationId PGCancelLink (no request body)"),
    cancel_outcomes={
        "ACTIVE": Expectation(
            outcome=Outcome.CANCELLED,
            source=documented(f"{SPEC} PGCancelLink; {LIFECYCLE}: ACTIVE can go to CANCELLED"),
            http_status=200,
        ),
        "PAID": _rejected(error_evidence="documented"),
        "EXPIRED": _rejected(error_evidence="documented"),
        "PARTIALLY_PAID": _rejected(error_evidence="documented"),
    },
    repeat_cancel=_rejected(error_evidence="observed"),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=unverified(
            f"no source states the answer to a cancel of an unknown id; fetch answers "
            f"link_not_found ({NODE_TEST}); the Go SDK's fetch of 'invalid' accepts 400 or 404 "
            "(cashfree/cashfree-pg links_test.go@a600a39 assertStatusOneOf); a commented-out Go "
            "cancel test expected 422"
        ),
        candidates=(
            Candidate(
                label="404 link_not_found (as fetch)",
                outcome=Outcome.NOT_FOUND,
                http_status=404,
                error={
                    "message": "No request found with link Id {id}",
                    "code": "link_not_found",
                    "type": "invalid_request_error",
                },
            ),
            Candidate(label="400 link_not_found", outcome=Outcome.NOT_FOUND, http_status=400,
                      error={"code": "link_not_found"}),
            Candidate(label="422 (commented-out Go test)", outcome=Outcome.INVALID_REQUEST,
                      http_status=422),
        ),
    ),
    unknown_id_example="pc_unknown_link_0000",
    entity=EntitySpec(
        id_field="link_id",
        status_field="link_status",
        immutable_fields=("link_id", "cf_link_id", "link_amount", "link_currency", "link_created_at"),
        timestamp_format="iso8601_ist",
        template={
            "cf_link_id": "$seq_str",
            "link_id": "$id",
            "link_status": "$status",
            "link_currency": "$currency",
            "link_amount": "$amount",
            "link_amount_paid": "$amount_paid",
            "link_partial_payments": "$req.link_partial_payments",
            "link_minimum_partial_amount": "$req.link_minimum_partial_amount",
            "link_purpose": "$req.link_purpose",
            "link_created_at": "$created_at",
            "customer_details": "$req.customer_details",
            "link_meta": "$req.link_meta",
            "link_url": "https://payments-test.cashfree.com/links/${token}",
            "link_expiry_time": "$expire_at",
            "link_notes": "$req.link_notes",
            "link_auto_reminders": "$req.link_auto_reminders",
            "link_notify": "$req.link_notify",
        },
    ),
    error=ErrorSpec(
        template={"message": "", "code": "request_failed", "type": "invalid_request_error"},
        outcomes={
            "link_not_active": Outcome.NOT_CANCELLABLE,
            "link_not_found": Outcome.NOT_FOUND,
        },
        http_outcomes={401: Outcome.UNAUTHORIZED, 404: Outcome.NOT_FOUND, 429: Outcome.RATE_LIMITED},
        schema_file="cashfree-error.json",
        source=documented(f"{SPEC} error schemas; {ERRORS_PAGE}"),
    ),
    scrub_body_fields=("customer_name", "customer_phone", "customer_email"),
    # 0 within the limit, 1-59 seconds when breached (SPEC components.headers, line ~19370).
    retry_hint_headers=("x-ratelimit-retry",),
    fixtures=(
        FixtureLink(status="PAID", env="CASHFREE_PAID_LINK_ID"),
        FixtureLink(status="PARTIALLY_PAID", env="CASHFREE_PARTIALLY_PAID_LINK_ID"),
        FixtureLink(status="EXPIRED", env="CASHFREE_EXPIRED_LINK_ID"),
    ),
    notes=(
        "The latest docs example for cancel shows link_status ACTIVE (a reused LinkEntity "
        "example); the 2022-09-01 LinkCancelledResponse example shows CANCELLED.",
        "Sandbox key prefix 'TEST' appears in an SDK example but is not a documented rule.",
    ),
)
