"""Square Checkout API payment links: delete a link, which cancels its order.

Sources are cited per fact. A payment link has no status field: a deleted link is gone
(``cancelled_fetch``), and the delete's effect on the order it created is contract data
(``side_effects``). The vendor's OpenAPI for the three operations ships as
``contracts/openapi/square-cancel.json`` (provenance in ``contracts/openapi/README.md``).
"""

from payconform.contract import (
    ApiVersion,
    Auth,
    CancelResponse,
    Candidate,
    CreateSpec,
    EntitySpec,
    ErrorSpec,
    Expectation,
    FixtureLink,
    HeaderSpec,
    Operation,
    Outcome,
    SideEffect,
    Status,
    StatusKind,
    build,
    documented,
    inferred,
    unverified,
)

SPEC = "square/connect-api-specification api.json@5733f6624e9a5b930a8426f0e02a6bf7e35c6c0f"
DELETE_PAGE = "https://developer.squareup.com/reference/square/checkout-api/delete-payment-link"
SDK = "the official squareup 46.0.0.20260916 package (PyPI squareup)"
ERRORS_PAGE = "https://developer.squareup.com/docs/build-basics/handling-errors"
NOT_FOUND_FORUM = ("https://developer.squareup.com/forums/t/error-making-payment-invalid-request-"
                   "error-not-found/2503 (a 404 NOT_FOUND body observed on another endpoint)")
LINK = f"{SPEC} components.schemas.PaymentLink (no status field; version required)"
CANCELLED_ORDER = (f"{SPEC} DeletePaymentLinkResponse.cancelled_order_id: 'When a payment link "
                   "is deleted, Square updates the the state (of the order that the checkout link "
                   f"created) to CANCELED'; {DELETE_PAGE}")

_NOT_FOUND = {"code": "NOT_FOUND", "category": "INVALID_REQUEST_ERROR"}
_AUTH = inferred(f"{ERRORS_PAGE} and {SPEC} info.x-square-generic-error-codes (UNAUTHORIZED); the "
                 "delete operation declares only 200")

