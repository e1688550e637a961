"""Razorpay Payment Links: the v1 ``/payment_links`` API and the legacy invoice-based links.

Two contracts on one host (``https://api.razorpay.com``; the key, not the host, selects test
or live mode). Sources are cited per fact, at the levels of the README's evidence policy; the
vendor bodies and statements that guard them are in ``contracts/evidence/razorpay*/``. Every
documented refusal is an HTTP 400 ``BAD_REQUEST_ERROR``, so refusals are told apart by
``error.description`` (``ErrorSpec.message_outcomes``).
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
    Source,
    Status,
    StatusKind,
    build,
    documented,
    inferred,
    unverified,
)

# ---- sources ------------------------------------------------------------------------------

SDK = "razorpay/razorpay-python@b56ac018bf023e2b244a73a4bda2ea861115edcf"
SDK_URLS = f"{SDK} razorpay/constants/url.py (BASE_URL, V1='/v1', PAYMENT_LINK_URL, INVOICE_URL)"
MD = "razorpay/markdown-docs"
CANCEL_STD = (
    f"{MD} api/payments/payment-links/cancel-standard.md@0869718719caa2a0830ef28c087f87460b1dc1c6"
)
CANCEL_STD_PAGE = "https://razorpay.com/docs/api/payments/payment-links/cancel-standard"
STATES = "https://razorpay.com/docs/payments/payment-links/states/"
CANCEL_GUIDE = "https://razorpay.com/docs/payments/payment-links/cancel"
AUTH_PAGE = "https://razorpay.com/docs/api/authentication"
ERRORS_PAGE = "https://razorpay.com/docs/errors"
INVOICE_CANCEL = f"{MD} api/payments/invoices/cancel.md@31d81031cbaa8d7455f129454cd12ee48ec30406"
LEGACY_CANCEL = (
    "https://axisbank-docs.razorpay.com/payment-links/api/v1/cancel/ (Razorpay-hosted legacy "
    "'Cancel a Payment Link', /invoices/:id/cancel)"
)
LEGACY_API = "https://razorpay.com/docs/api/payment-links/ (legacy entity: 'type ... link/ecod/invoice')"
LEGACY_V1 = "https://razorpay.com/docs/api/payment-links/v1/ (old API URL /v1/invoices)"

# The Errors sections give headings, not bodies; that a heading is the error.description is
# inferred from the invoice page, whose Failure example follows that pattern.
HEADING_AS_DESCRIPTION = inferred(
    f"{CANCEL_STD} Errors headings; {INVOICE_CANCEL} Failure example",
    "the heading strings are the error.description values (inferred from the invoice page's "
    "pattern); the exact JSON of payment-link errors is not published",
)
BAD_REQUEST = "BAD_REQUEST_ERROR"
# Neither cancel page prints the HTTP status of a success; the razorpay-python mocks serve 200.
SUCCESS_200 = inferred(
    f"no status printed on {CANCEL_STD_PAGE} or {INVOICE_CANCEL}; {SDK} "
    "tests/test_client_payment_link.py and tests/test_client_invoice.py serve the cancel mocks "
    "with status=200",
    "a single SDK mock, not a vendor statement",
)

PAID_MSG = "cannot cancel or expire an already paid/partially paid link"
EXPIRED_MSG = "cannot cancel or expire an expired link"
NOT_FOUND_MSG = "The id provided does not exist"
KEY_INVALID_MSG = "The api key provided is invalid"
SECRET_INVALID_MSG = "The api secret provided is invalid"
INVOICE_CANCELLED_MSG = "Operation not allowed for Invoice in cancelled status."


def _invoice_status_msg(status: str) -> str:
    # The documented message names the status the invoice is in; other statuses are assumed
    # to follow the same pattern (inferred, see _invoice_refused).
    return f"Operation not allowed for Invoice in {status} status."


# ---- shared: host, auth, errors -----------------------------------------------------------

BASE_URLS = {"sandbox": "https://api.razorpay.com", "production": "https://api.razorpay.com"}
BASE_URL_SOURCE = documented(
    f"{SDK_URLS}; {AUTH_PAGE}; https://razorpay.com/docs/payments/dashboard/test-live-modes/",
    "one host for test and live mode; the key pair selects the mode",
)

_AUTH_INVALID_STATUS = unverified(
    f"{CANCEL_STD} Errors: 'The api {{key/secret}} provided is invalid', code 4xx",
    "the exact status is not given; 401 is what the simulator plays",
)

AUTH = Auth(
    scheme="basic",
    credentials={"key_id": "RAZORPAY_KEY_ID", "key_secret": "RAZORPAY_KEY_SECRET"},
    secret_credentials=("key_secret",),
    username="key_id",
    password="key_secret",
    simulator_credentials={
        "key_id": "rzp_test_PayconformSim01",
        "key_secret": "payconform-sim-secret",
    },
    sandbox_key_patterns=(r"^rzp_test_",),
    live_key_patterns=(r"^rzp_live_",),
    key_patterns_source=unverified(
        f"community-attested, not in official docs: public code checks startsWith('rzp_test_'); "
        f"{SDK} tests/mocks/fake_payment_json.json has key_id=rzp_test_pNL6H0AmbBEyjD",
        "Razorpay's own pages do not state the prefix rule",
    ),
    # Refused at all: documented (every request authenticates). Refused as what: unverified.
    missing=Expectation(
        outcome=Outcome.UNAUTHORIZED,
        source=documented(
            f"{AUTH_PAGE}: every request authenticates with Basic auth (key id and secret); "
            "the answer to a request without an Authorization header is not described"
        ),
        outcome_source=unverified("no missing-credentials response is documented"),
        http_status=401,
        http_status_source=unverified("no missing-credentials response is documented"),
    ),
    invalid=Expectation(
        outcome=Outcome.UNAUTHORIZED,
        source=documented(f"{CANCEL_STD} Errors: 'The api {{key/secret}} provided is invalid'"),
        outcome_source=HEADING_AS_DESCRIPTION,
        http_status=401,
        http_status_source=_AUTH_INVALID_STATUS,
        error={"description": KEY_INVALID_MSG},
        error_source=unverified(
            f"{CANCEL_STD} heading '{{key/secret}}': which of the two a wrong pair names is "
            "not documented"
        ),
    ),
    source=documented(
        f"{AUTH_PAGE}: Authorization: Basic base64(KEY_ID:KEY_SECRET); invalid header "
        "formats fail; test and live have separate key pairs"
    ),
)

ERROR_TEMPLATE = {
    "error": {
        "code": BAD_REQUEST,
        "description": "",
        "field": None,
        # The only documented cancel error body uses these values (invoice Failure example).
        "source": "business",
        "step": "payment_initiation",
        "reason": "input_validation_failed",
        "metadata": {},
    }
}
_AUTH_MESSAGES = {KEY_INVALID_MSG: Outcome.UNAUTHORIZED, SECRET_INVALID_MSG: Outcome.UNAUTHORIZED}
_HTTP_OUTCOMES = {401: Outcome.UNAUTHORIZED, 429: Outcome.RATE_LIMITED}
ERROR_SOURCE = documented(
    f"{ERRORS_PAGE} (error object: code, description, field, source, step, reason, metadata); "
    f"{SDK} razorpay/client.py (reads error.code and error.description)"
)

API_VERSION_NOTE = (
    "No API-version header: the version lives in the path (/v1); one pseudo-version 'v1'."
)

# ---- Payment Links v1 ---------------------------------------------------------------------

_PL_STATUS_SRC = documented(f"{CANCEL_STD} status values; {MD} fetch-id-standard.md")
_PL_400 = documented(f"{CANCEL_STD} Errors: code 400")


def _pl_refused(message: str, source: Source) -> Expectation:
    return Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=source,
        outcome_source=HEADING_AS_DESCRIPTION,
        http_status=400,
        http_status_source=_PL_400,
        error={"description": message, "code": BAD_REQUEST},
        error_source=HEADING_AS_DESCRIPTION,
    )


_PL_PAID = documented(
    f"{CANCEL_STD} Errors: '{PAID_MSG}' (code 400, 'already paid or partially paid'); "
    f"{STATES}: 'You cannot cancel Payment Links in the partially_paid or paid state'"
)
_PL_EXPIRED = documented(
    f"{CANCEL_STD} Errors: '{EXPIRED_MSG}' (code 400, 'has expired or cancelled')"
)

PAYMENT_LINKS = build(
    "razorpay",
    display_name="Razorpay Payment Links (v1 /payment_links)",
    summary=(
        "POST /v1/payment_links/{id}/cancel; only created links; every refusal (paid, "
        "expired, repeat, unknown id) is a 400 BAD_REQUEST_ERROR told apart by its description."
    ),
    base_urls=BASE_URLS,
    base_url_source=BASE_URL_SOURCE,
    # The same host serves test and live keys, so the host says nothing about production;
    # the live-key signal is auth.live_key_patterns.
    production_hosts=(),
    auth=AUTH,
    api_versions=(
        ApiVersion(
            name="v1",
            entity_schema_file="razorpay-payment-link.json",
            source=documented(f"{CANCEL_STD} Parameters; {CANCEL_STD_PAGE} Success example"),
        ),
    ),
    default_api_version="v1",
    statuses=(
        Status(name="created", kind=StatusKind.OPEN, reachable_by_api=True,
               source=documented(f"{_PL_STATUS_SRC.citation}; {STATES} calls it 'issued'")),
        Status(name="partially_paid", kind=StatusKind.PARTIALLY_PAID, source=_PL_STATUS_SRC),
        Status(name="paid", kind=StatusKind.PAID, source=_PL_STATUS_SRC),
        Status(name="expired", kind=StatusKind.EXPIRED, source=_PL_STATUS_SRC),
        Status(name="cancelled", kind=StatusKind.CANCELLED, reachable_by_api=True,
               source=_PL_STATUS_SRC),
    ),
    initial_status="created",
    cancelled_status="cancelled",
    create=CreateSpec(
        operation=Operation(method="POST", path="/v1/payment_links"),
        body={
            "amount": "$amount",
            "currency": "$currency",
            "accept_partial": False,
            "description": "payconform conformance check",
            "customer": {
                "name": "Payconform Test",
                "contact": "+919999999999",
                "email": "test@example.com",
            },
            "notify": {"sms": False, "email": False},
            "reminder_enable": False,
            "expire_by": "$expire_at",
            "notes": {"payconform_run": "$run_tag"},
        },
        id_prefix="plink_",
        id_length=14,
        amount_path="amount",
        currency_path="currency",
        tag_path="notes.payconform_run",
        source=documented(
            f"{SDK} razorpay/resources/payment_link.py (POST /v1/payment_links); "
            f"{MD} api/payments/payment-links/create-standard.md",
            "ids are server-generated; 'plink_' + 14 characters as in every example",
        ),
    ),
    fetch=Operation(method="GET", path="/v1/payment_links/{id}"),
    fetch_source=documented(f"{SDK} razorpay/resources/payment_link.py; {MD} fetch-id-standard.md"),
    cancel=Operation(method="POST", path="/v1/payment_links/{id}/cancel"),
    cancel_source=documented(
        f"{CANCEL_STD}; {CANCEL_STD_PAGE}; {SDK} razorpay/resources/payment_link.py (empty body)"
    ),
    cancel_outcomes={
        "created": Expectation(
            outcome=Outcome.CANCELLED,
            source=documented(
                f"{CANCEL_GUIDE}: only created links can be cancelled; {CANCEL_STD_PAGE} "
                "Success: status cancelled, cancelled_at set"
            ),
            http_status=200,
            http_status_source=SUCCESS_200,
        ),
        "partially_paid": _pl_refused(PAID_MSG, _PL_PAID),
        "paid": _pl_refused(PAID_MSG, _PL_PAID),
        "expired": _pl_refused(EXPIRED_MSG, _PL_EXPIRED),
    },
    repeat_cancel=_pl_refused(EXPIRED_MSG, _PL_EXPIRED),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=documented(
            f"{CANCEL_STD} Errors: '{NOT_FOUND_MSG}' (code 400, not 404: 'does not belong to "
            "the requestor business, or it doesn't exist')"
        ),
        outcome_source=HEADING_AS_DESCRIPTION,
        http_status=400,
        http_status_source=_PL_400,
        error={"description": NOT_FOUND_MSG, "code": BAD_REQUEST},
        error_source=HEADING_AS_DESCRIPTION,
    ),
    # Well-formed on purpose: a malformed id answers 'invalid input [strippedId]' instead
    # (fetch-id-standard.md).
    unknown_id_example="plink_PcUnknownLink0",
    entity=EntitySpec(
        id_field="id",
        status_field="status",
        cancelled_at_field="cancelled_at",
        updated_at_field="updated_at",
        immutable_fields=("id", "amount", "currency", "created_at"),
        timestamp_format="unix",
        unset_timestamp="zero",
        template={
            "accept_partial": "$req.accept_partial",
            "amount": "$amount",
            "amount_paid": "$amount_paid",
            "cancelled_at": "$cancelled_at",
            "created_at": "$created_at",
            "currency": "$currency",
            "customer": "$req.customer",
            "description": "$req.description",
            "expire_by": "$req.expire_by",
            "expired_at": 0,
            "first_min_partial_amount": 0,
            "id": "$id",
            "notes": "$req.notes",
            "notify": "$req.notify",
            "payments": [],
            "reference_id": "",
            "reminder_enable": "$req.reminder_enable",
            "reminders": [],
            "short_url": "https://rzp.io/i/${token}",
            "status": "$status",
            "updated_at": "$updated_at",
            "upi_link": False,
            "user_id": "",
        },
    ),
    error=ErrorSpec(
        path="error",
        template=ERROR_TEMPLATE,
        code_field="code",
        message_field="description",
        message_outcomes={
            PAID_MSG: Outcome.NOT_CANCELLABLE,
            EXPIRED_MSG: Outcome.NOT_CANCELLABLE,
            NOT_FOUND_MSG: Outcome.NOT_FOUND,
            **_AUTH_MESSAGES,
        },
        http_outcomes=_HTTP_OUTCOMES,
        schema_file="razorpay-error.json",
        source=ERROR_SOURCE,
    ),
    scrub_body_fields=("contact", "email", "name"),
    fixtures=(
        FixtureLink(status="paid", env="RAZORPAY_PAID_LINK_ID"),
        FixtureLink(status="partially_paid", env="RAZORPAY_PARTIALLY_PAID_LINK_ID"),
        FixtureLink(status="expired", env="RAZORPAY_EXPIRED_LINK_ID"),
    ),
    notes=(
        API_VERSION_NOTE,
        "Key prefixes rzp_test_ / rzp_live_ are community-attested, not in official docs "
        "(auth.key_patterns_source); production_hosts is empty because test and live share "
        "api.razorpay.com, so a production guard must refuse on the live key pattern.",
        "The states page says a link starts 'issued'; the API enum says 'created' "
        "(treated as the same state).",
        "UPI Payment Links use the same cancel path and have no partially_paid state.",
        "The Errors headings as error.description are INFERRED; the refusal and its 400 are "
        "documented, so a drifted description WARNs while an accepted cancel FAILs.",
        "Rate-limit (429) and idempotency behaviour for payment links is unverified.",
    ),
)

# ---- legacy invoice-based Payment Links -----------------------------------------------------

_INV_STATUS_SRC = documented(f"{INVOICE_CANCEL} status values")
_ONLY_ISSUED = documented(
    f"{LEGACY_CANCEL}: 'This method can only be called on a Payment Link that is in the issued "
    f"state'; {INVOICE_CANCEL} Errors: 'You can only cancel an unpaid issued invoice.'"
)
_INV_400 = inferred(f"{INVOICE_CANCEL} Errors: the one documented cancel error is code 400")
_INV_MSG_PATTERN = inferred(
    f"{INVOICE_CANCEL} Failure example '{INVOICE_CANCELLED_MSG}'",
    "the same message naming this status is assumed; only the cancelled one is documented",
)


def _invoice_refused(status: str, source: Source) -> Expectation:
    return Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=source,
        outcome_source=_INV_MSG_PATTERN,
        http_status=400,
        http_status_source=_INV_400,
        error={"description": _invoice_status_msg(status), "code": BAD_REQUEST},
        error_source=_INV_MSG_PATTERN,
    )


_INV_UNKNOWN_CANDIDATES = (
    Candidate(label=f"400 {BAD_REQUEST} '{NOT_FOUND_MSG}' (as Payment Links v1)",
              outcome=Outcome.NOT_FOUND, http_status=400,
              error={"description": NOT_FOUND_MSG, "code": BAD_REQUEST}),
    Candidate(label="404 not found", outcome=Outcome.NOT_FOUND, http_status=404),
)

INVOICES = build(
    "razorpay-invoices",
    display_name="Razorpay legacy Payment Links (invoices, type=link)",
    summary=(
        "POST /v1/invoices/{id}/cancel; only issued links; a repeat cancel is a 400 "
        "BAD_REQUEST_ERROR 'Operation not allowed for Invoice in cancelled status.'"
    ),
    base_urls=BASE_URLS,
    base_url_source=BASE_URL_SOURCE,
    production_hosts=(),
    auth=AUTH,
    api_versions=(
        ApiVersion(
            name="v1",
            entity_schema_file="razorpay-invoice.json",
            source=documented(f"{LEGACY_CANCEL} Response Parameters; {INVOICE_CANCEL} Success"),
        ),
    ),
    default_api_version="v1",
    statuses=(
        Status(name="draft", kind=StatusKind.DRAFT, source=_INV_STATUS_SRC),
        Status(
            name="issued", kind=StatusKind.OPEN, reachable_by_api=True,
            source=inferred(
                f"{INVOICE_CANCEL} status values; {STATES}: 'A Payment Link starts in the "
                f"issued state'; {LEGACY_CANCEL}: cancellable only when issued, paid_at null "
                "'as the link has just been created'",
                "that a link created through POST /v1/invoices with type=link starts issued "
                "(not draft) is inferred; no legacy create response was found",
            ),
        ),
        Status(name="partially_paid", kind=StatusKind.PARTIALLY_PAID, source=_INV_STATUS_SRC),
        Status(name="paid", kind=StatusKind.PAID, source=_INV_STATUS_SRC),
        Status(name="cancelled", kind=StatusKind.CANCELLED, reachable_by_api=True,
               source=_INV_STATUS_SRC),
        Status(name="expired", kind=StatusKind.EXPIRED, source=_INV_STATUS_SRC),
        Status(name="deleted", kind=StatusKind.DELETED, source=_INV_STATUS_SRC),
    ),
    initial_status="issued",
    cancelled_status="cancelled",
    create=CreateSpec(
        operation=Operation(method="POST", path="/v1/invoices"),
        body={
            "type": "link",
            "amount": "$amount",
            "currency": "$currency",
            "description": "payconform conformance check",
            "customer": {
                "name": "Payconform Test",
                "contact": "+919999999999",
                "email": "test@example.com",
            },
            "sms_notify": 0,
            "email_notify": 0,
            "expire_by": "$expire_at",
            "notes": {"payconform_run": "$run_tag"},
        },
        id_prefix="inv_",
        id_length=14,
        amount_path="amount",
        currency_path="currency",
        tag_path="notes.payconform_run",
        source=documented(
            f"{LEGACY_API}: 'Mandatory. Must pass type=link'; {LEGACY_V1}; "
            f"{SDK} razorpay/resources/invoice.py (POST /v1/invoices)",
            "ids are server-generated; 'inv_' + 14 characters as in the docs example",
        ),
    ),
    fetch=Operation(method="GET", path="/v1/invoices/{id}"),
    fetch_source=documented(f"{SDK} razorpay/resources/invoice.py; {LEGACY_V1}"),
    cancel=Operation(method="POST", path="/v1/invoices/{id}/cancel"),
    cancel_source=documented(f"{LEGACY_CANCEL}; {INVOICE_CANCEL}; {SDK} resources/invoice.py"),
    cancel_outcomes={
        "issued": Expectation(
            outcome=Outcome.CANCELLED,
            source=documented(
                f"{_ONLY_ISSUED.citation}; {INVOICE_CANCEL} Success: status cancelled"
            ),
            http_status=200,
            http_status_source=SUCCESS_200,
        ),
        "paid": _invoice_refused(
            "paid",
            documented(f"{INVOICE_CANCEL}: 'Invoices in the paid state cannot be cancelled.'"),
        ),
        "partially_paid": _invoice_refused("partially_paid", _ONLY_ISSUED),
        "expired": _invoice_refused("expired", _ONLY_ISSUED),
        "draft": _invoice_refused("draft", _ONLY_ISSUED),
        # The refusal is documented (only issued); what a deleted invoice answers is not: it
        # may be refused by status or no longer be found at all.
        "deleted": Expectation(
            outcome=Outcome.REJECTED,
            source=_ONLY_ISSUED,
            http_status=400,
            http_status_source=unverified("no response for a deleted invoice is documented"),
            error={"description": _invoice_status_msg("deleted"), "code": BAD_REQUEST},
            error_source=unverified("no response for a deleted invoice is documented"),
            candidates=(
                Candidate(label="400 'Operation not allowed for Invoice in deleted status.'",
                          outcome=Outcome.NOT_CANCELLABLE, http_status=400,
                          error={"description": _invoice_status_msg("deleted")}),
                Candidate(label=f"400 '{NOT_FOUND_MSG}'", outcome=Outcome.NOT_FOUND,
                          http_status=400, error={"description": NOT_FOUND_MSG}),
            ),
        ),
    },
    repeat_cancel=Expectation(
        outcome=Outcome.NOT_CANCELLABLE,
        source=documented(
            f"{INVOICE_CANCEL} Errors: '{INVOICE_CANCELLED_MSG}' code 400, 'trying to cancel "
            "an invoice which is already in the cancelled status'"
        ),
        http_status=400,
        error={
            "description": INVOICE_CANCELLED_MSG,
            "code": BAD_REQUEST,
            "source": "business",
            "step": "payment_initiation",
            "reason": "input_validation_failed",
        },
        error_source=documented(f"{INVOICE_CANCEL} Failure example (verbatim)"),
    ),
    unknown_id=Expectation(
        outcome=Outcome.NOT_FOUND,
        source=unverified(
            f"neither {LEGACY_CANCEL} nor {INVOICE_CANCEL} describes the cancel of an unknown id"
        ),
        candidates=_INV_UNKNOWN_CANDIDATES,
    ),
    unknown_id_example="inv_PcUnknownLink0",
    entity=EntitySpec(
        id_field="id",
        status_field="status",
        cancelled_at_field="cancelled_at",
        # Two vendor pages disagree: the legacy cancel page says of the cancel response's
        # cancelled_at "Here, the value will be null", the invoices cancel Success example shows
        # a timestamp. Until a recording settles it, "cancelled_at is set" is only observed.
        cancelled_at_source=unverified(
            f"{LEGACY_CANCEL}: cancelled_at 'Here, the value will be null'; {INVOICE_CANCEL} "
            "Success example: cancelled_at 1657203958"
        ),
        immutable_fields=("id", "amount", "currency", "created_at"),
        timestamp_format="unix",
        # The legacy page: cancelled_at / paid_at are null until set.
        unset_timestamp="null",
        template={
            "id": "$id",
            "entity": "invoice",
            "type": "link",
            "receipt": None,
            "customer_id": None,
            "customer": "$req.customer",
            "status": "$status",
            "expire_by": "$req.expire_by",
            "issued_at": "$created_at",
            "paid_at": None,
            "cancelled_at": "$cancelled_at",
            "expired_at": None,
            "sms_status": "pending",
            "email_status": "pending",
            "partial_payment": False,
            "amount": "$amount",
            "amount_paid": "$amount_paid",
            "amount_due": "$amount_due",
            "currency": "$currency",
            "description": "$req.description",
            "notes": "$req.notes",
            "short_url": "https://rzp.io/i/${token}",
            "view_less": True,
            "created_at": "$created_at",
        },
    ),
    error=ErrorSpec(
        path="error",
        template=ERROR_TEMPLATE,
        code_field="code",
        message_field="description",
        message_outcomes={
            **{
                _invoice_status_msg(s): Outcome.NOT_CANCELLABLE
                for s in ("cancelled", "paid", "partially_paid", "expired", "draft", "deleted")
            },
            NOT_FOUND_MSG: Outcome.NOT_FOUND,
            **_AUTH_MESSAGES,
        },
        http_outcomes=_HTTP_OUTCOMES,
        schema_file="razorpay-error.json",
        source=ERROR_SOURCE,
    ),
    scrub_body_fields=("contact", "email", "name"),
    fixtures=(
        FixtureLink(status="paid", env="RAZORPAY_INVOICES_PAID_LINK_ID"),
        FixtureLink(status="partially_paid", env="RAZORPAY_INVOICES_PARTIALLY_PAID_LINK_ID"),
        FixtureLink(status="expired", env="RAZORPAY_INVOICES_EXPIRED_LINK_ID"),
        FixtureLink(status="draft", env="RAZORPAY_INVOICES_DRAFT_LINK_ID"),
        FixtureLink(status="deleted", env="RAZORPAY_INVOICES_DELETED_LINK_ID"),
    ),
    notes=(
        API_VERSION_NOTE,
        "Legacy API: deprecated on 15 Aug 2021 (razorpay/markdown-docs "
        "payments/payment-links/legacy.md); the v1 /payment_links API replaces it.",
        "Initial status 'issued' for type=link creates is INFERRED (see the status source).",
        "Only the repeat-cancel error is documented verbatim; the paid / partially_paid / "
        "expired / draft messages follow its pattern (INFERRED); a deleted invoice's answer is "
        "unverified (refused by status, or not found).",
        "The invoice docs Success example is a type=invoice invoice (short_url null); the "
        "legacy cancel page lists the type=link fields the simulator renders.",
        "Key prefixes rzp_test_ / rzp_live_ are community-attested, not in official docs.",
    ),
)

CONTRACTS = (PAYMENT_LINKS, INVOICES)
