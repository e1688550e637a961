"""Cashfree bodies in ../shared/vendor-data."""

from tests.vendor_data import Row

ROWS = [
    Row("cashfree-cancel-link-not-active-sandbox.json", "cashfree", "error"),
    Row("cashfree-link-orders-not-found-sandbox.json", "cashfree", "error"),
    Row("cashfree-error-400-bad-request-docs.json", "cashfree", "error"),
    Row("cashfree-error-401-authentication-docs.json", "cashfree", "error"),
    Row("cashfree-error-404-not-found-docs.json", "cashfree", "error"),
    Row("cashfree-error-409-conflict-docs.json", "cashfree", "error"),
    Row("cashfree-error-422-idempotency-docs.json", "cashfree", "error"),
    Row("cashfree-error-429-rate-limit-docs.json", "cashfree", "error"),
    Row("cashfree-error-500-api-docs.json", "cashfree", "error"),
    Row("cashfree-link-entity-2025-01-01-docs.json", "cashfree", "success", "2025-01-01",
        wire_status="ACTIVE"),
    Row(
        "cashfree-cancel-success-2022-09-01-docs.json", "cashfree", "success", "2022-09-01",
        accepted=False,
        reason="vendor-data README: customer_details, link_meta, link_notes and link_notify are "
        "unresolved {'$ref': ...} placeholders; 'Any real schema for those objects will reject "
        "this file.'",
        wire_status="CANCELLED",
    ),
]
