"""Pine Labs Online (Plural) bodies in ../shared/vendor-data."""

from tests.vendor_data import Row

_MOCK = (
    "vendor-data README: 'The SDK mocks and the MCP mocks are partial or older shapes. A schema "
    "that requires every documented field will reject them. That is a property of the mocks, not "
    "of the vendor.' and 'The MCP get-by-id and cancel bodies are invented partial mocks.'"
)

ROWS = [
    # expire_by "2025-03-21T08:29Z" is not RFC 3339 (README); the contract's schema accepts
    # minute precision for expire_by only, so both documented examples pass (see the notes).
    Row("pinelabs-cancel-success-docs.json", "pinelabs", "success", "3.0", wire_status="CANCELLED"),
    Row("pinelabs-create-success-docs.json", "pinelabs", "success", "3.0", wire_status="CREATED"),
    Row("pinelabs-cancel-error-500-docs.json", "pinelabs", "error"),
    Row("pinelabs-cancel-success-mcp-mock.json", "pinelabs", "success", "3.0", accepted=False,
        reason=_MOCK, wire_status="CANCELLED"),
    Row("pinelabs-get-by-id-mcp-mock.json", "pinelabs", "success", "3.0", accepted=False,
        reason=_MOCK, wire_status="CREATED"),
]
