"""PayPal: Invoicing v2 (cancel a sent invoice) and Payment Links and Buttons v1 (delete a link).

Sources are cited per fact. The official OpenAPI subset ships as
``contracts/openapi/paypal-invoicing-v2.json`` (provenance in ``contracts/openapi/README.md``).
A new invoice is a DRAFT; it becomes payable, and cancellable, once sent
(``Contract.activation``). Cancel answers 204 with no body (``cancel_response``); every
refusal is a 422 told apart by ``details[0].issue`` (dotted error paths). Tokens come from
``/v1/oauth2/token`` with the client id and secret as HTTP Basic and a form body.

``paypal-payment-links`` is PayPal's Payment Links and Buttons API v1: ``DELETE
/v1/checkout/payment-resources/{id}`` deletes a link for good (204, no body; a read of it is a
404 afterwards: ``Contract.cancelled_fetch``). Same vendor, same token flow, same error
envelope; its own scope, hosts (production is ``api.paypal.com``) and resource. The create
body is the one PayPal's reference pages document and its official agent toolkit sends (both
cited at ``create``); the toolkit is PayPal's own repository, so what its code sends counts as
documented, while its prompt's "500 instead of 404" is kept as a note: it contradicts the
reference pages and its reviewer questioned it. The vendor's OpenAPI for this API is published
only on developer.paypal.com, in no repository, so it is not shipped here (no vendor-OpenAPI
guard or schemathesis run for it).
"""

from payconform.contract import (
    Activation,
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

REPO = "paypal/paypal-rest-api-specifications openapi/invoicing_v2.json"
SPEC = f"{REPO}@ec4d8f36a6ab0abcc3865e1072aaddc85ea14d5c"
SPEC_26 = f"{REPO}@195ff644af7f67362cb43074176a33bfff5fdfdf"
CANCEL = f"{SPEC} invoices.cancel"
CANCEL_422 = f"{SPEC} schema invoices.cancel-422 (details[].issue enum with fixed descriptions)"
STATUS_LIST = "https://developer.paypal.com/api/invoicing/v2/definitions/invoice_status_list"
IDEMPOTENCY_PAGE = "https://developer.paypal.com/reference/guidelines/idempotency"

SENT_ONLY = documented(f"{CANCEL}: 'Cancels a sent invoice, by ID, and, optionally, sends a "
                       "notification about the cancellation'")


def _refused(issue: str, description: str, source: str, *, inferred_for: str = "") -> Expectation:
    """A 422 UNPROCESSABLE_ENTITY whose details[0].issue names the refusal."""
    base = documented(f"{CANCEL_422}: {issue} -> '{description}'; {source}; schema error_422 "
                      "(name UNPROCESSABLE_ENTITY and its one message)")
    return Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=inferred(f"{CANCEL_422}: {issue} ('{description}') {inferred_for}") if inferred_for
        else base,
        http_status=422,
        error={"name": "UNPROCESSABLE_ENTITY", "message": UNPROCESSABLE,
               "details.0.issue": issue, "details.0.description": description},
    )


#: The one message schema error_422 allows.
UNPROCESSABLE = ("The requested action could not be performed, semantically incorrect, or failed "
                 "business validation.")
PAID = ("CANNOT_CANCEL_PAID_INVOICE", "Cannot cancel a paid or partially paid invoice.")
REFUNDED = ("CANNOT_CANCEL_REFUNDED_INVOICE", "Cannot cancel a refunded or partially refunded invoice.")


def _auth(case: str) -> Expectation:
    return Expectation(
        outcome=Outcome.UNAUTHORIZED,
        source=inferred(f"{SPEC} securitySchemes.Oauth2 (client credentials, token URL "
                        f"/v1/oauth2/token) guards invoices.cancel; the answer to {case} is not "
                        "declared (the cancel responses are 204, 400, 403, 404, 422)"),
        http_status=401,
        http_status_source=unverified("no 401 is declared for invoices.cancel"),
        candidates=(
            Candidate(label="401 AUTHENTICATION_FAILURE", outcome=Outcome.UNAUTHORIZED,
                      http_status=401, error={"name": "AUTHENTICATION_FAILURE"}),
            Candidate(label="401 invalid_token (OAuth error body)", outcome=Outcome.UNAUTHORIZED,
                      http_status=401),
            Candidate(label="403 NOT_AUTHORIZED", outcome=Outcome.UNAUTHORIZED, http_status=403,
                      error={"name": "NOT_AUTHORIZED"}),
        ),
    )


