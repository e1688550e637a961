"""Layer 6, property-based search: the hypothesis state machine, input properties, profiles,
OpenAPI export and schemathesis checks."""
