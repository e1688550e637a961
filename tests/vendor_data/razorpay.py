"""Razorpay bodies in ../shared/vendor-data (Payment Links v1 and legacy invoice-based links).

Every Razorpay body is accepted: where the README reports shape drift between the docs example
and the razorpay-python SDK mocks (reminders object vs [], notes object vs null vs [], payments
[] vs null, invoice type null, customer_details with customer_* keys only), the schemas accept
both shapes, because the SDK fixtures are plausible wire shapes of the same entity.
"""

from tests.vendor_data import Row

ROWS = [
    # Payment Links v1 (/v1/payment_links)
    Row("razorpay-cancel-success-docs.json", "razorpay", "success", "v1",
        wire_status="cancelled"),
    Row("razorpay-cancel-success-sdk-mock.json", "razorpay", "success", "v1",
        wire_status="cancelled"),
    Row("razorpay-fetch-paid-link-sdk-mock.json", "razorpay", "success", "v1",
        wire_status="paid"),
    Row("razorpay-error-bad-request-sdk-mock.json", "razorpay", "error"),
    # vendor-data README: "a request body. Exclude it from response-schema checks."
    Row("razorpay-create-request-sdk-mock.json", "razorpay", "request"),
    # Legacy invoice-based links (/v1/invoices)
    Row("razorpay-invoice-cancel-success-docs.json", "razorpay-invoices", "success", "v1",
        wire_status="cancelled"),
    Row("razorpay-invoice-cancel-success-sdk-mock.json", "razorpay-invoices", "success", "v1",
        wire_status="cancelled"),
    Row("razorpay-invoice-cancel-failure-docs.json", "razorpay-invoices", "error"),
]