NOTIFY_NOBODY = {"send_to_invoicer": False, "send_to_recipient": False}

INVOICES = build(
    "paypal-invoices",
    display_name="PayPal Invoicing v2 (cancel a sent invoice)",
    summary="POST /v2/invoicing/invoices/{id}/cancel: 204, no body; a sent invoice only; drafts, "
    "scheduled, paid and refunded invoices and a repeat cancel are named 422 refusals.",
    base_urls={"sandbox": "https://api-m.sandbox.paypal.com",
               "production": "https://api-m.paypal.com"},
    base_url_source=documented(f"{SPEC} servers (PayPal Sandbox / Live Environment)"),
    # Payment Links and Buttons documents api.paypal.com as its production host.
    production_hosts=("api-m.paypal.com", "api.paypal.com"),
    auth=Auth(
        scheme="bearer_token",
        credentials={"client_id": "PAYPAL_CLIENT_ID", "client_secret": "PAYPAL_CLIENT_SECRET"},
        secret_credentials=("client_id", "client_secret"),
        token_endpoint=Operation(method="POST", path="/v1/oauth2/token"),
        token_auth="basic",
        token_encoding="form",
        username="client_id",
        password="client_secret",
        token_request={"grant_type": "=client_credentials"},
        token_field="access_token",
        expires_field="expires_in",
        token_ttl_seconds=32400,
        simulator_credentials={"client_id": "payconform-sim-client-id",
                               "client_secret": "payconform-sim-client-secret"},
        missing=_auth("a request without a token"),
        invalid=_auth("an unknown token"),
        source=documented(f"{SPEC} securitySchemes.Oauth2 clientCredentials tokenUrl "
                          "/v1/oauth2/token; invoices.cancel security scope "
                          "https://uri.paypal.com/services/invoicing/invoices/readwrite"),
    ),
    headers=(
        HeaderSpec(
            name="Prefer",
            required=False,
            send_always=True,
            value="return=representation",
            source=documented(f"{SPEC} invoices.create 201: 'A JSON response body that shows "
                              "invoice details is returned if you set prefer=return=representation'"),
        ),
        HeaderSpec(
            name="PayPal-Request-Id",
            required=False,
            value="uuid",
            idempotency_key=True,
            # Documented for PayPal POST calls in general, with 'Not all APIs support this header'.
            source=unverified(f"{IDEMPOTENCY_PAGE}: 'Not all APIs support this header.'; whether "
                              "invoices.cancel honours it is unknown"),
        ),
    ),
    api_versions=(
        ApiVersion(
            name="2.3",
            entity_schema_file="paypal-invoice.json",
            source=documented(f"{SPEC} info.version 2.3, schema invoice; {STATUS_LIST}"),
        ),
    ),
    default_api_version="2.3",
    statuses=(
        Status(name="DRAFT", kind=StatusKind.DRAFT, reachable_by_api=True,
               source=documented(f"{SPEC} invoices.create: 'Creates a draft invoice.'")),
        Status(name="SENT", kind=StatusKind.OPEN, reachable_by_api=True,
               source=documented(f"{SPEC} invoice_status")),
        Status(name="UNPAID", kind=StatusKind.OPEN, source=documented(f"{SPEC} invoice_status")),
        Status(name="PAYMENT_PENDING", kind=StatusKind.PROCESSING,
               source=documented(f"{SPEC} invoice_status")),
        Status(name="SCHEDULED", kind=StatusKind.OPEN, source=documented(f"{SPEC} invoice_status")),
        Status(name="PARTIALLY_PAID", kind=StatusKind.PARTIALLY_PAID,
               source=documented(f"{SPEC} invoice_status")),
        Status(name="PAID", kind=StatusKind.PAID, source=documented(f"{SPEC} invoice_status")),
        Status(name="MARKED_AS_PAID", kind=StatusKind.PAID,
               source=documented(f"{SPEC} invoice_status")),
        Status(name="PARTIALLY_REFUNDED", kind=StatusKind.PAID,
               source=documented(f"{SPEC} invoice_status")),
        Status(name="REFUNDED", kind=StatusKind.PAID, source=documented(f"{SPEC} invoice_status")),
        Status(name="MARKED_AS_REFUNDED", kind=StatusKind.PAID,
               source=documented(f"{SPEC} invoice_status")),
        Status(name="CANCELLED", kind=StatusKind.CANCELLED, reachable_by_api=True,
               source=documented(f"{SPEC} invoice_status")),
    ),
    initial_status="SENT",
    cancelled_status="CANCELLED",
    create=CreateSpec(
        operation=Operation(method="POST", path="/v2/invoicing/invoices"),
        body={
            "detail": {"currency_code": "USD", "note": "$run_tag"},
            "primary_recipients": [{"billing_info": {
                "name": {"given_name": "Payconform", "surname": "Test"},
                "email_address": "test@example.com"}}],
            "items": [{"name": "payconform conformance check", "quantity": "1",
                       "unit_amount": {"currency_code": "USD", "value": "$amount_decimal"}}],
        },
        success_status=201,
        id_template="INV2-{ALNUM:4}-{ALNUM:4}-{ALNUM:4}-{ALNUM:4}",
        amount_path="items.0.unit_amount.value",
        currency_path="detail.currency_code",
        tag_path="detail.note",
        source=documented(f"{SPEC} invoices.create (201; invoice requires detail, detail requires "
                          "currency_code; items[] with name, quantity, unit_amount; "
                          "primary_recipients[].billing_info)"),
    ),
    activation=Activation(
        operation=Operation(method="POST", path="/v2/invoicing/invoices/{id}/send"),
        body=NOTIFY_NOBODY,
        from_status="DRAFT",
        success_status=200,
        source=documented(f"{SPEC_26} invoices.send: 'When you send an invoice to a customer, the "
                          "invoice moves from draft to payable state'; 200 when the issue date is "
                          "today; send_to_recipient false sends it through a share link"),
    ),
    fetch=Operation(method="GET", path="/v2/invoicing/invoices/{id}"),
    fetch_source=documented(f"{SPEC} invoices.get"),
    cancel=Operation(method="POST", path="/v2/invoicing/invoices/{id}/cancel"),
    cancel_source=documented(f"{CANCEL}: requestBody required (notification; example "
                             "notification_invoice_cancel); 204 'with no JSON response body'"),
    cancel_body=NOTIFY_NOBODY,
    cancel_success_status=204,
    cancel_no_body=True,
    cancel_outcomes={
        "SENT": Expectation(outcome=Outcome.CANCELLED, source=SENT_ONLY, http_status=204),
        "UNPAID": Expectation(
            outcome=Outcome.CANCELLED,
            source=inferred(f"{CANCEL_422} does not refuse UNPAID, and an unpaid invoice is a sent "
                            "one"),
            http_status=204,
        ),
        "PAYMENT_PENDING": Expectation(
            outcome=Outcome.CANCELLED,
            source=unverified(f"{CANCEL_422} names no refusal for PAYMENT_PENDING"),
            candidates=(
                Candidate(label="204 cancelled (no refusal is named for it)",
                          outcome=Outcome.CANCELLED, http_status=204),
                Candidate(label="422 CANNOT_CANCEL_PAID_INVOICE", outcome=Outcome.NOT_CANCELLABLE,
                          http_status=422, error={"details.0.issue": PAID[0]}),
            ),
        ),
        "DRAFT": _refused("CANNOT_CANCEL_DRAFT_INVOICE", "Draft invoice cannot be canceled.", CANCEL),
        "SCHEDULED": _refused("CANNOT_CANCEL_SCHEDULED_INVOICE", "Cannot cancel a scheduled invoice.",
                              CANCEL),
        "PAID": _refused(*PAID, CANCEL),
        "PARTIALLY_PAID": _refused(*PAID, CANCEL),
        "MARKED_AS_PAID": _refused(*PAID, CANCEL, inferred_for="is not stated for MARKED_AS_PAID"),
        "REFUNDED": _refused(*REFUNDED, CANCEL),
        "PARTIALLY_REFUNDED": _refused(*REFUNDED, CANCEL),
        "MARKED_AS_REFUNDED": _refused(*REFUNDED, CANCEL,
                                       inferred_for="is not stated for MARKED_AS_REFUNDED"),
    },
    repeat_cancel=_refused("INVOICE_CANCELED_ALREADY", "Invoice is already cancelled.", CANCEL),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=documented(f"{CANCEL} 404; schema error_404 (name RESOURCE_NOT_FOUND, message "
                          "'The specified resource does not exist.')"),
        http_status=404,
        error={"name": "RESOURCE_NOT_FOUND", "message": "The specified resource does not exist."},
    ),
    unknown_id_example="INV2-PCNO-NEXI-STEN-T000",
    entity=EntitySpec(
        id_field="id",
        status_field="status",
        immutable_fields=("id", "detail.currency_code", "amount.value", "detail.metadata.create_time"),
        timestamp_format="iso8601_z",
        template={
            "id": "$id",
            "status": "$status",
            "detail": {
                "currency_code": "$currency",
                "invoice_number": "${seq}",
                "note": "$req?.detail.note",  # optional: absent, not null
                "metadata": {"create_time": "$created_at", "last_update_time": "$updated_at"},
            },
            "primary_recipients": "$req.primary_recipients",
            "items": "$req.items",
            "amount": {"currency_code": "$currency", "value": "$amount"},
            "links": [{"href": "https://api-m.sandbox.paypal.com/v2/invoicing/invoices/${id}",
                       "rel": "self", "method": "GET"}],
        },
    ),
    error=ErrorSpec(
        template={"name": "INVALID_REQUEST", "message": "", "debug_id": "payconformsim0"},
        code_field="details.0.issue",
        message_field="message",
        outcomes={
            "CANNOT_CANCEL_DRAFT_INVOICE": Outcome.NOT_CANCELLABLE,
            "CANNOT_CANCEL_PAID_INVOICE": Outcome.NOT_CANCELLABLE,
            "CANNOT_CANCEL_REFUNDED_INVOICE": Outcome.NOT_CANCELLABLE,
            "CANNOT_CANCEL_SCHEDULED_INVOICE": Outcome.NOT_CANCELLABLE,
            "INVOICE_CANCELED_ALREADY": Outcome.NOT_CANCELLABLE,
        },
        http_outcomes={401: Outcome.UNAUTHORIZED, 403: Outcome.UNAUTHORIZED, 404: Outcome.NOT_FOUND,
                       429: Outcome.RATE_LIMITED},
        # error_400.message is a one-value enum in the vendor's OpenAPI.
        status_messages={400: "Request is not well-formed, syntactically incorrect, or violates schema."},
        schema_file="paypal-error.json",
        source=documented(f"{SPEC} schemas error_400 ... error_500, error_details"),
    ),
    scrub_body_fields=("email_address", "given_name", "surname"),
    vendor_openapi=("paypal-invoicing-v2.json",),
    fixtures=(
        FixtureLink(status="DRAFT", env="PAYPAL_DRAFT_INVOICE_ID"),
        FixtureLink(status="UNPAID", env="PAYPAL_UNPAID_INVOICE_ID"),
        FixtureLink(status="PAYMENT_PENDING", env="PAYPAL_PAYMENT_PENDING_INVOICE_ID"),
        FixtureLink(status="SCHEDULED", env="PAYPAL_SCHEDULED_INVOICE_ID"),
        FixtureLink(status="PARTIALLY_PAID", env="PAYPAL_PARTIALLY_PAID_INVOICE_ID"),
        FixtureLink(status="PAID", env="PAYPAL_PAID_INVOICE_ID"),
        FixtureLink(status="MARKED_AS_PAID", env="PAYPAL_MARKED_AS_PAID_INVOICE_ID"),
        FixtureLink(status="PARTIALLY_REFUNDED", env="PAYPAL_PARTIALLY_REFUNDED_INVOICE_ID"),
        FixtureLink(status="REFUNDED", env="PAYPAL_REFUNDED_INVOICE_ID"),
        FixtureLink(status="MARKED_AS_REFUNDED", env="PAYPAL_MARKED_AS_REFUNDED_INVOICE_ID"),
    ),
    notes=(
        "Drafts and scheduled invoices are deleted, not cancelled: DELETE /v2/invoicing/invoices/"
        "{id} 'Deletes invoices in the draft or scheduled state only' (same spec).",
        "Which status a sent invoice shows (SENT or UNPAID) is not stated; the simulator shows "
        "SENT. The current docs list AUTO_CANCELLED, PAID_EXTERNAL, REFUNDED_EXTERNAL and SHARED "
        f"beyond the 2.3 enum ({STATUS_LIST}); the schema accepts them, the contract does not "
        "model them.",
        "The spec declares no 401 for cancel; the legacy v1 API answered 405 for an unknown "
        "invoice (https://github.com/paypal/PayPal-node-SDK/issues/321).",
        "No official PayPal Python SDK covers invoicing (paypal-server-sdk 2.4.0 has orders, "
        "payments, subscriptions, transaction search, vault, OAuth only); the vendor OpenAPI runs "
        "through schemathesis instead.",
        "Rate limits: none published.",
    ),
)

