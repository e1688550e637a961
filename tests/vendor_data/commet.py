"""Commet bodies in ../shared/vendor-data."""

from tests.vendor_data import Row

ROWS = [
    # Six identical placeholder bodies on the page; the shape is the real envelope and the
    # schema keeps type / code open strings, so the placeholder values are accepted.
    Row("commet-cancel-error-docs.json", "commet", "error"),
    Row(
        "commet-cancel-success-docs.json", "commet", "success", "2026-07-31",
        accepted=False,
        reason="vendor-data README: 'the amounts are `-9007199254740991`', 'the `metadata` values "
        "are `null`, although the SDK type is `Record<string, string>`'; 'A schema with enums for "
        "`type` or `code`, non-negative amounts, or string-only metadata will reject them.'",
        wire_status="pending",
    ),
]
