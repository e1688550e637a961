"""Cashfree Payments, PG "Payment Links" API: cancel a payment link.

Sources are cited per fact; evidence levels follow shared/provider-notes.md section 1.
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
GO_TEST = "cashfree/cashfree-pg links_test.go@HEAD lines 509-519 (x-client-id 'unauthorised' -> 401)"
ERRORS_PAGE = "https://www.cashfree.com/docs/api-reference/payments/errors.md"

NOT_ACTIVE = {
    "message": "Only link in ACTIVE state can be cancelled",
    "code": "link_not_active",
    "type": "invalid_request_error",
}
STATUS_400 = inferred(SPEAKEASY_400, "400 is strongly indicated but was not observed directly")
ONLY_ACTIVE = documented(
    f"{SPEC} operation PGCancelLink: 'Only a link in ACTIVE status can be cancelled.'"
)


def _rejected(source_note: str, *, error_evidence: str) -> Expectation:
    error_source = (
        observed(NODE_TEST, "captured body; the cancelled link was reused across runs")
        if error_evidence == "observed"
        else inferred(NODE_TEST, "same error as the captured repeat cancel (not stated for this status)")
    )
    return Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=ONLY_ACTIVE if not source_note else inferred(SPEC, source_note),
        http_status=400,
        http_status_source=STATUS_400,
        error=NOT_ACTIVE,
        error_source=error_source,
    )


_HEADER_MISSING = Expectation(
    outcome=Outcome.REJECTED,
    source=documented(f"{SPEC} cancel parameters: x-api-version required"),
    http_status=400,
    http_status_source=unverified("shared/provider-notes.md section 1: server response unverified"),
    error={"code": "request_failed", "type": "invalid_request_error"},
    error_source=unverified("the Go SDK fails client-side (links_test.go 'api version missing')"),
    candidates=(
        Candidate(label="400 invalid_request_error", outcome=Outcome.INVALID_REQUEST, http_status=400),
        Candidate(label="401 authentication_error", outcome=Outcome.UNAUTHORIZED, http_status=401),
    ),
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
        missing=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=inferred(
                f"{SPEC} cancel responses declare 401 AuthenticationError; the missing-credentials"
                " case itself is not described"
            ),
            http_status=401,
            error={"type": "authentication_error"},
        ),
        invalid=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=observed(GO_TEST),
            http_status=401,
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
            invalid=_HEADER_MISSING.model_copy(
                update={"source": documented(f"{SPEC}: x-api-version format is YYYY-MM-DD")}
            ),
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
            # Replays the first answer for a reused key (provider-notes section 1, Speakeasy spec).
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
            source=documented("https://cashfree.com/docs/api-reference/payments/previous/v2023-08-01/payment-links/cancel"),
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
        "PAID": _rejected("", error_evidence="inferred"),
        "EXPIRED": _rejected("", error_evidence="inferred"),
        "PARTIALLY_PAID": _rejected(
            "not stated for PARTIALLY_PAID; 'Only ... ACTIVE' implies it", error_evidence="inferred"
        ),
    },
    repeat_cancel=_rejected("", error_evidence="observed"),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=unverified(
            "shared/provider-notes.md section 1: cancel on an unknown id is unverified; fetch "
            f"answers link_not_found ({NODE_TEST}); a commented-out Go test expected 422"
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
