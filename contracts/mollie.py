"""Mollie Payment Links: delete a link, or archive it.

Two contracts on one host (``https://api.mollie.com/v2``; the key, ``test_`` or ``live_``,
selects the mode). A Mollie payment link has no status field: ``archived`` and ``paidAt``
carry its state (``Status.fields``). ``mollie`` deletes (204, no body; the link is gone
afterwards, so a fetch answers 404: ``Contract.gone``); ``mollie-archive`` archives with a
PATCH of ``{"archived": true}``, an update of the link (``Contract.cancel_by_body``).
Every answer is ``application/hal+json``, and an error repeats the HTTP status in its body
(``ErrorSpec.http_status_field``).
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

# ---- sources ------------------------------------------------------------------------------

SPEC = "mollie/openapi specs.yaml@cfbba47b874b90ea54dc5e2643d163b8bc527902"
DELETE_PAGE = "https://docs.mollie.com/reference/delete-payment-link"
AUTH_PAGE = "https://docs.mollie.com/reference/authentication"
IDEMPOTENCY_PAGE = "https://docs.mollie.com/reference/api-idempotency"
SDK = "the official mollie-api-py Python package 1.10.20"

DELETE_RULE = (
    f"{SPEC} delete-payment-link: 'Payment links which have not been opened and no payments "
    "have been made yet can be deleted entirely.'; 'Once deleted, the payment link will no "
    f"longer show up in the API or Mollie dashboard.'; {DELETE_PAGE}"
)
ARCHIVED_FIELD = (
    f"{SPEC} update-payment-link: archived 'Customers will not be able to complete payments on "
    "archived payment links.'"
)
NOT_FOUND = {"title": "Not Found"}
NOT_FOUND_EXAMPLE = inferred(
    f"{SPEC} example 404-invalid-id (title 'Not Found'; its detail names a generic token)",
    "one example, so the title is inferred",
)


def _not_found(source_text: str) -> Expectation:
    return Expectation(
        outcome=Outcome.NOT_FOUND,
        source=documented(source_text),
        http_status=404,
        error=NOT_FOUND,
        error_source=NOT_FOUND_EXAMPLE,
    )


def _auth(case: str) -> Expectation:
    return Expectation(
        outcome=Outcome.UNAUTHORIZED,
        source=inferred(
            f"{SPEC} securitySchemes (Bearer API key, organization access token or OAuth) guard "
            f"every operation; the answer to {case} is not declared (no 401 in the spec)"
        ),
        http_status=401,
    )


AUTH = Auth(
    scheme="bearer",
    credentials={"api_key": "MOLLIE_API_KEY"},
    secret_credentials=("api_key",),
    token_credential="api_key",
    simulator_credentials={"api_key": "test_payconformSimulatorKey0000000000"},
    # No sandbox pattern: "test_" alone also starts Stripe ids and URLs, so cassette lint
    # would flag them; the scrubber redacts the key by value anyway.
    live_key_patterns=(r"^live_",),
    missing=_auth("a request without a key"),
    invalid=_auth("an unknown key"),
    source=documented(f"{AUTH_PAGE}: 'Each key targets either live mode (`live_...`) or test mode "
                      f"(`test_...`)'; Authorization: Bearer; {SPEC} securitySchemes"),
)

HEADERS = (
    HeaderSpec(
        name="Idempotency-Key",
        required=False,
        value="uuid",
        idempotency_key=True,
        source=documented(f"{IDEMPOTENCY_PAGE}; {SPEC} idempotency-key header parameter on "
                          "DELETE and PATCH: 'This key should be a UUID v4 string'"),
    ),
)

VERSION = ApiVersion(
    name="v2",
    entity_schema_file="mollie-payment-link.json",
    source=documented(f"{SPEC} payment-link-response (the version is the path's /v2)"),
)

PAID_SOURCE = documented(f"{SPEC} paidAt: 'The date and time the payment link became paid'")
OPEN = Status(name="open", kind=StatusKind.OPEN, reachable_by_api=True,
              fields={"archived": False, "paidAt": None},
              source=documented(f"{SPEC} create-payment-link (archived false, paidAt null)"))
PAID = Status(name="paid", kind=StatusKind.PAID, fields={"archived": False, "paidAt": "$updated_at"},
              source=PAID_SOURCE)


def _archived(*, reachable: bool) -> Status:
    return Status(name="archived", kind=StatusKind.CANCELLED, fields={"archived": True},
                  reachable_by_api=reachable, source=documented(ARCHIVED_FIELD))


CREATE = CreateSpec(
    operation=Operation(method="POST", path="/payment-links"),
    body={
        "description": "$run_tag",
        "amount": {"currency": "EUR", "value": "$amount_decimal"},
    },
    success_status=201,
    id_prefix="pl_",
    id_length=21,
    amount_path="amount.value",
    currency_path="amount.currency",
    tag_path="description",
    source=documented(f"{SPEC} create-payment-link: 201; description and amount "
                      "{currency, value: a string with two decimals}"),
)

ENTITY = EntitySpec(
    id_field="id",
    status_field=None,
    immutable_fields=("id", "amount.value", "amount.currency", "createdAt", "mode"),
    timestamp_format="iso8601_z",
    template={
        "resource": "payment-link",
        "id": "$id",
        "mode": "test",
        "description": "$req.description",
        "amount": {"currency": "$currency", "value": "$amount"},
        "minimumAmount": None,
        "archived": False,
        "redirectUrl": None,
        "webhookUrl": None,
        "profileId": "pfl_payconform1",
        "reusable": False,
        "createdAt": "$created_at",
        "paidAt": None,
        "expiresAt": None,
        "allowedMethods": None,
        "_links": {
            "self": {"href": "https://api.mollie.com/v2/payment-links/${id}",
                     "type": "application/hal+json"},
            "paymentLink": {"href": "https://payment-links.mollie.com/payment/${token}",
                            "type": "text/html"},
            "documentation": {"href": "https://docs.mollie.com/reference/get-payment-link",
                              "type": "text/html"},
        },
    },
)

ERROR = ErrorSpec(
    template={
        "status": 400,
        "title": "Bad Request",
        "detail": "",
        "_links": {"documentation": {"href": "https://docs.mollie.com/reference/handling-errors",
                                     "type": "text/html"}},
    },
    code_field="title",
    message_field="detail",
    http_status_field="status",
    outcomes={"Not Found": Outcome.NOT_FOUND},
    message_outcomes={"Payment link cannot be deleted.": Outcome.NOT_CANCELLABLE},
    http_outcomes={401: Outcome.UNAUTHORIZED, 404: Outcome.NOT_FOUND, 422: Outcome.INVALID_REQUEST,
                   429: Outcome.RATE_LIMITED},
    schema_file="mollie-error.json",
    source=documented(f"{SPEC} error-response (application/hal+json: status, title, detail, "
                      "field, _links.documentation); https://docs.mollie.com/reference/handling-errors"),
)

NOTES = (
    "The spec's licence is CC-BY-NC-SA-4.0 (info.license; the repository has no LICENSE file), so "
    "payconform does not ship the vendor OpenAPI subset; the schemas here are written from its "
    "field list.",
    "Open questions for a live run (no source): a second archive; archiving a paid link; "
    "deleting an archived link; the 401 body.",
    "A link that was opened but has no payment may not be deleted (documented), but nothing in "
    "the payment-link object shows that it was opened, so that state is not modelled.",
    "Rate limits: 429 'You have exceeded the rate limit.' (spec example); no numbers published. "
    "The spec's x-speakeasy-retries retries 429 and 5xx.",
    "The simulator prints timestamps with a Z suffix; Mollie's examples use +00:00.",
)

# ---- delete ---------------------------------------------------------------------------------------

DELETE = build(
    "mollie",
    display_name="Mollie Payment Links (delete)",
    summary="DELETE /v2/payment-links/{id}: 204, no body; only a link without payments; a paid "
    "link is a 422; the link is gone afterwards.",
    base_urls={"sandbox": "https://api.mollie.com/v2", "production": "https://api.mollie.com/v2"},
    base_url_source=documented(f"{SPEC} servers https://api.mollie.com/v2 (one host; the key "
                               f"selects test or live mode); {SDK} SERVERS"),
    production_hosts=(),
    auth=AUTH,
    headers=HEADERS,
    content_type="application/hal+json",
    api_versions=(VERSION,),
    default_api_version="v2",
    statuses=(
        OPEN,
        PAID,
        _archived(reachable=False),
        Status(name="deleted", kind=StatusKind.DELETED, reachable_by_api=True,
               source=documented(DELETE_RULE)),
    ),
    initial_status="open",
    cancelled_status="deleted",
    create=CREATE,
    fetch=Operation(method="GET", path="/payment-links/{id}"),
    fetch_source=documented(f"{SPEC} get-payment-link"),
    cancel=Operation(method="DELETE", path="/payment-links/{id}"),
    cancel_source=documented(f"{SPEC} delete-payment-link (204 'An empty response.'); {DELETE_PAGE}"),
    cancel_success_status=204,
    cancel_no_body=True,
    cancel_outcomes={
        "open": Expectation(outcome=Outcome.CANCELLED, source=documented(DELETE_RULE),
                            http_status=204),
        "paid": Expectation(
            outcome=Outcome.NOT_CANCELLABLE,
            source=documented(f"{SPEC} delete-payment-link 422: 'if a payment already exists for "
                              "this payment link'"),
            outcome_source=inferred(f"{SPEC} 422 example detail 'Payment link cannot be deleted.'",
                                    "one example; the detail is what tells this refusal apart"),
            http_status=422,
            error={"title": "Unprocessable Entity", "detail": "Payment link cannot be deleted."},
            error_source=inferred(f"{SPEC} 422 example (one example)"),
        ),
        "archived": Expectation(
            outcome=Outcome.CANCELLED,
            source=unverified(f"{DELETE_RULE}; nothing says whether archiving counts"),
            candidates=(
                Candidate(label="204 deleted (archived, but never opened and without payments)",
                          outcome=Outcome.CANCELLED, http_status=204),
                Candidate(label="422 Payment link cannot be deleted.",
                          outcome=Outcome.NOT_CANCELLABLE, http_status=422,
                          error={"detail": "Payment link cannot be deleted."}),
            ),
        ),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=inferred(f"{DELETE_RULE} (so a second delete finds nothing)"),
        http_status=404,
        error=NOT_FOUND,
    ),
    cancelled_fetch=_not_found(f"{DELETE_RULE} (a get of a deleted link finds nothing)"),
    unknown_id=_not_found(f"{SPEC} delete-payment-link 404 (404-invalid-id)"),
    unknown_id_example="pl_payconformUnknown00000",
    entity=ENTITY,
    error=ERROR,
    fixtures=(
        FixtureLink(status="paid", env="MOLLIE_PAID_PAYMENT_LINK_ID"),
        FixtureLink(status="archived", env="MOLLIE_ARCHIVED_PAYMENT_LINK_ID"),
    ),
    notes=NOTES,
)

# ---- archive --------------------------------------------------------------------------------------

ARCHIVE = build(
    "mollie-archive",
    display_name="Mollie Payment Links (archive)",
    summary="PATCH /v2/payment-links/{id} with {\"archived\": true}: 200 with the link; a repeat "
    "archive and archiving a paid link are unverified.",
    base_urls=DELETE.base_urls,
    base_url_source=DELETE.base_url_source,
    production_hosts=(),
    auth=AUTH,
    headers=HEADERS,
    content_type="application/hal+json",
    api_versions=(VERSION,),
    default_api_version="v2",
    statuses=(OPEN, PAID, _archived(reachable=True)),
    initial_status="open",
    cancelled_status="archived",
    create=CREATE,
    fetch=DELETE.fetch,
    fetch_source=DELETE.fetch_source,
    cancel=Operation(method="PATCH", path="/payment-links/{id}"),
    cancel_source=documented(f"{SPEC} update-payment-link (archived); {DELETE_PAGE}: 'To simply "
                             "disable a payment link without fully deleting it, you can use the "
                             "`archived` parameter'"),
    cancel_body={"archived": True},
    cancel_by_body=True,
    cancel_outcomes={
        "open": Expectation(outcome=Outcome.CANCELLED, source=documented(ARCHIVED_FIELD),
                            http_status=200),
        "paid": Expectation(
            outcome=Outcome.CANCELLED,
            source=unverified(f"{ARCHIVED_FIELD}; no precondition is documented, and the spec's "
                              "200 example update-payment-link-200-1 has archived true with paidAt "
                              "set (an example, not a rule)"),
            candidates=(
                Candidate(label="200 archived (no precondition documented)",
                          outcome=Outcome.CANCELLED, http_status=200),
                Candidate(label="422 refused", outcome=Outcome.NOT_CANCELLABLE, http_status=422),
            ),
        ),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.ALREADY_CANCELLED,
        source=unverified("no source says what archiving an archived link answers"),
        candidates=(
            Candidate(label="200 no-op: the link stays archived", outcome=Outcome.ALREADY_CANCELLED,
                      http_status=200),
            Candidate(label="422 refused", outcome=Outcome.REJECTED, http_status=422),
        ),
    ),
    unknown_id=_not_found(f"{SPEC} update-payment-link 404"),
    unknown_id_example="pl_payconformUnknown00000",
    entity=ENTITY,
    error=ERROR,
    # Its own variable: a paid link archived by this run cannot serve the delete contract.
    fixtures=(FixtureLink(status="paid", env="MOLLIE_ARCHIVE_PAID_PAYMENT_LINK_ID"),),
    notes=NOTES,
)

CONTRACTS = (DELETE, ARCHIVE)