# ---- Payment Links and Buttons v1 ------------------------------------------------------------------

LINKS_SCHEMA = ("https://developer.paypal.com/api/payment-links-buttons/v1/schema.yaml "
                "(Payment Links and Buttons 1.8)")
LINKS_DEFS = "https://developer.paypal.com/api/payment-links-buttons/v1/definitions"
LINKS_GUIDE = "https://docs.paypal.ai/payments/methods/pay-links-buttons-api"
LINKS_QUICKSTART = "https://developer.paypal.com/api/payment-links-buttons"
LINKS_REF = "https://docs.paypal.ai/reference/api/rest/payment-resources"
DELETE_PAGE = f"{LINKS_REF}/delete-a-payment-resource.md"
CREATE_PAGE = f"{LINKS_REF}/creates-a-payment-resource-for-a-single-item-purchase"
TOOLKIT = "paypal/agent-toolkit python/paypal_agent_toolkit/shared/payment_links"
TOOLKIT_AT = "@018eaef897c74ae7e8bb2be2c7422e1eac60a878"
TOOLKIT_PROMPTS = f"{TOOLKIT}/prompts.py@50548dd4473d21512ac91ff586de815755cd9416"

DELETES = (f"{DELETE_PAGE}: 'Permanently deletes the specified payment resource. Operation is "
           "irreversible and returns HTTP 204 No Content.'")
