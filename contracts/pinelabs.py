"""Pine Labs Online (Plural), Pay by Link API v3: cancel a payment link.

Sources are cited per fact, at the levels of the README's evidence policy; the vendor bodies
and statements that guard them are in ``contracts/evidence/pinelabs/``. The vendor's own
OpenAPI for the cancel operation ships as ``contracts/openapi/pinelabs-cancel.json`` (verbatim;
provenance in ``contracts/openapi/README.md``).
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
    unverified,
)

CANCEL_PAGE = (
    "https://developer.pinelabsonline.com/reference/payment-link-cancel.md (embedded OpenAPI "
    "3.1.0 'order' v3.0, operationId payment-link-cancel; contracts/openapi/pinelabs-cancel.json)"
)
CANCEL_SCHEMA_PAGE = "https://www.pinelabs.com/docs/online-payments/api/payment-links/cancel-payment-link"
GET_PAGE = "https://www.pinelabs.com/docs/online-payments/api/payment-links/get-payment-link-by-id.md"
GET_HEADERS_PAGE = "https://developer.pinelabsonline.com/reference/payment-link-get-by-payment-link-id"
CREATE_PAGES = (
    "https://www.pinelabs.com/docs/online-payments/api/payment-links/create-payment-link; "
    "https://developer.pinelabsonline.com/reference/payment-link-create"
)
OBJECT_PAGE = "https://developer.pinelabsonline.com/reference/pay-by-links-object"
TOKEN_PAGE = "https://developer.pinelabsonline.com/docs/pre-authorization-flow"
ERROR_PAGE = "https://www.pinelabs.com/docs/online-payments/developer-tools/error-codes"
CODE_TABLE = "https://developer.pinelabsonline.com/docs/list-of-error-codes"
MCP = "plural-pinelabs/pinelabs-online-mcp@e857e445a82546c027608612fbeae627c7029d42"
MCP_CANCEL_TOOL = (
    f"{MCP} pkg/pinelabs/payment_links.py line 364 (official Pine Labs MCP): 'Only links with "
    "status CREATED can be cancelled. Returns the updated payment link details with status "
    "CANCELLED.'"
)
MCP_MOCK_422 = f"{MCP} tests/test_payment_links.py: mocked PineLabsAPIError(422, 'INVALID_STATE')"
MCP_MOCK_409 = f"{MCP} tests/test_payment_links_tool.py: mocked 409 UPSTREAM_CONFLICT"
# What the vendor does not publish: the cancel OpenAPI declares only 200 and 500, and no page
# describes a 4xx answer of cancel.
NOTES = f"no Pine Labs page or OpenAPI describes it ({CANCEL_PAGE} declares only 200 and 500)"

# Refusal variants seen anywhere; none is documented for cancel (the two MCP ones are test
# mocks, not vendor behaviour; INVALID_REQUEST is the documented code of a 400).
_REFUSALS = (
    Candidate(label="422 INVALID_STATE (MCP test mock 'Already paid', not vendor behaviour)",
              outcome=Outcome.REJECTED, http_status=422, error={"code": "INVALID_STATE"}),
    Candidate(label="409 UPSTREAM_CONFLICT (MCP test mock 'Already cancelled', not vendor "
              "behaviour)", outcome=Outcome.REJECTED, http_status=409,
              error={"code": "UPSTREAM_CONFLICT"}),
    Candidate(label="400 INVALID_REQUEST (documented code of a 400; not stated for cancel)",
              outcome=Outcome.REJECTED, http_status=400, error={"code": "INVALID_REQUEST"}),
)


def _refused(status: str) -> Expectation:
    """Only CREATED is cancellable (the vendor's official MCP server); how the refusal reads is
    unverified. The vendor's own MCP server is a vendor artefact, so the refusal is documented.
    """
    return Expectation(
        outcome=Outcome.REJECTED,
        source=documented(MCP_CANCEL_TOOL, f"so a {status} link is refused"),
        http_status=422,
        http_status_source=unverified(f"{NOTES}: the error for a non-cancelable link is "
                                      f"UNVERIFIED; 422 is the status of {MCP_MOCK_422}"),
        error={"code": "INVALID_STATE"},
        error_source=unverified(f"{MCP_MOCK_422} (a mock, not documented behaviour)"),
        candidates=_REFUSALS,
    )


def _header_probe(name: str, problem: str) -> Expectation:
    """A documented header whose enforcement nobody states: probe it, report what happens.

    The vendor's OpenAPI does not mark the header required, so the simulator accepts a request
    without it (a request the vendor's own OpenAPI allows is never refused by the double); a
    malformed value is refused.
    """
    candidates = (
        Candidate(label=f"accepted: a {problem} {name} is ignored and the cancel succeeds",
                  outcome=Outcome.CANCELLED, http_status=200),
        Candidate(label=f"refused: 400 INVALID_REQUEST for a {problem} {name}",
                  outcome=Outcome.INVALID_REQUEST, http_status=400,
                  error={"code": "INVALID_REQUEST"}),
    )
    return Expectation(
        outcome=Outcome.REJECTED,
        source=unverified(
            f"{CANCEL_PAGE}: {name} is a documented header parameter but not marked required; "
            f"no page says how the server treats a {problem} one"
        ),
        candidates=candidates if problem == "missing" else candidates[::-1],
    )


_AUTH_CANDIDATES = (
    Candidate(label="401 (status and body unverified)", outcome=Outcome.UNAUTHORIZED,
              http_status=401),
    Candidate(label="422 USER_AUTHENTICATION_FAILED (documented code table; not stated for "
              "API tokens)", outcome=Outcome.UNAUTHORIZED, http_status=422,
              error={"code": "USER_AUTHENTICATION_FAILED"}),
)
_AUTH_BODY = unverified(f"{NOTES}: 401/404 bodies are UNVERIFIED; the simulator's code is a "
                        "placeholder")


def _auth_refusal(case: str) -> Expectation:
    """Refused at all: documented (Authorization is required). Refused how: unverified.

    The outcome is any refusal (REJECTED): which one, with which status and code, is listed in
    the candidates, since no page describes the answer.
    """
    return Expectation(
        outcome=Outcome.REJECTED,
        source=documented(
            f"{CANCEL_PAGE}: Authorization 'Bearer <access_token>' is required (required: true) "
            f"and tokens expire ({TOKEN_PAGE}: expires_in 3600); the answer to {case} is not "
            "described and the OpenAPI declares no 4xx"
        ),
        http_status=401,
        http_status_source=_AUTH_BODY,
        error={"code": "UNAUTHORIZED"},
        error_source=_AUTH_BODY,
        candidates=_AUTH_CANDIDATES,
    )


CONTRACT = build(
    "pinelabs",
    display_name="Pine Labs Online (Plural) Pay by Link v3",
    summary="PUT /pay/v1/paymentlink/{id}/cancel with a Bearer token; only CREATED links; "
    "repeat cancel and error bodies unverified.",
    # The OpenAPI server is .../api and its paths start /pay/v1; the environment table gives
    # https://pluraluat.v2.pinepg.in/api/pay/v1/paymentlink/{payment_link_id}/cancel in full.
    base_urls={
        "sandbox": "https://pluraluat.v2.pinepg.in/api",
        "production": "https://api.pluralpay.in/api",
    },
    base_url_source=documented(
        f"{CANCEL_PAGE} environment table (UAT and PROD) and servers; {MCP} pkg/pinelabs/config.py"
    ),
    production_hosts=("api.pluralpay.in",),
    auth=Auth(
        scheme="bearer_token",
        credentials={"client_id": "PINELABS_CLIENT_ID", "client_secret": "PINELABS_CLIENT_SECRET"},
        secret_credentials=("client_id", "client_secret"),
        token_endpoint=Operation(method="POST", path="/auth/v1/token"),
        token_request={
            "client_id": "client_id",
            "client_secret": "client_secret",
            "grant_type": "=client_credentials",
        },
        token_field="access_token",
        expires_field="expires_in",
        token_ttl_seconds=3600,
        # UUID-shaped like real client ids (the official MCP client checks that shape).
        simulator_credentials={
            "client_id": "0c0ffee0-5eed-4a11-8000-00000000c0de",
            "client_secret": "payconform-sim-client-secret",
        },
        missing=_auth_refusal("a request without Authorization"),
        invalid=_auth_refusal("an unknown or expired token"),
        source=documented(f"{TOKEN_PAGE} (POST /api/auth/v1/token, client_credentials, "
                          f"access_token + expires_in); {CANCEL_PAGE} Authorization header"),
    ),
    headers=(
        HeaderSpec(
            name="Request-ID",
            required=False,
            value="uuid",
            max_length=50,
            malformed="r" * 51,
            missing=_header_probe("Request-ID", "missing"),
            invalid=_header_probe("Request-ID", "51-character"),
            source=documented(f"{CANCEL_PAGE}; {GET_HEADERS_PAGE}: a GUID, minimum 1 and "
                              "maximum 50 characters"),
        ),
        HeaderSpec(
            name="Request-Timestamp",
            required=False,
            value="timestamp",
            pattern=r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z",
            malformed="09/07/2024 07:57:08",
            missing=_header_probe("Request-Timestamp", "missing"),
            invalid=_header_probe("Request-Timestamp", "non-ISO 8601"),
            source=documented(f"{CANCEL_PAGE}: ISO 8601 UTC, e.g. 2024-07-09T07:57:08.022Z"),
        ),
        HeaderSpec(
            name="Content-Type",
            required=False,
            value="application/json",
            send_always=True,
            source=documented(f"{CANCEL_PAGE}: possible value application/json; {MCP} "
                              "pkg/pinelabs/client.py sends it on every call, body or not"),
        ),
        HeaderSpec(
            name="Idempotency-Key",
            required=False,
            value="uuid",
            source=unverified(f"{MCP} pkg/pinelabs/client.py lines 150-166 send it on writes; "
                              f"whether the server honours it on cancel is UNVERIFIED ({NOTES})"),
        ),
    ),
    api_versions=(
        ApiVersion(
            name="3.0",
            entity_schema_file="pinelabs-payment-link.json",
            source=documented(f"{CANCEL_PAGE} info.version 3.0 and cancel 200 schema; "
                              f"{OBJECT_PAGE}; {CANCEL_SCHEMA_PAGE}"),
        ),
    ),
    default_api_version="3.0",
    statuses=(
        Status(name="CREATED", kind=StatusKind.OPEN, source=documented(CANCEL_SCHEMA_PAGE),
               reachable_by_api=True),
        Status(name="CLICKED", kind=StatusKind.OPEN, source=documented(CANCEL_SCHEMA_PAGE)),
        Status(name="PAYMENT_INITIATED", kind=StatusKind.PROCESSING,
               source=documented(CANCEL_SCHEMA_PAGE)),
        Status(name="PROCESSED", kind=StatusKind.PAID, source=documented(CANCEL_SCHEMA_PAGE)),
        Status(name="PARTIAL_PROCESSED", kind=StatusKind.PARTIALLY_PAID,
               source=documented(CANCEL_SCHEMA_PAGE)),
        Status(name="EXPIRED", kind=StatusKind.EXPIRED, source=documented(CANCEL_SCHEMA_PAGE)),
        Status(name="CANCELLED", kind=StatusKind.CANCELLED, source=documented(CANCEL_SCHEMA_PAGE),
               reachable_by_api=True),
    ),
    initial_status="CREATED",
    cancelled_status="CANCELLED",
    create=CreateSpec(
        operation=Operation(method="POST", path="/pay/v1/paymentlink"),
        body={
            "amount": {"value": "$amount", "currency": "$currency"},
            "merchant_payment_link_reference": "$new_id",
            "description": "payconform conformance check",
            "customer": {
                "email_id": "test@example.com",
                "first_name": "Payconform",
                "last_name": "Test",
                "mobile_number": "9999999999",
                "country_code": "91",
            },
            "merchant_metadata": {"payconform_run": "$run_tag"},
        },
        # The create page gives no HTTP status; 200 is the simulator's.
        success_status=200,
        required_fields=("amount.value", "amount.currency", "merchant_payment_link_reference"),
        id_template="pl-v1-{utc:%y%m%d%H%M%S}-aa-{alnum:6}",
        id_max_length=50,
        amount_path="amount.value",
        currency_path="amount.currency",
        tag_path="merchant_metadata.payconform_run",
        idempotency_field="merchant_payment_link_reference",
        source=documented(
            f"{CREATE_PAGES}: merchant_payment_link_reference is required (the 'Idempotency "
            f"Key'); ids are server-generated like pl-v1-250306082755-aa-uT0noy ({OBJECT_PAGE})"
        ),
    ),
    fetch=Operation(method="GET", path="/pay/v1/paymentlink/{id}"),
    fetch_source=documented(f"{GET_PAGE} (responses 200 and 500)"),
    cancel=Operation(method="PUT", path="/pay/v1/paymentlink/{id}/cancel"),
    cancel_source=documented(
        f"{CANCEL_PAGE}: PUT, no requestBody; {MCP} pkg/pinelabs/payment_links.py calls "
        "client.put() without a payload"
    ),
    cancel_outcomes={
        "CREATED": Expectation(
            outcome=Outcome.CANCELLED,
            source=documented(
                f"{MCP_CANCEL_TOOL}; the create example (status CREATED, {OBJECT_PAGE}) and the "
                f"cancel 200 example (status CANCELLED, {CANCEL_PAGE}) show the same link"
            ),
            http_status=200,
            http_status_source=documented(f"{CANCEL_PAGE} responses.200"),
        ),
        "PAYMENT_INITIATED": _refused("PAYMENT_INITIATED"),
        "PROCESSED": _refused("PROCESSED"),
        "PARTIAL_PROCESSED": _refused("PARTIAL_PROCESSED"),
        "EXPIRED": _refused("EXPIRED"),
        # Contested: the official MCP says only CREATED (played here); a third-party client
        # comment says "CREATED/CLICKED only".
        "CLICKED": Expectation(
            outcome=Outcome.REJECTED,
            source=unverified(f"{NOTES}: cancel of CLICKED is UNVERIFIED ({MCP_CANCEL_TOOL} vs. "
                              "a third-party client comment 'CREATED/CLICKED only')"),
            candidates=(
                *_REFUSALS,
                Candidate(label="cancelled (third-party client comment 'CREATED/CLICKED only')",
                          outcome=Outcome.CANCELLED, http_status=200),
            ),
        ),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.REJECTED,
        source=unverified(f"{NOTES}: repeat-cancel behaviour is UNVERIFIED"),
        candidates=(
            _REFUSALS[1],
            _REFUSALS[0],
            _REFUSALS[2],
            Candidate(label="200 no-op: the link stays CANCELLED (PUT is idempotent in HTTP)",
                      outcome=Outcome.ALREADY_CANCELLED, http_status=200),
        ),
    ),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=unverified(f"{NOTES}: 401/404 bodies are UNVERIFIED; cancel of an unknown id is "
                          "not described"),
        candidates=(
            Candidate(label="404 (status and body unverified)", outcome=Outcome.NOT_FOUND,
                      http_status=404),
            Candidate(label="400 INVALID_REQUEST (documented code of a 400)",
                      outcome=Outcome.INVALID_REQUEST, http_status=400,
                      error={"code": "INVALID_REQUEST"}),
            Candidate(label="422 (status of most documented business errors)",
                      outcome=Outcome.REJECTED, http_status=422),
        ),
    ),
    unknown_id_example="pl-v1-250101000000-aa-PCnone",
    entity=EntitySpec(
        id_field="payment_link_id",
        status_field="status",
        cancelled_at_field="cancelled_at",
        updated_at_field="updated_at",
        immutable_fields=("payment_link_id", "amount.value", "amount.currency",
                          "merchant_payment_link_reference", "created_at"),
        timestamp_format="iso8601_ms_z",
        # The create example has no cancelled_at and no null fields: absent, not null.
        omit_when_null=("cancelled_at", "description", "customer", "merchant_metadata"),
        template={
            "payment_link": "https://shortener.v2.pinepg.in/PLUTUS/${token}",
            "payment_link_id": "$id",
            "status": "$status",
            "amount": {"value": "$amount", "currency": "$currency"},
            "amount_due": {"value": "$amount_due", "currency": "$currency"},
            "order_id": "v1-${seq}-aa-${token}",
            "merchant_payment_link_reference": "$req.merchant_payment_link_reference",
            "description": "$req.description",
            "expire_by": "$expire_at",
            "customer": "$req.customer",
            "merchant_metadata": "$req.merchant_metadata",
            "created_at": "$created_at",
            "updated_at": "$updated_at",
            "cancelled_at": "$cancelled_at",
        },
    ),
    error=ErrorSpec(
        template={"code": "INVALID_REQUEST", "message": ""},
        # Only documented codes; the MCP mock codes (INVALID_STATE, UPSTREAM_CONFLICT) are
        # left to the HTTP status on purpose.
        outcomes={
            "INTERNAL_ERROR": Outcome.PROVIDER_ERROR,
            "USER_AUTHENTICATION_FAILED": Outcome.UNAUTHORIZED,
            "PAYMENT_RATE_LIMIT": Outcome.RATE_LIMITED,
        },
        schema_file="pinelabs-error.json",
        source=documented(f"{ERROR_PAGE} (code, message, additional_error_details); {CODE_TABLE}; "
                          f"{CANCEL_PAGE} responses.500 (additionalErrorPayload)"),
    ),
    scrub_body_fields=("email_id", "mobile_number", "first_name", "last_name"),
    fixtures=(
        FixtureLink(status="CLICKED", env="PINELABS_CLICKED_LINK_ID"),
        FixtureLink(status="PAYMENT_INITIATED", env="PINELABS_PAYMENT_INITIATED_LINK_ID"),
        FixtureLink(status="PROCESSED", env="PINELABS_PROCESSED_LINK_ID"),
        FixtureLink(status="PARTIAL_PROCESSED", env="PINELABS_PARTIAL_PROCESSED_LINK_ID"),
        FixtureLink(status="EXPIRED", env="PINELABS_EXPIRED_LINK_ID"),
    ),
    notes=(
        "Finding: the vendor's expire_by example '2025-03-21T08:29Z' (cancel 200 and create "
        "examples) has no seconds, so it is not RFC 3339. Decision: the schema accepts ISO 8601 "
        "with or without seconds for expire_by only; created_at, updated_at and cancelled_at must "
        "be RFC 3339; the simulator prints RFC 3339 with milliseconds everywhere.",
        "Finding: error objects carry additional_error_details (error-codes page) or "
        "additionalErrorPayload (cancel 500 example, official MCP client); the schema accepts "
        "both. The cancel 500 example says step PAYMENT_CREATION.",
        "Finding: the cancel 200 example keeps amount_due.value 100 on a cancelled link, its "
        "product_amount (1200000) differs from amount (100), and it misspells adddress_type.",
        "The OpenAPI declares only 200 and 500 for cancel; every 4xx answer is unverified.",
        "Request-ID and Request-Timestamp are documented but not marked required (the vendor "
        "OpenAPI); the simulator accepts a request without them and refuses a malformed value "
        "until a recording says otherwise.",
        "merchant_payment_link_reference is the documented idempotency key of create; what a "
        "duplicate reference answers (DUPLICATE_REQUEST 422?) is not modelled.",
        "No official Pine Labs Python SDK exists to test against.",
    ),
)
