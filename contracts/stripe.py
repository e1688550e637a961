"""Stripe: expire a Checkout Session, and deactivate a Payment Link.

Two contracts on one host (``https://api.stripe.com``; the secret key, not the host, selects
test or live mode). Request bodies are form-encoded (``Contract.body_encoding``). A Checkout
Session has a status and a one-way expire; a Payment Link has no status, only the boolean
``active`` (``Status.fields``), and deactivating it is an update of the link that
``active=true`` reverses (``Contract.reversal``).
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
    Reversal,
    Status,
    StatusKind,
    build,
    documented,
    inferred,
    observed,
    unverified,
)

# ---- sources ------------------------------------------------------------------------------

SDK = "the official stripe Python package 16.1.0"
SPEC = "stripe/openapi openapi/spec3.yaml@63a674638635c68de26b9f3add13e58198f4df44"
FIXTURES = "stripe/openapi openapi/fixtures3.json@f6c2a48fbac2819d1feba8143d942ffc65e1c0d2"
EXPIRE_PAGE = "https://docs.stripe.com/api/checkout/sessions/expire"
ERRORS_PAGE = "https://docs.stripe.com/api/errors"
AUTH_PAGE = "https://docs.stripe.com/api/authentication"
IDEMPOTENCY_PAGE = "https://docs.stripe.com/idempotency"
VERSIONS_PAGE = "https://docs.stripe.com/api-versions"
SYLIUS = "https://github.com/Sylius/PayumStripePlugin/issues/70"
MISSING_SHAPE = "https://pastebin.com/kL1FqhHx"

ONLY_OPEN = documented(
    f"{EXPIRE_PAGE}: 'A Checkout Session can be expired when it is in one of these statuses: "
    f"open' and 'Returns an error if the Checkout Session has already expired or isn't in an "
    f"expireable state.'; {SDK}, stripe/checkout/_session.py lines 2817-2852"
)
EXPIRE_400 = observed(
    f"{SYLIUS} (InvalidRequestException: 'Only Checkout Sessions with a status in [\"open\"] can "
    "be expired. This Checkout Session has a status of `expired`.'); public code branches on "
    "HTTP 400 with that message; public Go test code holds the captured body for `complete`",
    "the message wording is not stable (backticks, quotes, a legacy 'already expired' text), so "
    "only the HTTP status and error.type are pinned; error.code is unknown",
)
INVALID_REQUEST = {"type": "invalid_request_error"}


def _missing(kind: str) -> Expectation:
    """404 resource_missing for an id that does not exist (the shape is seen on other objects)."""
    return Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(
            f"{ERRORS_PAGE}: 404 'The requested resource doesn't exist.'; the body shape "
            f"{{\"error\": {{\"code\": \"resource_missing\", \"type\": \"invalid_request_error\"}}}} "
            f"is observed for other objects ({MISSING_SHAPE}); for a {kind} only third-party "
            "mocks show it"
        ),
        http_status=404,
        error={"code": "resource_missing", "type": "invalid_request_error"},
    )


def _auth(case: str) -> Expectation:
    return Expectation(
        outcome=Outcome.UNAUTHORIZED,
        source=documented(f"{ERRORS_PAGE}: '401 Unauthorized: No valid API key provided.'",
                          f"the request carries {case}"),
        http_status=401,
    )


AUTH = Auth(
    scheme="bearer",
    credentials={"secret_key": "STRIPE_SECRET_KEY"},
    secret_credentials=("secret_key",),
    token_credential="secret_key",
    simulator_credentials={"secret_key": "sk_test_payconformsimulator00000000"},
    sandbox_key_patterns=(r"^sk_test_", r"^rk_test_"),
    live_key_patterns=(r"^sk_live_", r"^rk_live_"),
    missing=_auth("no API key"),
    invalid=_auth("an unknown API key"),
    source=documented(f"{AUTH_PAGE}: 'Authorization: Bearer' with the secret key (or Basic with "
                      f"the key as user name); test keys sk_test_, live keys sk_live_; {SPEC} "
                      "securitySchemes bearerAuth / basicAuth"),
)

HEADERS = (
    HeaderSpec(
        name="Stripe-Version",
        # Optional: without it the account's default version applies. The SDK always sends it.
        required=False,
        send_always=True,
        value="api_version",
        source=documented(f"{VERSIONS_PAGE}: the request's Stripe-Version header, else the SDK's "
                          f"pinned version, else the account default; {SDK} stripe/_api_version.py"),
    ),
    HeaderSpec(
        name="Idempotency-Key",
        required=False,
        value="uuid",
        idempotency_key=True,
        source=documented(f"{IDEMPOTENCY_PAGE}: keys 'up to 255 characters long'; the first "
                          "result is saved 'regardless of whether it succeeds or fails'"),
    ),
)

API_VERSION = "2026-10-28.endive"
BASE_URLS = {"sandbox": "https://api.stripe.com/v1", "production": "https://api.stripe.com/v1"}
BASE_URL_SOURCE = documented(
    f"{SDK} stripe/__init__.py DEFAULT_API_BASE = 'https://api.stripe.com'; {AUTH_PAGE}",
    "one host for test and live mode; the key selects the mode",
)
LINE_ITEM = {
    "price_data": {
        "currency": "usd",
        "unit_amount": "$amount",
        "product_data": {"name": "payconform conformance check"},
    },
    "quantity": 1,
}

ERROR = ErrorSpec(
    path="error",
    template={"error": {"type": "invalid_request_error", "message": ""}},
    code_field="code",
    outcomes={"resource_missing": Outcome.NOT_FOUND},
    http_outcomes={401: Outcome.UNAUTHORIZED, 404: Outcome.NOT_FOUND, 429: Outcome.RATE_LIMITED},
    schema_file="stripe-error.json",
    source=documented(f"{ERRORS_PAGE} (error object: type, code, decline_code, message, param, "
                      f"doc_url; statuses 400, 401, 402, 403, 404, 409, 424, 429, 5xx); {SPEC} "
                      "schema api_errors"),
)

RATE_NOTE = (
    "Rate limits (https://docs.stripe.com/rate-limits): 'a default limit of 25 requests per "
    "second'; older page: live 100 reads + 100 writes, test 25 + 25 per second; 429 when over."
)
SPEC_NOTE = (
    "The official OpenAPI declares only 200 and 'default' (the error object) for every operation "
    "used here: no 400 or 404 for expire (contracts/openapi/stripe-*.json, API version "
    "2023-08-16, older than the SDK's 2026-10-28.endive)."
)

# ---- Checkout Sessions: expire ----------------------------------------------------------------

CHECKOUT = build(
    "stripe-checkout",
    display_name="Stripe Checkout Sessions (expire)",
    summary="POST /v1/checkout/sessions/{id}/expire; only open sessions; a repeat expire is a 400 "
    "invalid_request_error.",
    base_urls=BASE_URLS,
    base_url_source=BASE_URL_SOURCE,
    production_hosts=(),
    auth=AUTH,
    headers=HEADERS,
    body_encoding="form",
    api_versions=(
        ApiVersion(
            name=API_VERSION,
            entity_schema_file="stripe-checkout-session.json",
            source=documented(f"{SDK} stripe/_api_version.py CURRENT = '{API_VERSION}'; "
                              "stripe/checkout/_session.py (Session fields)"),
        ),
    ),
    default_api_version=API_VERSION,
    statuses=(
        Status(name="open", kind=StatusKind.OPEN, reachable_by_api=True,
               source=documented(f"{SDK} stripe/checkout/_session.py line 2723 (status)")),
        Status(name="complete", kind=StatusKind.PAID, fields={"payment_status": "paid", "url": None},
               source=documented(f"{SDK} stripe/checkout/_session.py line 2723 (status)")),
        Status(name="expired", kind=StatusKind.EXPIRED, fields={"url": None}, reachable_by_api=True,
               source=documented(f"{EXPIRE_PAGE} example: 'status': 'expired', 'url': null")),
    ),
    initial_status="open",
    cancelled_status="expired",
    create=CreateSpec(
        operation=Operation(method="POST", path="/checkout/sessions"),
        body={
            "mode": "payment",
            "line_items": [LINE_ITEM],
            "success_url": "https://example.com/payconform/success",
            "customer_email": "test@example.com",
            "metadata": {"payconform_run": "$run_tag"},
        },
        id_prefix="cs_test_",
        id_length=58,
        amount_path="line_items.0.price_data.unit_amount",
        currency_path="line_items.0.price_data.currency",
        tag_path="metadata.payconform_run",
        source=documented(f"{SDK} stripe/params/checkout/_session_create_params.py (mode, "
                          "line_items[].price_data, success_url, customer_email, metadata)"),
    ),
    fetch=Operation(method="GET", path="/checkout/sessions/{id}"),
    fetch_source=documented(f"{SDK} stripe/checkout/_session.py Session.retrieve"),
    cancel=Operation(method="POST", path="/checkout/sessions/{id}/expire"),
    cancel_source=documented(f"{EXPIRE_PAGE} (no parameters except expand); {SDK} "
                             "stripe.checkout.Session.expire"),
    cancel_outcomes={
        "open": Expectation(outcome=Outcome.CANCELLED, source=ONLY_OPEN, http_status=200),
        "complete": Expectation(
            outcome=Outcome.REJECTED,
            source=ONLY_OPEN,
            http_status=400,
            http_status_source=EXPIRE_400,
            error=INVALID_REQUEST,
            error_source=EXPIRE_400,
        ),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.REJECTED,
        source=ONLY_OPEN,
        http_status=400,
        http_status_source=EXPIRE_400,
        error=INVALID_REQUEST,
        error_source=EXPIRE_400,
    ),
    unknown_id=_missing("checkout.session"),
    unknown_id_example="cs_test_payconformunknown0000000000",
    entity=EntitySpec(
        id_field="id",
        status_field="status",
        immutable_fields=("id", "amount_total", "currency", "created", "mode"),
        timestamp_format="unix",
        template={
            "id": "$id",
            "object": "checkout.session",
            "automatic_tax": {"enabled": False, "status": None},
            "custom_fields": [],
            "custom_text": {"shipping_address": None, "submit": None},
            "payment_method_types": ["card"],
            "shipping_options": [],
            "amount_subtotal": "$amount",
            "amount_total": "$amount",
            "currency": "$currency",
            "customer_email": "$req.customer_email",
            "created": "$created_at",
            "expires_at": "$expire_at",
            "livemode": "$livemode",
            "metadata": "$req.metadata",
            "mode": "$req.mode",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "$status",
            "success_url": "$req.success_url",
            "url": "https://checkout.stripe.com/c/pay/${id}",
        },
    ),
    error=ERROR,
    vendor_openapi=("stripe-2023-08-16.json",),
    scrub_body_fields=("customer_email",),
    fixtures=(FixtureLink(status="complete", env="STRIPE_COMPLETE_CHECKOUT_SESSION_ID"),),
    notes=(
        "Adapter rule seen in downstream code review (https://github.com/speakeasy-api/gram/pull/"
        "5881, https://github.com/traceroot-ai/traceroot/pull/2219): treat the repeat-expire 400 as "
        "success when the session is expired, not when it is complete; only the message tells them "
        "apart.",
        "A hosted page the buyer already has open keeps working after expire "
        "(https://github.com/stripe/stripe-node/issues/2462).",
        "The simulator's expires_at (30 days) and url are its own choices; Stripe's default "
        "expiry is 24 hours. It renders every field the 2023-08-16 OpenAPI marks required, with "
        "defaults (no tax, no custom fields, card only).",
        SPEC_NOTE,
        RATE_NOTE,
    ),
)

# ---- Payment Links: deactivate (reversible) ----------------------------------------------------

DEACTIVATE = documented(
    f"{SDK} stripe/params/_payment_link_modify_params.py: active 'If `false`, customers visiting "
    "the URL will be shown a page saying that the link has been deactivated.'; "
    "stripe/_payment_link.py PaymentLink.modify (POST /v1/payment_links/{id})"
)

PAYMENT_LINKS = build(
    "stripe-payment-links",
    display_name="Stripe Payment Links (deactivate)",
    summary="POST /v1/payment_links/{id} with active=false; any link; reversible with active=true; "
    "a repeat deactivate is unverified.",
    base_urls=BASE_URLS,
    base_url_source=BASE_URL_SOURCE,
    production_hosts=(),
    auth=AUTH,
    headers=HEADERS,
    body_encoding="form",
    api_versions=(
        ApiVersion(
            name=API_VERSION,
            entity_schema_file="stripe-payment-link.json",
            source=documented(f"{SDK} stripe/_api_version.py CURRENT = '{API_VERSION}'; "
                              "stripe/_payment_link.py (PaymentLink fields)"),
        ),
    ),
    default_api_version=API_VERSION,
    statuses=(
        Status(name="active", kind=StatusKind.OPEN, fields={"active": True}, reachable_by_api=True,
               source=documented(f"{SDK} stripe/_payment_link.py: active 'Whether the payment "
                                 f"link's `url` is active.'; {FIXTURES} payment_link 'active': true")),
        Status(name="inactive", kind=StatusKind.CANCELLED, fields={"active": False},
               reachable_by_api=True, source=DEACTIVATE),
    ),
    initial_status="active",
    cancelled_status="inactive",
    create=CreateSpec(
        operation=Operation(method="POST", path="/payment_links"),
        body={"line_items": [LINE_ITEM], "metadata": {"payconform_run": "$run_tag"}},
        id_prefix="plink_",
        id_length=24,
        amount_path="line_items.0.price_data.unit_amount",
        currency_path="line_items.0.price_data.currency",
        tag_path="metadata.payconform_run",
        source=documented(f"{SDK} stripe/params/_payment_link_create_params.py (line_items[]: "
                          "'One of `price` or `price_data` is required.'; metadata)"),
    ),
    fetch=Operation(method="GET", path="/payment_links/{id}"),
    fetch_source=documented(f"{SDK} stripe/_payment_link.py PaymentLink.retrieve"),
    cancel=Operation(method="POST", path="/payment_links/{id}"),
    cancel_source=DEACTIVATE,
    cancel_body={"active": False},
    cancel_by_body=True,
    cancel_outcomes={
        "active": Expectation(outcome=Outcome.CANCELLED, source=DEACTIVATE, http_status=200),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.ALREADY_CANCELLED,
        source=unverified("no Stripe source says what active=false on an inactive link answers"),
        candidates=(
            Candidate(label="200 no-op: a plain field update, the link stays inactive",
                      outcome=Outcome.ALREADY_CANCELLED, http_status=200),
            Candidate(label="400 invalid_request_error", outcome=Outcome.REJECTED,
                      http_status=400, error=INVALID_REQUEST),
        ),
    ),
    reversal=Reversal(
        body={"active": True},
        source=inferred(
            f"{SDK} stripe/params/_payment_link_modify_params.py: active is a plain boolean "
            "parameter of the update call, so active=true reactivates; https://alchemy.run/"
            "providers/stripe/paymentlink (third party): 'Payment links cannot be deleted; "
            "destroy deactivates them (active=false)'"
        ),
    ),
    unknown_id=_missing("payment_link"),
    unknown_id_example="plink_payconformunknown000000",
    entity=EntitySpec(
        id_field="id",
        status_field=None,
        immutable_fields=("id", "currency", "url", "livemode"),
        timestamp_format="unix",
        template={
            "id": "$id",
            "object": "payment_link",
            "active": True,
            "after_completion": {"type": "hosted_confirmation",
                                 "hosted_confirmation": {"custom_message": None}},
            "allow_promotion_codes": False,
            "automatic_tax": {"enabled": False},
            "billing_address_collection": "auto",
            "custom_fields": [],
            "custom_text": {"shipping_address": None, "submit": None},
            "customer_creation": "if_required",
            "payment_method_collection": "always",
            "phone_number_collection": {"enabled": False},
            "shipping_options": [],
            "submit_type": "auto",
            "tax_id_collection": {"enabled": False},
            "currency": "$currency",
            "inactive_message": None,
            "livemode": "$livemode",
            "metadata": "$req.metadata",
            "url": "https://buy.stripe.com/test_${token}",
        },
    ),
    error=ERROR,
    vendor_openapi=("stripe-2023-08-16.json",),
    notes=(
        "A Payment Link has no paid state: links are multi-use, and deactivating one that has "
        "taken payments is allowed (inferred; no source says otherwise).",
        "Open question for a live run: what active=false on an inactive link answers.",
        "inactive_message (the text buyers see) is newer than the 2023-08-16 OpenAPI.",
        SPEC_NOTE,
        RATE_NOTE,
    ),
)

CONTRACTS = (CHECKOUT, PAYMENT_LINKS)