NOT_FOUND_TABLE = (f"{LINKS_GUIDE}, Error handling: 404 RESOURCE_NOT_FOUND 'The payment resource "
                   "ID is wrong, expired, or deleted.'")
LINK_NOT_FOUND = {"name": "RESOURCE_NOT_FOUND"}


def _link_auth(case: str) -> Expectation:
    return Expectation(
        outcome=Outcome.UNAUTHORIZED,
        source=inferred(f"{LINKS_SCHEMA} securitySchemes Oauth2 (client credentials) guards every "
                        f"payment-resources operation; the answer to {case} is not stated (the "
                        f"error table of {LINKS_GUIDE} lists 400, 403, 404, 422, 500)"),
        http_status=401,
        http_status_source=unverified("no 401 is listed for Payment Links and Buttons"),
        candidates=(
            Candidate(label="401 AUTHENTICATION_FAILURE", outcome=Outcome.UNAUTHORIZED,
                      http_status=401, error={"name": "AUTHENTICATION_FAILURE"}),
            Candidate(label="401 invalid_token (OAuth error body)", outcome=Outcome.UNAUTHORIZED,
                      http_status=401),
            Candidate(label="403 NOT_AUTHORIZED", outcome=Outcome.UNAUTHORIZED, http_status=403,
                      error={"name": "NOT_AUTHORIZED"}),
        ),
    )