CONTRACT = build(
    "square",
    display_name="Square Checkout API (payment links)",
    summary="DELETE /v2/online-checkout/payment-links/{id}; the link is deleted and its order "
    "becomes CANCELED; a second delete and a deleted link's read are 404 NOT_FOUND (inferred).",
    base_urls={
        "sandbox": "https://connect.squareupsandbox.com",
        "production": "https://connect.squareup.com",
    },
    base_url_source=documented(f"{SPEC} info.x-server-configuration; {SDK} square/environment.py"),
    production_hosts=("connect.squareup.com",),
    auth=Auth(
        scheme="bearer",
        credentials={"access_token": "SQUARE_ACCESS_TOKEN", "location_id": "SQUARE_LOCATION_ID"},
        secret_credentials=("access_token",),
        token_credential="access_token",
        simulator_credentials={
            "access_token": "EAAAl-payconform-simulator-sandbox-token",
            "location_id": "LPAYCONFORMSIM",
        },
        missing=Expectation(outcome=Outcome.UNAUTHORIZED, source=_AUTH, http_status=401,
                            error={"code": "UNAUTHORIZED"}),
        invalid=Expectation(outcome=Outcome.UNAUTHORIZED, source=_AUTH, http_status=401,
                            error={"code": "UNAUTHORIZED"}),
        source=documented(f"{SPEC} components.securitySchemes (oauth2; Authorization: Bearer); "
                          f"{SDK} square/core/client_wrapper.py sends 'Bearer <token>'"),
    ),
    headers=(
        HeaderSpec(
            name="Square-Version",
            required=False,
            value="api_version",
            send_always=True,
            pattern=r"\d{4}-\d{2}-\d{2}",
            source=documented(f"{SPEC} securitySchemes.oauth2.x-additional-headers (default "
                              f"2025-08-20); {SDK} square/core/client_wrapper.py line 40 sends "
                              "2026-09-16"),
        ),
    ),
    api_versions=(
        ApiVersion(name="2025-08-20", entity_schema_file="square-payment-link-response.json",
                   source=documented(f"{LINK}; RetrievePaymentLinkResponse")),
        ApiVersion(name="2026-09-16", entity_schema_file="square-payment-link-response.json",
                   source=documented(f"{SDK} square/types/payment_link.py (the same fields)")),
    ),
    default_api_version="2025-08-20",
    statuses=(
        Status(name="ACTIVE", kind=StatusKind.OPEN, reachable_by_api=True, source=inferred(
            f"{LINK}: an existing link whose order is not paid")),
        Status(name="PAID", kind=StatusKind.PAID, source=documented(
            "https://developer.squareup.com/docs/checkout-api/common-pitfalls?preview=true: "
            "'After successful payment, the link shows a thank you page and cannot process "
            "another payment'")),
        Status(name="DELETED", kind=StatusKind.DELETED, reachable_by_api=True,
               source=documented(f"{DELETE_PAGE} ('Deletes a payment link')")),
    ),
    initial_status="ACTIVE",
    cancelled_status="DELETED",
    create=CreateSpec(
        operation=Operation(method="POST", path="/v2/online-checkout/payment-links"),
        body={
            "idempotency_key": "$idempotency_key",
            "quick_pay": {
                "name": "payconform conformance check",
                "price_money": {"amount": "$amount", "currency": "$currency"},
                "location_id": "$credential.location_id",
            },
            "description": "payconform conformance check",
            "payment_note": "$run_tag",
            "pre_populated_data": {"buyer_email": "test@example.com"},
        },
        amount=100,
        currency="USD",
        id_template="{ALNUM:16}",
        required_fields=("quick_pay.location_id",),
        amount_path="quick_pay.price_money.amount",
        currency_path="quick_pay.price_money.currency",
        tag_path="payment_note",
        idempotency_field="idempotency_key",
        source=documented(f"{SPEC} CreatePaymentLink (200) and CreatePaymentLinkRequest "
                          "(idempotency_key: 'If you do not provide a unique string ... the "
                          "endpoint treats each request as independent'; QuickPay requires name, "
                          "price_money, location_id); ids like MQASNYL6QB6DFCJ3"),
    ),
    fetch=Operation(method="GET", path="/v2/online-checkout/payment-links/{id}"),
    fetch_source=documented(f"{SPEC} RetrievePaymentLink"),
    cancel=Operation(method="DELETE", path="/v2/online-checkout/payment-links/{id}"),
    cancel_source=documented(f"{SPEC} DeletePaymentLink (no request body; responses: only 200); "
                             f"{DELETE_PAGE}; {SDK} client.checkout.payment_links.delete(id)"),
    cancel_response=CancelResponse(
        template={"id": "$id", "cancelled_order_id": "$related.order"},
        schema_file="square-delete-payment-link-response.json",
        source=documented(f"{SPEC} DeletePaymentLinkResponse and its example "
                          '{"id":"MQASNYL6QB6DFCJ3","cancelled_order_id":"asx8LgZ6MRzD0fObfkJ6obBmSh4F"}'),
    ),
    cancelled_fetch=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(f"{DELETE_PAGE}: the link is deleted, so reading it finds nothing; "
                        f"404 NOT_FOUND as {NOT_FOUND_FORUM}"),
        http_status=404,
        error=_NOT_FOUND,
    ),
    side_effects=(
        SideEffect(
            name="order",
            fetch=Operation(method="GET", path="/v2/orders/{id}"),
            id_field="order_id",
            id_template="{alnum:28}",
            field="order.state",
            # DRAFT before payment as in the CreatePaymentLinkResponse example's related order.
            values={"ACTIVE": "DRAFT", "PAID": "COMPLETED", "DELETED": "CANCELED"},
            template={"order": {"id": "$related_id", "location_id": "$req.quick_pay.location_id",
                                "state": "$value", "version": 1}},
            source=documented(f"{CANCELLED_ORDER}; the order is read with RetrieveOrder "
                              "(GET /v2/orders/{order_id}, "
                              "https://developer.squareup.com/reference/square/orders-api/"
                              f"retrieve-order; {SDK} square/orders/raw_client.py)"),
        ),
    ),
    cancel_outcomes={
        "ACTIVE": Expectation(
            outcome=Outcome.CANCELLED,
            source=documented(f"{SPEC} DeletePaymentLink 200 DeletePaymentLinkResponse; "
                              f"{DELETE_PAGE}"),
            http_status=200,
        ),
        "PAID": Expectation(
            outcome=Outcome.REJECTED,
            source=unverified("whether Square refuses to delete the link of a paid (COMPLETED) "
                              "order is not documented anywhere"),
            candidates=(
                Candidate(label="400 INVALID_REQUEST_ERROR (the order is completed)",
                          outcome=Outcome.REJECTED, http_status=400,
                          error={"category": "INVALID_REQUEST_ERROR"}),
                Candidate(label="200: the link is deleted (the completed order stays)",
                          outcome=Outcome.CANCELLED, http_status=200),
            ),
        ),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(f"the link no longer exists after a delete ({DELETE_PAGE}); 404 "
                        f"NOT_FOUND as {NOT_FOUND_FORUM}"),
        http_status=404,
        error=_NOT_FOUND,
    ),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(f"{NOT_FOUND_FORUM}; the delete operation declares only 200"),
        http_status=404,
        error=_NOT_FOUND,
    ),
    unknown_id_example="PCUNKNOWN0000000",
    entity=EntitySpec(
        path="payment_link",
        id_field="id",
        status_field=None,
        updated_at_field="updated_at",
        immutable_fields=("id", "order_id", "created_at"),
        timestamp_format="iso8601_z",
        omit_when_null=("description", "payment_note"),
        template={
            "id": "$id",
            "version": 1,
            "description": "$req.description",
            "order_id": "$related.order",
            "url": "https://sandbox.square.link/u/${token}",
            "long_url": "https://sandbox.square.link/u/${token}?src=api",
            "created_at": "$created_at",
            "updated_at": "$updated_at",
            "payment_note": "$req.payment_note",
            "pre_populated_data": "$req.pre_populated_data",
        },
    ),
    error=ErrorSpec(
        path="errors.0",
        template={"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "BAD_REQUEST",
                              "detail": ""}]},
        code_field="code",
        message_field="detail",
        outcomes={"NOT_FOUND": Outcome.NOT_FOUND, "UNAUTHORIZED": Outcome.UNAUTHORIZED,
                  "RATE_LIMITED": Outcome.RATE_LIMITED},
        http_outcomes={401: Outcome.UNAUTHORIZED, 403: Outcome.UNAUTHORIZED,
                       404: Outcome.NOT_FOUND, 429: Outcome.RATE_LIMITED},
        schema_file="square-error.json",
        source=documented(f"{SPEC} components.schemas.Error (category and code required); "
                          f"{ERRORS_PAGE}"),
    ),
    scrub_body_fields=("buyer_email", "buyer_phone_number", "email_address"),
    fixtures=(FixtureLink(status="PAID", env="SQUARE_PAID_LINK_ID"),),
    notes=(
        "Finding: the OpenAPI declares only 200 for DeletePaymentLink (no error response, no "
        "x-endpoint-errors): every refusal here is inferred or unverified.",
        "Finding: a forum report says a delete after a failed payment answered only id (no "
        "cancelled_order_id) and the link stayed payable; the schema does not require "
        "cancelled_order_id, and the order check (state.cancel-persists) would catch the rest.",
        "Square's Rust crate spells the field canceled_order_id; the wire format and the spec "
        "use cancelled_order_id.",
        "Rate limits exist but are not documented (Square staff, forum thread 15492): 429 "
        "RATE_LIMITED is honoured, no client-side limit is contract data.",
        "The order's state before a delete is DRAFT in the CreatePaymentLinkResponse example; "
        "only CANCELED after a delete is checked.",
    ),
)
