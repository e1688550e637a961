"""Commet ("unified payments API"): cancel a payment link.

Sources are cited per fact, at the levels of the README's evidence policy; the vendor bodies
and statements that guard them are in ``contracts/evidence/commet/``.
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
    Variant,
    build,
    documented,
    inferred,
    unverified,
)

REPO = "commet-labs/commet@4060f8f8e424e5a8b4b5ff7cb8e00aabecc46404"
CANCEL_PAGE = "https://commet.co/docs/api-reference/payments/cancel-payment"
PAYMENTS_MD = f"{REPO} packages/node/docs/api-reference/payments.md"
ONE_TIME = f"{REPO} packages/node/docs/documentation/payments/accept-one-time-payments.md"
HTTP_TS = f"{REPO} packages/node/src/utils/http.ts"
MODELS = f"{REPO} packages/node/src/types/models.ts lines 728-754 (Payment)"
ERRORS = f"{REPO} packages/node/docs/errors"
PY_SDK = "commet-sdk 9.7.0 on PyPI (commet-labs/commet-python)"
STATUS_NOTE = (
    f"{CANCEL_PAGE} prints six error bodies without status numbers; the mapping "
    "400/401/404/409/429/500 is inferred (the SDK retries 408/429/5xx; a test builds a 404 "
    "customer_not_found)"
)
# A sibling conflict_error is documented as a 409; payment_not_cancelable's own status is not.
CONFLICT_409 = (
    f"{PY_SDK} docs/documentation/invoicing/handle-failed-payments.md line 218: 'it returns "
    "`409` with `subscription_not_active`' (a conflict_error, docs/errors/"
    "subscription_not_active.md)"
)
# validation_error: the docs print 400, the SDK's tests and error class use 422.
VALIDATION_400 = (f"{PY_SDK} docs/documentation/subscriptions/pay-in-advance.md line 33: "
                  "'return `400 validation_error`'")
VALIDATION_422 = (f"{REPO} packages/node/src/__tests__/http.test.ts lines 171-202 (a 422 "
                  f"validation_error); {PY_SDK} commet/_exceptions.py CommetValidationError "
                  "status_code=422")
CANCEL_TEXT = (
    "'Cancel a pending payment link so it can no longer be paid. Only a link that has not been "
    "paid or started processing can be canceled; canceling an already canceled link is a "
    "no-op. Charges cannot be canceled.'"
)
ONLY_PENDING = documented(
    f"{CANCEL_PAGE}: {CANCEL_TEXT}; {ONE_TIME} Limitations: 'A link can only be canceled "
    "while `pending`'"
)
NOT_CANCELABLE = {"code": "payment_not_cancelable", "type": "conflict_error"}
NOT_CANCELABLE_DOC = documented(
    f"{ERRORS}/payment_not_cancelable.md: conflict_error, 'The payment's current state does "
    "not allow cancellation'"
)
STATUS_409 = inferred(f"{STATUS_NOTE}; {CONFLICT_409}")


def _refused() -> Expectation:
    """A cancel the state of the link does not allow (documented for processing / succeeded)."""
    return Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=ONLY_PENDING,
        http_status=409,
        http_status_source=STATUS_409,
        error=NOT_CANCELABLE,
        error_source=NOT_CANCELABLE_DOC,
    )


def _unsettled(status: str) -> Expectation:
    """failed / requires_action: the two vendor statements disagree, so both are candidates."""
    return Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=unverified(
            f"two vendor statements disagree: {ONE_TIME} says a link can "
            f"only be canceled while pending, but {CANCEL_PAGE} says 'not been paid or started "
            f"processing', and a {status} link is neither ('{status} is not terminal for links')"
        ),
        candidates=(
            Candidate(label="refused with payment_not_cancelable (only pending is cancellable)",
                      outcome=Outcome.NOT_CANCELLABLE, error=NOT_CANCELABLE),
            Candidate(label="cancelled (not paid and not processing)", outcome=Outcome.CANCELLED,
                      http_status=200),
        ),
    )


_VERSION_MISSING = Expectation(
    outcome=Outcome.CANCELLED,
    source=unverified(
        f"the SDK always sends commet-version ({HTTP_TS} lines 136-156); whether the server "
        "requires it is not documented there",
        f"{PY_SDK} docs/documentation/api-versioning.md resolves a version by 'Commet-Version "
        "header, ... Organization pin, Current version' (a fallback), so the simulator accepts",
    ),
    candidates=(
        Candidate(label="accepted: the organization's pinned (or the current) version applies",
                  outcome=Outcome.CANCELLED, http_status=200),
        Candidate(label="refused as a validation_error", outcome=Outcome.INVALID_REQUEST,
                  error={"code": "validation_error"}),
    ),
)

_VERSION_MALFORMED = Expectation(
    outcome=Outcome.INVALID_REQUEST,
    source=unverified(
        f"{PY_SDK} docs/documentation/api-versioning.md: 'Versions use the date they were "
        "released: YYYY-MM-DD'; the answer to a value in another format is not documented"
    ),
    # The official SDK's tests and error class answer validation_error with 422, the docs
    # with 400: both are candidates, and the simulator plays the SDK's.
    candidates=(
        Candidate(label="refused as a 422 validation_error (SDK tests and error class)",
                  outcome=Outcome.INVALID_REQUEST, http_status=422,
                  error={"code": "validation_error"}),
        Candidate(label="refused as a 400 validation_error (docs)",
                  outcome=Outcome.INVALID_REQUEST, http_status=400,
                  error={"code": "validation_error"}),
        Candidate(label="accepted: the organization's pinned (or the current) version applies",
                  outcome=Outcome.CANCELLED, http_status=200),
    ),
)

_UNAUTHORIZED = {"code": "unauthorized", "type": "authentication_error"}
_UNAUTHORIZED_DOC = documented(
    f"{ERRORS}/unauthorized.md: authentication_error; {PY_SDK} docs/errors/unauthorized.md: "
    "'The request does not contain a valid Commet API key.'"
)

CONTRACT = build(
    "commet",
    display_name="Commet (unified payments API)",
    summary="POST /payments/{id}/cancel; only pending links; a repeat cancel is a 200 no-op; "
    "charges cannot be cancelled.",
    # One host for sandbox and live: the key selects the environment.
    base_urls={
        "sandbox": "https://commet.co/api/v1",
        "production": "https://commet.co/api/v1",
    },
    base_url_source=documented(
        f"{HTTP_TS} lines 15, 330-345 (BASE_URL https://commet.co + /api/v1); "
        f"{REPO} packages/node/docs/documentation/create-api-key.md: 'Your API key selects one "
        "Commet organization and environment.'"
    ),
    # The host is shared by sandbox and live, so the production guard is the live key pattern.
    production_hosts=(),
    auth=Auth(
        scheme="headers",
        credentials={"api_key": "COMMET_API_KEY"},
        secret_credentials=("api_key",),
        headers={"x-api-key": "api_key"},
        simulator_credentials={"api_key": "ck_sandbox_payconform_simulator_key"},
        sandbox_key_patterns=(r"^ck_sandbox_", r"^ck_test_", r"^rk_sandbox_"),
        # A key with the Commet prefix that is not a known sandbox/test key counts as live.
        live_key_patterns=(r"^ck_(?!sandbox_|test_)", r"^rk_(?!sandbox_|test_)"),
        key_patterns_source=inferred(
            f"{REPO} create-api-key.md shows ck_sandbox_ keys; SDK tests use ck_test_; the SDK "
            "rejects keys not starting ck_ (packages/node/src/client.ts line 20)",
            "the node SDK repository names no live-key prefix (ck_live_ appears "
            "nowhere in the repo); the live guard 'a ck_/rk_ key that is not ck_sandbox_/"
            "ck_test_' is inferred",
        ),
        missing=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=_UNAUTHORIZED_DOC,
            http_status=401,
            http_status_source=inferred(STATUS_NOTE),
            error=_UNAUTHORIZED,
        ),
        invalid=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=_UNAUTHORIZED_DOC,
            http_status=401,
            http_status_source=inferred(STATUS_NOTE),
            error=_UNAUTHORIZED,
        ),
        source=documented(f"{CANCEL_PAGE}: ApiKeyAuth, x-api-key in header; {HTTP_TS} l.136-156"),
    ),
    headers=(
        HeaderSpec(
            name="commet-version",
            # Not documented as required, so the suite probes it (the 'missing' expectation
            # lists both behaviours); the official SDKs always send it, and so does the suite.
            required=False,
            send_always=True,
            value="api_version",
            pattern=r"\d{4}-\d{2}-\d{2}",
            malformed="31-07-2026",
            missing=_VERSION_MISSING,
            invalid=_VERSION_MALFORMED,
            source=documented(
                f"{HTTP_TS} lines 136-156 and packages/node/src/version.ts (API_VERSION); "
                f"{PY_SDK} commet/_shared.py build_headers"
            ),
        ),
        HeaderSpec(
            name="Idempotency-Key",
            required=False,
            value="uuid",
            idempotency_key=True,  # "safely retry this write ... without applying it twice"
            source=documented(
                f"{PAYMENTS_MD}: 'Unique key used to safely retry this write for 24 hours "
                f"without applying it twice.' (optional); {HTTP_TS} lines 136-156"
            ),
        ),
    ),
    api_versions=(
        ApiVersion(
            name="2026-07-31",
            entity_schema_file="commet-payment.json",
            source=documented(
                f"{REPO} packages/node/src/version.ts API_VERSION; {PAYMENTS_MD}; {MODELS}"
            ),
        ),
        ApiVersion(
            name="2026-08-27",
            entity_schema_file="commet-payment.json",
            # SDK 9.7.0 types paymentContext as required, null 'for historical payments'.
            template_overrides={"paymentContext": None},
            source=documented(
                f"{PY_SDK} commet/_shared.py API_VERSION = '2026-08-27'; its "
                "docs/documentation/api-versioning.md: 'The current version is `2026-08-27`.'; "
                "docs/schemas.md Payment (adds payment_context)"
            ),
        ),
    ),
    default_api_version="2026-08-27",
    statuses=(
        Status(name="pending", kind=StatusKind.OPEN, source=documented(ONE_TIME),
               reachable_by_api=True),
        Status(name="processing", kind=StatusKind.PROCESSING, source=documented(ONE_TIME)),
        Status(name="succeeded", kind=StatusKind.PAID, source=documented(ONE_TIME)),
        Status(name="requires_action", kind=StatusKind.ACTION_REQUIRED, source=documented(ONE_TIME)),
        Status(name="failed", kind=StatusKind.FAILED, source=documented(ONE_TIME)),
        Status(name="canceled", kind=StatusKind.CANCELLED,
               source=documented(f"{ONE_TIME}: 'The link was canceled before payment.'"),
               reachable_by_api=True),
    ),
    initial_status="pending",
    cancelled_status="canceled",
    create=CreateSpec(
        operation=Operation(method="POST", path="/payments"),
        body={
            "amount": "$amount",
            "currency": "usd",
            "description": "payconform conformance check",
            "metadata": {"payconform_run": "$run_tag"},
        },
        id_prefix="pay_",
        id_length=20,
        amount_path="amount",
        currency_path="currency",
        tag_path="metadata.payconform_run",
        source=documented(f"{PAYMENTS_MD} create (amount in cents, currency, description; "
                          "optional customerId, successUrl, metadata)"),
    ),
    fetch=Operation(method="GET", path="/payments/{id}"),
    fetch_source=documented(f"{PAYMENTS_MD} get"),
    cancel=Operation(method="POST", path="/payments/{id}/cancel"),
    cancel_source=documented(f"{CANCEL_PAGE}; {PAYMENTS_MD} cancel (no request body)"),
    cancel_outcomes={
        "pending": Expectation(
            outcome=Outcome.CANCELLED,
            source=ONLY_PENDING,
            http_status=200,
            http_status_source=inferred(
                f"{PAYMENTS_MD}: cancel returns Payment; the page prints no status number"
            ),
        ),
        "processing": _refused(),
        "succeeded": _refused(),
        "requires_action": _unsettled("requires_action"),
        "failed": _unsettled("failed"),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.ALREADY_CANCELLED,
        source=documented(f"{CANCEL_PAGE}: 'canceling an already canceled link is a no-op'"),
        http_status=200,
        http_status_source=inferred(
            "200 with the same canceled payment is inferred from the SDK return type Payment "
            f"({PAYMENTS_MD})"
        ),
        noop=True,
    ),
    variants=(
        Variant(
            name="charge",
            create=CreateSpec(
                operation=Operation(method="POST", path="/payments/charge"),
                body={
                    "customerId": "cus_payconform_simulator",
                    "amount": "$amount",
                    "currency": "usd",
                    "description": "payconform conformance check (charge)",
                    "metadata": {"payconform_run": "$run_tag"},
                },
                id_prefix="pay_",
                id_length=20,
                amount_path="amount",
                currency_path="currency",
                tag_path="metadata.payconform_run",
                source=documented(f"{PAYMENTS_MD} charge (customerId, amount, currency, "
                                  "description; creates kind 'charge')"),
            ),
            # The status a new charge reports is not documented; succeeded is the simulator's
            # choice (the refusal below holds for any status).
            initial_status="succeeded",
            template_overrides={"kind": "charge", "url": None, "expiresAt": None},
            cancel=Expectation(
                outcome=Outcome.NOT_CANCELLABLE,
                source=documented(f"{CANCEL_PAGE}: 'Charges cannot be canceled.'; {ONE_TIME} "
                                  "Limitations"),
                http_status=409,
                http_status_source=STATUS_409,
                error=NOT_CANCELABLE,
                error_source=inferred(
                    f"{ERRORS}/payment_not_cancelable.md speaks of the payment's 'current state'; "
                    "no page names the error for a charge"
                ),
            ),
            # A charge bills a customer's vaulted card: a live run cannot make one itself.
            reachable_by_api=False,
            fixture_env="COMMET_CHARGE_PAYMENT_ID",
            source=documented(f"{ONE_TIME} 'Link vs. charge'; {PAYMENTS_MD} charge"),
        ),
    ),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=documented(f"{ERRORS}/payment_not_found.md: not_found_error, 'The requested "
                          "payment does not exist in this organization.'"),
        http_status=404,
        http_status_source=inferred(STATUS_NOTE),
        error={"code": "payment_not_found", "type": "not_found_error"},
    ),
    unknown_id_example="pay_payconformunknown0000",
    entity=EntitySpec(
        path="data",
        envelope={"success": True},
        id_field="id",
        status_field="status",
        updated_at_field="updatedAt",
        immutable_fields=("id", "kind", "amountSubtotal", "taxAmount", "amountTotal", "currency",
                          "createdAt"),
        timestamp_format="iso8601_ms_z",
        template={
            "id": "$id",
            "customerId": "$req.customerId",
            "kind": "link",
            "status": "$status",
            "provider": "stripe",
            "amountSubtotal": "$amount",
            "taxAmount": 0,
            "amountTotal": "$amount",
            "currency": "$currency",
            "description": "$req.description",
            "metadata": "$req.metadata",
            "url": "https://commet.co/pay/${token}",
            "expiresAt": "$expire_at",
            "createdAt": "$created_at",
            "updatedAt": "$updated_at",
            "object": "payment",
            "livemode": "$livemode",
        },
    ),
    error=ErrorSpec(
        path="error",
        template={
            "success": False,
            "error": {
                "type": "validation_error",
                "code": "validation_error",
                "message": "",
                "param": None,
                "details": None,
                "doc_url": None,
            },
        },
        outcomes={
            "payment_not_cancelable": Outcome.NOT_CANCELLABLE,
            "payment_not_found": Outcome.NOT_FOUND,
            "not_found": Outcome.NOT_FOUND,
            "unauthorized": Outcome.UNAUTHORIZED,
            "forbidden": Outcome.UNAUTHORIZED,
            "validation_error": Outcome.INVALID_REQUEST,
            "rate_limited": Outcome.RATE_LIMITED,
            "internal_error": Outcome.PROVIDER_ERROR,
        },
        http_outcomes={401: Outcome.UNAUTHORIZED, 404: Outcome.NOT_FOUND,
                       422: Outcome.INVALID_REQUEST, 429: Outcome.RATE_LIMITED},
        schema_file="commet-error.json",
        source=documented(f"{CANCEL_PAGE} error bodies; {HTTP_TS} lines 245-285 (error.type, "
                          f"code, message, param, details, doc_url); {ERRORS}/index.md"),
    ),
    fixtures=(
        FixtureLink(status="processing", env="COMMET_PROCESSING_LINK_ID"),
        FixtureLink(status="succeeded", env="COMMET_PAID_LINK_ID"),
        FixtureLink(status="requires_action", env="COMMET_REQUIRES_ACTION_LINK_ID"),
        FixtureLink(status="failed", env="COMMET_FAILED_LINK_ID"),
    ),
    notes=(
        "HTTP statuses of every error are inferred (the cancel page prints none). The SDK test "
        "mocks answer validation_error with 422, not 400 (commet-labs/commet-python "
        "tests/test_errors.py; packages/node/src/__tests__/http.test.ts), and commet-sdk "
        "9.7.0 defaults CommetValidationError.status_code to 422.",
        "API versions: 2026-07-31 (node SDK @4060f8f, docs) and 2026-08-27 (commet-sdk 9.7.0, "
        "'the current version'). Docs drift also shows 2026-10-04 (errors/"
        "payment_not_cancelable.md @9515a5c) and 2026-06-10 (webhook example on commet.co); "
        "no SDK sends them and no Payment shape is published for them, so they are not modelled.",
        "commet-sdk 9.7.0 docs/documentation/create-api-key.md documents ck_live_ / rk_live_ "
        "(and rk_sandbox_) prefixes and says 'Existing ck_ keys remain valid'. The live guard "
        "treats any ck_/rk_ key that is not "
        "ck_sandbox_/ck_test_/rk_sandbox_ as live (inferred), which covers both.",
        "commet-sdk 9.7.0 docs/documentation/api-versioning.md makes commet-version optional "
        "(org pin, then current version) but no page says what a request without it answers, so it is an "
        "optional, probed header: headers.required reports OBSERVED and the simulator plays "
        "'accepted'.",
        "The payment url, provider ('stripe'), taxAmount 0, millisecond timestamps and the "
        "charge's 'succeeded' status are simulator choices, not vendor facts.",
    ),
)
