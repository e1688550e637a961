"""Xendit Invoices (the "payment link" product): expire an invoice (POST /invoices/{id}/expire!).

Sources are cited per fact. Xendit publishes no standalone OpenAPI document; the official
SDKs are generated from one, so their models and generated docs stand for it.
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
    Operation,
    Outcome,
    RateLimit,
    Status,
    StatusKind,
    build,
    documented,
    inferred,
    unverified,
)

SDK = "the official xendit-python 7.0.0 package (PyPI xendit-python)"
SDK_API = f"{SDK} xendit/invoice/invoice_api.py"
SDK_DOCS = "xendit/xendit-python docs/InvoiceApi.md@236f1fa8cb659c79eeb18f6e7a4c27956cbfdc91"
PHP_DOCS = "https://github.com/xendit/xendit-php/blob/master/docs/InvoiceApi.md"
API_DOCS = "https://docs.xendit.co/apidocs"
STATUSES = (f"{SDK} xendit/invoice/model/invoice_status.py (PENDING, PAID, SETTLED, EXPIRED); "
            "https://docs.xendit.co/xeninvoice/statuses")
REPEAT_ISSUE = ("https://github.com/xendit/xendit-php/issues/200 (a user's report, no maintainer "
                "reply: expiring an expired invoice answers 'Could not find and update PENDING "
                "invoice <id>')")
NOT_FOUND_MODEL = (f"{SDK} xendit/invoice/model/invoice_error404_response_definition.py "
                   "(error_code INVOICE_NOT_FOUND_ERROR); expire declares 404 'Not found' "
                   f"({SDK_DOCS})")

# Only a PENDING invoice is updated (the message names it), so any other status gets the
# same refusal; its HTTP status and code are not published anywhere.
_NOT_PENDING = {"message": "Could not find and update PENDING invoice {id}"}
_REFUSAL_STATUS = (
    Candidate(label="404 INVOICE_NOT_FOUND_ERROR (the SDK's 404 model)",
              outcome=Outcome.NOT_FOUND, http_status=404,
              error={"error_code": "INVOICE_NOT_FOUND_ERROR"}),
    Candidate(label="400 (a validation refusal)", outcome=Outcome.REJECTED, http_status=400),
)


def _paid(status: str) -> Expectation:
    return Expectation(
        outcome=Outcome.REJECTED,
        source=inferred(f"{REPEAT_ISSUE}: the update matches PENDING invoices only, so a {status} "
                        "one is refused the same way (not stated for it)"),
        error=_NOT_PENDING,
        http_status_source=unverified("the HTTP status and error_code of a refused expiry are "
                                      "published nowhere"),
        candidates=_REFUSAL_STATUS,
    )


_AUTH = inferred(f"{SDK_DOCS}: create and get declare 401 'Unauthorized' "
                 f"(UnauthorizedError, error_code INVALID_API_KEY in {SDK} "
                 "xendit/invoice/model/unauthorized_error.py); expire declares only 200, 404 and "
                 "500")

CONTRACT = build(
    "xendit",
    display_name="Xendit Invoices",
    summary="POST /invoices/{invoice_id}/expire! with the secret key as Basic user; PENDING "
    "invoices expire; a second expiry is refused (message observed by a user, status unknown).",
    # One host for test and live; the key decides the mode.
    base_urls={"sandbox": "https://api.xendit.co", "production": "https://api.xendit.co"},
    base_url_source=documented(f"{SDK} xendit/configuration.py (host https://api.xendit.co); "
                               f"{API_DOCS} (one host, separate test and live keys)"),
    production_hosts=(),
    auth=Auth(
        scheme="basic",
        credentials={"secret_key": "XENDIT_SECRET_KEY"},
        secret_credentials=("secret_key",),
        username="secret_key",
        simulator_credentials={"secret_key": "xnd_development_payconform_simulator_key"},
        sandbox_key_patterns=(r"^xnd_development_",),
        live_key_patterns=(r"^xnd_production_",),
        key_patterns_source=inferred(
            "https://archive.developers.xendit.co/api-reference/ shows a test key starting "
            "xnd_development_ (documented); the xnd_production_ prefix of live keys is inferred"),
        missing=Expectation(
            outcome=Outcome.UNAUTHORIZED, source=_AUTH, http_status=401,
            error={"error_code": "INVALID_API_KEY"},
        ),
        invalid=Expectation(
            outcome=Outcome.UNAUTHORIZED, source=_AUTH, http_status=401,
            error={"error_code": "INVALID_API_KEY"},
        ),
        source=documented(f"{API_DOCS}: 'Enter your Secret API key as the username and leave the "
                          f"password field empty'; {SDK} xendit/api_client.py auth() sends "
                          "Basic base64(key + ':')"),
    ),
    api_versions=(
        ApiVersion(
            name="2025-05",
            entity_schema_file="xendit-invoice.json",
            source=documented(f"{SDK} xendit/invoice/model/invoice.py (Invoice) and "
                              "invoice_status.py; the API has no version header"),
        ),
    ),
    default_api_version="2025-05",
    statuses=(
        Status(name="PENDING", kind=StatusKind.OPEN, source=documented(STATUSES),
               reachable_by_api=True),
        Status(name="PAID", kind=StatusKind.PAID, source=documented(STATUSES)),
        Status(name="SETTLED", kind=StatusKind.PAID, source=documented(STATUSES)),
        Status(name="EXPIRED", kind=StatusKind.EXPIRED, source=documented(STATUSES),
               reachable_by_api=True),
    ),
    initial_status="PENDING",
    cancelled_status="EXPIRED",
    create=CreateSpec(
        operation=Operation(method="POST", path="/v2/invoices"),
        body={
            "external_id": "$new_id",
            "amount": "$amount",
            "currency": "$currency",
            "description": "payconform conformance check",
            "payer_email": "test@example.com",
            "should_send_email": False,
            "metadata": {"payconform_run": "$run_tag"},
        },
        amount=50000,
        currency="IDR",
        # CreateInvoiceRequest.currency is optional in the SDK model; an IDR account's default.
        default_currency="IDR",
        id_template="{hex:24}",
        required_fields=("external_id",),
        amount_path="amount",
        currency_path="currency",
        tag_path="metadata.payconform_run",
        source=documented(f"{SDK_DOCS} create_invoice (POST /v2/invoices/, 200 Invoice); {SDK} "
                          "xendit/invoice/model/create_invoice_request.py (external_id and amount "
                          "required; metadata); ids like 5f4708b7bd394b0400b96276"),
    ),
    fetch=Operation(method="GET", path="/v2/invoices/{id}"),
    fetch_source=documented(f"{SDK_DOCS} get_invoice_by_id (GET /v2/invoices/{{invoice_id}})"),
    cancel=Operation(method="POST", path="/invoices/{id}/expire!"),
    cancel_source=documented(f"{SDK_API} lines 264-290 ('endpoint_path': "
                             "'/invoices/{invoice_id}/expire!', response_type Invoice); "
                             f"{PHP_DOCS} ('Manually expire an invoice'); no request body"),
    cancel_outcomes={
        "PENDING": Expectation(
            outcome=Outcome.CANCELLED,
            source=documented(f"{SDK_DOCS} expire_invoice: 'Manually expire an invoice', 200 "
                              f"returns the Invoice; {STATUSES} ('Invoice can no longer be paid "
                              "or reactivated to be active' once EXPIRED)"),
            http_status=200,
        ),
        "PAID": _paid("PAID"),
        "SETTLED": _paid("SETTLED"),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.REJECTED,
        source=inferred(f"{REPEAT_ISSUE}; public code quotes the same message in full"),
        error=_NOT_PENDING,
        http_status_source=unverified("the HTTP status and error_code of a second expiry are "
                                      "published nowhere"),
        candidates=_REFUSAL_STATUS,
    ),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(NOT_FOUND_MODEL),
        http_status=404,
        error={"error_code": "INVOICE_NOT_FOUND_ERROR"},
    ),
    unknown_id_example="000000000000000000000000",
    entity=EntitySpec(
        id_field="id",
        status_field="status",
        updated_at_field="updated",
        immutable_fields=("id", "external_id", "amount", "currency", "created"),
        timestamp_format="iso8601_ms_z",
        template={
            "id": "$id",
            "external_id": "$req.external_id",
            "user_id": "5f9a3fbd571a1c4068aa40cf",
            "status": "$status",
            "merchant_name": "payconform simulator",
            "merchant_profile_picture_url": "https://du8nwjtfkinx.cloudfront.net/xendit.png",
            "amount": "$amount",
            "description": "$req.description",
            "payer_email": "$req.payer_email",
            "expiry_date": "$expire_at",
            "invoice_url": "https://checkout-staging.xendit.co/web/${id}",
            "available_banks": [],
            "available_retail_outlets": [],
            "available_ewallets": [],
            "available_qr_codes": [],
            "available_direct_debits": [],
            "available_paylaters": [],
            "should_exclude_credit_card": False,
            "should_send_email": False,
            "created": "$created_at",
            "updated": "$updated_at",
            "currency": "$currency",
            "metadata": "$req.metadata",
        },
    ),
    error=ErrorSpec(
        template={"error_code": "API_VALIDATION_ERROR", "message": ""},
        code_field="error_code",
        message_field="message",
        outcomes={
            "INVALID_API_KEY": Outcome.UNAUTHORIZED,
            "INVOICE_NOT_FOUND_ERROR": Outcome.NOT_FOUND,
            "RATE_LIMIT_EXCEEDED": Outcome.RATE_LIMITED,
            "SERVER_ERROR": Outcome.PROVIDER_ERROR,
        },
        http_outcomes={401: Outcome.UNAUTHORIZED, 403: Outcome.UNAUTHORIZED,
                       404: Outcome.NOT_FOUND, 429: Outcome.RATE_LIMITED},
        schema_file="xendit-error.json",
        source=documented(f"{SDK} xendit/invoice/model/*_error.py ({{error_code, message}})"),
    ),
    scrub_body_fields=("payer_email", "given_names", "surname", "mobile_number", "email"),
    rate_limits=(
        RateLimit(scope="endpoint", requests_per_minute=60, source=documented(
            "https://docs.xendit.co/apidocs/rate-limits: '60 requests per minute (RPM) per "
            "endpoint per account in Test mode' (600 in Live mode)")),
    ),
    fixtures=(
        FixtureLink(status="PAID", env="XENDIT_PAID_INVOICE_ID"),
        FixtureLink(status="SETTLED", env="XENDIT_SETTLED_INVOICE_ID"),
    ),
    notes=(
        "The expire path has no /v2 while create and get are under /v2/invoices, and it ends "
        "in '!'.",
        "The HTTP status and error_code of a refused expiry (repeat, PAID, SETTLED) are "
        "unknown; only the message is reported, by a user (xendit-php issue 200).",
        "Test and live share one host: the key prefix (xnd_development_ / xnd_production_) is "
        "the production signal.",
        "Rate-Limit-Limit, Rate-Limit-Remaining and Rate-Limit-Reset are documented without "
        "units, so the live lane honours only Retry-After and stays under 60 calls per minute "
        "per endpoint.",
    ),
)