PAYMENT_LINKS = build(
    "paypal-payment-links",
    display_name="PayPal Payment Links and Buttons v1 (delete a payment link)",
    summary="DELETE /v1/checkout/payment-resources/{id}: 204, no body; the link is gone (a read "
    "is a 404); an unknown id is a 404 RESOURCE_NOT_FOUND.",
    base_urls={"sandbox": "https://api-m.sandbox.paypal.com",
               "production": "https://api.paypal.com"},
    base_url_source=documented(f"{LINKS_QUICKSTART}: 'Use https://api-m.sandbox.paypal.com for "
                               "sandbox or https://api.paypal.com for production. Payloads and "
                               "steps are the same for both environments.'"),
    production_hosts=("api.paypal.com", "api-m.paypal.com"),
    auth=INVOICES.auth.model_copy(update={
        "missing": _link_auth("a request without a token"),
        "invalid": _link_auth("an unknown token"),
        "source": documented(f"{LINKS_SCHEMA} securitySchemes Oauth2 clientCredentials, scope "
                             "https://uri.paypal.com/services/checkout/payment-resources; "
                             f"{LINKS_QUICKSTART} quick start (token from /v1/oauth2/token, client "
                             "id and secret as Basic, grant_type=client_credentials form body); "
                             "the app needs 'Payment Links & Buttons' enabled"),
    }),
    headers=(
        HeaderSpec(
            name="PayPal-Request-Id",
            required=False,
            value="uuid",
            idempotency_key=True,
            # Documented on the create only: a retried DELETE could meet its own 404.
            idempotent_methods=("POST",),
            source=documented(f"{CREATE_PAGE}: PayPal-Request-Id header on create, 'The server "
                              "stores keys for 6 hours.' (1-108 characters, ^[0-9a-zA-Z_-]+$)"),
        ),
    ),
    api_versions=(
        ApiVersion(
            name="1.8",
            entity_schema_file="paypal-payment-resource.json",
            source=documented(f"{LINKS_DEFS}/payment_resource_base_response and "
                              f"{LINKS_DEFS}/payment_resource_entity ({LINKS_SCHEMA})"),
        ),
    ),
    default_api_version="1.8",
    statuses=(
        Status(name="ACTIVE", kind=StatusKind.OPEN, reachable_by_api=True,
               source=documented(f"{LINKS_DEFS}/payment_resource_base_response: status "
                                 "'ACTIVE', 'INACTIVE', default ACTIVE")),
        Status(name="INACTIVE", kind=StatusKind.OPEN,
               source=documented(f"{LINKS_DEFS}/payment_resource_base_response: status enum")),
        Status(name="DELETED", kind=StatusKind.DELETED, reachable_by_api=True,
               source=documented(DELETES)),
    ),
    initial_status="ACTIVE",
    cancelled_status="DELETED",
    create=CreateSpec(
        operation=Operation(method="POST", path="/v1/checkout/payment-resources"),
        body={
            "integration_mode": "LINK",
            "type": "BUY_NOW",
            "reusable": "MULTIPLE",
            "line_items": [{"name": "payconform conformance check", "product_id": "$run_tag",
                            "unit_amount": {"currency_code": "USD", "value": "$amount_decimal"}}],
        },
        currency="USD",
        success_status=201,
        # The documented pattern is ^[A-Z]{3}-[A-Z0-9]+$; PLB- and 12 characters follow the
        # guide's example PLB-X7MNK9P2QR8T (the agent toolkit checks ^PLB-[A-Z0-9]{12,16}$).
        id_template="PLB-{ALNUM:12}",
        id_max_length=127,
        required_fields=("integration_mode", "type"),
        amount_path="line_items.0.unit_amount.value",
        currency_path="line_items.0.unit_amount.currency_code",
        tag_path="line_items.0.product_id",
        source=documented(
            f"{CREATE_PAGE} (body: integration_mode LINK, type BUY_NOW, reusable MULTIPLE, "
            "return_url, line_items 1-20 with name, product_id 'Your internal identifier for this "
            "product', unit_amount {currency_code, value}; 201 'Payment resource generated "
            f"successfully'); {LINKS_DEFS}/payment_resource_entity (integration_mode and type "
            f"required); PayPal's official agent toolkit sends the same body: "
            f"{TOOLKIT}/parameters.py{TOOLKIT_AT} CreatePaymentLinkParameters (line_items at least "
            f"one, unit_amount required) and {TOOLKIT}/tool_handlers.py{TOOLKIT_AT} "
            "create_payment_link (POST /v1/checkout/payment-resources)"),
    ),
    fetch=Operation(method="GET", path="/v1/checkout/payment-resources/{id}"),
    fetch_source=documented(f"{LINKS_REF}/retrieve-a-payment-resource (200 with the payment "
                            "resource)"),
    cancel=Operation(method="DELETE", path="/v1/checkout/payment-resources/{id}"),
    cancel_source=documented(DELETES),
    cancel_success_status=204,
    cancel_no_body=True,
    cancel_outcomes={
        "ACTIVE": Expectation(outcome=Outcome.CANCELLED, source=documented(DELETES),
                              http_status=204),
        "INACTIVE": Expectation(
            outcome=Outcome.CANCELLED,
            source=inferred(f"{DELETES} The page states no status precondition, so an INACTIVE "
                            "link deletes like an ACTIVE one"),
            http_status=204,
        ),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(f"{DELETES}; {NOT_FOUND_TABLE} (a second delete names a deleted id)"),
        http_status=404,
        error=LINK_NOT_FOUND,
    ),
    cancelled_fetch=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(f"{DELETES}; {NOT_FOUND_TABLE} (a read of a deleted link names a "
                        "deleted id)"),
        http_status=404,
        error=LINK_NOT_FOUND,
    ),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=documented(NOT_FOUND_TABLE),
        http_status=404,
        error=LINK_NOT_FOUND,
    ),
    unknown_id_example="PLB-PCNOTEXIST00",
    entity=EntitySpec(
        id_field="id",
        status_field="status",
        immutable_fields=("id", "integration_mode", "type", "create_time"),
        timestamp_format="iso8601_z",
        template={
            "id": "$id",
            "payment_link": "https://www.sandbox.paypal.com/ncp/payment/${token}",
            "links": [{"href": "https://api-m.sandbox.paypal.com/v1/checkout/payment-resources/${id}",
                       "rel": "self", "method": "GET"}],
            "create_time": "$created_at",
            "update_time": "$updated_at",
            "status": "$status",
            "integration_mode": "LINK",
            "type": "BUY_NOW",
            "reusable": "MULTIPLE",
            "line_items": "$req.line_items",
        },
    ),
    error=ErrorSpec(
        template={"name": "INVALID_REQUEST", "message": "", "debug_id": "payconformsim0"},
        code_field="name",
        message_field="message",
        outcomes={"RESOURCE_NOT_FOUND": Outcome.NOT_FOUND},
        http_outcomes={401: Outcome.UNAUTHORIZED, 403: Outcome.UNAUTHORIZED, 404: Outcome.NOT_FOUND,
                       429: Outcome.RATE_LIMITED},
        schema_file="paypal-error.json",
        source=documented(f"{LINKS_GUIDE}, Error handling (400 INVALID_REQUEST, 403 NOT_AUTHORIZED, "
                          "404 RESOURCE_NOT_FOUND, 422 UNPROCESSABLE_ENTITY, 500 "
                          f"INTERNAL_SERVER_ERROR); {LINKS_REF}/replace-a-payment-resource error "
                          "example {name, message, debug_id, details[{issue, field, value, "
                          "location, links, description}], links}: the envelope of the invoicing "
                          "API"),
    ),
    fixtures=(FixtureLink(status="INACTIVE", env="PAYPAL_INACTIVE_PAYMENT_LINK_ID"),),
    notes=(
        "An unknown id is a documented 404, but PayPal's agent toolkit tells its model 'PayPal API "
        "may return a 500 error instead of 404 for non-existent payment link IDs. This is expected "
        f"API behavior.' ({TOOLKIT_PROMPTS} DELETE_PAYMENT_LINK_PROMPT; "
        "https://github.com/paypal/agent-toolkit/pull/78). A live run that meets that 500 reports "
        "the case INCONCLUSIVE, then FAIL once the 500 persists while other calls are answered "
        "(persistent server errors).",
        "Paid links: a link is reusable (MULTIPLE) and has no paid status; what deleting a link "
        "that took payments does is not stated. How a link becomes INACTIVE is not stated either "
        "(PUT replaces the link and carries no status), hence the fixture variable.",
        f"The reference pages' curl doubles the path (https://api.paypal.com/v1/checkout/v1/checkout/"
        f"payment-resources/...; their OpenAPI servers.url already ends in /v1/checkout): "
        f"{DELETE_PAGE}. The guide's curl samples use api.sandbox.paypal.com; its Test section "
        "names api-m.sandbox.paypal.com, the host used here.",
        "The API has no PATCH: updates are a full PUT of the link "
        f"({LINKS_GUIDE}: 'The API currently only uses PUT calls instead of PATCH calls.').",
        "Rate limits: none published. The same PAYPAL_CLIENT_ID / PAYPAL_CLIENT_SECRET serve the "
        "invoices contract; the app must have Payment Links & Buttons enabled.",
    ),
)

CONTRACTS = (INVOICES, PAYMENT_LINKS)
