"""Adyen Checkout API payment links: force the expiry of a link (PATCH status "expired").

Sources are cited per fact. The vendor's OpenAPI for the three operations ships as
``contracts/openapi/adyen-checkout-paymentlinks-v71.json`` (a verbatim subset; provenance in
``contracts/openapi/README.md``). Repeat expiry, expiry of a paid or completed link and an
unknown id are unknown: they are the facts a live run pins (``payconform learn``).
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
    unverified,
)

SPEC = "Adyen/adyen-openapi json/CheckoutService-v71.json@aa014f0cbdb58ff5c44a2ff9d5fe734642210aff"
SPEC72 = "Adyen/adyen-openapi json/CheckoutService-v72.json@aa014f0cbdb58ff5c44a2ff9d5fe734642210aff"
EXPLORER = "https://docs.adyen.com/api-explorer/Checkout/71/patch/paymentLinks/_linkId_"
SDK = "the official Adyen Python package 16.0.0 (PyPI 'Adyen')"
IDEMPOTENCY = "https://docs.adyen.com/development-resources/api-idempotency/"
ERRORS = "https://docs.adyen.com/errors"
PATCH_OP = f"{SPEC} operation patch-paymentLinks-linkId"
STATUS_ENUM = f"{SPEC} PaymentLinkResponse.status enum (active, completed, expired, paid, paymentPending)"
NOTHING_FOUND = ("no Adyen page, OpenAPI document, SDK or public issue says what this answers; "
                 "it needs a live sandbox run")

# What an expiry of a link that is not active might answer: a validation refusal in the
# declared ServiceError shape, or acceptance.
_NOT_ACTIVE = (
    Candidate(label="422 validation ServiceError (the declared shape of a refused request)",
              outcome=Outcome.REJECTED, http_status=422, error={"errorType": "validation"}),
    Candidate(label="400 validation ServiceError", outcome=Outcome.REJECTED, http_status=400,
              error={"errorType": "validation"}),
    Candidate(label="200: the link becomes expired", outcome=Outcome.CANCELLED, http_status=200),
)


def _unknown(status: str) -> Expectation:
    return Expectation(
        outcome=Outcome.REJECTED,
        source=unverified(f"expiry of a {status} link: {NOTHING_FOUND}; {PATCH_OP} declares "
                          "200, 400, 401, 403, 422 and 500"),
        candidates=_NOT_ACTIVE,
    )


_AUTH_ERROR = inferred(f"{SPEC} components.examples.generic-401 (errorCode 000, errorType "
                       "security): a generic example, not one for this operation")

CONTRACT = build(
    "adyen",
    display_name="Adyen Checkout API (payment links)",
    summary="PATCH /v71/paymentLinks/{linkId} {\"status\": \"expired\"}; active links expire; "
    "repeat, paid/completed and unknown ids unverified.",
    # The version is part of the path ({version}); the live host carries the merchant's own
    # prefix from the Customer Area, so every *.adyenpayments.com host is production.
    base_urls={
        "sandbox": "https://checkout-test.adyen.com",
        "production": "https://prefix-checkout-live.adyenpayments.com/checkout",
    },
    base_url_source=documented(
        f"{SPEC} servers (https://checkout-test.adyen.com/v71) and info.description (live: "
        "https://{PREFIX}-checkout-live.adyenpayments.com/checkout/v71); "
        f"{SDK} Adyen/client.py lines 170-176 build the same URLs"
    ),
    production_hosts=("adyenpayments.com",),
    auth=Auth(
        scheme="headers",
        credentials={"api_key": "ADYEN_API_KEY", "merchant_account": "ADYEN_MERCHANT_ACCOUNT"},
        secret_credentials=("api_key",),
        headers={"X-API-Key": "api_key"},
        simulator_credentials={
            "api_key": "AQE-payconform-sim-api-key",
            "merchant_account": "PayconformSimECOM",
        },
        missing=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=documented(f"{PATCH_OP} responses.401 'Unauthorized - authentication "
                              "required.'"),
            http_status=401,
            error={"errorType": "security"},
            error_source=_AUTH_ERROR,
        ),
        invalid=Expectation(
            outcome=Outcome.UNAUTHORIZED,
            source=inferred(f"{PATCH_OP} responses.401 (declared for authentication; a wrong "
                            "key is not described)"),
            http_status=401,
            error={"errorType": "security"},
            error_source=_AUTH_ERROR,
        ),
        source=documented(f"{SPEC} components.securitySchemes.ApiKeyAuth (X-API-Key header); "
                          "info.description: 'Each request to Checkout API must be signed with "
                          "an API key'"),
    ),
    headers=(
        HeaderSpec(
            name="Idempotency-Key",
            required=False,
            value="uuid",
            idempotency_key=True,
            # Documented for POST only; a PATCH carrying it is not retried.
            idempotent_methods=("POST",),
            source=documented(f"{SPEC} POST /paymentLinks parameter Idempotency-Key ('maximum of "
                              f"64 characters (we recommend a UUID)'); {IDEMPOTENCY}: 'supports "
                              "idempotency on POST requests' (PATCH is not mentioned)"),
        ),
    ),
    api_versions=(
        ApiVersion(
            name="v71",
            entity_schema_file="adyen-payment-link.json",
            source=documented(f"{SPEC} PaymentLinkResponse"),
        ),
        ApiVersion(
            name="v72",
            entity_schema_file="adyen-payment-link.json",
            source=documented(f"{SPEC72} PaymentLinkResponse (identical to v71); {SDK} "
                              "Adyen/services/checkout/payment_links_api.py calls v72"),
        ),
    ),
    default_api_version="v71",
    statuses=(
        Status(name="active", kind=StatusKind.OPEN, source=documented(STATUS_ENUM),
               reachable_by_api=True),
        Status(name="paymentPending", kind=StatusKind.PROCESSING, source=documented(STATUS_ENUM)),
        Status(name="completed", kind=StatusKind.PAID, source=documented(STATUS_ENUM)),
        Status(name="paid", kind=StatusKind.PAID, source=documented(
            STATUS_ENUM, "in the enum, but the description explains only the other four")),
        Status(name="expired", kind=StatusKind.EXPIRED, source=documented(STATUS_ENUM),
               reachable_by_api=True),
    ),
    initial_status="active",
    cancelled_status="expired",
    create=CreateSpec(
        operation=Operation(method="POST", path="/{version}/paymentLinks"),
        body={
            "amount": {"value": "$amount", "currency": "$currency"},
            "merchantAccount": "$credential.merchant_account",
            "reference": "payconform-${new_id}",
            "description": "payconform conformance check",
            "countryCode": "NL",
            "shopperLocale": "en-US",
            "shopperEmail": "test@example.com",
            "metadata": {"payconform_run": "$run_tag"},
        },
        amount=100,
        currency="EUR",
        success_status=201,
        id_template="PL{HEX:16}",
        required_fields=("merchantAccount", "reference"),
        amount_path="amount.value",
        currency_path="amount.currency",
        tag_path="metadata.payconform_run",
        source=documented(f"{SPEC} operation post-paymentLinks (201; PaymentLinkRequest requires "
                          "amount, merchantAccount, reference; metadata key-value pairs); example "
                          "post-paymentLinks-basic-201 (id PLE83C39B0A0DE0C1E)"),
    ),
    fetch=Operation(method="GET", path="/{version}/paymentLinks/{id}"),
    fetch_source=documented(f"{SPEC} operation get-paymentLinks-linkId"),
    cancel=Operation(method="PATCH", path="/{version}/paymentLinks/{id}"),
    cancel_source=documented(f"{PATCH_OP}: 'Use this endpoint to force the expiry of a payment "
                             "link'; UpdatePaymentLinkRequest {status: enum [expired]}, "
                             f"additionalProperties false; {EXPLORER}"),
    cancel_body={"status": "expired"},
    cancel_outcomes={
        "active": Expectation(
            outcome=Outcome.CANCELLED,
            source=documented(f"{PATCH_OP} and its example patch-paymentLinks-linkId-basic-200 "
                              "(the link of get-paymentLinks-linkId-basic-200, status active, "
                              "answers status expired)"),
            http_status=200,
        ),
        "paymentPending": _unknown("paymentPending"),
        "completed": _unknown("completed"),
        "paid": _unknown("paid"),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.ALREADY_CANCELLED,
        source=unverified(f"a second expiry of an expired link: {NOTHING_FOUND}"),
        candidates=(
            Candidate(label="200: the link stays expired (a no-op)",
                      outcome=Outcome.ALREADY_CANCELLED, http_status=200),
            Candidate(label="422 validation ServiceError: the link is no longer active",
                      outcome=Outcome.REJECTED, http_status=422,
                      error={"errorType": "validation"}),
            Candidate(label="400 validation ServiceError", outcome=Outcome.REJECTED,
                      http_status=400, error={"errorType": "validation"}),
        ),
    ),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=unverified(f"expiry of an unknown link id: {NOTHING_FOUND}; {SPEC} declares no "
                          "404 for GET or PATCH /paymentLinks/{linkId}; "
                          "https://docs.adyen.com/errors/not-found lists a generic 00_404"),
        candidates=(
            Candidate(label="404 not found (the generic 00_404 page)", outcome=Outcome.NOT_FOUND,
                      http_status=404),
            Candidate(label="422 validation ServiceError", outcome=Outcome.REJECTED,
                      http_status=422, error={"errorType": "validation"}),
            Candidate(label="400 validation ServiceError", outcome=Outcome.REJECTED,
                      http_status=400, error={"errorType": "validation"}),
        ),
    ),
    unknown_id_example="PL0000000000PC0000",
    entity=EntitySpec(
        id_field="id",
        status_field="status",
        updated_at_field="updatedAt",
        immutable_fields=("id", "amount.value", "amount.currency", "merchantAccount",
                          "reference"),
        timestamp_format="iso8601_z",
        omit_when_null=("countryCode", "description", "metadata", "shopperEmail",
                        "shopperLocale"),
        template={
            "amount": {"currency": "$currency", "value": "$amount"},
            "countryCode": "$req.countryCode",
            "description": "$req.description",
            "expiresAt": "$expire_at",
            "id": "$id",
            "merchantAccount": "$req.merchantAccount",
            "metadata": "$req.metadata",
            "reference": "$req.reference",
            "reusable": False,
            "shopperEmail": "$req.shopperEmail",
            "shopperLocale": "$req.shopperLocale",
            "status": "$status",
            "updatedAt": "$updated_at",
            "url": "https://test.adyen.link/${id}",
        },
    ),
    error=ErrorSpec(
        template={"status": "$http_status", "errorCode": "702", "message": "",
                  "errorType": "validation"},
        code_field="errorCode",
        message_field="message",
        outcomes={"000": Outcome.UNAUTHORIZED},
        http_outcomes={401: Outcome.UNAUTHORIZED, 403: Outcome.UNAUTHORIZED,
                       404: Outcome.NOT_FOUND, 429: Outcome.RATE_LIMITED},
        schema_file="adyen-error.json",
        source=documented(f"{SPEC} components.schemas.ServiceError and examples generic-400 ... "
                          f"generic-500; {ERRORS} ('The error responses use the RFC 7807 "
                          "format'): both shapes are accepted"),
    ),
    scrub_body_fields=("shopperEmail", "shopperName", "telephoneNumber"),
    fixtures=(
        FixtureLink(status="paymentPending", env="ADYEN_PAYMENT_PENDING_LINK_ID"),
        FixtureLink(status="completed", env="ADYEN_COMPLETED_LINK_ID"),
        FixtureLink(status="paid", env="ADYEN_PAID_LINK_ID"),
    ),
    notes=(
        "Finding: PaymentLinkResponse.status lists 'paid', which its description does not "
        "explain (the other four values are explained).",
        "Finding: the OpenAPI declares no 404 for GET or PATCH /paymentLinks/{linkId}; the "
        f"official SDK maps a 404 to AdyenAPICommunicationError ({SDK} Adyen/client.py), not to "
        "a not-found error.",
        "Finding: the OpenAPI's ServiceError (flat) and the errors page's RFC 7807 problem "
        "details disagree on the error shape; the schema accepts both.",
        "UpdatePaymentLinkRequest is additionalProperties false with status enum [expired]: the "
        "only update is the expiry. What the server answers to another body is not known.",
        f"The official SDK calls v72 by default ({SDK}); v71 and v72 are identical for these "
        "operations.",
        "Idempotency-Key is documented for POST; PATCH is not mentioned, so a PATCH is never "
        "retried by the live lane.",
    ),
)
