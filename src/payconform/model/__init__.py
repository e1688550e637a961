"""Layer 1, the contract model: declarations, the outcome vocabulary, the contract registry,
JSON Schema validation and redaction. Imports nothing else of payconform."""
